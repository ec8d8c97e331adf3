// run_in_child() (racelab/property.h): one property execution in a forked
// child process, its report read back over a pipe (property_wire.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <variant>

#include <fmt/format.h>

#include "property_wire.h"
#include "racelab/property.h"
#include "racelab/wire.h"
#include "runtime.h"

namespace racelab::detail {

namespace {

void write_all(int fd, const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const ssize_t n = ::write(fd, text.data() + at, text.size() - at);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    at += static_cast<std::size_t>(n);
  }
}

// In the child: the run's end, written to the parent's pipe.
class PipeSink : public RecordSink {
 public:
  explicit PipeSink(int fd) : fd_(fd) {}
  void run(const RunRecord& record) override {
    write_all(fd_, encode(ChildEnd{record.verdict, parse_strategy(record.strategy).value_or(Strategy::none), record.detail}) + "\n");
  }
  int ended_early(const RunRecord&) override { return 0; }

 private:
  int fd_;
};

const std::function<ChildResult()>* g_body = nullptr;
ChildResult* g_result = nullptr;

void trampoline(Run&) { *g_result = (*g_body)(); }

// In the child: runs the body and reports; never returns.
[[noreturn]] void child(int fd, const std::function<ChildResult()>& body, const property::Options& options,
                        std::uint64_t seed) {
  // TSan's reports come back through the pipe too; the parent keeps their
  // SUMMARY lines for the diagnosis.
  dup2(fd, STDERR_FILENO);
  PipeSink sink(fd);
  record_sink() = &sink;
  start_watchdog(std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000)),
                 options.livelock_steps);
  ChildResult result;
  g_body = &body;
  g_result = &result;
  const RunRecord record = execute(trampoline, options.strategy, seed, 0);
  std::string text;
  for (const ChildCall& call : result.calls) text += encode(call) + "\n";
  text += encode(ChildInvariant{result.invariant_failure}) + "\n";
  write_all(fd, text);
  sink.run(record);
  exit_with(0);
}

}  // namespace

ChildOutcome run_in_child(const std::function<ChildResult()>& body, const property::Options& options,
                          std::uint64_t seed) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    child(fds[1], body, options, seed);
  }
  close(fds[1]);
  std::string text;
  const auto limit = std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 3000) + 10000);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    char buffer[65536];
    const ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  ChildOutcome outcome;
  bool ended = false;
  std::string summaries;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    const ChildLine record = decode(line);
    if (const auto* call = std::get_if<ChildCall>(&record)) {
      outcome.result.calls.push_back(*call);
    } else if (const auto* invariant = std::get_if<ChildInvariant>(&record)) {
      outcome.result.invariant_failure = invariant->failure;
    } else if (const auto* run_end = std::get_if<ChildEnd>(&record)) {
      outcome.verdict = run_end->verdict;
      outcome.strategy = run_end->strategy;
      outcome.detail = run_end->detail;
      ended = true;
    } else if (line.starts_with("SUMMARY: ThreadSanitizer: ")) {
      summaries += "; " + std::string(line.substr(26));
    }
  }
  outcome.detail += summaries;
  if (timed_out) {
    outcome.verdict = Verdict::hang;
    outcome.detail = fmt::format("the execution's process had not ended after {} s and was killed",
                                 limit.count() / 1000);
  } else if (WIFSIGNALED(status)) {
    outcome.verdict = Verdict::crash;
    const char* name = sigabbrev_np(WTERMSIG(status));
    outcome.detail = fmt::format("the execution's process was killed by SIG{}",
                                 name != nullptr ? name : std::to_string(WTERMSIG(status)));
  } else if (!ended) {
    outcome.verdict = Verdict::crash;
    outcome.detail = fmt::format("the execution's process exited ({}) without a verdict",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return outcome;
}

}  // namespace racelab::detail
