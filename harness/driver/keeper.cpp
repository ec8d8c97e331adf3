// racelab-keeper — the process that every program racelab starts runs
// under, so that nothing the program starts outlives its run.
//
//   racelab-keeper STATUS_FD PARENT_PID PROGRAM ARGS…
//
// The keeper is a child subreaper (PR_SET_CHILD_SUBREAPER): a descendant of
// the program that is orphaned — by setsid() and a double fork, say — is
// re-parented to the keeper, not to init, so the keeper can always find the
// program's whole tree among its own descendants. It starts PROGRAM (same
// process group, file descriptors and environment, signals unblocked), and
// when PROGRAM ends it records every descendant still alive — a leaked
// process — kills them all, and reaps them. SIGTERM, SIGINT or SIGHUP (from
// racelab on a time-out or on its own shutdown, or as the parent-death
// signal when racelab dies) end the program and its whole tree at once.
//
// It reports on STATUS_FD, one line each, then exits 0:
//   pid P               the program started, as process P
//   exec-failed TEXT    it could not be started (strerror text)
//   exit N | signal N   how the program ended
//   killed              it was ended by a signal to the keeper
//   leaked P COMM       a descendant alive when the program ended (killed)
//   end                 everything is gone
//
// Built without any sanitizer: it is part of racelab, not of the program.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "proc_table.h"

namespace {

int g_status_fd = -1;

void say(const std::string& line) {
  const std::string text = line + "\n";
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = write(g_status_fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // racelab is gone: nobody to tell
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

using Proc = racelab::proc::Entry;
using racelab::proc::live_descendants;

void reap_all() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// TSan's own symbolizer, a child of the program that ends when the program's
// end closes its pipe: neither the program's doing nor a leak.
bool symbolizer(const Proc& p) { return p.comm.starts_with("llvm-symbolizer") || p.comm == "addr2line"; }

// Kills every descendant, reaping as they go (a killed process's children
// are re-parented to the keeper and found on the next pass). With `report`,
// each one found alive is reported as leaked — after a symbolizer has had
// 250 ms to see its pipe close.
void end_tree(bool report) {
  for (int wait = 0; report && wait < 50; ++wait) {
    reap_all();
    const std::vector<Proc> left = live_descendants(getpid());
    bool only_symbolizers = !left.empty();
    for (const Proc& p : left) only_symbolizers = only_symbolizers && symbolizer(p);
    if (!only_symbolizers) break;
    usleep(5000);
  }
  std::set<pid_t> reported;
  for (int pass = 0; pass < 1000; ++pass) {
    const std::vector<Proc> left = live_descendants(getpid());
    if (left.empty()) break;
    for (const Proc& p : left) {
      if (report && !symbolizer(p) && reported.insert(p.pid).second)
        say("leaked " + std::to_string(p.pid) + " " + p.comm);
      kill(p.pid, SIGKILL);
    }
    reap_all();
    usleep(1000);
  }
  reap_all();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: racelab-keeper STATUS_FD PARENT_PID PROGRAM ARGS…\n");
    return 2;
  }
  g_status_fd = std::atoi(argv[1]);
  const pid_t parent = static_cast<pid_t>(std::atol(argv[2]));
  fcntl(g_status_fd, F_SETFD, FD_CLOEXEC);

  sigset_t handled;
  sigemptyset(&handled);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP}) sigaddset(&handled, s);
  sigprocmask(SIG_BLOCK, &handled, nullptr);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (getppid() != parent) {  // racelab died before the death signal was armed
    say("killed");
    say("end");
    return 0;
  }

  // The program learns of a failed exec through a close-on-exec pipe.
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) {
    say(std::string("exec-failed ") + std::strerror(errno));
    say("end");
    return 0;
  }
  const pid_t program = fork();
  if (program < 0) {
    say(std::string("exec-failed ") + std::strerror(errno));
    say("end");
    return 0;
  }
  if (program == 0) {
    close(exec_pipe[0]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argv[3], argv + 3);
    const int error = errno;
    (void)!write(exec_pipe[1], &error, sizeof error);
    _exit(127);
  }
  close(exec_pipe[1]);
  int exec_error = 0;
  const bool exec_failed = read(exec_pipe[0], &exec_error, sizeof exec_error) == sizeof exec_error;
  close(exec_pipe[0]);
  if (exec_failed) say(std::string("exec-failed ") + std::strerror(exec_error));
  else say("pid " + std::to_string(program));

  for (;;) {
    siginfo_t info{};
    if (sigwaitinfo(&handled, &info) < 0) continue;
    if (info.si_signo != SIGCHLD) {  // racelab ends the run: the whole tree goes
      kill(program, SIGKILL);
      end_tree(false);
      say("killed");
      break;
    }
    int status = 0;
    bool program_ended = false;
    for (pid_t pid; (pid = waitpid(-1, &status, WNOHANG)) > 0;) {
      if (pid != program) continue;  // an orphan re-parented here ended
      program_ended = true;
      if (!exec_failed)
        say(WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status))
                                : "exit " + std::to_string(WEXITSTATUS(status)));
      break;
    }
    if (program_ended) {
      end_tree(!exec_failed);
      break;
    }
  }
  say("end");
  return 0;
}
