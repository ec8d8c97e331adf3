// hostile_target MODE [ARG] — a program that misbehaves on purpose, for the
// tests of how racelab copes with hostile inputs (floods, leaked processes,
// hangs, crashes). One mode per run; an unknown mode prints the usage on
// stderr and exits 2.
//   clean               two threads add to a counter under a mutex; exit 0
//   race                the same without the mutex: a data race TSan reports
//   flood [MB]          MB MiB (default 50) of 'x' lines to stdout, fast; exit 0
//   flood-err [MB]      the same to stderr
//   escape-setsid       a child calls setsid() and sleeps 600 s; the parent prints the child's pid, exits 0
//   escape-double-fork  fork, setsid, fork: the grandchild sleeps 600 s; the parent reaps the middle
//                       child, prints the grandchild's pid, exits 0
//   spawn-and-wait      a child exits 0 after 50 ms and the parent waits for it (no leak); exit 0
//   orphan-brief        a child sleeps 100 ms; the parent exits 0 at once without waiting (a leak)
//   spin                a thread spins forever on a relaxed atomic; main joins it (busy hang)
//   block               a thread waits forever on a condition variable nobody signals (blocked hang)
//   self-lock           one thread locks a std::mutex twice (blocked hang)
//   abort               std::abort() inside hostile_abort_here()
//   assert              assert(value == 42) fails inside hostile_check_value(int)
//   segv                a write through a null pointer inside hostile_segv_here()
//   segv-other          the same inside hostile_segv_elsewhere() (another top frame)
//   throw               std::runtime_error("hostile") thrown out of main (std::terminate)
//   throw-logic         std::logic_error("hostile logic") thrown out of main
//   exit N              exits with code N, no report
//   sigterm-self        raise(SIGTERM): killed by a signal TSan does not report
//   fork-bomb-lite      5 children sleep 600 s each (no setsid); the parent prints their pids, exits 0
//   binary-out          4 KiB of bytes 0..255 (repeated) to stdout; exit 0
//
// Leaked children keep the parent's stdin, stdout and stderr open (nothing is
// closed or redirected): a reader waiting for end-of-file on the parent's
// pipes waits for them too. Between fork() and exit the children call only
// async-signal-safe functions (setsid, fork, nanosleep, _exit).
#undef NDEBUG
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// Outside any namespace and never inlined, so that TSan's and glibc's
// reports name them plainly as the frame where the program died.
__attribute__((noinline)) void hostile_abort_here() { std::abort(); }

__attribute__((noinline)) void hostile_check_value(int value) {
  assert(value == 42);
  std::printf("value = %d\n", value);
}

// The pointers are volatile so that the compiler cannot prove them null and
// turn the store into a trap instruction (SIGILL instead of SIGSEGV).
__attribute__((noinline)) void hostile_segv_here() {
  int* volatile target = nullptr;
  *target = 1;
}

__attribute__((noinline)) void hostile_segv_elsewhere() {
  int* volatile target = nullptr;
  *target = 2;
}

namespace {

int counter = 0;
std::mutex counter_mutex;

int add_twice(bool locked) {
  auto add = [locked] {
    for (int i = 0; i < 1000; ++i) {
      if (locked) {
        std::lock_guard lock(counter_mutex);
        ++counter;
      } else {
        ++counter;  // races with the other thread
      }
    }
  };
  std::thread a(add);
  std::thread b(add);
  a.join();
  b.join();
  std::printf("counter = %d\n", counter);
  return 0;
}

// Writes all of [data, data + size) to fd; false on an error (EPIPE, …).
bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

// MB mebibytes of 63 'x' and a newline per line, in 64 KiB writes.
int flood(int fd, const char* megabytes) {
  char* end = nullptr;
  const double mb = megabytes != nullptr ? std::strtod(megabytes, &end) : 50.0;
  if (!(mb >= 0) || (megabytes != nullptr && (end == megabytes || *end != '\0'))) {
    std::fprintf(stderr, "hostile_target: flood: bad size '%s'\n", megabytes);
    return 2;
  }
  std::string chunk(64 * 1024, 'x');
  for (size_t i = 63; i < chunk.size(); i += 64) chunk[i] = '\n';
  auto left = static_cast<unsigned long long>(mb * 1024 * 1024);
  while (left > 0) {
    const size_t n = left < chunk.size() ? static_cast<size_t>(left) : chunk.size();
    if (!write_all(fd, chunk.data(), n)) return 1;
    left -= n;
  }
  return 0;
}

// Sleeps `seconds`, resuming after signal handlers (async-signal-safe).
void sleep_for(time_t seconds, long nanoseconds = 0) {
  timespec left{seconds, nanoseconds};
  while (nanosleep(&left, &left) == -1 && errno == EINTR) {
  }
}

[[noreturn]] void sleep_then_exit(time_t seconds, long nanoseconds = 0) {
  sleep_for(seconds, nanoseconds);
  _exit(0);
}

pid_t checked_fork() {
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("hostile_target: fork");
    std::exit(3);
  }
  return pid;
}

