// Hooks: condition variables (std::condition_variable calls these),
// semaphores, barriers, pthread_once.
#include <cerrno>
#include <ctime>

#include <sanitizer/tsan_interface.h>

#include "intercept.h"

extern "C" {
int RACELAB_TSAN(pthread_cond_init)(pthread_cond_t*, const pthread_condattr_t*);
int RACELAB_TSAN(pthread_cond_destroy)(pthread_cond_t*);
int RACELAB_TSAN(pthread_cond_wait)(pthread_cond_t*, pthread_mutex_t*);
int RACELAB_TSAN(pthread_cond_timedwait)(pthread_cond_t*, pthread_mutex_t*, const timespec*);
int RACELAB_TSAN(pthread_cond_clockwait)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*);
int RACELAB_TSAN(pthread_cond_signal)(pthread_cond_t*);
int RACELAB_TSAN(pthread_cond_broadcast)(pthread_cond_t*);
int RACELAB_TSAN(sem_init)(sem_t*, int, unsigned);
int RACELAB_TSAN(sem_destroy)(sem_t*);
int RACELAB_TSAN(sem_wait)(sem_t*);
int RACELAB_TSAN(sem_trywait)(sem_t*);
int RACELAB_TSAN(sem_timedwait)(sem_t*, const timespec*);
int RACELAB_TSAN(sem_post)(sem_t*);
int RACELAB_TSAN(pthread_barrier_init)(pthread_barrier_t*, const pthread_barrierattr_t*, unsigned);
int RACELAB_TSAN(pthread_barrier_destroy)(pthread_barrier_t*);
int RACELAB_TSAN(pthread_barrier_wait)(pthread_barrier_t*);
int RACELAB_TSAN(pthread_once)(pthread_once_t*, void (*)());
int RACELAB_TSAN(pthread_mutex_lock)(pthread_mutex_t*);
int RACELAB_TSAN(pthread_mutex_unlock)(pthread_mutex_t*);
}

namespace racelab::intercept {
namespace {

// pthread_cond_t shared with other processes: their signals are not seen.
bool shared(const pthread_condattr_t* attr) {
  int pshared = PTHREAD_PROCESS_PRIVATE;
  return attr != nullptr && pthread_condattr_getpshared(attr, &pshared) == 0 && pshared == PTHREAD_PROCESS_SHARED;
}

// Gives `m` back to the model, as a condition wait does.
void give_back(Thread& me, const void* m) {
  Mutex& mutex = mutex_of(m);
  if (mutex.owner == &me) {
    mutex.owner = nullptr;
    mutex.depth = 0;
    remove_held(me, m);
  }
}

// `me` owns `m` again, after a condition wait.
void take_back(Thread& me, const void* m, const Site& site) {
  Mutex& mutex = mutex_of(m);
  if (mutex.owner != &me) {
    mutex.owner = &me;
    mutex.depth = 1;
    mutex.taken = site;
    ++mutex.generation;
    me.held.push_back(m);
  }
}

// A condition wait under control, never the kernel's: TSan's unlock of the
// mutex, the wait in the model (a signal or broadcast, then the mutex free),
// TSan's lock of it, as TSan models a wait itself. No spurious wake-ups; a
// timed wait times out only when no other thread can run.
int wait_controlled(pthread_cond_t* c, pthread_mutex_t* m, bool forever, const timespec* until, clockid_t clock,
                    const Site& site) {
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    give_back(me, m);
    ++condition_of(c).waiters;
    start_wait(me, racelab::intercept::Wait::condition, forever, c, site);
    me.wait_mutex = m;
    if (me.forever) check_wait(me);
  }
  RACELAB_TSAN(pthread_mutex_unlock)(m);
  bool signalled = false;
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    signalled = control_wait(scoped, me, until, clock);
    Condition& cond = condition_of(c);
    --cond.waiters;
    if (signalled && cond.pending > 0) --cond.pending;
    if (cond.pending > cond.waiters) cond.pending = cond.waiters;
    end_wait(me);
    if (!signalled) {  // timed out: the mutex back, as soon as it is free
      start_wait(me, racelab::intercept::Wait::mutex, true, m, site);
      check_wait(me);
      control_wait(scoped, me, nullptr, clock);
      end_wait(me);
    }
  }
  RACELAB_TSAN(pthread_mutex_lock)(m);  // free: it does not block
  ScopedModel scoped;
  take_back(me_locked(), m, site);
  return signalled ? 0 : ETIMEDOUT;
}

