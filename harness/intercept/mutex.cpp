// Hooks: pthread mutexes (std::mutex, std::recursive_mutex, std::timed_mutex
// call these) and rwlocks (std::shared_mutex).
#include <cerrno>
#include <ctime>

#include "intercept.h"

extern "C" {
int RACELAB_TSAN(pthread_mutex_init)(pthread_mutex_t*, const pthread_mutexattr_t*);
int RACELAB_TSAN(pthread_mutex_destroy)(pthread_mutex_t*);
int RACELAB_TSAN(pthread_mutex_lock)(pthread_mutex_t*);
int RACELAB_TSAN(pthread_mutex_trylock)(pthread_mutex_t*);
int RACELAB_TSAN(pthread_mutex_timedlock)(pthread_mutex_t*, const timespec*);
int RACELAB_TSAN(pthread_mutex_clocklock)(pthread_mutex_t*, clockid_t, const timespec*);
int RACELAB_TSAN(pthread_mutex_unlock)(pthread_mutex_t*);
int RACELAB_TSAN(pthread_rwlock_init)(pthread_rwlock_t*, const pthread_rwlockattr_t*);
int RACELAB_TSAN(pthread_rwlock_destroy)(pthread_rwlock_t*);
int RACELAB_TSAN(pthread_rwlock_rdlock)(pthread_rwlock_t*);
int RACELAB_TSAN(pthread_rwlock_tryrdlock)(pthread_rwlock_t*);
int RACELAB_TSAN(pthread_rwlock_timedrdlock)(pthread_rwlock_t*, const timespec*);
int RACELAB_TSAN(pthread_rwlock_wrlock)(pthread_rwlock_t*);
int RACELAB_TSAN(pthread_rwlock_trywrlock)(pthread_rwlock_t*);
int RACELAB_TSAN(pthread_rwlock_timedwrlock)(pthread_rwlock_t*, const timespec*);
int RACELAB_TSAN(pthread_rwlock_unlock)(pthread_rwlock_t*);
int RACELAB_TSAN(pthread_spin_lock)(pthread_spinlock_t*);
int RACELAB_TSAN(pthread_spin_trylock)(pthread_spinlock_t*);
int RACELAB_TSAN(pthread_spin_unlock)(pthread_spinlock_t*);
}

