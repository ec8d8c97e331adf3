// Two polite diners, one spoon, in plain std:: code marked for racelab's
// runtime (racelab/unmodified.h): a retry is an explicit scheduling point,
// a meal is progress. Built twice: POLITE_FOREVER hands the spoon over
// while the other is hungry, whoever holds it, so neither ever eats (a
// livelock: retries and no progress); without it, the holder eats first.
#include <mutex>
#include <thread>

#include <racelab/unmodified.h>

namespace {

struct Table {
  std::mutex mutex;
  int spoon = 0;  // who holds it
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
#ifdef POLITE_FOREVER
    if (table.hungry[other]) {  // "after you", and so says the other
      table.spoon = other;
      lock.unlock();
      racelab::interleave();
      continue;
    }
#endif
    table.hungry[me] = false;
    ++table.meals;
    racelab::progress();
    table.spoon = other;
    return;
  }
}

}  // namespace

int main() {
  Table table;
  std::thread husband([&] { dine(table, 0); });
  std::thread wife([&] { dine(table, 1); });
  husband.join();
  wife.join();
  return table.meals == 2 ? 0 : 1;
}
