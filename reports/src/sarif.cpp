// results.sarif (SARIF 2.1.0), and the path and stack building blocks the
// renderers share (render.h).
#include <algorithm>
#include <array>
#include <filesystem>
#include <string>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "racelab/report/render.h"
#include "sarif_rules.h"
#include "racelab/tsan_kind.h"

namespace racelab::report {

namespace fs = std::filesystem;

namespace {

using nlohmann::json;

constexpr const char* kSignatureKey = "racelabSignature/v1";
constexpr const char* kTsanHelpUri = "https://clang.llvm.org/docs/ThreadSanitizer.html";

std::size_t rule_index(const std::string& id) {
  for (std::size_t i = 0; i < kRules.size(); ++i)
    if (id == kRules[i].id) return i;
  return kRules.size();
}

// `s` with every ill-formed UTF-8 byte replaced by U+FFFD: JSON strings must
// be Unicode (and nlohmann's dump() throws on anything else). Program output
// and symbol names are not always UTF-8.
std::string utf8(std::string s) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      std::string out = s.substr(0, i);
      while (i < s.size()) {
        const std::size_t n = utf8_length(s, i);
        if (n == 0) {
          out += "\xEF\xBF\xBD";
          ++i;
        } else {
          out.append(s, i, n);
          i += n;
        }
      }
      return out;
    }
  return s;
}

json text(std::string s) {
  json j = json::object();
  j["text"] = utf8(std::move(s));
  return j;
}

// Percent-encodes a path for a URI: unreserved characters and '/' stay.
std::string uri_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const unsigned char c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || c == '/')
      out += ch;
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string file_uri(const std::string& absolute) {
  return "file://" + uri_path(fs::path(absolute).lexically_normal().generic_string());
}

// Options and, per file, where it lies: a campaign's frames name few files,
// many times over.
class Context {
 public:
  explicit Context(const RenderOptions& options) : options(options) {}

  const RenderOptions& options;

  /// An artifactLocation for `file`: repo-relative under SRCROOT when it lies
  /// under the root; else, when `outside` allows, its own file: URI.
  const std::optional<json>& artifact(const std::string& file, bool outside) {
    auto [it, inserted] = cache_.try_emplace(file);
    Entry& e = it->second;
    if (inserted && !file.empty()) {
      const std::string own =
          fs::path(file).is_absolute() ? file_uri(file) : uri_path(file);
      if (auto rel = in_repository(file, options.source_root)) {
        e.in_repository = options.source_root.empty()
                              ? json{{"uri", own}}
                              : json{{"uri", uri_path(*rel)}, {"uriBaseId", "SRCROOT"}};
        e.anywhere = e.in_repository;
      } else {
        e.anywhere = json{{"uri", own}};
      }
    }
    return outside ? e.anywhere : e.in_repository;
  }

 private:
  struct Entry {
    std::optional<json> in_repository, anywhere;
  };
  std::unordered_map<std::string, Entry> cache_;
};

json physical(const json& artifact_location, const Frame& f) {
  json p = json::object();
  p["artifactLocation"] = artifact_location;
  if (f.line > 0) {
    json& region = p["region"];
    region["startLine"] = f.line;
    if (f.column > 0) region["startColumn"] = f.column;
  }
  return p;
}

json logical(const Frame& f) {
  return json::array({{{"fullyQualifiedName", utf8(f.function)}, {"kind", "function"}}});
}

// Whether frame #index of a stack is one of its user frames.
bool listed(const std::vector<Frame>& user, int index) {
  return std::any_of(user.begin(), user.end(), [&](const Frame& f) { return f.index == index; });
}

// The frame a result points at in `stack`: its first user frame in the
// repository, else its first frame in the repository (racelab's own).
const Frame* repository_frame(const Stack& stack, const FrameFilter& runtime, Context& c) {
  const std::vector<Frame> user = user_frames(stack, runtime);
  const Frame* any = nullptr;
  for (const Frame& f : stack.frames) {
    if (!c.artifact(f.file, false)) continue;
    if (listed(user, f.index)) return &f;
    if (any == nullptr) any = &f;
  }
  return any;
}

