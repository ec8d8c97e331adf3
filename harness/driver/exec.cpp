// racelab exec and report: runs of any program (or its logs), judged into
// one result expected clean.
#include "exec.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "catalogue.h"
#include "exec_judge.h"
#include "process.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/render.h"
#include "racelab/report/tsan.h"
#include "racelab/runtime_wire.h"
#include "racelab/schedule.h"
#include "racelab/tsan_kind.h"

namespace racelab::driver {

namespace fs = std::filesystem;

namespace {

// TSan's start-up line at verbosity >= 1: "***** Running under ThreadSanitizer v3 (pid N) *****".
constexpr std::string_view kBanner = "Running under ThreadSanitizer";

report::VariantResult metadata(const std::string& name, const std::string& title,
                               std::int64_t runs) {
  report::VariantResult meta;
  meta.case_id = name;
  meta.title = title;
  meta.variant = Variant::program;
  meta.strategy = "none";
  meta.expected = {Verdict::clean};
  meta.runtime_frames = racelab_runtime_frames();
  meta.range_to = runs;
  return meta;
}

// Reads a log racelab did not write (report's input, left as it is): whole,
// or its first `max_bytes` (with a problem saying so).
std::optional<std::string> read_log(const std::string& path, std::uint64_t max_bytes, std::vector<std::string>& problems) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  if (error) return std::nullopt;
  if (size <= max_bytes) return read_text(path);
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<std::size_t>(max_bytes), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) return std::nullopt;
  problems.push_back(fmt::format("{} is {} bytes; only the first {} were read (--max-log): findings past them "
                                 "are not counted",
                                 path, size, max_bytes));
  return text;
}

// GoogleTest's closing line when it ran nothing ("[==========] 0 tests from
// 0 test suites ran."; "test cases" before 1.10), in the output's last 64 KiB.
bool printed_no_test_ran(const std::string& output) {
  std::ifstream in(output, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 65536);
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail.find("[==========] 0 tests from 0 test") != std::string::npos;
}

// Why the runs tested nothing, or empty: every run that started was of a test
// program that ran no test (its framework said so to the runtime, or
// GoogleTest printed it).
std::string nothing_tested(const std::vector<RunOutcome>& outcomes) {
  std::int64_t started = 0, none_selected = 0, none_started = 0, printed = 0, total = 0;
  for (const RunOutcome& o : outcomes) {
    if (!o.started) continue;
    ++started;
    if (o.runtime.selected) {
      if (!o.runtime.tests.empty()) return {};
      total = std::max(total, o.runtime.selected->total);
      ++(o.runtime.selected->selected == 0 ? none_selected : none_started);
    } else if (o.runtime.tests.empty() && printed_no_test_ran(o.output)) {
      ++printed;
    } else {
      return {};
    }
  }
  if (started == 0) return {};
  if (none_selected == started)
    return fmt::format("no test ran in any of the {} runs: none of the program's {} tests was selected (its "
                       "--gtest_filter or GTEST_FILTER matches none, every match is disabled, or its shard is empty); "
                       "a run that tested nothing is never clean",
                       started, total);
  if (printed == started)
    return fmt::format("no test ran in any of the {} runs: GoogleTest said it ran 0 tests (its filter matches none, "
                       "or every test is disabled); a run that tested nothing is never clean",
                       started);
  return fmt::format("no test ran in any of the {} runs: the program {} before its first test started; a run that "
                     "tested nothing is never clean",
                     started, none_started > 0 ? "selected tests but ended (crashed, hung or exited)" : "ended");
}

// What the run writing records in `dir` is testing: "Suite.Name (57 of 211)"
// from its runtime's records, or empty.
std::string testing_now(const std::string& dir) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (!entry.path().filename().string().starts_with("racelab.")) continue;
    const std::optional<std::string> text = read_text(entry.path());
    if (!text) continue;
    std::string name;
    std::int64_t ended = 0, selected = 0;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      try {
        const ProgramMessage m = decode_program_record(line);
        if (const auto* start = std::get_if<ProgramTestStart>(&m)) name = start->name;
        else if (std::holds_alternative<ProgramTestEnd>(m)) ++ended;
        else if (const auto* tests = std::get_if<ProgramTests>(&m)) selected = tests->selected;
      } catch (const std::exception&) {  // a line being written
      }
    }
    if (!name.empty()) return selected > 0 ? fmt::format("{} ({} of {})", name, ended + 1, selected) : name;
  }
  return {};
}

