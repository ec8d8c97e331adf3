// tsan_report_kinds KIND — a small program that makes ThreadSanitizer print
// one report of KIND, then exits. The parser's tests read its real output:
// golden logs come from running programs, never from hand-written text.
//
// Each scenario prints exactly one report. Where two accesses must come in a
// fixed order (so that the report's "current" and "previous" access are
// always the same), the threads take turns through a relaxed atomic
// (`reach_step` / `wait_for_step`): relaxed operations order the threads in
// time but give TSan no happens-before edge, so the race is still there.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

// TSan's own interface (sanitizer/tsan_interface.h), declared here so the
// program needs no sanitizer headers.
extern "C" {
void __tsan_mutex_create(void* addr, unsigned flags);
void __tsan_mutex_destroy(void* addr, unsigned flags);
void __tsan_mutex_pre_lock(void* addr, unsigned flags);
void __tsan_mutex_post_lock(void* addr, unsigned flags, int recursion);
int __tsan_mutex_pre_unlock(void* addr, unsigned flags);
void __tsan_mutex_post_unlock(void* addr, unsigned flags);
void* __tsan_external_register_tag(const char* object_type);
void __tsan_external_register_header(void* tag, const char* header);
void __tsan_external_assign_tag(void* addr, void* tag);
void __tsan_external_read(void* addr, void* caller_pc, void* tag);
void __tsan_external_write(void* addr, void* caller_pc, void* tag);
// Newer runtimes only (LLVM 18+); weak, so older ones still link.
void __tsan_check_no_mutexes_held() __attribute__((weak));
}

// External linkage, so the compiler keeps every store to it.
int global_counter = 0;
int atomic_target = 0;
long guarded_hits = 0;
long napping_value = 0;
void* volatile handler_buffer = nullptr;
thread_local long tls_slot = 0;

