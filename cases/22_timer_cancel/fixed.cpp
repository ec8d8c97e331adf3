// 22_timer_cancel, fixed: the callback runs under the timer's mutex, and
// cancel() takes that mutex, so it returns only once no callback runs.
//
// Compare with buggy.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>

#include <racelab/racelab.h>

namespace racelab::cases::timer_cancel {
namespace {

constexpr int kFrames = 3;  // what one refresh draws

// The seeds' threading.Timer: runs `callback` once on its own thread unless
// cancel() comes first.
class Timer {
 public:
  explicit Timer(std::function<void()> callback)
      : callback_(std::move(callback)), thread_([this] { fire(); }) {}
  ~Timer() { thread_.join(); }

  // Returns once the timer's thread is about to fire.
  void wait_armed() const {
    while (!armed_.load()) racelab::interleave();
  }

  // Promises: the callback does not run after cancel() returns.
  void cancel() {
    std::lock_guard lock(mutex_);  // FIX: waits for a running callback to finish
    cancelled_.store(true);
  }

 private:
  void fire() {
    armed_.store(true);
    racelab::interleave();  // (the timer's delay ends)
    std::lock_guard lock(mutex_);  // FIX: check and run as one step that cancel() waits for
    if (!cancelled_.load()) callback_();
  }

  std::atomic<bool> armed_{false};
  std::atomic<bool> cancelled_{false};
  racelab::mutex mutex_;  // FIX
  std::function<void()> callback_;
  racelab::thread thread_;  // last: starts once the rest is built
};

struct Widget {
  int frames = 0;
};

}  // namespace

void fixed(Run& run) {
  auto widget = std::make_unique<Widget>();
  std::atomic<bool> closed{false};
  Timer refresh([&run, &closed, w = widget.get()] {
    for (int i = 0; i < kFrames; ++i) {
      run.check(!closed.load(), "the refresh callback ran after cancel() had returned");
      w->frames++;  // the widget must still be alive here
      racelab::interleave();
    }
  });
  refresh.wait_armed();
  racelab::interleave();  // the user closes the window
  refresh.cancel();
  closed.store(true);
  widget.reset();  // the widget is freed
}  // the timer's thread is joined here

}  // namespace racelab::cases::timer_cancel
