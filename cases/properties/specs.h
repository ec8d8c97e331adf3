// specs.h — the sequential models and operations of the catalogue's
// objects, shared by the buggy and the fixed object of each case. Each
// <case>_<variant>.cpp includes that variant's source and instantiates a
// Spec below with it.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include <rapidcheck.h>

#include "racelab/property.h"

namespace racelab::catalogue_properties {

// ---- a balance: update(amount), read after the threads joined ----
// (01_lost_update's counter is the same shape with +1 updates.)

struct UpdateOp {
  int amount = 0;
  bool read = false;  ///< balance()/value(): the probe only
};

template <class Object, int Initial>
struct BalanceSpec {
  using State = int;
  using Op = UpdateOp;
  static State initial() { return Initial; }
  static std::string apply(State& s, const Op& op) {
    if (op.read) return std::to_string(s);
    s += op.amount;
    return "ok";
  }
  static std::string describe(const Op& op) {
    return op.read ? "balance()" : "update(" + std::string(op.amount >= 0 ? "+" : "") + std::to_string(op.amount) + ")";
  }
  static std::string key(const State& s) { return std::to_string(s); }
  static std::vector<Op> probe() { return {{0, true}}; }
  static rc::Gen<property::Program<Op>> programs() {
    const auto update = rc::gen::build<Op>(rc::gen::set(&Op::amount, rc::gen::element(50, -150, 20, -10)));
    return property::gen_program(update, 1, 3, 6);
  }
};

// ---- a FIFO of messages: put by producers, get by consumers ----

struct QueueOp {
  bool put = false;
  int producer = 0;
  int sequence = 0;
};

inline std::string message_text(int producer, int sequence) {
  return "p" + std::to_string(producer) + ":" + std::to_string(sequence);
}

template <class Object>
struct MessageQueueSpec {
  using State = std::deque<std::string>;
  using Op = QueueOp;
  static State initial() { return {}; }
  static std::string apply(State& s, const Op& op) {
    if (op.put) {
      s.push_back(message_text(op.producer, op.sequence));
      return "ok";
    }
    if (s.empty()) return "<would block>";  // never a recorded result
    std::string m = s.front();
    s.pop_front();
    return m;
  }
  static std::string describe(const Op& op) {
    return op.put ? "put(" + message_text(op.producer, op.sequence) + ")" : "get()";
  }
  static std::string key(const State& s) {
    std::string k;
    for (const auto& m : s) k += m + ",";
    return k;
  }
  // 1–2 producers and 1–2 consumers; the consumers take at most what the
  // producers put, and leave at most 4 behind (the fixed queue's capacity),
  // so no execution waits for ever.
  static rc::Gen<property::Program<Op>> programs() {
    return rc::gen::mapcat(
        rc::gen::tuple(rc::gen::inRange(1, 3), rc::gen::inRange(1, 3), rc::gen::inRange(1, 5), rc::gen::inRange(0, 5)),
        [](const std::tuple<int, int, int, int>& shape) {
          const auto [producers, consumers, puts, left] = shape;
          return rc::gen::just(build(producers, consumers, puts, left));
        });
  }
  static property::Program<Op> build(int producers, int consumers, int puts, int left) {
    property::Program<Op> program;
    for (int p = 0; p < producers; ++p) {
      std::vector<Op> ops;
      for (int s = 1; s <= puts; ++s) ops.push_back({true, p, s});
      program.push_back(ops);
    }
    int gets = std::max(0, producers * puts - std::min(left, 4));
    for (int c = 0; c < consumers; ++c) {
      const int mine = gets / (consumers - c);
      gets -= mine;
      program.push_back(std::vector<Op>(static_cast<std::size_t>(mine), Op{false, 0, 0}));
    }
    return program;
  }
};

}  // namespace racelab::catalogue_properties
