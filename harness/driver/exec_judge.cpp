// One run of `racelab exec` judged (exec_judge.h).
#include "exec_judge.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "catalogue.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/render.h"
#include "racelab/schedule.h"
#include "racelab/tsan_kind.h"

namespace racelab::driver {

namespace fs = std::filesystem;

namespace {

// The finding that decides a run's verdict: of the highest precedence, the
// first among equals.
const report::Finding* decisive(const std::vector<report::Finding>& findings,
                                const report::Finding* best = nullptr) {
  for (const report::Finding& f : findings)
    if (best == nullptr || outranks(verdict_of_tsan_kind(f.kind), verdict_of_tsan_kind(best->kind)))
      best = &f;
  return best;
}

std::string basename_of(const std::string& path) { return fs::path(path).filename().string(); }

// The top user frame of a stack, "function file" (the file without its
// directory, so that the place reads the same in any checkout).
std::string top_frame(const report::Stack& stack) {
  const std::vector<report::Frame> user = report::user_frames(stack, racelab_runtime_frames());
  if (user.empty()) return "";
  const report::Frame& f = user.front();
  return f.file.empty() ? f.function : fmt::format("{} {}", f.function, basename_of(f.file));
}

// What the program's output says of why it died: an assertion, an uncaught
// exception, std::terminate; empty when it says nothing racelab knows.
std::string cause_in_output(const std::string& output) {
  if (auto at = output.find("Assertion `"); at != std::string::npos) {
    const std::size_t end = output.find("' failed", at);
    if (end != std::string::npos && end - at < 300)
      return "assertion `" + output.substr(at + 11, end - at - 11) + "' failed";
  }
  constexpr std::string_view kThrow = "terminate called after throwing an instance of '";
  if (auto at = output.find(kThrow); at != std::string::npos) {
    const std::size_t from = at + kThrow.size();
    const std::size_t end = output.find('\'', from);
    if (end != std::string::npos && end - from < 200) return "uncaught " + output.substr(from, end - from);
  }
  if (output.find("terminate called without an active exception") != std::string::npos)
    return "std::terminate without an exception";
  if (output.find("pure virtual method called") != std::string::npos) return "pure virtual method called";
  return "";
}

// The program's last line of output (TSan's and racelab's own lines aside),
// at most 200 characters: what a program that fails its own check says.
std::string last_words(const std::string& output) {
  std::istringstream lines(output);
  std::string last;
  for (std::string line; std::getline(lines, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line.starts_with("==") || line.starts_with("racelab: ")) continue;
    last = line;
  }
  return last.size() > 200 ? last.substr(0, 200) + "…" : last;
}

// The last `bytes` of a file (where a dying program's last words are).
std::string tail_of(const std::string& path, std::uintmax_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(bytes) ? size - static_cast<std::streamoff>(bytes) : 0;
  in.seekg(from);
  std::string text(static_cast<std::size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  return text;
}

// A crash's place: the signal, the cause the output shows, the crashing frame.
std::string crash_where(const std::string& signal, const std::string& cause, const std::string& frame) {
  return signal + (cause.empty() ? "" : ": " + cause) + (frame.empty() ? "" : " in " + frame);
}

// The signal of a crash: TSan's report of it ("SEGV on unknown address …"),
// else the one the process died of.
std::string signal_name(const std::string& deadly, int signal) {
  if (!deadly.empty()) return "SIG" + deadly.substr(0, deadly.find(' '));
  const char* name = sigabbrev_np(signal);
  return name != nullptr ? std::string("SIG") + name : fmt::format("signal {}", signal);
}

}  // namespace

std::optional<report::Perturbation> perturbation_of(const std::vector<RunOutcome>& outcomes) {
  std::optional<report::Perturbation> total;
  for (const RunOutcome& o : outcomes) {
    if (!o.runtime.end) continue;
    const ProgramEnd& e = *o.runtime.end;
    if (!total) total = report::Perturbation{};
    *total += {o.runtime.budget_percent, e.steps, e.delays, static_cast<double>(e.delay_ns) / 1e9, e.over_budget};
  }
  return total;
}

std::vector<std::string> dropped_notes(const std::vector<RunOutcome>& outcomes) {
  std::set<std::string> notes;
  for (const RunOutcome& o : outcomes)
    for (const ProgramCycle& c : o.runtime.dropped) {
      std::string cycle;
      for (const std::string& m : c.mutexes) cycle += (cycle.empty() ? "" : " → ") + m;
      notes.insert(fmt::format("ThreadSanitizer's lock-order report of the cycle {} was dropped: {}", cycle, c.reason));
    }
  return {notes.begin(), notes.end()};
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

report::VariantResult collect(report::VariantResult meta, std::vector<RunOutcome>& outcomes,
                              double seconds, const std::string& rerun, bool assume_tsan) {
  report::VariantCollector collector(std::move(meta), "");
  for (RunOutcome& o : outcomes) {
    if (o.started) collector.add_process(o.banner, assume_tsan);
    std::size_t findings = 0;
    for (const auto& log : o.logs) findings += log.findings.size();
    o.record.tsan_first = 0;
    o.record.tsan_count = findings;
    collector.add_run(o.record);
    for (const auto& log : o.logs) {
      RunRecord owner = o.record;
      owner.tsan_count = log.findings.size();
      collector.add_log(log, std::span(&owner, 1));
    }
    for (std::string& p : o.problems) collector.add_problem(std::move(p));
  }
  report::VariantResult result = collector.finish(seconds);
  if (result.first_failure) result.first_failure->command = rerun;
  return result;
}

// Reads the runtime's records of every process of the run (racelab.<pid>
// in its directory). A record that cannot be read is a problem of the run.
void read_runtime_records(RunOutcome& o, const std::string& dir, pid_t own, std::int64_t run) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("racelab.")) continue;
    const bool mine = name == fmt::format("racelab.{}", own);
    const std::optional<std::string> text = read_text(entry.path());
    if (!text) {
      o.problems.push_back(fmt::format("run {}: cannot read {}", run, entry.path().string()));
      continue;
    }
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      try {
        const ProgramMessage message = decode_program_record(line);
        if (const auto* hello = std::get_if<ProgramHello>(&message); hello && mine) {
          o.runtime.linked = true;
          o.runtime.strategy = hello->strategy;
          o.runtime.budget_percent = hello->budget_percent;
        } else if (const auto* verdict = std::get_if<ProgramVerdict>(&message)) {
          auto& tests = o.runtime.tests;
          if (verdict->ended && mine) o.runtime.ended = *verdict;
          else if (mine && !tests.empty() && !tests.back().end) tests.back().verdicts.push_back(*verdict);
          else o.runtime.verdicts.push_back(*verdict);
        } else if (const auto* selected = std::get_if<ProgramTests>(&message); selected && mine) {
          o.runtime.selected = *selected;
        } else if (const auto* start = std::get_if<ProgramTestStart>(&message); start && mine) {
          o.runtime.tests.push_back({*start, std::nullopt, {}, {}, std::nullopt});
        } else if (const auto* test_end = std::get_if<ProgramTestEnd>(&message); test_end && mine) {
          auto& tests = o.runtime.tests;
          if (tests.empty() || tests.back().end || tests.back().start.name != test_end->name)
            throw std::runtime_error("a test ended that had not started: " + test_end->name);
          tests.back().end = *test_end;
        } else if (const auto* cycle = std::get_if<ProgramCycle>(&message); cycle && !cycle->kept) {
          // A report dropped while a test ran is that test's.
          auto& tests = o.runtime.tests;
          if (mine && !tests.empty() && !tests.back().end) tests.back().dropped.push_back(*cycle);
          else o.runtime.dropped.push_back(*cycle);
        } else if (const auto* schedule = std::get_if<ProgramSchedule>(&message); schedule && mine) {
          auto& tests = o.runtime.tests;
          if (!tests.empty() && !tests.back().end) tests.back().schedule = *schedule;
          else o.runtime.schedule = *schedule;
        } else if (const auto* end = std::get_if<ProgramEnd>(&message)) {
          o.runtime.steps = std::max(o.runtime.steps, end->steps);
          if (mine) o.runtime.end = *end;
        }
      } catch (const std::exception& e) {
        o.problems.push_back(fmt::format("run {}: {}: {}", run, entry.path().string(), e.what()));
        break;
      }
    }
  }
}