// A run's directory is in `runs` while its process runs (the progress line
// reads what it is testing).
class InFlight {
 public:
  InFlight(std::mutex& mutex, std::set<std::string>& runs, std::string dir)
      : mutex_(mutex), runs_(runs), dir_(std::move(dir)) {
    std::lock_guard lock(mutex_);
    runs_.insert(dir_);
  }
  ~InFlight() {
    std::lock_guard lock(mutex_);
    runs_.erase(dir_);
  }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::mutex& mutex_;
  std::set<std::string>& runs_;
  std::string dir_;
};

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

std::vector<report::VariantResult> exec_runs(const ExecOptions& options, std::string& sanitizer,
                                const std::function<void(std::int64_t, const std::string&)>& on_run) {
  std::vector<std::string> argv = options.command;
  argv.at(0) = find_program(argv.at(0));
  const std::string name =
      options.name.empty() ? fs::path(options.command.at(0)).filename().string() : options.name;
  const auto started = std::chrono::steady_clock::now();
  std::string user_options;
  if (const char* user = std::getenv("TSAN_OPTIONS")) user_options = std::string(user) + " ";
  // File:line in TSan's reports and the runtime's sites; the user's choice, if any, comes after.
  std::string symbolizer;
#ifdef RACELAB_SYMBOLIZER
  symbolizer = "external_symbolizer_path=" RACELAB_SYMBOLIZER " ";
#endif
  std::atomic<std::uint64_t> pct_steps{1000};

  std::vector<RunOutcome> outcomes(static_cast<std::size_t>(options.runs));
  std::atomic<bool> failed{false};  // --stop-on-first: a run failed
  std::atomic<std::int64_t> skipped_from{options.runs};
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> done{0};
  std::mutex report_mutex;  // on_run from one thread at a time; guards in_flight
  std::set<std::string> in_flight;  // the directories of runs under way
  auto work = [&] {
    for (std::int64_t i = next++; i < options.runs; i = next++) {
      // Runs are taken in index order: once one failed, the runs done are a prefix.
      if (options.stop_on_first && failed.load()) {
        std::int64_t first_skipped = skipped_from.load();
        while (i < first_skipped && !skipped_from.compare_exchange_weak(first_skipped, i)) {
        }
        break;
      }
      RunOutcome& o = outcomes[static_cast<std::size_t>(i)];
      o.record.index = i;
      o.record.seed = run_seed(options.seed, i);
      o.record.strategy = "none";
      const std::string dir = fmt::format("{}/logs/run-{}", options.out_dir, i);
      const std::string output = dir + "/output.txt";
      const auto t0 = std::chrono::steady_clock::now();
      ProcessResult p;
      try {
        fs::remove_all(dir);
        fs::create_directories(dir);
        const InFlight flight(report_mutex, in_flight, dir);
        // Ours after the user's, so ours win: the log path, the banner that
        // proves TSan ran, both stacks of a lock-order cycle, a report of
        // abort() with the crashing stack, the program's own exit status.
        p = run_to_file(argv, std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_s * 1000)),
                        {{"TSAN_OPTIONS", symbolizer + user_options + "log_path=" + dir + "/tsan verbosity=1 "
                                                         "second_deadlock_stack=1 atexit_sleep_ms=0 "
                                                         "handle_abort=1 exitcode=0"},
                         {kEnvStrategy, std::string(to_string(options.strategy))},
                         {kEnvSeed, std::to_string(o.record.seed)},
                         {kEnvPctDepth, std::to_string(options.pct_depth)},
                         {kEnvPctSteps, std::to_string(pct_steps.load())},
                         {kEnvBudget, std::to_string(options.budget_percent)},
                         {kEnvSchedule, options.replay},
                         {kEnvRecords, dir + "/racelab"}},
                        output, options.max_log);
      } catch (const std::exception& e) {
        o.problems.push_back(fmt::format("run {}: cannot run {}: {}", i, argv[0], e.what()));
        o.record.verdict = Verdict::infra_error;
        o.record.detail = e.what();
        ++done;
        continue;
      }
      o.record.duration_us =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
      if (!p.exec_error.empty()) {
        o.problems.push_back(fmt::format("run {}: {} could not be started: {}", i, argv[0], p.exec_error));
        o.record.verdict = Verdict::infra_error;
        o.record.detail = "could not be started: " + p.exec_error;
        ++done;
        continue;
      }
      o.started = true;
      // The file kept exactly max_log bytes of what was written.
      if (p.output_truncated) o.dropped = p.output_bytes - options.max_log;
      // Every TSan process of the run wrote its own tsan.<pid>; the run's own
      // process must be among them, with the banner.
      std::vector<std::string> files;
      std::error_code error;
      for (const auto& entry : fs::directory_iterator(dir, error))
        if (entry.path().filename().string().starts_with("tsan.")) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      // The proof is the banner in the log of the run's own process — or,
      // when that process wrote none (a shell script that runs the program
      // as its child), in a log of one it started.
      const std::string own_log = fmt::format("{}/tsan.{}", dir, p.pid);
      o.process = p;
      o.output = output;
      bool own_seen = false;
      bool child_seen = false;
      for (const std::string& file : files) {
        if (cap_file(file, options.max_log)) o.problems.push_back(cut_log_problem(file, options.max_log));
        const std::optional<std::string> text = read_text(file);
        if (!text) {
          o.problems.push_back(fmt::format("run {}: cannot read {}", i, file));
          continue;
        }
        (file == own_log ? own_seen : child_seen) |= text->find(kBanner) != std::string::npos;
        if (file == own_log) o.own_log = static_cast<int>(o.logs.size());
        o.logs.push_back(report::parse_tsan_log(*text));
      }
      o.banner = own_seen || (child_seen && std::find(files.begin(), files.end(), own_log) == files.end());
      read_runtime_records(o, dir, p.pid, i);
      if (o.runtime.linked) o.record.strategy = o.runtime.strategy;
      // pct's k: the longest run seen so far.
      for (std::uint64_t k = pct_steps.load(); o.runtime.steps > k && !pct_steps.compare_exchange_weak(k, o.runtime.steps);) {
      }
      judge(o, p, output, options.timeout_s);
      if (o.record.verdict != Verdict::clean) {
        o.record.detail += fmt::format(" (logs: {})", dir);
        failed = true;
      }
      ++done;
      if (on_run) {
        std::lock_guard lock(report_mutex);
        on_run(done.load(), "");
      }
    }
  };
  // What a run in flight is testing, every quarter second.
  std::mutex watch_mutex;
  std::condition_variable watch_stop;
  bool stopped = false;
  std::thread watcher;
  if (options.progress && on_run)
    watcher = std::thread([&] {
      std::unique_lock watch(watch_mutex);
      while (!watch_stop.wait_for(watch, std::chrono::milliseconds(250), [&] { return stopped; })) {
        std::lock_guard lock(report_mutex);
        if (in_flight.empty()) continue;
        const std::string testing = testing_now(*in_flight.begin());
        if (!testing.empty()) on_run(done.load(), testing);
      }
    });
  std::vector<std::thread> threads;
  for (int j = 1; j < std::max(1, options.jobs); ++j) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (watcher.joinable()) {
    {
      std::lock_guard watch(watch_mutex);
      stopped = true;
    }
    watch_stop.notify_one();
    watcher.join();
  }
  outcomes.resize(static_cast<std::size_t>(skipped_from.load()));

  // One problem line for "no TSan", counting the runs, rather than one per run.
  const auto without = std::count_if(outcomes.begin(), outcomes.end(),
                                     [](const RunOutcome& o) { return o.started && !o.banner; });
  const auto ran = std::count_if(outcomes.begin(), outcomes.end(), [](const RunOutcome& o) { return o.started; });
  sanitizer = without == 0 && ran > 0 ? "thread" : "none";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto linked = std::count_if(outcomes.begin(), outcomes.end(), [](const RunOutcome& o) { return o.runtime.linked; });
  report::VariantResult meta = metadata(name, joined(options.command), static_cast<std::int64_t>(outcomes.size()));
  if (linked > 0) meta.strategy = std::string(to_string(options.strategy));
  meta.seed = options.seed;
  // A test program that said where its tests ran: a result per test, and the
  // program's own result for what belongs to no test (notes and problems below).
  std::vector<report::VariantResult> tests = by_test(outcomes, meta, seconds, options.command, options.timeout_s);
  report::VariantResult result;
  if (tests.empty()) {
    result = collect(std::move(meta), outcomes, seconds,
                     "TSAN_OPTIONS='second_deadlock_stack=1' " + shell_command(options.command));
  } else {
    result = std::move(tests.back());
    tests.pop_back();
  }
  if (tests.empty()) result.perturbation = perturbation_of(outcomes);
  if (result.first_failure) {
    const RunOutcome& failed = outcomes.at(static_cast<std::size_t>(result.first_failure->run));
    if (failed.runtime.linked)
      result.first_failure->command =
          rerun_command(*result.first_failure, failed, kEnvSeed, shell_command(options.command));
  }
  if (linked == 0 && ran > 0)
    result.notes.push_back(fmt::format(
        "{} is not linked with racelab's runtime for unmodified code: its schedule was not perturbed, and a hang "
        "is judged from outside when the time runs out (`racelab flags` prints how to link it)",
        argv[0]));
  else if (linked < ran)
    result.notes.push_back(fmt::format("racelab's runtime ran in {} of {} runs", linked, ran));
  for (std::string& note : dropped_notes(outcomes)) result.notes.push_back(std::move(note));
  const auto cut = std::count_if(outcomes.begin(), outcomes.end(), [](const RunOutcome& o) { return o.dropped > 0; });
  if (cut > 0) {
    std::uint64_t most = 0;
    for (const RunOutcome& o : outcomes) most = std::max(most, o.dropped);
    result.notes.push_back(fmt::format(
        "the output of {} of {} runs was cut at --max-log {} bytes (up to {} bytes dropped from one run; each "
        "output.txt says how much)",
        cut, ran, options.max_log, most));
  }
  if (without > 0)
    result.problems.insert(
        result.problems.begin(),
        fmt::format("{} of {} runs printed no ThreadSanitizer start-up line: {} is not built "
                    "with -fsanitize=thread (or its TSan runtime did not start); nothing here "
                    "counts as clean",
                    without, ran, argv[0]));
  if (const std::string why = nothing_tested(outcomes); !why.empty()) result.problems.push_back(why);
  // The program's own result stays when it holds anything, and always when no test ran.
  if (tests.empty() || !result.as_expected() || !result.notes.empty() || !result.findings.empty())
    tests.push_back(std::move(result));
  return tests;
}

