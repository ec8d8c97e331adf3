// The hook of syscall() for strategy controlled: the futex waits and wakes
// of the standard library (std::atomic::wait and notify, std::future,
// std::counting_semaphore, std::barrier, std::latch, std::jthread's stop)
// are made through it, from the program's code and from libstdc++. Under
// control a wait never enters the kernel: the thread waits in the model
// until a wake on its address lets it go (first come, first served), and
// a wait nothing can end is a hang named at once. Every other system call,
// and every call under another strategy, goes to the kernel unchanged.
#include <linux/futex.h>
#include <sys/syscall.h>

#include <cerrno>
#include <climits>
#include <cstdarg>
#include <ctime>

#include "intercept.h"

namespace racelab::intercept {
namespace {

long kernel(long number, const long (&a)[6]) {
  const long result = raw_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
  if (result < 0 && result > -4096) {
    errno = static_cast<int>(-result);
    return -1;
  }
  return result;
}

// FUTEX_WAIT (a relative timeout, on CLOCK_MONOTONIC) or FUTEX_WAIT_BITSET
// (an absolute one, on the clock the operation names) on `word`.
long futex_wait(const int* word, int expected, const timespec* timeout, bool absolute, clockid_t clock,
                const Site& site) {
  point();
  ScopedModel scoped;
  Thread& me = me_locked();
  if (__atomic_load_n(word, __ATOMIC_SEQ_CST) != expected) {
    errno = EAGAIN;
    return -1;
  }
  timespec until{};
  if (timeout != nullptr) {
    if (absolute) {
      until = *timeout;
    } else {
      clock = CLOCK_MONOTONIC;
      clock_gettime(clock, &until);
      until = plus(until, *timeout);
    }
  }
  start_wait(me, Wait::futex, timeout == nullptr, word, site);
  me.futex_woken = false;
  me.futex_order = ++model().futex_waits;
  if (me.forever) check_wait(me);
  const bool woken = control_wait(scoped, me, timeout != nullptr ? &until : nullptr, clock);
  end_wait(me);
  if (!woken) {
    errno = ETIMEDOUT;
    return -1;
  }
  return 0;
}

// Lets up to `most` of the threads waiting on `word` go, in the order they
// began to wait; how many it let go.
long futex_wake(const int* word, long most) {
  long woken = 0;
  {
    ScopedModel scoped;
    while (woken < most) {
      Thread* first = nullptr;
      for (Thread* t : model().threads)
        if (!t->finished && t->wait == Wait::futex && t->waiting_on == word && !t->futex_woken &&
            (first == nullptr || t->futex_order < first->futex_order))
          first = t;
      if (first == nullptr) break;
      first->futex_woken = true;
      ++woken;
    }
  }
  point();
  return woken;
}

}  // namespace
}  // namespace racelab::intercept

using namespace racelab::intercept;

extern "C" long syscall(long number, ...) {
  long a[6];
  va_list args;
  va_start(args, number);
  for (long& v : a) v = va_arg(args, long);
  va_end(args);
  if (number != SYS_futex || !active() || !controlled()) return kernel(number, a);
  const int* word = reinterpret_cast<const int*>(a[0]);
  const int op = static_cast<int>(a[1]) & FUTEX_CMD_MASK;
  const clockid_t clock = (a[1] & FUTEX_CLOCK_REALTIME) != 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
  switch (op) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET:
      // A futex in memory shared with another process (libstdc++'s futures
      // leave FUTEX_PRIVATE_FLAG out, so the flag does not tell), whose wakes
      // the model never sees: the kernel's wait, the turn handed on.
      if ((a[1] & FUTEX_PRIVATE_FLAG) == 0 && shared_mapping(word)) {
        control_leave("a wait on a futex that may be shared with another process");
        const long result = kernel(number, a);
        const int saved = errno;
        control_return();
        errno = saved;
        return result;
      }
      return futex_wait(word, static_cast<int>(a[2]), reinterpret_cast<const timespec*>(a[3]), op == FUTEX_WAIT_BITSET,
                        clock, RACELAB_SITE());
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET: {
      // The kernel's wake too, for a thread that waits outside the model.
      const long modelled = futex_wake(word, a[2] <= 0 ? 0 : a[2]);
      const long kernel_woken = kernel(number, a);
      return modelled + (kernel_woken > 0 ? kernel_woken : 0);
    }
    default:
      return kernel(number, a);
  }
}
