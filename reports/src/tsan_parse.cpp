// parse_tsan_log(): TSan's text as findings (signatures: tsan_log.cpp).
//
// Hand-written scanning, one pass over the lines: TSan's format is regular
// (a WARNING line, titled blocks of `#N` frames, a SUMMARY line, a separator)
// and std::regex would be the slowest part of a campaign.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>
#include <optional>
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
      {"mutex held in the wrong context", "mutex-held-in-wrong-context"},
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

// A bare file name, as TSan prints it when it knows no directory or line
// ("tsan_interceptors_posix.cpp.o", "foo.cpp"): a word with a dot inside and
// none of the characters a function's signature ends with.
bool looks_like_file(std::string_view word) {
  if (word.empty() || word.front() == '.' || word.back() == '.') return false;
  if (word.find('.') == std::string_view::npos) return false;
  return word.find_first_of("()[]<>&*,") == std::string_view::npos;
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
      if (found > 0 || path.find('/') != std::string_view::npos || looks_like_file(path)) {
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
         line.find("ThreadSanitizer failed to allocate") != std::string_view::npos ||
         // "==12==ERROR: ThreadSanitizer setrlimit() failed 22" (no colon: not a deadly signal)
         line.find("ERROR: ThreadSanitizer ") != std::string_view::npos;
}

// The titles TSan gives its blocks (tsan_report.cpp: PrintMop, PrintLocation,
// PrintMutex, PrintThread, PrintSleep, the lock-order and errno reports),
// across runtime versions. A line that is indented like a title but starts
// with none of these is taken as one only when a frame #0 follows it.
bool is_known_title(std::string_view t) {
  static constexpr std::string_view kTitles[] = {
      "Write of size ",        "Read of size ",          "Atomic write of size ",
      "Atomic read of size ",  "Previous write of size ", "Previous read of size ",
      "Previous atomic write", "Previous atomic read",   "Modifying access of ",
      "Read-only access of ",  "Previous modifying access of ", "Previous read-only access of ",
      "Location is ",          "Mutex M",                "Thread T",
      "Signal ",               "As if synchronized via sleep",
  };
  if (t == "and:" || t == "and") return true;  // between the stacks of a mutex report
  return std::any_of(std::begin(kTitles), std::end(kTitles),
                     [&](std::string_view title) { return t.starts_with(title); });
}

bool is_external_access_title(std::string_view t) {
  return t.starts_with("Modifying access of ") || t.starts_with("Read-only access of ") ||
         t.starts_with("Previous modifying access of ") ||
         t.starts_with("Previous read-only access of ");
}

std::string_view without_trailing_colons(std::string_view t) {
  while (t.ends_with(":")) t.remove_suffix(1);
  return trim(t);
}

// "#12 …": the frame's index, or -1 when `t` is not a frame line.
int frame_index(std::string_view t) {
  if (t.size() < 2 || t[0] != '#' || !std::isdigit(static_cast<unsigned char>(t[1]))) return -1;
  std::size_t digits = 1;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits]))) ++digits;
  if (digits < t.size() && t[digits] != ' ') return -1;
  return to_int(t.substr(1, digits - 1));
}

// One report being read.
class OpenReport {
 public:
  OpenReport(TsanLog& log, Finding& finding) : log_(log), finding_(finding) {}

  Finding& finding() { return finding_; }
  bool summary_seen() const { return summary_seen_; }

  void summary(std::string_view text) {
    drop_tentative();
    finding_.summary = std::string(text);
    summary_seen_ = true;
  }

  void title(std::string_view t, bool known) {
    drop_tentative();
    // A known title still waiting for its frames: an unknown one here is the
    // program's output.
    if (!known && !finding_.stacks.empty() && finding_.stacks.back().frames.empty() &&
        !finding_.stacks.back().failed_to_restore && is_known_title(finding_.stacks.back().title))
      return;
    finding_.stacks.push_back(Stack{std::string(without_trailing_colons(t)), {}});
    tentative_ = !known;
  }

  void failed_to_restore() {
    if (finding_.stacks.empty() || !finding_.stacks.back().frames.empty()) return;
    finding_.stacks.back().failed_to_restore = true;
    tentative_ = false;
  }

  void frame(int index, std::string_view t) {
    if (tentative_ && index != 0) drop_tentative();  // the "title" was the program's output
    tentative_ = false;
    std::vector<Stack>& stacks = finding_.stacks;
    if (stacks.empty() || (index == 0 && !stacks.back().frames.empty())) {
      // A stack TSan prints without a title (the first one of mutex and
      // signal reports).
      if (index != 0) return;
      stacks.emplace_back();
    }
    Stack& stack = stacks.back();
    const int expected = stack.frames.empty() ? 0 : stack.frames.back().index + 1;
    // Out of sequence: a line of the program's output that looks like a frame.
    if (index != expected) return;
    stack.frames.push_back(parse_frame(t));
  }

