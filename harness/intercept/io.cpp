// Hooks for strategy controlled only: time, and the blocking calls that
// wait for the world outside the program's threads (a pipe, a socket, a
// child process, a signal). Under any other strategy each goes straight to
// TSan's own (or the kernel).
//
// The clocks read logical time (intercept.h, logical_time()), and a sleep
// is a timed wait in it: the others run meanwhile, and it ends when logical
// time reaches its end, at once when no other thread can run. A read,
// recv, accept, poll or epoll_wait that would block waits in the model
// until its descriptor is ready (control_wait_io()): a write by another of
// the program's threads ends it at that step. A call that waits for the
// world alone (a child process, a signal) hands the baton to another thread
// for its duration (control_leave): when it returns depends on the world,
// so the run is then no longer replayable.
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include "intercept.h"

extern "C" {
int RACELAB_TSAN(clock_gettime)(clockid_t, timespec*);
int RACELAB_TSAN(gettimeofday)(timeval*, void*);
unsigned RACELAB_TSAN(sleep)(unsigned);
int RACELAB_TSAN(usleep)(useconds_t);
int RACELAB_TSAN(nanosleep)(const timespec*, timespec*);
ssize_t RACELAB_TSAN(read)(int, void*, size_t);
ssize_t RACELAB_TSAN(recv)(int, void*, size_t, int);
ssize_t RACELAB_TSAN(recvfrom)(int, void*, size_t, int, sockaddr*, socklen_t*);
ssize_t RACELAB_TSAN(recvmsg)(int, msghdr*, int);
int RACELAB_TSAN(accept)(int, sockaddr*, socklen_t*);
int RACELAB_TSAN(poll)(pollfd*, nfds_t, int);
int RACELAB_TSAN(epoll_wait)(int, epoll_event*, int, int);
pid_t RACELAB_TSAN(wait)(int*);
pid_t RACELAB_TSAN(waitpid)(pid_t, int*, int);
int RACELAB_TSAN(sigwait)(const sigset_t*, int*);
int RACELAB_TSAN(pause)();
}