namespace {

struct Account {
  long balance = 0;
};

// Turn-taking without happens-before (see the top of the file).
std::atomic<int> step{0};
void reach_step(int n) { step.store(n, std::memory_order_relaxed); }
void wait_for_step(int n) {
  while (step.load(std::memory_order_relaxed) < n) sched_yield();
}

// The two racing threads take turns, and the first stays alive until the
// second has made its access. TSan hands a finished thread's slot to the next
// thread it starts and may then miss the race; two accesses made at the same
// instant it may miss as well (each checks the shadow before the other's
// store lands).
__attribute__((noinline)) void writer_thread() {
  global_counter = 1;
  reach_step(1);
  wait_for_step(2);
}
__attribute__((noinline)) void other_writer_thread() {
  wait_for_step(1);
  global_counter = 2;
  reach_step(2);
}

__attribute__((noinline)) void deposit(Account* account) {
  account->balance += 50;
  reach_step(1);
  wait_for_step(2);
}
__attribute__((noinline)) void withdraw(Account* account) {
  wait_for_step(1);
  account->balance -= 150;
  reach_step(2);
}

int data_race() {
  std::thread a(writer_thread);
  std::thread b(other_writer_thread);
  a.join();
  b.join();
  return 0;
}

int heap_race() {
  auto* account = new Account;
  std::thread a(deposit, account);
  std::thread b(withdraw, account);
  a.join();
  b.join();
  delete account;
  return 0;
}

pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t second = PTHREAD_MUTEX_INITIALIZER;

__attribute__((noinline)) void lock_first_then_second() {
  pthread_mutex_lock(&first);
  pthread_mutex_lock(&second);
  pthread_mutex_unlock(&second);
  pthread_mutex_unlock(&first);
}

__attribute__((noinline)) void lock_second_then_first() {
  pthread_mutex_lock(&second);
  pthread_mutex_lock(&first);
  pthread_mutex_unlock(&first);
  pthread_mutex_unlock(&second);
}

int lock_order() {
  // One after the other: the inversion is there, the deadlock never happens.
  std::thread a(lock_first_then_second);
  a.join();
  std::thread b(lock_second_then_first);
  b.join();
  return 0;
}

__attribute__((noinline)) void use_after_free_reader(Account* account) {
  usleep(100000);  // long after the free, with nothing ordering the two
  std::printf("balance %ld\n", account->balance);
}

int use_after_free() {
  auto* account = new Account;
  std::thread reader(use_after_free_reader, account);
  delete account;
  reader.join();
  return 0;
}

// A thread that says who it is and ends; nobody joins it.
void* forgotten_worker(void* tid) {
  static_cast<std::atomic<pid_t>*>(tid)->store(gettid(), std::memory_order_relaxed);
  return nullptr;
}

// TSan reports a leak only for a thread that has finished: wait (up to 10 s)
// until the thread's task is gone from /proc/self/task.
void wait_for_thread_to_end(const std::atomic<pid_t>& tid) {
  char path[64] = "";
  for (int i = 0; i < 10000; ++i, usleep(1000)) {
    const pid_t id = tid.load(std::memory_order_relaxed);
    if (id == 0) continue;
    std::snprintf(path, sizeof path, "/proc/self/task/%d", static_cast<int>(id));
    if (access(path, F_OK) != 0) return;
  }
}

int thread_leak() {
  static std::atomic<pid_t> tid{0};
  pthread_t thread;
  pthread_create(&thread, nullptr, forgotten_worker, &tid);
  wait_for_thread_to_end(tid);
  return 0;  // never joined
}

int bad_unlock() {
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_mutex_unlock(&mutex);
  return 0;
}

int locked_destroy() {
  pthread_mutex_t mutex;
  pthread_mutex_init(&mutex, nullptr);
  pthread_mutex_lock(&mutex);
  pthread_mutex_destroy(&mutex);
  return 0;
}

int noisy_race() {
  for (int i = 0; i < 50; ++i) std::printf("program output line %d: WARNING: not from TSan\n", i);
  std::fprintf(stderr, "program stderr: ==================\n");
  std::thread a([] {
    for (int i = 0; i < 20; ++i) std::fprintf(stderr, "worker a says %d\n", i);
    writer_thread();
  });
  std::thread b([] {
    for (int i = 0; i < 20; ++i) std::fprintf(stderr, "worker b says %d\n", i);
    other_writer_thread();
  });
  a.join();
  b.join();
  return 0;
}

// Keeps `value` (and the access that produced it, in the caller) without
// storing it anywhere another thread could race on.
template <typename T>
void keep(T value) {
  asm volatile("" : : "r"(value) : "memory");
}

__attribute__((noinline)) void record(long* slot, long value) { *slot = value; }

// atomic-race: a plain read, then an atomic write of the same int.
__attribute__((noinline)) void plain_reader() {
  keep(atomic_target);
  reach_step(1);
}
__attribute__((noinline)) void atomic_writer() {
  wait_for_step(1);
  __atomic_store_n(&atomic_target, 1, __ATOMIC_RELAXED);
}

int atomic_race() {
  std::thread a(plain_reader);
  std::thread b(atomic_writer);
  a.join();
  b.join();
  return 0;
}

// A polymorphic object whose destructor does some work (so the compiler keeps
// the vptr stores of the destructors).
__attribute__((noinline)) void note_destroyed(const void* object) { keep(object); }

struct Shape {
  Shape() = default;
  Shape(const Shape&) = delete;
  Shape& operator=(const Shape&) = delete;
  virtual ~Shape() { note_destroyed(this); }
  virtual const char* name() const { return "shape"; }
};
struct Square : Shape {
  ~Square() override { note_destroyed(this); }
  const char* name() const override { return "square"; }
};

__attribute__((noinline)) void call_virtual(const Shape* shape) { keep(shape->name()); }
__attribute__((noinline)) void destroy_shape(Shape* shape) { delete shape; }

// vptr-race: a virtual call, then (on another thread, unordered) the destructor.
int vptr_race() {
  Shape* shape = new Square;
  std::thread caller([shape] {
    call_virtual(shape);
    reach_step(1);
  });
  wait_for_step(1);
  destroy_shape(shape);
  caller.join();
  return 0;
}

// vptr-use-after-free: the object is deleted, then another thread makes a
// virtual call on it. TSan's allocator leaves the freed block as it was, so
// the call still lands in Square::name().
int vptr_use_after_free() {
  Shape* shape = new Square;
  std::thread caller([shape] {
    wait_for_step(1);
    call_virtual(shape);
  });
  destroy_shape(shape);
  reach_step(1);
  caller.join();
  return 0;
}

// mutex-double-lock: a thread ends holding a mutex; the main thread
// re-initialises the mutex (the real lock is free again, TSan's record of its
// owner is not) and locks it.
pthread_mutex_t reused_mutex;

__attribute__((noinline)) void lock_and_forget() { pthread_mutex_lock(&reused_mutex); }

int double_lock() {
  pthread_mutex_init(&reused_mutex, nullptr);
  std::thread holder(lock_and_forget);
  holder.join();
  pthread_mutex_init(&reused_mutex, nullptr);
  pthread_mutex_lock(&reused_mutex);
  return 0;
}

// mutex-invalid-access: locking a destroyed mutex (glibc says EINVAL).
int invalid_access() {
  pthread_mutex_t mutex;
  pthread_mutex_init(&mutex, nullptr);
  pthread_mutex_destroy(&mutex);
  return pthread_mutex_lock(&mutex) == EINVAL ? 0 : 1;
}

// mutex-bad-read-lock: a write-locked rwlock is re-initialised, then
// read-locked (the real lock allows it, TSan still has it write-locked).
int bad_read_lock() {
  pthread_rwlock_t rwlock;
  pthread_rwlock_init(&rwlock, nullptr);
  pthread_rwlock_wrlock(&rwlock);
  pthread_rwlock_init(&rwlock, nullptr);
  pthread_rwlock_rdlock(&rwlock);
  return 0;
}

// mutex-bad-read-unlock: pthread_rwlock_unlock has one entry for both modes
// (TSan picks the mode itself), so a read unlock of a write-locked lock only
// exists for locks annotated with TSan's mutex API: a small reader-writer
// spin lock, write-locked and then released with unlock_shared().
class SpinRwLock {
 public:
  static constexpr unsigned kReadLock = 1u << 3;  // __tsan_mutex_read_lock

