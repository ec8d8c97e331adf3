// 15_semaphore_limit, buggy: "at most 3 bookings at once" by check-and-increment.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::semaphore_limit {
namespace {

constexpr int kLimit = 3;  // the booking system's connections
constexpr int kUsers = 6;

class BookingSystem {
 public:
  void book() {
    while (active_.load() >= kLimit) racelab::interleave();  // BUG: check...
    racelab::interleave();
    active_.fetch_add(1);  // BUG: ...then increment: another user passed the same check
    peak_.store(std::max(peak_.load(), active_.load()));
    racelab::interleave();  // (the booking itself)
    racelab::progress();
    active_.fetch_sub(1);
  }

  int peak() const { return peak_.load(); }

 private:
  std::atomic<int> active_{0};
  std::atomic<int> peak_{0};
};

}  // namespace

void buggy(Run& run) {
  BookingSystem system;
  std::vector<racelab::thread> users;
  for (int u = 0; u < kUsers; ++u) users.emplace_back([&] { system.book(); });
  for (auto& user : users) user.join();
  run.check(system.peak() <= kLimit, std::to_string(system.peak()) + " bookings at once, limit " +
                                         std::to_string(kLimit));
}

}  // namespace racelab::cases::semaphore_limit
