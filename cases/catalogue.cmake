# The case catalogue's build: a case is one folder, cases/NN_name/, found by a
# glob; no list to edit. Included by cases/CMakeLists.txt, and by the scratch
# project of tests/cases/new_case_test.cmake, which proves that a new folder
# is all a new case takes.

# racelab_add_case(DIR): compiles every .cpp in DIR (cases/NN_name) with the
# harness runtime and its main() into case_NN_name, twice: as the preset says,
# into <build>/cases, and plain (no sanitizer), into <build>/cases/plain, for
# `racelab bench` (a plain stress test, helgrind, DRD).
function(racelab_add_case dir)
  get_filename_component(id ${dir} NAME)
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.cpp)
  add_executable(case_${id} ${sources})
  target_link_libraries(case_${id} PRIVATE racelab_case_main racelab_runtime racelab_warnings)
  set_target_properties(case_${id} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/cases)
  set_property(GLOBAL APPEND PROPERTY RACELAB_CASES case_${id} case_${id}_plain)
  set_property(GLOBAL APPEND PROPERTY RACELAB_CASE_PROGRAMS case_${id})

  add_executable(case_${id}_plain ${sources})
  target_link_libraries(case_${id}_plain PRIVATE racelab_case_main_plain racelab_runtime_plain
                        racelab_warnings)
  set_target_properties(case_${id}_plain PROPERTIES OUTPUT_NAME case_${id}
                        RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/cases/plain)
endfunction()

# racelab_add_cases(ROOT): one racelab_add_case() per folder ROOT/[0-9][0-9]_*.
# CONFIGURE_DEPENDS: a new folder (or a new .cpp in one) is picked up by the
# next build, without a re-run of cmake. A folder without a case.cpp is left
# out with a warning, not a configure error: tests/cases/catalogue_test.cpp
# then says what the folder lacks.
function(racelab_add_cases root)
  file(GLOB entries CONFIGURE_DEPENDS LIST_DIRECTORIES true ${root}/[0-9][0-9]_*)
  foreach(dir IN LISTS entries)
    if(NOT IS_DIRECTORY ${dir})
      continue()
    elseif(EXISTS ${dir}/case.cpp)
      racelab_add_case(${dir})
    else()
      # Watched, so that adding the case.cpp re-runs the glob.
      file(GLOB watched CONFIGURE_DEPENDS ${dir}/case.cpp)
      message(WARNING "racelab: ${dir} has no case.cpp, so no program; cases/README.md says what a case folder holds")
    endif()
  endforeach()
endfunction()
