#include "racelab/report/gate.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "racelab/tsan_kind.h"

namespace racelab::report {

namespace {

constexpr const char* kSchema = "racelab.baseline";
// Version 2: harness verdicts are accepted by what happened and where
// (racelab/<verdict>|<case>|<where>). Version 1 accepted them by case alone
// (racelab/<verdict>|<case>): such entries still load but match nothing.
constexpr int kSchemaVersion = 2;

// A version-1 entry for a harness verdict: "racelab/<verdict>|<case>", no place.
bool coarse(const std::string& signature) {
  return signature.starts_with("racelab/") && std::count(signature.begin(), signature.end(), '|') == 1;
}

// "function file" of a finding's first user frame, for people.
std::string where_of(const Finding& finding, const FrameFilter& runtime) {
  for (const Stack& stack : finding.stacks)
    for (const Frame& frame : user_frames(stack, runtime))
      return frame.file.empty() ? frame.function : fmt::format("{} {}", frame.function, frame.file);
  return finding.summary;
}

// Every finding and harness verdict of the results expected clean.
std::vector<GateItem> items_of(const Summary& summary) {
  std::vector<GateItem> items;
  for (const VariantResult& r : summary.results) {
    if (r.variant == Variant::buggy) continue;
    for (const FindingGroup& g : r.findings)
      items.push_back({g.signature, g.example.kind, where_of(g.example, r.runtime_frames), r.case_id, r.variant,
                       g.count, ""});
    for (const VerdictGroup& g : r.verdict_groups) {
      // A verdict TSan's reports decide is the items of those reports: but
      // only when one is there (racelab may decide a lock-order inversion
      // that TSan never reported, a hang its report came with, …).
      const bool reported = std::any_of(r.findings.begin(), r.findings.end(), [&](const FindingGroup& f) {
        return verdict_of_tsan_kind(f.example.kind) == g.verdict;
      });
      if (info(g.verdict).from_tsan && reported) continue;
      items.push_back({g.signature, fmt::format("racelab/{}", to_string(g.verdict)), g.where,
                       r.case_id, r.variant, g.count, ""});
    }
  }
  return items;
}

std::string label(const GateItem& item) {
  return fmt::format("{} {}: {} ×{}{}{}", item.case_id, to_string(item.variant), item.kind,
                     item.count, item.where.empty() ? "" : " at ", item.where);
}

}  // namespace

Baseline baseline_from_json(const nlohmann::json& json) {
  if (!json.is_object() || json.value("schema", "") != kSchema)
    throw std::runtime_error(fmt::format("not a racelab baseline (want \"schema\": \"{}\")", kSchema));
  const auto version = json.find("schema_version");
  if (version == json.end() || !version->is_number_integer() || (*version != 1 && *version != kSchemaVersion))
    throw std::runtime_error(fmt::format("baseline schema_version {} is not supported (want {})",
                                         version == json.end() ? "none" : version->dump(), kSchemaVersion));
  if (!json.contains("accepted") || !json.at("accepted").is_array())
    throw std::runtime_error("baseline has no \"accepted\" array");
  Baseline baseline;
  std::set<std::string> seen;
  std::size_t index = 0;
  for (const auto& entry : json.at("accepted")) {
    const auto text = [&](const char* key) {
      if (!entry.is_object() || !entry.contains(key) || !entry.at(key).is_string())
        throw std::runtime_error(fmt::format("baseline entry {} has no \"{}\" string", index, key));
      return entry.at(key).get<std::string>();
    };
    BaselineEntry e{text("signature"), entry.value("kind", ""), entry.value("where", ""), text("reason")};
    if (e.signature.empty())
      throw std::runtime_error(fmt::format("baseline entry {} has an empty signature", index));
    if (e.reason.empty())
      throw std::runtime_error(fmt::format(
          "baseline entry {} ({}) has no reason: say why it is accepted", index, e.signature));
    if (!seen.insert(e.signature).second)
      throw std::runtime_error(fmt::format("baseline lists {} twice", e.signature));
    if (coarse(e.signature))
      baseline.obsolete.push_back(std::move(e));
    else
      baseline.accepted.push_back(std::move(e));
    ++index;
  }
  return baseline;
}

nlohmann::json to_json(const Baseline& baseline) {
  nlohmann::json accepted = nlohmann::json::array();
  for (const BaselineEntry& e : baseline.accepted)
    accepted.push_back(
        {{"signature", e.signature}, {"kind", e.kind}, {"where", e.where}, {"reason", e.reason}});
  return {{"schema", kSchema}, {"schema_version", kSchemaVersion}, {"accepted", accepted}};
}

GateResult gate(const Summary& summary, const Baseline& baseline) {
  GateResult result;
  result.errors = check(summary);
  result.obsolete = baseline.obsolete;
  if (summary.build.sanitizer != "thread")
    result.errors.push_back(fmt::format(
        "the program was not built with ThreadSanitizer (sanitizer: {}): data races cannot be "
        "seen, so a clean result would mean nothing; build with -fsanitize=thread",
        summary.build.sanitizer.empty() ? "unknown" : summary.build.sanitizer));
  for (const VariantResult& r : summary.results) {
    const std::string name = fmt::format("{} {}", r.case_id, to_string(r.variant));
    for (const std::string& problem : r.problems) result.errors.push_back(name + ": " + problem);
    if (r.variant == Variant::buggy && r.runs > 0 && r.problems.empty() && !r.as_expected())
      result.missed.push_back(name + ": not caught as expected");
  }

  std::map<std::string, const BaselineEntry*> by_signature;
  for (const BaselineEntry& e : baseline.accepted) by_signature.emplace(e.signature, &e);
  std::set<std::string> used;
  for (GateItem& item : items_of(summary)) {
    auto it = by_signature.find(item.signature);
    if (it == by_signature.end()) {
      result.fresh.push_back(std::move(item));
    } else {
      used.insert(item.signature);
      item.reason = it->second->reason;
      result.accepted.push_back(std::move(item));
    }
  }
  for (const BaselineEntry& e : baseline.accepted)
    if (!used.contains(e.signature)) result.unused.push_back(e);
  return result;
}

Baseline updated_baseline(const Summary& summary, const Baseline& old, const std::string& reason) {
  Baseline baseline = old;
  std::set<std::string> known;
  for (const BaselineEntry& e : old.accepted) known.insert(e.signature);
  for (const GateItem& item : items_of(summary)) {
    if (!known.insert(item.signature).second) continue;
    if (reason.empty())
      throw std::invalid_argument(fmt::format(
          "{} is new: give --reason TEXT to say why the baseline accepts it", label(item)));
    baseline.accepted.push_back({item.signature, item.kind, item.where, reason});
  }
  return baseline;
}

std::string to_console(const GateResult& result) {
  std::string text;
  for (const std::string& e : result.errors) text += "error: " + e + "\n";
  for (const std::string& m : result.missed) text += "missed: " + m + "\n";
  for (const GateItem& item : result.fresh)
    text += fmt::format("new: {}\n     signature: {}\n", label(item), item.signature);
  for (const GateItem& item : result.accepted)
    text += fmt::format("accepted: {} ({})\n", label(item), item.reason);
  for (const BaselineEntry& e : result.unused)
    text += fmt::format("unused baseline entry: {} ({})\n", e.signature, e.reason);
  for (const BaselineEntry& e : result.obsolete)
    text += fmt::format("obsolete baseline entry: {} ({}) accepts a {} of any kind anywhere in its case, "
                        "which racelab no longer does: it matches nothing; accept what the summary "
                        "holds again with --update-baseline --reason TEXT\n",
                        e.signature, e.reason, e.kind.empty() ? "harness verdict" : e.kind);
  if (!result.errors.empty())
    text += "gate: ERROR — nothing can be concluded (fails closed)\n";
  else
    text += fmt::format("gate: {} — {} new, {} accepted, {} missed\n",
                        result.passed() ? "PASSED" : "FAILED", result.fresh.size(),
                        result.accepted.size(), result.missed.size());
  return text;
}

}  // namespace racelab::report
