// racelab/property.h — property-based tests of concurrent objects, with
// RapidCheck: generated programs, recorded histories, a linearizability
// check against a sequential model, and shrinking to the smallest history
// that breaks.
//
// This header defines:
//   Call, History, Program    what ran, and what it returned, in real order
//   ObjectSpec                how a test describes its object and its model
//   execute()                 one program, one schedule: a History
//   check_linearizable()      Wing & Gong / Lowe search, memoized
//   check_brute_force()       every order, for small histories (its oracle)
//   timeline()                a history as columns, one per thread
//   gen_program()             RapidCheck generator of per-thread operations
//   check()                   the property: every schedule linearizable
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

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <rapidcheck.h>

#include "racelab/interleave.h"
#include "racelab/thread.h"
#include "racelab/verdict.h"

namespace racelab::property {

// Call — one operation as it ran: who, what, what it returned, and when.
template <class Op>
struct Call {
  int thread = 0;  ///< 0-based; probes (after the join) are thread -1
  Op op{};
  std::string result;
  std::uint64_t invoked = 0;   ///< logical time of the invocation
  std::uint64_t returned = 0;  ///< logical time of the response (> invoked)
};

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

template <class S>
concept ObjectSpec = requires(typename S::State& state, const typename S::State& cstate,
                              const typename S::Op& op, typename S::Object& object) {
  { S::initial() } -> std::convertible_to<typename S::State>;
  { S::apply(state, op) } -> std::convertible_to<std::string>;
  { S::run(object, op) } -> std::convertible_to<std::string>;
  { S::describe(op) } -> std::convertible_to<std::string>;
  { S::key(cstate) } -> std::convertible_to<std::string>;
};

struct Options {
  int schedules = 10;                      ///< executions per program, each with its own seed
  Strategy strategy = Strategy::portfolio;
  double timeout_s = 10;                   ///< per execution, then `hang`
  std::uint64_t livelock_steps = 200'000;  ///< steps without progress, then `livelock`
};

namespace detail {

// One execution in a child process. `body` runs inside a racelab run there;
// it returns the calls as text lines (see property.cpp); the parent gets
// them back with the run's verdict.
struct ChildOutcome {
  std::vector<std::string> lines;
  Verdict verdict = Verdict::clean;
  std::string detail;
  Strategy strategy = Strategy::none;
};
ChildOutcome run_in_child(const std::function<std::vector<std::string>()>& body, const Options& options,
                          std::uint64_t seed);

std::string encode_call(int thread, std::size_t index, std::uint64_t invoked, std::uint64_t returned,
                        const std::string& result);
// Decodes a line of encode_call(); false if it is another kind of line.
bool decode_call(const std::string& line, int& thread, std::size_t& index, std::uint64_t& invoked,
                 std::uint64_t& returned, std::string& result);
std::string encode_invariant(const std::string& failure);
bool decode_invariant(const std::string& line, std::string& failure);

// The run's logical clock: relaxed increments of one counter (a total order
// consistent with real time, and no happens-before edge TSan could see).
std::uint64_t tick() noexcept;
void reset_clock() noexcept;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept;
std::uint64_t hash_text(const std::string& text) noexcept;

std::string timeline(const std::vector<int>& threads, const std::vector<std::string>& ops,
                     const std::vector<std::string>& results, const std::vector<std::uint64_t>& invoked,
                     const std::vector<std::uint64_t>& returned);

template <class Spec>
concept HasProbe = requires { { Spec::probe() } -> std::convertible_to<std::vector<typename Spec::Op>>; };
template <class Spec>
concept HasInvariant = requires(const typename Spec::Object& o) {
  { Spec::invariant(o) } -> std::convertible_to<std::string>;
};

}  // namespace detail

// execute()
//
// Runs `program` once: a fresh Object, one racelab::thread per sequence, the
// run's strategy and `seed` (as a case run), then the spec's probe() on the
// joined object and its invariant(). In a child process.
template <ObjectSpec Spec>
History<typename Spec::Op> execute(const Program<typename Spec::Op>& program, const Options& options,
                                   std::uint64_t seed) {
  using Op = typename Spec::Op;
  auto body = [&program]() -> std::vector<std::string> {
    detail::reset_clock();
    typename Spec::Object object{};
    struct Done {
      std::uint64_t invoked = 0, returned = 0;
      std::string result;
    };
    std::vector<std::vector<Done>> done(program.size());
    {
      std::vector<racelab::thread> threads;
      for (std::size_t t = 0; t < program.size(); ++t)
        threads.emplace_back([&, t] {
          for (const Op& op : program[t]) {
            Done d;
            d.invoked = detail::tick();
            d.result = Spec::run(object, op);
            d.returned = detail::tick();
            done[t].push_back(std::move(d));
            racelab::progress();
          }
        });
      for (auto& t : threads) t.join();
    }
    std::vector<std::string> lines;
    for (std::size_t t = 0; t < done.size(); ++t)
      for (std::size_t i = 0; i < done[t].size(); ++i)
        lines.push_back(detail::encode_call(static_cast<int>(t), i, done[t][i].invoked,
                                            done[t][i].returned, done[t][i].result));
    if constexpr (detail::HasProbe<Spec>) {
      const std::vector<Op> probes = Spec::probe();
      for (std::size_t i = 0; i < probes.size(); ++i) {
        const std::uint64_t invoked = detail::tick();
        const std::string result = Spec::run(object, probes[i]);
        lines.push_back(detail::encode_call(-1, i, invoked, detail::tick(), result));
      }
    }
    if constexpr (detail::HasInvariant<Spec>) lines.push_back(detail::encode_invariant(Spec::invariant(object)));
    return lines;
  };
  const detail::ChildOutcome outcome = detail::run_in_child(body, options, seed);

  History<Op> history;
  history.verdict = outcome.verdict;
  history.detail = outcome.detail;
  history.strategy = outcome.strategy;
  history.seed = seed;
  std::vector<Op> probes;
  if constexpr (detail::HasProbe<Spec>) probes = Spec::probe();
  for (const std::string& line : outcome.lines) {
    Call<Op> call;
    std::size_t index = 0;
    if (detail::decode_call(line, call.thread, index, call.invoked, call.returned, call.result)) {
      if (call.thread >= 0 && static_cast<std::size_t>(call.thread) < program.size() &&
          index < program[static_cast<std::size_t>(call.thread)].size())
        call.op = program[static_cast<std::size_t>(call.thread)][index];
      else if (call.thread == -1 && index < probes.size())
        call.op = probes[index];
      else
        continue;
      history.calls.push_back(std::move(call));
    } else {
      detail::decode_invariant(line, history.invariant_failure);
    }
  }
  return history;
}

// LinearizabilityResult — the verdict of a check, and its evidence.
struct LinearizabilityResult {
  bool linearizable = false;
  std::vector<std::size_t> order;  ///< a linearization (indexes into the calls), when linearizable
  std::size_t explored = 0;        ///< search steps taken
};

// check_linearizable()
//
// Whether some total order of `calls` (1) respects real time — a call that
// returned before another was invoked comes first — and (2) gives, applied to
// the model from Spec::initial(), every call's recorded result. The search is
// Wing & Gong's with Lowe's memoization: a (set of calls linearized, model
// state) pair that failed once is never searched again, so histories of a few
// hundred calls with little overlap check in well under a second.
template <ObjectSpec Spec>
LinearizabilityResult check_linearizable(const std::vector<Call<typename Spec::Op>>& calls) {
  using State = typename Spec::State;
  const std::size_t n = calls.size();
  LinearizabilityResult result;
  // Events in time order: 2i is call i's invocation, 2i+1 its response. At
  // equal times an invocation comes first (the calls overlap).
  std::vector<std::size_t> events(2 * n);
  for (std::size_t e = 0; e < 2 * n; ++e) events[e] = e;
  auto time_of = [&](std::size_t e) { return e % 2 == 0 ? calls[e / 2].invoked : calls[e / 2].returned; };
  std::sort(events.begin(), events.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(time_of(a), a % 2) < std::pair(time_of(b), b % 2);
  });
  // A doubly linked list over positions 0..2n-1, with sentinels -1 / 2n.
  const long end = static_cast<long>(2 * n);
  std::vector<long> next(2 * n), prev(2 * n), position(2 * n);
  for (std::size_t p = 0; p < 2 * n; ++p) {
    next[p] = static_cast<long>(p) + 1;
    prev[p] = static_cast<long>(p) - 1;
    position[events[p]] = static_cast<long>(p);
  }
  long head = n > 0 ? 0 : end;
  auto unlink = [&](long p) {
    if (prev[p] >= 0) next[prev[p]] = next[p]; else head = next[p];
    if (next[p] < end) prev[next[p]] = prev[p];
  };
  auto relink = [&](long p) {
    if (prev[p] >= 0) next[prev[p]] = p; else head = p;
    if (next[p] < end) prev[next[p]] = p;
  };
  std::vector<std::uint64_t> done((n + 63) / 64, 0);
  auto key = [&](const State& state) {
    std::string k(reinterpret_cast<const char*>(done.data()), done.size() * sizeof(std::uint64_t));
    return k + '|' + Spec::key(state);
  };
  std::unordered_set<std::string> seen;
  State state = Spec::initial();
  std::vector<std::pair<std::size_t, State>> stack;  // (call, state before it)
  long entry = head;
  // Undoes the last linearized call; the search goes on after its invocation.
  auto backtrack = [&] {
    auto [last, before] = std::move(stack.back());
    stack.pop_back();
    state = std::move(before);
    done[last / 64] &= ~(std::uint64_t{1} << (last % 64));
    relink(position[2 * last + 1]);
    relink(position[2 * last]);
    entry = next[position[2 * last]];
  };
  while (head != end) {
    ++result.explored;
    if (entry == end) {  // cannot happen (a response always lies ahead); kept safe
      if (stack.empty()) return result;
      backtrack();
      continue;
    }
    const std::size_t event = events[static_cast<std::size_t>(entry)];
    const std::size_t call = event / 2;
    if (event % 2 == 0) {
      State after = state;
      const std::string got = Spec::apply(after, calls[call].op);
      bool lifted = false;
      if (got == calls[call].result) {
        done[call / 64] |= std::uint64_t{1} << (call % 64);
        if (seen.insert(key(after)).second) {
          stack.emplace_back(call, std::move(state));
          state = std::move(after);
          unlink(position[2 * call]);
          unlink(position[2 * call + 1]);
          entry = head;
          lifted = true;
        } else {
          done[call / 64] &= ~(std::uint64_t{1} << (call % 64));
        }
      }
      if (!lifted) entry = next[entry];
    } else {
      // A response comes before any pending call could be placed: the
      // calls before it cannot all be linearized this way. Undo the last.
      if (stack.empty()) return result;
      backtrack();
    }
  }
  result.linearizable = true;
  for (const auto& [call, before] : stack) result.order.push_back(call);
  return result;
}

