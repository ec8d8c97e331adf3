#include "exec.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "process.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/tsan.h"

namespace racelab::driver {

namespace fs = std::filesystem;

namespace {

// TSan's start-up line at verbosity >= 1: "***** Running under ThreadSanitizer v3 (pid N) *****".
constexpr std::string_view kBanner = "Running under ThreadSanitizer";
// TSan's default exit code for a process that reported something.
constexpr int kTsanExitCode = 66;

Verdict verdict_of(const report::Finding& finding) {
  const std::string& kind = finding.kind;
  if (kind == "lock-order-inversion") return Verdict::lock_order_inversion;
  if (kind == "thread-leak") return Verdict::thread_leak;
  if (kind.starts_with("mutex-") || kind == "locked-mutex-destroy") return Verdict::mutex_misuse;
  return Verdict::data_race;  // races, use-after-free, signal-handler reports
}

// One finished run: its record (before report ordinals are known) and logs.
struct RunOutcome {
  report::RunRecord record;
  std::vector<report::TsanLog> logs;
  std::vector<std::string> problems;
  bool banner = false;
};

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

// Folds the runs, in index order, into one result; `rerun` is the command
// that runs the program again.
report::VariantResult collect(report::VariantResult meta, std::vector<RunOutcome>& outcomes,
                              double seconds, const std::string& rerun) {
  report::VariantCollector collector(std::move(meta), "");
  for (RunOutcome& o : outcomes) {
    std::size_t findings = 0;
    for (const auto& log : o.logs) findings += log.findings.size();
    o.record.tsan_first = 0;
    o.record.tsan_count = findings;
    collector.add_run(o.record);
    for (const auto& log : o.logs) {
      report::RunRecord owner = o.record;
      owner.tsan_count = log.findings.size();
      collector.add_log(log, std::span(&owner, 1));
    }
    for (std::string& p : o.problems) collector.add_problem(std::move(p));
  }
  report::VariantResult result = collector.finish(seconds);
  if (result.first_failure) result.first_failure->command = rerun;
  return result;
}

// The command as a shell would take it back.
std::string shell_quoted(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + shell_quote(w);
  return text;
}

report::VariantResult metadata(const std::string& name, const std::string& title,
                               std::int64_t runs) {
  report::VariantResult meta;
  meta.case_id = name;
  meta.title = title;
  meta.variant = Variant::program;
  meta.strategy = "none";
  meta.expected = {Verdict::clean};
  meta.range_to = runs;
  return meta;
}

}  // namespace

std::string find_program(const std::string& name) {
  if (name.empty()) throw std::invalid_argument("no command given");
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) != 0)
      throw std::invalid_argument(fmt::format("cannot run {}: not an executable file", name));
    return name;
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate;
  }
  throw std::invalid_argument(fmt::format("cannot run {}: not found in PATH", name));
}

