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

// 06_bank_account's Account: update(amount), balance().
template <class Account>
struct AccountSpec : BalanceSpec<Account, 100> {
  using Object = Account;
  using Op = UpdateOp;
  static std::string run(Object& account, const Op& op) {
    if (op.read) return std::to_string(account.balance());
    account.update(op.amount);
    return "ok";
  }
};

// 01_lost_update's FakeDatabase: update() adds one, value().
template <class Database>
struct CounterSpec : BalanceSpec<Database, 0> {
  using Object = Database;
  using Op = UpdateOp;
  static std::string run(Object& database, const Op& op) {
    if (op.read) return std::to_string(database.value());
    database.update();
    return "ok";
  }
  static std::string describe(const Op& op) { return op.read ? "value()" : "update()"; }
  static rc::Gen<property::Program<Op>> programs() {
    return property::gen_program(rc::gen::just(Op{1, false}), 1, 4, 6);
  }
};

// ---- 07_seat_booking's Flight: book_seat(), booked(), available() ----

struct Seats {
  int available = 10;
  int booked = 0;
};

template <class Flight>
struct SeatsSpec {
  using Object = Flight;
  using State = Seats;
  enum class Op { book, booked, available };
  static State initial() { return {}; }
  static std::string apply(State& s, const Op& op) {
    if (op == Op::booked) return std::to_string(s.booked);
    if (op == Op::available) return std::to_string(s.available);
    if (s.available > 0) {
      --s.available;
      ++s.booked;
    }
    return "ok";
  }
  static std::string run(Object& flight, const Op& op) {
    if (op == Op::booked) return std::to_string(flight.booked());
    if (op == Op::available) return std::to_string(flight.available());
    flight.book_seat();
    return "ok";
  }
  static std::string describe(const Op& op) {
    return op == Op::book ? "book_seat()" : op == Op::booked ? "booked()" : "available()";
  }
  static std::string key(const State& s) { return std::to_string(s.available) + "/" + std::to_string(s.booked); }
  static std::vector<Op> probe() { return {Op::booked, Op::available}; }
  static rc::Gen<property::Program<Op>> programs() {
    return property::gen_program(rc::gen::just(Op::book), 2, 4, 5);
  }
};

// ---- 15_semaphore_limit's BookingSystem: book(); never more than Limit at once ----

template <class System, int Limit>
struct LimitSpec {
  using Object = System;
  using State = int;
  struct Op {};
  static State initial() { return 0; }
  static std::string apply(State& s, const Op&) {
    ++s;
    return "ok";
  }
  static std::string run(Object& system, const Op&) {
    system.book();
    return "ok";
  }
  static std::string describe(const Op&) { return "book()"; }
  static std::string key(const State& s) { return std::to_string(s); }
  static std::string invariant(const Object& system) {
    return system.peak() <= Limit
               ? ""
               : std::to_string(system.peak()) + " bookings at once, limit " + std::to_string(Limit);
  }
  // Six users, each booking once or twice: more than the limit want in.
  static rc::Gen<property::Program<Op>> programs() {
    return rc::gen::container<property::Program<Op>>(
        6, rc::gen::map(rc::gen::element(1, 2), [](int n) { return std::vector<Op>(static_cast<std::size_t>(n)); }));
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

// 19_message_queue's MessageQueue: put({producer, sequence}), get().
template <class Queue>
struct MessageQueueSpec {
  using Object = Queue;
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
  static std::string run(Object& queue, const Op& op) {
    if (op.put) {
      queue.put({op.producer, op.sequence});
      return "ok";
    }
    const auto m = queue.get();
    return m ? message_text(m->producer, m->sequence) : "closed";
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
