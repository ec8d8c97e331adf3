#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

extern char** environ;

namespace racelab::driver {

namespace {

// argv and envp prepared before fork: the child only calls async-signal-safe
// functions between fork and exec.
struct ExecImage {
  std::vector<std::string> strings_args;
  std::vector<std::string> strings_env;
  std::vector<char*> argv;
  std::vector<char*> envp;

  ExecImage(const std::vector<std::string>& args, const std::map<std::string, std::string>& env)
      : strings_args(args) {
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry = *e;
      if (!env.contains(entry.substr(0, entry.find('=')))) strings_env.push_back(entry);
    }
    for (const auto& [key, value] : env) strings_env.push_back(key + "=" + value);
    for (auto& s : strings_args) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : strings_env) envp.push_back(s.data());
    envp.push_back(nullptr);
  }
};

std::chrono::steady_clock::time_point now() { return std::chrono::steady_clock::now(); }

bool needs_no_aslr() {
  std::ifstream in("/proc/sys/vm/mmap_rnd_bits");
  int bits = 0;
  return (in >> bits) && bits > 28;
}

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) s.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
  return s;
}

// Waits until `pid` exits or `deadline` passes, without reaping it (so its
// process group id stays reserved), then kills what is left of the group and
// reaps the leader: nothing the child started outlives it, and no zombie.
ExitStatus end_group(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  siginfo_t info{};
  while (std::chrono::steady_clock::now() < deadline) {
    info.si_pid = 0;
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) < 0 &&
        errno != EINTR)
      break;
    if (info.si_pid != 0) break;
    usleep(2000);
  }
  kill(-pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return {};
  }
  return decode(status);
}

}  // namespace

std::string ExitStatus::text() const {
  if (signal != 0) {
    const char* name = sigabbrev_np(signal);
    return fmt::format("killed by SIG{}", name != nullptr ? name : std::to_string(signal));
  }
  return fmt::format("exit {}", exit_code);
}

ProcessResult run_captured(const std::vector<std::string>& args, std::chrono::milliseconds limit,
                           const std::map<std::string, std::string>& env) {
  ExecImage image(args, env);
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw std::runtime_error("pipe2 failed");
  }
  const bool no_aslr = needs_no_aslr();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    if (no_aslr) personality(ADDR_NO_RANDOMIZE);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execve(image.argv[0], image.argv.data(), image.envp.data());
    _exit(127);
  }
  setpgid(pid, pid);
  close(out_pipe[1]);
  close(err_pipe[1]);

  ProcessResult result;
  const auto deadline = now() + limit;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[65536];
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds)
    if (fd.fd >= 0) close(fd.fd);
  static_cast<ExitStatus&>(result) = end_group(pid, result.timed_out ? now() : deadline);
  result.pid = pid;
  return result;
}

Worker start_worker(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env, const std::string& output_path) {
  ExecImage image(args, env);
  int records[2];
  if (pipe2(records, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  int output = open(output_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (output < 0) {
    close(records[0]);
    close(records[1]);
    throw std::runtime_error(fmt::format("cannot write {}: {}", output_path, strerror(errno)));
  }
  const bool no_aslr = needs_no_aslr();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    if (no_aslr) personality(ADDR_NO_RANDOMIZE);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(output, 1);
    dup2(output, 2);
    dup2(records[1], 3);  // dup2 clears O_CLOEXEC on the copy
    execve(image.argv[0], image.argv.data(), image.envp.data());
    _exit(127);
  }
  setpgid(pid, pid);
  close(records[1]);
  close(output);
  return Worker{pid, records[0]};
}

ExitStatus stop_worker(Worker& worker) {
  if (worker.records >= 0) close(worker.records);
  worker.records = -1;
  ExitStatus status = end_group(worker.pid, now());
  worker.pid = -1;
  return status;
}

void kill_worker(const Worker& worker) {
  if (worker.pid > 0) kill(-worker.pid, SIGKILL);
}

ExitStatus reap_worker(Worker& worker) {
  if (worker.records >= 0) close(worker.records);
  worker.records = -1;
  ExitStatus status = end_group(worker.pid, now() + std::chrono::seconds(5));
  worker.pid = -1;
  return status;
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:+,@%") == std::string::npos)
    return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
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
