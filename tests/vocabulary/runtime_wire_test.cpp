// The records of racelab/runtime_wire.h: every field of every record survives
// encoding and decoding, and what is not a record is refused by name.
#include <stdexcept>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "racelab/runtime_wire.h"

namespace {

using namespace racelab;

template <class T>
T decoded(const std::string& line) {
  EXPECT_TRUE(line.ends_with("\n"));
  const ProgramMessage m = decode_program_record(line.substr(0, line.size() - 1));
  EXPECT_TRUE(std::holds_alternative<T>(m)) << line;
  return std::get<T>(m);
}

TEST(RuntimeWire, EveryRecordSurvivesEncoding) {
  const ProgramHello hello{"racelab 0.1", 4242, "pct", 18446744073709551615ULL, 10};
  EXPECT_EQ(decoded<ProgramHello>(encode(hello)), hello);
  const ProgramVerdict verdict{Verdict::deadlock, "cycle M1 → M2", "T1 holds M1, waits for M2 — «ü»", true};
  EXPECT_EQ(decoded<ProgramVerdict>(encode(verdict)), verdict);
  const ProgramCycle cycle{{"mutex M1 'a'", "mutex M2 'b'"}, false, "a gate lock"};
  EXPECT_EQ(decoded<ProgramCycle>(encode(cycle)), cycle);
  const ProgramEnd end{123456789, 7, 4242, 987654321, 17};
  EXPECT_EQ(decoded<ProgramEnd>(encode(end)), end);
  const ProgramTests selected{0, 211};
  EXPECT_EQ(decoded<ProgramTests>(encode(selected)), selected);
  const ProgramTestStart start{"Bank/Account.Deposit/3", 2, "yield", 9007199254740993ULL, 5};
  EXPECT_EQ(decoded<ProgramTestStart>(encode(start)), start);
  const ProgramTestEnd ended{
      "Bank/Account.Deposit/3", 2, true, "bank_test.cpp:12: Expected equality\n  0 vs 1", 9, 0.25, 4096, 17, 123456, 3};
  EXPECT_EQ(decoded<ProgramTestEnd>(encode(ended)), ended);
}

TEST(RuntimeWire, WhatIsNotARecordIsRefusedByName) {
  auto refusal = [](const std::string& line) {
    try {
      decode_program_record(line);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal("not json").find("not JSON"), std::string::npos);
  EXPECT_NE(refusal("[1]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(refusal(R"({"type":"test_start","name":"A.B","repetition":0,"strategy":"none","seed":1})").find("\"reports\""),
            std::string::npos);
  EXPECT_NE(refusal(R"({"type":"test_end","name":"A.B","repetition":0,"failed":"yes","failure":"","reports":0,)"
                    R"("seconds":0.5,"steps":1,"delays":0,"delay_ns":0,"over_budget":0})")
                .find("\"failed\" has the wrong type"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"type":"verdict","verdict":"sort_of","where":"","detail":"","ended":false})").find("sort_of"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"type":"tests","selected":"none","total":3})").find("\"selected\" has the wrong type"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"type":"goodbye"})").find("goodbye"), std::string::npos);
}

}  // namespace
