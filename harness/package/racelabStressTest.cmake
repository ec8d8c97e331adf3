# racelab_add_stress_test(<target> [NAME <name>] [RUNS <n>] [STRATEGY <s>]
#                         [TIMEOUT <seconds>] [JOBS <n>] [BASELINE <file>]
#                         [INSTRUMENT] [ARGS <arg>…])
#
# Registers a ctest test, named <name> (default racelab.<target>), that runs
# `racelab exec` on the target — RUNS runs (default 20), strategy STRATEGY
# (default portfolio), TIMEOUT seconds each (default 60), JOBS at once
# (default 1) — and then `racelab gate` on its summary, with BASELINE when
# given. The test passes when the gate does. Its working directory,
# <build>/racelab/<name>/, holds summary.json, junit.xml, results.sarif and
# each run's logs.
#
# It links racelab::intercept into the target itself when the target does
# not link it yet (by the target's LINK_LIBRARIES property, so whichever
# target_link_libraries() signature the project uses).
#
# TSan sees races only in code it instrumented. When the top-level directory
# has been configured, every library of this project in the target's link
# closure (static, shared, object) must be compiled with -fsanitize=thread:
# one that is not is a configure error naming it — or, with INSTRUMENT,
# racelab adds -fsanitize=thread (and frame pointers and debug information) to
# its compile options. Imported libraries (found packages) are left alone.

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

# The targets `target` links, transitively (itself first).
function(_racelab_link_closure target out)
  set(seen "")
  set(queue ${target})
  while(queue)
    list(POP_FRONT queue t)
    if(t IN_LIST seen OR NOT TARGET ${t})
      continue()
    endif()
    get_target_property(aliased ${t} ALIASED_TARGET)
    if(aliased)
      set(t ${aliased})
    endif()
    list(APPEND seen ${t})
    foreach(property IN ITEMS LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
      get_target_property(value ${t} ${property})
      if(value)
        foreach(item IN LISTS value)
          string(REGEX REPLACE "^\\$<LINK_(LIBRARY:[A-Z_]+|ONLY):(.*)>$" "\\2" item "${item}")
          string(REPLACE "," ";" item "${item}")
          list(APPEND queue ${item})
        endforeach()
      endif()
    endforeach()
  endwhile()
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# Whether `target`'s own sources are compiled with -fsanitize=thread: by the
# global flags, its own compile options, or those of what it links.
function(_racelab_instrumented target out)
  set(options "${CMAKE_CXX_FLAGS} ${CMAKE_C_FLAGS}")
  if(CMAKE_BUILD_TYPE)
    string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
    string(APPEND options " ${CMAKE_CXX_FLAGS_${config}} ${CMAKE_C_FLAGS_${config}}")
  endif()
  _racelab_link_closure(${target} closure)
  foreach(t IN LISTS closure)
    set(properties INTERFACE_COMPILE_OPTIONS)
    if(t STREQUAL target)
      list(APPEND properties COMPILE_OPTIONS COMPILE_FLAGS)
    endif()
    foreach(property IN LISTS properties)
      get_target_property(value ${t} ${property})
      if(value)
        string(APPEND options " ${value}")
      endif()
    endforeach()
  endforeach()
  _racelab_names_tsan("${options}" tsan)
  set(${out} ${tsan} PARENT_SCOPE)
endfunction()

# Deferred to the end of the top-level directory, when every target has all
# its options: links racelab's runtime (racelab::intercept, or racelab::gtest
# for `gtest`) into the target unless it is there, then checks that every
# library of the project the target links is instrumented (or, with
# `instrument`, instruments it).
function(_racelab_prepare fn target runtime instrument)
  _racelab_link_closure(${target} closure)
  if(NOT "racelab::intercept" IN_LIST closure)
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES ${runtime})
  elseif(runtime STREQUAL "racelab::gtest" AND NOT "racelab::gtest" IN_LIST closure)
    # racelab::intercept alone: the listener still goes in, per test.
    set_property(TARGET ${target} APPEND PROPERTY LINK_LIBRARIES racelab::gtest)
  endif()
  set(uninstrumented "")
  foreach(t IN LISTS closure)
    get_target_property(type ${t} TYPE)
    get_target_property(imported ${t} IMPORTED)
    if(imported OR NOT type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$")
      continue()
    endif()
    _racelab_instrumented(${t} tsan)
    if(tsan)
      continue()
    endif()
    if(instrument)
      set_property(TARGET ${t} APPEND PROPERTY COMPILE_OPTIONS -fsanitize=thread -fno-omit-frame-pointer -g)
    else()
      list(APPEND uninstrumented "${t} (${type})")
    endif()
  endforeach()
  if(uninstrumented)
    list(JOIN uninstrumented ", " names)
    message(FATAL_ERROR
      "${fn}(${target}): ${target} links libraries of this project compiled without ThreadSanitizer: ${names}. "
      "TSan sees races only in code it instrumented, so races inside them would go unreported. Compile them "
      "with -fsanitize=thread (target_compile_options(<lib> PRIVATE -fsanitize=thread), or "
      "-DCMAKE_CXX_FLAGS=-fsanitize=thread for the whole project), or pass INSTRUMENT to ${fn}() to have "
      "racelab add it to them.")
  endif()
endfunction()

# The options both functions take (parsed by the caller into arg_<OPTION>),
# checked, with their defaults; also sets `baseline` (absolute or "") and
# `program_args` (the ARGS as one list, its ';' escaped) in the caller.
set(_racelab_stress_keywords NAME RUNS STRATEGY TIMEOUT JOBS BASELINE TEST_PREFIX)
macro(_racelab_stress_options fn target runtime)
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}(${target}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "${fn}(${target}): no such target")
  endif()
  get_target_property(_racelab_type ${target} TYPE)
  if(NOT _racelab_type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "${fn}(${target}): ${target} is a ${_racelab_type}, not an executable")
  endif()
  foreach(number IN ITEMS RUNS TIMEOUT JOBS)
    if(DEFINED arg_${number} AND NOT arg_${number} MATCHES "^[1-9][0-9]*$")
      message(FATAL_ERROR "${fn}(${target}): ${number} must be a positive whole number, not '${arg_${number}}'")
    endif()
  endforeach()
  set(_racelab_strategies none yield sleep pct portfolio)
  if(DEFINED arg_STRATEGY AND NOT arg_STRATEGY IN_LIST _racelab_strategies)
    message(FATAL_ERROR "${fn}(${target}): STRATEGY must be one of ${_racelab_strategies}, not '${arg_STRATEGY}'")
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
  string(REPLACE ";" "\\;" program_args "${arg_ARGS}")
  if(arg_INSTRUMENT)
    set(_racelab_instrument TRUE)
  else()
    set(_racelab_instrument FALSE)
  endif()
  # (A deferred call's arguments are read when it runs: the values go in now.)
  cmake_language(EVAL CODE
    "cmake_language(DEFER DIRECTORY [[${CMAKE_SOURCE_DIR}]] CALL _racelab_prepare [[${fn}]] [[${target}]] [[${runtime}]] ${_racelab_instrument})")
