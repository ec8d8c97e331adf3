# racelab's clang toolchain: the newest clang on the machine (15 at least, for
# std::source_location), so that ThreadSanitizer's runtime (compiler-rt)
# matches the compiler that instruments.
# toolchain/bootstrap installs it; CMakePresets.json names this file.
foreach(version 19 18 17 16 15)
  find_program(RACELAB_CLANGXX NAMES "clang++-${version}" NO_CACHE)
  if(RACELAB_CLANGXX)
    find_program(RACELAB_CLANG NAMES "clang-${version}" NO_CACHE)
    break()
  endif()
endforeach()
if(NOT RACELAB_CLANGXX)
  message(FATAL_ERROR "racelab: no clang++-15 or newer found; run toolchain/bootstrap as root first.")
endif()
set(CMAKE_C_COMPILER "${RACELAB_CLANG}" CACHE FILEPATH "C compiler")
set(CMAKE_CXX_COMPILER "${RACELAB_CLANGXX}" CACHE FILEPATH "C++ compiler")
