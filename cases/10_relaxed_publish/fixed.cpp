// 10_relaxed_publish, fixed: the flag is stored with release and loaded with acquire.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::relaxed_publish {
namespace {

struct Reading {
  double celsius = 0;
  int sensor = 0;
};

}  // namespace

void fixed(Run& run) {
  Reading reading;
  std::atomic<bool> ready{false};
  Reading seen;
  racelab::thread sensor([&] {
    reading.celsius = 21.5;
    reading.sensor = 3;
    racelab::interleave();
    ready.store(true, std::memory_order_release);  // FIX: the writes above happen before...
  });
  racelab::thread display([&] {
    while (!ready.load(std::memory_order_acquire)) racelab::interleave();  // FIX: ...the reads below
    seen = reading;
    racelab::progress();
  });
  sensor.join();
  display.join();
  run.check(seen.sensor == 3 && seen.celsius == 21.5,
            "the display showed sensor " + std::to_string(seen.sensor) + " at " +
                std::to_string(seen.celsius) + ", expected sensor 3 at 21.5");
}

}  // namespace racelab::cases::relaxed_publish
