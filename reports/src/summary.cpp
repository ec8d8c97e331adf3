#include "racelab/report/summary.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

namespace racelab::report {

namespace {

bool listed(const std::vector<Verdict>& verdicts, Verdict v) {
  return std::find(verdicts.begin(), verdicts.end(), v) != verdicts.end();
}

template <class T>
T field(const nlohmann::json& line, const char* name) {
  auto it = line.find(name);
  if (it == line.end()) throw std::runtime_error(fmt::format("run record without \"{}\"", name));
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(fmt::format("run record with a malformed \"{}\"", name));
  }
}

std::string frame_text(const Frame& f) {
  std::string where = f.file.empty() ? f.module : f.file;
  if (f.line > 0) where += fmt::format(":{}", f.line);
  return fmt::format("{} {}", f.function.empty() ? "??" : f.function, where);
}

// The top user frame of each access stack: what a person looks at first.
std::vector<std::string> top_frames(const Finding& finding) {
  std::vector<std::string> frames;
  for (const Stack& stack : finding.stacks) {
    // Thread-creation and mutex-creation stacks say where, not what.
    bool creation = stack.title.starts_with("Thread ") ||
                    (stack.title.starts_with("Mutex ") &&
                     stack.title.find("acquired") == std::string::npos);
    if (creation) continue;
    std::vector<Frame> user = user_frames(stack);
    if (!user.empty()) frames.push_back(frame_text(user.front()));
    if (frames.size() == 2) break;
  }
  return frames;
}

std::string verdict_counts(const VariantResult& r) {
  std::string text;
  for (const auto& [verdict, n] : r.verdicts)
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", to_string(verdict), n);
  return text;
}

std::string expected_text(const VariantResult& r) {
  std::string text;
  for (Verdict v : r.expected) text += fmt::format("{}{}", text.empty() ? "" : " or ", to_string(v));
  return text;
}

// Most frequent first; ties keep the order of their first run.
void sort_groups(VariantResult& r) {
  std::sort(r.findings.begin(), r.findings.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_run < b.first_run;
  });
  std::sort(r.verdict_groups.begin(), r.verdict_groups.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_run < b.first_run;
  });
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr int kSchemaVersion = 2;

}  // namespace

std::string verdict_signature(Verdict verdict, const std::string& case_id, const std::string& where) {
  return fmt::format("racelab/{}|{}|{}", to_string(verdict), case_id, where);
}

std::string where_of_detail(const std::string& detail) {
  std::vector<std::string> clauses;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = detail.find("; ", start);
    std::string clause = detail.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string masked;
    for (std::size_t i = 0; i < clause.size();) {
      if (clause.compare(i, 2, "0x") == 0 && i + 2 < clause.size() && std::isxdigit(static_cast<unsigned char>(clause[i + 2]))) {
        masked += "0x?";
        i += 2;
        while (i < clause.size() && std::isxdigit(static_cast<unsigned char>(clause[i]))) ++i;
      } else if (is_digit(clause[i])) {
        // A line number after "file.ext:" is kept: it says where.
        const bool line_number = i > 0 && clause[i - 1] == ':' && i > 1 && clause[i - 2] != ' ';
        std::size_t j = i;
        while (j < clause.size() && is_digit(clause[j])) ++j;
        masked += line_number ? clause.substr(i, j - i) : "N";
        i = j;
      } else {
        masked += clause[i++];
      }
    }
    clauses.push_back(std::move(masked));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  std::sort(clauses.begin(), clauses.end());
  std::string where;
  for (const std::string& c : clauses) where += (where.empty() ? "" : "; ") + c;
  if (where.size() > 300) where.resize(300);
  return where;
}

RunRecord RunRecord::from_json(const nlohmann::json& line) {
  RunRecord r;
  r.index = field<std::int64_t>(line, "index");
  r.seed = field<std::uint64_t>(line, "seed");
  r.strategy = field<std::string>(line, "strategy");
  auto verdict = parse_verdict(field<std::string>(line, "verdict"));
  if (!verdict) throw std::runtime_error("run record with an unknown verdict");
  r.verdict = *verdict;
  r.detail = field<std::string>(line, "detail");
  r.duration_us = field<std::int64_t>(line, "duration_us");
  r.tsan_first = field<std::uint64_t>(line, "tsan_first");
  r.tsan_count = field<std::uint64_t>(line, "tsan_count");
  r.valgrind_errors = line.value("valgrind_errors", std::uint64_t{0});
  if (line.contains("tsan_verdict"))
    r.tsan_verdict = parse_verdict(field<std::string>(line, "tsan_verdict"));
  if (line.contains("where")) r.where = field<std::string>(line, "where");
  return r;
}