// check_brute_force()
//
// The same question answered by trying every real-time-respecting order,
// without memoization: exponential, for histories of a few calls only. The
// oracle check_linearizable() is tested against.
template <ObjectSpec Spec>
bool check_brute_force(const std::vector<Call<typename Spec::Op>>& calls) {
  std::vector<bool> placed(calls.size(), false);
  std::function<bool(const typename Spec::State&, std::size_t)> search =
      [&](const typename Spec::State& state, std::size_t count) {
        if (count == calls.size()) return true;
        for (std::size_t c = 0; c < calls.size(); ++c) {
          if (placed[c]) continue;
          // c may come next only if no unplaced call returned before c began.
          bool minimal = true;
          for (std::size_t d = 0; d < calls.size() && minimal; ++d)
            minimal = placed[d] || d == c || calls[d].returned >= calls[c].invoked;
          if (!minimal) continue;
          typename Spec::State after = state;
          if (Spec::apply(after, calls[c].op) != calls[c].result) continue;
          placed[c] = true;
          const bool found = search(after, count + 1);
          placed[c] = false;
          if (found) return true;
        }
        return false;
      };
  return search(Spec::initial(), 0);
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
  std::vector<int> threads;
  std::vector<std::string> ops, results;
  std::vector<std::uint64_t> invoked, returned;
  for (const auto& c : calls) {
    threads.push_back(c.thread);
    ops.push_back(Spec::describe(c.op));
    results.push_back(c.result);
    invoked.push_back(c.invoked);
    returned.push_back(c.returned);
  }
  return detail::timeline(threads, ops, results, invoked, returned);
}

// gen_program()
//
// `threads` sequences (a number in [min_threads, max_threads]) of at most
// `max_ops` operations each, drawn from `op`. Shrinks towards fewer threads,
// fewer and simpler operations.
template <class Op>
rc::Gen<Program<Op>> gen_program(rc::Gen<Op> op, int min_threads, int max_threads, int max_ops) {
  auto sequence = rc::gen::mapcat(rc::gen::inRange(0, max_ops + 1), [op](int n) {
    return rc::gen::container<std::vector<Op>>(static_cast<std::size_t>(n), op);
  });
  return rc::gen::mapcat(rc::gen::inRange(min_threads, max_threads + 1), [sequence](int t) {
    return rc::gen::container<Program<Op>>(static_cast<std::size_t>(t), sequence);
  });
}

// describe_program() — "T0: a, b; T1: c" for messages.
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
// Returns the executions run (all of them: it returns only when the
// property held).
template <ObjectSpec Spec>
int check(const Program<typename Spec::Op>& program, const Options& options = {}) {
  const std::string text = describe_program<Spec>(program);
  const std::uint64_t base = detail::hash_text(text);
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
