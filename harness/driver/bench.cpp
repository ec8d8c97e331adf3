// racelab bench: every detector on every case, trials of seeded runs, the figures of detection and cost.
#include "bench.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string_view>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "campaign.h"
#include "catalogue.h"
#include "process.h"
#include "racelab/report/render.h"

namespace racelab::driver {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// valgrind's path from PATH ("valgrind" when it is not there: starting it
// then fails, and run_bench() checks first).
std::string valgrind_path() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t at = 0; at <= dirs.size();) {
    std::size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    const fs::path candidate = fs::path(dirs.substr(at, end - at)) / "valgrind";
    if (!candidate.parent_path().empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    at = end + 1;
  }
  return "valgrind";
}

// Did the detector flag this run at all? (An infrastructure failure is no
// detection.)
bool flagged(const RunRecord& run) {
  const bool verdict = run.verdict != Verdict::clean && run.verdict != Verdict::infra_error;
  return verdict || run.tsan_count > 0 || run.valgrind_errors > 0;
}

// What the detector said about a flagged run: racelab's verdict when its
// checks are on; else the tool's report first (TSan's kind, valgrind's first
// error), then what the program showed.
Verdict said(const Detector& d, const RunRecord& run,
             const std::optional<std::pair<std::string, std::string>>& valgrind_error) {
  if (d.racelab) return run.verdict;
  if (run.valgrind_errors > 0 && valgrind_error)
    return verdict_for_valgrind_kind(valgrind_error->first, valgrind_error->second);
  if (run.tsan_count > 0 && run.tsan_verdict) return *run.tsan_verdict;
  return run.verdict;
}

// The valgrind XML logs of one variant's workers.
std::vector<std::string> worker_xml_logs(const std::string& logs, const std::string& case_id,
                                         const std::string& variant) {
  std::vector<std::string> paths;
  const std::string prefix = fmt::format("{}.{}.", case_id, variant);
  if (!fs::exists(logs)) return paths;
  for (const auto& entry : fs::directory_iterator(logs)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(".valgrind.xml")) paths.push_back(entry.path().string());
  }
  return paths;
}

// ValgrindLog — a worker's XML log read as it grows: each call returns the
// errors valgrind finished writing since the last one.
class ValgrindLog {
 public:
  explicit ValgrindLog(std::string path) : path_(std::move(path)) {}

  std::vector<std::pair<std::string, std::string>> new_errors() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return {};
    in.seekg(static_cast<std::streamoff>(offset_));
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t end = chunk.rfind("</error>");
    if (end == std::string::npos) return {};
    chunk.resize(end + 8);
    offset_ += chunk.size();
    return valgrind_errors_in(chunk);
  }

 private:
  std::string path_;
  std::size_t offset_ = 0;
};