// Judges one run from how it ended, its TSan logs, the runtime's records and its output.
void judge(RunOutcome& o, const ProcessResult& p, const std::string& output_path, double timeout_s) {
  const report::Finding* first = nullptr;  // the decisive one
  const report::TsanLog* deadly = nullptr;
  for (const auto& log : o.logs) {
    first = decisive(log.findings, first);
    // A crash of the run's own process; a child's only when the own process
    // wrote no log (a wrapper script). A child that dies on purpose (a death
    // test, a worker the program restarts) is not the run's crash.
    const bool own = o.own_log < 0 || &log == &o.logs[static_cast<std::size_t>(o.own_log)];
    if (deadly == nullptr && own && !log.deadly_signal.empty()) deadly = &log;
  }
  RunRecord& r = o.record;
  const bool ended_by_runtime = o.runtime.ended && p.exit_code == kRuntimeEndedExit && !p.timed_out;
  if (ended_by_runtime) {
    r.verdict = o.runtime.ended->verdict;
    r.where = o.runtime.ended->where;
    r.detail = o.runtime.ended->detail;
  } else if (p.timed_out) {
    r.verdict = Verdict::hang;
    std::string frames;
    for (const std::string& f : p.waiting_frames) frames += (frames.empty() ? "" : "; ") + f;
    r.where = p.hang_kind.empty() ? "ended before it could be looked at" : p.hang_kind;
    if (!frames.empty()) r.where += " in " + frames;
    r.detail = fmt::format("did not finish within {} s; killed{}{}", timeout_s,
                           p.hang_kind.empty() ? "" : fmt::format(" — {}: {}", p.hang_kind, p.thread_states),
                           frames.empty() ? "" : "; threads at " + frames);
  } else if (p.signal != 0 || deadly != nullptr) {
    r.verdict = Verdict::crash;
    const std::string signal = signal_name(deadly ? deadly->deadly_signal : "", p.signal);
    const std::string cause = cause_in_output(tail_of(output_path, 64 * 1024));
    const std::string frame = deadly ? top_frame(deadly->deadly_stack) : "";
    r.where = crash_where(signal, cause, frame);
    r.detail = deadly ? deadly->deadly_signal : p.text();
    if (!cause.empty()) r.detail += " — " + cause;
    if (!frame.empty()) r.detail += " — in " + frame;
  } else {
    // Of highest precedence: TSan's findings, the runtime's diagnoses, the program's own failure.
    if (first != nullptr) {
      r.verdict = verdict_of_tsan_kind(first->kind);
      r.detail = first->summary.empty() ? first->headline : first->summary;
      // Where in the program: the first frame of its own in each access stack
      // (TSan's summary names the top frame, which may be racelab's hook).
      std::string frames;
      for (const std::string& f : report::top_frame_texts(*first, racelab_runtime_frames()))
        frames += (frames.empty() ? "" : "; ") + f;
      if (!frames.empty()) {
        r.where = first->kind + " in " + frames;
        r.detail = first->headline + " in " + frames;
      }
    }
    for (const ProgramVerdict& v : o.runtime.verdicts)
      if (r.verdict == Verdict::clean || outranks(v.verdict, r.verdict)) {
        r.verdict = v.verdict;
        r.where = v.where;
        r.detail = v.detail;
      }
    if (p.exit_code != 0 && (r.verdict == Verdict::clean || outranks(Verdict::invariant_violated, r.verdict))) {
      r.verdict = Verdict::invariant_violated;
      const std::string tail = tail_of(output_path, 64 * 1024);
      const std::string cause = cause_in_output(tail);
      const std::string words = last_words(tail);
      r.where = fmt::format("exit {}", p.exit_code) + (cause.empty() ? "" : ": " + cause);
      r.detail = fmt::format("exited with code {}", p.exit_code) + (words.empty() ? "" : ", after: " + words);
    }
  }
  if (!p.leaked.empty()) {
    std::vector<std::string> names;
    for (const std::string& l : p.leaked) names.push_back(l.substr(l.find(' ') + 1));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    const std::string leak = fmt::format("{} process{} still alive when the program ended, killed: {}",
                                         p.leaked.size(), p.leaked.size() == 1 ? " was" : "es were",
                                         joined(p.leaked));
    if (r.verdict == Verdict::clean) {
      r.verdict = Verdict::process_leak;
      r.where = "leaked " + joined(names);
      r.detail = leak;
    } else {
      r.detail += "; and " + leak;
    }
  }
}

