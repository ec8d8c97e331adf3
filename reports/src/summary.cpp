#include "racelab/report/summary.h"

#include <algorithm>
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

}  // namespace

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

VariantResult VariantCollector::finish(double seconds) {
  VariantResult result = result_;
  result.seconds = seconds;
  // Most frequent first; ties keep the order they were first seen in.
  std::sort(result.findings.begin(), result.findings.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_run < b.first_run;
  });
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
      {"problems", r.problems},
      {"seconds", r.seconds},
  };
}

nlohmann::json to_json(const Summary& s) {
  nlohmann::json results = nlohmann::json::array();
  for (const VariantResult& r : s.results) results.push_back(to_json(r));
  return {
      {"schema", "racelab.summary"},
      {"schema_version", 1},
      {"created", s.created},
      {"build", {{"sanitizer", s.build.sanitizer}, {"compiler", s.build.compiler}}},
      {"ok", s.ok()},
      {"results", results},
  };
}

namespace {

Finding finding_from_json(const nlohmann::json& j) {
  Finding f;
  f.kind = j.at("kind").get<std::string>();
  f.headline = j.value("headline", "");
  f.summary = j.value("summary", "");
  f.location = j.value("location", "");
  for (const auto& s : j.at("stacks")) {
    Stack stack;
    stack.title = s.at("title").get<std::string>();
    for (const auto& fr : s.at("frames"))
      stack.frames.push_back(Frame{.index = static_cast<int>(stack.frames.size()),
                                   .function = fr.value("function", ""),
                                   .file = fr.value("file", ""),
                                   .line = fr.value("line", 0),
                                   .column = fr.value("column", 0),
                                   .module = fr.value("module", "")});
    f.stacks.push_back(std::move(stack));
  }
  return f;
}

VariantResult result_from_json(const nlohmann::json& j) {
  VariantResult r;
  r.case_id = j.at("case").get<std::string>();
  r.title = j.value("title", "");
  r.bug_class = j.value("bug_class", "");
  auto variant = parse_variant(j.at("variant").get<std::string>());
  if (!variant) throw std::runtime_error("a result with an unknown variant");
  r.variant = *variant;
  r.strategy = j.at("strategy").get<std::string>();
  r.seed = j.at("seed").get<std::uint64_t>();
  if (j.contains("shard")) {
    r.shard_index = j.at("shard").at("index").get<int>();
    r.shard_count = j.at("shard").at("count").get<int>();
    r.range_from = j.at("shard").value("from", std::int64_t{0});
    r.range_to = j.at("shard").value("to", std::int64_t{0});
  }
  for (const auto& e : j.at("expected")) {
    auto v = parse_verdict(e.get<std::string>());
    if (!v) throw std::runtime_error("a result with an unknown expected verdict");
    r.expected.push_back(*v);
  }
  r.runs = j.at("runs").get<std::int64_t>();
  r.failing_runs = j.at("failing_runs").get<std::int64_t>();
  for (const auto& [name, n] : j.at("verdicts").items()) {
    auto v = parse_verdict(name);
    if (!v) throw std::runtime_error("a result with an unknown verdict: " + name);
    r.verdicts[*v] = n.get<std::int64_t>();
  }
  if (auto it = j.find("verdicts_by_strategy"); it != j.end())  // optional: newer summaries
    for (const auto& [strategy, counts] : it->items())
      for (const auto& [name, n] : counts.items()) {
        auto v = parse_verdict(name);
        if (!v) throw std::runtime_error("a result with an unknown verdict: " + name);
        r.verdicts_by_strategy[strategy][*v] = n.get<std::int64_t>();
      }
  if (const auto& f = j.at("first_failure"); !f.is_null()) {
    auto v = parse_verdict(f.at("verdict").get<std::string>());
    if (!v) throw std::runtime_error("a first failure with an unknown verdict");
    r.first_failure = FirstFailure{.run = f.at("run").get<std::int64_t>(),
                                   .seed = f.at("seed").get<std::uint64_t>(),
                                   .verdict = *v,
                                   .detail = f.at("detail").get<std::string>(),
                                   .command = f.at("command").get<std::string>()};
  }
  for (const auto& g : j.at("findings")) {
    FindingGroup group;
    group.signature = g.at("signature").get<std::string>();
    group.example = finding_from_json(g);
    group.count = g.at("count").get<std::int64_t>();
    if (!g.at("first_run").is_null()) group.first_run = g.at("first_run").get<std::int64_t>();
    if (!g.at("first_seed").is_null()) group.first_seed = g.at("first_seed").get<std::uint64_t>();
    r.findings.push_back(std::move(group));
  }
  for (const auto& p : j.at("problems")) r.problems.push_back(p.get<std::string>());
  r.seconds = j.value("seconds", 0.0);
  return r;
}

}  // namespace

Summary summary_from_json(const nlohmann::json& j) {
  try {
    if (!j.is_object() || j.value("schema", "") != "racelab.summary")
      throw std::runtime_error("not a racelab summary (no \"schema\": \"racelab.summary\")");
    if (j.value("schema_version", 0) != 1)
      throw std::runtime_error("a racelab summary of an unknown schema version");
    Summary s;
    s.created = j.value("created", "");
    s.build = {j.at("build").value("sanitizer", ""), j.at("build").value("compiler", "")};
    for (const auto& r : j.at("results")) s.results.push_back(result_from_json(r));
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
  merged.problems.clear();
  merged.seconds = 0;
  merged.shard_index = 0;
  merged.shard_count = 1;
  merged.range_from = parts.front()->range_from;
  merged.range_to = parts.back()->range_to;
  std::map<std::string, std::size_t> group_of;
  for (const VariantResult* part : parts) {
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
    merged.seconds += part->seconds;
  }
  std::sort(merged.findings.begin(), merged.findings.end(), [](const auto& a, const auto& b) {
    return a.count != b.count ? a.count > b.count : a.first_run < b.first_run;
  });
  return merged;
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
