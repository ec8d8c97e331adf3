# After a build of a GoogleTest program (cmake -P, from
# racelab_discover_tests()): lists its tests and writes TESTS_FILE, a ctest
# test per GoogleTest test, each running racelab_stress_test.cmake with
# --gtest_filter=<Suite.Name>. A program that cannot list its tests fails
# the build, with its output.
foreach(variable IN ITEMS RACELAB PROGRAM RUNS STRATEGY TIMEOUT JOBS OUT PREFIX TESTS_FILE STRESS_SCRIPT)
  if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
    message(FATAL_ERROR "racelab_discover_tests.cmake: -D${variable}= is missing")
  endif()
endforeach()

# The listing runs the program itself: no schedule perturbation, no records.
set(ENV{RACELAB_STRATEGY} none)
unset(ENV{RACELAB_RECORDS})
unset(ENV{GTEST_TOTAL_SHARDS})
unset(ENV{GTEST_SHARD_INDEX})
execute_process(COMMAND "${PROGRAM}" --gtest_list_tests ${ARGS}
                OUTPUT_VARIABLE listing ERROR_VARIABLE errors RESULT_VARIABLE result TIMEOUT 60)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "racelab_discover_tests: ${PROGRAM} --gtest_list_tests failed (${result}):\n${listing}${errors}")
endif()

# "Suite.\n  Name\n" (parameterised: "Prefix/Suite.  # TypeParam = int",
# "  Name/0  # GetParam() = 1"); DISABLED_ tests are left out, as GoogleTest leaves them.
set(content "# Written by racelab_discover_tests.cmake after each build of ${PROGRAM}.\n")
set(suite "")
string(REPLACE "\n" ";" lines "${listing}")
foreach(line IN LISTS lines)
  string(REGEX REPLACE "  #.*$" "" line "${line}")
  if(line MATCHES "^([^ ].*\\.)$")
    set(suite "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^  ([^ ]+)$" AND NOT suite STREQUAL "")
    set(test "${suite}${CMAKE_MATCH_1}")
    if(test MATCHES "(^|\\.|/)DISABLED_")
      continue()
    endif()
    set(dir "${OUT}/${test}")
    file(MAKE_DIRECTORY "${dir}")
    string(APPEND content
      "add_test([==[${PREFIX}${test}]==] [==[${CMAKE_COMMAND}]==] [==[-DRACELAB=${RACELAB}]==] "
      "[==[-DPROGRAM=${PROGRAM}]==] [==[-DRUNS=${RUNS}]==] [==[-DSTRATEGY=${STRATEGY}]==] "
      "[==[-DTIMEOUT=${TIMEOUT}]==] [==[-DJOBS=${JOBS}]==] [==[-DBASELINE=${BASELINE}]==] [==[-DOUT=${dir}]==] "
      "[==[-DARGS=${ARGS}]==] [==[-DFILTER=${test}]==] -P [==[${STRESS_SCRIPT}]==])\n"
      "set_tests_properties([==[${PREFIX}${test}]==] PROPERTIES WORKING_DIRECTORY [==[${dir}]==])\n")
  endif()
endforeach()
file(WRITE "${TESTS_FILE}.new" "${content}")
file(RENAME "${TESTS_FILE}.new" "${TESTS_FILE}")
