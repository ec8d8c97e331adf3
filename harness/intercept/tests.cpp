// GoogleTest tests as units: the listener compiled into a test program
// (harness/package/racelab_gtest.cpp) calls these at each test's start and
// end. Each test gets its own seed, and the records say which of TSan's
// reports were printed during it, so `racelab exec` judges every test alone.
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "intercept.h"
#include "racelab/unmodified.h"
#include "racelab/runtime_wire.h"

namespace racelab::intercept {

namespace {

std::atomic<std::uint64_t> g_printed{0};

// Where the running test started: its time, points passed and perturbation.
struct TestStart {
  timespec at{};
  std::uint64_t steps = 0;
  Perturbation perturbation;
};
TestStart g_test_start;

}  // namespace

std::uint64_t reports_printed() noexcept { return g_printed.load(std::memory_order_relaxed); }
void count_printed_report() noexcept { g_printed.fetch_add(1, std::memory_order_relaxed); }

}  // namespace racelab::intercept

using namespace racelab::intercept;

extern "C" void racelab_tests_selected(long selected, long total) {
  if (!active()) return;
  write_record(racelab::encode(racelab::ProgramTests{selected, total}));
}

extern "C" void racelab_test_started(const char* name, long repetition) {
  if (name == nullptr || !active()) return;
  const std::uint64_t mixed =
      racelab::mix(racelab::mix(process_seed(), racelab::fnv1a(name)), static_cast<std::uint64_t>(repetition));
  const std::uint64_t seed = parse_u64(std::getenv(racelab::kEnvTestSeed), mixed);
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    me.rng = racelab::Rng(racelab::mix(seed, 0));
    model().test_ordinal_base = static_cast<int>(model().threads.size()) - 1;
    ++model().test_serial;
  }
  schedule_reseed(seed);  // under control, the test's own schedule begins (its threads counted from the base)
  write_record(racelab::encode(racelab::ProgramTestStart{name, repetition, std::string(racelab::to_string(strategy())),
                                                         seed, reports_printed()}));
  g_test_start.at = real_time(CLOCK_MONOTONIC);  // not logical time
  g_test_start.steps = steps();
  g_test_start.perturbation = perturbation();
}

extern "C" void racelab_test_ended(const char* name, long repetition, int failed, const char* failure) {
  if (name == nullptr || !active()) return;
  write_schedule();  // the test's, before its end: the records give it to the test
  const timespec now = real_time(CLOCK_MONOTONIC);
  const double seconds = static_cast<double>(now.tv_sec - g_test_start.at.tv_sec) +
                         static_cast<double>(now.tv_nsec - g_test_start.at.tv_nsec) / 1e9;
  const Perturbation spent = perturbation();
  const Perturbation& before = g_test_start.perturbation;
  write_record(racelab::encode(racelab::ProgramTestEnd{name,
                                                       repetition,
                                                       failed != 0,
                                                       failure != nullptr ? failure : "",
                                                       reports_printed(),
                                                       seconds,
                                                       std::max(steps(), g_test_start.steps) - g_test_start.steps,
                                                       spent.delays - before.delays,
                                                       spent.delay_ns - before.delay_ns,
                                                       spent.over_budget - before.over_budget}));
}
