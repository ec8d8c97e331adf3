// 08_lazy_init, fixed: double-checked locking with an atomic pointer (acquire/release).
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
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
  ~Service() { delete config_.load(); }

  const Config& config() {
    if (config_.load(std::memory_order_acquire) == nullptr) {  // FIX: acquire pairs with...
      std::lock_guard lock(mutex_);
      racelab::interleave();
      if (config_.load(std::memory_order_relaxed) == nullptr) {
        config_.store(new Config, std::memory_order_release);  // FIX: ...this release
        ++builds_;
      }
    }
    return *config_.load(std::memory_order_acquire);
  }

  int builds() const { return builds_; }

 private:
  racelab::mutex mutex_;  // guards building
  std::atomic<Config*> config_{nullptr};  // FIX: published with release, read with acquire
  int builds_ = 0;
};

}  // namespace

void fixed(Run& run) {
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
