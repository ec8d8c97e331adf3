// valgrind.h — the runtime under valgrind's helgrind or DRD. Internal to
// harness/src.
#pragma once

#include <cstddef>
#include <cstdint>

namespace racelab::detail {

// True when the process runs under valgrind.
bool on_valgrind() noexcept;

// The errors valgrind's tool has found so far in this process, each
// occurrence counted (a repeat of an earlier error too, though the tool
// prints it once); 0 when not under valgrind.
std::uint64_t valgrind_errors() noexcept;

// valgrind_ignore() / valgrind_unignore()
//
// Keep the runtime's bookkeeping at [start, start + size) out of helgrind's
// and DRD's race checks: it is read by the watchdog and written with relaxed
// atomics, which neither tool understands, and its reports would be the
// harness's, not the case's. Unignore before the memory is freed, so that
// the case's data allocated there later is checked again.
void valgrind_ignore(const void* start, std::size_t size) noexcept;
void valgrind_unignore(const void* start, std::size_t size) noexcept;

}  // namespace racelab::detail
