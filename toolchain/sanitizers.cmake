# racelab_sanitizer: one cache variable, RACELAB_SANITIZER, turned into an
# INTERFACE target that every racelab target links.
#   thread   ThreadSanitizer (the default preset: what the lab is for)
#   address  AddressSanitizer + UndefinedBehaviorSanitizer
#   none     plain build (speed baselines)
# TSan cannot be combined with ASan or LSan, so the choice is exclusive.
set(RACELAB_SANITIZER "thread" CACHE STRING "thread | address | none")
set_property(CACHE RACELAB_SANITIZER PROPERTY STRINGS thread address none)

add_library(racelab_sanitizer INTERFACE)
if(RACELAB_SANITIZER STREQUAL "thread")
  set(_flags -fsanitize=thread -fno-omit-frame-pointer)
elseif(RACELAB_SANITIZER STREQUAL "address")
  set(_flags -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(RACELAB_SANITIZER STREQUAL "none")
  set(_flags "")
else()
  message(FATAL_ERROR "RACELAB_SANITIZER must be thread, address or none (got '${RACELAB_SANITIZER}')")
endif()
if(_flags)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "racelab's sanitizer builds need clang (toolchain/clang.cmake); got ${CMAKE_CXX_COMPILER_ID}")
  endif()
  target_compile_options(racelab_sanitizer INTERFACE ${_flags})
  target_link_options(racelab_sanitizer INTERFACE ${_flags})
endif()

# TSan of clang < 18 dies at start-up ("unexpected memory mapping") when the
# kernel randomizes more than 28 bits of mmap addresses. Tests then run under
# `setarch -R` (ADDR_NO_RANDOMIZE); the racelab driver does the same for its
# workers at run time.
set(RACELAB_TEST_LAUNCHER "")
if(RACELAB_SANITIZER STREQUAL "thread" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 18)
  if(EXISTS /proc/sys/vm/mmap_rnd_bits)
    file(READ /proc/sys/vm/mmap_rnd_bits _rnd_bits)
    string(STRIP "${_rnd_bits}" _rnd_bits)
    if(_rnd_bits GREATER 28)
      find_program(RACELAB_SETARCH setarch REQUIRED)
      set(RACELAB_TEST_LAUNCHER "${RACELAB_SETARCH};${CMAKE_SYSTEM_PROCESSOR};-R")
      message(STATUS "racelab: clang ${CMAKE_CXX_COMPILER_VERSION} TSan with vm.mmap_rnd_bits=${_rnd_bits}: tests run under setarch -R")
    endif()
  endif()
endif()
