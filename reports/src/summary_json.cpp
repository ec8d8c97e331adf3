// summary.json: to_json() and its strict reader, summary_from_json().
#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

#include "racelab/report/render.h"
#include "racelab/report/summary.h"

namespace racelab::report {

namespace {

constexpr int kSchemaVersion = 4;

}  // namespace

nlohmann::json to_json(const VariantResult& r) {
  nlohmann::json expected = nlohmann::json::array();
  for (Verdict v : r.expected) expected.push_back(to_string(v));
  nlohmann::json verdicts = nlohmann::json::object();
  for (const auto& [verdict, n] : r.verdicts) verdicts[std::string(to_string(verdict))] = n;
  nlohmann::json by_strategy = nlohmann::json::object();
  for (const auto& [strategy, counts] : r.verdicts_by_strategy) {
    nlohmann::json& into = by_strategy[strategy] = nlohmann::json::object();
    for (const auto& [verdict, n] : counts) into[std::string(to_string(verdict))] = n;
  }
  nlohmann::json first_failure = nullptr;
  if (r.first_failure)
    first_failure = {{"run", r.first_failure->run},
                     {"seed", r.first_failure->seed},
                     {"verdict", to_string(r.first_failure->verdict)},
                     {"detail", r.first_failure->detail},
                     {"command", r.first_failure->command}};
  if (r.first_failure && (!r.first_failure->schedule.empty() || r.first_failure->trace != 0))
    first_failure["controlled"] = {{"schedule", r.first_failure->schedule},
                                   {"trace", r.first_failure->trace},
                                   {"not_replayable", r.first_failure->not_replayable},
                                   {"walk", r.first_failure->walk}};
  nlohmann::json findings = nlohmann::json::array();
  for (const FindingGroup& g : r.findings) {
    nlohmann::json stacks = nlohmann::json::array();
    for (const Stack& s : g.example.stacks) {
      nlohmann::json frames = nlohmann::json::array();
      for (const Frame& f : s.frames)
        frames.push_back({{"function", f.function},
                          {"file", f.file},
                          {"line", f.line},
                          {"column", f.column},
                          {"module", f.module}});
      stacks.push_back({{"title", s.title}, {"frames", frames}});
    }
    findings.push_back({{"kind", g.example.kind},
                        {"signature", g.signature},
                        {"count", g.count},
                        {"reports", g.reports},
                        {"first_run", g.first_run ? nlohmann::json(*g.first_run) : nullptr},
                        {"first_seed", g.first_seed ? nlohmann::json(*g.first_seed) : nullptr},
                        {"headline", g.example.headline},
                        {"summary", g.example.summary},
                        {"location", g.example.location},
                        {"top_frames", top_frame_texts(g.example, r.runtime_frames)},
                        {"stacks", stacks}});
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const VerdictGroup& g : r.verdict_groups)
    groups.push_back({{"verdict", to_string(g.verdict)},
                      {"where", g.where},
                      {"signature", g.signature},
                      {"count", g.count},
                      {"first_run", g.first_run},
                      {"first_seed", g.first_seed},
                      {"detail", g.detail}});
  return {
      {"case", r.case_id},
      {"title", r.title},
      {"bug_class", r.bug_class},
      {"variant", to_string(r.variant)},
      {"strategy", r.strategy},
      {"seed", r.seed},
      {"shard",
       {{"index", r.shard_index},
        {"count", r.shard_count},
        {"from", r.range_from},
        {"to", r.range_to}}},
      {"expected", expected},
      {"source", r.source},
      {"runtime_frames", {{"functions", r.runtime_frames.functions}, {"files", r.runtime_frames.files}}},
      {"runs", r.runs},
      {"failing_runs", r.failing_runs},
      {"verdicts", verdicts},
      {"verdicts_by_strategy", by_strategy},
      {"as_expected", r.as_expected()},
      {"first_failure", first_failure},
      {"findings", findings},
      {"verdict_groups", groups},
      {"evidence",
       {{"processes", r.evidence.processes},
        {"tsan_seen", r.evidence.tsan_seen},
        {"tsan_assumed", r.evidence.tsan_assumed}}},
      {"perturbation", r.perturbation ? nlohmann::json{{"budget_percent", r.perturbation->budget_percent},
                                                      {"points", r.perturbation->points},
                                                      {"delays", r.perturbation->delays},
                                                      {"delay_seconds", r.perturbation->delay_seconds},
                                                      {"over_budget", r.perturbation->over_budget}}
                                      : nlohmann::json(nullptr)},
      {"notes", r.notes},
      {"problems", r.problems},
      {"seconds", r.seconds},
  };
}

nlohmann::json to_json(const Summary& s) {
  nlohmann::json results = nlohmann::json::array();
  for (const VariantResult& r : s.results) results.push_back(to_json(r));
  return {
      {"schema", "racelab.summary"},
      {"schema_version", kSchemaVersion},
      {"created", s.created},
      {"build", {{"sanitizer", s.build.sanitizer}, {"compiler", s.build.compiler}}},
      {"ok", s.ok()},
      {"results", results},
  };
}

namespace {

// Strict reading: a summary is evidence for a gate, so a field of the wrong
// type, a negative count or a field the schema does not have is an error,
// never a default. `where` names the object for the message.
class Reader {
 public:
  Reader(const nlohmann::json& j, std::string where, std::initializer_list<const char*> keys)
      : j_(j), where_(std::move(where)) {
    if (!j_.is_object()) fail("is not an object");
    for (const auto& [key, value] : j_.items())
      if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
        fail(fmt::format("has a field the schema does not have: \"{}\"", key));
  }