std::string first_line_of(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

// valgrind's command line for `tool`. Fair scheduling: valgrind runs one
// thread at a time, and without it a thread spinning for another can starve
// that one for seconds (a polling case's fixed variant then looks like a
// livelock). With `xml`, errors go to an XML log per worker, where their
// kinds are read back.
std::vector<std::string> valgrind_command(const std::string& tool, bool xml) {
  std::vector<std::string> argv = {valgrind_path(), "--tool=" + tool, "-q", "--fair-sched=yes"};
  // DRD leaves variables on a stack unchecked by default; the cases share
  // the body's locals with their threads.
  if (tool == "drd") argv.push_back("--check-stack-var=yes");
  // Helgrind keeps a full history of earlier accesses by default, to print
  // both stacks of a race; approx finds the same races about 3 times faster
  // (the earlier access's stack is then approximate).
  if (tool == "helgrind") argv.push_back("--history-level=approx");
  if (xml) {
    argv.push_back("--xml=yes");
    argv.push_back("--xml-file={log}.valgrind.xml");
  }
  return argv;
}

std::string machine_description(const std::string& compiler) {
  std::string cpu = "unknown CPU";
  if (auto info = read_text("/proc/cpuinfo")) {
    std::smatch m;
    if (std::regex_search(*info, m, std::regex("model name\\s*:\\s*([^\\n]+)"))) cpu = m[1];
  }
  const auto vg = run_captured({valgrind_path(), "--version"}, std::chrono::seconds(10));
  return fmt::format("{}, {} hardware threads; {}; {}", cpu, std::thread::hardware_concurrency(),
                     compiler, vg.exit_code == 0 ? first_line_of(vg.out) : "no valgrind");
}

std::vector<Detector> all_detectors() {
  std::vector<Detector> d;
  d.push_back({"stress", "plain build, no perturbation, racelab's checks off: the program's own check, a crash or a hang",
               false, false, Strategy::none, {}, ""});
  d.push_back({"tsan", "TSan build, no perturbation, racelab's checks off: TSan's reports, the program's own check, a crash or a hang",
               false, true, Strategy::none, {}, ""});
  for (Strategy s : {Strategy::yield, Strategy::sleep, Strategy::pct, Strategy::portfolio})
    d.push_back({std::string(to_string(s)),
                 fmt::format("racelab: TSan build, racelab's checks, strategy {}", to_string(s)), true,
                 true, s, {}, ""});
  for (const char* tool : {"helgrind", "drd"})
    d.push_back({tool,
                 fmt::format("`valgrind --tool={} --fair-sched=yes {}` on the plain build, racelab's checks off",
                             tool, std::string_view(tool) == "drd" ? "--check-stack-var=yes" : "--history-level=approx"),
                 false, false, Strategy::none, valgrind_command(tool, true), tool});
  return d;
}

Verdict verdict_for_valgrind_kind(const std::string& kind, const std::string& what) {
  if (kind == "Race" || kind == "ConflictingAccess") return Verdict::data_race;
  if (kind == "LockOrder") return Verdict::lock_order_inversion;
  if (what.find("re-lock") != std::string::npos || what.find("Recursive locking") != std::string::npos)
    return Verdict::self_deadlock;
  // UnlockUnlocked, UnlockForeign, UnlockBogus, PthAPIerror, MutexErr,
  // CondErr, RwlockErr, Misc: misuse of the threading API.
  return Verdict::mutex_misuse;
}

std::vector<std::pair<std::string, std::string>> valgrind_errors_in(std::string_view xml) {
  // Plain string search: logs reach hundreds of MB (helgrind reports a lock
  // order again for every run's new mutexes).
  auto between = [](std::string_view text, std::string_view open, std::string_view close) {
    const std::size_t from = text.find(open);
    if (from == std::string_view::npos) return std::optional<std::string_view>{};
    const std::size_t to = text.find(close, from + open.size());
    if (to == std::string_view::npos) return std::optional<std::string_view>{};
    return std::optional<std::string_view>{text.substr(from + open.size(), to - from - open.size())};
  };
  std::vector<std::pair<std::string, std::string>> errors;
  for (std::size_t at = xml.find("<error>"); at != std::string_view::npos;) {
    const std::size_t next = xml.find("<error>", at + 7);
    const std::string_view body = xml.substr(at, next == std::string_view::npos ? xml.npos : next - at);
    if (auto kind = between(body, "<kind>", "</kind>")) {
      auto what = between(body, "<what>", "</what>");
      if (!what) what = between(body, "<text>", "</text>");
      errors.emplace_back(std::string(*kind), std::string(what.value_or("")));
    }
    at = next;
  }
  return errors;
}

double median(std::vector<double> sample) {
  std::sort(sample.begin(), sample.end());
  const std::size_t n = sample.size();
  return n % 2 == 1 ? sample[n / 2] : (sample[n / 2 - 1] + sample[n / 2]) / 2;
}

double percentile95(std::vector<double> sample) {
  std::sort(sample.begin(), sample.end());
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(sample.size())));
  return sample[std::max<std::size_t>(rank, 1) - 1];
}

