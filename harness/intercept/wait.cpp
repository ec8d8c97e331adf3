// Hooks: condition variables (std::condition_variable calls these),
// semaphores, barriers, pthread_once.
#include <cerrno>
#include <ctime>

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
}

namespace racelab::intercept {
namespace {

// pthread_cond_t shared with other processes: their signals are not seen.
bool shared(const pthread_condattr_t* attr) {
  int pshared = PTHREAD_PROCESS_PRIVATE;
  return attr != nullptr && pthread_condattr_getpshared(attr, &pshared) == 0 && pshared == PTHREAD_PROCESS_SHARED;
}

// A condition wait: the mutex is given up for the wait and owned again after.
template <class Wait>
int wait_on(pthread_cond_t* c, pthread_mutex_t* m, bool forever, const Site& site, Wait&& real) {
  gate_open();
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Condition& cond = condition_of(c);
    Mutex& mutex = mutex_of(m);
    if (mutex.owner == &me) {
      mutex.owner = nullptr;
      mutex.depth = 0;
      remove_held(me, m);
    }
    ++cond.waiters;
    start_wait(me, racelab::intercept::Wait::condition, forever && !cond.shared, c, site);
    me.wait_mutex = m;
    if (me.forever) check_wait(me);
  }
  const int rc = real();
  ScopedModel scoped;
  Thread& me = me_locked();
  end_wait(me);
  Condition& cond = condition_of(c);
  --cond.waiters;
  // A waiter that timed out leaves the signals it did not consume to others.
  if (rc == 0 && cond.pending > 0) --cond.pending;
  if (cond.pending > cond.waiters) cond.pending = cond.waiters;
  Mutex& mutex = mutex_of(m);
  if (mutex.owner != &me) {
    mutex.owner = &me;
    mutex.depth = 1;
    mutex.taken = site;
    ++mutex.generation;
    me.held.push_back(m);
  }
  return rc;
}


template <class Wait>
int sem_wait_on(sem_t* s, bool forever, const Site& site, Wait&& real) {
  gate_open();
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Semaphore& sem = semaphore_of(s);
    start_wait(me, racelab::intercept::Wait::semaphore, forever && sem.known, s, site);
    if (me.forever && sem.value <= 0) check_wait(me);
  }
  const int rc = real();
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
  return wait_on(c, m, true, RACELAB_SITE(), [&] { return RACELAB_TSAN(pthread_cond_wait)(c, m); });
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_cond_timedwait)(c, m, until);
  point();
  return wait_on(c, m, false, RACELAB_SITE(), [&] { return RACELAB_TSAN(pthread_cond_timedwait)(c, m, until); });
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_cond_clockwait)(c, m, clock, until);
  point();
  return wait_on(c, m, false, RACELAB_SITE(),
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
  return sem_wait_on(s, true, RACELAB_SITE(), [s] { return RACELAB_TSAN(sem_wait)(s); });
}

int sem_timedwait(sem_t* s, const timespec* until) {
  if (!active()) return RACELAB_TSAN(sem_timedwait)(s, until);
  point();
  return sem_wait_on(s, false, RACELAB_SITE(), [&] { return RACELAB_TSAN(sem_timedwait)(s, until); });
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
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Barrier& barrier = barrier_of(b);
    if (barrier.count > 0) {  // initialised here, private to this process
      if (++barrier.arrived >= barrier.count) {
        ++barrier.round;
        barrier.arrived = 0;
      } else {
        start_wait(me, Wait::barrier, true, b, site);
        me.barrier_round = barrier.round;
        check_wait(me);
      }
    }
  }
  const int rc = RACELAB_TSAN(pthread_barrier_wait)(b);
  ScopedModel scoped;
  end_wait(me_locked());
  return rc;
}

int pthread_once(pthread_once_t* once, void (*init)()) {
  if (active()) point();
  return RACELAB_TSAN(pthread_once)(once, init);
}

}  // extern "C"