  const nlohmann::json& at(const char* key) const {
    auto it = j_.find(key);
    if (it == j_.end()) fail(fmt::format("has no \"{}\"", key));
    return *it;
  }
  bool has(const char* key) const { return j_.contains(key); }

  std::string text(const char* key) const {
    const auto& v = at(key);
    if (!v.is_string()) fail(fmt::format("\"{}\" is not a string", key));
    return v.get<std::string>();
  }
  std::int64_t count(const char* key) const { return count_of(at(key), key); }
  std::uint64_t u64(const char* key) const {
    const auto& v = at(key);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
      fail(fmt::format("\"{}\" is not a non-negative integer", key));
    return v.get<std::uint64_t>();
  }
  bool boolean(const char* key) const {
    const auto& v = at(key);
    if (!v.is_boolean()) fail(fmt::format("\"{}\" is not true or false", key));
    return v.get<bool>();
  }
  double number(const char* key) const {
    const auto& v = at(key);
    if (!v.is_number() || v.get<double>() < 0) fail(fmt::format("\"{}\" is not a non-negative number", key));
    return v.get<double>();
  }
  const nlohmann::json& array(const char* key) const {
    const auto& v = at(key);
    if (!v.is_array()) fail(fmt::format("\"{}\" is not an array", key));
    return v;
  }
  const nlohmann::json& object(const char* key) const {
    const auto& v = at(key);
    if (!v.is_object()) fail(fmt::format("\"{}\" is not an object", key));
    return v;
  }
  std::int64_t count_of(const nlohmann::json& v, const std::string& what) const {
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX) ||
        v.get<std::int64_t>() < 0)
      fail(fmt::format("\"{}\" is not a non-negative integer", what));
    return v.get<std::int64_t>();
  }
  Verdict verdict(const nlohmann::json& v, const std::string& what) const {
    std::optional<Verdict> parsed;
    if (v.is_string()) parsed = parse_verdict(v.get<std::string>());
    if (!parsed) fail(fmt::format("{} is not a verdict: {}", what, v.dump()));
    return *parsed;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(fmt::format("{} {}", where_, what));
  }

 private:
  const nlohmann::json& j_;
  std::string where_;
};

