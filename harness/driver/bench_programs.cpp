// racelab bench --programs: the detectors on programs written the usual way,
// and the page of what each said (docs/programs.md).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "bench.h"
#include "exec.h"
#include "process.h"
#include "racelab/report/tsan.h"
#include "racelab/tsan_kind.h"

namespace racelab::driver {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What one run (direct) or one trial (exec) showed.
struct Outcome {
  bool flagged = false;
  Verdict verdict = Verdict::clean;
  std::string text;  ///< where the header's words are looked for
  std::int64_t runs = 0;
  double seconds = 0;
  std::vector<std::string> problems;
};

std::string program_path(const ProgramBenchOptions& o, const ProgramDetector& d, const ProgramHeader& p) {
  return d.build.empty() ? fmt::format("{}/{}", o.dir, p.name) : fmt::format("{}/{}/{}", o.dir, d.build, p.name);
}

double timeout_of(const ProgramBenchOptions& o, const ProgramHeader& p) {
  return std::min<double>(o.timeout_s, p.timeout_s);
}

// One run of the program as it is (TSan alone) or under valgrind: the tool's
// first report, else what the program showed.
Outcome direct_run(const ProgramDetector& d, const std::string& path, double timeout_s, const std::string& xml) {
  std::vector<std::string> argv;
  if (d.runner == ProgramDetector::Runner::valgrind) {
    argv = valgrind_command(d.tool, false);
    argv.push_back("--xml=yes");
    argv.push_back("--xml-file=" + xml);
  }
  argv.push_back(path);
  const auto begun = Clock::now();
  const ProcessResult p = run_captured(argv, std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)),
                                       {}, std::uint64_t{4} << 20);
  Outcome o;
  o.runs = 1;
  o.seconds = std::chrono::duration<double>(Clock::now() - begun).count();
  if (!p.exec_error.empty()) {
    o.problems.push_back(fmt::format("{}: {}", path, p.how_it_ended()));
    return o;
  }
  std::optional<Verdict> reported;
  o.text = p.out + p.err;
  if (d.runner == ProgramDetector::Runner::valgrind) {
    const std::string log = read_text(xml).value_or("");
    fs::remove(xml);
    const auto errors = valgrind_errors_in(log);
    if (!errors.empty()) reported = verdict_for_valgrind_kind(errors.front().first, errors.front().second);
    o.text += log;
  } else {
    const report::TsanLog log = report::parse_tsan_log(p.err);
    if (!log.findings.empty()) reported = verdict_of_tsan_kind(log.findings.front().kind);
  }
  if (reported) {
    o.verdict = *reported;
  } else if (p.timed_out) {
    o.verdict = Verdict::hang;
    o.text += fmt::format("\ndid not finish within {} s", timeout_s);
  } else if (p.signal != 0) {
    o.verdict = Verdict::crash;
  } else if (p.exit_code != 0) {
    o.verdict = Verdict::invariant_violated;
  }
  o.flagged = o.verdict != Verdict::clean;
  return o;
}

// Up to `runs` runs by `racelab exec`, one at a time, stopping at the first
// failing one when `stop_on_first`.
report::VariantResult exec_trial(const ProgramDetector& d, const std::string& path, double timeout_s,
                                 std::int64_t runs, std::uint64_t seed, bool stop_on_first, const std::string& dir) {
  ExecOptions e;
  e.command = {path};
  e.runs = runs;
  e.jobs = 1;
  e.timeout_s = timeout_s;
  e.out_dir = dir;
  e.strategy = d.strategy;
  e.seed = seed;
  e.stop_on_first = stop_on_first;
  std::string sanitizer;
  report::VariantResult v = exec_runs(e, sanitizer, [](std::int64_t, const std::string&) {}).front();
  fs::remove_all(dir);
  return v;
}

// The text of a result's failures: the first one's detail and every group's
// where.
std::string failure_text(const report::VariantResult& v) {
  std::string text = v.first_failure ? v.first_failure->detail : "";
  for (const report::VerdictGroup& g : v.verdict_groups) text += "\n" + g.where;
  return text;
}

