// racelab/linearizability.h — whether a concurrent history could have come
// from a sequential model: the check behind racelab::property::check().
//
// This header defines:
//   Call                  one operation as it ran: who, what, result, when
//   Model                 what a test gives of its sequential model
//   check_linearizable()  Wing & Gong / Lowe search, memoized
//   check_brute_force()   every order, for small histories (its oracle)
//
// Results are compared as strings: the model describes each result as the
// object would ("ok", "150", "empty", "p0:3").
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

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

// Model — a sequential model: its state, where it starts, what an operation
// does to it and returns, and a key that tells states apart (memoization).
template <class S>
concept Model = requires(typename S::State& state, const typename S::State& cstate,
                         const typename S::Op& op) {
  { S::initial() } -> std::convertible_to<typename S::State>;
  { S::apply(state, op) } -> std::convertible_to<std::string>;
  { S::key(cstate) } -> std::convertible_to<std::string>;
};

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
// Requires: every call's times come from one clock, invoked < returned.
// Guarantees: when linearizable, `order` is such an order (every call once).
template <Model Spec>
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
// Requires: as check_linearizable(); a handful of calls.
template <Model Spec>
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

}  // namespace racelab::property
