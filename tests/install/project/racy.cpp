// Two threads bump one counter without a lock: a data race.
#include <cstdio>
#include <thread>

int hits = 0;

int main() {
  std::thread a([] { for (int i = 0; i < 1000; ++i) ++hits; });
  std::thread b([] { for (int i = 0; i < 1000; ++i) ++hits; });
  a.join();
  b.join();
  std::printf("%d\n", hits);
}
