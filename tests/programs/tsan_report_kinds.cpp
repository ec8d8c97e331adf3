// tsan_report_kinds KIND — a small program that makes ThreadSanitizer print
// one report of KIND, then exits. The parser's tests read its real output:
// golden logs come from running programs, never from hand-written text.
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>

// External linkage, so the compiler keeps every store to it.
int global_counter = 0;

namespace {

struct Account {
  long balance = 0;
};

__attribute__((noinline)) void writer_thread() { global_counter = 1; }
__attribute__((noinline)) void other_writer_thread() { global_counter = 2; }

__attribute__((noinline)) void deposit(Account* account) { account->balance += 50; }
__attribute__((noinline)) void withdraw(Account* account) { account->balance -= 150; }

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

void* forgotten_worker(void*) { return nullptr; }

int thread_leak() {
  pthread_t thread;
  pthread_create(&thread, nullptr, forgotten_worker, nullptr);
  usleep(50000);
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
  std::fprintf(stderr, "usage: tsan_report_kinds KIND\n");
  return 2;
}
