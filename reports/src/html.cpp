// summary.html: one self-contained page (render.h); its style and script
// are in html_assets.cpp. Over 400 lines because the page is one class: its
// sections share the writer, the sources shown and the anchors between them.
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>

#include <fmt/format.h>

#include "html_assets.h"
#include "racelab/report/render.h"

namespace racelab::report {

namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxChartRows = 400;   // the table lists every result
constexpr int kSnippetContext = 3;           // lines either side
constexpr int kSnippetsPerStack = 3;         // user frames with source shown
constexpr std::uintmax_t kMaxSourceBytes = 4u << 20;

std::string esc(std::string_view s) { return xml_escape(s, false); }

const char* colour(Verdict v) {
  switch (v) {
    case Verdict::clean: return "#8cc68c";
    case Verdict::invariant_violated: return "#e69f00";
    case Verdict::data_race: return "#d55e00";
    case Verdict::lock_order_inversion: return "#cc79a7";
    case Verdict::deadlock: return "#7b2d26";
    case Verdict::self_deadlock: return "#a0522d";
    case Verdict::livelock: return "#d4c400";
    case Verdict::hang: return "#0072b2";
    case Verdict::crash: return "#333333";
    case Verdict::exception_lost: return "#56b4e9";
    case Verdict::thread_leak: return "#009e73";
    case Verdict::mutex_misuse: return "#8e6c8a";
    case Verdict::process_leak: return "#5d4037";
    case Verdict::infra_error: return "#999999";
    case Verdict::use_after_free: return "#b2182b";
  }
  return "#999999";
}

std::string shorten(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return s.substr(0, cut) + "…";
}

// Source files, read once each.
class Sources {
 public:
  explicit Sources(std::string root) : root_(std::move(root)) {}

  /// The lines of `file` (absolute, or relative to the root); null when unreadable.
  const std::vector<std::string>* lines(const std::string& file) {
    if (file.empty()) return nullptr;
    fs::path path(file);
    if (path.is_relative()) {
      if (root_.empty()) return nullptr;
      path = fs::path(root_) / path;
    }
    auto [it, inserted] = cache_.try_emplace(path.string());
    if (inserted) it->second = read(path);
    return it->second.get();
  }

 private:
  static std::unique_ptr<std::vector<std::string>> read(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > kMaxSourceBytes || ec)
      return nullptr;
    std::ifstream in(path, std::ios::binary);
    if (!in) return nullptr;
    auto lines = std::make_unique<std::vector<std::string>>();
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines->push_back(std::move(line));
    }
    return lines;
  }

  std::string root_;
  std::unordered_map<std::string, std::unique_ptr<std::vector<std::string>>> cache_;
};

class Page {
 public:
  Page(const Summary& s, const RenderOptions& o) : s_(s), o_(o), sources_(o.source_root) {}

  std::string render() {
    std::size_t frames = 0;
    for (const VariantResult& r : s_.results)
      for (const FindingGroup& g : r.findings)
        for (const Stack& st : g.example.stacks) frames += st.frames.size();
    out_.reserve(16384 + s_.results.size() * 1500 + frames * 400);
    head();
    header();
    out_ += "<main>\n";
    table();
    charts();
    details();
    out_ += "</main>\n";
    out_ += fmt::format("<footer><p>Written by racelab{}{}.</p></footer>\n",
                        o_.tool_version.empty() ? "" : " ", esc(o_.tool_version));
    script();
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  template <class... Args>
  void put(fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(out_), format, std::forward<Args>(args)...);
  }

  void head() {
    out_ +=
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
        "<link rel=\"icon\" href=\"data:,\">\n";
    put("<title>racelab summary — {}</title>\n", s_.ok() ? "ok" : "not ok");
    out_ += kHtmlStyle;
    out_ += "</head>\n<body>\n";
  }