Finding finding_from_json(const nlohmann::json& j, const std::string& where) {
  Reader g(j, where, {"kind", "signature", "count", "reports", "first_run", "first_seed", "headline", "summary",
                      "location", "top_frames", "stacks"});
  Finding f;
  f.kind = g.text("kind");
  f.headline = g.text("headline");
  f.summary = g.text("summary");
  f.location = g.text("location");
  for (const auto& s : g.array("stacks")) {
    Reader stack_reader(s, where + " stack", {"title", "frames"});
    Stack stack;
    stack.title = stack_reader.text("title");
    for (const auto& fr : stack_reader.array("frames")) {
      Reader frame(fr, where + " frame", {"function", "file", "line", "column", "module"});
      stack.frames.push_back(Frame{.index = static_cast<int>(stack.frames.size()),
                                   .function = frame.text("function"),
                                   .file = frame.text("file"),
                                   .line = static_cast<int>(std::min<std::int64_t>(frame.count("line"), INT32_MAX)),
                                   .column = static_cast<int>(std::min<std::int64_t>(frame.count("column"), INT32_MAX)),
                                   .module = frame.text("module")});
    }
    f.stacks.push_back(std::move(stack));
  }
  return f;
}

VariantResult result_from_json(const nlohmann::json& j, std::size_t index, bool& stated_as_expected) {
  VariantResult r;
  const nlohmann::json* name = j.is_object() && j.contains("case") ? &j.at("case") : nullptr;
  const std::string where = fmt::format("result {} ({})", index,
                                        name && name->is_string() ? name->get<std::string>() : "?");
  const Reader res(j, where, {"case", "title", "bug_class", "variant", "strategy", "seed", "shard",
                              "expected", "source", "runtime_frames", "runs", "failing_runs", "verdicts", "verdicts_by_strategy",
                              "as_expected", "first_failure", "findings", "verdict_groups",
                              "evidence", "perturbation", "notes", "problems", "seconds"});
  r.case_id = res.text("case");
  r.title = res.text("title");
  r.bug_class = res.text("bug_class");
  auto variant = parse_variant(res.text("variant"));
  if (!variant) res.fail("has an unknown variant");
  r.variant = *variant;
  r.strategy = res.text("strategy");
  r.seed = res.u64("seed");
  {
    const Reader shard(res.object("shard"), where + " shard", {"index", "count", "from", "to"});
    r.shard_index = static_cast<int>(std::min<std::int64_t>(shard.count("index"), INT32_MAX));
    r.shard_count = static_cast<int>(std::min<std::int64_t>(shard.count("count"), INT32_MAX));
    r.range_from = shard.count("from");
    r.range_to = shard.count("to");
  }
  for (const auto& e : res.array("expected")) r.expected.push_back(res.verdict(e, "an expected verdict"));
  r.source = res.text("source");
  {
    const Reader frames(res.object("runtime_frames"), where + " runtime_frames", {"functions", "files"});
    for (const char* key : {"functions", "files"})
      for (const auto& text : frames.array(key)) {
        if (!text.is_string()) frames.fail(fmt::format("\"{}\" holds a non-string", key));
        (std::string_view(key) == "functions" ? r.runtime_frames.functions : r.runtime_frames.files)
            .push_back(text.get<std::string>());
      }
  }
  r.runs = res.count("runs");
  r.failing_runs = res.count("failing_runs");
  for (const auto& [name, n] : res.object("verdicts").items())
    r.verdicts[res.verdict(name, "a verdict count's name")] = res.count_of(n, "verdicts." + name);
  for (const auto& [strategy, counts] : res.object("verdicts_by_strategy").items()) {
    if (!counts.is_object()) res.fail(fmt::format("verdicts_by_strategy.{} is not an object", strategy));
    for (const auto& [name, n] : counts.items())
      r.verdicts_by_strategy[strategy][res.verdict(name, "a verdict count's name")] =
          res.count_of(n, "verdicts_by_strategy." + strategy + "." + name);
  }
  stated_as_expected = res.boolean("as_expected");
  if (const auto& f = res.at("first_failure"); !f.is_null()) {
    const Reader ff(f, where + " first_failure", {"run", "seed", "verdict", "detail", "command", "controlled"});
    r.first_failure = FirstFailure{.run = ff.count("run"),
                                   .seed = ff.u64("seed"),
                                   .verdict = ff.verdict(ff.at("verdict"), "its verdict"),
                                   .detail = ff.text("detail"),
                                   .command = ff.text("command"),
                                   .schedule = {},
                                   .trace = 0,
                                   .not_replayable = {},
                                   .walk = {}};
    if (ff.has("controlled")) {
      const Reader c(ff.object("controlled"), where + " first_failure.controlled",
                     {"schedule", "trace", "not_replayable", "walk"});
      r.first_failure->schedule = c.text("schedule");
      r.first_failure->trace = c.u64("trace");
      r.first_failure->not_replayable = c.text("not_replayable");
      r.first_failure->walk = c.text("walk");
    }
  }
  std::size_t k = 0;
  for (const auto& g : res.array("findings")) {
    const std::string what = fmt::format("{} finding {}", where, k++);
    const Reader fg(g, what, {"kind", "signature", "count", "reports", "first_run", "first_seed", "headline",
                              "summary", "location", "top_frames", "stacks"});
    FindingGroup group;
    group.signature = fg.text("signature");
    group.example = finding_from_json(g, what);
    group.count = fg.count("count");
    group.reports = fg.count("reports");
    if (!fg.at("first_run").is_null()) group.first_run = fg.count("first_run");
    if (!fg.at("first_seed").is_null()) group.first_seed = fg.u64("first_seed");
    r.findings.push_back(std::move(group));
  }
  k = 0;
  for (const auto& g : res.array("verdict_groups")) {
    const Reader vg(g, fmt::format("{} verdict group {}", where, k++),
                    {"verdict", "where", "signature", "count", "first_run", "first_seed", "detail"});
    r.verdict_groups.push_back(VerdictGroup{.verdict = vg.verdict(vg.at("verdict"), "its verdict"),
                                            .where = vg.text("where"),
                                            .signature = vg.text("signature"),
                                            .detail = vg.text("detail"),
                                            .count = vg.count("count"),
                                            .first_run = vg.count("first_run"),
                                            .first_seed = vg.u64("first_seed")});
  }
  {
    const Reader ev(res.object("evidence"), where + " evidence", {"processes", "tsan_seen", "tsan_assumed"});
    r.evidence = {ev.count("processes"), ev.count("tsan_seen"), ev.count("tsan_assumed")};
  }
  // (Absent from summaries written before it existed.)
  if (res.has("perturbation") && !res.at("perturbation").is_null()) {
    const Reader p(res.object("perturbation"), where + " perturbation",
                   {"budget_percent", "points", "delays", "delay_seconds", "over_budget"});
    r.perturbation = Perturbation{p.u64("budget_percent"), p.u64("points"), p.u64("delays"),
                                  p.number("delay_seconds"), p.u64("over_budget")};
  }
  for (const auto& p : res.array("problems")) {
    if (!p.is_string()) res.fail("has a problem that is not a string");
    r.problems.push_back(p.get<std::string>());
  }
  for (const auto& n : res.array("notes")) {
    if (!n.is_string()) res.fail("has a note that is not a string");
    r.notes.push_back(n.get<std::string>());
  }
  r.seconds = res.number("seconds");
  return r;
}

}  // namespace

