// junit.xml, and the text building blocks the renderers share (render.h).
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "racelab/report/render.h"

namespace racelab::report {

std::string xml_escape(std::string_view text, bool attribute) {
  std::string out;
  out.reserve(text.size() + text.size() / 16 + 16);
  append_xml_escaped(out, text, attribute);
  return out;
}

void append_xml_escaped(std::string& out, std::string_view text, bool attribute) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Plain printable ASCII goes over in one piece.
    std::size_t plain = i;
    while (plain < n) {
      const unsigned char c = static_cast<unsigned char>(text[plain]);
      if (c < 0x20 || c >= 0x7F || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'')
        break;
      ++plain;
    }
    out.append(text.data() + i, plain - i);
    i = plain;
    if (i == n) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t': out += attribute ? "&#9;" : "\t"; break;
        case '\n': out += attribute ? "&#10;" : "\n"; break;
        case '\r': out += attribute ? "&#13;" : "\r"; break;
        case 0x1B:
          // An ANSI sequence: ESC [ parameters… final byte (0x40–0x7E).
          if (i < n && text[i] == '[') {
            ++i;
            while (i < n && !(text[i] >= 0x40 && text[i] <= 0x7E)) ++i;
            if (i < n) ++i;
          }
          break;
        default: break;  // other C0 controls and DEL: not allowed, dropped
      }
      continue;
    }
    // A UTF-8 sequence: checked strictly; anything else becomes U+FFFD.
    const std::size_t length = utf8_length(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    std::uint32_t cp = c & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < length; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    // C1 controls and the two non-characters XML 1.0 excludes.
    const bool dropped = (cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
    if (!dropped) out.append(text.data() + i, length);
    i += length;
  }
}

std::size_t utf8_length(std::string_view text, std::size_t i) {
  const unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    length = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    length = 3;
    if (c == 0xE0) low = 0xA0;
    if (c == 0xED) high = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    length = 4;
    if (c == 0xF0) low = 0x90;
    if (c == 0xF4) high = 0x8F;
  }
  if (length == 0 || i + length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned char b = static_cast<unsigned char>(text[i + k]);
    if (k == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return 0;
  }
  return length;
}

std::string variant_phrase(Variant variant) {
  return variant == Variant::program ? "program" : fmt::format("{} variant", to_string(variant));
}

