// timeline() (racelab/property.h): a history as a table, one column per
// thread, for a failing property's message.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "racelab/property.h"

namespace racelab::detail {

std::string timeline(const std::vector<TimelineCall>& calls) {
  // Columns: threads in order, probes ("after join") last.
  std::map<int, std::size_t> column;
  for (const TimelineCall& call : calls)
    if (call.thread >= 0) column.emplace(call.thread, 0);
  std::size_t c = 0;
  for (auto& [t, index] : column) index = c++;
  const bool probes = std::any_of(calls.begin(), calls.end(), [](const TimelineCall& call) { return call.thread == -1; });
  if (probes) column[-1] = c++;
  std::vector<std::string> headers(c);
  for (const auto& [t, index] : column) headers[index] = t < 0 ? "after join" : fmt::format("T{}", t);

  struct Row {
    std::uint64_t time;
    std::size_t column;
    std::string text;
  };
  std::vector<Row> rows;
  for (const TimelineCall& call : calls) {
    rows.push_back({call.invoked, column.at(call.thread), call.op});
    rows.push_back({call.returned, column.at(call.thread), "→ " + call.result});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.time < b.time; });
  std::vector<std::size_t> width(c, 0);
  for (std::size_t k = 0; k < c; ++k) width[k] = headers[k].size();
  // "→" is three bytes and one column wide.
  auto shown = [](const std::string& s) { return s.starts_with("→") ? s.size() - 2 : s.size(); };
  for (const Row& r : rows) width[r.column] = std::max(width[r.column], shown(r.text));
  auto cell = [&](const std::string& s, std::size_t k) { return s + std::string(width[k] - shown(s), ' '); };

  std::string out = "time";
  for (std::size_t k = 0; k < c; ++k) out += " | " + cell(headers[k], k);
  while (out.back() == ' ') out.pop_back();
  out += "\n";
  for (const Row& r : rows) {
    out += fmt::format("{:>4}", r.time);
    for (std::size_t k = 0; k < c; ++k) out += " | " + cell(k == r.column ? r.text : "", k);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

}  // namespace racelab::detail
