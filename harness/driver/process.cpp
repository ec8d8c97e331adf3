// Every process racelab starts: spawned under a keeper, its output captured
// or streamed, its end reaped; the guard that ends them all on a signal.
// Over 400 lines on purpose: the spawn lock and the set of live keepers (what
// tells a keeper from an orphan) stay private to this one file.
#include "process.h"

#include "inspect.h"
#include "proc_table.h"
#include "racelab/wire.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <pthread.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace racelab::driver {

namespace {

using Clock = std::chrono::steady_clock;
Clock::time_point now() { return Clock::now(); }

// The keepers racelab started and has not reaped yet; forks happen under
// the lock, so a sweep never mistakes a keeper for an orphan.
std::mutex g_spawn_mutex;
std::set<pid_t> g_keepers;

// The file descriptor the keeper reports on, in its process.
constexpr int kStatusFd = 4;

// argv and envp prepared before fork: the child only calls async-signal-safe
// functions between fork and exec.
struct ExecImage {
  std::vector<std::string> strings_args;
  std::vector<std::string> strings_env;
  std::vector<char*> argv;
  std::vector<char*> envp;

  ExecImage(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
      : strings_args(args) {
    // GoogleTest's sharding variables set empty are unset, to racelab (as
    // its options read them) and to a GoogleTest child, which would refuse them.
    auto unset = [](const std::string& entry) {
      return entry == "GTEST_TOTAL_SHARDS=" || entry == "GTEST_SHARD_INDEX=";
    };
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (!env.contains(entry.substr(0, entry.find('='))) && !unset(entry)) strings_env.push_back(entry);
    }
    for (const auto& [key, value] : env)
      if (!unset(key + "=" + value)) strings_env.push_back(key + "=" + value);
    for (auto& s : strings_args) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : strings_env) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

bool needs_no_aslr() {
  std::ifstream in("/proc/sys/vm/mmap_rnd_bits");
  int bits = 0;
  return (in >> bits) && bits > 28;
}

bool executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// racelab-keeper: $RACELAB_KEEPER, else beside the running program (the
// build tree: racelab and the tests), else in an installed tree's
// libexec/racelab. No path of the build is compiled in: an installed racelab
// can be moved.
std::string keeper_path() {
  if (const char* env = std::getenv("RACELAB_KEEPER"); env != nullptr && *env != '\0') return env;
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (const auto& candidate : {self.parent_path() / "racelab-keeper",
                                  self.parent_path().parent_path() / "libexec/racelab/racelab-keeper"})
      if (executable(candidate)) return candidate;
  }
  throw std::runtime_error("racelab-keeper is missing (looked beside " + self.string() +
                           " and in ../libexec/racelab; RACELAB_KEEPER names another)");
}

ExitStatus exited(int code) {
  ExitStatus s;
  s.exit_code = code;
  return s;
}

ExitStatus signalled(int signal) {
  ExitStatus s;
  s.signal = signal;
  return s;
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) s.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
  return s;
}

// One of the fds racelab reads, made non-blocking.
void nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Spawned — a program under its keeper.
struct Spawned {
  pid_t keeper = -1;
  int status = -1;  ///< read end of the keeper's status lines
};

