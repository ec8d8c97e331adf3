// tsan_lines.cpp — the parts of one line of TSan's text: frames, headlines, titles.
#include "tsan_lines.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <iterator>

#include "racelab/tsan_kind.h"

namespace racelab::report::detail {

namespace {

// The last `needle` in `s`, or npos (as string_view::rfind, which compares at
// every position), found by its byte at `anchor`: a rare one, so that few
// candidates are compared.
std::size_t rfind_in(std::string_view s, std::string_view needle, std::size_t anchor) {
  if (needle.size() > s.size()) return npos;
  // Where the needle can start: [0, last]; its anchor byte is `anchor` further.
  for (std::size_t last = s.size() - needle.size();;) {
    const std::size_t at = rfind_byte(s.substr(anchor, last + 1), needle[anchor]);
    if (at == npos) return npos;
    if (starts(s.substr(at), needle)) return at;
    if (at == 0) return npos;
    last = at - 1;
  }
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// A bare file name, as TSan prints it when it knows no directory or line
// ("tsan_interceptors_posix.cpp.o", "foo.cpp"): a word with a dot inside and
// none of the characters a function's signature ends with.
bool looks_like_file(std::string_view word) {
  if (word.empty() || word.front() == '.' || word.back() == '.') return false;
  if (word.find('.') == npos) return false;
  return word.find_first_of("()[]<>&*,") == npos;
}

}  // namespace

std::string strip_ansi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }
    out += text[i];
  }
  return out;
}

// The kind names TSan itself uses (ReportTypeString), from its headlines.
std::string kind_of(std::string_view headline) { return std::string(tsan_kind_of_headline(headline)); }

std::string headline_of(std::string_view rest) {
  rest = trim(rest);
  // "(pid=1234)" at the end says nothing about the bug.
  if (auto pid = rfind_in(rest, " (pid=", 1); pid != npos && rest.ends_with(')')) rest = rest.substr(0, pid);
  return std::string(rest);
}

FrameText parse_frame(std::string_view line) {
  FrameText frame;
  line.remove_prefix(1);  // '#'
  std::size_t digits = 0;
  while (digits < line.size() && is_digit(line[digits])) ++digits;
  frame.index = to_int(line.substr(0, digits));
  line = trim(line.substr(digits));

  if (line.ends_with(')')) {
    if (auto build_id = rfind_in(line, " (BuildId: ", 2); build_id != npos) line = trim(line.substr(0, build_id));
  }
  if (line.ends_with(')')) {
    auto open = rfind_in(line, " (", 1);
    if (open != npos) {
      std::string_view group = line.substr(open + 2, line.size() - open - 3);
      if (auto plus = rfind_in(group, "+0x", 0); plus != npos) {
        std::string_view module = group.substr(0, plus);
        if (auto slash = module.rfind('/'); slash != npos) module.remove_prefix(slash + 1);
        frame.module = module;
        line = trim(line.substr(0, open));
      }
    }
  }

  // The location is the last word: "<null>", "path:line[:col]" or "path".
  std::string_view function = line;
  if (auto space = rfind_byte(line, ' '); space != npos) {
    std::string_view where = line.substr(space + 1);
    bool is_location = false;
    if (equals(where, "<null>")) {
      is_location = true;
    } else {
      std::string_view path = where;
      int numbers[2] = {0, 0};
      int found = 0;
      for (int i = 0; i < 2; ++i) {
        auto colon = path.rfind(':');
        if (colon == npos || !all_digits(path.substr(colon + 1))) break;
        numbers[i] = to_int(path.substr(colon + 1));
        path = path.substr(0, colon);
        ++found;
      }
      if (found > 0 || path.find('/') != npos || looks_like_file(path)) {
        is_location = true;
        frame.file = path;
        if (found == 2) {
          frame.line = numbers[1];
          frame.column = numbers[0];
        } else if (found == 1) {
          frame.line = numbers[0];
        }
      }
    }
    if (is_location) function = trim(line.substr(0, space));
  }
  if (!equals(function, "<null>") && !starts(function, "0x")) frame.function = function;
  return frame;
}

bool is_fatal(std::string_view line) {
  return contains(line, "FATAL: ThreadSanitizer") || contains(line, "ThreadSanitizer: CHECK failed") ||
         contains(line, "ThreadSanitizer: unexpected memory mapping") ||
         contains(line, "ThreadSanitizer failed to allocate") ||
         // A crash inside TSan's own reporting (it exits without a report).
         contains(line, "ThreadSanitizer: nested bug in the same thread") ||
         // "==12==ERROR: ThreadSanitizer setrlimit() failed 22" (no colon: not a deadly signal)
         contains(line, "ERROR: ThreadSanitizer ");
}

bool is_known_title(std::string_view t) {
  static constexpr std::string_view kTitles[] = {
      "Write of size ",        "Read of size ",          "Atomic write of size ",
      "Atomic read of size ",  "Previous write of size ", "Previous read of size ",
      "Previous atomic write", "Previous atomic read",   "Modifying access of ",
      "Read-only access of ",  "Previous modifying access of ", "Previous read-only access of ",
      "Location is ",          "Mutex M",                "Thread T",
      "Signal ",               "As if synchronized via sleep",
  };
  if (equals(t, "and:") || equals(t, "and")) return true;  // between the stacks of a mutex report
  return std::any_of(std::begin(kTitles), std::end(kTitles),
                     [&](std::string_view title) { return starts(t, title); });
}

bool is_external_access_title(std::string_view t) {
  return starts(t, "Modifying access of ") || starts(t, "Read-only access of ") ||
         starts(t, "Previous modifying access of ") || starts(t, "Previous read-only access of ");
}

// One Boyer-Moore-Horspool pass over the whole text, which skips most bytes.
std::size_t next_tsan_mention(std::string_view text, std::size_t from) {
  static const std::boyer_moore_horspool_searcher searcher(kThreadSanitizer.begin(), kThreadSanitizer.end());
  const auto at = searcher(text.begin() + static_cast<std::ptrdiff_t>(from), text.end()).first;
  return at == text.end() ? npos : static_cast<std::size_t>(at - text.begin());
}

}  // namespace racelab::report::detail