namespace racelab::intercept {

namespace {

// glibc's mutex kinds (pthread_mutex_t::__data.__kind).
constexpr int kTypeMask = 3;  // normal (0), recursive (1), errorcheck (2), adaptive (3)
constexpr int kRecursive = 1;
constexpr int kErrorCheck = 2;
constexpr int kRobust = 16;
constexpr int kShared = 128;

int kind_of(const pthread_mutex_t* m) { return m->__data.__kind; }

// A normal or adaptive mutex re-locked by its owner blocks for ever.
bool relock_blocks(int kind) {
  const int type = kind & kTypeMask;
  return type != kRecursive && type != kErrorCheck && (kind & kRobust) == 0;
}

// Only other threads of this process can release it.
bool waits_forever(int kind) { return (kind & (kRobust | kShared)) == 0; }

void acquired(Thread& me, const void* m, const Site& site) {
  Mutex& state = mutex_of(m);
  if (state.owner == &me) {
    ++state.depth;
    return;
  }
  state.owner = &me;
  state.depth = 1;
  state.taken = site;
  ++state.generation;
  me.held.push_back(m);
}

[[noreturn]] void self_deadlock(const void* m, const Mutex& state, const Site& site) {
  const std::string name = name_of("mutex", state.id, m);
  end_process(Verdict::self_deadlock,
              "self-deadlock: a mutex locked again at " + place(site) + ", held since " + place(state.taken),
              "thread T" + std::to_string(state.owner.load()->ordinal) + " locks " + name + " at " + describe(site) +
                  ", but already holds it since " + describe(state.taken) +
                  ": a non-recursive mutex blocks its owner for ever");
}

// Unlock by a thread that does not hold it: the text of the note.
void misused_unlock(const Thread& me, const char* what, int id, const void* lock, const Thread* owner,
                    const Site& taken, const Site& site) {
  const std::string name = name_of(what, id, lock);
  note(Verdict::mutex_misuse, "unlock of a " + std::string(what) + " not held, at " + place(site),
       "thread T" + std::to_string(me.ordinal) + " unlocks " + name + " at " + describe(site) +
           (owner == nullptr ? ", which is not locked"
                             : ", which thread T" + std::to_string(owner->ordinal) + " holds (since " +
                                   describe(taken) + ")"));
}

// The calling thread's recently locked mutexes: address → record, valid
// while no record was erased (records are never moved: unordered_map nodes).
struct MutexCache {
  static constexpr int kSize = 8;
  const void* address[kSize] = {};
  Mutex* record[kSize] = {};
  std::uint64_t erasures = 0;
};
thread_local MutexCache t_cache;

Mutex* cached(const void* m) {
  MutexCache& c = t_cache;
  const std::uint64_t erasures = model().mutex_erasures.load(std::memory_order_relaxed);
  if (c.erasures != erasures) {
    c = MutexCache{};
    c.erasures = erasures;
  }
  const int slot = static_cast<int>((reinterpret_cast<std::uintptr_t>(m) >> 4) % MutexCache::kSize);
  return c.address[slot] == m ? c.record[slot] : nullptr;
}

void remember(const void* m, Mutex& record) {
  const int slot = static_cast<int>((reinterpret_cast<std::uintptr_t>(m) >> 4) % MutexCache::kSize);
  t_cache.address[slot] = m;
  t_cache.record[slot] = &record;
}

// Runs `record(me, state)` in a section of the model that calls no
// interceptor (ScopedModel::kNoInterceptors), when that is possible: the
// calling thread has a record, what it holds has room for one more, the
// mutex's record exists (found, never inserted) and `record` says it could
// (it returns false, having changed nothing, for what needs the full
// section). Else returns false, and the caller takes the full section.
template <class Record>
bool record_without_interceptors(const void* m, Record&& record) {
  ScopedModel scoped(ScopedModel::kNoInterceptors);
  Thread* me = current_thread();
  if (me == nullptr || me->held.size() == me->held.capacity()) return false;
  const auto it = model().mutexes.find(m);
  return it != model().mutexes.end() && record(*me, it->second);
}

// The common unlock, by its owner of the mutex it took last and remembers
// (MutexCache), in a section that calls no interceptor; false for any other
// (a misuse, an unknown mutex), which takes the full section.
bool unlock_without_interceptors(const void* m) {
  ScopedModel scoped(ScopedModel::kNoInterceptors);
  Thread* me = current_thread();
  Mutex* state = cached(m);  // under the model's lock: no erasure meanwhile
  if (me == nullptr || state == nullptr || state->owner != me || me->held.empty() || me->held.back() != m)
    return false;
  if (--state->depth == 0) {
    state->owner = nullptr;
    me->held.pop_back();
  }
  return true;
}

template <class Lock>
int lock_mutex(pthread_mutex_t* m, const Site& site, bool forever, const timespec* until, clockid_t clock,
               Lock&& real) {
  const int kind = kind_of(m);
  // The fast path: a thread that holds nothing (so no lock-order edge, and
  // no wait-for cycle through it) takes a mutex that is free. Its wait is not
  // marked; should another thread take the mutex first and keep it, this
  // wait is judged from outside, at the timeout.
  // (Only the thread itself changes what it holds, but for an unlock by
  // another thread, which only makes this path taken less.)
  // Not under pct, which must know who waits, nor under control, which
  // lets a thread into the kernel's lock only when the model says it is free.
  Thread* self = current_thread();
  if (Mutex* state = cached(m); strategy() != racelab::Strategy::pct && !controlled() && state != nullptr &&
                                self != nullptr && self->held.empty() && forever &&
                                state->owner.load(std::memory_order_relaxed) == nullptr) {
    const int rc = real();
    if (rc == 0 && record_without_interceptors(m, [&](Thread& me, Mutex&) {
          acquired(me, m, site);
          return true;
        }))
      return rc;
    ScopedModel scoped;
    Thread& me = me_locked();
    if (rc == 0) acquired(me, m, site);
    return rc;
  }
  // The wait marked, in the light section when nothing else is to do: the
  // thread holds nothing (no lock-order edge), the mutex is free or its
  // owner runs (no wait-for cycle, no lock leak, not every thread waits).
  const bool marked = strategy() != racelab::Strategy::pct && !controlled() &&
                      record_without_interceptors(m, [&](Thread& me, Mutex& state) {
                        const Thread* owner = state.owner;
                        if (!me.held.empty() || owner == &me ||
                            (owner != nullptr && (owner->finished || owner->wait != Wait::none)))
                          return false;
                        start_wait(me, Wait::mutex, forever && waits_forever(kind), m, site);
                        return true;
                      });
  if (!marked) {
    ScopedModel scoped;
    Thread& me = me_locked();
    Mutex& state = mutex_of(m);
    if (state.owner == &me && relock_blocks(kind) && forever) self_deadlock(m, state, site);
    if (state.owner != &me) {
      // Marked even when it is free now: another thread may take it first.
      start_wait(me, Wait::mutex, forever && waits_forever(kind), m, site);
      // Before TSan's lock, which reports a lock-order cycle this edge closes.
      if (forever) add_edges(me, m);
      if (state.owner != nullptr && me.forever) check_wait(me);
      // Under control others run until it is free (or the deadline comes).
      if (controlled() && !control_wait(scoped, me, until, clock)) {
        end_wait(me);
        failed_try(me, m, mutex_of(m), site);
        scoped.unlock();
        control_yield();
        return ETIMEDOUT;
      }
    }
  }
  const int rc = real();
  // (pct recomputes its top when a wait ends, in a full section.)
  if (rc == 0 && forever && strategy() != racelab::Strategy::pct &&
      record_without_interceptors(m, [&](Thread& me, Mutex& state) {
        end_wait(me);
        remember(m, state);
        acquired(me, m, site);
        return true;
      }))
    return rc;
  ScopedModel scoped;
  Thread& me = me_locked();
  end_wait(me);
  remember(m, mutex_of(m));
  if (rc == 0) {
    acquired(me, m, site);
    if (!forever) progress();
  } else if (rc == ETIMEDOUT) {
    const Mutex& state = mutex_of(m);
    failed_try(me, m, state, site);
  }
  return rc;
}


bool reads(const RwLock& state, const Thread& t) {
  for (const Thread* r : state.readers)
    if (r == &t) return true;
  return false;
}

template <class Lock>
int lock_rwlock(pthread_rwlock_t* l, bool write, bool forever, const timespec* until, const Site& site, Lock&& real) {
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    RwLock& state = rwlock_of(l);
    if (write && forever && reads(state, me))
      end_process(Verdict::self_deadlock,
                  "self-deadlock: write lock of a rwlock held for reading, at " + place(site),
                  "thread T" + std::to_string(me.ordinal) + " asks for " + name_of("rwlock", state.id, l) +
                      " for writing at " + describe(site) + " while it holds it for reading (since " +
                      describe(state.taken) + "): the write lock waits for every reader to leave, this "
                      "thread included (a read lock cannot be upgraded)");
    if (state.writer != &me) {
      start_wait(me, write ? Wait::write_lock : Wait::read_lock, forever, l, site);
      if (forever) add_edges(me, l);
      const bool busy = state.writer != nullptr || (write && !state.readers.empty());
      if (busy && forever) check_wait(me);
      // Under control: into the kernel only when it is free (a try fails at once).
      if (controlled() && busy) {
        const bool try_only = !forever && until == nullptr;
        if (try_only || !control_wait(scoped, me, until, CLOCK_REALTIME)) {
          end_wait(me);
          return try_only ? EBUSY : ETIMEDOUT;
        }
      }
    }
  }
  const int rc = real();
  ScopedModel scoped;
  Thread& me = me_locked();
  end_wait(me);
  RwLock& state = rwlock_of(l);
  if (rc == 0) {
    if (write)
      state.writer = &me;
    else
      state.readers.push_back(&me);
    state.taken = site;
    me.held.push_back(l);
    if (!forever) progress();
  }
  return rc;
}

}  // namespace
}  // namespace racelab::intercept

