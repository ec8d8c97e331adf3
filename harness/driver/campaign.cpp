#include "campaign.h"

#include <poll.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "process.h"
#include "racelab/report/tsan.h"

namespace racelab::driver {

namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string shell_quote(const std::string& word) {
  if (!word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789_-./=:+,@") == std::string::npos)
    return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Verdicts after which a worker ends its process on purpose: the run cannot
// continue there (a thread is blocked for good).
bool ends_process(Verdict v) {
  return v == Verdict::self_deadlock || v == Verdict::deadlock || v == Verdict::livelock ||
         v == Verdict::hang;
}

// One worker process's share of a campaign.
struct WorkerOutcome {
  std::vector<report::RunRecord> runs;
  std::optional<std::pair<std::int64_t, std::uint64_t>> in_flight;  ///< begun, not finished
  bool ended = false;      ///< it said "end"
  bool silent = false;     ///< killed for saying nothing too long
  std::string malformed;   ///< the first line it could not read
  ExitStatus status;
};

WorkerOutcome drive(Worker& worker, std::chrono::milliseconds silence_limit) {
  WorkerOutcome outcome;
  std::string buffer;
  pollfd fd{worker.records, POLLIN, 0};
  for (;;) {
    int ready = poll(&fd, 1, static_cast<int>(silence_limit.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      outcome.silent = true;
      outcome.status = stop_worker(worker);
      return outcome;
    }
    char chunk[65536];
    ssize_t n = read(worker.records, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    std::size_t start = 0;
    for (std::size_t eol; (eol = buffer.find('\n', start)) != std::string::npos; start = eol + 1) {
      const std::string line = buffer.substr(start, eol - start);
      try {
        const nlohmann::json record = nlohmann::json::parse(line);
        const std::string type = record.at("type").get<std::string>();
        if (type == "begin") {
          outcome.in_flight = {record.at("index").get<std::int64_t>(),
                               record.at("seed").get<std::uint64_t>()};
        } else if (type == "run") {
          outcome.runs.push_back(report::RunRecord::from_json(record));
          outcome.in_flight.reset();
        } else if (type == "end") {
          outcome.ended = true;
        }
      } catch (const std::exception& e) {
        if (outcome.malformed.empty()) outcome.malformed = fmt::format("{} in: {}", e.what(), line);
      }
    }
    buffer.erase(0, start);
  }
  outcome.status = reap_worker(worker);
  return outcome;
}

}  // namespace

report::VariantResult run_variant(const CaseProgram& program, Variant variant,
                                  const CampaignOptions& options) {
  const nlohmann::json& d = program.describe;
  const std::string variant_name(to_string(variant));
  const nlohmann::json& spec = d.at("variants").at(variant_name);
  const std::int64_t total = options.runs.value_or(spec.at("runs").get<std::int64_t>());

  report::VariantResult header;
  header.case_id = program.id();
  header.title = d.value("title", "");
  header.bug_class = d.value("bug_class", "");
  header.variant = variant;
  header.strategy = std::string(to_string(options.strategy));
  header.seed = options.seed;
  for (const auto& e : spec.at("expected"))
    if (auto v = parse_verdict(e.get<std::string>())) header.expected.push_back(*v);

  std::vector<std::string> common = {"--variant", variant_name, "--strategy",
                                     std::string(to_string(options.strategy))};
  if (options.timeout_s > 0) {
    common.push_back("--timeout");
    common.push_back(fmt::format("{}", options.timeout_s));
  }
  std::string rerun = shell_quote(program.path);
  for (const std::string& arg : common) rerun += " " + shell_quote(arg);
  report::VariantCollector collector(header, rerun);

  const std::string logs = options.out_dir + "/logs";
  fs::create_directories(logs);
  std::string tsan_options;
  if (const char* user = std::getenv("TSAN_OPTIONS")) tsan_options = std::string(user) + " ";

  // The worker's own watchdog ends a run that overruns its limit; the driver
  // only steps in when a worker says nothing for much longer than that.
  const double per_run_s = options.timeout_s > 0 ? options.timeout_s : 10.0;
  const auto silence_limit = std::chrono::milliseconds(static_cast<std::int64_t>(per_run_s * 3000) + 10000);

  const auto started = std::chrono::steady_clock::now();
  std::int64_t next = 0;
  int worker_number = 0;
  int deaths_without_runs = 0;
  while (next < total) {
    const std::string base =
        fmt::format("{}/{}.{}.w{}", logs, header.case_id, variant_name, worker_number++);
    std::vector<std::string> argv = {program.path};
    argv.insert(argv.end(), common.begin(), common.end());
    for (std::string arg : {std::string("--seed"), std::to_string(options.seed),
                            std::string("--first-run"), std::to_string(next),
                            std::string("--runs"), std::to_string(total - next),
                            std::string("--records-fd"), std::string("3")})
      argv.push_back(arg);
    if (options.stop_on_first) argv.push_back("--stop-on-first");

    Worker worker;
    try {
      worker = start_worker(argv, {{"TSAN_OPTIONS", tsan_options + "log_path=" + base + ".tsan"}},
                            base + ".out");
    } catch (const std::exception& e) {
      collector.add_problem(fmt::format("cannot start a worker: {}", e.what()));
      break;
    }
    const pid_t pid = worker.pid;
    WorkerOutcome outcome = drive(worker, silence_limit);

    for (const report::RunRecord& run : outcome.runs) {
      collector.add_run(run);
      next = run.index + 1;
    }
    const std::string log_path = fmt::format("{}.tsan.{}", base, pid);
    if (fs::exists(log_path)) collector.add_log(report::parse_tsan_log(read_text(log_path)), outcome.runs);
    for (const std::string& fatal : report::parse_tsan_log(read_text(base + ".out")).fatal_errors)
      collector.add_problem(fmt::format("ThreadSanitizer failed: {} (see {}.out)", fatal, base));
    if (!outcome.malformed.empty())
      collector.add_problem(fmt::format("unreadable record from the worker: {}", outcome.malformed));

    if (outcome.ended) break;
    const bool failed_stop = options.stop_on_first && !outcome.runs.empty() &&
                             outcome.runs.back().verdict != Verdict::clean;
    if (!outcome.runs.empty() && ends_process(outcome.runs.back().verdict) && !outcome.in_flight) {
      deaths_without_runs = 0;
      if (failed_stop) break;
      continue;  // the worker ended itself after a run-ending verdict: resume
    }
    // The worker died, or fell silent, in the middle of a run.
    if (outcome.in_flight) {
      report::RunRecord lost;
      lost.index = outcome.in_flight->first;
      lost.seed = outcome.in_flight->second;
      lost.strategy = header.strategy;
      lost.tsan_first = lost.tsan_count = 0;
      if (outcome.silent) {
        lost.verdict = Verdict::hang;
        lost.detail = fmt::format("the worker said nothing for {} s and was killed",
                                  silence_limit.count() / 1000);
      } else if (outcome.status.signal != 0) {
        lost.verdict = Verdict::crash;
        lost.detail = fmt::format("the process was {} during the run (output: {}.out)",
                                  outcome.status.text(), base);
      } else {
        lost.verdict = Verdict::infra_error;
        lost.detail = fmt::format("the worker ended ({}) during the run (output: {}.out)",
                                  outcome.status.text(), base);
      }
      collector.add_run(lost);
      next = lost.index + 1;
      deaths_without_runs = 0;
      if (options.stop_on_first) break;
      continue;
    }
    if (outcome.runs.empty() && ++deaths_without_runs < 2) continue;
    collector.add_problem(fmt::format("the worker ended ({}) without finishing its campaign; see {}.out",
                                      outcome.status.text(), base));
    break;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return collector.finish(seconds);
}

}  // namespace racelab::driver