// A one-time initialisation (pthread_once, a function-local static) under
// control: true when the calling thread is to run it (it waited while
// another ran it), false when it is done.
bool once_begin(const void* once, const Site& site) {
  ScopedModel scoped;
  Thread& me = me_locked();
  Once& state = model().onces[once];
  if (state.done) return false;
  if (state.runner != nullptr && state.runner != &me) {
    start_wait(me, racelab::intercept::Wait::once, true, once, site);
    check_wait(me);
    control_wait(scoped, me, nullptr, CLOCK_REALTIME);
    end_wait(me);
    if (state.done) return false;
  }
  state.runner = &me;
  return true;
}

void once_end(const void* once, bool done) {
  ScopedModel scoped;
  Once& state = model().onces[once];
  state.runner = nullptr;
  state.done = done;
}

// Around a call the scheduler does not model: the baton goes to another
// thread meanwhile (control.cpp).
struct Outside {
  explicit Outside(const char* why) { control_leave(why); }
  ~Outside() { control_return(); }
  Outside(const Outside&) = delete;
  Outside& operator=(const Outside&) = delete;
};

// A condition wait: the mutex is given up for the wait and owned again after.
template <class Wait>
int wait_on(pthread_cond_t* c, pthread_mutex_t* m, bool forever, const timespec* until, clockid_t clock,
            const Site& site, Wait&& real) {
  gate_open();
  bool shared_with_others = false;
  if (controlled()) {
    {
      ScopedModel scoped;
      shared_with_others = condition_of(c).shared;
    }
    if (!shared_with_others) return wait_controlled(c, m, forever, until, clock, site);
  }
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Condition& cond = condition_of(c);
    give_back(me, m);
    ++cond.waiters;
    start_wait(me, racelab::intercept::Wait::condition, forever && !cond.shared, c, site);
    me.wait_mutex = m;
    if (me.forever) check_wait(me);
  }
  const int rc = [&] {
    if (!shared_with_others) return real();
    Outside outside("a wait on a condition variable shared with other processes");
    return real();
  }();
  ScopedModel scoped;
  Thread& me = me_locked();
  end_wait(me);
  Condition& cond = condition_of(c);
  --cond.waiters;
  // A waiter that timed out leaves the signals it did not consume to others.
  if (rc == 0 && cond.pending > 0) --cond.pending;
  if (cond.pending > cond.waiters) cond.pending = cond.waiters;
  take_back(me, m, site);
  return rc;
}


template <class Wait>
int sem_wait_on(sem_t* s, bool forever, const timespec* until, const Site& site, Wait&& real) {
  gate_open();
  bool known = false;
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Semaphore& sem = semaphore_of(s);
    known = sem.known;
    start_wait(me, racelab::intercept::Wait::semaphore, forever && sem.known, s, site);
    if (me.forever && sem.value <= 0) check_wait(me);
    // Under control: into the kernel only when the count is above 0.
    if (controlled() && known && !control_wait(scoped, me, until, CLOCK_REALTIME)) {
      end_wait(me);
      errno = ETIMEDOUT;
      return -1;
    }
  }
  const int rc = [&] {
    if (known || !controlled()) return real();
    Outside outside("a wait on a semaphore shared with other processes");
    return real();
  }();
  ScopedModel scoped;
  end_wait(me_locked());
  if (rc == 0) {
    Semaphore& sem = semaphore_of(s);
    if (sem.known && sem.value > 0) --sem.value;
  }
  return rc;
}

}  // namespace
}  // namespace racelab::intercept

using namespace racelab::intercept;
using racelab::Verdict;