json repository_location(const Frame& f, Context& c) {
  json location = {{"physicalLocation", physical(*c.artifact(f.file, false), f)}};
  if (!f.function.empty()) location["logicalLocations"] = logical(f);
  return location;
}

// One threadFlow: the stack's frames, outermost first (execution order), the
// access itself last.
json thread_flow(const Stack& stack, const FrameFilter& runtime, Context& c) {
  json locations = json::array();
  const std::vector<Frame> user_only = user_frames(stack, runtime);
  const int depth = static_cast<int>(stack.frames.size());
  for (int k = depth - 1; k >= 0; --k) {
    const Frame& f = stack.frames[static_cast<std::size_t>(k)];
    json location = json::object();
    if (const auto& a = c.artifact(f.file, true)) location["physicalLocation"] = physical(*a, f);
    std::string what = fmt::format("#{} {}", f.index, f.function.empty() ? "??" : f.function);
    if (f.file.empty() && !f.module.empty()) what += fmt::format(" ({})", f.module);
    location["message"] = text(std::move(what));
    // The access itself is essential, the program's own callers important
    // (the default), the libraries' and runtime's frames unimportant.
    json step = json::object();
    step["location"] = std::move(location);
    step["nestingLevel"] = depth - 1 - k;
    if (!user_only.empty() && f.index == user_only.front().index)
      step["importance"] = "essential";
    else if (!listed(user_only, f.index))
      step["importance"] = "unimportant";
    locations.push_back(std::move(step));
  }
  // Frames right under the headline (locked-mutex-destroy) come untitled.
  return {{"message", text(stack.title.empty() ? "The report's stack" : stack.title)},
          {"locations", std::move(locations)}};
}

// "data race (pid=4242)" -> "data race".
std::string headline_of(const Finding& f) {
  std::string h = f.headline.empty() ? f.kind : f.headline;
  if (auto p = h.find(" (pid="); p != std::string::npos) h.erase(p);
  return h;
}

std::string variant_text(const VariantResult& r) { return std::string(to_string(r.variant)); }

json finding_result(const VariantResult& r, const FindingGroup& g, Context& c) {
  const std::string rule_id = utf8("tsan/" + g.example.kind);
  std::string message = fmt::format(
      "ThreadSanitizer: {} in {} ({}), in {} run{} ({} report{}); first {}.", headline_of(g.example),
      r.case_id, variant_phrase(r.variant), g.count, g.count == 1 ? "" : "s", g.reports, g.reports == 1 ? "" : "s",
      g.first_run ? fmt::format("in run {} (seed {})", *g.first_run, g.first_seed.value_or(0))
                  : std::string("at process exit, in no run"));
  if (r.variant == Variant::buggy) message += " Expected: the buggy variant exists to show it.";
  json result = {
      {"ruleId", rule_id},
      {"level", r.variant == Variant::buggy ? "warning" : "error"},
      {"message", text(std::move(message))},
      {"partialFingerprints", {{kSignatureKey, utf8(g.signature)}}},
      {"properties",
       {{"case", utf8(r.case_id)},
        {"variant", variant_text(r)},
        {"racelab/variant", variant_text(r)},
        {"count", g.count},
        {"first_run", g.first_run ? json(*g.first_run) : json(nullptr)},
        {"first_seed", g.first_seed ? json(*g.first_seed) : json(nullptr)},
        {"summary", utf8(g.example.summary)}}},
  };
  if (std::size_t index = rule_index(rule_id); index < kRules.size())
    result["ruleIndex"] = index;

  const std::vector<const Stack*> stacks = access_stacks(g.example);
  json locations = json::array();
  for (const Stack* s : stacks)
    if (const Frame* f = repository_frame(*s, r.runtime_frames, c)) {
      locations.push_back(repository_location(*f, c));
      break;
    }
  if (!locations.empty()) result["locations"] = std::move(locations);

  json flows = json::array();
  for (const Stack* s : stacks)
    if (!s->frames.empty()) flows.push_back(thread_flow(*s, r.runtime_frames, c));
  if (!flows.empty())
    result["codeFlows"] = json::array(
        {{{"message", text(fmt::format("{} access stack{}", flows.size(),
                                       flows.size() == 1 ? "" : "s"))},
          {"threadFlows", std::move(flows)}}});

  // Where the threads and mutexes were created and the memory allocated.
  json related = json::array();
  for (const Stack& s : g.example.stacks) {
    if (std::find(stacks.begin(), stacks.end(), &s) != stacks.end()) continue;
    const Frame* f = repository_frame(s, r.runtime_frames, c);
    if (f == nullptr) continue;
    json location = repository_location(*f, c);
    location["id"] = related.size();
    location["message"] = text(s.title);
    related.push_back(std::move(location));
  }
  if (!related.empty()) result["relatedLocations"] = std::move(related);
  return result;
}

