#include "registry.h"

namespace racelab::catalogue_properties {

std::vector<Entry>& entries() {
  static std::vector<Entry> all;
  return all;
}

namespace detail {

std::string message_of_failure(const std::string& description) {
  // RapidCheck's description of an RC_FAIL: "file:line:\nRC_FAIL(expression)\n\nmessage".
  const auto macro = description.find("\nRC_FAIL(");
  const auto blank = description.find("\n\n", macro == std::string::npos ? 0 : macro);
  return macro != std::string::npos && blank != std::string::npos ? description.substr(blank + 2) : description;
}

Verdict verdict_of_failure(const std::string& message) {
  // property::check() says "the execution ended in VERDICT: …", or names an
  // invariant or linearizability failure.
  const std::string ended = "\nthe execution ended in ";
  if (const auto at = message.find(ended); at != std::string::npos) {
    const auto from = at + ended.size();
    if (auto v = parse_verdict(message.substr(from, message.find(':', from) - from))) return *v;
  }
  return Verdict::invariant_violated;
}

}  // namespace detail
}  // namespace racelab::catalogue_properties