namespace racelab::intercept {
namespace {

bool controlling() { return active() && controlled(); }

// Whether a read of `fd` (with `flags`, for recv) would wait: nothing to
// read yet, and the descriptor blocks. Asked of the kernel, without TSan.
bool waits(int fd, int flags = 0) {
  if ((flags & MSG_DONTWAIT) != 0) return false;
  const long status = raw_syscall(SYS_fcntl, fd, F_GETFL);
  if (status < 0 || (status & O_NONBLOCK) != 0) return false;
  pollfd p{fd, POLLIN, 0};
  return raw_syscall(SYS_poll, &p, 1, 0) == 0;
}

// Waits, in the model, until `fd` has something to read.
void wait_readable(int fd, const Site& site) {
  pollfd p{fd, POLLIN, 0};
  control_wait_io(&p, 1, -1, site);
}

bool valid(const timespec& t) { return t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1'000'000'000; }

// A sleep of `duration` in logical time; false when it must be a real one.
bool sleep_for(const timespec& duration, const Site& site) {
  timespec now{};
  return logical_time(CLOCK_MONOTONIC, now) && control_sleep(CLOCK_MONOTONIC, plus(now, duration), site);
}

template <class Call>
auto outside(const char* why, Call&& call) {
  control_leave(why);
  auto result = call();
  control_return();
  return result;
}

}  // namespace
}  // namespace racelab::intercept

using namespace racelab::intercept;

extern "C" {

int clock_gettime(clockid_t clock, timespec* now) {
  if (controlling() && logical_time(clock, *now)) return 0;
  return RACELAB_TSAN(clock_gettime)(clock, now);
}

int gettimeofday(timeval* now, void* zone) {
  timespec logical{};
  if (!controlling() || now == nullptr || !logical_time(CLOCK_REALTIME, logical))
    return RACELAB_TSAN(gettimeofday)(now, zone);
  now->tv_sec = logical.tv_sec;
  now->tv_usec = logical.tv_nsec / 1000;
  return 0;
}

// Not one of TSan's: libc's reads the clock directly.
time_t time(time_t* now) {
  timespec reading{};
  if (!controlling() || !logical_time(CLOCK_REALTIME, reading)) RACELAB_TSAN(clock_gettime)(CLOCK_REALTIME, &reading);
  if (now != nullptr) *now = reading.tv_sec;
  return reading.tv_sec;
}

unsigned sleep(unsigned seconds) {
  if (controlling() && sleep_for(timespec{static_cast<time_t>(seconds), 0}, RACELAB_SITE())) return 0;
  return RACELAB_TSAN(sleep)(seconds);
}

int usleep(useconds_t us) {
  if (controlling() && sleep_for(timespec{static_cast<time_t>(us / 1'000'000), static_cast<long>(us % 1'000'000) * 1000},
                                 RACELAB_SITE()))
    return 0;
  return RACELAB_TSAN(usleep)(us);
}

int nanosleep(const timespec* duration, timespec* left) {
  if (controlling() && duration != nullptr && valid(*duration) && sleep_for(*duration, RACELAB_SITE())) {
    if (left != nullptr) *left = timespec{};
    return 0;
  }
  return RACELAB_TSAN(nanosleep)(duration, left);
}

// Not one of TSan's: the kernel's when not under control.
int clock_nanosleep(clockid_t clock, int flags, const timespec* request, timespec* left) {
  if (controlling() && request != nullptr && valid(*request)) {
    timespec now{};
    if (logical_time(clock, now)) {
      const timespec until = (flags & TIMER_ABSTIME) != 0 ? *request : plus(now, *request);
      if (control_sleep(clock, until, RACELAB_SITE())) {
        if (left != nullptr && (flags & TIMER_ABSTIME) == 0) *left = timespec{};
        return 0;
      }
    }
  }
  return static_cast<int>(-raw_syscall(SYS_clock_nanosleep, clock, flags, request, left));
}

ssize_t read(int fd, void* buffer, size_t size) {
  if (controlling() && waits(fd)) wait_readable(fd, RACELAB_SITE());
  return RACELAB_TSAN(read)(fd, buffer, size);
}

ssize_t recv(int fd, void* buffer, size_t size, int flags) {
  if (controlling() && waits(fd, flags)) wait_readable(fd, RACELAB_SITE());
  return RACELAB_TSAN(recv)(fd, buffer, size, flags);
}

ssize_t recvfrom(int fd, void* buffer, size_t size, int flags, sockaddr* from, socklen_t* length) {
  if (controlling() && waits(fd, flags)) wait_readable(fd, RACELAB_SITE());
  return RACELAB_TSAN(recvfrom)(fd, buffer, size, flags, from, length);
}

ssize_t recvmsg(int fd, msghdr* message, int flags) {
  if (controlling() && waits(fd, flags)) wait_readable(fd, RACELAB_SITE());
  return RACELAB_TSAN(recvmsg)(fd, message, flags);
}

int accept(int fd, sockaddr* address, socklen_t* length) {
  if (controlling() && waits(fd)) wait_readable(fd, RACELAB_SITE());
  return RACELAB_TSAN(accept)(fd, address, length);
}

int poll(pollfd* fds, nfds_t count, int timeout_ms) {
  if (!controlling() || timeout_ms == 0) return RACELAB_TSAN(poll)(fds, count, timeout_ms);
  if (const int ready = RACELAB_TSAN(poll)(fds, count, 0); ready != 0) return ready;
  control_wait_io(fds, static_cast<unsigned>(count), timeout_ms, RACELAB_SITE());
  return RACELAB_TSAN(poll)(fds, count, 0);  // what is ready now; none: it timed out
}

int epoll_wait(int epoll, epoll_event* events, int most, int timeout_ms) {
  if (!controlling() || timeout_ms == 0) return RACELAB_TSAN(epoll_wait)(epoll, events, most, timeout_ms);
  if (const int ready = RACELAB_TSAN(epoll_wait)(epoll, events, most, 0); ready != 0) return ready;
  pollfd any{epoll, POLLIN, 0};  // readable while an event is ready (asking does not consume an edge)
  control_wait_io(&any, 1, timeout_ms, RACELAB_SITE());
  return RACELAB_TSAN(epoll_wait)(epoll, events, most, 0);
}

int pause() {
  if (!controlling()) return RACELAB_TSAN(pause)();
  return outside("a pause for a signal", [] { return RACELAB_TSAN(pause)(); });
}

pid_t wait(int* status) {
  if (!controlling()) return RACELAB_TSAN(wait)(status);
  return outside("a wait for a child process", [&] { return RACELAB_TSAN(wait)(status); });
}

pid_t waitpid(pid_t pid, int* status, int options) {
  if (!controlling() || (options & WNOHANG) != 0) return RACELAB_TSAN(waitpid)(pid, status, options);
  return outside("a wait for a child process", [&] { return RACELAB_TSAN(waitpid)(pid, status, options); });
}

int sigwait(const sigset_t* set, int* signal) {
  if (!controlling()) return RACELAB_TSAN(sigwait)(set, signal);
  return outside("a wait for a signal", [&] { return RACELAB_TSAN(sigwait)(set, signal); });
}

}  // extern "C"
