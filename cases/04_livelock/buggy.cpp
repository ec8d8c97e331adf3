// 04_livelock, buggy: two polite diners pass one spoon back and forth.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::livelock {
namespace {

// One spoon, two hungry diners. Everything on the table is guarded by `mutex`.
struct Table {
  racelab::mutex mutex;
  int spoon = 0;  // who holds the spoon
  bool hungry[2] = {true, true};
  int meals = 0;
};

void dine(Table& table, int me) {
  const int other = 1 - me;
  for (;;) {
    std::unique_lock lock(table.mutex);
    if (table.spoon != me) {  // wait for the spoon
      lock.unlock();
      racelab::interleave();
      continue;
    }
    if (table.hungry[other]) {  // BUG: "after you": whoever holds the spoon hands it
      table.spoon = other;      // BUG: over while the other is hungry, and so does the other
      lock.unlock();
      racelab::interleave();
      continue;
    }
    table.hungry[me] = false;  // eat
    ++table.meals;
    racelab::progress();
    table.spoon = other;  // then pass the spoon on
    return;
  }
}

}  // namespace

void buggy(Run& run) {
  Table table;
  racelab::thread husband([&] { dine(table, 0); });
  racelab::thread wife([&] { dine(table, 1); });
  husband.join();
  wife.join();
  run.check(table.meals == 2, "meals: " + std::to_string(table.meals) + ", expected 2");
}

}  // namespace racelab::cases::livelock
