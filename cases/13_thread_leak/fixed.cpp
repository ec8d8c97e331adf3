// 13_thread_leak, fixed: the flusher is joined before the request ends.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>

#include <racelab/racelab.h>

namespace racelab::cases::thread_leak {
namespace {

// Flushes a copy of the log lines in the background.
void flush(std::string lines) {
  for (char c : lines) {
    (void)c;
    racelab::interleave();  // (writing to disk)
  }
}

}  // namespace

void fixed(Run& run) {
  std::string log(400, '.');
  racelab::thread flusher(flush, log);
  flusher.join();  // FIX: the request ends after its flusher
  run.check(log.size() == 400, "the log changed under the flusher");
}

}  // namespace racelab::cases::thread_leak
