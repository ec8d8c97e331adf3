// 12_lost_wakeup, buggy: the reader waits for a notification, not for a state.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <deque>
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::lost_wakeup {
namespace {

constexpr int kLetters = 5;

struct Mailbox {
  racelab::mutex mutex;  // guards letters
  racelab::condition_variable arrived;
  std::deque<int> letters;
};

}  // namespace

void buggy(Run& run) {
  Mailbox box;
  int read = 0;
  racelab::thread postman([&] {
    for (int letter = 1; letter <= kLetters; ++letter) {
      racelab::interleave();
      {
        std::lock_guard lock(box.mutex);
        box.letters.push_back(letter);
      }
      box.arrived.notify_one();  // rings the bell, whoever is (not yet) listening
    }
  });
  racelab::thread reader([&] {
    for (int letter = 1; letter <= kLetters; ++letter) {
      std::unique_lock lock(box.mutex);
      box.arrived.wait(lock);  // BUG: a bell rung before this wait is lost for good
      box.letters.pop_front();
      ++read;
      racelab::progress();
    }
  });
  postman.join();
  reader.join();
  run.check(read == kLetters, "the reader read " + std::to_string(read) + " letters, expected " +
                                  std::to_string(kLetters));
}

}  // namespace racelab::cases::lost_wakeup
