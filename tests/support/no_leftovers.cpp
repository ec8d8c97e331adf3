#include "no_leftovers.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include "child.h"

namespace racelab::testing {

namespace {

using Clock = std::chrono::steady_clock;

// "pid 1234: /path/prog arg…" (the command line's NULs as spaces; "[comm]"
// when it has none, as ps shows kernel threads and exec-less zombies).
std::string describe(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  std::string cmdline = read_file(dir + "/cmdline");
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  if (cmdline.empty()) {
    std::string comm = read_file(dir + "/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    cmdline = "[" + comm + "]";
  }
  return "pid " + std::to_string(pid) + ": " + cmdline;
}

// Reaps every child of this process that has ended (its own children and
// the orphans re-parented to it).
void reap_ended() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// Waits up to `limit` for this process to have no live descendant, reaping
// as it goes; returns what is left.
std::vector<pid_t> wait_for_no_descendants(std::chrono::milliseconds limit) {
  const auto until = Clock::now() + limit;
  for (;;) {
    reap_ended();
    std::vector<pid_t> left = descendants_of(getpid());
    if (left.empty() || Clock::now() >= until) return left;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace

void NoProcessLeftBehind::SetUp() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L) != 0)
    ADD_FAILURE() << "prctl(PR_SET_CHILD_SUBREAPER) failed: " << std::strerror(errno)
                  << " (escaped processes will not be found)";
}

void NoProcessLeftBehind::TearDown() {
  std::vector<pid_t> left = wait_for_no_descendants(std::chrono::seconds(2));
  if (left.empty()) return;
  std::string text;
  for (pid_t pid : left) text += "\n  " + describe(pid);
  ADD_FAILURE() << left.size() << " process(es) left behind by the tests (killed now):" << text;
  // Kill, reap, and again for anything forked meanwhile (a few rounds).
  for (int round = 0; round < 10 && !left.empty(); ++round) {
    for (pid_t pid : left) kill(pid, SIGKILL);
    left = wait_for_no_descendants(std::chrono::milliseconds(500));
  }
  reap_ended();
  if (!left.empty()) ADD_FAILURE() << left.size() << " process(es) survived SIGKILL";
}

void register_no_process_left_behind() {
  static const bool registered = [] {
    ::testing::AddGlobalTestEnvironment(new NoProcessLeftBehind);
    return true;
  }();
  (void)registered;
}

std::vector<std::string> leftovers_now() {
  std::vector<std::string> text;
  for (pid_t pid : descendants_of(getpid())) text.push_back(describe(pid));
  return text;
}

}  // namespace racelab::testing
