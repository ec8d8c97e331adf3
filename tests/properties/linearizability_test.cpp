// The linearizability checker: Wing & Gong / Lowe with memoization, against
// a brute-force search over every real-time-respecting order, on random
// small histories of a register and of a FIFO queue; and on hand-made
// histories with known answers. Seeded from each property's name
// (seeded_property.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "racelab/linearizability.h"
#include "seeded_property.h"

namespace {

using racelab::property::Call;
using racelab::property::check_brute_force;
using racelab::property::check_linearizable;

// A register of small integers: write(v) → "ok", read() → "v".
struct RegisterOp {
  bool write = false;
  int value = 0;
};
struct RegisterSpec {
  using Object = int;
  using State = int;
  using Op = RegisterOp;
  static State initial() { return 0; }
  static std::string apply(State& s, const Op& op) {
    if (op.write) {
      s = op.value;
      return "ok";
    }
    return std::to_string(s);
  }
  static std::string run(Object& o, const Op& op) { return apply(o, op); }
  static std::string describe(const Op& op) {
    return op.write ? "write(" + std::to_string(op.value) + ")" : "read()";
  }
  static std::string key(const State& s) { return std::to_string(s); }
};

// A FIFO queue: put(v) → "ok", get() → "v" or "empty".
struct QueueOp {
  bool put = false;
  int value = 0;
};
struct QueueSpec {
  using Object = std::deque<int>;
  using State = std::deque<int>;
  using Op = QueueOp;
  static State initial() { return {}; }
  static std::string apply(State& s, const Op& op) {
    if (op.put) {
      s.push_back(op.value);
      return "ok";
    }
    if (s.empty()) return "empty";
    const int v = s.front();
    s.pop_front();
    return std::to_string(v);
  }
  static std::string run(Object& o, const Op& op) { return apply(o, op); }
  static std::string describe(const Op& op) {
    return op.put ? "put(" + std::to_string(op.value) + ")" : "get()";
  }
  static std::string key(const State& s) {
    std::string k;
    for (int v : s) k += std::to_string(v) + ",";
    return k;
  }
};

// A random history of up to 7 calls on up to 3 threads: each thread's calls
// one after another, the threads' intervals overlapping at random. Results
// come from applying the calls to the model in invocation order (a valid
// linearization), then, in about half the histories, one result is replaced
// by a value from `wrong`: some of those are still linearizable in another
// order, most are not.
template <class Spec>
rc::Gen<std::vector<Call<typename Spec::Op>>> gen_history(rc::Gen<typename Spec::Op> op,
                                                            rc::Gen<std::string> wrong) {
  using Op = typename Spec::Op;
  return rc::gen::mapcat(rc::gen::inRange(0, 8), [=](int n) {
    return rc::gen::map(
        rc::gen::tuple(rc::gen::container<std::vector<Op>>(static_cast<std::size_t>(n), op),
                       rc::gen::container<std::vector<int>>(static_cast<std::size_t>(n), rc::gen::inRange(0, 3)),
                       rc::gen::container<std::vector<int>>(static_cast<std::size_t>(2 * n), rc::gen::inRange(1, 4)),
                       rc::gen::inRange(0, 2 * std::max(n, 1)), wrong),
        [n](const auto& parts) {
          const auto& [ops, threads, gaps, corrupt, replacement] = parts;
          std::vector<Call<Op>> calls(static_cast<std::size_t>(n));
          std::vector<std::uint64_t> free_at(3, 0);
          std::uint64_t clock = 0;
          auto state = Spec::initial();
          for (int i = 0; i < n; ++i) {
            auto& c = calls[static_cast<std::size_t>(i)];
            c.thread = threads[static_cast<std::size_t>(i)];
            c.op = ops[static_cast<std::size_t>(i)];
            clock += static_cast<std::uint64_t>(gaps[2 * static_cast<std::size_t>(i)]);
            c.invoked = std::max(clock, free_at[static_cast<std::size_t>(c.thread)] + 1);
            c.returned = c.invoked + static_cast<std::uint64_t>(gaps[2 * static_cast<std::size_t>(i) + 1]) * 3;
            free_at[static_cast<std::size_t>(c.thread)] = c.returned;
          }
          // Invocation order is a linearization (it respects real time).
          std::vector<std::size_t> order(calls.size());
          for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
          std::sort(order.begin(), order.end(),
                    [&](std::size_t a, std::size_t b) { return calls[a].invoked < calls[b].invoked; });
          for (std::size_t i : order) calls[i].result = Spec::apply(state, calls[i].op);
          if (corrupt < n) calls[static_cast<std::size_t>(corrupt)].result = replacement;
          return calls;
        });
  });
}

rc::Gen<RegisterOp> register_op() {
  return rc::gen::build<RegisterOp>(rc::gen::set(&RegisterOp::write), rc::gen::set(&RegisterOp::value, rc::gen::inRange(0, 3)));
}
rc::Gen<QueueOp> queue_op() {
  return rc::gen::build<QueueOp>(rc::gen::set(&QueueOp::put), rc::gen::set(&QueueOp::value, rc::gen::inRange(0, 3)));
}

// 100 histories per test case × 100 test cases: 10,000 histories per property.
RACELAB_PROP(Linearizability, AgreesWithBruteForceOnRegisterHistories, 100, ()) {
  const auto histories = *rc::gen::container<std::vector<std::vector<Call<RegisterOp>>>>(
      100, gen_history<RegisterSpec>(register_op(), rc::gen::element<std::string>("0", "1", "2")));
  for (const auto& h : histories)
    RC_ASSERT(check_linearizable<RegisterSpec>(h).linearizable == check_brute_force<RegisterSpec>(h));
}

RACELAB_PROP(Linearizability, AgreesWithBruteForceOnQueueHistories, 100, ()) {
  const auto histories = *rc::gen::container<std::vector<std::vector<Call<QueueOp>>>>(
      100, gen_history<QueueSpec>(queue_op(), rc::gen::element<std::string>("0", "1", "2", "empty")));
  for (const auto& h : histories)
    RC_ASSERT(check_linearizable<QueueSpec>(h).linearizable == check_brute_force<QueueSpec>(h));
}

// The witness order respects real time and reproduces every result.
RACELAB_PROP(Linearizability, TheWitnessIsALinearization, 100, ()) {
  const auto h = *gen_history<QueueSpec>(queue_op(), rc::gen::element<std::string>("0", "1", "2", "empty"));
  const auto r = check_linearizable<QueueSpec>(h);
  RC_PRE(r.linearizable);
  RC_ASSERT(r.order.size() == h.size());
  auto state = QueueSpec::initial();
  for (std::size_t k = 0; k < r.order.size(); ++k) {
    const auto& c = h[r.order[k]];
    RC_ASSERT(QueueSpec::apply(state, c.op) == c.result);
    for (std::size_t j = k + 1; j < r.order.size(); ++j) RC_ASSERT(h[r.order[j]].returned >= c.invoked);
  }
}

// The generated histories are not trivial: at full size, both answers are
// common (else the comparisons above would prove little).
TEST(Linearizability, RandomHistoriesHaveBothAnswers) {
  const auto histories = gen_history<QueueSpec>(queue_op(), rc::gen::element<std::string>("0", "1", "2", "empty"));
  int linearizable = 0;
  int longer = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto h = histories(rc::Random(static_cast<std::uint64_t>(i)), 100).value();
    if (h.size() < 3) continue;
    ++longer;
    linearizable += check_brute_force<QueueSpec>(h) ? 1 : 0;
  }
  std::printf("%d of %d histories of 3+ calls are linearizable\n", linearizable, longer);
  EXPECT_GT(linearizable, longer / 10);
  EXPECT_LT(linearizable, longer - longer / 10);
}