int escape_setsid() {
  const pid_t child = checked_fork();
  if (child == 0) {
    setsid();
    sleep_then_exit(600);
  }
  std::printf("%d\n", static_cast<int>(child));
  return 0;
}

int escape_double_fork() {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 3;
  const pid_t middle = checked_fork();
  if (middle == 0) {
    setsid();
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      sleep_then_exit(600);
    }
    // Tell the parent the grandchild's pid (write() is async-signal-safe).
    write_all(pipe_fds[1], reinterpret_cast<const char*>(&grandchild), sizeof grandchild);
    _exit(grandchild > 0 ? 0 : 1);
  }
  close(pipe_fds[1]);
  pid_t grandchild = -1;
  const ssize_t got = read(pipe_fds[0], &grandchild, sizeof grandchild);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(middle, &status, 0);
  if (got == sizeof grandchild) std::printf("%d\n", static_cast<int>(grandchild));
  return 0;
}

int spawn_and_wait() {
  const pid_t child = checked_fork();
  if (child == 0) sleep_then_exit(0, 50'000'000);
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int orphan_brief() {
  if (checked_fork() == 0) sleep_then_exit(0, 100'000'000);
  return 0;
}

int fork_bomb_lite() {
  std::vector<pid_t> children;
  for (int i = 0; i < 5; ++i) {
    const pid_t child = checked_fork();
    if (child == 0) sleep_then_exit(600);
    children.push_back(child);
  }
  for (pid_t child : children) std::printf("%d\n", static_cast<int>(child));
  return 0;
}

int spin() {
  std::atomic<bool> stop{false};
  std::thread spinner([&stop] {
    while (!stop.load(std::memory_order_relaxed)) {
    }
  });
  spinner.join();  // never returns: nobody sets stop
  return 0;
}

int block() {
  std::mutex m;
  std::condition_variable cv;
  bool ready = false;
  std::thread waiter([&] {
    std::unique_lock lock(m);
    cv.wait(lock, [&ready] { return ready; });  // nobody notifies
  });
  waiter.join();
  return 0;
}

int self_lock() {
  std::mutex m;
  m.lock();
  m.lock();  // the same thread again: blocks forever
  return 0;
}

int binary_out() {
  char bytes[4096];
  for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<char>(i % 256);
  return write_all(STDOUT_FILENO, bytes, sizeof bytes) ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: hostile_target MODE [ARG]\n"
               "modes: clean race flood [MB] flood-err [MB] escape-setsid escape-double-fork\n"
               "       spawn-and-wait orphan-brief spin block self-lock abort assert segv\n"
               "       segv-other throw throw-logic exit N sigterm-self fork-bomb-lite binary-out\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const char* arg = argc > 2 ? argv[2] : nullptr;
  if (mode == "clean") return add_twice(true);
  if (mode == "race") return add_twice(false);
  if (mode == "flood") return flood(STDOUT_FILENO, arg);
  if (mode == "flood-err") return flood(STDERR_FILENO, arg);
  if (mode == "escape-setsid") return escape_setsid();
  if (mode == "escape-double-fork") return escape_double_fork();
  if (mode == "spawn-and-wait") return spawn_and_wait();
  if (mode == "orphan-brief") return orphan_brief();
  if (mode == "spin") return spin();
  if (mode == "block") return block();
  if (mode == "self-lock") return self_lock();
  if (mode == "abort") {
    hostile_abort_here();
    return 0;
  }
  if (mode == "assert") {
    hostile_check_value(argc + 6);  // 7 for `hostile_target assert`
    return 0;
  }
  if (mode == "segv") {
    hostile_segv_here();
    return 0;
  }
  if (mode == "segv-other") {
    hostile_segv_elsewhere();
    return 0;
  }
  if (mode == "throw") throw std::runtime_error("hostile");
  if (mode == "throw-logic") throw std::logic_error("hostile logic");
  if (mode == "exit" && arg != nullptr) {
    char* end = nullptr;
    const long code = std::strtol(arg, &end, 10);
    if (end != arg && *end == '\0') return static_cast<int>(code);
  }
  if (mode == "sigterm-self") {
    std::raise(SIGTERM);
    return 0;
  }
  if (mode == "fork-bomb-lite") return fork_bomb_lite();
  if (mode == "binary-out") return binary_out();
  return usage();
}
