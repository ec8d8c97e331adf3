// summary.md and the console's lines.
#include <fmt/format.h>

#include "racelab/report/render.h"
#include "racelab/report/summary.h"

namespace racelab::report {

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
                      r.runs, r.failing_runs, counts_text(r.verdicts), expected_text(r.expected),
                      r.as_expected() ? "yes" : "**no**");
  for (const VariantResult& r : s.results) {
    md += fmt::format("\n## {} — {}\n\n", r.case_id, to_string(r.variant));
    md += fmt::format("{} · strategy `{}`, campaign seed {} · {:.1f} s\n\n", r.title, r.strategy,
                      r.seed, r.seconds);
    for (const std::string& p : r.problems) md += fmt::format("- **problem:** {}\n", p);
    for (const std::string& n : r.notes) md += fmt::format("- note: {}\n", n);
    if (r.perturbation) md += fmt::format("- perturbation: {}\n", to_text(*r.perturbation));
    if (r.first_failure) {
      const FirstFailure& f = *r.first_failure;
      md += fmt::format("First failure: run {} (seed {}), `{}`: {}\n\n", f.run, f.seed,
                        to_string(f.verdict), f.detail);
      md += fmt::format("Re-run it:\n\n```sh\n{}\n```\n\n", f.command);
      if (const std::string replay = replay_text(f); !replay.empty()) md += fmt::format("It {}.\n\n", replay);
    }
    if (!r.findings.empty()) {
      md += "| TSan finding | runs | reports | first run | where |\n|---|---:|---:|---:|---|\n";
      for (const FindingGroup& g : r.findings) {
        std::string where;
        for (const std::string& frame : top_frame_texts(g.example, r.runtime_frames))
          where += fmt::format("{}`{}`", where.empty() ? "" : "<br>", frame);
        md += fmt::format("| {} | {} | {} | {} | {} |\n", g.example.kind, g.count, g.reports,
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
  std::string text = fmt::format("{} {}: {} runs, {} failing ({}) — {} ({:.2f} s)\n", r.case_id,
                                 to_string(r.variant), r.runs, r.failing_runs, counts_text(r.verdicts),
                                 r.as_expected() ? "as expected"
                                                 : "NOT as expected (expected: " +
                                                       expected_text(r.expected) + ")",
                                 r.seconds);
  for (const std::string& p : r.problems) text += fmt::format("  problem: {}\n", p);
  for (const std::string& n : r.notes) text += fmt::format("  note: {}\n", n);
  // On the terminal only when the budget held the strategy back (the summaries always say).
  if (r.perturbation && r.perturbation->over_budget > 0)
    text += fmt::format("  perturbation: {}\n", to_text(*r.perturbation));
  if (r.first_failure) {
    const FirstFailure& f = *r.first_failure;
    text += fmt::format("  first failure: run {} (seed {}): {}: {}\n", f.run, f.seed,
                        to_string(f.verdict), f.detail);
    text += fmt::format("  re-run it: {}\n", f.command);
    if (const std::string replay = replay_text(f); !replay.empty()) text += fmt::format("  it {}\n", replay);
  }
  for (const FindingGroup& g : r.findings) {
    text += fmt::format("  TSan {} in {} run{} ({} report{})", g.example.kind, g.count, g.count == 1 ? "" : "s",
                        g.reports, g.reports == 1 ? "" : "s");
    std::vector<std::string> frames = top_frame_texts(g.example, r.runtime_frames);
    for (std::size_t i = 0; i < frames.size(); ++i)
      text += fmt::format("{}{}", i == 0 ? ": " : "  |  ", frames[i]);
    text += "\n";
  }
  return text;
}

}  // namespace racelab::report
