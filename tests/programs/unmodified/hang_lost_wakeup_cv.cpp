// expect: hang
// where: hang_lost_wakeup_cv.cpp
// where: condition
// runs: 3
// A loader thread fills the table and calls cv.notify_one(); main waits on
// the std::condition_variable WITHOUT a predicate ("wait for the loader's
// signal"). main first joins a setup thread that happens to be the loader,
// so the notify has certainly already happened when main starts waiting:
// the wakeup is lost and cv.wait() never returns.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

std::mutex m;
std::condition_variable loaded_cv;
bool loaded = false;
std::vector<int> table;

void load_table() {
  std::lock_guard<std::mutex> lock(m);
  for (int i = 0; i < 100; ++i) table.push_back(i * i);
  loaded = true;
  loaded_cv.notify_one();
}

int main() {
  std::thread loader(load_table);
  loader.join();  // "make sure setup is finished"
  std::unique_lock<std::mutex> lock(m);
  loaded_cv.wait(lock);  // no predicate: the notify already came and went
  std::printf("loaded=%d, %zu entries\n", loaded, table.size());
  return 0;
}