bool right(const ProgramHeader& p, Verdict verdict, const std::string& text) {
  if (!p.expect.contains(std::string(to_string(verdict)))) return false;
  return std::all_of(p.where.begin(), p.where.end(),
                     [&](const std::string& words) { return text.find(words) != std::string::npos; });
}

// A buggy program's trial under one detector.
void buggy_trial(const ProgramBenchOptions& o, const ProgramDetector& d, const ProgramHeader& p, int trial,
                 const std::string& dir, ProgramScore& score, std::mutex& m) {
  const std::string path = program_path(o, d, p);
  const double timeout_s = timeout_of(o, p);
  Outcome found;
  if (d.runner == ProgramDetector::Runner::exec) {
    const auto begun = Clock::now();
    const report::VariantResult v = exec_trial(d, path, timeout_s, p.runs, o.seed + static_cast<std::uint64_t>(trial),
                                               true, dir);
    found.seconds = std::chrono::duration<double>(Clock::now() - begun).count();
    found.problems = v.problems;
    found.runs = v.runs;
    if (v.first_failure) {
      found.flagged = true;
      found.verdict = v.first_failure->verdict;
      found.text = failure_text(v);
      found.runs = v.first_failure->run + 1;
    }
  } else {
    for (int run = 0; run < p.runs && !found.flagged && found.problems.empty(); ++run) {
      Outcome one = direct_run(d, path, timeout_s, dir + ".xml");
      one.runs += found.runs;
      one.seconds += found.seconds;
      found = std::move(one);
    }
  }
  std::lock_guard lock(m);
  ++score.trials;
  score.seconds += found.seconds;
  for (const std::string& problem : found.problems) score.problems.push_back(problem);
  if (!found.flagged) return;
  ++score.caught;
  score.runs_to_first.push_back(found.runs);
  score.seconds_to_first.push_back(found.seconds);
  const bool named = right(p, found.verdict, found.text);
  score.right += named ? 1 : 0;
  const std::string said(to_string(found.verdict));
  ++score.said[named || !p.expect.contains(said) ? said : said + ", unnamed"];
}

// A correct program's runs under one detector: every flagged run is a false alarm.
void clean_runs(const ProgramBenchOptions& o, const ProgramDetector& d, const ProgramHeader& p,
                const std::string& dir, ProgramScore& score, std::mutex& m) {
  const std::string path = program_path(o, d, p);
  const double timeout_s = timeout_of(o, p);
  std::map<std::string, int> said;
  std::int64_t runs = 0, flagged = 0;
  double seconds = 0;
  std::vector<std::string> problems;
  if (d.runner == ProgramDetector::Runner::exec) {
    const auto begun = Clock::now();
    const report::VariantResult v = exec_trial(d, path, timeout_s, o.clean_runs, o.seed, false, dir);
    seconds = std::chrono::duration<double>(Clock::now() - begun).count();
    runs = v.runs;
    flagged = v.failing_runs;
    for (const auto& [verdict, n] : v.verdicts)
      if (verdict != Verdict::clean) said[std::string(to_string(verdict))] += static_cast<int>(n);
    // A finding at process exit fails no run but is a report all the same.
    if (flagged == 0 && !v.findings.empty()) {
      flagged = 1;
      ++said["a finding at exit"];
    }
    problems = v.problems;
  } else {
    for (int run = 0; run < o.clean_runs && problems.empty(); ++run) {
      const Outcome one = direct_run(d, path, timeout_s, dir + ".xml");
      ++runs;
      seconds += one.seconds;
      problems = one.problems;
      if (one.flagged) {
        ++flagged;
        ++said[std::string(to_string(one.verdict))];
      }
    }
  }
  std::lock_guard lock(m);
  score.runs = runs;
  score.flagged = flagged;
  score.said = said;
  score.seconds = seconds;
  score.problems = problems;
}

}  // namespace

