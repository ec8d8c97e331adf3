// The plumbing of racelab/property.h: executions in child processes, the
// logical clock, the wire format between child and parent, timelines.
#include "racelab/property.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "racelab/wire.h"
#include "runtime.h"

namespace racelab::property::detail {

namespace {

std::atomic<std::uint64_t> g_clock{0};

// Lines are single-line: results are escaped (\\ and \n).
std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[i + 1] == 'n' ? '\n' : text[i + 1];
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

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
class PipeSink : public racelab::detail::RecordSink {
 public:
  explicit PipeSink(int fd) : fd_(fd) {}
  void run(const racelab::RunRecord& record) override {
    write_all(fd_, fmt::format("verdict {}\nstrategy {}\ndetail {}\n", to_string(record.verdict),
                               record.strategy, escape(record.detail)));
  }
  int ended_early(const racelab::RunRecord&) override { return 0; }

 private:
  int fd_;
};

const std::function<std::vector<std::string>()>* g_body = nullptr;
std::vector<std::string>* g_lines = nullptr;

void trampoline(Run&) { *g_lines = (*g_body)(); }

}  // namespace

std::uint64_t tick() noexcept { return g_clock.fetch_add(1, std::memory_order_relaxed) + 1; }
void reset_clock() noexcept { g_clock.store(0, std::memory_order_relaxed); }

std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept { return racelab::detail::mix(a, b); }

std::uint64_t hash_text(const std::string& text) noexcept {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::string encode_call(int thread, std::size_t index, std::uint64_t invoked, std::uint64_t returned,
                        const std::string& result) {
  return fmt::format("call {} {} {} {} {}", thread, index, invoked, returned, escape(result));
}

bool decode_call(const std::string& line, int& thread, std::size_t& index, std::uint64_t& invoked,
                 std::uint64_t& returned, std::string& result) {
  // "call THREAD INDEX INVOKED RETURNED RESULT…"
  if (!line.starts_with("call ")) return false;
  std::size_t at = 5;
  std::string fields[4];
  for (std::string& field : fields) {
    const std::size_t space = line.find(' ', at);
    if (space == std::string::npos) return false;
    field = line.substr(at, space - at);
    at = space + 1;
  }
  try {
    thread = std::stoi(fields[0]);
    index = std::stoull(fields[1]);
    invoked = std::stoull(fields[2]);
    returned = std::stoull(fields[3]);
  } catch (const std::exception&) {
    return false;
  }
  result = unescape(line.substr(at));
  return true;
}

std::string encode_invariant(const std::string& failure) { return "invariant " + escape(failure); }

bool decode_invariant(const std::string& line, std::string& failure) {
  if (!line.starts_with("invariant ")) return false;
  failure = unescape(line.substr(10));
  return true;
}

ChildOutcome run_in_child(const std::function<std::vector<std::string>()>& body, const Options& options,
                          std::uint64_t seed) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    // TSan's reports come back through the pipe too; the parent keeps their
    // SUMMARY lines for the diagnosis.
    dup2(fds[1], STDERR_FILENO);
    PipeSink sink(fds[1]);
    racelab::detail::record_sink() = &sink;
    racelab::detail::start_watchdog(
        std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000)),
        options.livelock_steps);
    std::vector<std::string> lines;
    g_body = &body;
    g_lines = &lines;
    const racelab::RunRecord record = racelab::detail::execute(trampoline, options.strategy, seed, 0);
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    write_all(fds[1], text);
    sink.run(record);
    racelab::detail::exit_with(0);
  }
  close(fds[1]);
  ChildOutcome outcome;
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 3000) + 10000);
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

  std::size_t start = 0;
  bool verdict_seen = false;
  std::string summaries;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("verdict ")) {
      if (auto v = parse_verdict(line.substr(8))) outcome.verdict = *v;
      verdict_seen = true;
    } else if (line.starts_with("strategy ")) {
      if (auto s = parse_strategy(line.substr(9))) outcome.strategy = *s;
    } else if (line.starts_with("detail ")) {
      outcome.detail = unescape(line.substr(7));
    } else if (line.starts_with("SUMMARY: ThreadSanitizer: ")) {
      summaries += "; " + line.substr(26);
    } else {
      outcome.lines.push_back(line);
    }
  }
  outcome.detail += summaries;
  if (timed_out) {
    outcome.verdict = Verdict::hang;
    outcome.detail = "the execution's process said nothing for too long and was killed";
  } else if (WIFSIGNALED(status)) {
    outcome.verdict = Verdict::crash;
    const char* name = sigabbrev_np(WTERMSIG(status));
    outcome.detail = fmt::format("the execution's process was killed by SIG{}",
                                 name != nullptr ? name : std::to_string(WTERMSIG(status)));
  } else if (!verdict_seen) {
    outcome.verdict = Verdict::crash;
    outcome.detail = fmt::format("the execution's process exited ({}) without a verdict",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return outcome;
}

std::string timeline(const std::vector<int>& threads, const std::vector<std::string>& ops,
                     const std::vector<std::string>& results, const std::vector<std::uint64_t>& invoked,
                     const std::vector<std::uint64_t>& returned) {
  // Columns: threads in order, probes ("after join") last.
  std::map<int, std::size_t> column;
  for (int t : threads)
    if (t >= 0) column.emplace(t, 0);
  std::size_t c = 0;
  for (auto& [t, index] : column) index = c++;
  const bool probes = std::find(threads.begin(), threads.end(), -1) != threads.end();
  if (probes) column[-1] = c++;
  std::vector<std::string> headers(c);
  for (const auto& [t, index] : column) headers[index] = t < 0 ? "after join" : fmt::format("T{}", t);

  struct Row {
    std::uint64_t time;
    std::size_t column;
    std::string text;
  };
  std::vector<Row> rows;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    rows.push_back({invoked[i], column.at(threads[i]), ops[i]});
    rows.push_back({returned[i], column.at(threads[i]), "→ " + results[i]});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.time < b.time; });
  std::vector<std::size_t> width(c, 0);
  for (std::size_t k = 0; k < c; ++k) width[k] = headers[k].size();
  // "→" is three bytes and one column wide.
  auto shown = [](const std::string& s) { return s.starts_with("→") ? s.size() - 2 : s.size(); };
  for (const Row& r : rows) width[r.column] = std::max(width[r.column], shown(r.text));
  auto cell = [&](const std::string& s, std::size_t k) { return s + std::string(width[k] - shown(s), ' '); };

  std::string out = "time";
  for (std::size_t k = 0; k < c; ++k) out += " | " + cell(headers[k], k);
  while (out.back() == ' ') out.pop_back();
  out += "\n";
  for (const Row& r : rows) {
    out += fmt::format("{:>4}", r.time);
    for (std::size_t k = 0; k < c; ++k) out += " | " + cell(k == r.column ? r.text : "", k);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

}  // namespace racelab::property::detail
