// What the runtime asks of valgrind when a case program runs under it
// (helgrind or DRD, for `racelab bench`): errors counted per run, and the
// runtime's own bookkeeping kept out of the tools' race checks. Each request
// is a few no-op instructions when the program is not under valgrind.
#include "valgrind.h"

#if __has_include(<valgrind/helgrind.h>) && __has_include(<valgrind/drd.h>)
#include <valgrind/drd.h>
#include <valgrind/helgrind.h>
#define RACELAB_HAVE_VALGRIND 1
#endif

namespace racelab::detail {

bool on_valgrind() noexcept {
#ifdef RACELAB_HAVE_VALGRIND
  return RUNNING_ON_VALGRIND != 0;
#else
  return false;
#endif
}

std::uint64_t valgrind_errors() noexcept {
#ifdef RACELAB_HAVE_VALGRIND
  return VALGRIND_COUNT_ERRORS;
#else
  return 0;
#endif
}

void valgrind_ignore(const void* start, std::size_t size) noexcept {
#ifdef RACELAB_HAVE_VALGRIND
  // Each tool ignores the other's request.
  VALGRIND_HG_DISABLE_CHECKING(start, size);
  VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ__DRD_START_SUPPRESSION, start, size, 0, 0, 0);
#endif
}

void valgrind_unignore(const void* start, std::size_t size) noexcept {
#ifdef RACELAB_HAVE_VALGRIND
  VALGRIND_HG_ENABLE_CHECKING(start, size);
  VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ__DRD_FINISH_SUPPRESSION, start, size, 0, 0, 0);
#endif
}

}  // namespace racelab::detail
