// parse_tsan_log(), user_frames(), signature(): TSan's text as findings.
//
// Hand-written scanning, one pass over the lines: TSan's format is regular
// (a WARNING line, titled blocks of `#N` frames, a SUMMARY line, a separator)
// and std::regex would be the slowest part of a campaign.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "racelab/report/tsan.h"

namespace racelab::report {

namespace {

constexpr std::string_view kWarning = "WARNING: ThreadSanitizer: ";
constexpr std::string_view kSummary = "SUMMARY: ThreadSanitizer: ";
constexpr std::string_view kSeparator = "==================";

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

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

// The kind names TSan itself uses (ReportTypeString), from its headlines.
std::string kind_of(std::string_view headline) {
  struct Entry {
    std::string_view prefix;
    std::string_view kind;
  };
  // Longer prefixes first where one headline starts like another.
  static constexpr Entry kKinds[] = {
      {"data race on vptr", "data-race-vptr"},
      {"data race", "data-race"},
      {"heap-use-after-free (virtual call vs free)", "heap-use-after-free-vptr"},
      {"heap-use-after-free", "heap-use-after-free"},
      {"race on external object", "external-race"},
      {"thread leak", "thread-leak"},
      {"destroy of a locked mutex", "locked-mutex-destroy"},
      {"double lock of a mutex", "mutex-double-lock"},
      {"use of an invalid mutex", "mutex-invalid-access"},
      {"unlock of an unlocked mutex", "mutex-bad-unlock"},
      {"read lock of a write locked mutex", "mutex-bad-read-lock"},
      {"read unlock of a write locked mutex", "mutex-bad-read-unlock"},
      {"signal-unsafe call inside of a signal", "signal-unsafe-call"},
      {"signal handler spoils errno", "errno-in-signal-handler"},
      {"lock-order-inversion", "lock-order-inversion"},
  };
  for (const Entry& e : kKinds)
    if (headline.starts_with(e.prefix)) return std::string(e.kind);
  // External races name their object type: "race on <tag>".
  if (headline.starts_with("race on ")) return "external-race";
  return "unknown";
}

std::string headline_of(std::string_view rest) {
  rest = trim(rest);
  // "(pid=1234)" at the end says nothing about the bug.
  if (auto pid = rest.rfind(" (pid="); pid != std::string_view::npos && rest.ends_with(")"))
    rest = rest.substr(0, pid);
  return std::string(rest);
}

// "#3 function file:line:col (module+0x1234) (BuildId: ab12)"
Frame parse_frame(std::string_view line) {
  Frame frame;
  line.remove_prefix(1);  // '#'
  std::size_t digits = 0;
  while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
  frame.index = to_int(line.substr(0, digits));
  line = trim(line.substr(digits));

  if (line.ends_with(")")) {
    if (auto build_id = line.rfind(" (BuildId: "); build_id != std::string_view::npos)
      line = trim(line.substr(0, build_id));
  }
  if (line.ends_with(")")) {
    auto open = line.rfind(" (");
    if (open != std::string_view::npos) {
      std::string_view group = line.substr(open + 2, line.size() - open - 3);
      if (auto plus = group.rfind("+0x"); plus != std::string_view::npos) {
        frame.module = std::string(group.substr(0, plus));
        if (auto slash = frame.module.rfind('/'); slash != std::string::npos)
          frame.module = frame.module.substr(slash + 1);
        line = trim(line.substr(0, open));
      }
    }
  }

  // The location is the last word: "<null>", "path:line[:col]" or "path".
  std::string_view function = line;
  if (auto space = line.rfind(' '); space != std::string_view::npos) {
    std::string_view where = line.substr(space + 1);
    bool is_location = false;
    if (where == "<null>") {
      is_location = true;
    } else {
      std::string_view path = where;
      int numbers[2] = {0, 0};
      int found = 0;
      for (int i = 0; i < 2; ++i) {
        auto colon = path.rfind(':');
        if (colon == std::string_view::npos || !all_digits(path.substr(colon + 1))) break;
        numbers[i] = to_int(path.substr(colon + 1));
        path = path.substr(0, colon);
        ++found;
      }
      if (found > 0 || path.find('/') != std::string_view::npos) {
        is_location = true;
        frame.file = std::string(path);
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
  if (function != "<null>" && !function.starts_with("0x")) frame.function = std::string(function);
  return frame;
}

bool is_fatal(std::string_view line) {
  return line.find("FATAL: ThreadSanitizer") != std::string_view::npos ||
         line.find("ThreadSanitizer: CHECK failed") != std::string_view::npos ||
         line.find("ThreadSanitizer: unexpected memory mapping") != std::string_view::npos ||
         line.find("ThreadSanitizer failed to allocate") != std::string_view::npos;
}

}  // namespace

TsanLog parse_tsan_log(std::string_view raw) {
  TsanLog log;
  const std::string text = raw.find('\x1b') != std::string_view::npos ? strip_ansi(raw) : std::string(raw);

  Finding* open = nullptr;  // the report being read
  bool summary_seen = false;
  auto close_open = [&](bool complete) {
    if (open == nullptr) return;
    if (!complete && !summary_seen) {
      open->truncated = true;
      log.warnings.push_back(fmt::format("report {} ({}) is truncated: it has no SUMMARY line",
                                         log.findings.size(), open->kind));
    }
    open = nullptr;
  };

  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view t = trim(line);

    if (auto w = line.find(kWarning); w != std::string_view::npos) {
      close_open(false);
      log.findings.emplace_back();
      open = &log.findings.back();
      summary_seen = false;
      open->headline = headline_of(line.substr(w + kWarning.size()));
      open->kind = kind_of(open->headline);
      continue;
    }
    if (auto e = line.find("ERROR: ThreadSanitizer: "); e != std::string_view::npos) {
      if (log.deadly_signal.empty())
        log.deadly_signal = std::string(trim(line.substr(e + std::string_view("ERROR: ThreadSanitizer: ").size())));
      continue;
    }
    if (is_fatal(line)) {
      log.fatal_errors.emplace_back(t);
      continue;
    }
    if (t.starts_with("ThreadSanitizer: reported ") && t.ends_with(" warnings")) {
      log.reported_warnings = to_int(t.substr(std::string_view("ThreadSanitizer: reported ").size()));
      continue;
    }
    if (open == nullptr) continue;  // the program's own output

    if (t == kSeparator) {
      if (summary_seen) close_open(true);
      continue;
    }
    if (auto s = t.find(kSummary); s != std::string_view::npos) {
      open->summary = std::string(t.substr(s + kSummary.size()));
      summary_seen = true;
      continue;
    }
    if (summary_seen) continue;
    if (t.size() > 1 && t[0] == '#' && std::isdigit(static_cast<unsigned char>(t[1]))) {
      if (open->stacks.empty()) open->stacks.emplace_back();
      open->stacks.back().frames.push_back(parse_frame(t));
      continue;
    }
    if (t.starts_with("Location is ")) {
      std::string_view location = t.ends_with(":") ? t.substr(0, t.size() - 1) : t;
      if (open->location.empty()) open->location = std::string(location);
      if (t.ends_with(":")) open->stacks.push_back(Stack{std::string(location), {}});
      continue;
    }
    // A block title: "Write of size 4 at 0x… by thread T2:", "Mutex M0 (0x…) created at:".
    if (t.ends_with(":") && line.starts_with("  ") && !t.starts_with("Hint:")) {
      open->stacks.push_back(Stack{std::string(t.substr(0, t.size() - 1)), {}});
      continue;
    }
    // Anything else inside a report (blank lines, "[failed to restore the
    // stack]", the lock-order cycle line, interleaved program output) is skipped.
  }
  close_open(false);
  return log;
}

namespace {

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](auto p) { return s.starts_with(p); });
}

bool contains_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](auto p) { return s.find(p) != std::string_view::npos; });
}

