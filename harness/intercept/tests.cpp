// GoogleTest tests as units: the listener compiled into a test program
// (harness/package/racelab_gtest.cpp) calls these at each test's start and
// end. Each test gets its own seed, and the records say which of TSan's
// reports were printed during it, so `racelab exec` judges every test alone.
#include <cstdlib>
#include <string>

#include "intercept.h"
#include "racelab/unmodified.h"
#include "racelab/runtime_wire.h"

namespace racelab::intercept {

namespace {

std::atomic<std::uint64_t> g_printed{0};

}  // namespace

std::uint64_t reports_printed() noexcept { return g_printed.load(std::memory_order_relaxed); }
void count_printed_report() noexcept { g_printed.fetch_add(1, std::memory_order_relaxed); }

}  // namespace racelab::intercept

using namespace racelab::intercept;

extern "C" void racelab_test_started(const char* name, long repetition) {
  if (name == nullptr || !active()) return;
  const std::uint64_t mixed =
      racelab::mix(racelab::mix(process_seed(), racelab::fnv1a(name)), static_cast<std::uint64_t>(repetition));
  const std::uint64_t seed = parse_u64(std::getenv(racelab::kEnvTestSeed), mixed);
  schedule_reseed(seed);
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    me.rng = racelab::Rng(racelab::mix(seed, 0));
    model().test_ordinal_base = static_cast<int>(model().threads.size()) - 1;
  }
  write_record(racelab::encode(racelab::ProgramTestStart{name, repetition, std::string(racelab::to_string(strategy())),
                                                         seed, reports_printed()}));
}

extern "C" void racelab_test_ended(const char* name, long repetition, int failed, const char* failure) {
  if (name == nullptr || !active()) return;
  write_record(racelab::encode(
      racelab::ProgramTestEnd{name, repetition, failed != 0, failure != nullptr ? failure : "", reports_printed()}));
}
