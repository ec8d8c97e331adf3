// 01_lost_update, fixed: the read-modify-write happens under a lock.
//
// Compare with buggy.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::lost_update {
namespace {

constexpr int kWorkers = 4;
constexpr int kUpdates = 50;

// The "database" of the story: update() copies the value, works on the copy
// and writes it back, as the seeds' FakeDatabase does.
class FakeDatabase {
 public:
  void update() {
    std::lock_guard lock(mutex_);  // FIX: one worker at a time from read to write
    int local_copy = value_;
    local_copy += 1;
    racelab::interleave();    // (another worker may run here)
    value_ = local_copy;
  }

  int value() const { return value_; }

 private:
  racelab::mutex mutex_;  // FIX: guards value_
  int value_ = 0;
};

}  // namespace

void fixed(Run& run) {
  FakeDatabase database;
  std::vector<racelab::thread> workers;
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&database] {
      for (int u = 0; u < kUpdates; ++u) database.update();
    });
  for (auto& worker : workers) worker.join();

  run.check(database.value() == kWorkers * kUpdates,
            "value is " + std::to_string(database.value()) + ", expected " +
                std::to_string(kWorkers * kUpdates));
}

}  // namespace racelab::cases::lost_update