extern "C" {

int pthread_cond_init(pthread_cond_t* c, const pthread_condattr_t* attr) {
  if (active()) {
    ScopedModel scoped;
    model().conditions.erase(c);
    condition_of(c).shared = shared(attr);
  }
  return RACELAB_TSAN(pthread_cond_init)(c, attr);
}

int pthread_cond_destroy(pthread_cond_t* c) {
  if (active()) {
    ScopedModel scoped;
    model().conditions.erase(c);
  }
  return RACELAB_TSAN(pthread_cond_destroy)(c);
}

int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  if (!active()) return RACELAB_TSAN(pthread_cond_wait)(c, m);
  point();
  return wait_on(c, m, true, nullptr, CLOCK_REALTIME, RACELAB_SITE(),
                 [&] { return RACELAB_TSAN(pthread_cond_wait)(c, m); });
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_cond_timedwait)(c, m, until);
  point();
  // (A condition's clock is set at its init: CLOCK_REALTIME unless the
  // program chose another, which control times with CLOCK_REALTIME too.)
  return wait_on(c, m, false, until, CLOCK_REALTIME, RACELAB_SITE(),
                 [&] { return RACELAB_TSAN(pthread_cond_timedwait)(c, m, until); });
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_cond_clockwait)(c, m, clock, until);
  point();
  return wait_on(c, m, false, until, clock, RACELAB_SITE(),
                 [&] { return RACELAB_TSAN(pthread_cond_clockwait)(c, m, clock, until); });
}

// A signal before anyone waits is lost, as in the kernel: only waiters
// present now may run.
int pthread_cond_signal(pthread_cond_t* c) {
  if (active()) {
    ScopedModel scoped;
    Condition& cond = condition_of(c);
    if (cond.pending < cond.waiters) ++cond.pending;
  }
  const int rc = RACELAB_TSAN(pthread_cond_signal)(c);
  if (active()) point();
  return rc;
}

int pthread_cond_broadcast(pthread_cond_t* c) {
  if (active()) {
    ScopedModel scoped;
    Condition& cond = condition_of(c);
    cond.pending = cond.waiters;
  }
  const int rc = RACELAB_TSAN(pthread_cond_broadcast)(c);
  if (active()) point();
  return rc;
}

// ---- semaphores: modelled when this process initialised them (sem_open's
// are shared with other processes, whose posts are not seen) ----

int sem_init(sem_t* s, int pshared, unsigned value) {
  const int rc = RACELAB_TSAN(sem_init)(s, pshared, value);
  if (rc == 0 && active()) {
    ScopedModel scoped;
    model().semaphores.erase(s);
    Semaphore& sem = semaphore_of(s);
    sem.known = pshared == 0;
    sem.value = static_cast<long>(value);
  }
  return rc;
}

int sem_destroy(sem_t* s) {
  if (active()) {
    ScopedModel scoped;
    model().semaphores.erase(s);
  }
  return RACELAB_TSAN(sem_destroy)(s);
}


int sem_wait(sem_t* s) {
  if (!active()) return RACELAB_TSAN(sem_wait)(s);
  point();
  return sem_wait_on(s, true, nullptr, RACELAB_SITE(), [s] { return RACELAB_TSAN(sem_wait)(s); });
}

int sem_timedwait(sem_t* s, const timespec* until) {
  if (!active()) return RACELAB_TSAN(sem_timedwait)(s, until);
  point();
  return sem_wait_on(s, false, until, RACELAB_SITE(), [&] { return RACELAB_TSAN(sem_timedwait)(s, until); });
}

int sem_trywait(sem_t* s) {
  if (!active()) return RACELAB_TSAN(sem_trywait)(s);
  point();
  const int rc = RACELAB_TSAN(sem_trywait)(s);
  if (rc == 0) {
    ScopedModel scoped;
    Semaphore& sem = semaphore_of(s);
    if (sem.known && sem.value > 0) --sem.value;
  }
  return rc;
}

int sem_post(sem_t* s) {
  if (active()) {
    ScopedModel scoped;
    ++semaphore_of(s).value;
  }
  const int rc = RACELAB_TSAN(sem_post)(s);
  if (active()) point();
  return rc;
}