bool VariantResult::as_expected() const {
  if (!problems.empty() || runs == 0) return false;
  if (variant != Variant::buggy) return failing_runs == 0 && findings.empty();
  bool caught = false;
  for (const auto& [verdict, n] : verdicts) {
    if (verdict == Verdict::clean || n == 0) continue;
    if (!listed(expected, verdict)) return false;
    caught = true;
  }
  return caught;
}

bool Summary::ok() const {
  return !results.empty() &&
         std::all_of(results.begin(), results.end(), [](const auto& r) { return r.as_expected(); });
}

VariantCollector::VariantCollector(VariantResult result, std::string rerun_prefix)
    : result_(std::move(result)), rerun_prefix_(std::move(rerun_prefix)) {}

void VariantCollector::add_run(const RunRecord& record) {
  ++result_.runs;
  ++result_.verdicts[record.verdict];
  ++result_.verdicts_by_strategy[record.strategy][record.verdict];
  if (record.verdict == Verdict::clean) return;
  ++result_.failing_runs;
  const std::string where = record.where.empty() ? where_of_detail(record.detail) : record.where;
  const std::string sig = verdict_signature(record.verdict, result_.case_id, where);
  auto [at, inserted] = verdict_group_of_.try_emplace(sig, result_.verdict_groups.size());
  if (inserted)
    result_.verdict_groups.push_back(VerdictGroup{.verdict = record.verdict,
                                                  .where = where,
                                                  .signature = sig,
                                                  .detail = record.detail,
                                                  .count = 0,
                                                  .first_run = record.index,
                                                  .first_seed = record.seed});
  VerdictGroup& group = result_.verdict_groups[at->second];
  ++group.count;
  if (record.index < group.first_run) {
    group.first_run = record.index;
    group.first_seed = record.seed;
    group.detail = record.detail;
  }
  if (!result_.first_failure || record.index < result_.first_failure->run)
    result_.first_failure = FirstFailure{
        .run = record.index,
        .seed = record.seed,
        .verdict = record.verdict,
        .detail = record.detail,
        .command = fmt::format("{} --strategy {} --run-seed {}", rerun_prefix_, record.strategy,
                               record.seed),
    };
}

void VariantCollector::add_log(const TsanLog& log, std::span<const RunRecord> runs,
                               bool cut_short) {
  for (const std::string& fatal : log.fatal_errors)
    add_problem("ThreadSanitizer failed: " + fatal);
  const bool last_truncated = !log.findings.empty() && log.findings.back().truncated;
  for (std::size_t i = 0; i < log.warnings.size(); ++i) {
    const bool expected_cut = cut_short && last_truncated && i + 1 == log.warnings.size();
    if (!expected_cut) add_problem("TSan log: " + log.warnings[i]);
  }
  for (std::size_t n = 0; n < log.findings.size(); ++n) {
    const Finding& finding = log.findings[n];
    // Runs come in order, so their report ranges do too.
    auto after = std::upper_bound(runs.begin(), runs.end(), n,
                                  [](std::size_t k, const RunRecord& r) { return k < r.tsan_first; });
    const RunRecord* owner = nullptr;
    if (after != runs.begin() && n < std::prev(after)->tsan_first + std::prev(after)->tsan_count)
      owner = &*std::prev(after);
    std::string sig = signature(finding);
    auto [it, inserted] = group_of_.try_emplace(sig, result_.findings.size());
    if (inserted) {
      result_.findings.emplace_back();
      result_.findings.back().signature = sig;
      result_.findings.back().example = finding;
    }
    FindingGroup& group = result_.findings[it->second];
    ++group.count;
    if (owner != nullptr && (!group.first_run || owner->index < *group.first_run)) {
      group.first_run = owner->index;
      group.first_seed = owner->seed;
    }
  }
}

void VariantCollector::add_problem(std::string problem) {
  result_.problems.push_back(std::move(problem));
}

void VariantCollector::add_note(std::string note) { result_.notes.push_back(std::move(note)); }