// Whether ThreadSanitizer findings already describe a run's verdict.
bool described_by_findings(const VariantResult& r, Verdict v) {
  if (info(v).from_tsan) return true;
  return std::any_of(r.findings.begin(), r.findings.end(), [v](const FindingGroup& g) {
    return verdict_of_tsan_kind(g.example.kind) == v;
  });
}

json verdict_result(const VariantResult& r, const FirstFailure& f, Context& c) {
  const RenderOptions& o = c.options;
  const std::string verdict(to_string(f.verdict));
  const std::string rule_id = "racelab/" + verdict;
  const std::int64_t count = r.verdicts.contains(f.verdict) ? r.verdicts.at(f.verdict) : 1;
  std::string message =
      fmt::format("{} in {} ({}): {} of {} runs; first in run {} (seed {}){}{}", verdict,
                  r.case_id, variant_phrase(r.variant), count, r.runs, f.run, f.seed,
                  f.detail.empty() ? "" : ": ", f.detail);
  if (!message.ends_with('.')) message += '.';
  if (!f.command.empty()) message += " Re-run it: " + f.command;
  // The fingerprint is the first failure's verdict signature (what happened
  // and where), so two different crashes of a case are two alerts.
  std::string fingerprint = fmt::format("{}|{}", rule_id, r.case_id);
  for (const VerdictGroup& g : r.verdict_groups)
    if (g.verdict == f.verdict && g.first_run == f.run) fingerprint = g.signature;
  json result = {
      {"ruleId", rule_id},
      {"level", r.variant == Variant::buggy ? "warning" : "error"},
      {"message", text(std::move(message))},
      {"partialFingerprints",
       {{kSignatureKey, utf8(fmt::format("{}|{}", fingerprint, variant_text(r)))}}},
      {"properties",
       {{"case", utf8(r.case_id)},
        {"variant", variant_text(r)},
        {"racelab/variant", variant_text(r)},
        {"count", count},
        {"first_run", f.run},
        {"first_seed", f.seed},
        {"detail", utf8(f.detail)},
        {"command", utf8(f.command)}}},
  };
  if (std::size_t index = rule_index(rule_id); index < kRules.size())
    result["ruleIndex"] = index;
  // The variant's source, when its caller named one that is there.
  if (!o.source_root.empty() && !r.source.empty()) {
    const std::string& file = r.source;
    std::error_code ec;
    if (fs::is_regular_file(fs::path(o.source_root) / file, ec))
      result["locations"] = json::array(
          {{{"physicalLocation",
             {{"artifactLocation", {{"uri", uri_path(file)}, {"uriBaseId", "SRCROOT"}}}}}}});
  }
  return result;
}