using namespace racelab::intercept;
using racelab::Verdict;

extern "C" {

int pthread_mutex_init(pthread_mutex_t* m, const pthread_mutexattr_t* attr) {
  if (active()) {
    ScopedModel scoped;
    model().mutexes.erase(m);
    model().mutex_erasures.fetch_add(1, std::memory_order_relaxed);
    mutex_of(m).lifetime_known = true;
  }
  return RACELAB_TSAN(pthread_mutex_init)(m, attr);
}

int pthread_mutex_destroy(pthread_mutex_t* m) {
  if (active()) {
    const Site site = RACELAB_SITE();
    ScopedModel scoped;
    if (auto it = model().mutexes.find(m); it != model().mutexes.end()) {
      const Mutex& state = it->second;
      if (state.owner != nullptr && !state.owner.load()->finished)
        note(Verdict::mutex_misuse, "destroy of a locked mutex at " + place(site),
             name_of("mutex", state.id, m) + " is destroyed at " + describe(site) + " while thread T" +
                 std::to_string(state.owner.load()->ordinal) + " holds it (since " + describe(state.taken) + ")");
      model().mutexes.erase(it);
      model().mutex_erasures.fetch_add(1, std::memory_order_relaxed);
      model().edges.erase(m);
      for (auto& [from, out] : model().edges) out.erase(m);
    }
  }
  return RACELAB_TSAN(pthread_mutex_destroy)(m);
}

int pthread_mutex_lock(pthread_mutex_t* m) {
  if (!active()) return RACELAB_TSAN(pthread_mutex_lock)(m);
  point();
  return lock_mutex(m, RACELAB_SITE(), true, nullptr, CLOCK_REALTIME, [m] { return RACELAB_TSAN(pthread_mutex_lock)(m); });
}

int pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_mutex_timedlock)(m, until);
  point();
  return lock_mutex(m, RACELAB_SITE(), false, until, CLOCK_REALTIME,
                    [&] { return RACELAB_TSAN(pthread_mutex_timedlock)(m, until); });
}

