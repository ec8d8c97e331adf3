# racelab_add_stress_test(<target> [NAME <name>] [RUNS <n>] [STRATEGY <s>]
#                         [TIMEOUT <seconds>] [JOBS <n>] [BASELINE <file>]
#                         [ARGS <arg>…])
#
# Registers a ctest test, named <name> (default racelab.<target>), that runs
# `racelab exec` on the target — RUNS runs (default 20), strategy STRATEGY
# (default portfolio), TIMEOUT seconds each (default 60), JOBS at once
# (default 1) — and then `racelab gate` on its summary, with BASELINE when
# given. The test passes when the gate does. Its working directory,
# <build>/racelab/<name>/, holds summary.json, junit.xml, results.sarif and
# each run's logs.
#
# The target must be an executable built with ThreadSanitizer: racelab judges
# nothing else. Checked when the directory that called this is configured:
# -fsanitize=thread in the target's compile options, those of what it links
# (racelab::intercept carries it), or CMAKE_<LANG>_FLAGS; else a configure
# error that says so.

set(_racelab_stress_test_script "${CMAKE_CURRENT_LIST_DIR}/racelab_stress_test.cmake")

# Whether "-fsanitize=thread" (or a list such as -fsanitize=address,thread)
# is in `text`.
function(_racelab_names_tsan text out)
  if(text MATCHES "-fsanitize=([a-z,]*,)?thread")
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

# The compile options a target gives itself and what it links, transitively.
function(_racelab_compile_options target out)
  set(seen "")
  set(queue ${target})
  set(options "")
  while(queue)
    list(POP_FRONT queue t)
    if(t IN_LIST seen OR NOT TARGET ${t})
      continue()
    endif()
    list(APPEND seen ${t})
    get_target_property(type ${t} TYPE)
    set(properties INTERFACE_COMPILE_OPTIONS INTERFACE_LINK_LIBRARIES)
    if(t STREQUAL target)
      list(APPEND properties COMPILE_OPTIONS COMPILE_FLAGS LINK_LIBRARIES)
    endif()
    foreach(property IN LISTS properties)
      get_target_property(value ${t} ${property})
      if(value)
        string(APPEND options " ${value}")
        if(property MATCHES "LINK_LIBRARIES$")
          foreach(item IN LISTS value)
            # $<LINK_LIBRARY:FEATURE,a,b> and $<LINK_ONLY:a> name targets too.
            string(REGEX REPLACE "^\\$<LINK_(LIBRARY:[A-Z_]+|ONLY):(.*)>$" "\\2" item "${item}")
            string(REPLACE "," ";" item "${item}")
            list(APPEND queue ${item})
          endforeach()
        endif()
      endif()
    endforeach()
  endwhile()
  set(${out} "${options}" PARENT_SCOPE)
endfunction()

# Deferred to the end of the calling directory, when the target has all its
# options.
function(_racelab_require_tsan target)
  set(flags "${CMAKE_CXX_FLAGS} ${CMAKE_C_FLAGS}")
  if(CMAKE_BUILD_TYPE)
    string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
    string(APPEND flags " ${CMAKE_CXX_FLAGS_${config}} ${CMAKE_C_FLAGS_${config}}")
  endif()
  _racelab_compile_options(${target} options)
  _racelab_names_tsan("${flags} ${options}" tsan)
  if(NOT tsan)
    message(FATAL_ERROR
      "racelab_add_stress_test(${target}): ${target} is not built with ThreadSanitizer: no -fsanitize=thread in "
      "its compile options, in those of what it links, or in CMAKE_CXX_FLAGS / CMAKE_C_FLAGS. racelab judges "
      "TSan-built programs only: link it with racelab::intercept (which adds -fsanitize=thread), or add "
      "-fsanitize=thread to its compile and link options.")
  endif()
endfunction()

function(racelab_add_stress_test target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "NAME;RUNS;STRATEGY;TIMEOUT;JOBS;BASELINE" "ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "racelab_add_stress_test(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "racelab_add_stress_test(${target}): no such target")
  endif()
  get_target_property(type ${target} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "racelab_add_stress_test(${target}): ${target} is a ${type}, not an executable")
  endif()
  foreach(number IN ITEMS RUNS TIMEOUT JOBS)
    if(DEFINED arg_${number} AND NOT arg_${number} MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "racelab_add_stress_test(${target}): ${number} must be a positive whole number, not '${arg_${number}}'")
    endif()
  endforeach()
  set(strategies none yield sleep pct portfolio)
  if(DEFINED arg_STRATEGY AND NOT arg_STRATEGY IN_LIST strategies)
    message(FATAL_ERROR "racelab_add_stress_test(${target}): STRATEGY must be one of ${strategies}, not '${arg_STRATEGY}'")
  endif()
  if(NOT arg_NAME)
    set(arg_NAME racelab.${target})
  endif()
  if(NOT DEFINED arg_RUNS)
    set(arg_RUNS 20)
  endif()
  if(NOT DEFINED arg_STRATEGY)
    set(arg_STRATEGY portfolio)
  endif()
  if(NOT DEFINED arg_TIMEOUT)
    set(arg_TIMEOUT 60)
  endif()
  if(NOT DEFINED arg_JOBS)
    set(arg_JOBS 1)
  endif()
  set(baseline "")
  if(arg_BASELINE)
    get_filename_component(baseline "${arg_BASELINE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/racelab/${arg_NAME}")
  file(MAKE_DIRECTORY "${dir}")
  # The program's arguments travel as one list, its ';' escaped.
  string(REPLACE ";" "\\;" program_args "${arg_ARGS}")
  add_test(NAME ${arg_NAME}
           COMMAND ${CMAKE_COMMAND} "-DRACELAB=$<TARGET_FILE:racelab::racelab>" "-DPROGRAM=$<TARGET_FILE:${target}>"
                   "-DRUNS=${arg_RUNS}" "-DSTRATEGY=${arg_STRATEGY}" "-DTIMEOUT=${arg_TIMEOUT}" "-DJOBS=${arg_JOBS}"
                   "-DBASELINE=${baseline}" "-DOUT=${dir}" "-DARGS=${program_args}" -P "${_racelab_stress_test_script}"
           WORKING_DIRECTORY "${dir}")
  # (A deferred call's arguments are read when it runs: the name goes in now.)
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${CMAKE_CURRENT_SOURCE_DIR}]] CALL _racelab_require_tsan [[${target}]])")
endfunction()