void judge_log(RunRecord& r, const report::TsanLog& log) {
  if (!log.deadly_signal.empty()) {
    r.verdict = Verdict::crash;
    r.where = crash_where(signal_name(log.deadly_signal, 0), "", top_frame(log.deadly_stack));
    r.detail = log.deadly_signal;
  } else if (!log.findings.empty()) {
    const report::Finding& f = *decisive(log.findings);
    r.verdict = verdict_of_tsan_kind(f.kind);
    r.detail = f.summary;
  }
}

std::string logs_of(const RunOutcome& o) { return std::filesystem::path(o.output).parent_path().string(); }

std::string rerun_command(report::FirstFailure& f, const RunOutcome& failed, const std::string& seed_variable,
                          const std::string& command) {
  // The longest schedule a command spells out, and a summary holds: the
  // environment holds 128 KiB a value, and a livelock's is thousands of tries.
  constexpr std::size_t kInCommand = 400, kInSummary = 16 * 1024;
  std::string schedule;
  if (const auto& s = failed.runtime.schedule) {
    f.schedule = s->schedule;
    f.trace = s->trace;
    f.not_replayable = !s->not_replayable.empty() ? s->not_replayable : s->diverged;
    f.walk = s->walk;
    if (s->schedule.size() > kInSummary) {
      const std::string file = std::filesystem::absolute(logs_of(failed) + "/schedule.txt").string();
      report::write_atomically(file, s->schedule + "\n");
      f.schedule = "@" + file;
    }
    if (!f.schedule.empty() && f.schedule.size() <= kInCommand) schedule = fmt::format(" {}={}", kEnvSchedule, f.schedule);
  }
  // The runtime makes the same choices again from the same strategy and
  // seed; under control, from the schedule itself too.
  return fmt::format("{}={} {}={}{} TSAN_OPTIONS='second_deadlock_stack=1' {}", kEnvStrategy, failed.runtime.strategy,
                     seed_variable, failed.record.seed, schedule, command);
}

}  // namespace racelab::driver
