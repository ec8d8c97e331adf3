// 09_event_flag, buggy: "the flight has landed" is a plain bool, polled.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::event_flag {
namespace {

struct Airport {
  bool landed = false;  // BUG: a plain bool shared by the tower and the passengers
  int gate = 0;
};

}  // namespace

void buggy(Run& run) {
  Airport airport;
  int gate_seen = -1;
  racelab::thread tower([&] {
    airport.gate = 7;
    racelab::interleave();
    airport.landed = true;  // BUG: set with no synchronisation...
  });
  racelab::thread passenger([&] {
    while (!airport.landed) racelab::interleave();  // BUG: ...and polled with none
    gate_seen = airport.gate;
    racelab::progress();
  });
  tower.join();
  passenger.join();
  run.check(gate_seen == 7, "the passenger went to gate " + std::to_string(gate_seen) + ", expected 7");
}

}  // namespace racelab::cases::event_flag
