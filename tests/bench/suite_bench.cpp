// suite_bench — racelab on a whole GoogleTest suite (tests/programs/suite:
// kvstore, 207 tests) against TSan alone:
//   1. the correct suite, run back to back `rounds` times each way: TSan alone
//      (the suite built without racelab, atexit_sleep_ms=0 as racelab runs
//      it) and `racelab exec --runs 1` (the portfolio, the default budget);
//      the medians and their ratio;
//   2. each injected bug (kvstore/bugs.h): what TSan alone printed or whether
//      it hung (killed at `timeout` seconds), what racelab said, and the wall
//      time each took to its verdict. A markdown table (docs/suite.md).
//
//   build/tsan/suite_bench [rounds] [timeout]   (defaults 5 and 60)
//
// Prints figures; asserts nothing (tests/harness/intercept/suite_test.cpp
// holds the detection claims).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child.h"
#include "racelab/report/summary.h"
#include "racelab/report/tsan.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::run_child;

const std::string kDir = RACELAB_BUILD_DIR "/test_programs/suite/";
const std::string kRacelab = RACELAB_BUILD_DIR "/racelab";

struct Timed {
  ChildResult result;
  double seconds = 0;
};

Timed timed(const std::vector<std::string>& argv, std::map<std::string, std::string> env, int timeout_s) {
  const auto start = std::chrono::steady_clock::now();
  Timed t{run_child(argv, std::move(env), std::chrono::seconds(timeout_s)), 0};
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return t;
}

Timed tsan_alone(const std::string& variant, int timeout_s) {
  return timed({kDir + "tsan/kvstore_tests_" + variant}, {{"TSAN_OPTIONS", "exitcode=0 atexit_sleep_ms=0"}},
               timeout_s);
}

Timed racelab_exec(const std::string& variant, const std::string& out, int timeout_s) {
  return timed({kRacelab, "exec", "--runs", "1", "--timeout", std::to_string(timeout_s), "--out", out, "--",
                kDir + "kvstore_tests_" + variant},
               {}, timeout_s + 60);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string joined(const std::set<std::string>& words) {
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : ", ") + w;
  return text.empty() ? "nothing" : text;
}

// What racelab said: each failing test with its verdicts and TSan's finding
// kinds; and, into `perturbation`, what its perturbation did, over the tests.
std::string racelab_said(const std::string& out, std::string* perturbation) {
  std::ifstream in(out + "/summary.json");
  if (!in) return "no summary";
  const racelab::report::Summary summary = racelab::report::summary_from_json(nlohmann::json::parse(in));
  std::set<std::string> said;
  racelab::report::Perturbation spent;
  for (const racelab::report::VariantResult& r : summary.results) {
    std::set<std::string> verdicts;
    for (const auto& [verdict, n] : r.verdicts)
      if (verdict != racelab::Verdict::clean) verdicts.insert(std::string(racelab::to_string(verdict)));
    for (const auto& f : r.findings) verdicts.insert("TSan " + f.example.kind);
    if (!verdicts.empty()) said.insert(r.case_id + ": " + joined(verdicts));
    if (r.perturbation) spent += *r.perturbation;
  }
  if (perturbation != nullptr) *perturbation = to_text(spent);
  std::string text;
  for (const std::string& s : said) text += (text.empty() ? "" : "; ") + s;
  return text.empty() ? "clean" : text;
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const int timeout = argc > 2 ? std::max(1, std::atoi(argv[2])) : 60;

  std::vector<double> alone, exec;
  std::string perturbation;
  for (int i = 0; i < rounds; ++i) {
    const Timed a = tsan_alone("none", timeout);
    const std::string out = make_temp_dir("racelab-suite-bench-");
    const Timed e = racelab_exec("none", out, timeout);
    if (a.result.exit_code != 0 || e.result.exit_code != 0) {
      std::fprintf(stderr, "suite_bench: the correct suite failed (TSan alone exit %d, racelab exec exit %d):\n%s\n",
                   a.result.exit_code, e.result.exit_code, e.result.out.c_str());
      return 1;
    }
    alone.push_back(a.seconds);
    exec.push_back(e.seconds);
    racelab_said(out, &perturbation);
  }
  std::printf("Correct suite, %d rounds back to back: TSan alone %.2f s, racelab exec --runs 1 %.2f s "
              "(medians): %.2fx TSan alone\n  racelab's perturbation in the last round: %s\n\n",
              rounds, median(alone), median(exec), median(exec) / median(alone), perturbation.c_str());

  std::printf("| bug | TSan alone | time | racelab exec --runs 1 | time |\n|---|---|---|---|---|\n");
  for (const char* variant : {"missing_lock", "missing_signal", "lock_held_across_callback", "reference_outside_lock",
                              "lock_order_reversal"}) {
    const Timed a = tsan_alone(variant, timeout);
    std::set<std::string> kinds;
    for (const auto& f : racelab::report::parse_tsan_log(a.result.err).findings) kinds.insert(f.kind);
    const std::string tsan_said =
        joined(kinds) + (a.result.timed_out ? ", then hung: killed at " + std::to_string(timeout) + " s" : "");
    const std::string out = make_temp_dir("racelab-suite-bench-");
    const Timed e = racelab_exec(variant, out, timeout);
    std::printf("| %s | %s | %.1f s | %s | %.1f s |\n", variant, tsan_said.c_str(), a.seconds,
                racelab_said(out, nullptr).c_str(), e.seconds);
    std::fflush(stdout);
  }
  return 0;
}
