// racelab/report/gate.h — the CI gate: a summary against a baseline of
// accepted findings.
//
// This header defines:
//   Baseline, BaselineEntry   accepted signatures, each with the reason why
//   GateItem                  one thing the gate looked at
//   GateResult                what it decided, and why
//   gate()                    Summary × Baseline → GateResult
//   updated_baseline()        the baseline that would accept a summary
//
// baseline.json (schema "racelab.baseline", version 2):
//   {
//     "schema": "racelab.baseline", "schema_version": 2,
//     "accepted": [{
//       "signature": "data-race|…",        // a finding's signature (see tsan.h)
//       "kind": "data-race",               // for people
//       "where": "Counter::add() src/counter.cpp",
//       "reason": "benign statistics counter, issue #12"   // required, non-empty
//     }]
//   }
//
// What the gate looks at, per result of the summary:
//   * a fixed variant or a program (expected clean): every TSan finding (by
//     signature) and every group of runs that ended in a harness verdict
//     (signature `racelab/<verdict>|<case>|<where>`: see verdict_signature()
//     in summary.h). Each is either accepted by the baseline or new; one new
//     item fails the gate;
//   * a buggy variant: it must be caught as expected (a detector that stops
//     catching a known bug fails the gate too).
// It fails closed and recomputes rather than trusts: a summary that check()
// (summary.h) finds inconsistent — no result, a result with no run, counts
// that do not add up, `ok` or `as_expected` that the counts contradict, a
// process without proof that TSan ran — a result with infrastructure
// problems, or a build without ThreadSanitizer is an error, never a pass.
//
// Migration: a version-1 baseline still loads. Its TSan entries keep
// matching; its harness entries (`racelab/<verdict>|<case>`, which accepted
// every crash or hang of a case) match nothing and are listed as obsolete:
// accept what a summary holds again with --update-baseline, which writes
// version 2.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "racelab/report/summary.h"

namespace racelab::report {

struct BaselineEntry {
  std::string signature;
  std::string kind;
  std::string where;
  std::string reason;
};

struct Baseline {
  std::vector<BaselineEntry> accepted;
  std::vector<BaselineEntry> obsolete;  ///< version-1 harness entries: they match nothing
};

// Reads baseline.json. Throws std::runtime_error naming what is wrong (not a
// baseline, an entry without signature or reason, a signature listed twice).
Baseline baseline_from_json(const nlohmann::json& json);
nlohmann::json to_json(const Baseline& baseline);

// GateItem — one finding or harness verdict of a result expected clean.
struct GateItem {
  std::string signature;
  std::string kind;     ///< a TSan kind (`data-race`) or `racelab/<verdict>`
  std::string where;    ///< top user frame, or the first failure's detail
  std::string case_id;
  Variant variant = Variant::program;
  std::int64_t count = 0;  ///< findings, or runs with that verdict
  std::string reason;      ///< the baseline's reason, when accepted
};

struct GateResult {
  std::vector<GateItem> fresh;     ///< not in the baseline: each fails the gate
  std::vector<GateItem> accepted;  ///< in the baseline
  std::vector<BaselineEntry> unused;  ///< baseline entries nothing matched (may be removed)
  std::vector<BaselineEntry> obsolete;  ///< version-1 harness entries, which match nothing
  std::vector<std::string> missed;    ///< buggy variants not caught as expected
  std::vector<std::string> errors;    ///< why nothing can be concluded (fail closed)
  bool passed() const { return fresh.empty() && missed.empty() && errors.empty(); }
};

GateResult gate(const Summary& summary, const Baseline& baseline);

// updated_baseline()
//
// `old` plus an entry for each item of `summary` it does not accept yet,
// with `reason`; entries nothing matched are kept (a race seen only now and
// then must not fall out of the baseline). Throws std::invalid_argument when
// there is something new to accept and `reason` is empty.
Baseline updated_baseline(const Summary& summary, const Baseline& old, const std::string& reason);

// Lines for a terminal: the decision, then every new item, missed variant
// and error.
std::string to_console(const GateResult& result);

}  // namespace racelab::report