Summary summary_from_json(const nlohmann::json& j) {
  try {
    if (!j.is_object() || !j.contains("schema") || j.at("schema") != "racelab.summary")
      throw std::runtime_error("not a racelab summary (no \"schema\": \"racelab.summary\")");
    const auto version = j.find("schema_version");
    if (version == j.end() || !version->is_number_integer() || *version != kSchemaVersion)
      throw std::runtime_error(fmt::format(
          "a racelab summary of schema version {} (this racelab reads version {}{})",
          version == j.end() ? "none" : version->dump(), kSchemaVersion,
          version != j.end() && version->is_number_integer() && *version < kSchemaVersion
              ? *version == 1 ? ": version 1 carries no evidence that TSan ran; run the command again"
                              : ": made by an older racelab; run the command again"
              : ""));
    const Reader top(j, "the summary", {"schema", "schema_version", "created", "build", "ok", "results"});
    Summary s;
    s.created = top.text("created");
    const Reader build(top.object("build"), "the summary's build", {"sanitizer", "compiler"});
    s.build = {build.text("sanitizer"), build.text("compiler")};
    s.stated_ok = top.boolean("ok");
    std::size_t index = 0;
    for (const auto& r : top.array("results")) {
      bool stated = false;
      s.results.push_back(result_from_json(r, index++, stated));
      s.stated_as_expected.push_back(stated);
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed racelab summary: ") + e.what());
  }
}

}  // namespace racelab::report
