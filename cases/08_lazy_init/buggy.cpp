// 08_lazy_init, buggy: double-checked locking with a plain pointer.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::lazy_init {
namespace {

constexpr int kThreads = 4;

struct Config {
  int retries = 3;
  int timeout_ms = 250;
};

// The configuration is expensive to build, so it is built on first use.
class Service {
 public:
  ~Service() { delete config_; }

  const Config& config() {
    if (config_ == nullptr) {  // BUG: read with no lock and no ordering...
      std::lock_guard lock(mutex_);
      racelab::interleave();
      if (config_ == nullptr) {
        config_ = new Config;  // BUG: ...of this write, nor of the Config's fields
        ++builds_;
      }
    }
    return *config_;
  }

  int builds() const { return builds_; }

 private:
  racelab::mutex mutex_;  // guards building
  Config* config_ = nullptr;
  int builds_ = 0;
};

}  // namespace

void buggy(Run& run) {
  Service service;
  std::vector<int> seen(kThreads);
  std::vector<racelab::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&service, &seen, t] {
      racelab::interleave();
      seen[static_cast<std::size_t>(t)] = service.config().retries;
    });
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t)
    run.check(seen[static_cast<std::size_t>(t)] == 3,
              "thread " + std::to_string(t) + " saw retries = " +
                  std::to_string(seen[static_cast<std::size_t>(t)]) + ", expected 3");
  run.check(service.builds() == 1,
            "the config was built " + std::to_string(service.builds()) + " times, expected once");
}

}  // namespace racelab::cases::lazy_init
