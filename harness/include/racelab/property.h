// racelab/property.h — property-based tests of concurrent objects, with
// RapidCheck: generated programs, recorded histories, a linearizability
// check against a sequential model (racelab/linearizability.h), and
// shrinking to the smallest history that breaks.
//
// This header defines:
//   Program, History     what ran, and what it returned, in real order
//   ObjectSpec           how a test describes its object and its model
//   Options              how many schedules, which strategy, which limits
//   execute()            one program, one schedule: a History
//   timeline()           a history as columns, one per thread
//   gen_program()        RapidCheck generator of per-thread operations
//   describe_program()   a program as one line
//   check()              the property: every schedule linearizable
//
// A test names its object, its sequential model and its operations (the
// catalogue's own objects are in cases/properties/):
//
//   struct CounterSpec {
//     using Object = Counter;                 // default-constructible
//     using State = int;                      // the model's state
//     using Op = CounterOp;                   // one operation
//     static State initial() { return 0; }
//     static std::string apply(State& s, const Op& op);      // the model
//     static std::string run(Object& counter, const Op& op);  // the object
//     static std::string describe(const Op& op);             // "add(2)"
//     static std::string key(const State& s);               // memoization
//     static rc::Gen<Program<Op>> programs();
//     // optional:
//     static std::vector<Op> probe();   // run after every thread joined
//     static std::string invariant(const Object&);  // "" when it holds
//   };
//   RC_GTEST_PROP(Counter, IsLinearizable, ()) {
//     racelab::property::check<CounterSpec>(*CounterSpec::programs());
//   }
//
// Each execution runs in a child process (fork) under a racelab run with a
// seeded strategy, so a buggy object that crashes, deadlocks or spins ends
// the child, not the test: the property fails with that verdict. The test
// process must not have started threads of its own before (fork).
//
// Results are compared as strings: the model and the object must describe a
// result the same way ("ok", "150", "empty", "p0:3").
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidcheck.h>

#include "racelab/detail/runtime.h"
#include "racelab/schedule.h"  // fnv1a()
#include "racelab/interleave.h"
#include "racelab/linearizability.h"
#include "racelab/thread.h"
#include "racelab/verdict.h"

namespace racelab::property {

template <class Op>
using Program = std::vector<std::vector<Op>>;  ///< one sequence of operations per thread

// History — one execution of a program.
template <class Op>
struct History {
  std::vector<Call<Op>> calls;
  Verdict verdict = Verdict::clean;  ///< the harness's verdict of the execution
  std::string detail;                ///< its diagnosis when not clean
  std::string invariant_failure;     ///< the spec's invariant(), when it failed
  Strategy strategy = Strategy::none;
  std::uint64_t seed = 0;
};

// ObjectSpec — a Model (racelab/linearizability.h) and the object it models.
template <class S>
concept ObjectSpec = Model<S> && requires(const typename S::Op& op, typename S::Object& object) {
  { S::run(object, op) } -> std::convertible_to<std::string>;
  { S::describe(op) } -> std::convertible_to<std::string>;
};

struct Options {
  int schedules = 10;                      ///< executions per program, each with its own seed
  Strategy strategy = Strategy::portfolio;
  double timeout_s = 10;                   ///< per execution, then `hang`
  std::uint64_t livelock_steps = 200'000;  ///< steps without progress, then `livelock`
};

}  // namespace racelab::property

