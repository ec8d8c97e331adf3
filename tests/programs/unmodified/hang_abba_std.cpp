// expect: deadlock|lock_order_inversion
// where: hang_abba_std.cpp
// runs: 5
// Two bank-transfer threads lock the two account mutexes in opposite orders:
// transfer(a, b) locks a.m then b.m, transfer(b, a) locks b.m then a.m. The
// "validate the source account" step between the two locks (a 5 ms sleep)
// makes the window wide, so each thread holds its first mutex while waiting
// for the other's: a classic ABBA deadlock. main hangs in join.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

struct Account {
  std::mutex m;
  int balance = 100;
};

void transfer(Account& from, Account& to, int amount) {
  std::lock_guard<std::mutex> lock_from(from.m);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // validate
  std::lock_guard<std::mutex> lock_to(to.m);
  from.balance -= amount;
  to.balance += amount;
}

int main() {
  Account alice, bob;
  std::thread t1(transfer, std::ref(alice), std::ref(bob), 10);
  std::thread t2(transfer, std::ref(bob), std::ref(alice), 20);
  t1.join();
  t2.join();
  std::printf("alice %d bob %d\n", alice.balance, bob.balance);
  return 0;
}