report::VariantResult exec_runs(const ExecOptions& options, std::string& sanitizer,
                                const std::function<void(std::int64_t)>& on_run) {
  std::vector<std::string> argv = options.command;
  argv.at(0) = find_program(argv.at(0));
  const std::string name =
      options.name.empty() ? fs::path(options.command.at(0)).filename().string() : options.name;
  const auto started = std::chrono::steady_clock::now();
  std::string user_options;
  if (const char* user = std::getenv("TSAN_OPTIONS")) user_options = std::string(user) + " ";

  std::vector<RunOutcome> outcomes(static_cast<std::size_t>(options.runs));
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::mutex report_mutex;  // on_run from one thread at a time
  auto work = [&] {
    for (std::int64_t i = next++; i < options.runs; i = next++) {
      RunOutcome& o = outcomes[static_cast<std::size_t>(i)];
      o.record.index = i;
      o.record.strategy = "none";
      const std::string dir = fmt::format("{}/logs/run-{}", options.out_dir, i);
      fs::remove_all(dir);
      fs::create_directories(dir);
      const auto t0 = std::chrono::steady_clock::now();
      ProcessResult p;
      try {
        p = run_captured(argv,
                         std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000)),
                         {{"TSAN_OPTIONS", user_options + "log_path=" + dir + "/tsan verbosity=1 "
                                                          "second_deadlock_stack=1 atexit_sleep_ms=0"}});
      } catch (const std::exception& e) {
        o.problems.push_back(fmt::format("run {}: cannot start {}: {}", i, argv[0], e.what()));
        o.record.verdict = Verdict::infra_error;
        ++done;
        continue;
      }
      o.record.duration_us =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
      try {
        report::write_atomically(dir + "/output.txt", p.out + p.err);
      } catch (const std::exception& e) {
        o.problems.push_back(fmt::format("run {}: {}", i, e.what()));
      }
      // Every process of the run wrote its own tsan.<pid>.
      std::vector<std::string> files;
      for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().starts_with("tsan.")) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const std::string& file : files) {
        const std::optional<std::string> text = read_text(file);
        if (!text) {
          o.problems.push_back(fmt::format("run {}: cannot read {}", i, file));
          continue;
        }
        o.banner = o.banner || text->find(kBanner) != std::string::npos;
        o.logs.push_back(report::parse_tsan_log(*text));
      }
      if (p.exit_code == 127 && files.empty() && !p.timed_out)
        o.problems.push_back(fmt::format("run {}: {} could not be executed (exit 127): {}", i,
                                         argv[0], p.err.substr(0, 200)));

      const report::Finding* first = nullptr;
      std::string deadly;
      for (const auto& log : o.logs) {
        if (first == nullptr && !log.findings.empty()) first = &log.findings.front();
        if (deadly.empty()) deadly = log.deadly_signal;
      }
      if (p.timed_out) {
        o.record.verdict = Verdict::hang;
        o.record.detail = fmt::format("did not finish within {} s; killed", options.timeout_s);
      } else if (p.signal != 0 || !deadly.empty()) {
        o.record.verdict = Verdict::crash;
        o.record.detail = !deadly.empty() ? deadly : p.text();
      } else if (first != nullptr) {
        o.record.verdict = verdict_of(*first);
        o.record.detail = first->summary.empty() ? first->headline : first->summary;
      } else if (p.exit_code != 0) {
        o.record.verdict = Verdict::invariant_violated;
        o.record.detail = fmt::format("exited with code {}{}", p.exit_code,
                                      p.exit_code == kTsanExitCode ? " (TSan's, with no report in the logs)" : "");
      }
      if (o.record.verdict != Verdict::clean) o.record.detail += fmt::format(" (logs: {})", dir);
      ++done;
      if (on_run) {
        std::lock_guard lock(report_mutex);
        on_run(done.load());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < std::max(1, options.jobs); ++j) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();

  // One problem line for "no TSan", counting the runs, rather than one per run.
  const auto without = std::count_if(outcomes.begin(), outcomes.end(), [](const RunOutcome& o) { return !o.banner; });
  sanitizer = without == 0 && options.runs > 0 ? "thread" : "none";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report::VariantResult result =
      collect(metadata(name, joined(options.command), options.runs), outcomes, seconds,
              "TSAN_OPTIONS='second_deadlock_stack=1' " + shell_quoted(options.command));
  if (without > 0)
    result.problems.insert(
        result.problems.begin(),
        fmt::format("{} of {} runs printed no ThreadSanitizer start-up line: {} is not built "
                    "with -fsanitize=thread (or its TSan runtime did not start); nothing here "
                    "counts as clean",
                    without, options.runs, argv[0]));
  return result;
}

report::VariantResult report_logs(const std::vector<std::string>& logs, const std::string& name) {
  std::vector<RunOutcome> outcomes;
  for (const std::string& path : logs) {
    const std::optional<std::string> text = read_text(path);
    if (!text) throw std::invalid_argument(fmt::format("cannot read {}", path));
    RunOutcome o;
    o.record.index = static_cast<std::int64_t>(outcomes.size());
    o.record.strategy = "none";
    o.logs.push_back(report::parse_tsan_log(*text));
    const report::TsanLog& log = o.logs.back();
    if (!log.deadly_signal.empty()) {
      o.record.verdict = Verdict::crash;
      o.record.detail = log.deadly_signal;
    } else if (!log.findings.empty()) {
      o.record.verdict = verdict_of(log.findings.front());
      o.record.detail = log.findings.front().summary;
    }
    if (o.record.verdict != Verdict::clean) o.record.detail += fmt::format(" (log: {})", path);
    outcomes.push_back(std::move(o));
  }
  return collect(metadata(name, "TSan logs: " + joined(logs), static_cast<std::int64_t>(logs.size())),
                 outcomes, 0, "");
}

}  // namespace racelab::driver