// Starts the keeper with `args` as its program: stdin /dev/null, stdout and
// stderr to `out` and `err`, fd 3 to `records` when >= 0, in a process group
// of its own, with the default signal mask.
Spawned spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
              int out, int err, int records) {
  std::vector<std::string> keeper_args = {keeper_path(), std::to_string(kStatusFd), std::to_string(getpid())};
  keeper_args.insert(keeper_args.end(), args.begin(), args.end());
  ExecImage image(keeper_args, env);
  int status[2];
  if (pipe2(status, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const bool no_aslr = needs_no_aslr();
  std::lock_guard lock(g_spawn_mutex);
  const pid_t pid = fork();
  if (pid < 0) {
    close(status[0]);
    close(status[1]);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    setpgid(0, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (no_aslr) personality(ADDR_NO_RANDOMIZE);
    // Every source is lifted above the targets first, so no dup2 clobbers
    // another source.
    const int s = fcntl(status[1], F_DUPFD_CLOEXEC, 10);
    const int o = fcntl(out, F_DUPFD_CLOEXEC, 10);
    const int e = fcntl(err, F_DUPFD_CLOEXEC, 10);
    const int r = records >= 0 ? fcntl(records, F_DUPFD_CLOEXEC, 10) : -1;
    const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    dup2(devnull, 0);
    dup2(o, 1);
    dup2(e, 2);
    if (r >= 0) dup2(r, kRecordsFd);  // dup2 clears O_CLOEXEC on the copy
    dup2(s, kStatusFd);
    execve(image.argv[0], image.argv.data(), image.envp.data());
    _exit(127);
  }
  setpgid(pid, pid);
  g_keepers.insert(pid);
  close(status[1]);
  nonblocking(status[0]);
  return Spawned{pid, status[0]};
}

// What the keeper said, line by line.
struct KeeperReport {
  std::string buffer;
  pid_t pid = -1;
  std::optional<ExitStatus> program;  ///< how the program ended, when it did by itself
  bool killed = false;
  std::vector<std::string> leaked;
  std::string exec_error;

  // Reads what is there; false at end of file (or error).
  bool read_from(int fd) {
    char chunk[4096];
    for (;;) {
      const ssize_t n = read(fd, chunk, sizeof chunk);
      if (n > 0) {
        buffer.append(chunk, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      parse();
      return n < 0 && errno == EAGAIN;
    }
  }

  void parse() {
    std::size_t start = 0;
    for (std::size_t eol; (eol = buffer.find('\n', start)) != std::string::npos; start = eol + 1) {
      const std::string line = buffer.substr(start, eol - start);
      const std::size_t space = line.find(' ');
      const std::string word = line.substr(0, space);
      const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
      if (word == "pid") pid = static_cast<pid_t>(std::atol(rest.c_str()));
      else if (word == "exec-failed") exec_error = rest;
      else if (word == "exit") program = exited(std::atoi(rest.c_str()));
      else if (word == "signal") program = signalled(std::atoi(rest.c_str()));
      else if (word == "killed") killed = true;
      else if (word == "leaked") leaked.push_back(rest);
    }
    buffer.erase(0, start);
  }

  // The program's end as the keeper saw it; `keeper` is the keeper's own
  // status (used when the keeper was killed before it could say).
  ExitStatus status(const ExitStatus& keeper) const {
    ExitStatus s = program.value_or(killed ? signalled(SIGKILL) : keeper);
    if (!exec_error.empty()) s = exited(127);
    s.leaked = leaked;
    s.exec_error = exec_error;
    return s;
  }
};

// Children of racelab that are not keepers: descendants re-parented to
// racelab (a subreaper) when their keeper was killed. Killed and reaped.
void sweep_orphans() {
  std::lock_guard lock(g_spawn_mutex);
  for (int pass = 0; pass < 100; ++pass) {
    std::vector<pid_t> orphans;
    for (const proc::Entry& p : proc::table())
      if (p.ppid == getpid() && !g_keepers.contains(p.pid)) orphans.push_back(p.pid);
    if (orphans.empty()) return;
    for (pid_t pid : orphans) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
}

// Waits until the keeper exits or `deadline` passes, without reaping it (so
// its process group id stays reserved), then kills what is left of the group
// and reaps the keeper; then what the keeper left behind, if it was killed.
ExitStatus end_keeper(pid_t pid, Clock::time_point deadline) {
  siginfo_t info{};
  while (now() < deadline) {
    info.si_pid = 0;
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno != EINTR)
      break;
    if (info.si_pid != 0) break;
    usleep(2000);
  }
  kill(-pid, SIGKILL);
  int status = 0;
  ExitStatus result;
  for (;;) {
    if (waitpid(pid, &status, 0) >= 0) {
      result = decode(status);
      break;
    }
    if (errno != EINTR) break;
  }
  {
    std::lock_guard lock(g_spawn_mutex);
    g_keepers.erase(pid);
  }
  sweep_orphans();
  return result;
}

// Where a program's output goes: memory (run_captured) or a file.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(int stream, const char* data, std::size_t n) = 0;
};

// Runs `args` under a keeper, its output to `sink`, for at most `limit`.
ProcessResult supervise(const std::vector<std::string>& args, std::chrono::milliseconds limit,
                        const std::map<std::string, std::string>& env, Sink& sink) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe2 failed");
  }
  Spawned spawned;
  try {
    spawned = spawn(args, env, out_pipe[1], err_pipe[1], -1);
  } catch (...) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) close(fd);
    throw;
  }
  close(out_pipe[1]);
  close(err_pipe[1]);

  ProcessResult result;
  KeeperReport keeper;
  auto deadline = now() + limit;
  std::optional<Clock::time_point> keeper_done;  ///< when its status pipe closed
  bool ending = false;  ///< the keeper was told to end the tree
  pollfd fds[3] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}, {spawned.status, POLLIN, 0}};
  for (;;) {
    const bool streams_open = fds[0].fd >= 0 || fds[1].fd >= 0;
    if (fds[2].fd < 0 && (!streams_open || now() > *keeper_done + std::chrono::milliseconds(500))) break;
    if (now() >= deadline) {
      if (ending) break;  // the keeper did not finish in time: its group is killed below
      result.timed_out = true;
      if (keeper.pid > 0) inspect(keeper.pid, result);
      kill(spawned.keeper, SIGTERM);  // it ends the program's whole tree
      ending = true;
      deadline = now() + std::chrono::seconds(5);
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
    if (poll(fds, 3, static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 100))) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sink.write(i + 1, buffer, static_cast<std::size_t>(n));
        result.output_bytes += static_cast<std::uint64_t>(n);
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0 && !keeper.read_from(fds[2].fd)) {
      close(fds[2].fd);
      fds[2].fd = -1;
      keeper_done = now();
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) close(fd.fd);
  static_cast<ExitStatus&>(result) = keeper.status(end_keeper(spawned.keeper, now()));
  result.pid = keeper.pid;
  return result;
}

