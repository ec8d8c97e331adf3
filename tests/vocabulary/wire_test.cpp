// The wire protocols of racelab/wire.h: every field survives encoding and
// decoding, and what does not fit the protocol is refused.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "racelab/wire.h"

namespace {

using namespace racelab;

// Parses `args` as a case program does.
WorkerArgs parsed(const std::vector<std::string>& args) {
  CLI::App app;
  WorkerArgs a;
  add_worker_options(app, a);
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  app.parse(reversed);
  return a;
}

TEST(Wire, WorkerArgsSurviveTheCommandLine) {
  const WorkerArgs defaults;
  EXPECT_EQ(parsed(to_args(defaults)), defaults);
  // Every field away from its default at once.
  const WorkerArgs all{.variant = Variant::fixed,
                       .runs = 70,
                       .seed = 987654321987ULL,
                       .first_run = 12,
                       .run_seed = 4242,
                       .strategy = Strategy::pct,
                       .pct_depth = 5,
                       .stop_on_first = true,
                       .timeout_s = 2.5,
                       .plain = true,
                       .records_fd = kRecordsFd};
  EXPECT_EQ(parsed(to_args(all)), all);
  for (Strategy s : kAllStrategies) {
    if (!info(s).catalogue) continue;
    WorkerArgs one;
    one.strategy = s;
    EXPECT_EQ(parsed(to_args(one)).strategy, s);
  }
}

TEST(Wire, WorkerArgsRefuseWhatIsNotTheirs) {
  EXPECT_THROW(parsed({"--variant", "program"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--strategy", "random"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--strategy", "controlled"}), CLI::ValidationError);  // programs of racelab exec only
  EXPECT_THROW(parsed({"--pct-depth", "0"}), CLI::ValidationError);
  EXPECT_THROW(parsed({"--runs", "0"}), CLI::ValidationError);
}

template <class T>
T decoded(const std::string& line) {
  EXPECT_TRUE(line.ends_with("\n")) << line;
  const WorkerMessage m = decode_record(line.substr(0, line.size() - 1));
  EXPECT_TRUE(std::holds_alternative<T>(m)) << line;
  return std::get<T>(m);
}

TEST(Wire, EveryRecordSurvivesItsLine) {
  EXPECT_EQ(decoded<Hello>(encode(Hello{true})), Hello{true});
  EXPECT_EQ(decoded<Hello>(encode(Hello{false})), Hello{false});
  EXPECT_EQ(decoded<Begin>(encode(Begin{17, 9007199254740991ULL})), (Begin{17, 9007199254740991ULL}));
  EXPECT_EQ(decoded<End>(encode(End{200, 31})), (End{200, 31}));
  const RunRecord full{.index = 41,
                       .seed = 123456789,
                       .strategy = "yield",
                       .verdict = Verdict::deadlock,
                       .detail = "T1 waits for M2 \"held\" by T2\n\ttab, ünïcode",
                       .duration_us = 1500,
                       .tsan_first = 3,
                       .tsan_count = 2,
                       .valgrind_errors = 4,
                       .tsan_verdict = Verdict::lock_order_inversion,
                       .where = "cycle of 2 at a.cpp:10; b.cpp:20"};
  EXPECT_EQ(decoded<RunRecord>(encode(full)), full);
  RunRecord bare;
  bare.seed = 1;
  bare.strategy = "none";
  EXPECT_EQ(decoded<RunRecord>(encode(bare)), bare);
  for (Verdict v : kAllVerdicts) {
    RunRecord r = bare;
    r.verdict = v;
    EXPECT_EQ(decoded<RunRecord>(encode(r)).verdict, v);
  }
}

TEST(Wire, ARecordThatDoesNotFitIsRefused) {
  EXPECT_THROW(decode_record("not json"), std::runtime_error);
  EXPECT_THROW(decode_record("[1]"), std::runtime_error);
  EXPECT_THROW(decode_record(R"({"type":"lunch"})"), std::runtime_error);
  EXPECT_THROW(decode_record(R"({"type":"hello"})"), std::runtime_error);
  EXPECT_THROW(decode_record(R"({"type":"begin","index":"1","seed":2})"), std::runtime_error);
  RunRecord none;
  none.strategy = "none";
  std::string run = encode(none);
  run.pop_back();
  EXPECT_NO_THROW(decode_record(run));
  for (const char* field : {"index", "seed", "strategy", "verdict", "detail", "duration_us", "tsan_first",
                            "tsan_count", "valgrind_errors"}) {
    nlohmann::json j = nlohmann::json::parse(run);
    j.erase(field);
    EXPECT_THROW(decode_record(j.dump()), std::runtime_error) << field;
  }
  nlohmann::json j = nlohmann::json::parse(run);
  j["verdict"] = "fine";
  EXPECT_THROW(decode_record(j.dump()), std::runtime_error);
}

TEST(Wire, APropertyResultSurvivesItsLine) {
  const PropertyResult p{.case_id = "06_bank_account",
                         .object = "Account",
                         .variant = Variant::fixed,
                         .seed = 77,
                         .programs = 30,
                         .schedules = 10,
                         .failed = true,
                         .verdict = Verdict::invariant_violated,
                         .executions = 299,
                         .counterexample = "T1: deposit(5)\nT2: withdraw(3)\n",
                         .most_ops = 4,
                         .seconds = 1.25,
                         .tsan = true};
  std::string line = encode(p);
  ASSERT_TRUE(line.ends_with("\n"));
  line.pop_back();
  EXPECT_EQ(decode_property_result(line), p);
  EXPECT_THROW(decode_property_result("{}"), std::runtime_error);
  nlohmann::json j = nlohmann::json::parse(line);
  j["variant"] = "both";
  EXPECT_THROW(decode_property_result(j.dump()), std::runtime_error);
}

}  // namespace