bool is_user_frame(const Frame& f) {
  if (f.function.empty() && f.file.empty()) return false;  // unsymbolized
  if (starts_with_any(f.function, {"__tsan", "__interceptor_", "___interceptor_", "__sanitizer",
                                   "std::", "void std::", "__gnu_cxx::", "__cxx", "start_thread",
                                   "clone", "__clone", "__libc_start", "_start", "operator new",
                                   "operator delete", "pthread_", "racelab::detail::",
                                   "racelab::thread::", "racelab::mutex::",
                                   "racelab::recursive_mutex::", "racelab::condition_variable::"}))
    return false;
  // A standard-library template instantiated on a user type still lives in
  // the library's headers.
  if (contains_any(f.file, {"/include/c++/", "/bits/", "sanitizer_common", "/tsan/",
                            "/include/racelab/", "/harness/src/"}))
    return false;
  if (contains_any(f.module, {"libc.so", "libstdc++", "libclang_rt", "libtsan", "libpthread"}))
    return false;
  return true;
}

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A stack's part of a signature: its top user frames, `function@file`.
std::string stack_key(const Stack& stack, int top_frames) {
  std::string key;
  int n = 0;
  for (const Frame& f : user_frames(stack)) {
    if (n++ == top_frames) break;
    key += fmt::format("{}{}@{}", key.empty() ? "" : ";", f.function, basename_of(f.file));
  }
  return key;
}

// The blocks that say what was accessed or locked, not where a thread or
// mutex was created.
bool is_access_stack(const Finding& finding, const Stack& stack) {
  const std::string& t = stack.title;
  // Each edge of the cycle; the "previously acquired" stacks that
  // second_deadlock_stack=1 adds are left out, so the option does not change
  // the signature.
  if (finding.kind == "lock-order-inversion")
    return t.starts_with("Mutex ") && t.find("acquired here while holding") != std::string::npos;
  return !t.starts_with("Thread ") && !t.starts_with("Location is ") &&
         !(t.starts_with("Mutex ") && t.find("created") != std::string::npos);
}

}  // namespace

std::vector<Frame> user_frames(const Stack& stack) {
  std::vector<Frame> frames;
  for (const Frame& f : stack.frames)
    if (is_user_frame(f)) frames.push_back(f);
  return frames;
}

std::string signature(const Finding& finding, int top_frames) {
  std::vector<std::string> keys;
  for (const Stack& stack : finding.stacks) {
    if (!is_access_stack(finding, stack)) continue;
    keys.push_back(stack_key(stack, top_frames));
    // Races and use-after-free: the current and the previous access.
    if (finding.kind != "lock-order-inversion" && keys.size() == 2) break;
    if (finding.kind != "lock-order-inversion" && !finding.kind.starts_with("data-race") &&
        !finding.kind.starts_with("heap-use-after-free") && finding.kind != "external-race")
      break;
  }
  if (keys.empty() && !finding.stacks.empty()) keys.push_back(stack_key(finding.stacks.front(), top_frames));
  std::sort(keys.begin(), keys.end());
  std::string sig = finding.kind;
  for (const std::string& k : keys) sig += "|" + k;
  return sig;
}

}  // namespace racelab::report
