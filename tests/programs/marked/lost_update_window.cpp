// A lost update whose window is one explicit scheduling point
// (racelab/unmodified.h): workers copy a shared value under its mutex, add
// one, and write it back under the mutex again. Nothing races to TSan; the
// total comes out short only when another worker runs in the window, which
// racelab::interleave() marks so that the strategy can act there.
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include <racelab/unmodified.h>

int main() {
  std::mutex m;
  int value = 0;
  std::vector<std::thread> workers;
  for (int w = 0; w < 3; ++w)
    workers.emplace_back([&] {
      for (int u = 0; u < 5; ++u) {
        int copy;
        {
          std::lock_guard lock(m);
          copy = value;
        }
        racelab::interleave();  // another worker may run here
        std::lock_guard lock(m);
        value = copy + 1;
      }
    });
  for (auto& w : workers) w.join();
  if (value != 15) {
    std::printf("value is %d, expected 15: an update was lost\n", value);
    return 1;
  }
  return 0;
}
