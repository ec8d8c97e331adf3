// Two threads post to the ledger library at once.
#include <cstdio>
#include <thread>

#include "ledger.h"

int main() {
  std::thread a([] { for (int i = 0; i < 1000; ++i) ledger_post(1); });
  std::thread b([] { for (int i = 0; i < 1000; ++i) ledger_post(1); });
  a.join();
  b.join();
  std::printf("%d\n", ledger_balance());
}
