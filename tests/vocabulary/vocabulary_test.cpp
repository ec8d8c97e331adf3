// The vocabulary's tables: every verdict, strategy and TSan kind through them.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "racelab/tsan_kind.h"
#include "racelab/verdict.h"

namespace {

using namespace racelab;

TEST(Vocabulary, EveryVerdictHasOneNameAndOnePrecedence) {
  std::set<std::string_view> names;
  std::set<int> precedences;
  for (Verdict v : kAllVerdicts) {
    EXPECT_EQ(info(v).verdict, v);
    EXPECT_EQ(parse_verdict(to_string(v)), v) << to_string(v);
    EXPECT_FALSE(info(v).meaning.empty()) << to_string(v);
    EXPECT_TRUE(names.insert(to_string(v)).second) << to_string(v);
    EXPECT_TRUE(precedences.insert(info(v).precedence).second) << to_string(v) << " shares a precedence";
  }
  EXPECT_EQ(parse_verdict("Clean"), std::nullopt);
  EXPECT_EQ(parse_verdict(""), std::nullopt);
}

TEST(Vocabulary, PrecedenceMatchesWhatEachVerdictMeans) {
  for (Verdict v : kAllVerdicts) {
    if (v != Verdict::clean) EXPECT_TRUE(outranks(v, Verdict::clean)) << to_string(v);
    EXPECT_FALSE(outranks(v, v));
    // A verdict that ends the process outranks every one that does not:
    // nothing after it could have happened.
    for (Verdict w : kAllVerdicts)
      if (info(v).ends_process && !info(w).ends_process) EXPECT_TRUE(outranks(v, w)) << to_string(v) << " " << to_string(w);
  }
  // The case's own check speaks before what TSan saw.
  EXPECT_TRUE(outranks(Verdict::invariant_violated, Verdict::data_race));
  EXPECT_TRUE(outranks(Verdict::exception_lost, Verdict::thread_leak));
  EXPECT_TRUE(outranks(Verdict::thread_leak, Verdict::mutex_misuse));
  // A freed block used outranks a race.
  EXPECT_TRUE(outranks(Verdict::use_after_free, Verdict::data_race));
  // Only TSan decides races, uses after free and lock-order cycles; nothing it decides waits.
  for (Verdict v : kAllVerdicts) {
    EXPECT_EQ(info(v).from_tsan, v == Verdict::data_race || v == Verdict::lock_order_inversion ||
                                     v == Verdict::use_after_free)
        << to_string(v);
    if (info(v).may_wait) EXPECT_TRUE(info(v).ends_process) << to_string(v);
  }
}

TEST(Vocabulary, EveryStrategyHasOneName) {
  for (Strategy s : kAllStrategies) {
    EXPECT_EQ(info(s).strategy, s);
    EXPECT_EQ(parse_strategy(to_string(s)), s);
    EXPECT_NE(strategy_names().find(to_string(s)), std::string::npos);
  }
  EXPECT_EQ(strategy_names(), "none, yield, sleep, pct, portfolio or controlled");
  EXPECT_EQ(strategy_names(true), "none, yield, sleep, pct or portfolio");  // what case programs run
  EXPECT_EQ(parse_strategy("random"), std::nullopt);
}

TEST(Vocabulary, EveryVariantHasOneName) {
  for (Variant v : kAllVariants) EXPECT_EQ(parse_variant(to_string(v)), v);
  EXPECT_EQ(parse_variant("both"), std::nullopt);
}

TEST(Vocabulary, EveryTsanKindIsFoundByItsHeadlineAndMeansOneVerdict) {
  std::set<std::string_view> names;
  for (const TsanKind& k : kTsanKinds) {
    EXPECT_TRUE(names.insert(k.name).second) << k.name;
    // What TSan prints: the headline, then more words and "(pid=N)".
    EXPECT_EQ(tsan_kind_of_headline(std::string(k.headline) + " x (pid=12)"), k.name) << k.headline;
    EXPECT_EQ(verdict_of_tsan_kind(k.name), k.verdict);
    EXPECT_NE(k.verdict, Verdict::clean);
    EXPECT_EQ(find_tsan_kind(k.name), &k);
  }
  EXPECT_EQ(tsan_kind_of_headline("race on MyQueue"), "external-race");
  EXPECT_EQ(tsan_kind_of_headline("something new"), "unknown");
  EXPECT_EQ(verdict_of_tsan_kind("unknown"), kUnknownTsanKindVerdict);
  // Both of racelab's ways of seeing a double lock name it the same.
  EXPECT_EQ(verdict_of_tsan_kind("mutex-double-lock"), Verdict::self_deadlock);
}

TEST(Vocabulary, ExpectedAndCountsReadTheSameEverywhere) {
  const Verdict two[] = {Verdict::invariant_violated, Verdict::data_race};
  EXPECT_EQ(expected_text(two), "invariant_violated or data_race");
  EXPECT_EQ(expected_text({}), "nothing");
  EXPECT_EQ(counts_text({{Verdict::data_race, 2}, {Verdict::clean, 3}, {Verdict::hang, 0}}),
            "clean 3, data_race 2");
  EXPECT_EQ(counts_text({}), "none");
}

}  // namespace