report::VariantResult report_logs(const std::vector<std::string>& logs, const std::string& name,
                                  bool assume_tsan, std::uint64_t max_log) {
  std::vector<RunOutcome> outcomes;
  std::vector<std::string> problems;
  for (const std::string& path : logs) {
    std::error_code error;
    if (!fs::exists(path, error)) throw std::invalid_argument(fmt::format("cannot read {}: no such file", path));
    if (fs::is_directory(path, error))
      throw NotALog(fmt::format("{} is a directory, not a TSan log (give its files)", path));
    const std::optional<std::string> text = read_log(path, max_log, problems);
    if (!text) throw std::invalid_argument(fmt::format("cannot read {}", path));
    if (text->find('\0') != std::string::npos)
      throw NotALog(fmt::format("{} is a binary file, not a TSan log", path));
    RunOutcome o;
    o.record.index = static_cast<std::int64_t>(outcomes.size());
    o.record.strategy = "none";
    o.started = true;
    o.logs.push_back(report::parse_tsan_log(*text));
    const report::TsanLog& log = o.logs.back();
    o.banner = text->find(kBanner) != std::string::npos || !log.findings.empty() ||
               !log.deadly_signal.empty() || !log.fatal_errors.empty() || log.reported_warnings >= 0;
    if (!o.banner && !assume_tsan)
      throw NotALog(fmt::format(
          "{} {} no ThreadSanitizer output: nothing proves that TSan ran in that process (log with "
          "TSAN_OPTIONS=verbosity=1, or say --assume-tsan when a log without TSan output means a clean "
          "TSan process)",
          path, text->empty() ? "is empty:" : "holds"));
    judge_log(o.record, log);
    if (o.record.verdict != Verdict::clean) o.record.detail += fmt::format(" (log: {})", path);
    outcomes.push_back(std::move(o));
  }
  report::VariantResult result =
      collect(metadata(name, "TSan logs: " + joined(logs), static_cast<std::int64_t>(logs.size())),
              outcomes, 0, "", assume_tsan);
  result.problems.insert(result.problems.end(), problems.begin(), problems.end());
  return result;
}

}  // namespace racelab::driver