class MemorySink final : public Sink {
 public:
  explicit MemorySink(std::uint64_t cap) : cap_(cap) {}
  void write(int stream, const char* data, std::size_t n) override {
    std::string& into = stream == 1 ? out : err;
    const std::size_t room = into.size() < cap_ ? static_cast<std::size_t>(cap_ - into.size()) : 0;
    into.append(data, std::min(n, room));
    if (n > room) truncated = true;
  }

  std::string out;
  std::string err;
  bool truncated = false;

 private:
  std::uint64_t cap_;
};

class FileSink final : public Sink {
 public:
  FileSink(const std::string& path, std::uint64_t cap) : cap_(cap) {
    fd_ = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path, strerror(errno)));
  }
  ~FileSink() override {
    if (fd_ >= 0) close(fd_);
  }
  void write(int, const char* data, std::size_t n) override {
    const std::uint64_t room = kept_ < cap_ ? cap_ - kept_ : 0;
    const std::size_t keep = static_cast<std::size_t>(std::min<std::uint64_t>(n, room));
    put(data, keep);
    kept_ += keep;
    dropped_ += n - keep;
  }
  /// Says how much was dropped; false when the file could not be written.
  bool finish() {
    if (dropped_ > 0)
      put_text(fmt::format("\n[racelab: {} more bytes of output were dropped (--max-log {})]\n", dropped_, cap_));
    return !failed_;
  }
  bool truncated() const { return dropped_ > 0; }

 private:
  void put(const char* data, std::size_t n) {
    while (n > 0 && !failed_) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        failed_ = true;
        break;
      }
      data += w;
      n -= static_cast<std::size_t>(w);
    }
  }
  void put_text(const std::string& text) { put(text.data(), text.size()); }

  std::uint64_t cap_;
  int fd_ = -1;
  std::uint64_t kept_ = 0;
  std::uint64_t dropped_ = 0;
  bool failed_ = false;
};

}  // namespace

std::string ExitStatus::text() const {
  if (!exec_error.empty()) return "could not be started: " + exec_error;
  if (signal != 0) {
    const char* name = sigabbrev_np(signal);
    return fmt::format("killed by SIG{}", name != nullptr ? name : std::to_string(signal));
  }
  return fmt::format("exit {}", exit_code);
}

void end_descendants(std::chrono::milliseconds patience) {
  const auto until = now() + patience;
  do {
    std::vector<pid_t> live;
    for (const proc::Entry& e : proc::live_descendants(getpid())) live.push_back(e.pid);
    if (live.empty()) break;
    for (pid_t pid : live) kill(pid, SIGKILL);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    usleep(2000);
  } while (now() < until);
}

