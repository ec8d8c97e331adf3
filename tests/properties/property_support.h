// property_support.h — running a racelab property as a test both ways: it
// must fail on a buggy object within a budget for every one of several
// RapidCheck seeds (and shrink to a small program), and hold on the fixed
// object over many generated histories.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "racelab/property.h"

namespace racelab::testing {

struct Budget {
  int programs = 30;   ///< generated programs per RapidCheck seed
  int schedules = 10;  ///< executions of each program
};

// The largest number of operations any thread of `program` has.
template <class Op>
std::size_t most_ops(const property::Program<Op>& program) {
  std::size_t most = 0;
  for (const auto& thread : program) most = std::max(most, thread.size());
  return most;
}

// Runs the property of `Spec` with RapidCheck seeds 1..seeds; each must fail
// within the budget. Returns the largest per-thread operation count of the
// shrunk counterexamples (the last failing program of each search).
template <class Spec>
std::size_t expect_fails_in_every_seed(int seeds, Budget budget) {
  std::size_t largest = 0;
  for (int seed = 1; seed <= seeds; ++seed) {
    property::Program<typename Spec::Op> last_failing;
    property::Options options;
    options.schedules = budget.schedules;
    const auto result = rc::detail::checkTestable(
        [&] {
          const auto program = *Spec::programs();
          try {
            property::check<Spec>(program, options);
          } catch (...) {
            last_failing = program;
            throw;
          }
        },
        rc::detail::TestMetadata{}, rc::detail::TestParams{static_cast<std::uint64_t>(seed), budget.programs, 100, 10, false});
    rc::detail::FailureResult failure;
    EXPECT_TRUE(result.match(failure)) << "RapidCheck seed " << seed << ": the property held on the buggy object";
    if (!result.match(failure)) continue;
    largest = std::max(largest, most_ops(last_failing));
    if (seed == 1) std::printf("seed 1's shrunk counterexample:\n%s\n", failure.description.c_str());
  }
  return largest;
}

// Runs the property over `programs` generated programs of `schedules`
// executions each (RapidCheck seed 1); it must hold. Returns the histories
// checked.
template <class Spec>
int expect_holds(Budget budget) {
  int histories = 0;
  property::Options options;
  options.schedules = budget.schedules;
  const auto result = rc::detail::checkTestable(
      [&] {
        property::check<Spec>(*Spec::programs(), options);
        histories += options.schedules;
      },
      rc::detail::TestMetadata{}, rc::detail::TestParams{1, budget.programs, 100, 10, false});
  rc::detail::FailureResult failure;
  EXPECT_FALSE(result.match(failure)) << failure.description;
  return histories;
}

}  // namespace racelab::testing
