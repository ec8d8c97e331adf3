// The SARIF rules racelab reports under: one per TSan report kind
// (tsan/<kind>) and one per harness verdict (racelab/<verdict>).
#pragma once

#include <span>

namespace racelab::report {

struct RuleText {
  const char* id;
  const char* name;
  const char* level;
  const char* short_text;
  const char* full_text;
  const char* help;
};

/// In a fixed order: a rule's index is the same in every file.
extern const std::span<const RuleText> kRules;

}  // namespace racelab::report