int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_mutex_clocklock)(m, clock, until);
  point();
  return lock_mutex(m, RACELAB_SITE(), false, until, clock,
                    [&] { return RACELAB_TSAN(pthread_mutex_clocklock)(m, clock, until); });
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  if (!active()) return RACELAB_TSAN(pthread_mutex_trylock)(m);
  point();
  const Site site = RACELAB_SITE();
  const int rc = RACELAB_TSAN(pthread_mutex_trylock)(m);
  ScopedModel scoped;
  Thread& me = me_locked();
  if (rc == 0) {
    acquired(me, m, site);
    progress();
  } else if (rc == EBUSY) {
    failed_try(me, m, mutex_of(m), site);
    scoped.unlock();
    control_yield();
  }
  return rc;
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  if (!active()) return RACELAB_TSAN(pthread_mutex_unlock)(m);
  if (unlock_without_interceptors(m)) {
    const int rc = RACELAB_TSAN(pthread_mutex_unlock)(m);
    point();
    return rc;
  }
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    Mutex& state = mutex_of(m);
    if (state.owner != &me) {
      // The site only for the note: a walk of the stack on every unlock is not free.
      misused_unlock(me, "mutex", state.id, m, state.owner, state.taken, RACELAB_SITE());
      // A normal mutex is released whoever unlocks it.
      if (state.owner != nullptr && relock_blocks(kind_of(m))) {
        remove_held(*state.owner, m);
        state.owner = nullptr;
        state.depth = 0;
      }
    } else if (--state.depth == 0) {
      state.owner = nullptr;
      remove_held(me, m);
    }
  }
  const int rc = RACELAB_TSAN(pthread_mutex_unlock)(m);
  point();
  return rc;
}