void VariantCollector::add_process(bool tsan_seen, bool tsan_assumed) {
  ++result_.evidence.processes;
  if (tsan_seen)
    ++result_.evidence.tsan_seen;
  else if (tsan_assumed)
    ++result_.evidence.tsan_assumed;
}

VariantResult VariantCollector::finish(double seconds) {
  VariantResult result = result_;
  result.seconds = seconds;
  // Most frequent first; ties keep the order they were first seen in.
  sort_groups(result);
  return result;
}

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
                        {"first_run", g.first_run ? nlohmann::json(*g.first_run) : nullptr},
                        {"first_seed", g.first_seed ? nlohmann::json(*g.first_seed) : nullptr},
                        {"headline", g.example.headline},
                        {"summary", g.example.summary},
                        {"location", g.example.location},
                        {"top_frames", top_frames(g.example)},
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
  Reader g(j, where, {"kind", "signature", "count", "first_run", "first_seed", "headline", "summary",
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
                              "expected", "runs", "failing_runs", "verdicts", "verdicts_by_strategy",
                              "as_expected", "first_failure", "findings", "verdict_groups",
                              "evidence", "notes", "problems", "seconds"});
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
    const Reader ff(f, where + " first_failure", {"run", "seed", "verdict", "detail", "command"});
    r.first_failure = FirstFailure{.run = ff.count("run"),
                                   .seed = ff.u64("seed"),
                                   .verdict = ff.verdict(ff.at("verdict"), "its verdict"),
                                   .detail = ff.text("detail"),
                                   .command = ff.text("command")};
  }
  std::size_t k = 0;
  for (const auto& g : res.array("findings")) {
    const std::string what = fmt::format("{} finding {}", where, k++);
    const Reader fg(g, what, {"kind", "signature", "count", "first_run", "first_seed", "headline",
                              "summary", "location", "top_frames", "stacks"});
    FindingGroup group;
    group.signature = fg.text("signature");
    group.example = finding_from_json(g, what);
    group.count = fg.count("count");
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
          version != j.end() && *version == 1
              ? ": version 1 carries no evidence that TSan ran; run the command again"
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

VariantResult merge(const std::vector<VariantResult>& shards) {
  if (shards.empty()) throw std::invalid_argument("nothing to merge");
  // In run order, so the ranges can be checked to join and the first failure
  // and findings are met lowest run first.
  std::vector<const VariantResult*> parts;
  for (const VariantResult& part : shards) parts.push_back(&part);
  std::sort(parts.begin(), parts.end(), [](const auto* a, const auto* b) {
    return a->shard_index < b->shard_index;
  });
  const VariantResult& first = *parts.front();
  const std::string what = fmt::format("{} {}", first.case_id, to_string(first.variant));
  for (const VariantResult* part : parts) {
    if (part->case_id != first.case_id || part->variant != first.variant ||
        part->strategy != first.strategy || part->seed != first.seed)
      throw std::invalid_argument(fmt::format(
          "{}: the summaries are not shards of one campaign (strategy {} vs {}, seed {} vs {})",
          what, part->strategy, first.strategy, part->seed, first.seed));
    if (part->shard_count != first.shard_count)
      throw std::invalid_argument(
          fmt::format("{}: the summaries are not shards of one campaign (shards of {} and of {})",
                      what, first.shard_count, part->shard_count));
  }
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const int index = parts[k]->shard_index;
    if (k > 0 && parts[k - 1]->shard_index == index)
      throw std::invalid_argument(
          fmt::format("{}: shard {} of {} is given twice", what, index, first.shard_count));
    if (index != static_cast<int>(k))
      throw std::invalid_argument(fmt::format("{}: shard {} of {} is missing", what,
                                              static_cast<int>(k), first.shard_count));
  }
  if (static_cast<int>(parts.size()) != first.shard_count)
    throw std::invalid_argument(fmt::format("{}: shard {} of {} is missing", what,
                                            static_cast<int>(parts.size()), first.shard_count));
  const bool ranges_known = std::all_of(parts.begin(), parts.end(), [](const auto* p) {
    return p->range_from != 0 || p->range_to != 0 || p->shard_count == 1;
  });
  for (std::size_t k = 1; ranges_known && k < parts.size(); ++k)
    if (parts[k - 1]->range_to != parts[k]->range_from)
      throw std::invalid_argument(fmt::format(
          "{}: the summaries are not shards of one campaign (run ranges [{}, {}) and [{}, {}) "
          "do not join: different --runs?)",
          what, parts[k - 1]->range_from, parts[k - 1]->range_to, parts[k]->range_from,
          parts[k]->range_to));

  VariantResult merged = first;
  merged.runs = 0;
  merged.failing_runs = 0;
  merged.verdicts.clear();
  merged.verdicts_by_strategy.clear();
  merged.first_failure.reset();
  merged.findings.clear();
  merged.verdict_groups.clear();
  merged.evidence = {};
  merged.problems.clear();
  merged.notes.clear();
  merged.seconds = 0;
  merged.shard_index = 0;
  merged.shard_count = 1;
  merged.range_from = parts.front()->range_from;
  merged.range_to = parts.back()->range_to;
  std::map<std::string, std::size_t> group_of;
  std::map<std::string, std::size_t> verdict_group_of;
  for (const VariantResult* part : parts) {
    merged.evidence.processes += part->evidence.processes;
    merged.evidence.tsan_seen += part->evidence.tsan_seen;
    merged.evidence.tsan_assumed += part->evidence.tsan_assumed;
    for (const VerdictGroup& g : part->verdict_groups) {
      auto [it, inserted] = verdict_group_of.try_emplace(g.signature, merged.verdict_groups.size());
      if (inserted) {
        merged.verdict_groups.push_back(g);
        continue;
      }
      VerdictGroup& into = merged.verdict_groups[it->second];
      into.count += g.count;
      if (g.first_run < into.first_run) {
        into.first_run = g.first_run;
        into.first_seed = g.first_seed;
        into.detail = g.detail;
      }
    }
    merged.runs += part->runs;
    merged.failing_runs += part->failing_runs;
    for (const auto& [verdict, n] : part->verdicts) merged.verdicts[verdict] += n;
    for (const auto& [strategy, counts] : part->verdicts_by_strategy)
      for (const auto& [verdict, n] : counts) merged.verdicts_by_strategy[strategy][verdict] += n;
    if (part->first_failure &&
        (!merged.first_failure || part->first_failure->run < merged.first_failure->run))
      merged.first_failure = part->first_failure;
    for (const FindingGroup& g : part->findings) {
      auto [it, inserted] = group_of.try_emplace(g.signature, merged.findings.size());
      if (inserted) {
        merged.findings.push_back(g);
        continue;
      }
      FindingGroup& into = merged.findings[it->second];
      into.count += g.count;
      if (g.first_run && (!into.first_run || *g.first_run < *into.first_run)) {
        into.first_run = g.first_run;
        into.first_seed = g.first_seed;
      }
    }
    merged.problems.insert(merged.problems.end(), part->problems.begin(), part->problems.end());
    merged.notes.insert(merged.notes.end(), part->notes.begin(), part->notes.end());
    merged.seconds += part->seconds;
  }
  sort_groups(merged);
  return merged;
}