// ---- barriers ----

int pthread_barrier_init(pthread_barrier_t* b, const pthread_barrierattr_t* attr, unsigned count) {
  const int rc = RACELAB_TSAN(pthread_barrier_init)(b, attr, count);
  if (rc == 0 && active()) {
    int pshared = PTHREAD_PROCESS_PRIVATE;
    if (attr != nullptr) pthread_barrierattr_getpshared(attr, &pshared);
    ScopedModel scoped;
    model().barriers.erase(b);
    Barrier& barrier = barrier_of(b);
    barrier.count = pshared == PTHREAD_PROCESS_SHARED ? 0 : count;
  }
  return rc;
}

int pthread_barrier_destroy(pthread_barrier_t* b) {
  if (active()) {
    ScopedModel scoped;
    model().barriers.erase(b);
  }
  return RACELAB_TSAN(pthread_barrier_destroy)(b);
}

int pthread_barrier_wait(pthread_barrier_t* b) {
  if (!active()) return RACELAB_TSAN(pthread_barrier_wait)(b);
  point();
  gate_open();
  const Site site = RACELAB_SITE();
  bool emulated = false;
  bool serial = false;
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Barrier& barrier = barrier_of(b);
    if (barrier.count > 0) {  // initialised here, private to this process
      // Under control the kernel's barrier is never entered (it would need
      // every thread in at once): the model's, with TSan's release at each
      // arrival and acquire at the leave, as the real one orders them.
      emulated = controlled();
      if (emulated) __tsan_release(b);
      if (++barrier.arrived >= barrier.count) {
        ++barrier.round;
        barrier.arrived = 0;
        serial = true;
      } else {
        start_wait(me, Wait::barrier, true, b, site);
        me.barrier_round = barrier.round;
        check_wait(me);
        if (emulated) {
          control_wait(scoped, me, nullptr, CLOCK_REALTIME);
          end_wait(me);
        }
      }
    }
  }
  if (emulated) {
    __tsan_acquire(b);
    return serial ? PTHREAD_BARRIER_SERIAL_THREAD : 0;
  }
  const int rc = RACELAB_TSAN(pthread_barrier_wait)(b);
  ScopedModel scoped;
  end_wait(me_locked());
  return rc;
}

// Under control, a one-time initialisation another thread runs is waited for
// in the model (TSan's own pthread_once would block in the kernel).
int pthread_once(pthread_once_t* once, void (*init)()) {
  if (!active()) return RACELAB_TSAN(pthread_once)(once, init);
  point();
  if (!controlled()) return RACELAB_TSAN(pthread_once)(once, init);
  const Site site = RACELAB_SITE();
  if (!once_begin(once, site)) return RACELAB_TSAN(pthread_once)(once, init);  // done already
  const int rc = RACELAB_TSAN(pthread_once)(once, init);
  once_end(once, true);
  return rc;
}

// Function-local statics: the compiler's calls, wrapped at link time
// (-Wl,--wrap=__cxa_guard_*), reach TSan's own guard through __real_.
int __real___cxa_guard_acquire(std::uint64_t* guard);
void __real___cxa_guard_release(std::uint64_t* guard);
void __real___cxa_guard_abort(std::uint64_t* guard);

int __wrap___cxa_guard_acquire(std::uint64_t* guard) {
  if (!active() || !controlled()) return __real___cxa_guard_acquire(guard);
  point();
  if (!once_begin(guard, RACELAB_SITE())) return __real___cxa_guard_acquire(guard);
  const int must_initialise = __real___cxa_guard_acquire(guard);
  if (must_initialise == 0) once_end(guard, true);  // another did it before racelab saw
  return must_initialise;
}

void __wrap___cxa_guard_release(std::uint64_t* guard) {
  __real___cxa_guard_release(guard);
  if (active() && controlled()) once_end(guard, true);
}

void __wrap___cxa_guard_abort(std::uint64_t* guard) {
  __real___cxa_guard_abort(guard);
  if (active() && controlled()) once_end(guard, false);
}

}  // extern "C"