endmacro()

function(racelab_add_stress_test target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "INSTRUMENT" "${_racelab_stress_keywords}" "ARGS")
  _racelab_stress_options(racelab_add_stress_test ${target} racelab::intercept)
  if(arg_TEST_PREFIX)
    message(FATAL_ERROR "racelab_add_stress_test(${target}): TEST_PREFIX is racelab_discover_tests()'s")
  endif()
  if(NOT arg_NAME)
    set(arg_NAME racelab.${target})
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/racelab/${arg_NAME}")
  file(MAKE_DIRECTORY "${dir}")
  add_test(NAME ${arg_NAME}
           COMMAND ${CMAKE_COMMAND} "-DRACELAB=$<TARGET_FILE:racelab::racelab>" "-DPROGRAM=$<TARGET_FILE:${target}>"
                   "-DRUNS=${arg_RUNS}" "-DSTRATEGY=${arg_STRATEGY}" "-DTIMEOUT=${arg_TIMEOUT}" "-DJOBS=${arg_JOBS}"
                   "-DBASELINE=${baseline}" "-DOUT=${dir}" "-DARGS=${program_args}" -P "${_racelab_stress_test_script}"
           WORKING_DIRECTORY "${dir}")
endfunction()

# racelab_discover_tests(<target> [TEST_PREFIX <prefix>] [RUNS <n>] [STRATEGY <s>]
#                        [TIMEOUT <seconds>] [JOBS <n>] [BASELINE <file>] [INSTRUMENT]
#                        [ARGS <arg>…])
#
# For a GoogleTest program (racelab::gtest is linked into it, when it is not
# yet: each TEST is judged alone), as
# gtest_discover_tests() does: after each build the program lists its tests
# (--gtest_list_tests), and each becomes a ctest test named
# <prefix><Suite.Name> (default prefix "racelab.") that runs the program
# with --gtest_filter=<Suite.Name> under `racelab exec`, then `racelab gate`
# — a test of its own, in processes of its own, whatever the others do. Its
# working directory, <build>/racelab/<target>/<Suite.Name>/, holds its
# summaries. The other options are racelab_add_stress_test()'s.
set(_racelab_discover_script "${CMAKE_CURRENT_LIST_DIR}/racelab_discover_tests.cmake")

function(racelab_discover_tests target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "INSTRUMENT" "${_racelab_stress_keywords}" "ARGS")
  _racelab_stress_options(racelab_discover_tests ${target} racelab::gtest)
  if(arg_NAME)
    message(FATAL_ERROR "racelab_discover_tests(${target}): tests are named by TEST_PREFIX and GoogleTest, not NAME")
  endif()
  if(NOT DEFINED arg_TEST_PREFIX)
    set(arg_TEST_PREFIX racelab.)
  endif()
  set(tests_file "${CMAKE_CURRENT_BINARY_DIR}/racelab/${target}_tests.cmake")
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/racelab/${target}_include.cmake")
  # Until the first build, a ctest run says the tests are not listed yet.
  file(WRITE "${include_file}"
    "if(EXISTS [[${tests_file}]])\n  include([[${tests_file}]])\nelse()\n"
    "  add_test([[${arg_TEST_PREFIX}${target}_NOT_BUILT]] [[${target}_NOT_BUILT]])\nendif()\n")
  add_custom_command(TARGET ${target} POST_BUILD
    BYPRODUCTS "${tests_file}"
    COMMAND ${CMAKE_COMMAND} "-DRACELAB=$<TARGET_FILE:racelab::racelab>" "-DPROGRAM=$<TARGET_FILE:${target}>"
            "-DRUNS=${arg_RUNS}" "-DSTRATEGY=${arg_STRATEGY}" "-DTIMEOUT=${arg_TIMEOUT}" "-DJOBS=${arg_JOBS}"
            "-DBASELINE=${baseline}" "-DOUT=${CMAKE_CURRENT_BINARY_DIR}/racelab/${target}" "-DARGS=${program_args}"
            "-DPREFIX=${arg_TEST_PREFIX}" "-DTESTS_FILE=${tests_file}" "-DSTRESS_SCRIPT=${_racelab_stress_test_script}"
            -P "${_racelab_discover_script}"
    VERBATIM)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