std::vector<ProgramDetector> program_detectors() {
  using R = ProgramDetector::Runner;
  return {
      {"tsan", "TSan alone: the TSan build run as it is, with TSan's default options", R::direct, "tsan",
       Strategy::none, ""},
      {"exec", "`racelab exec` on the TSan build without racelab's runtime: TSan's reports, the program's status, "
               "at a time-out the threads' states and stacks",
       R::exec, "tsan", Strategy::none, ""},
      {"none", "`racelab exec` on the build with racelab's runtime, strategy none: its diagnoses, no perturbation",
       R::exec, "", Strategy::none, ""},
      {"portfolio", "`racelab exec` on the build with racelab's runtime, strategy portfolio (the default)", R::exec, "",
       Strategy::portfolio, ""},
      {"controlled", "`racelab exec` on the build with racelab's runtime, strategy controlled: one thread at a time",
       R::exec, "", Strategy::controlled, ""},
      {"helgrind", "`valgrind --tool=helgrind --fair-sched=yes --history-level=approx` on the plain build",
       R::valgrind, "plain", Strategy::none, "helgrind"},
      {"drd", "`valgrind --tool=drd --fair-sched=yes --check-stack-var=yes` on the plain build", R::valgrind,
       "plain", Strategy::none, "drd"},
  };
}