namespace racelab::detail {

// What an execution's child process reports: each call by its thread and
// its index in that thread's sequence (thread -1: the probes), and the
// spec's invariant() ("" when it held or there is none).
struct ChildCall {
  int thread = 0;
  std::size_t index = 0;
  std::uint64_t invoked = 0;
  std::uint64_t returned = 0;
  std::string result;
};
struct ChildResult {
  std::vector<ChildCall> calls;
  std::string invariant_failure;
};
// ChildOutcome — the child's report and how its run ended.
struct ChildOutcome {
  ChildResult result;  ///< empty when the run ended before `body` returned
  Verdict verdict = Verdict::clean;
  std::string detail;
  Strategy strategy = Strategy::none;
};

// run_in_child()
//
// Forks; the child runs `body` inside a racelab run with `options`' strategy
// and limits and `seed`, and sends back its result (property_wire.h).
// Requires: the calling process has no threads but its own (fork).
// Guarantees: returns whatever the child does: a crash, a hang (killed
// after 3 × timeout_s + 10 s of silence) or a TSan report is the outcome's
// verdict, with TSan's SUMMARY lines in its detail.
ChildOutcome run_in_child(const std::function<ChildResult()>& body, const property::Options& options,
                          std::uint64_t seed);

// The executions' logical clock: relaxed increments of one counter (a total
// order consistent with real time, and no happens-before edge TSan could see).
inline std::atomic<std::uint64_t> g_history_clock{0};
inline std::uint64_t history_tick() noexcept {
  return g_history_clock.fetch_add(1, std::memory_order_relaxed) + 1;
}
inline void reset_history_clock() noexcept { g_history_clock.store(0, std::memory_order_relaxed); }

// One call in a timeline(): its thread (-1 after the join), what it did and
// what it returned, when.
struct TimelineCall {
  int thread = 0;
  std::string op;
  std::string result;
  std::uint64_t invoked = 0;
  std::uint64_t returned = 0;
};
std::string timeline(const std::vector<TimelineCall>& calls);

template <class Spec>
concept HasProbe = requires { { Spec::probe() } -> std::convertible_to<std::vector<typename Spec::Op>>; };
template <class Spec>
concept HasInvariant = requires(const typename Spec::Object& o) {
  { Spec::invariant(o) } -> std::convertible_to<std::string>;
};

}  // namespace racelab::detail