json rule_json(const RuleText& rule) {
  json j = {
      {"id", rule.id},
      {"name", rule.name},
      {"shortDescription", text(rule.short_text)},
      {"fullDescription", text(rule.full_text)},
      {"help", text(rule.help)},
      {"defaultConfiguration", {{"level", rule.level}}},
      {"properties",
       {{"tags", std::string_view(rule.id).starts_with("tsan/")
                     ? json::array({"concurrency", "ThreadSanitizer"})
                     : json::array({"concurrency", "racelab"})}}},
  };
  if (std::string_view(rule.id).starts_with("tsan/")) j["helpUri"] = kTsanHelpUri;
  return j;
}

}  // namespace

json to_sarif(const Summary& summary, const RenderOptions& options) {
  json rules = json::array();
  for (const RuleText& rule : kRules) rules.push_back(rule_json(rule));

  json results = json::array();
  json notifications = json::array();
  Context context(options);
  std::vector<std::string> extra_kinds;  // kinds newer than this table
  for (const VariantResult& r : summary.results) {
    for (const FindingGroup& g : r.findings) {
      const std::string id = utf8("tsan/" + g.example.kind);
      if (rule_index(id) == kRules.size() &&
          std::find(extra_kinds.begin(), extra_kinds.end(), id) == extra_kinds.end()) {
        extra_kinds.push_back(id);
        rules.push_back({{"id", id},
                         {"shortDescription", text("ThreadSanitizer: " + g.example.kind + ".")},
                         {"fullDescription", text("A ThreadSanitizer report of kind " +
                                                  g.example.kind + ".")},
                         {"help", text("Read the report's headline and stacks.")},
                         {"defaultConfiguration", {{"level", "error"}}}});
      }
      results.push_back(finding_result(r, g, context));
    }
    if (r.first_failure && r.first_failure->verdict != Verdict::infra_error &&
        r.first_failure->verdict != Verdict::clean &&
        !described_by_findings(r, r.first_failure->verdict))
      results.push_back(verdict_result(r, *r.first_failure, context));
    for (const std::string& p : r.problems)
      notifications.push_back(
          {{"level", "error"},
           {"message", text(fmt::format("{} ({}): {}", r.case_id, variant_phrase(r.variant), p))},
           {"properties", {{"case", utf8(r.case_id)}, {"variant", variant_text(r)}}}});
  }
  // ruleIndex of the rules added above.
  for (json& result : results)
    if (!result.contains("ruleIndex"))
      for (std::size_t i = kRules.size(); i < rules.size(); ++i)
        if (rules[i]["id"] == result["ruleId"]) result["ruleIndex"] = i;

  json driver = {{"name", "racelab"}, {"rules", std::move(rules)}};
  if (!options.tool_version.empty()) driver["version"] = utf8(options.tool_version);
  std::string information_uri = options.information_uri;
  if (information_uri.empty() && !options.source_root.empty()) {
    std::error_code ec;
    const fs::path readme = fs::path(options.source_root) / "README.md";
    if (fs::is_regular_file(readme, ec)) information_uri = file_uri(readme.string());
  }
  if (!information_uri.empty()) driver["informationUri"] = information_uri;

  json invocation = {{"executionSuccessful", notifications.empty()}};
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);

  json run = {
      {"tool", {{"driver", std::move(driver)}}},
      {"invocations", json::array({std::move(invocation)})},
      {"results", std::move(results)},
      {"columnKind", "utf16CodeUnits"},
      {"properties",
       {{"racelab/ok", summary.ok()},
        {"racelab/created", utf8(summary.created)},
        {"racelab/build",
         {{"sanitizer", utf8(summary.build.sanitizer)},
          {"compiler", utf8(summary.build.compiler)}}}}},
  };
  if (!options.source_root.empty()) {
    std::string root = file_uri(options.source_root);
    if (!root.ends_with('/')) root += '/';
    run["originalUriBaseIds"] = {
        {"SRCROOT", {{"uri", root}, {"description", text("The repository's root.")}}}};
  }
  return {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", json::array({std::move(run)})},
  };
}

}  // namespace racelab::report