  void header() {
    std::int64_t runs = 0, failing = 0, bad = 0;
    for (const VariantResult& r : s_.results) {
      runs += r.runs;
      failing += r.failing_runs;
      if (!r.as_expected()) ++bad;
    }
    const bool ok = s_.ok();
    out_ += "<header>\n";
    put("<h1>racelab summary <span class=\"badge {}\">{}</span></h1>\n", ok ? "ok" : "bad",
        ok ? "ok" : "not ok");
    if (s_.results.empty())
      out_ += "<p class=\"no\">No result at all: nothing was run.</p>\n";
    else if (ok)
      put("<p>Every one of the {} results is as expected.</p>\n", s_.results.size());
    else
      put("<p><span class=\"no\">{} of {} results are not as expected.</span></p>\n", bad,
          s_.results.size());
    out_ += "<dl class=\"build\">\n";
    put("<dt>created</dt><dd>{}</dd>\n", esc(s_.created));
    put("<dt>sanitizer</dt><dd>{}</dd>\n", esc(s_.build.sanitizer));
    put("<dt>compiler</dt><dd>{}</dd>\n", esc(s_.build.compiler));
    if (!o_.tool_version.empty()) put("<dt>racelab</dt><dd>{}</dd>\n", esc(o_.tool_version));
    put("<dt>runs</dt><dd>{} ({} failing) in {} results</dd>\n", runs, failing,
        s_.results.size());
    out_ += "</dl>\n";
    if (s_.build.sanitizer != "thread")
      out_ += "<p class=\"muted\">This build is not instrumented with ThreadSanitizer: data "
              "races are found only through the cases' invariants.</p>\n";
    out_ +=
        "<nav aria-label=\"Contents\"><ul><li><a href=\"#results\">Results</a></li>"
        "<li><a href=\"#charts\">Charts</a></li><li><a href=\"#details\">Details</a></li>"
        "</ul></nav>\n</header>\n";
  }