ProgramBenchResult run_program_bench(const ProgramBenchOptions& options,
                                     const std::function<void(const std::string&)>& say) {
  const auto started = Clock::now();
  ProgramBenchResult result;
  result.options = options;
  for (const ProgramDetector& d : program_detectors())
    if (options.detectors.empty() || std::ranges::find(options.detectors, d.name) != options.detectors.end())
      result.detectors.push_back(d);
  for (const std::string& name : options.detectors)
    if (std::ranges::none_of(result.detectors, [&](const ProgramDetector& d) { return d.name == name; }))
      throw std::invalid_argument(
          fmt::format("unknown detector '{}' (tsan, exec, none, portfolio, controlled, helgrind, drd)", name));
  for (ProgramHeader& p : read_program_manifest(options.dir))
    if (options.programs.empty() || std::ranges::find(options.programs, p.name) != options.programs.end())
      result.programs.push_back(std::move(p));
  for (const std::string& name : options.programs)
    if (std::ranges::none_of(result.programs, [&](const ProgramHeader& p) { return p.name == name; }))
      throw std::invalid_argument(fmt::format("no program '{}' in {}/programs.txt", name, options.dir));
  for (const ProgramDetector& d : result.detectors) {
    for (const ProgramHeader& p : result.programs)
      if (access(program_path(options, d, p).c_str(), X_OK) != 0)
        throw std::invalid_argument(fmt::format("{} is not built", program_path(options, d, p)));
    if (!d.tool.empty() &&
        run_captured({valgrind_command(d.tool, false).front(), "--version"}, std::chrono::seconds(10)).exit_code != 0)
      throw std::runtime_error("valgrind is not installed (toolchain/bootstrap --dev installs it)");
  }
  // The programs were built by the compiler that built racelab.
  result.machine = machine_description(__VERSION__);

  // Every (detector, program, trial) is a task; the longest first (programs
  // that may wait for their time limit), so none runs alone at the end.
  struct Task {
    const ProgramDetector* detector;
    const ProgramHeader* program;
    int trial;  ///< -1: a correct program's runs
    ProgramScore* score;
  };
  std::vector<Task> tasks;
  for (const bool waiting : {true, false})
    for (const ProgramDetector& d : result.detectors)
      for (const ProgramHeader& p : result.programs) {
        bool may_wait = false;
        for (const std::string& v : p.expect)
          if (auto verdict = parse_verdict(v)) may_wait = may_wait || info(*verdict).may_wait;
        if (may_wait != waiting) continue;
        ProgramScore* score = &result.scores[p.name][d.name];
        if (p.clean())
          tasks.push_back({&d, &p, -1, score});
        else
          for (int t = 0; t < options.trials; ++t) tasks.push_back({&d, &p, t, score});
      }

  std::mutex m;
  std::atomic<std::size_t> next{0}, done{0};
  auto work = [&](int worker) {
    for (std::size_t i; (i = next.fetch_add(1)) < tasks.size();) {
      const Task& t = tasks[i];
      const std::string dir = fmt::format("{}/w{}-{}", options.work_dir, worker, i);
      if (t.trial < 0)
        clean_runs(options, *t.detector, *t.program, dir, *t.score, m);
      else
        buggy_trial(options, *t.detector, *t.program, t.trial, dir, *t.score, m);
      const std::size_t n = done.fetch_add(1) + 1;
      if (n % 50 == 0 || n == tasks.size()) {
        std::lock_guard lock(m);
        say(fmt::format("bench: {} of {} trials done at {:.0f} s", n, tasks.size(),
                        std::chrono::duration<double>(Clock::now() - started).count()));
      }
    }
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < options.jobs; ++w) workers.emplace_back(work, w);
  for (std::thread& w : workers) w.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

std::string program_bench_markdown(const ProgramBenchResult& r) {
  const ProgramBenchOptions& o = r.options;
  std::string md;
  auto line = [&](const std::string& text = "") { md += text + "\n"; };
  auto header = [&](const std::string& first) {
    std::string head = "| " + first + " |", rule = "|---|";
    for (const ProgramDetector& d : r.detectors) {
      head += " " + d.name + " |";
      rule += "---|";
    }
    line(head);
    line(rule);
  };
  auto expects = [](const ProgramHeader& p) {
    std::string text;
    for (const std::string& v : p.expect) text += (text.empty() ? "" : ", ") + v;
    for (const std::string& w : p.where) text += "; “" + w + "”";
    return text;
  };
  auto said_text = [](const std::map<std::string, int>& said) {
    std::string text;
    for (const auto& [what, n] : said) text += fmt::format("{}{} ×{}", text.empty() ? "" : ", ", what, n);
    return text;
  };
  std::vector<const ProgramHeader*> buggy, correct;
  for (const ProgramHeader& p : r.programs) (p.clean() ? correct : buggy).push_back(&p);

  line("# racelab on programs written the usual way");
  line();
  line(fmt::format("Measured by `racelab bench --programs` on {} ({}{} trials per buggy program, each at most its "
                   "header's `runs:`; {} runs per correct program; a run's time limit its header's `timeout:`, "
                   "at most {} s), in {:.0f} s on one machine: {}.",
                   r.created, o.quick ? "quick mode: " : "", o.trials, o.clean_runs, o.timeout_s, r.seconds,
                   r.machine));
  line();
  line("Reproduce this page:");
  line();
  line("```sh");
  line(o.command);
  line("```");
  line();
  line(fmt::format("The programs are tests/programs/unmodified: {} buggy and {} correct ones in plain `std::` and "
                   "pthread C and C++, without a line of racelab in them. Each one's header says what it must be "
                   "judged (`expect:`) and which words the diagnosis must hold (`where:`): a file, and for a hang "
                   "what it waits on (a lock leak, a condition, a semaphore, a barrier, a join, busy).",
                   buggy.size(), correct.size()));
  line();
  line("The detectors:");
  line();
  for (const ProgramDetector& d : r.detectors) line(fmt::format("- **{}** — {}", d.name, d.what));
  line();
  line("A detection is **right** when its verdict is one the header allows and its text (the report, the "
       "diagnosis) holds every `where:` word: a time-out that does not say what the program waits on does not "
       "name a lost wakeup, and is counted as *unnamed*.");
  line();

  line("## In all");
  line();
  line("| detector | buggy programs named right in every trial | in some | flagged, never right | missed | correct "
       "programs flagged |");
  line("|---|---|---|---|---|---|");
  for (const ProgramDetector& d : r.detectors) {
    int every = 0, some = 0, wrong = 0, missed = 0, alarms = 0;
    for (const ProgramHeader* p : buggy) {
      const ProgramScore& s = r.scores.at(p->name).at(d.name);
      if (s.trials > 0 && s.right == s.trials) ++every;
      else if (s.right > 0) ++some;
      else if (s.caught > 0) ++wrong;
      else ++missed;
    }
    for (const ProgramHeader* p : correct) alarms += r.scores.at(p->name).at(d.name).flagged > 0 ? 1 : 0;
    line(fmt::format("| {} | {} of {} | {} | {} | {} | {} of {} |", d.name, every, buggy.size(), some, wrong, missed,
                     alarms, correct.size()));
  }
  line();

  line("## Buggy programs");
  line();
  line(fmt::format("Trials right, of {}; when not every trial was, what the detections said. Then the median runs "
                   "and seconds to the first detection.",
                   o.trials));
  line();
  header("program (expects; words)");
  for (const ProgramHeader* p : buggy) {
    std::string row = fmt::format("| {} ({}) |", p->name, expects(*p));
    for (const ProgramDetector& d : r.detectors) {
      const ProgramScore& s = r.scores.at(p->name).at(d.name);
      std::string cell = fmt::format("{}/{}", s.right, s.trials);
      if (s.right == s.trials && s.trials > 0)
        cell += " ✓";
      else if (s.caught > 0)
        cell += " — " + said_text(s.said);
      if (!s.seconds_to_first.empty())
      {
        const double runs = median(std::vector<double>(s.runs_to_first.begin(), s.runs_to_first.end()));
        cell += fmt::format(" · {:g} run{}, {:.2f} s", runs, runs == 1 ? "" : "s", median(s.seconds_to_first));
      }
      if (!s.problems.empty()) cell += fmt::format(" · {} problem(s)", s.problems.size());
      row += " " + cell + " |";
    }
    line(row);
  }
  line();

  line("## Correct programs: false alarms");
  line();
  line(fmt::format("Runs flagged, of {} per program and detector, and what they said.", o.clean_runs));
  line();
  header("program");
  for (const ProgramHeader* p : correct) {
    std::string row = "| " + p->name + " |";
    for (const ProgramDetector& d : r.detectors) {
      const ProgramScore& s = r.scores.at(p->name).at(d.name);
      std::string cell = fmt::format("{}/{}", s.flagged, s.runs);
      if (s.flagged > 0) cell += " " + said_text(s.said);
      if (!s.problems.empty()) cell += fmt::format(" · {} problem(s)", s.problems.size());
      row += " " + cell + " |";
    }
    line(row);
  }
  return md;
}

nlohmann::json program_bench_json(const ProgramBenchResult& r) {
  nlohmann::json j;
  j["schema"] = "racelab.bench.programs";
  j["version"] = 1;
  j["created"] = r.created;
  j["machine"] = r.machine;
  j["seconds"] = r.seconds;
  j["command"] = r.options.command;
  j["trials"] = r.options.trials;
  j["clean_runs"] = r.options.clean_runs;
  j["timeout_s"] = r.options.timeout_s;
  for (const ProgramDetector& d : r.detectors) j["detectors"].push_back({{"name", d.name}, {"what", d.what}});
  for (const ProgramHeader& p : r.programs) {
    nlohmann::json pj = {{"name", p.name}, {"expect", p.expect}, {"where", p.where}, {"budget", p.runs}};
    for (const ProgramDetector& d : r.detectors) {
      const ProgramScore& s = r.scores.at(p.name).at(d.name);
      if (p.clean())
        pj["correct"][d.name] = {{"runs", s.runs}, {"flagged", s.flagged}, {"said", s.said},
                                 {"seconds", s.seconds}, {"problems", s.problems}};
      else
        pj["buggy"][d.name] = {{"trials", s.trials},
                               {"caught", s.caught},
                               {"right", s.right},
                               {"runs_to_first", s.runs_to_first},
                               {"seconds_to_first", s.seconds_to_first},
                               {"said", s.said},
                               {"seconds", s.seconds},
                               {"problems", s.problems}};
    }
    j["programs"].push_back(pj);
  }
  return j;
}

}  // namespace racelab::driver