  SpinRwLock() { __tsan_mutex_create(this, 0); }
  ~SpinRwLock() { __tsan_mutex_destroy(this, 0); }
  SpinRwLock(const SpinRwLock&) = delete;
  SpinRwLock& operator=(const SpinRwLock&) = delete;

  void lock() {
    __tsan_mutex_pre_lock(this, 0);
    int expected = 0;
    while (!state_.compare_exchange_weak(expected, -1, std::memory_order_acquire)) {
      expected = 0;
      sched_yield();
    }
    __tsan_mutex_post_lock(this, 0, 0);
  }
  void unlock() {
    __tsan_mutex_pre_unlock(this, 0);
    state_.store(0, std::memory_order_release);
    __tsan_mutex_post_unlock(this, 0);
  }
  void unlock_shared() {
    __tsan_mutex_pre_unlock(this, kReadLock);
    state_.fetch_sub(1, std::memory_order_release);
    __tsan_mutex_post_unlock(this, kReadLock);
  }

 private:
  std::atomic<int> state_{0};
};

__attribute__((noinline)) void release_as_reader(SpinRwLock* lock) { lock->unlock_shared(); }

int bad_read_unlock() {
  SpinRwLock lock;
  lock.lock();
  release_as_reader(&lock);
  return 0;
}

// signal-unsafe-call: malloc inside a signal handler.
extern "C" void allocating_handler(int) { handler_buffer = std::malloc(64); }

int signal_unsafe() {
  std::signal(SIGUSR1, allocating_handler);
  std::raise(SIGUSR1);
  std::free(handler_buffer);
  return 0;
}

// errno-in-signal-handler: a handler whose failing write() changes errno.
// TSan only checks asynchronous signals, so another thread sends it.
extern "C" void errno_spoiling_handler(int) { keep(write(-1, "", 0)); }

__attribute__((noinline)) void wait_for_signal(pthread_t target) {
  std::thread sender([target] { pthread_kill(target, SIGUSR1); });
  sender.join();  // the signal arrives while this thread waits here
}

int errno_in_handler() {
  std::signal(SIGUSR1, errno_spoiling_handler);
  wait_for_signal(pthread_self());
  return 0;
}

// external-race: a "library" object whose accesses are annotated with TSan's
// external-race API; one thread modifies it, then another reads it.
struct Registry {
  long entries[2] = {0, 0};
};

void* registry_tag() {
  static void* tag = __tsan_external_register_tag("Registry");
  return tag;
}

__attribute__((noinline)) void registry_insert(Registry* registry) {
  __tsan_external_write(registry, __builtin_return_address(0), registry_tag());
}
__attribute__((noinline)) long registry_size(Registry* registry) {
  __tsan_external_read(registry, __builtin_return_address(0), registry_tag());
  return 0;
}

__attribute__((noinline)) void registry_writer(Registry* registry) {
  registry_insert(registry);
  reach_step(1);
}
__attribute__((noinline)) void registry_reader(Registry* registry) {
  wait_for_step(1);
  keep(registry_size(registry));
}

int external_race(const char* header) {
  if (header != nullptr) __tsan_external_register_header(registry_tag(), header);
  auto* registry = new Registry;
  __tsan_external_assign_tag(registry, registry_tag());
  std::thread writer(registry_writer, registry);
  std::thread reader(registry_reader, registry);
  writer.join();
  reader.join();
  delete registry;
  return 0;
}

// stack-race: two threads write a local variable of one of them (T1).
__attribute__((noinline)) void stack_owner() {
  long tally = 0;
  std::thread helper([&tally] {
    record(&tally, 1);
    reach_step(1);
  });
  wait_for_step(1);
  record(&tally, 2);
  helper.join();
}

int stack_race() {
  std::thread owner(stack_owner);
  owner.join();
  return 0;
}

// tls-race: two threads write a thread_local variable of one of them (T1).
__attribute__((noinline)) void tls_owner() {
  long* slot = &tls_slot;
  std::thread helper([slot] {
    record(slot, 1);
    reach_step(1);
  });
  wait_for_step(1);
  record(slot, 2);
  helper.join();
}

int tls_race() {
  std::thread owner(tls_owner);
  owner.join();
  return 0;
}

// fd-race: one thread reads a file descriptor, another closes it.
__attribute__((noinline)) void read_fd(int fd) {
  char c = 0;
  keep(read(fd, &c, 1));
  reach_step(1);
}
__attribute__((noinline)) void close_fd(int fd) {
  wait_for_step(1);
  close(fd);
}

int fd_race() {
  const int fd = open("/dev/null", O_RDONLY);
  if (fd < 0) return 1;
  std::thread reader(read_fd, fd);
  std::thread closer(close_fd, fd);
  reader.join();
  closer.join();
  return 0;
}

// mutex-race: one write under a mutex, one without (the report names the
// mutex held and where it was created).
pthread_mutex_t hits_mutex;

__attribute__((noinline)) void locked_hit() {
  pthread_mutex_lock(&hits_mutex);
  guarded_hits = 1;
  pthread_mutex_unlock(&hits_mutex);
  reach_step(1);
}
__attribute__((noinline)) void unlocked_hit() {
  wait_for_step(1);
  guarded_hits = 2;
}

int mutex_race() {
  pthread_mutex_init(&hits_mutex, nullptr);
  std::thread a(locked_hit);
  std::thread b(unlocked_hit);
  a.join();
  b.join();
  return 0;
}

// sleep-race: the second write comes after a sleep ("As if synchronized via
// sleep").
__attribute__((noinline)) void early_writer() {
  record(&napping_value, 1);
  reach_step(1);
}
__attribute__((noinline)) void sleepy_writer() {
  wait_for_step(1);
  usleep(1000);
  record(&napping_value, 2);
}

int sleep_race() {
  std::thread a(early_writer);
  std::thread b(sleepy_writer);
  a.join();
  b.join();
  return 0;
}

// thread-leaks: three threads from one place, never joined (one report, "And
// 2 more similar thread leaks").
int thread_leaks() {
  static std::atomic<pid_t> tids[3] = {};
  for (auto& tid : tids) {
    pthread_t thread;
    pthread_create(&thread, nullptr, forgotten_worker, &tid);
  }
  for (const auto& tid : tids) wait_for_thread_to_end(tid);
  return 0;
}

// mutex-held-wrong-context: __tsan_check_no_mutexes_held() with a mutex held.
int held_in_wrong_context() {
  if (__tsan_check_no_mutexes_held == nullptr) return 3;  // runtime too old
  pthread_mutex_t mutex;
  pthread_mutex_init(&mutex, nullptr);
  pthread_mutex_lock(&mutex);
  __tsan_check_no_mutexes_held();
  pthread_mutex_unlock(&mutex);
  pthread_mutex_destroy(&mutex);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* kind = argc > 1 ? argv[1] : "";
  if (std::strcmp(kind, "data-race") == 0) return data_race();
  if (std::strcmp(kind, "heap-race") == 0) return heap_race();
  if (std::strcmp(kind, "lock-order-inversion") == 0) return lock_order();
  if (std::strcmp(kind, "heap-use-after-free") == 0) return use_after_free();
  if (std::strcmp(kind, "thread-leak") == 0) return thread_leak();
  if (std::strcmp(kind, "mutex-bad-unlock") == 0) return bad_unlock();
  if (std::strcmp(kind, "locked-mutex-destroy") == 0) return locked_destroy();
  if (std::strcmp(kind, "noisy-race") == 0) return noisy_race();
  if (std::strcmp(kind, "atomic-race") == 0) return atomic_race();
  if (std::strcmp(kind, "data-race-vptr") == 0) return vptr_race();
  if (std::strcmp(kind, "heap-use-after-free-vptr") == 0) return vptr_use_after_free();
  if (std::strcmp(kind, "mutex-double-lock") == 0) return double_lock();
  if (std::strcmp(kind, "mutex-invalid-access") == 0) return invalid_access();
  if (std::strcmp(kind, "mutex-bad-read-lock") == 0) return bad_read_lock();
  if (std::strcmp(kind, "mutex-bad-read-unlock") == 0) return bad_read_unlock();
  if (std::strcmp(kind, "signal-unsafe-call") == 0) return signal_unsafe();
  if (std::strcmp(kind, "errno-in-signal-handler") == 0) return errno_in_handler();
  if (std::strcmp(kind, "external-race") == 0) return external_race(nullptr);
  if (std::strcmp(kind, "external-race-header") == 0) return external_race("unsynchronized Registry use");
  if (std::strcmp(kind, "stack-race") == 0) return stack_race();
  if (std::strcmp(kind, "tls-race") == 0) return tls_race();
  if (std::strcmp(kind, "fd-race") == 0) return fd_race();
  if (std::strcmp(kind, "mutex-race") == 0) return mutex_race();
  if (std::strcmp(kind, "sleep-race") == 0) return sleep_race();
  if (std::strcmp(kind, "thread-leaks") == 0) return thread_leaks();
  if (std::strcmp(kind, "mutex-held-wrong-context") == 0) return held_in_wrong_context();
  std::fprintf(stderr, "usage: tsan_report_kinds KIND\n");
  return 2;
}