  void table() {
    out_ +=
        "<section id=\"results\" aria-labelledby=\"results-h\">\n"
        "<h2 id=\"results-h\">Results</h2>\n"
        "<p><label><input type=\"checkbox\" id=\"only-failing\"> Show only the results that "
        "are not as expected</label></p>\n"
        "<div class=\"table-wrap\"><table id=\"results-table\">\n"
        "<caption>One row per case and variant; select a column header to sort.</caption>\n"
        "<thead><tr>";
    const std::array<std::pair<const char*, bool>, 9> columns = {{{"case", false},
                                                                   {"variant", false},
                                                                   {"strategy", false},
                                                                   {"runs", true},
                                                                   {"failing", true},
                                                                   {"verdicts", false},
                                                                   {"expected", false},
                                                                   {"as expected?", false},
                                                                   {"seconds", true}}};
    for (const auto& [name, numeric] : columns)
      put("<th scope=\"col\"{}><button type=\"button\">{}</button></th>",
          numeric ? " class=\"num\"" : "", name);
    out_ += "</tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < s_.results.size(); ++i) {
      const VariantResult& r = s_.results[i];
      const bool ok = r.as_expected();
      put("<tr{} data-ok=\"{}\"><th scope=\"row\"><a href=\"#r-{}\">{}</a></th><td>{}</td>"
          "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>"
          "<td class=\"{}\">{}</td><td class=\"num\">{:.1f}</td></tr>\n",
          ok ? "" : " class=\"bad\"", ok ? "yes" : "no", i, esc(r.case_id), to_string(r.variant),
          esc(r.strategy), r.runs, r.failing_runs, esc(counts_text(r.verdicts)),
          esc(expected_text(r.expected)), ok ? "yes" : "no",
          ok ? "yes" : (r.problems.empty() ? "no" : "no (problem)"), r.seconds);
    }
    out_ += "</tbody>\n</table></div>\n</section>\n";
  }

  void legend(const std::vector<Verdict>& present) {
    out_ += "<div class=\"legend\" aria-hidden=\"true\">";
    for (Verdict v : present) put("<span style=\"--c: {}\">{}</span>", colour(v), to_string(v));
    out_ += "</div>\n";
  }

  void charts() {
    out_ +=
        "<section id=\"charts\" aria-labelledby=\"charts-h\">\n<h2 id=\"charts-h\">Charts</h2>\n";
    verdict_chart();
    detection_chart();
    out_ += "</section>\n";
  }

  // (a) Verdicts per case and strategy: one stacked bar per case × variant ×
  // strategy, each the share of that row's runs.
  void verdict_chart() {
    struct Row {
      std::string label;
      const std::map<Verdict, std::int64_t>* counts;
    };
    std::vector<Row> rows;
    std::size_t total_rows = 0;
    for (const VariantResult& r : s_.results) {
      auto add = [&](const std::string& strategy, const std::map<Verdict, std::int64_t>& c) {
        ++total_rows;
        if (rows.size() < kMaxChartRows)
          rows.push_back({fmt::format("{} {} · {}", r.case_id, to_string(r.variant), strategy), &c});
      };
      if (r.verdicts_by_strategy.empty()) {
        add(r.strategy, r.verdicts);
      } else {
        for (const auto& [strategy, counts] : r.verdicts_by_strategy) add(strategy, counts);
      }
    }
    out_ += "<figure>\n<figcaption id=\"chart-verdicts-h\">Verdicts per case and strategy"
            "</figcaption>\n";
    if (rows.empty()) {
      out_ += "<p>No runs.</p>\n</figure>\n";
      return;
    }
    std::vector<Verdict> present;
    for (Verdict v : kAllVerdicts)
      if (std::any_of(rows.begin(), rows.end(), [&](const Row& row) {
            auto it = row.counts->find(v);
            return it != row.counts->end() && it->second > 0;
          }))
        present.push_back(v);
    legend(present);
    constexpr int label_width = 300, bar_width = 480, right = 110, row_height = 20, bar = 14;
    const int width = label_width + bar_width + right;
    const int height = static_cast<int>(rows.size()) * row_height + 4;
    put("<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-verdicts-t chart-verdicts-d\" "
        "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n",
        width, height, width, height);
    out_ += "<title id=\"chart-verdicts-t\">Verdicts per case and strategy</title>\n";
    out_ += "<desc id=\"chart-verdicts-d\">One stacked bar per case, variant and strategy: the "
            "share of its runs that ended in each verdict.</desc>\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& row = rows[i];
      const int y = static_cast<int>(i) * row_height + 2;
      std::int64_t total = 0;
      for (const auto& [v, n] : *row.counts) total += std::max<std::int64_t>(n, 0);
      put("<g><title>{}: {}</title>\n", esc(row.label), esc(counts_text(*row.counts)));
      put("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_width - 8, y + 11,
          esc(shorten(row.label, 48)));
      double x = label_width;
      for (Verdict v : kAllVerdicts) {
        auto it = row.counts->find(v);
        if (it == row.counts->end() || it->second <= 0 || total == 0) continue;
        const double w = static_cast<double>(it->second) / static_cast<double>(total) * bar_width;
        put("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\">"
            "<title>{}: {} of {} runs ({:.1f}%)</title></rect>\n",
            x, y, std::max(w, 0.5), bar, colour(v), to_string(v), it->second, total,
            100.0 * static_cast<double>(it->second) / static_cast<double>(total));
        x += w;
      }
      put("<text x=\"{}\" y=\"{}\">{} run{}</text>\n</g>\n", label_width + bar_width + 6, y + 11,
          total, total == 1 ? "" : "s");
    }
    out_ += "</svg>\n";
    if (total_rows > rows.size())
      put("<p class=\"muted\">The first {} of {} rows; the table lists every result.</p>\n",
          rows.size(), total_rows);
    out_ += "</figure>\n";
  }

  // (b) Runs to first detection per buggy variant: first_failure.run + 1.
  void detection_chart() {
    std::vector<const VariantResult*> buggy;
    std::size_t total = 0;
    std::int64_t longest = 1;
    for (const VariantResult& r : s_.results) {
      if (r.variant != Variant::buggy) continue;
      ++total;
      if (buggy.size() < kMaxChartRows) buggy.push_back(&r);
      if (r.first_failure) longest = std::max(longest, r.first_failure->run + 1);
    }
    out_ += "<figure>\n<figcaption>Runs to first detection, per buggy variant</figcaption>\n";
    if (buggy.empty()) {
      out_ += "<p>No buggy variant in this summary.</p>\n</figure>\n";
      return;
    }
    constexpr int label_width = 300, bar_width = 480, right = 180, row_height = 20, bar = 14;
    const int width = label_width + bar_width + right;
    const int height = static_cast<int>(buggy.size()) * row_height + 4;
    put("<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-first-t chart-first-d\" "
        "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\">\n",
        width, height, width, height);
    out_ += "<title id=\"chart-first-t\">Runs to first detection, per buggy variant</title>\n";
    put("<desc id=\"chart-first-d\">For each buggy variant, how many runs it took until the "
        "first failing run (its index plus one); the longest bar is {} runs. Variants never "
        "caught are marked not caught.</desc>\n",
        longest);
    for (std::size_t i = 0; i < buggy.size(); ++i) {
      const VariantResult& r = *buggy[i];
      const int y = static_cast<int>(i) * row_height + 2;
      put("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n", label_width - 8, y + 11,
          esc(shorten(r.case_id, 48)));
      if (!r.first_failure) {
        put("<g><title>{}: not caught in {} runs</title><text class=\"miss\" x=\"{}\" y=\"{}\">"
            "not caught ({} runs)</text></g>\n",
            esc(r.case_id), r.runs, label_width, y + 11, r.runs);
        continue;
      }
      const std::int64_t n = r.first_failure->run + 1;
      const double w = std::max(2.0, static_cast<double>(n) / static_cast<double>(longest) *
                                          bar_width);
      put("<g><title>{}: first {} in run {} of {} (seed {})</title>"
          "<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"{}\"/>"
          "<text x=\"{:.1f}\" y=\"{}\">{} run{}</text></g>\n",
          esc(r.case_id), to_string(r.first_failure->verdict), n, r.runs, r.first_failure->seed,
          label_width, y, w, bar, colour(r.first_failure->verdict), label_width + w + 6, y + 11,
          n, n == 1 ? "" : "s");
    }
    out_ += "</svg>\n";
    if (total > buggy.size())
      put("<p class=\"muted\">The first {} of {} buggy variants.</p>\n", buggy.size(), total);
    out_ += "</figure>\n";
  }

  void details() {
    out_ += "<section id=\"details\" aria-labelledby=\"details-h\">\n"
            "<h2 id=\"details-h\">Details</h2>\n";
    for (std::size_t i = 0; i < s_.results.size(); ++i) result(i, s_.results[i]);
    out_ += "</section>\n";
  }

  void result(std::size_t i, const VariantResult& r) {
    const bool ok = r.as_expected();
    put("<article class=\"result{}\" id=\"r-{}\">\n", ok ? "" : " bad", i);
    put("<h3>{} — {} <span class=\"{}\">{}</span></h3>\n", esc(r.case_id), to_string(r.variant),
        ok ? "yes" : "no", ok ? "as expected" : "NOT as expected");
    std::string about = r.title;
    if (!r.bug_class.empty()) about += (about.empty() ? "" : " · ") + r.bug_class;
    put("<p>{}{}strategy <code>{}</code>, campaign seed {} · {} runs, {} failing · {:.1f} s</p>\n",
        esc(about), about.empty() ? "" : " · ", esc(r.strategy), r.seed, r.runs, r.failing_runs,
        r.seconds);
    put("<p>Verdicts: {}. Expected: {}.</p>\n", esc(counts_text(r.verdicts)),
        esc(expected_text(r.expected)));
    if (!r.verdicts_by_strategy.empty()) {
      out_ += "<ul>";
      for (const auto& [strategy, counts] : r.verdicts_by_strategy)
        put("<li>with <code>{}</code>: {}</li>", esc(strategy), esc(counts_text(counts)));
      out_ += "</ul>\n";
    }
    put("<p>Evidence: {} process{}, ThreadSanitizer seen in {}{}.</p>\n", r.evidence.processes,
        r.evidence.processes == 1 ? "" : "es", r.evidence.tsan_seen,
        r.evidence.tsan_assumed > 0 ? fmt::format(", assumed in {} (logs without TSan output)", r.evidence.tsan_assumed)
                                    : "");
    if (r.verdict_groups.size() > 1) {
      out_ += "<ul>";
      for (const VerdictGroup& g : r.verdict_groups)
        put("<li><code>{}</code> ×{}: {}</li>", to_string(g.verdict), g.count, esc(g.where));
      out_ += "</ul>\n";
    }
    for (const std::string& n : r.notes) put("<p>Note: {}</p>\n", esc(n));
    if (r.perturbation) put("<p>Perturbation: {}</p>\n", esc(to_text(*r.perturbation)));
    if (!r.problems.empty()) {
      out_ += "<h4>Problems</h4>\n<ul class=\"problems\">\n";
      for (const std::string& p : r.problems) put("<li>{}</li>\n", esc(p));
      out_ += "</ul>\n";
    }
    if (r.first_failure) {
      const FirstFailure& f = *r.first_failure;
      put("<h4>First failure: run {} (seed {}), {}</h4>\n", f.run, f.seed, to_string(f.verdict));
      if (!f.detail.empty()) put("<pre class=\"wrap\">{}</pre>\n", esc(f.detail));
      put("<p>Re-run it:</p>\n<pre class=\"wrap\"><code>{}</code></pre>\n", esc(f.command));
      if (const std::string replay = replay_text(f); !replay.empty()) put("<p>It {}.</p>\n", esc(replay));
    }
    for (const FindingGroup& g : r.findings) finding(g, r.runtime_frames);
    out_ += "</article>\n";
  }

  void finding(const FindingGroup& g, const FrameFilter& runtime) {
    put("<h4>ThreadSanitizer: {} <span class=\"muted\">in {} run{} ({} report{}), first {}</span></h4>\n",
        esc(g.example.kind), g.count, g.count == 1 ? "" : "s", g.reports, g.reports == 1 ? "" : "s",
        g.first_run ? fmt::format("in run {} (seed {})", *g.first_run, g.first_seed.value_or(0))
                    : std::string("at exit"));
    if (!g.example.headline.empty()) put("<p>{}</p>\n", esc(g.example.headline));
    if (!g.example.location.empty()) put("<p>{}</p>\n", esc(g.example.location));
    put("<p class=\"muted\">Signature: <code>{}</code></p>\n", esc(g.signature));
    const std::vector<const Stack*> access = access_stacks(g.example);
    out_ += "<div class=\"stacks\">\n";
    for (const Stack* s : access) stack(*s, runtime);
    out_ += "</div>\n";
    std::vector<const Stack*> others;
    for (const Stack& s : g.example.stacks)
      if (std::find(access.begin(), access.end(), &s) == access.end()) others.push_back(&s);
    if (!others.empty()) {
      put("<details><summary>Where the threads and mutexes were created, the memory allocated "
          "({})</summary>\n<div class=\"stacks\">\n",
          others.size());
      for (const Stack* s : others) stack(*s, runtime);
      out_ += "</div>\n</details>\n";
    }
  }

  void stack(const Stack& s, const FrameFilter& runtime) {
    out_ += "<div class=\"stack\"><h5>";
    append_xml_escaped(out_, s.title.empty() ? "The report's stack" : s.title);
    out_ += "</h5>\n<ol class=\"frames\">\n";
    const std::vector<Frame> user = user_frames(s, runtime);
    int snippets = 0;
    for (const Frame& f : s.frames) {
      const bool is_user = std::any_of(user.begin(), user.end(),
                                       [&](const Frame& u) { return u.index == f.index; });
      out_ += is_user ? "<li class=\"frame user\"><span class=\"idx\">#"
                      : "<li class=\"frame lib\"><span class=\"idx\">#";
      out_ += std::to_string(f.index);
      out_ += "</span> <span class=\"fn\">";
      append_xml_escaped(out_, f.function.empty() ? std::string_view("??") : f.function);
      out_ += "</span> <span class=\"at\">";
      if (!f.file.empty()) {
        append_xml_escaped(out_, shown_path(f.file));
        if (f.line > 0) (out_ += ':') += std::to_string(f.line);
        if (f.column > 0) (out_ += ':') += std::to_string(f.column);
      } else {
        append_xml_escaped(out_, f.module);
      }
      out_ += "</span>";
      if (is_user && f.line > 0 && snippets < kSnippetsPerStack)
        if (const auto* lines = sources_.lines(f.file)) {
          snippet(f, *lines, snippets == 0);
          ++snippets;
        }
      out_ += "</li>\n";
    }
    out_ += "</ol></div>\n";
  }

  // A frame's file as shown: relative to the repository when under it.
  const std::string& shown_path(const std::string& file) {
    auto [it, inserted] = shown_.try_emplace(file);
    if (inserted) it->second = in_repository(file, o_.source_root).value_or(file);
    return it->second;
  }

  void snippet(const Frame& f, const std::vector<std::string>& lines, bool open) {
    const int count = static_cast<int>(lines.size());
    if (f.line > count) return;
    const int from = std::max(1, f.line - kSnippetContext);
    const int to = std::min(count, f.line + kSnippetContext);
    out_ += open ? "<details class=\"snippet\" open><summary>source</summary><pre>"
                 : "<details class=\"snippet\"><summary>source</summary><pre>";
    for (int n = from; n <= to; ++n) {
      out_ += n == f.line ? "<span class=\"l hit\"><span class=\"n\">"
                          : "<span class=\"l\"><span class=\"n\">";
      out_ += std::to_string(n);
      out_ += "</span>";
      append_xml_escaped(out_, lines[static_cast<std::size_t>(n - 1)]);
      out_ += "</span>";
    }
    out_ += "</pre></details>";
  }

  // Sorting by column and the "only failing" filter; the page works without it.
  void script() {
    out_ += kHtmlScript;
  }

  const Summary& s_;
  const RenderOptions& o_;
  Sources sources_;
  std::unordered_map<std::string, std::string> shown_;
  std::string out_;
};

}  // namespace

std::string to_html(const Summary& summary, const RenderOptions& options) {
  return Page(summary, options).render();
}

}  // namespace racelab::report
