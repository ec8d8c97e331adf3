// racelab_bench — what the harness costs per run, beside the floor: the bare
// spawn + join of two threads, measured in the same process.
//
//   build/tsan/racelab_bench [SECONDS]       (each measurement runs SECONDS, default 2)
//   build/release/racelab_bench [SECONDS]
//
// Prints figures; asserts nothing (speed goals live here, not in tests).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include <racelab/racelab.h>

#include "racelab/wire.h"
#include "runtime.h"

namespace {

using Clock = std::chrono::steady_clock;

// Calls `once` repeatedly for about `seconds`; returns calls per second.
double rate(double seconds, const std::function<void()>& once) {
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  long n = 0;
  while (Clock::now() < until) {
    once();
    ++n;
  }
  return static_cast<double>(n) / std::chrono::duration<double>(Clock::now() - start).count();
}

void no_op_case(racelab::Run&) {
  racelab::thread a([] { racelab::interleave(); });
  racelab::thread b([] { racelab::interleave(); });
  a.join();
  b.join();
}

const char* build() {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return "tsan";
#elif __has_feature(address_sanitizer)
  return "asan";
#endif
#endif
  return "plain";
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  const double bare = rate(seconds, [] {
    std::thread a([] {});
    std::thread b([] {});
    a.join();
    b.join();
  });
  std::int64_t index = 0;
  const auto measure = [&](racelab::Strategy strategy) {
    return rate(seconds, [&] {
      racelab::detail::execute(no_op_case, strategy, racelab::detail::run_seed(1, index), index);
      ++index;
    });
  };
  const double none = measure(racelab::Strategy::none);
  const double yield = measure(racelab::Strategy::yield);
  const double portfolio = measure(racelab::Strategy::portfolio);
  std::printf("racelab_bench (%s build, %.1f s per figure)\n", build(), seconds);
  std::printf("  bare spawn+join of 2 threads   %9.0f /s\n", bare);
  std::printf("  harness run, strategy none     %9.0f runs/s  (%.2f of bare)\n", none, none / bare);
  std::printf("  harness run, strategy yield    %9.0f runs/s  (%.2f of bare)\n", yield, yield / bare);
  std::printf("  harness run, strategy portfolio%9.0f runs/s  (%.2f of bare)\n", portfolio,
              portfolio / bare);
  return 0;
}