// ---- rwlocks ----

int pthread_rwlock_init(pthread_rwlock_t* l, const pthread_rwlockattr_t* attr) {
  if (active()) {
    ScopedModel scoped;
    model().rwlocks.erase(l);
    rwlock_of(l).lifetime_known = true;
  }
  return RACELAB_TSAN(pthread_rwlock_init)(l, attr);
}

int pthread_rwlock_destroy(pthread_rwlock_t* l) {
  if (active()) {
    ScopedModel scoped;
    model().rwlocks.erase(l);
    model().edges.erase(l);
    for (auto& [from, out] : model().edges) out.erase(l);
  }
  return RACELAB_TSAN(pthread_rwlock_destroy)(l);
}


int pthread_rwlock_rdlock(pthread_rwlock_t* l) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_rdlock)(l);
  point();
  return lock_rwlock(l, false, true, nullptr, RACELAB_SITE(), [l] { return RACELAB_TSAN(pthread_rwlock_rdlock)(l); });
}

int pthread_rwlock_wrlock(pthread_rwlock_t* l) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_wrlock)(l);
  point();
  return lock_rwlock(l, true, true, nullptr, RACELAB_SITE(), [l] { return RACELAB_TSAN(pthread_rwlock_wrlock)(l); });
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t* l) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_tryrdlock)(l);
  point();
  return lock_rwlock(l, false, false, nullptr, RACELAB_SITE(), [l] { return RACELAB_TSAN(pthread_rwlock_tryrdlock)(l); });
}

int pthread_rwlock_trywrlock(pthread_rwlock_t* l) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_trywrlock)(l);
  point();
  return lock_rwlock(l, true, false, nullptr, RACELAB_SITE(), [l] { return RACELAB_TSAN(pthread_rwlock_trywrlock)(l); });
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t* l, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_timedrdlock)(l, until);
  point();
  return lock_rwlock(l, false, false, until, RACELAB_SITE(),
                     [&] { return RACELAB_TSAN(pthread_rwlock_timedrdlock)(l, until); });
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t* l, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_timedwrlock)(l, until);
  point();
  return lock_rwlock(l, true, false, until, RACELAB_SITE(),
                     [&] { return RACELAB_TSAN(pthread_rwlock_timedwrlock)(l, until); });
}

int pthread_rwlock_unlock(pthread_rwlock_t* l) {
  if (!active()) return RACELAB_TSAN(pthread_rwlock_unlock)(l);
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    RwLock& state = rwlock_of(l);
    if (state.writer == &me) {
      state.writer = nullptr;
      remove_held(me, l);
    } else if (reads(state, me)) {
      for (auto it = state.readers.begin(); it != state.readers.end(); ++it)
        if (*it == &me) {
          state.readers.erase(it);
          break;
        }
      remove_held(me, l);
    } else {
      misused_unlock(me, "rwlock", state.id, l, state.writer, state.taken, RACELAB_SITE());
    }
  }
  const int rc = RACELAB_TSAN(pthread_rwlock_unlock)(l);
  point();
  return rc;
}

// ---- spin locks: scheduling points only (a spinning thread is busy, not waiting) ----

int pthread_spin_lock(pthread_spinlock_t* s) {
  if (active()) point();
  return RACELAB_TSAN(pthread_spin_lock)(s);
}

int pthread_spin_trylock(pthread_spinlock_t* s) {
  if (active()) point();
  return RACELAB_TSAN(pthread_spin_trylock)(s);
}

int pthread_spin_unlock(pthread_spinlock_t* s) {
  const int rc = RACELAB_TSAN(pthread_spin_unlock)(s);
  if (active()) point();
  return rc;
}

}  // extern "C"
