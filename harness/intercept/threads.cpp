// Hooks: thread creation, join, detach and exit.
#include <cerrno>
#include <ctime>

#include "intercept.h"

extern "C" {
int RACELAB_TSAN(pthread_create)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
int RACELAB_TSAN(pthread_join)(pthread_t, void**);
int RACELAB_TSAN(pthread_tryjoin_np)(pthread_t, void**);
int RACELAB_TSAN(pthread_timedjoin_np)(pthread_t, void**, const timespec*);
[[noreturn]] void RACELAB_TSAN(pthread_exit)(void*);
}

namespace racelab::intercept {

namespace {

struct Start : RtObject {
  void* (*routine)(void*);
  void* arg;
  Thread* thread;
};

void* start_thread(void* p) {
  const Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  adopt_thread(start.thread);
  control_thread_begins(*start.thread);
  {
    ScopedModel scoped;
    start.thread->handle = pthread_self();
  }
  gate_wait();
  void* result = start.routine(start.arg);
  thread_ended(*start.thread);
  return result;
}

// The thread `handle` names now: the latest one not yet joined.
Thread* thread_of(pthread_t handle) {
  auto& threads = model().threads;
  for (auto it = threads.rbegin(); it != threads.rend(); ++it)
    if (!(*it)->joined && pthread_equal((*it)->handle, handle)) return *it;
  return nullptr;
}

void joined(Thread& me, Thread* target) {
  if (target == nullptr) return;
  target->joined = true;
  me.clock.join(target->clock);
  me.clock.set(me.ordinal, me.clock.of(me.ordinal) + 1);
}

template <class Join>
int join_thread(pthread_t handle, bool forever, const timespec* until, const Site& site, Join&& real) {
  gate_open();
  Thread* target = nullptr;
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    target = thread_of(handle);
    if (target != nullptr && target != &me) {
      start_wait(me, Wait::join, forever, target, site);
      me.joining = target;
      if (forever && !target->finished) check_wait(me);
      // Under control a try-join of a live thread fails at once, and a timed
      // one waits its turn; the thread's end, not the kernel, decides.
      if (controlled() && !target->finished) {
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
  if (rc == 0) joined(me, target);
  return rc;
}

}  // namespace

void thread_ended(Thread& t) {
  gate_open();
  ScopedModel scoped;
  if (t.counted_exit) return;
  t.counted_exit = true;
  t.finished = true;
  end_wait(t);
  schedule_thread_finished();
  progress();
  // A lock leak: nobody can unlock what a finished thread holds.
  if (!t.held.empty()) {
    std::string what;
    for (const void* lock : t.held) {
      if (auto it = model().mutexes.find(lock); it != model().mutexes.end())
        what += (what.empty() ? "" : "; ") + name_of("mutex", it->second.id, lock) + " (taken at " +
                describe(it->second.taken) + ")";
      else if (auto rw = model().rwlocks.find(lock); rw != model().rwlocks.end())
        what += (what.empty() ? "" : "; ") + name_of("rwlock", rw->second.id, lock) + " (taken at " +
                describe(rw->second.taken) + ")";
    }
    const Mutex* first = nullptr;
    if (auto it = model().mutexes.find(t.held.front()); it != model().mutexes.end()) first = &it->second;
    note(Verdict::mutex_misuse,
         "lock leak: a thread ended holding a lock taken at " + (first ? place(first->taken) : std::string("?")),
         "lock leak: thread T" + std::to_string(t.ordinal) + " ended holding " + what +
             "; no other thread can unlock it");
  }
  check_all_waiting();
  control_thread_ended(t);
}

}  // namespace racelab::intercept

using namespace racelab::intercept;
using racelab::Verdict;

extern "C" {

int pthread_create(pthread_t* handle, const pthread_attr_t* attr, void* (*routine)(void*), void* arg) {
  if (!active()) return RACELAB_TSAN(pthread_create)(handle, attr, routine, arg);
  point();
  auto* child = new Thread;
  {
    ScopedModel scoped;
    Thread& me = me_locked();
    child->ordinal = static_cast<int>(model().threads.size());
    child->clock = me.clock;
    child->clock.set(child->ordinal, 1);
    me.clock.set(me.ordinal, me.clock.of(me.ordinal) + 1);
    child->rng = racelab::Rng(
        racelab::mix(seed(), static_cast<std::uint64_t>(child->ordinal - model().test_ordinal_base)));
    model().threads.push_back(child);
    schedule_thread_started(*child);
  }
  auto* start = new Start{{}, routine, arg, child};
  gate_close();
  control_watch();
  const int rc = RACELAB_TSAN(pthread_create)(handle, attr, start_thread, start);
  ScopedModel scoped;
  if (rc != 0) {
    delete start;
    child->finished = true;
    child->counted_exit = true;
    child->joined = true;
  } else {
    child->handle = *handle;
  }
  return rc;
}

int pthread_join(pthread_t handle, void** result) {
  if (!active()) return RACELAB_TSAN(pthread_join)(handle, result);
  point();
  return join_thread(handle, true, nullptr, RACELAB_SITE(),
                     [&] { return RACELAB_TSAN(pthread_join)(handle, result); });
}

int pthread_tryjoin_np(pthread_t handle, void** result) {
  if (!active()) return RACELAB_TSAN(pthread_tryjoin_np)(handle, result);
  point();
  return join_thread(handle, false, nullptr, RACELAB_SITE(),
                     [&] { return RACELAB_TSAN(pthread_tryjoin_np)(handle, result); });
}

int pthread_timedjoin_np(pthread_t handle, void** result, const timespec* until) {
  if (!active()) return RACELAB_TSAN(pthread_timedjoin_np)(handle, result, until);
  point();
  return join_thread(handle, false, until, RACELAB_SITE(),
                     [&] { return RACELAB_TSAN(pthread_timedjoin_np)(handle, result, until); });
}

void pthread_exit(void* result) {
  if (active()) {
    Thread* me = nullptr;
    {
      ScopedModel scoped;
      me = &me_locked();
    }
    thread_ended(*me);
  }
  RACELAB_TSAN(pthread_exit)(result);
}

}  // extern "C"
