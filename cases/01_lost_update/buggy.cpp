// 01_lost_update, buggy: workers update a shared value with no lock.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
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
    int local_copy = value_;  // BUG: read with no lock held...
    local_copy += 1;
    racelab::interleave();    // (another worker may run here)
    value_ = local_copy;      // BUG: ...so this write can overwrite another worker's update
  }

  int value() const { return value_; }

 private:
  int value_ = 0;
};

}  // namespace

void buggy(Run& run) {
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
