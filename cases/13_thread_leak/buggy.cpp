// 13_thread_leak, buggy: a background flusher is started and never joined.
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

void buggy(Run& run) {
  std::string log(400, '.');
  racelab::thread flusher(flush, log);
  flusher.detach();  // BUG: nobody waits for it: it outlives the request that started it
  run.check(log.size() == 400, "the log changed under the flusher");
}

}  // namespace racelab::cases::thread_leak