Call<QueueOp> call(int thread, bool put, int value, std::string result, std::uint64_t from, std::uint64_t to) {
  return {thread, {put, value}, std::move(result), from, to};
}

TEST(Linearizability, KnownAnswers) {
  // Overlapping put(1) and get() → "1": linearizable (put first).
  EXPECT_TRUE(check_linearizable<QueueSpec>({call(0, true, 1, "ok", 1, 4), call(1, false, 0, "1", 2, 3)}).linearizable);
  // get() → "1" returned before put(1) began: not linearizable.
  EXPECT_FALSE(check_linearizable<QueueSpec>({call(0, true, 1, "ok", 3, 4), call(1, false, 0, "1", 1, 2)}).linearizable);
  // The same message taken twice: not linearizable.
  EXPECT_FALSE(check_linearizable<QueueSpec>({call(0, true, 1, "ok", 1, 2), call(1, false, 0, "1", 3, 6),
                                              call(2, false, 0, "1", 4, 5)})
                   .linearizable);
  // FIFO order broken by sequential calls.
  EXPECT_FALSE(check_linearizable<QueueSpec>({call(0, true, 1, "ok", 1, 2), call(0, true, 2, "ok", 3, 4),
                                              call(1, false, 0, "2", 5, 6)})
                   .linearizable);
}

// Memoization keeps a long, mostly sequential history fast: 300 calls.
TEST(Linearizability, ThreeHundredCallsCheckQuickly) {
  std::vector<Call<QueueOp>> h;
  std::uint64_t t = 0;
  for (int i = 0; i < 150; ++i) {
    h.push_back(call(i % 3, true, i, "ok", t + 1, t + 4));
    h.push_back(call((i + 1) % 3, false, 0, std::to_string(i), t + 2, t + 6));
    t += 5;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto r = check_linearizable<QueueSpec>(h);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.linearizable);
  std::printf("300 calls: %zu search steps in %.3f s\n", r.explored, seconds);
  EXPECT_LT(seconds, 5.0);  // a bound that cannot flake; the figure is printed
}

}  // namespace
