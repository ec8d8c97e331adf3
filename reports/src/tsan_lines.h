// tsan_lines.h — the parts of one line of TSan's text, for tsan_parse.cpp.
// Internal to reports/src; what is not inline here is in tsan_lines.cpp.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "racelab/report/tsan.h"

namespace racelab::report::detail {

constexpr std::string_view kThreadSanitizer = "ThreadSanitizer";
constexpr std::string_view kWarning = "WARNING: ThreadSanitizer: ";
constexpr std::string_view kSummary = "SUMMARY: ThreadSanitizer: ";
constexpr std::string_view kSeparator = "==================";
constexpr std::size_t npos = std::string_view::npos;

// --- Comparisons without a memcmp call: string_view's compare, starts_with
// and rfind call memcmp, and ThreadSanitizer intercepts every such call (in
// the tsan build, those calls were the largest part of the parser's time).

constexpr bool starts(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (s[i] != prefix[i]) return false;
  return true;
}

constexpr bool ends(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && starts(s.substr(s.size() - suffix.size()), suffix);
}

constexpr bool equals(std::string_view a, std::string_view b) { return a.size() == b.size() && starts(a, b); }

// The first `needle` in `s` at or after `from`, or npos (as string_view::find).
inline std::size_t find_in(std::string_view s, std::string_view needle, std::size_t from = 0) {
  for (std::size_t at = from; at < s.size(); ++at) {
    at = s.find(needle.front(), at);
    if (at == npos) return npos;
    if (starts(s.substr(at), needle)) return at;
  }
  return npos;
}

inline bool contains(std::string_view s, std::string_view needle) { return find_in(s, needle) != npos; }

// The last `c` in `s`, or npos: memrchr (in the tsan build one check of the
// range rather than one call into the runtime per byte).
inline std::size_t rfind_byte(std::string_view s, char c) {
  if (s.empty()) return npos;
  const void* hit = memrchr(s.data(), c, s.size());
  return hit == nullptr ? npos : static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
}

// The C locale's classes, inline (racelab sets no other locale).
constexpr bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

inline int to_int(std::string_view s) {
  int value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

// A count TSan printed ("reported 3 warnings"): digits, or else 0 (a count
// is never negative, whatever the text says).
inline int to_count(std::string_view s) { return !s.empty() && is_digit(s.front()) ? to_int(s) : 0; }

constexpr std::string_view without_trailing_colons(std::string_view t) {
  while (t.ends_with(':')) t.remove_suffix(1);
  return trim(t);
}

// "#12 …": the frame's index, or -1 when `t` is not a frame line.
inline int frame_index(std::string_view t) {
  if (t.size() < 2 || t[0] != '#' || !is_digit(t[1])) return -1;
  std::size_t digits = 1;
  while (digits < t.size() && is_digit(t[digits])) ++digits;
  if (digits < t.size() && t[digits] != ' ') return -1;
  return to_int(t.substr(1, digits - 1));
}

// A Frame as views into the text, until its report is complete.
struct FrameText {
  int index = 0;
  std::string_view function;
  std::string_view file;
  int line = 0;
  int column = 0;
  std::string_view module;

  void copy_to(Frame& frame) const {
    frame.index = index;
    frame.function.assign(function);
    frame.file.assign(file);
    frame.line = line;
    frame.column = column;
    frame.module.assign(module);
  }
};

// The text without ANSI colour codes.
std::string strip_ansi(std::string_view text);

// TSan's name for a report (`Finding::kind`), from its headline.
std::string kind_of(std::string_view headline);

// The WARNING line after "WARNING: ThreadSanitizer: ", without its pid.
std::string headline_of(std::string_view rest);

// "#3 function file:line:col (module+0x1234) (BuildId: ab12)"
FrameText parse_frame(std::string_view line);

// A line of TSan's own death ("FATAL: ThreadSanitizer", "CHECK failed", …).
bool is_fatal(std::string_view line);

// The titles TSan gives its blocks (tsan_report.cpp: PrintMop, PrintLocation,
// PrintMutex, PrintThread, PrintSleep, the lock-order and errno reports),
// across runtime versions. A line that is indented like a title but starts
// with none of these is taken as one only when a frame #0 follows it.
bool is_known_title(std::string_view t);

// The blocks of an external race ("Modifying access of …").
bool is_external_access_title(std::string_view t);

// The next "ThreadSanitizer" in `text` at or after `from`, or npos.
std::size_t next_tsan_mention(std::string_view text, std::size_t from);

}  // namespace racelab::report::detail