namespace {

// One line: why a result is not as expected.
std::string why_not(const VariantResult& r) {
  if (!r.problems.empty())
    return fmt::format("{} infrastructure problem{}: {}", r.problems.size(),
                       r.problems.size() == 1 ? "" : "s", r.problems.front());
  if (r.runs == 0) return "no run was executed";
  if (r.variant != Variant::buggy) {  // a fixed variant or a program: expected clean
    std::string why;
    if (r.failing_runs > 0) {
      std::map<Verdict, std::int64_t> failing = r.verdicts;
      failing.erase(Verdict::clean);
      why = fmt::format("the {} failed {} of {} runs ({})", variant_phrase(r.variant),
                        r.failing_runs, r.runs, counts_text(failing));
    }
    if (!r.findings.empty()) {
      std::string kinds;
      for (const FindingGroup& g : r.findings)
        if (kinds.find(g.example.kind) == std::string::npos)
          kinds += fmt::format("{}{}", kinds.empty() ? "" : ", ", g.example.kind);
      why += fmt::format("{}ThreadSanitizer reported {} finding{} ({})", why.empty() ? "" : "; ",
                         r.findings.size(), r.findings.size() == 1 ? "" : "s", kinds);
    }
    return why.empty() ? "not as expected" : why;
  }
  if (r.failing_runs == 0)
    return fmt::format("not caught: {} runs, every one clean (expected {})", r.runs,
                       expected_text(r.expected));
  std::map<Verdict, std::int64_t> unexpected;
  for (const auto& [verdict, n] : r.verdicts)
    if (verdict != Verdict::clean && n > 0 &&
        std::find(r.expected.begin(), r.expected.end(), verdict) == r.expected.end())
      unexpected[verdict] = n;
  return fmt::format("unexpected verdicts: {} (expected {})", counts_text(unexpected),
                     expected_text(r.expected));
}

// The body of a <failure> or <error>: everything needed to start looking.
std::string details(const VariantResult& r) {
  std::string text = fmt::format("{} — {}{}\n", r.case_id, variant_phrase(r.variant),
                                 r.title.empty() ? "" : ": " + r.title);
  text += fmt::format("strategy {}, campaign seed {}\n", r.strategy, r.seed);
  text += fmt::format("runs: {}, failing: {}\n", r.runs, r.failing_runs);
  text += fmt::format("verdicts: {}\n", counts_text(r.verdicts));
  for (const auto& [strategy, counts] : r.verdicts_by_strategy)
    text += fmt::format("  with {}: {}\n", strategy, counts_text(counts));
  text += fmt::format("expected: {}\n", expected_text(r.expected));
  if (r.first_failure) {
    const FirstFailure& f = *r.first_failure;
    text += fmt::format("first failure: run {} (seed {}): {}: {}\n", f.run, f.seed,
                        to_string(f.verdict), f.detail);
    text += fmt::format("re-run it: {}\n", f.command);
  }
  if (!r.findings.empty()) text += "ThreadSanitizer findings:\n";
  for (const FindingGroup& g : r.findings) {
    text += fmt::format("  {} in {} run{} ({} report{}), first {}\n", g.example.kind, g.count,
                        g.count == 1 ? "" : "s", g.reports, g.reports == 1 ? "" : "s",
                        g.first_run ? fmt::format("in run {} (seed {})", *g.first_run,
                                                  g.first_seed.value_or(0))
                                    : std::string("at exit"));
    text += fmt::format("    signature: {}\n", g.signature);
    for (const std::string& frame : top_frame_texts(g.example, r.runtime_frames))
      text += fmt::format("    at {}\n", frame);
  }
  if (!r.problems.empty()) text += "problems:\n";
  for (const std::string& p : r.problems) text += fmt::format("  - {}\n", p);
  return text;
}

}  // namespace

std::string to_junit(const Summary& summary) {
  std::int64_t failures = 0, errors = 0;
  double seconds = 0;
  for (const VariantResult& r : summary.results) {
    seconds += r.seconds;
    if (!r.problems.empty())
      ++errors;
    else if (!r.as_expected())
      ++failures;
  }
  std::string timestamp = summary.created;  // JUnit's schema: no zone designator
  if (timestamp.ends_with('Z')) timestamp.pop_back();

  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += fmt::format(
      "<testsuite name=\"racelab\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" "
      "time=\"{:.3f}\"{}>\n",
      summary.results.size(), failures, errors, seconds,
      timestamp.empty() ? "" : " timestamp=\"" + xml_escape(timestamp, true) + "\"");
  xml += "  <properties>\n";
  xml += fmt::format("    <property name=\"sanitizer\" value=\"{}\"/>\n",
                     xml_escape(summary.build.sanitizer, true));
  xml += fmt::format("    <property name=\"compiler\" value=\"{}\"/>\n",
                     xml_escape(summary.build.compiler, true));
  xml += "  </properties>\n";
  for (const VariantResult& r : summary.results) {
    xml += fmt::format("  <testcase classname=\"racelab.{}\" name=\"{}\" time=\"{:.3f}\">\n",
                       xml_escape(r.case_id, true), to_string(r.variant), r.seconds);
    if (!r.as_expected()) {
      const bool error = !r.problems.empty();
      xml += fmt::format("    <{} message=\"{}\" type=\"racelab.{}\">", error ? "error" : "failure",
                         xml_escape(why_not(r), true),
                         error ? "infrastructure" : "not_as_expected");
      append_xml_escaped(xml, details(r));
      xml += error ? "</error>\n" : "</failure>\n";
    }
    xml += "    <system-out>";
    append_xml_escaped(xml, to_console(r));
    xml += "</system-out>\n";
    xml += "  </testcase>\n";
  }
  xml += "</testsuite>\n";
  return xml;
}

}  // namespace racelab::report