std::vector<std::string> check(const Summary& s) {
  std::vector<std::string> errors;
  if (s.results.empty()) errors.push_back("the summary holds no result: nothing ran");
  const bool tsan = s.build.sanitizer == "thread";
  for (std::size_t i = 0; i < s.results.size(); ++i) {
    const VariantResult& r = s.results[i];
    const std::string name = fmt::format("{} {}", r.case_id, to_string(r.variant));
    auto error = [&](const std::string& text) { errors.push_back(name + ": " + text); };
    if (r.runs == 0) error("no run executed");
    std::int64_t total = 0;
    for (const auto& [verdict, n] : r.verdicts) total += n;
    if (total != r.runs)
      error(fmt::format("the verdict counts add up to {} runs, not the {} it says", total, r.runs));
    const std::int64_t clean = r.verdicts.contains(Verdict::clean) ? r.verdicts.at(Verdict::clean) : 0;
    if (r.failing_runs != r.runs - clean)
      error(fmt::format("{} failing runs, but {} of {} runs were not clean", r.failing_runs,
                        r.runs - clean, r.runs));
    if (!r.verdicts_by_strategy.empty()) {
      std::map<Verdict, std::int64_t> sums;
      for (const auto& [strategy, counts] : r.verdicts_by_strategy)
        for (const auto& [verdict, n] : counts) sums[verdict] += n;
      std::erase_if(sums, [](const auto& e) { return e.second == 0; });
      std::map<Verdict, std::int64_t> counted = r.verdicts;
      std::erase_if(counted, [](const auto& e) { return e.second == 0; });
      if (sums != counted) error("the verdicts by strategy do not add up to the verdicts");
    }
    if (r.failing_runs > 0 && !r.first_failure) error("runs failed, but there is no first failure");
    if (r.failing_runs == 0 && r.first_failure) error("a first failure, but no run failed");
    if (r.first_failure) {
      const FirstFailure& f = *r.first_failure;
      if (f.verdict == Verdict::clean || !r.verdicts.contains(f.verdict) || r.verdicts.at(f.verdict) == 0)
        error(fmt::format("the first failure's verdict {} is not among the verdicts", to_string(f.verdict)));
      if (f.detail.empty()) error("the first failure says nothing of what happened");
    }
    const auto races = r.verdicts.contains(Verdict::data_race) ? r.verdicts.at(Verdict::data_race) : 0;
    if (races > 0 && r.findings.empty())
      error(fmt::format("{} runs ended in data_race, but there is no TSan finding", races));
    for (const FindingGroup& g : r.findings) {
      if (g.count < 1) error(fmt::format("a TSan finding counted {} times", g.count));
      if (g.signature != signature(g.example))
        error(fmt::format("the TSan finding {} does not have the signature of its stacks", g.signature));
    }
    std::map<Verdict, std::int64_t> grouped;
    for (const VerdictGroup& g : r.verdict_groups) {
      grouped[g.verdict] += g.count;
      if (g.count < 1 || g.verdict == Verdict::clean)
        error(fmt::format("a verdict group {} of {} runs", to_string(g.verdict), g.count));
      if (g.signature != verdict_signature(g.verdict, r.case_id, g.where))
        error(fmt::format("the verdict group {} does not have the signature of its verdict and place",
                          g.signature));
      if (g.detail.empty()) error(fmt::format("the verdict group {} says nothing of what happened", g.signature));
    }
    for (const auto& [verdict, n] : r.verdicts) {
      if (verdict == Verdict::clean) continue;
      const std::int64_t in_groups = grouped.contains(verdict) ? grouped.at(verdict) : 0;
      if (in_groups != n)
        error(fmt::format("{} runs ended in {}, but its verdict groups count {}", n, to_string(verdict), in_groups));
    }
    for (const auto& [verdict, n] : grouped)
      if (!r.verdicts.contains(verdict))
        error(fmt::format("verdict groups of {}, which no run ended in", to_string(verdict)));
    if (r.verdicts.contains(Verdict::infra_error) && r.verdicts.at(Verdict::infra_error) > 0)
      error(fmt::format("{} runs could not be run (infra_error)", r.verdicts.at(Verdict::infra_error)));
    if (r.shard_count < 1 || r.shard_index >= r.shard_count)
      error(fmt::format("shard {} of {} is not a shard", r.shard_index, r.shard_count));
    if (r.range_to < r.range_from)
      error(fmt::format("the run range [{}, {}) is backwards", r.range_from, r.range_to));
    else if ((r.range_from != 0 || r.range_to != 0) && r.runs > r.range_to - r.range_from)
      error(fmt::format("{} runs in a range of {}", r.runs, r.range_to - r.range_from));
    const Evidence& e = r.evidence;
    if (e.tsan_seen + e.tsan_assumed > e.processes)
      error(fmt::format("TSan seen in {} of {} processes", e.tsan_seen + e.tsan_assumed, e.processes));
    if (tsan && r.runs > 0 && e.processes == 0)
      error("no process is known to have run: nothing proves that ThreadSanitizer ran");
    else if (tsan && e.tsan_seen + e.tsan_assumed < e.processes)
      error(fmt::format("the ThreadSanitizer runtime was not seen in {} of the {} processes that ran",
                        e.processes - e.tsan_seen - e.tsan_assumed, e.processes));
    if (i < s.stated_as_expected.size() && s.stated_as_expected[i] != r.as_expected())
      error(fmt::format("it says as_expected {}, but its counts say {}", s.stated_as_expected[i],
                        r.as_expected()));
  }
  if (s.stated_ok && *s.stated_ok != s.ok())
    errors.push_back(fmt::format("the summary says ok {}, but its results say {}", *s.stated_ok, s.ok()));
  return errors;
}

