// What `racelab bench` writes: docs/benchmarks.md, its SVG chart, the raw
// figures as JSON.
#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "bench.h"
#include "racelab/report/render.h"

namespace racelab::driver {

namespace {

const Detection* detection(const BenchResult& r, const std::string& case_id, const std::string& detector) {
  auto c = r.buggy.find(case_id);
  if (c == r.buggy.end()) return nullptr;
  auto d = c->second.find(detector);
  return d == c->second.end() ? nullptr : &d->second;
}

const FalseAlarms* false_alarms(const BenchResult& r, const std::string& case_id,
                                const std::string& detector) {
  auto c = r.fixed.find(case_id);
  if (c == r.fixed.end()) return nullptr;
  auto d = c->second.find(detector);
  return d == c->second.end() ? nullptr : &d->second;
}

std::vector<double> as_doubles(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }

std::string number(double x) {
  if (x >= 100) return fmt::format("{:.0f}", x);
  if (x >= 10) return fmt::format("{:.1f}", x);
  return fmt::format("{:.2f}", x);
}

std::string runs_text(double x) { return x == std::floor(x) ? fmt::format("{:.0f}", x) : fmt::format("{:.1f}", x); }

// "invariant_violated ×12, data_race ×8"
std::string classes_text(const std::map<Verdict, int>& classes) {
  std::string text;
  for (const auto& [v, n] : classes) text += fmt::format("{}{} ×{}", text.empty() ? "" : ", ", to_string(v), n);
  return text;
}

// How well a detector did on a case, for comparisons: trials caught with an
// expected verdict, then the median time to detection (less is better).
struct Score {
  int right = 0;
  double seconds = 0;
};

Score score(const Detection* d) {
  if (d == nullptr || d->seconds_to_first.empty()) return {};
  return {d->right_class, median(d->seconds_to_first)};
}

// "wins", "ties", "loses" or "neither" (neither caught it with an expected
// verdict). Equal counts of trials are decided by time: faster by 25 % and by
// 20 ms at least (less is noise, and nobody waiting would notice).
std::string compare(Score racelab, Score other) {
  if (racelab.right == 0 && other.right == 0) return "neither";
  if (racelab.right != other.right) return racelab.right > other.right ? "wins" : "loses";
  auto faster = [](double a, double b) { return a * 1.25 <= b && b - a >= 0.020; };
  if (faster(racelab.seconds, other.seconds)) return "wins";
  if (faster(other.seconds, racelab.seconds)) return "loses";
  return "ties";
}

// The detector racelab is compared through: its default strategy.
constexpr const char* kRacelab = "portfolio";

bool is_racelab(const Detector& d) { return d.racelab; }

double runs_per_second(const BenchResult& r, const std::string& detector) {
  std::vector<double> rates;
  for (const BenchCase& c : r.cases)
    if (const FalseAlarms* fa = false_alarms(r, c.id, detector); fa != nullptr && fa->seconds > 0)
      rates.push_back(static_cast<double>(fa->runs) / fa->seconds);
  return rates.empty() ? 0 : median(rates);
}

}  // namespace

std::string bench_markdown(const BenchResult& r, const std::string& svg_name) {
  const BenchOptions& o = r.options;
  std::string md;
  auto line = [&](const std::string& text = "") { md += text + "\n"; };
  auto header = [&](const std::string& first) {
    std::string head = "| " + first + " |", rule = "|---|";
    for (const Detector& d : r.detectors) {
      head += " " + d.name + " |";
      rule += "---|";
    }
    line(head);
    line(rule);
  };
  // A table of the detections: a row per case, a cell per detector that
  // caught it at least once ("—" otherwise).
  auto detections = [&](const std::function<std::string(const Detection&)>& cell) {
    header("case");
    for (const BenchCase& c : r.cases) {
      std::string row = "| " + c.id + " |";
      for (const Detector& d : r.detectors) {
        const Detection* det = detection(r, c.id, d.name);
        row += " " + (det == nullptr || det->runs_to_first.empty() ? std::string("—") : cell(*det)) + " |";
      }
      line(row);
    }
  };

  line("# racelab against other detectors");
  line();
  line(fmt::format("Measured by `racelab bench` on {} ({}{}), in {:.0f} s on one machine: {}.",
                   r.created, o.quick ? "quick mode: " : "",
                   fmt::format("{} trials per buggy variant, at most {} runs each; {} runs per fixed variant",
                               o.trials, o.budget, o.fixed_runs),
                   r.seconds, r.machine));
  line();
  line("Reproduce this page:");
  line();
  line("```sh");
  line(o.command);
  line("```");
  line();
  line(fmt::format("One case under some detectors: `racelab bench 01_lost_update --detectors stress,tsan,helgrind` "
                   "(same options). Run i of a variant has the seed derived from `--seed` ({}) and i, so "
                   "the same command makes the same runs; what a run shows can still vary with the "
                   "machine's timing.",
                   o.seed));
  line();
  line("The detectors, each running the catalogue's own case programs through the same campaigns:");
  line();
  for (const Detector& d : r.detectors) line(fmt::format("- **{}** — {}", d.name, d.what));
  line();
  line(fmt::format("![detection matrix]({})", svg_name));
  line();

  // Where racelab wins.
  line("## Where racelab wins and where it does not");
  line();
  line(fmt::format("racelab with its default strategy (**{}**) against each other detector, per buggy "
                   "case: more trials caught with a verdict the case expects wins; as many, then "
                   "the median time to detection decides (faster by 25 % and 20 ms at least, else "
                   "a tie); *neither* when neither caught it with an expected verdict.", kRacelab));
  line();
  const bool have_racelab = std::any_of(r.detectors.begin(), r.detectors.end(),
                                        [](const Detector& d) { return d.name == kRacelab; });
  if (have_racelab) {
    std::string head = "| case |", rule = "|---|";
    for (const Detector& d : r.detectors)
      if (!is_racelab(d)) {
        head += " vs " + d.name + " |";
        rule += "---|";
      }
    line(head);
    line(rule);
    std::map<std::string, std::map<std::string, int>> tally;
    for (const BenchCase& c : r.cases) {
      std::string row = "| " + c.id + " |";
      const Score mine = score(detection(r, c.id, kRacelab));
      for (const Detector& d : r.detectors) {
        if (is_racelab(d)) continue;
        const std::string verdict = compare(mine, score(detection(r, c.id, d.name)));
        ++tally[d.name][verdict];
        row += " " + (verdict == "wins" ? "**wins**" : verdict) + " |";
      }
      line(row);
    }
    std::string total = "| **in all** |";
    for (const Detector& d : r.detectors) {
      if (is_racelab(d)) continue;
      auto& t = tally[d.name];
      total += fmt::format(" {} wins, {} ties, {} losses, {} neither |", t["wins"], t["ties"], t["loses"],
                           t["neither"]);
    }
    line(total);
  } else {
    line(fmt::format("(not measured: the run left out {})", kRacelab));
  }
  line();

  line("## Detection: buggy variants");
  line();
  line(fmt::format("Trials in which the detector flagged a run within {} runs, of {}; ✓ when every "
                   "detection said something the case expects, else what it said.",
                   o.budget, o.trials));
  line();
  header("case (expects)");
  for (const BenchCase& c : r.cases) {
    std::string row = fmt::format("| {} ({}) |", c.id, expected_text(c.expected));
    for (const Detector& d : r.detectors) {
      const Detection* det = detection(r, c.id, d.name);
      if (det == nullptr) {
        row += " — |";
        continue;
      }
      std::string cell = fmt::format("{}/{}", det->caught, det->trials);
      if (det->caught > 0)
        cell += det->right_class == det->caught ? " ✓" : " " + classes_text(det->classes);
      if (!det->problems.empty()) cell += fmt::format(" ({} problems)", det->problems.size());
      row += " " + cell + " |";
    }
    line(row);
  }
  line();
  line("Runs to the first detection, median / 95th percentile over the trials that caught it:");
  line();
  detections([](const Detection& det) {
    return fmt::format("{} / {}", runs_text(median(as_doubles(det.runs_to_first))),
                       runs_text(percentile95(as_doubles(det.runs_to_first))));
  });
  line();
  line(fmt::format("Seconds to the first detection, median over the trials that caught it: the time "
                   "in the trial's runs (a process's start is once per session, see *Cost*); † a "
                   "hang, counted at the run's time limit ({} s), as a plain test would wait for it:",
                   o.timeout_s));
  line();
  detections([](const Detection& det) {
    return number(median(det.seconds_to_first)) + (det.hangs_charged > 0 ? " †" : "");
  });
  line();

  line("## False alarms: fixed variants");
  line();
  line("Runs flagged, of the runs made (every fixed variant is correct, so every flag is false). "
       "For valgrind's tools, the kinds of the distinct errors it printed.");
  line();
  header("case");
  std::map<std::string, std::int64_t> flagged_total, runs_total;
  for (const BenchCase& c : r.cases) {
    std::string row = "| " + c.id + " |";
    for (const Detector& d : r.detectors) {
      const FalseAlarms* fa = false_alarms(r, c.id, d.name);
      if (fa == nullptr) {
        row += " — |";
        continue;
      }
      flagged_total[d.name] += fa->flagged;
      runs_total[d.name] += fa->runs;
      std::string cell = fmt::format("{}/{}", fa->flagged, fa->runs);
      if (!fa->what.empty()) {
        std::string what;
        for (const auto& [k, n] : fa->what) what += fmt::format("{}{} ×{}", what.empty() ? "" : ", ", k, n);
        cell += " (" + what + ")";
      }
      if (!fa->problems.empty()) cell += fmt::format(" ({} problems)", fa->problems.size());
      row += " " + cell + " |";
    }
    line(row);
  }
  std::string totals = "| **in all** |";
  for (const Detector& d : r.detectors)
    totals += fmt::format(" {}/{} |", flagged_total[d.name], runs_total[d.name]);
  line(totals);
  line();

  line("## Cost");
  line();
  line("Runs per second of the fixed variants (median over the cases; two campaigns side by side "
       "on this machine), the slowdown against the plain stress run, and the floor: how often "
       "the same process starts and joins two threads that do nothing (`case_… --spawn-floor 1`).");
  line();
  line("| detector | runs/s | slowdown vs stress | spawn+join floor /s | runs/s ÷ floor | process start, s |");
  line("|---|---|---|---|---|---|");
  const double stress_rate = runs_per_second(r, "stress");
  for (const Detector& d : r.detectors) {
    const double rate = runs_per_second(r, d.name);
    const double floor = r.floor.count(d.name) != 0 ? r.floor.at(d.name) : 0;
    const double start = r.start_seconds.count(d.name) != 0 ? r.start_seconds.at(d.name) : 0;
    line(fmt::format("| {} | {} | {} | {} | {} | {} |", d.name, number(rate),
                     stress_rate > 0 && rate > 0 ? fmt::format("{:.1f}×", stress_rate / rate) : "—",
                     number(floor), floor > 0 ? fmt::format("{:.2f}", rate / floor) : "—", number(start)));
  }
  line();

  line("## How to read it");
  line();
  line("- A buggy variant is *caught* in a trial when a run within the budget is "
       "flagged: a verdict other than clean, a TSan report or a valgrind error. Runs to "
       "detection count that run. Trials follow one another in the same worker process until a "
       "run ends it; every run has its own seed and fresh state, TSan reports a race again when "
       "it recurs (`suppress_equal_stacks=0 suppress_equal_addresses=0`) and valgrind counts "
       "every recurrence, so no trial is helped or hurt by the ones before it.");
  line("- *stress*, *tsan*, *helgrind* and *drd* run with racelab's checks off (`--plain`): a "
       "re-lock really blocks, nothing watches lock order, misuse or lost exceptions. What they "
       "flag is the program's own invariant check, a crash, a hang, and the tool's reports. "
       "racelab's watchdog still ends a run that cannot finish, and calls it only a `hang`; such "
       "a detection counts as made when the run's time limit came (†). Every detector runs with "
       "the same time limit per run.");
  line("- racelab's runtime keeps out of the tools' way: its bookkeeping is hidden from TSan "
       "(ignore annotations) and from helgrind and DRD (client requests), so their reports are "
       "about the case's code and the standard library it uses.");
  line("- Figures are from one machine; compare the ratios (slowdown, runs/s ÷ floor, runs to "
       "detection), not the absolute rates. Re-run the command above to measure yours.");
  return md;
}

std::string bench_svg(const BenchResult& r) {
  constexpr int kLabel = 250, kCell = 78, kRow = 22, kTop = 64;
  const int width = kLabel + kCell * static_cast<int>(r.detectors.size()) + 10;
  const int height = kTop + kRow * static_cast<int>(r.cases.size()) + 70;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n"
      "<title>racelab against other detectors: trials caught per buggy case</title>\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\"/>\n"
      "<text x=\"8\" y=\"20\" font-size=\"14\" font-weight=\"bold\">Buggy cases caught, by detector "
      "(trials caught of {2}; median runs to detection)</text>\n",
      width, height, r.options.trials);
  for (std::size_t j = 0; j < r.detectors.size(); ++j)
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>\n",
                       kLabel + kCell * static_cast<int>(j) + kCell / 2, kTop - 10,
                       report::xml_escape(r.detectors[j].name));
  for (std::size_t i = 0; i < r.cases.size(); ++i) {
    const BenchCase& c = r.cases[i];
    const int y = kTop + kRow * static_cast<int>(i);
    svg += fmt::format("<text x=\"8\" y=\"{}\">{}</text>\n", y + 15, report::xml_escape(c.id));
    for (std::size_t j = 0; j < r.detectors.size(); ++j) {
      const Detection* det = detection(r, c.id, r.detectors[j].name);
      std::string fill = "#eeeeee", text = "—", ink = "#555555";
      if (det != nullptr && det->trials > 0) {
        text = fmt::format("{}/{}", det->caught, det->trials);
        if (det->caught > 0) {
          text += " · " + runs_text(median(as_doubles(det->runs_to_first)));
          const double right = static_cast<double>(det->right_class) / det->trials;
          // Green as more trials are caught with an expected verdict; amber
          // when caught but mostly with another verdict.
          if (det->right_class * 2 >= det->caught) {
            fill = right >= 0.999 ? "#1b7837" : right >= 0.5 ? "#5aae61" : "#a6dba0";
            ink = right >= 0.5 ? "#ffffff" : "#000000";
          } else {
            fill = "#f4a442";
            ink = "#000000";
          }
        }
      }
      const int x = kLabel + kCell * static_cast<int>(j);
      svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#ffffff\"/>"
                         "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>\n",
                         x, y, kCell, kRow, fill, x + kCell / 2, y + 15, ink, report::xml_escape(text));
    }
  }
  const int legend = kTop + kRow * static_cast<int>(r.cases.size()) + 24;
  const std::pair<const char*, const char*> keys[] = {
      {"#1b7837", "every trial, expected verdict"},
      {"#5aae61", "half the trials or more"},
      {"#a6dba0", "some trials"},
      {"#f4a442", "caught, mostly another verdict"},
      {"#eeeeee", "never caught"}};
  int x = 8;
  for (const auto& [fill, label] : keys) {
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"14\" fill=\"{}\" stroke=\"#999999\"/>"
                       "<text x=\"{}\" y=\"{}\">{}</text>\n",
                       x, legend, fill, x + 18, legend + 11, label);
    x += 190;
  }
  svg += "</svg>\n";
  return svg;
}