namespace racelab::property {

// execute()
//
// Runs `program` once: a fresh Object, one racelab::thread per sequence, the
// run's strategy and `seed` (as a case run), then the spec's probe() on the
// joined object and its invariant(). In a child process.
// Requires: as detail::run_in_child(): no threads of the caller's own.
// Guarantees: `calls` holds each call that returned, with its op; when the
// execution ended early (a crash, a hang) it is empty and `verdict` says why.
template <ObjectSpec Spec>
History<typename Spec::Op> execute(const Program<typename Spec::Op>& program, const Options& options,
                                   std::uint64_t seed) {
  using Op = typename Spec::Op;
  auto body = [&program]() -> detail::ChildResult {
    detail::reset_history_clock();
    typename Spec::Object object{};
    std::vector<std::vector<detail::ChildCall>> done(program.size());
    {
      std::vector<racelab::thread> threads;
      for (std::size_t t = 0; t < program.size(); ++t)
        threads.emplace_back([&, t] {
          for (std::size_t i = 0; i < program[t].size(); ++i) {
            detail::ChildCall call;
            call.thread = static_cast<int>(t);
            call.index = i;
            call.invoked = detail::history_tick();
            call.result = Spec::run(object, program[t][i]);
            call.returned = detail::history_tick();
            done[t].push_back(std::move(call));
            racelab::progress();
          }
        });
      for (auto& t : threads) t.join();
    }
    detail::ChildResult result;
    for (auto& calls : done)
      for (auto& call : calls) result.calls.push_back(std::move(call));
    if constexpr (detail::HasProbe<Spec>) {
      const std::vector<Op> probes = Spec::probe();
      for (std::size_t i = 0; i < probes.size(); ++i) {
        detail::ChildCall call;
        call.thread = -1;
        call.index = i;
        call.invoked = detail::history_tick();
        call.result = Spec::run(object, probes[i]);
        call.returned = detail::history_tick();
        result.calls.push_back(std::move(call));
      }
    }
    if constexpr (detail::HasInvariant<Spec>) result.invariant_failure = Spec::invariant(object);
    return result;
  };
  const detail::ChildOutcome outcome = detail::run_in_child(body, options, seed);

  History<Op> history;
  history.verdict = outcome.verdict;
  history.detail = outcome.detail;
  history.invariant_failure = outcome.result.invariant_failure;
  history.strategy = outcome.strategy;
  history.seed = seed;
  std::vector<Op> probes;
  if constexpr (detail::HasProbe<Spec>) probes = Spec::probe();
  for (const detail::ChildCall& c : outcome.result.calls) {
    Call<Op> call;
    call.thread = c.thread;
    call.result = c.result;
    call.invoked = c.invoked;
    call.returned = c.returned;
    if (c.thread >= 0 && static_cast<std::size_t>(c.thread) < program.size() &&
        c.index < program[static_cast<std::size_t>(c.thread)].size())
      call.op = program[static_cast<std::size_t>(c.thread)][c.index];
    else if (c.thread == -1 && c.index < probes.size())
      call.op = probes[c.index];
    else
      continue;
    history.calls.push_back(std::move(call));
  }
  return history;
}

// timeline()
//
// The history as a table: one row per invocation or response in time order,
// one column per thread ("after join" for probes), e.g.
//   time | T0                  | T1
//      1 | update(+50)         |
//      2 |                     | update(-150)
//      3 | → ok                |
template <ObjectSpec Spec>
std::string timeline(const std::vector<Call<typename Spec::Op>>& calls) {
  std::vector<detail::TimelineCall> rows;
  for (const auto& c : calls) rows.push_back({c.thread, Spec::describe(c.op), c.result, c.invoked, c.returned});
  return detail::timeline(rows);
}

// gen_program()
//
// `threads` sequences (a number in [min_threads, max_threads]) of at most
// `max_ops` operations each, drawn from `op`. Shrinks towards fewer threads,
// fewer and simpler operations.
// Requires: 0 ≤ min_threads ≤ max_threads, 0 ≤ max_ops.
template <class Op>
rc::Gen<Program<Op>> gen_program(rc::Gen<Op> op, int min_threads, int max_threads, int max_ops) {
  auto sequence = rc::gen::mapcat(rc::gen::inRange(0, max_ops + 1), [op](int n) {
    return rc::gen::container<std::vector<Op>>(static_cast<std::size_t>(n), op);
  });
  return rc::gen::mapcat(rc::gen::inRange(min_threads, max_threads + 1), [sequence](int t) {
    return rc::gen::container<Program<Op>>(static_cast<std::size_t>(t), sequence);
  });
}

// describe_program()
//
// "T0: a, b; T1: c", for messages (and the seeds check() derives).
template <ObjectSpec Spec>
std::string describe_program(const Program<typename Spec::Op>& program) {
  std::string text;
  for (std::size_t t = 0; t < program.size(); ++t) {
    text += (t == 0 ? "T" : "; T") + std::to_string(t) + ":";
    for (std::size_t i = 0; i < program[t].size(); ++i)
      text += (i == 0 ? " " : ", ") + Spec::describe(program[t][i]);
  }
  return text;
}

// check()
//
// The property, for use inside RC_GTEST_PROP / rc::check: runs `program`
// `options.schedules` times, with seeds derived from the program itself (the
// same program replays the same seeds while RapidCheck shrinks), and fails
// with a timeline, the strategy and seed of the failing execution when one
// ends in a verdict other than clean (a crash, a hang, a TSan report…),
// breaks the spec's invariant, or is not linearizable.
// Requires: as execute().
// Guarantees: returns only when the property held, the number of
// executions run (all of them).
template <ObjectSpec Spec>
int check(const Program<typename Spec::Op>& program, const Options& options = {}) {
  const std::string text = describe_program<Spec>(program);
  const std::uint64_t base = fnv1a(text);
  for (int s = 0; s < options.schedules; ++s) {
    const std::uint64_t seed = detail::mix(base, static_cast<std::uint64_t>(s)) >> 11;
    const History<typename Spec::Op> h = execute<Spec>(program, options, seed);
    const std::string where = "program " + text + "\nschedule " + std::to_string(s) + " of " +
                              std::to_string(options.schedules) + ": strategy " +
                              std::string(to_string(h.strategy)) + ", seed " + std::to_string(h.seed) +
                              "\n";
    if (h.verdict != Verdict::clean)
      RC_FAIL(where + "the execution ended in " + std::string(to_string(h.verdict)) + ": " + h.detail +
              "\n" + timeline<Spec>(h.calls));
    if (!h.invariant_failure.empty())
      RC_FAIL(where + "invariant broken: " + h.invariant_failure + "\n" + timeline<Spec>(h.calls));
    if (!check_linearizable<Spec>(h.calls).linearizable)
      RC_FAIL(where + "not linearizable: no order of these calls gives their results\n" +
              timeline<Spec>(h.calls));
  }
  return options.schedules;
}

}  // namespace racelab::property
