// registry.h — the catalogue's properties, one per case object and variant,
// each registered by its own source file (the case's buggy.cpp or fixed.cpp
// is compiled into it: the classes live in an anonymous namespace, so one
// translation unit each).
//
// `racelab properties` runs them through the racelab_properties program;
// tests/properties/catalogue_test.cpp holds each to its contract: a buggy
// object's property fails within its budget in every one of `seeds`
// RapidCheck seeds, a fixed object's holds over every generated history.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "racelab/property.h"
#include "racelab/verdict.h"

namespace racelab::catalogue_properties {

struct Budget {
  int programs = 30;   ///< generated programs (RapidCheck test cases)
  int schedules = 10;  ///< executions of each program
};

// Outcome — one RapidCheck search of one property.
struct Outcome {
  bool failed = false;
  Verdict verdict = Verdict::clean;  ///< how the counterexample failed
  std::string counterexample;        ///< RapidCheck's message: the timeline and how to reproduce it
  std::size_t most_ops = 0;          ///< of the shrunk program: the longest thread's operations
  int executions = 0;                ///< executions of programs that held
  double seconds = 0;
};

struct Entry {
  std::string case_id;  ///< e.g. 06_bank_account
  std::string object;   ///< e.g. Account
  Variant variant = Variant::buggy;
  Budget budget;
  int seeds = 1;                ///< RapidCheck seeds the contract test runs
  std::size_t max_shrunk_ops = 0;  ///< contract: the shrunk program's threads have at most this many (0: no bound)
  std::function<Outcome(std::uint64_t seed, Budget budget)> run;
};

/// Every registered property, in registration order (sort by case id to list).
std::vector<Entry>& entries();

namespace detail {

// The message of a failure: RapidCheck's description without the file and
// the RC_FAIL expression it starts with.
std::string message_of_failure(const std::string& description);
// The verdict a property failure message names (see property::check()).
Verdict verdict_of_failure(const std::string& message);

}  // namespace detail

// run_property() — RapidCheck's search for a program that breaks Spec's
// property, from `seed`, over `budget.programs` programs, shrinking the
// first failure.
template <class Spec>
Outcome run_property(std::uint64_t seed, Budget budget) {
  Outcome outcome;
  property::Program<typename Spec::Op> last_failing;
  property::Options options;
  options.schedules = budget.schedules;
  const auto start = std::chrono::steady_clock::now();
  const auto result = rc::detail::checkTestable(
      [&] {
        const auto program = *Spec::programs();
        try {
          outcome.executions += property::check<Spec>(program, options);
        } catch (...) {
          last_failing = program;
          throw;
        }
      },
      rc::detail::TestMetadata{}, rc::detail::TestParams{seed, budget.programs, 100, 10, false});
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rc::detail::FailureResult failure;
  if (result.match(failure)) {
    outcome.failed = true;
    outcome.counterexample = detail::message_of_failure(failure.description);
    outcome.verdict = detail::verdict_of_failure(outcome.counterexample);
    for (const auto& thread : last_failing) outcome.most_ops = std::max(outcome.most_ops, thread.size());
  }
  rc::detail::Error error;
  if (result.match(error)) {
    outcome.failed = true;
    outcome.verdict = Verdict::infra_error;
    outcome.counterexample = error.description;
  }
  return outcome;
}

struct Register {
  explicit Register(Entry entry) { entries().push_back(std::move(entry)); }
};

}  // namespace racelab::catalogue_properties