void guard_processes() {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  sigset_t ending;
  sigemptyset(&ending);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&ending, s);
  pthread_sigmask(SIG_BLOCK, &ending, nullptr);
  std::thread([ending] {
    int signal = 0;
    while (sigwait(&ending, &signal) != 0) {
    }
    const char* name = sigabbrev_np(signal);
    std::fprintf(stderr, "\nracelab: SIG%s: ending every process it started; no summary is written\n",
                 name != nullptr ? name : "?");
    std::unique_lock lock(g_spawn_mutex, std::defer_lock);
    // No new process starts while the tree is ended (unless the lock is stuck).
    for (int i = 0; i < 100 && !lock.try_lock(); ++i) usleep(10000);
    end_descendants();
    _exit(128 + signal);
  }).detach();
}

ProcessResult run_captured(const std::vector<std::string>& args, std::chrono::milliseconds limit,
                           const std::map<std::string, std::string>& env, std::uint64_t max_capture) {
  MemorySink sink(max_capture);
  ProcessResult result = supervise(args, limit, env, sink);
  result.out = std::move(sink.out);
  result.err = std::move(sink.err);
  result.output_truncated = sink.truncated;
  return result;
}

ProcessResult run_to_file(const std::vector<std::string>& args, std::chrono::milliseconds limit,
                          const std::map<std::string, std::string>& env, const std::string& output_path,
                          std::uint64_t max_bytes) {
  FileSink sink(output_path, max_bytes);
  ProcessResult result = supervise(args, limit, env, sink);
  if (!sink.finish()) throw std::runtime_error(fmt::format("cannot write {}: {}", output_path, strerror(errno)));
  result.output_truncated = sink.truncated();
  return result;
}

Worker start_worker(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const std::string& output_path) {
  int records[2];
  if (pipe2(records, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  int output = open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (output < 0) {
    close(records[0]);
    close(records[1]);
    throw std::runtime_error(fmt::format("cannot write {}: {}", output_path, strerror(errno)));
  }
  Spawned spawned;
  try {
    spawned = spawn(args, env, output, output, records[1]);
  } catch (...) {
    close(records[0]);
    close(records[1]);
    close(output);
    throw;
  }
  close(records[1]);
  close(output);
  // The keeper says the program's pid (or why it could not start) at once.
  KeeperReport keeper;
  const auto until = now() + std::chrono::seconds(30);
  while (keeper.pid < 0 && keeper.exec_error.empty() && now() < until) {
    pollfd p{spawned.status, POLLIN, 0};
    poll(&p, 1, 100);
    if (!keeper.read_from(spawned.status)) break;
  }
  if (keeper.pid < 0) {
    close(records[0]);
    close(spawned.status);
    end_keeper(spawned.keeper, now());
    throw std::runtime_error(fmt::format("cannot run {}: {}", args.at(0),
                                         keeper.exec_error.empty() ? "its keeper said nothing" : keeper.exec_error));
  }
  return Worker{spawned.keeper, keeper.pid, records[0], spawned.status};
}

namespace {

// The end of a worker: its keeper reaped (after `deadline`, killed), then
// what the keeper said.
ExitStatus end_worker(Worker& worker, Clock::time_point deadline) {
  if (worker.records >= 0) close(worker.records);
  worker.records = -1;
  const ExitStatus keeper_status = end_keeper(worker.pid, deadline);
  KeeperReport keeper;
  if (worker.status >= 0) {
    keeper.read_from(worker.status);
    close(worker.status);
  }
  worker.status = -1;
  worker.pid = -1;
  return keeper.status(keeper_status);
}

}  // namespace

ExitStatus stop_worker(Worker& worker) { return end_worker(worker, now()); }

void kill_worker(const Worker& worker) {
  if (worker.pid > 0) kill(-worker.pid, SIGKILL);
}

ExitStatus reap_worker(Worker& worker) { return end_worker(worker, now() + std::chrono::seconds(5)); }

std::string cut_log_problem(const std::string& path, std::uint64_t max_bytes) {
  return fmt::format("{} was cut at --max-log {}: findings past it are not counted", path, max_bytes);
}

bool cap_file(const std::string& path, std::uint64_t max_bytes) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error || size <= max_bytes) return false;
  std::filesystem::resize_file(path, max_bytes, error);
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << fmt::format("\n[racelab: {} more bytes were cut from this file (--max-log {})]\n", size - max_bytes,
                     max_bytes);
  return true;
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:+,@%") == std::string::npos)
    return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string shell_command(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& w : words) line += (line.empty() ? "" : " ") + shell_quote(w);
  return line;
}

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace racelab::driver
