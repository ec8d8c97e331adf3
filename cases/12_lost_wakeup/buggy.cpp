// 12_lost_wakeup, buggy: the consumer waits for a notification, not for a state.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <mutex>
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::lost_wakeup {
namespace {

struct Mailbox {
  racelab::mutex mutex;  // guards letter and delivered
  racelab::condition_variable arrived;
  std::string letter;
  bool delivered = false;
};

}  // namespace

void buggy(Run& run) {
  Mailbox box;
  std::string read;
  racelab::thread postman([&] {
    racelab::interleave();
    {
      std::lock_guard lock(box.mutex);
      box.letter = "hello";
      box.delivered = true;
    }
    box.arrived.notify_one();
  });
  racelab::thread reader([&] {
    racelab::interleave();
    std::unique_lock lock(box.mutex);
    box.arrived.wait(lock);  // BUG: if the notify came first, nobody will wake this wait
    read = box.letter;
  });
  postman.join();
  reader.join();
  run.check(read == "hello", "the reader read \"" + read + "\", expected \"hello\"");
}

}  // namespace racelab::cases::lost_wakeup