  // The report is over: `complete` when its closing separator was read.
  void close(bool complete, bool cut_mid_line) {
    drop_tentative();
    if (finding_.kind == "unknown" &&
        std::any_of(finding_.stacks.begin(), finding_.stacks.end(),
                    [](const Stack& s) { return is_external_access_title(s.title); }))
      finding_.kind = "external-race";
    if (!complete && !summary_seen_) {
      finding_.truncated = true;
      log_.warnings.push_back(fmt::format("report {} ({}) is truncated: it has no SUMMARY line{}",
                                          log_.findings.size(), finding_.kind,
                                          cut_mid_line ? "; its last line is cut off" : ""));
    }
  }

 private:
  // A title nothing confirmed: it was the program's output after all.
  void drop_tentative() {
    if (tentative_ && !finding_.stacks.empty() && finding_.stacks.back().frames.empty() &&
        !finding_.stacks.back().failed_to_restore)
      finding_.stacks.pop_back();
    tentative_ = false;
  }

  TsanLog& log_;
  Finding& finding_;
  bool summary_seen_ = false;
  bool tentative_ = false;  // the last stack's title is not one TSan is known to print
};

}  // namespace

TsanLog parse_tsan_log(std::string_view raw) {
  TsanLog log;
  const std::string text = raw.find('\x1b') != std::string_view::npos ? strip_ansi(raw) : std::string(raw);
  // `open` refers into log.findings; it is closed before the next emplace_back.
  std::optional<OpenReport> open;
  bool cut_mid_line = false;
  bool deadly_frames = false;  // reading the stack of the deadly-signal report
  auto close_open = [&](bool complete) {
    if (!open) return;
    open->close(complete, cut_mid_line);
    open.reset();
  };

  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool last_without_newline = end == std::string::npos;
    if (last_without_newline) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view t = trim(line);

    if (auto w = line.find(kWarning); w != std::string_view::npos) {
      close_open(false);
      Finding& finding = log.findings.emplace_back();
      finding.headline = headline_of(line.substr(w + kWarning.size()));
      finding.kind = kind_of(finding.headline);
      open.emplace(log, finding);
      continue;
    }
    // TSan's own death ends whatever report was being printed.
    if (auto e = line.find("ERROR: ThreadSanitizer: "); e != std::string_view::npos) {
      close_open(false);
      if (log.deadly_signal.empty()) {
        log.deadly_signal = std::string(trim(line.substr(e + std::string_view("ERROR: ThreadSanitizer: ").size())));
        deadly_frames = true;
      }
      continue;
    }
    if (deadly_frames) {
      if (t.starts_with('#')) {
        log.deadly_stack.frames.push_back(parse_frame(t));
        continue;
      }
      if (!log.deadly_stack.frames.empty()) deadly_frames = false;
    }
    if (is_fatal(line)) {
      close_open(false);
      log.fatal_errors.emplace_back(t);
      continue;
    }
    if (t.starts_with("ThreadSanitizer: reported ") && t.ends_with(" warnings")) {
      close_open(false);
      log.reported_warnings = to_int(t.substr(std::string_view("ThreadSanitizer: reported ").size()));
      continue;
    }
    if (!open) continue;  // the program's own output

    if (t == kSeparator) {
      if (open->summary_seen()) close_open(true);
      continue;
    }
    if (auto s = t.find(kSummary); s != std::string_view::npos) {
      open->summary(t.substr(s + kSummary.size()));
      continue;
    }
    if (open->summary_seen()) continue;
    // Frames are indented ("    #0 …"); a '#' line at the margin is the program's.
    if (const int index = frame_index(t); index >= 0 && std::isspace(static_cast<unsigned char>(line[0]))) {
      // A frame line the text ends in without its newline was cut off.
      if (last_without_newline) {
        cut_mid_line = true;
        continue;
      }
      open->frame(index, t);
      continue;
    }
    if (t == "[failed to restore the stack]") {
      open->failed_to_restore();
      continue;
    }
    if (t.starts_with("And ") && t.ends_with(" more similar thread leaks.")) {
      open->finding().more_similar = to_int(t.substr(4));
      continue;
    }
    if (!line.starts_with("  ") || t.starts_with("Hint:") || t.starts_with("HINT:")) continue;
    if (t.starts_with("Location is ")) {
      if (open->finding().location.empty())
        open->finding().location = std::string(without_trailing_colons(t));
      // Global, stack and TLS locations are one line; heap blocks and file
      // descriptors come with the stack that made them.
      if (t.ends_with(":")) open->title(t, true);
      continue;
    }
    // A block title: "Write of size 4 at 0x… by thread T2:", "Mutex M0 (0x…) created at:",
    // "Thread T3 (tid=…, finished) created by main thread" (no stack, no colon).
    const bool known = is_known_title(t);
    const bool bare_thread = t.starts_with("Thread T") && (t.find(") created by ") != std::string_view::npos ||
                                                           t.ends_with("is a GCD worker thread"));
    if (t.ends_with(":") || bare_thread) {
      open->title(t, known);
      continue;
    }
    // Anything else inside a report (blank lines, the lock-order cycle line,
    // interleaved program output) is skipped.
  }
  close_open(false);
  return log;
}

}  // namespace racelab::report
