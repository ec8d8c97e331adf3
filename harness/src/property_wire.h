// property_wire.h — the lines a property execution's child process writes to
// its parent (property_fork.cpp), encoded and decoded here for both sides.
// Internal to harness/src.
//
// One record per line, its kind first:
//   call THREAD INDEX INVOKED RETURNED RESULT
//   invariant FAILURE
//   end VERDICT STRATEGY DETAIL
// The text field comes last and may hold spaces; backslashes and newlines in
// it are escaped (\\ and \n), so that a record stays one line. TSan writes
// its reports to the same pipe: its lines, and any other, decode to nothing.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "racelab/property.h"
#include "racelab/verdict.h"

namespace racelab::detail {

// How the child's run ended.
struct ChildEnd {
  Verdict verdict = Verdict::clean;
  Strategy strategy = Strategy::none;
  std::string detail;
};

// The spec's invariant(): "" when it held.
struct ChildInvariant {
  std::string failure;
};

// encode()
//
// The record as one line, without its '\n'.
std::string encode(const ChildCall& call);
std::string encode(const ChildInvariant& invariant);
std::string encode(const ChildEnd& end);

// decode()
//
// The record `line` (without its '\n') holds; std::monostate for a line that
// is no record (another kind, a field that does not parse).
// Guarantees: decode(encode(r)) is r, field for field.
using ChildLine = std::variant<std::monostate, ChildCall, ChildInvariant, ChildEnd>;
ChildLine decode(std::string_view line);

}  // namespace racelab::detail
