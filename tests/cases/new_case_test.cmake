# Catalogue.NewCaseIsOneFolder: a new case is one new folder, nothing else.
#
# A scratch project holds this build's racelab libraries (imported, not
# rebuilt: IMPORTS, written by tests/CMakeLists.txt) and a copy of
# cases/catalogue.cmake, the fragment cases/CMakeLists.txt builds the
# catalogue with. Into its cases/ goes a copy of case 01 under a new id, with
# only the id in case.cpp changed (what a person copying a case does). Then:
#   - configured and built, the folder is a program case_<id> whose
#     --describe names it and holds its contract;
#   - the racelab driver lists it and runs it: its buggy variant is caught
#     within its budget, its first failure showing the contract's text;
#   - a second folder added after configuring is built by the next build,
#     without running cmake by hand (the glob's CONFIGURE_DEPENDS).
#
# Run by ctest as
#   cmake -DSOURCE=<repo> -DSCRATCH=<dir> -DIMPORTS=<file> -DRACELAB=<racelab>
#         -DGENERATOR=… -DMAKE=… -DCXX=… -DBUILD_TYPE=… [-DLAUNCHER=…] -P new_case_test.cmake
cmake_minimum_required(VERSION 3.25)

foreach(var SOURCE SCRATCH IMPORTS RACELAB GENERATOR MAKE CXX BUILD_TYPE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "new_case_test.cmake: -D${var}=… is missing")
  endif()
endforeach()

set(src ${SCRATCH}/src)
set(bin ${SCRATCH}/build)
set(from 01_lost_update)
file(REMOVE_RECURSE ${SCRATCH})
file(COPY ${SOURCE}/cases/catalogue.cmake DESTINATION ${src}/cases)
file(WRITE ${src}/CMakeLists.txt [=[
cmake_minimum_required(VERSION 3.25)
project(racelab_new_case LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
include(${IMPORTS})
include(cases/catalogue.cmake)
racelab_add_cases(${CMAKE_CURRENT_SOURCE_DIR}/cases)
]=])

# new_case(ID): the folder cases/ID, a copy of case 01 renamed.
function(new_case id)
  file(COPY ${SOURCE}/cases/${from}/ DESTINATION ${src}/cases/${id})
  file(READ ${src}/cases/${id}/case.cpp text)
  string(REPLACE "\"${from}\"" "\"${id}\"" renamed "${text}")
  if(renamed STREQUAL text)
    message(FATAL_ERROR "cases/${from}/case.cpp has no \"${from}\" to rename")
  endif()
  file(WRITE ${src}/cases/${id}/case.cpp "${renamed}")
endfunction()

# run(WHAT COMMAND…): runs it, fails the test with its output unless it
# exits 0; its stdout in `out`.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${ARGN}\n${stdout}\n${stderr}")
  endif()
  set(out "${stdout}" PARENT_SCOPE)
endfunction()

function(build id)
  run("building the new folder cases/${id}" ${CMAKE_COMMAND} --build ${bin} --target case_${id} -j1)
  if(NOT EXISTS ${bin}/cases/case_${id})
    message(FATAL_ERROR "the build made no ${bin}/cases/case_${id}")
  endif()
endfunction()

new_case(90_new_case)
run("configuring the scratch project" ${CMAKE_COMMAND} -S ${src} -B ${bin} -G ${GENERATOR}
    -DCMAKE_MAKE_PROGRAM=${MAKE} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
    -DIMPORTS=${IMPORTS})
build(90_new_case)

run("case_90_new_case --describe" ${LAUNCHER} ${bin}/cases/case_90_new_case --describe)
string(JSON id GET "${out}" id)
string(JSON budget GET "${out}" variants buggy budget)
string(JSON texts LENGTH "${out}" variants buggy first_failure_shows)
if(NOT id STREQUAL "90_new_case" OR NOT budget GREATER 0 OR NOT texts GREATER 0)
  message(FATAL_ERROR "case_90_new_case describes itself without its id or contract:\n${out}")
endif()
set(shows "")
math(EXPR last "${texts} - 1")
foreach(i RANGE ${last})
  string(JSON text GET "${out}" variants buggy first_failure_shows ${i})
  list(APPEND shows "${text}")
endforeach()

run("racelab list" ${LAUNCHER} ${RACELAB} --cases ${bin}/cases list)
if(NOT out MATCHES "^90_new_case ")
  message(FATAL_ERROR "racelab --cases ${bin}/cases list does not list 90_new_case:\n${out}")
endif()
run("racelab run 90_new_case (its contract, seed 1)" ${LAUNCHER} ${RACELAB} --cases ${bin}/cases
    run 90_new_case --variant buggy --seed 1 --runs ${budget} --stop-on-first --out ${SCRATCH}/out)
set(found FALSE)
foreach(text IN LISTS shows)
  string(FIND "${out}" "${text}" at)
  if(NOT at EQUAL -1)
    set(found TRUE)
  endif()
endforeach()
if(NOT found)
  message(FATAL_ERROR "90_new_case's first failure shows none of \"${shows}\":\n${out}")
endif()

# No cmake run by hand in between: the build re-globs and finds the folder.
new_case(91_second_case)
build(91_second_case)

file(REMOVE_RECURSE ${SCRATCH})
message(STATUS "a new folder under cases/ is a case: built, described with its contract, listed, caught")