std::string to_markdown(const Summary& s) {
  std::string md = "# racelab summary\n\n";
  md += fmt::format("Created {} · build: {} sanitizer, {} · **{}**\n\n", s.created,
                    s.build.sanitizer, s.build.compiler,
                    s.ok() ? "everything as expected" : "NOT everything as expected");
  if (s.build.sanitizer != "thread")
    md += "> This build is not instrumented with ThreadSanitizer: data races are found only "
          "through the cases' invariants.\n\n";
  md += "| case | variant | runs | failing | verdicts | expected | as expected |\n";
  md += "|---|---|---:|---:|---|---|---|\n";
  for (const VariantResult& r : s.results)
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", r.case_id, to_string(r.variant),
                      r.runs, r.failing_runs, verdict_counts(r), expected_text(r),
                      r.as_expected() ? "yes" : "**no**");
  for (const VariantResult& r : s.results) {
    md += fmt::format("\n## {} — {}\n\n", r.case_id, to_string(r.variant));
    md += fmt::format("{} · strategy `{}`, campaign seed {} · {:.1f} s\n\n", r.title, r.strategy,
                      r.seed, r.seconds);
    for (const std::string& p : r.problems) md += fmt::format("- **problem:** {}\n", p);
    for (const std::string& n : r.notes) md += fmt::format("- note: {}\n", n);
    if (r.first_failure) {
      const FirstFailure& f = *r.first_failure;
      md += fmt::format("First failure: run {} (seed {}), `{}`: {}\n\n", f.run, f.seed,
                        to_string(f.verdict), f.detail);
      md += fmt::format("Re-run it:\n\n```sh\n{}\n```\n\n", f.command);
    }
    if (!r.findings.empty()) {
      md += "| TSan finding | count | first run | where |\n|---|---:|---:|---|\n";
      for (const FindingGroup& g : r.findings) {
        std::string where;
        for (const std::string& frame : top_frames(g.example))
          where += fmt::format("{}`{}`", where.empty() ? "" : "<br>", frame);
        md += fmt::format("| {} | {} | {} | {} |\n", g.example.kind, g.count,
                          g.first_run ? std::to_string(*g.first_run) : "at exit", where);
      }
    }
    if (!r.verdict_groups.empty()) {
      md += "\n| verdict | runs | first run | what and where |\n|---|---:|---:|---|\n";
      for (const VerdictGroup& g : r.verdict_groups)
        md += fmt::format("| {} | {} | {} | {} |\n", to_string(g.verdict), g.count, g.first_run,
                          g.where);
    }
    md += fmt::format("\nEvidence: {} processes, ThreadSanitizer seen in {}{}.\n", r.evidence.processes,
                      r.evidence.tsan_seen,
                      r.evidence.tsan_assumed > 0
                          ? fmt::format(", assumed in {} (logs without TSan output)", r.evidence.tsan_assumed)
                          : "");
  }
  return md;
}

std::string to_console(const VariantResult& r) {
  std::string text = fmt::format("{} {}: {} runs, {} failing ({}) — {}\n", r.case_id,
                                 to_string(r.variant), r.runs, r.failing_runs, verdict_counts(r),
                                 r.as_expected() ? "as expected"
                                                 : "NOT as expected (expected: " +
                                                       expected_text(r) + ")");
  for (const std::string& p : r.problems) text += fmt::format("  problem: {}\n", p);
  for (const std::string& n : r.notes) text += fmt::format("  note: {}\n", n);
  if (r.first_failure) {
    const FirstFailure& f = *r.first_failure;
    text += fmt::format("  first failure: run {} (seed {}): {}: {}\n", f.run, f.seed,
                        to_string(f.verdict), f.detail);
    text += fmt::format("  re-run it: {}\n", f.command);
  }
  for (const FindingGroup& g : r.findings) {
    text += fmt::format("  TSan {} ×{}", g.example.kind, g.count);
    std::vector<std::string> frames = top_frames(g.example);
    for (std::size_t i = 0; i < frames.size(); ++i)
      text += fmt::format("{}{}", i == 0 ? ": " : "  |  ", frames[i]);
    text += "\n";
  }
  return text;
}

}  // namespace racelab::report
