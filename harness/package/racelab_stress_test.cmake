# The command of a test racelab_add_stress_test() registered (cmake -P): runs
# `racelab exec` on the program, then `racelab gate` on its summary. The
# test's result is the gate's: a finding fails it unless BASELINE accepts it,
# and a run that did not execute, a worker that crashed or a program not
# built with TSan never passes (the gate fails closed).
foreach(variable IN ITEMS RACELAB PROGRAM RUNS STRATEGY TIMEOUT JOBS OUT)
  if(NOT DEFINED ${variable} OR "${${variable}}" STREQUAL "")
    message(FATAL_ERROR "racelab_stress_test.cmake: -D${variable}= is missing")
  endif()
endforeach()

# FILTER (from racelab_discover_tests): the one GoogleTest test to run.
if(FILTER)
  list(APPEND ARGS "--gtest_filter=${FILTER}")
endif()

file(REMOVE "${OUT}/summary.json")
execute_process(COMMAND "${RACELAB}" exec --runs "${RUNS}" --jobs "${JOBS}" --strategy "${STRATEGY}"
                        --timeout "${TIMEOUT}" --out "${OUT}" -- "${PROGRAM}" ${ARGS}
                RESULT_VARIABLE exec_result)
set(gate "${RACELAB}" gate "${OUT}/summary.json")
if(BASELINE)
  list(APPEND gate --baseline "${BASELINE}")
endif()
execute_process(COMMAND ${gate} RESULT_VARIABLE gate_result)
if(NOT gate_result EQUAL 0)
  message(FATAL_ERROR "racelab: the gate failed (exit ${gate_result}; racelab exec exited ${exec_result}); "
                      "the summaries are in ${OUT}")
endif()
