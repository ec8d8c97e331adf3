// 10_relaxed_publish, buggy: data published behind a relaxed flag.
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

void buggy(Run& run) {
  Reading reading;
  std::atomic<bool> ready{false};
  Reading seen;
  racelab::thread sensor([&] {
    reading.celsius = 21.5;
    reading.sensor = 3;
    racelab::interleave();
    ready.store(true, std::memory_order_relaxed);  // BUG: relaxed: orders nothing before it
  });
  racelab::thread display([&] {
    while (!ready.load(std::memory_order_relaxed)) racelab::interleave();  // BUG: nor after it
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
