// expect: clean
// where: ok_join_separated_orders.cpp
// runs: 50
// note: was joined before
// A migration step runs in two phases. Phase 1's thread locks `accounts`
// then `ledger`; main joins it, and only then starts phase 2's thread,
// which locks `ledger` then `accounts`. The opposite orders can never
// overlap in time (the join separates them), so this cannot deadlock.
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex accounts, ledger;
int migrated = 0, audited = 0;

void phase1() {
  std::lock_guard<std::mutex> la(accounts);
  std::lock_guard<std::mutex> ll(ledger);
  ++migrated;
}

void phase2() {
  std::lock_guard<std::mutex> ll(ledger);
  std::lock_guard<std::mutex> la(accounts);
  ++audited;
}

int main() {
  std::thread first(phase1);
  first.join();
  std::thread second(phase2);
  second.join();
  std::printf("migrated %d audited %d\n", migrated, audited);
  return migrated == 1 && audited == 1 ? 0 : 1;
}
