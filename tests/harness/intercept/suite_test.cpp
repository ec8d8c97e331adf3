// A whole GoogleTest suite of a realistic library (tests/programs/suite:
// kvstore, 207 tests), correct and with one injected bug at a time, under
// TSan alone and under `racelab exec`: racelab catches every bug TSan alone
// catches (never fewer TSan finding kinds, a hang named for what it is) and
// flags nothing on the correct suite.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "racelab/report/tsan.h"
#include "racelab_cli.h"

namespace {

using racelab::testing::ChildResult;
using racelab::testing::make_temp_dir;
using racelab::testing::run_child;
using racelab::testing::run_racelab;
using racelab::testing::summary_of;

const std::string kSuiteDir = RACELAB_TEST_PROGRAMS_DIR "/suite";

// What TSan alone made of one run of the suite: its report kinds, and
// whether it hung (killed at the time limit).
struct Alone {
  std::set<std::string> kinds;
  bool hung = false;
};

Alone tsan_alone(const std::string& variant) {
  const ChildResult r = run_child({kSuiteDir + "/tsan/kvstore_tests_" + variant},
                                  {{"TSAN_OPTIONS", "exitcode=0 atexit_sleep_ms=0"}}, std::chrono::seconds(10));
  Alone alone;
  alone.hung = r.timed_out;
  for (const auto& f : racelab::report::parse_tsan_log(r.err).findings) alone.kinds.insert(f.kind);
  return alone;
}

// What `racelab exec` made of it: every result's finding kinds and verdicts.
struct Judged {
  int exit_code = 0;
  std::set<std::string> kinds, verdicts;
  std::string text;  ///< the summary, for messages
};

Judged racelab_exec(const std::string& variant, int runs) {
  const std::string out = make_temp_dir("racelab-suite-");
  const ChildResult r = run_racelab({"exec", "--runs", std::to_string(runs), "--timeout", "30", "--out", out, "--",
                                     kSuiteDir + "/kvstore_tests_" + variant});
  Judged judged;
  judged.exit_code = r.exit_code;
  const auto summary = summary_of(out);
  judged.text = r.out;
  for (const auto& result : summary.at("results")) {
    for (const auto& f : result.at("findings")) judged.kinds.insert(f.at("kind").get<std::string>());
    for (const auto& [verdict, n] : result.at("verdicts").items())
      if (verdict != "clean") judged.verdicts.insert(verdict);
  }
  return judged;
}

class KvSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RACELAB_TSAN) GTEST_SKIP() << "needs the tsan build";
  }
};

TEST_F(KvSuite, TheCorrectSuiteIsCleanUnderTsanAloneAndUnderRacelab) {
  const Alone alone = tsan_alone("none");
  EXPECT_FALSE(alone.hung);
  EXPECT_TRUE(alone.kinds.empty());
  const Judged judged = racelab_exec("none", 3);
  EXPECT_EQ(judged.exit_code, 0) << judged.text;
  EXPECT_TRUE(judged.kinds.empty()) << judged.text;
  EXPECT_TRUE(judged.verdicts.empty()) << judged.text;
}

// Each injected bug: every TSan finding kind TSan alone printed is among
// racelab's (a lock-order report may have become the deadlock it predicts),
// and a hang of TSan alone is a named hang, deadlock or self-deadlock.
TEST_F(KvSuite, EveryInjectedBugTsanAloneCatchesRacelabCatchesAndNamesTheHangs) {
  for (const std::string variant : {"missing_lock", "missing_signal", "lock_held_across_callback",
                                    "reference_outside_lock", "lock_order_reversal"}) {
    SCOPED_TRACE(variant);
    const Alone alone = tsan_alone(variant);
    EXPECT_TRUE(alone.hung || !alone.kinds.empty()) << "TSan alone should see every injected bug";
    const Judged judged = racelab_exec(variant, 2);
    EXPECT_EQ(judged.exit_code, 1) << judged.text;
    const bool deadlock = judged.verdicts.contains("deadlock") || judged.verdicts.contains("self_deadlock");
    for (const std::string& kind : alone.kinds)
      EXPECT_TRUE(judged.kinds.contains(kind) || (kind == "lock-order-inversion" && deadlock))
          << "TSan alone printed a " << kind << " racelab did not:\n"
          << judged.text;
    if (alone.hung)
      EXPECT_TRUE(judged.verdicts.contains("hang") || deadlock) << "TSan alone hung:\n" << judged.text;
  }
}

}  // namespace
