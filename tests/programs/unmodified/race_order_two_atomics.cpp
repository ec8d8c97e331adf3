// expect: invariant_violated
// where: before it was set
// strategy: controlled
// runs: 100
// seeds: 20
// An order violation between two atomics. The loader publishes a table in
// two steps and sets `ready` first, then `table`; the reader waits for
// ready and uses the table. When the reader looks between the two stores it
// finds no table. Both are std::atomic with the default (sequentially
// consistent) order, so there is no data race: the bug is the order of the
// two stores, and the window is one store wide.
#include <atomic>
#include <cstdio>
#include <thread>

struct Table {
  int rows = 3;
};

std::atomic<bool> ready{false};
std::atomic<Table*> table{nullptr};

void load() {
  static Table loaded;
  ready.store(true);  // should come after the table
  table.store(&loaded);
}

int rows_when_ready() {
  while (!ready.load()) {
  }
  Table* t = table.load();
  if (t == nullptr) {
    std::fprintf(stderr, "the table was used before it was set\n");
    return -1;
  }
  return t->rows;
}

int main() {
  int seen = 0;
  std::thread reader([&] { seen = rows_when_ready(); });
  std::thread loader(load);
  reader.join();
  loader.join();
  if (seen < 0) return 1;
  std::printf("rows %d\n", seen);
  return 0;
}
