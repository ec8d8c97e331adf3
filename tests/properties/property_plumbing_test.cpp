// The plumbing of racelab/property.h: the lines a property execution's
// child writes to its parent (harness/src/property_wire.h), every field of
// every record through encode() and decode(); the FNV-1a behind the seeds
// property::check() derives; and timeline().
#include <climits>
#include <cstdint>
#include <limits>
#include <string>
#include <variant>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "property_wire.h"  // harness/src
#include "racelab/property.h"
#include "racelab/verdict.h"
#include "seeded_property.h"

namespace {

using racelab::detail::ChildCall;
using racelab::detail::ChildEnd;
using racelab::detail::ChildInvariant;
using racelab::detail::ChildLine;
using racelab::detail::decode;
using racelab::detail::encode;

// Text that exercises the escapes: backslashes, newlines, spaces, and a
// letter n (an escaped newline's second byte) are common.
rc::Gen<std::string> gen_text() {
  return rc::gen::container<std::string>(
      rc::gen::oneOf(rc::gen::element('\\', '\n', ' ', 'n', '\r', '\0', '\t'), rc::gen::arbitrary<char>()));
}

// Numbers from the whole range, the ends often.
template <class Number>
rc::Gen<Number> gen_number() {
  return rc::gen::oneOf(rc::gen::arbitrary<Number>(),
                        rc::gen::element(std::numeric_limits<Number>::min(), std::numeric_limits<Number>::max(),
                                         Number{0}, static_cast<Number>(-1)));
}

template <class Record>
Record round_trip(const Record& record) {
  const std::string line = encode(record);
  if (line.find('\n') != std::string::npos) RC_FAIL("a record is more than one line: " + line);
  const ChildLine decoded = decode(line);
  const Record* back = std::get_if<Record>(&decoded);
  if (back == nullptr) RC_FAIL("decodes to another kind of record: " + line);
  return *back;
}

RACELAB_PROP(PropertyWire, ACallDecodesToEveryFieldEncoded, 500, ()) {
  ChildCall call;
  call.thread = *gen_number<int>();
  call.index = *gen_number<std::size_t>();
  call.invoked = *gen_number<std::uint64_t>();
  call.returned = *gen_number<std::uint64_t>();
  call.result = *gen_text();
  const ChildCall back = round_trip(call);
  RC_ASSERT(back.thread == call.thread);
  RC_ASSERT(back.index == call.index);
  RC_ASSERT(back.invoked == call.invoked);
  RC_ASSERT(back.returned == call.returned);
  RC_ASSERT(back.result == call.result);
}

RACELAB_PROP(PropertyWire, AnInvariantDecodesToItsFailure, 300, ()) {
  const ChildInvariant invariant{*gen_text()};
  RC_ASSERT(round_trip(invariant).failure == invariant.failure);
}

RACELAB_PROP(PropertyWire, AnEndDecodesToItsVerdictStrategyAndDetail, 300, ()) {
  ChildEnd end;
  end.verdict = *rc::gen::elementOf(racelab::kAllVerdicts);
  end.strategy = *rc::gen::elementOf(racelab::kAllStrategies);
  end.detail = *gen_text();
  const ChildEnd back = round_trip(end);
  RC_ASSERT(back.verdict == end.verdict);
  RC_ASSERT(back.strategy == end.strategy);
  RC_ASSERT(back.detail == end.detail);
}

TEST(PropertyWire, RecordsAreSpelledAsDocumented) {
  EXPECT_EQ(encode(ChildCall{.thread = -1, .index = 2, .invoked = 3, .returned = 4, .result = "a b\\c\nd"}),
            "call -1 2 3 4 a b\\\\c\\nd");
  EXPECT_EQ(encode(ChildCall{.thread = 0, .index = 0, .invoked = 1, .returned = 2, .result = ""}), "call 0 0 1 2 ");
  EXPECT_EQ(encode(ChildInvariant{"lost\n1"}), "invariant lost\\n1");
  EXPECT_EQ(encode(ChildEnd{racelab::Verdict::data_race, racelab::Strategy::pct, "x y"}), "end data_race pct x y");
}

TEST(PropertyWire, OtherLinesAreNoRecord) {
  for (const char* line : {"", "SUMMARY: ThreadSanitizer: data race a.cpp:1 in f", "WARNING: ThreadSanitizer:",
                           "call", "call 1 2 3", "call 1 2 3 4", "call x 2 3 4 r", "call 1 -2 3 4 r",
                           "call 1 2 3 4x r", "call 99999999999 2 3 4 r", "calls 1 2 3 4 r", "invariant",
                           "end clean", "end clean none", "end bogus none d", "end clean bogus d", "verdict clean"})
    EXPECT_TRUE(std::holds_alternative<std::monostate>(decode(line))) << '"' << line << '"';
}

TEST(PropertySeeds, HashIsTheStandardFnv1a) {
  // The 64-bit FNV-1a reference values: offset basis 0xcbf29ce484222325,
  // prime 0x100000001b3.
  static_assert(racelab::fnv1a("") == 0xcbf29ce484222325ULL);
  static_assert(racelab::fnv1a("a") == 0xaf63dc4c8601ec8cULL);
  static_assert(racelab::fnv1a("foobar") == 0x85944171f73967e8ULL);
  SUCCEED();
}

TEST(PropertyTimeline, PutsEachCallInItsThreadsColumnInTimeOrder) {
  const std::string text = racelab::detail::timeline({{.thread = 1, .op = "get()", .result = "7", .invoked = 2, .returned = 3},
                                                      {.thread = 0, .op = "put(7)", .result = "ok", .invoked = 1, .returned = 4},
                                                      {.thread = -1, .op = "size()", .result = "0", .invoked = 5, .returned = 6}});
  EXPECT_EQ(text,
            "time | T0     | T1    | after join\n"
            "   1 | put(7) |       |\n"
            "   2 |        | get() |\n"
            "   3 |        | → 7   |\n"
            "   4 | → ok   |       |\n"
            "   5 |        |       | size()\n"
            "   6 |        |       | → 0\n");
}

}  // namespace
