// expect: invariant_violated
// where: overdrawn
// runs: 100
// seeds: 20
// An account balance kept in a std::atomic<int>: "atomics are thread-safe".
// withdraw() loads the balance, checks it covers the amount and then does
// fetch_sub(): check-then-act. Two customers each withdraw 60 from 100; if
// both loads come before either fetch_sub, both succeed and the balance
// goes negative. No data race (all accesses are atomic); the program's own
// check fails and it returns 1. Rare unperturbed, likely with a yield
// between the load and the fetch_sub.
#include <atomic>
#include <cstdio>
#include <thread>

std::atomic<int> balance{100};

bool withdraw(int amount) {
  if (balance.load() < amount) return false;
  balance.fetch_sub(amount);
  return true;
}

int main() {
  std::atomic<int> granted{0};
  auto customer = [&granted] {
    if (withdraw(60)) granted.fetch_add(1);
  };
  std::thread a(customer), b(customer);
  a.join();
  b.join();
  if (balance.load() < 0) {
    std::fprintf(stderr, "overdrawn: balance %d after %d withdrawals\n",
                 balance.load(), granted.load());
    return 1;
  }
  return 0;
}