BenchResult run_bench(const BenchOptions& options,
                      const std::function<void(const std::string&)>& say) {
  const auto started = Clock::now();
  BenchResult result;
  result.options = options;
  for (const Detector& d : all_detectors())
    if (options.detectors.empty() ||
        std::find(options.detectors.begin(), options.detectors.end(), d.name) != options.detectors.end())
      result.detectors.push_back(d);
  for (const std::string& name : options.detectors)
    if (std::none_of(result.detectors.begin(), result.detectors.end(),
                     [&](const Detector& d) { return d.name == name; }))
      throw std::invalid_argument(fmt::format(
          "unknown detector '{}' (stress, tsan, yield, sleep, pct, portfolio, helgrind, drd)", name));

  const std::vector<CaseProgram> tsan = load_catalogue(options.cases_dir, options.cases);
  const std::vector<CaseProgram> plain = load_catalogue(options.cases_dir + "/plain", options.cases);
  if (tsan.size() != plain.size())
    throw std::runtime_error("the plain case programs do not match the TSan ones (rebuild)");
  if (tsan.front().describe.at("build").value("sanitizer", "") != "thread")
    throw std::runtime_error(fmt::format("{} holds no TSan build: racelab bench compares against it",
                                         options.cases_dir));
  const bool valgrind_needed = std::any_of(result.detectors.begin(), result.detectors.end(),
                                           [](const Detector& d) { return !d.tool.empty(); });
  if (valgrind_needed &&
      run_captured({valgrind_path(), "--version"}, std::chrono::seconds(10)).exit_code != 0)
    throw std::runtime_error("valgrind is not installed (toolchain/bootstrap --dev installs it)");
  result.machine = machine_description(tsan.front().describe.at("build").value("compiler", "clang"));

  for (std::size_t i = 0; i < tsan.size(); ++i) {
    BenchCase c;
    c.id = tsan[i].id();
    c.title = tsan[i].describe.value("title", "");
    for (const auto& e : tsan[i].describe.at("variants").at("buggy").at("expected"))
      if (auto v = parse_verdict(e.get<std::string>())) c.expected.push_back(*v);
    result.cases.push_back(std::move(c));
  }

  auto case_of = [&](const CaseProgram& p) -> const BenchCase& {
    return *std::find_if(result.cases.begin(), result.cases.end(),
                         [&](const BenchCase& c) { return c.id == p.id(); });
  };

  for (const Detector& d : result.detectors) {
    const std::vector<CaseProgram>& programs = d.tsan_build ? tsan : plain;
    const std::string base = fmt::format("{}/{}", options.work_dir, d.name);
    auto campaign_options = [&](std::uint64_t seed, std::int64_t runs, const std::string& dir) {
      CampaignOptions o;
      o.runs = runs;
      o.jobs = options.jobs;
      o.chains = 1;
      o.seed = seed;
      o.strategy = d.strategy;
      o.plain = !d.racelab;
      o.wrapper = d.wrapper;
      // Every run is judged on its own: TSan reports a race again when it
      // recurs (by default once per pair of stacks and per address in a
      // process), as valgrind counts every recurrence of an error.
      o.tsan_options = "suppress_equal_stacks=0 suppress_equal_addresses=0";
      o.timeout_s = options.timeout_s;
      o.out_dir = dir;
      return o;
    };

    // The floor: two threads started and joined, in this detector's process.
    {
      std::vector<std::string> argv;
      if (!d.tool.empty()) argv = valgrind_command(d.tool, false);
      argv.push_back(programs.front().path);
      argv.push_back("--spawn-floor");
      argv.push_back("1");
      const auto begun = Clock::now();
      const ProcessResult floor = run_captured(argv, std::chrono::seconds(60));
      // The process's start and exit: what it took beyond its 1 s of work.
      result.start_seconds[d.name] =
          std::max(0.0, std::chrono::duration<double>(Clock::now() - begun).count() - 1.0);
      try {
        result.floor[d.name] = nlohmann::json::parse(floor.out).at("spawn_join_per_s").get<double>();
      } catch (const std::exception&) {
        throw std::runtime_error(fmt::format("{}: the spawn+join floor could not be measured ({}): {}",
                                             d.name, floor.how_it_ended(), first_line_of(floor.err)));
      }
    }

    // Fixed variants: every flagged run is a false alarm.
    {
      const std::string dir = base + "/fixed";
      CampaignOptions o = campaign_options(options.seed, options.fixed_runs, dir);
      o.stop_when = [&](const CaseProgram& program, Variant, const RunRecord& run, const std::string&) {
        FalseAlarms& fa = result.fixed[program.id()][d.name];
        ++fa.runs;
        if (flagged(run)) {
          ++fa.flagged;
          if (d.tool.empty()) ++fa.what[std::string(to_string(said(d, run, std::nullopt)))];
        }
        return false;
      };
      std::vector<std::pair<CaseProgram, Variant>> work;
      for (const CaseProgram& p : programs) work.emplace_back(p, Variant::fixed);
      const auto results = run_campaign(work, o, [](const report::VariantResult&) {}, [](const Progress&) {});
      for (std::size_t i = 0; i < results.size(); ++i) {
        const BenchCase& c = result.cases[i];
        FalseAlarms& fa = result.fixed[c.id][d.name];
        fa.seconds = results[i].seconds;
        for (const std::string& p : results[i].problems) fa.problems.push_back(p);
        if (d.tool.empty()) continue;
        // valgrind prints an error once however often it recurs: the kinds
        // of the distinct errors, from every worker's log.
        for (const std::string& log : worker_xml_logs(dir + "/logs", c.id, "fixed"))
          for (const auto& [kind, what] : valgrind_errors_in(read_text(log).value_or("")))
            ++fa.what[kind];
      }
      fs::remove_all(dir);
    }
    say(fmt::format("bench: {:<9} fixed variants, {} runs each: done at {:.0f} s", d.name,
                    options.fixed_runs, std::chrono::duration<double>(Clock::now() - started).count()));

    // Buggy variants: `trials` trials each, one after another in one chain of
    // workers; a trial ends at its first flagged run or after `budget` runs,
    // and the next starts at the following run (every run has its own seed
    // and fresh state; TSan and valgrind report repeats, see run_bench()).
    {
      const std::string dir = base + "/buggy";
      CampaignOptions o = campaign_options(options.seed, options.budget * options.trials, dir);
      // One worker more than jobs: trials of stuck runs mostly wait (for a
      // watchdog's confirmation, a process's start), and would leave a core
      // idle. (The fixed variants' runs/s are measured with `jobs`.)
      o.jobs = options.jobs + 1;
      struct Trial {
        int done = 0;
        std::int64_t start = 0;  ///< its first run index
        double seconds = 0;      ///< time in its runs so far
      };
      std::map<std::string, Trial> trials;
      struct WorkerErrors {
        std::unique_ptr<ValgrindLog> log;
        std::optional<std::pair<std::string, std::string>> first;
      };
      std::map<std::string, WorkerErrors> worker_errors;  ///< [worker log]
      o.stop_when = [&](const CaseProgram& program, Variant, const RunRecord& run,
                        const std::string& worker_log) {
        const BenchCase& c = case_of(program);
        Trial& t = trials[c.id];
        // Records already in the pipe after the last trial are not counted.
        if (t.done >= options.trials) return true;
        Detection& det = result.buggy[c.id][d.name];
        t.seconds += static_cast<double>(run.duration_us) / 1e6;
        const bool hit = flagged(run);
        if (hit) {
          std::optional<std::pair<std::string, std::string>> error;
          if (run.valgrind_errors > 0) {
            // The errors valgrind printed first during this run are the new
            // ones in its log; none new: a repeat, taken to be the worker's
            // first error.
            WorkerErrors& w = worker_errors[worker_log];
            if (!w.log) w.log = std::make_unique<ValgrindLog>(worker_log + ".valgrind.xml");
            const auto errors = w.log->new_errors();
            if (!w.first && !errors.empty()) w.first = errors.front();
            error = errors.empty() ? w.first : errors.front();
          }
          const Verdict verdict = said(d, run, error);
          ++det.caught;
          ++det.classes[verdict];
          if (std::find(c.expected.begin(), c.expected.end(), verdict) != c.expected.end())
            ++det.right_class;
          det.runs_to_first.push_back(run.index - t.start + 1);
          double seconds = t.seconds;
          if (!d.racelab && verdict == Verdict::hang) {
            // Seen when the time limit comes, not when racelab's watchdog
            // recognised it.
            const double run_s = static_cast<double>(run.duration_us) / 1e6;
            seconds += std::max(0.0, options.timeout_s - run_s);
            ++det.hangs_charged;
          }
          det.seconds_to_first.push_back(seconds);
        }
        if (hit || run.index - t.start + 1 >= options.budget) {
          ++t.done;
          ++det.trials;
          t.start = run.index + 1;
          t.seconds = 0;
        }
        return t.done >= options.trials;
      };
      // Longest first, so that no long case runs alone at the end while the
      // other jobs idle: cases whose runs may wait for the time limit (those
      // expected to hang, deadlock or livelock), then by the fixed variant's
      // time.
      std::vector<std::pair<CaseProgram, Variant>> work;
      for (const CaseProgram& p : programs) work.emplace_back(p, Variant::buggy);
      auto may_wait = [&](const CaseProgram& p) {
        const BenchCase& c = case_of(p);
        return std::any_of(c.expected.begin(), c.expected.end(),
                           [](Verdict v) { return info(v).may_wait; });
      };
      std::sort(work.begin(), work.end(), [&](const auto& a, const auto& b) {
        const bool wa = may_wait(a.first), wb = may_wait(b.first);
        const double sa = result.fixed[a.first.id()][d.name].seconds;
        const double sb = result.fixed[b.first.id()][d.name].seconds;
        if (wa != wb) return wa;
        return sa != sb ? sa > sb : a.first.id() < b.first.id();
      });
      for (const report::VariantResult& v : run_campaign(work, o, [](const report::VariantResult&) {}, [](const Progress&) {}))
        for (const std::string& p : v.problems) result.buggy[v.case_id][d.name].problems.push_back(p);
      fs::remove_all(dir);
    }
    say(fmt::format("bench: {:<9} buggy variants, {} trials: done at {:.0f} s", d.name, options.trials,
                    std::chrono::duration<double>(Clock::now() - started).count()));
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace racelab::driver
