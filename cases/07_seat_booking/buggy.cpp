// 07_seat_booking, buggy: check-then-act on the seats left, without a lock.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::seat_booking {
namespace {

constexpr int kSeats = 10;
constexpr int kRequests = 15;
constexpr int kWorkers = 10;

class Flight {
 public:
  void book_seat() {
    if (available_ > 0) {     // BUG: check...
      racelab::interleave();  // (the seeds' time.sleep(0.1): "processing")
      --available_;           // BUG: ...then act, while another booking passed the same check
      ++booked_;
    }
  }

  int booked() const { return booked_; }
  int available() const { return available_; }

 private:
  int available_ = kSeats;
  int booked_ = 0;
};

}  // namespace

void buggy(Run& run) {
  Flight flight;
  // A pool of 10 workers takes the 15 requests: worker w serves w, w+10.
  std::vector<racelab::thread> pool;
  for (int w = 0; w < kWorkers; ++w)
    pool.emplace_back([&flight, w] {
      for (int request = w; request < kRequests; request += kWorkers) flight.book_seat();
    });
  for (auto& worker : pool) worker.join();
  run.check(flight.booked() <= kSeats && flight.available() >= 0,
            "booked " + std::to_string(flight.booked()) + " seats of " + std::to_string(kSeats) +
                ", " + std::to_string(flight.available()) + " left");
}

}  // namespace racelab::cases::seat_booking