nlohmann::json bench_json(const BenchResult& r) {
  nlohmann::json j;
  j["schema"] = "racelab.bench";
  j["version"] = 1;
  j["created"] = r.created;
  j["machine"] = r.machine;
  j["seconds"] = r.seconds;
  j["command"] = r.options.command;
  j["seeds"] = r.options.trials;
  j["budget"] = r.options.budget;
  j["fixed_runs"] = r.options.fixed_runs;
  for (const Detector& d : r.detectors)
    j["detectors"].push_back({{"name", d.name},
                              {"what", d.what},
                              {"floor_spawn_join_per_s", r.floor.count(d.name) ? r.floor.at(d.name) : 0.0},
                              {"process_start_s", r.start_seconds.count(d.name) ? r.start_seconds.at(d.name) : 0.0}});
  for (const BenchCase& c : r.cases) {
    nlohmann::json cj = {{"id", c.id}, {"title", c.title}};
    for (Verdict v : c.expected) cj["expected"].push_back(to_string(v));
    for (const Detector& d : r.detectors) {
      if (const Detection* det = detection(r, c.id, d.name)) {
        nlohmann::json classes = nlohmann::json::object();
        for (const auto& [v, n] : det->classes) classes[std::string(to_string(v))] = n;
        cj["buggy"][d.name] = {{"seeds", det->trials},
                               {"caught", det->caught},
                               {"right_class", det->right_class},
                               {"runs_to_first", det->runs_to_first},
                               {"seconds_to_first", det->seconds_to_first},
                               {"hangs_charged", det->hangs_charged},
                               {"classes", classes},
                               {"problems", det->problems}};
      }
      if (const FalseAlarms* fa = false_alarms(r, c.id, d.name))
        cj["fixed"][d.name] = {{"runs", fa->runs},       {"flagged", fa->flagged},
                               {"what", fa->what},       {"seconds", fa->seconds},
                               {"problems", fa->problems}};
    }
    j["cases"].push_back(cj);
  }
  return j;
}

}  // namespace racelab::driver
