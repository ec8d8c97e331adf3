// 09_event_flag, fixed: "the flight has landed" is an atomic flag.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::event_flag {
namespace {

struct Airport {
  std::atomic<bool> landed{false};  // FIX: an atomic: its store releases, its load acquires
  int gate = 0;
};

}  // namespace

void fixed(Run& run) {
  Airport airport;
  int gate_seen = -1;
  racelab::thread tower([&] {
    airport.gate = 7;
    racelab::interleave();
    airport.landed = true;  // FIX: (seq_cst store: everything before it is visible...
  });
  racelab::thread passenger([&] {
    while (!airport.landed) racelab::interleave();  // FIX: ...to whoever loads true)
    gate_seen = airport.gate;
    racelab::progress();
  });
  tower.join();
  passenger.join();
  run.check(gate_seen == 7, "the passenger went to gate " + std::to_string(gate_seen) + ", expected 7");
}

}  // namespace racelab::cases::event_flag
