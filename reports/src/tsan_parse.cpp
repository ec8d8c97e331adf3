// parse_tsan_log(): TSan's text as findings, line by line (a line's parts: tsan_lines.h).
//
// Hand-written scanning, one pass over the lines: TSan's format is regular
// (a WARNING line, titled blocks of `#N` frames, a SUMMARY line, a separator)
// and std::regex would be the slowest part of a campaign.
//
// Speed (tests/bench/report_bench.cpp): the text is not copied unless it has
// colour codes to strip; the lines that can start or end a report all name
// "ThreadSanitizer", which one search over the whole text finds, so other
// lines are not searched for them; a report is kept as views into the text
// until it is complete, then built with each vector and string allocated
// once; and no comparison calls memcmp (tsan_lines.h).
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "racelab/report/tsan.h"
#include "tsan_lines.h"

namespace racelab::report {

using namespace detail;

namespace {

// A report's stacks and frames as views into the text until it is complete:
// then each vector is allocated once at its size and each string once where
// it stays (vectors grown line by line were most of the parser's allocations,
// and in the tsan build an allocation costs by its size). The frames of
// stack i are frames[stacks[i].first_frame, stacks[i + 1].first_frame).
// Kept from report to report, with their capacity.
struct StackText {
  std::string_view title;
  std::size_t first_frame = 0;
  bool failed_to_restore = false;
};
struct Scratch {
  std::vector<StackText> stacks;
  std::vector<FrameText> frames;
};

// One report being read.
class OpenReport {
 public:
  OpenReport(TsanLog& log, Finding& finding, Scratch& scratch)
      : log_(log), finding_(finding), stacks_(scratch.stacks), frames_(scratch.frames) {
    stacks_.clear();
    frames_.clear();
  }

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
    if (!known && !stacks_.empty() && !last_has_frames() && !stacks_.back().failed_to_restore &&
        is_known_title(stacks_.back().title))
      return;
    stacks_.push_back({without_trailing_colons(t), frames_.size()});
    tentative_ = !known;
  }

  void failed_to_restore() {
    if (stacks_.empty() || last_has_frames()) return;
    stacks_.back().failed_to_restore = true;
    tentative_ = false;
  }

  void frame(int index, std::string_view t) {
    if (tentative_ && index != 0) drop_tentative();  // the "title" was the program's output
    tentative_ = false;
    if (stacks_.empty() || (index == 0 && last_has_frames())) {
      // A stack TSan prints without a title (the first one of mutex and
      // signal reports).
      if (index != 0) return;
      stacks_.push_back({{}, frames_.size()});
    }
    const int expected = last_has_frames() ? frames_.back().index + 1 : 0;
    // Out of sequence: a line of the program's output that looks like a frame.
    if (index != expected) return;
    frames_.push_back(parse_frame(t));
  }

  // The report is over: `complete` when its closing separator was read.
  void close(bool complete, bool cut_mid_line) {
    drop_tentative();
    finding_.stacks.resize(stacks_.size());
    for (std::size_t i = 0; i < stacks_.size(); ++i) {
      Stack& stack = finding_.stacks[i];
      stack.title.assign(stacks_[i].title);
      stack.failed_to_restore = stacks_[i].failed_to_restore;
      const std::size_t end = i + 1 < stacks_.size() ? stacks_[i + 1].first_frame : frames_.size();
      stack.frames.resize(end - stacks_[i].first_frame);
      for (std::size_t f = stacks_[i].first_frame; f < end; ++f)
        frames_[f].copy_to(stack.frames[f - stacks_[i].first_frame]);
    }
    if (equals(finding_.kind, "unknown") &&
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
  bool last_has_frames() const { return !stacks_.empty() && frames_.size() > stacks_.back().first_frame; }

  // A title nothing confirmed: it was the program's output after all.
  void drop_tentative() {
    if (tentative_ && !stacks_.empty() && !last_has_frames() && !stacks_.back().failed_to_restore)
      stacks_.pop_back();
    tentative_ = false;
  }

  TsanLog& log_;
  Finding& finding_;
  std::vector<StackText>& stacks_;
  std::vector<FrameText>& frames_;
  bool summary_seen_ = false;
  bool tentative_ = false;  // the last stack's title is not one TSan is known to print
};

}  // namespace

TsanLog parse_tsan_log(std::string_view raw) {
  TsanLog log;
  const bool coloured = raw.find('\x1b') != npos;
  const std::string stripped = coloured ? strip_ansi(raw) : std::string();
  const std::string_view text = coloured ? std::string_view(stripped) : raw;
  // `open` refers into log.findings; it is closed before the next emplace_back.
  std::optional<OpenReport> open;
  Scratch scratch;
  bool cut_mid_line = false;
  bool deadly_frames = false;  // reading the stack of the deadly-signal report
  auto close_open = [&](bool complete) {
    if (!open) return;
    open->close(complete, cut_mid_line);
    open.reset();
  };

  // The next mention of ThreadSanitizer: every line that opens, ends or
  // interrupts a report has one (WARNING, SUMMARY, ERROR, FATAL, CHECK
  // failed, "reported N warnings"); the lines before it need no search.
  std::size_t mention = next_tsan_mention(text, 0);
  std::size_t start = 0;
  while (start < text.size()) {
    if (mention < start) mention = next_tsan_mention(text, start);
    // Outside of a report only such lines count: the next one is where to go on.
    if (!open && !deadly_frames) {
      if (mention == npos) break;
      if (const std::size_t nl = rfind_byte(text.substr(start, mention - start), '\n'); nl != npos) start += nl + 1;
    }
    std::size_t end = text.find('\n', start);
    const bool last_without_newline = end == npos;
    if (last_without_newline) end = text.size();
    std::string_view line(text.data() + start, end - start);
    const bool names_tsan = mention < end;
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view t = trim(line);

    if (auto w = names_tsan ? find_in(line, kWarning) : npos; w != npos) {
      close_open(false);
      Finding& finding = log.findings.emplace_back();
      finding.headline = headline_of(line.substr(w + kWarning.size()));
      finding.kind = kind_of(finding.headline);
      open.emplace(log, finding, scratch);
      continue;
    }
    // TSan's own death ends whatever report was being printed.
    constexpr std::string_view kError = "ERROR: ThreadSanitizer: ";
    if (auto e = names_tsan ? find_in(line, kError) : npos; e != npos) {
      close_open(false);
      if (log.deadly_signal.empty()) {
        log.deadly_signal = std::string(trim(line.substr(e + kError.size())));
        deadly_frames = true;
      }
      continue;
    }
    if (deadly_frames) {
      if (t.starts_with('#')) {
        parse_frame(t).copy_to(log.deadly_stack.frames.emplace_back());
        continue;
      }
      if (!log.deadly_stack.frames.empty()) deadly_frames = false;
    }
    if (names_tsan && is_fatal(line)) {
      close_open(false);
      log.fatal_errors.emplace_back(t);
      continue;
    }
    constexpr std::string_view kReported = "ThreadSanitizer: reported ";
    if (names_tsan && starts(t, kReported) && ends(t, " warnings")) {
      close_open(false);
      log.reported_warnings = to_count(t.substr(kReported.size()));
      continue;
    }
    if (!open) continue;  // the program's own output

    if (equals(t, kSeparator)) {
      if (open->summary_seen()) close_open(true);
      continue;
    }
    if (auto s = names_tsan ? find_in(t, kSummary) : npos; s != npos) {
      open->summary(t.substr(s + kSummary.size()));
      continue;
    }
    if (open->summary_seen()) continue;
    // Frames are indented ("    #0 …"); a '#' line at the margin is the program's.
    if (const int index = frame_index(t); index >= 0 && is_space(line[0])) {
      // A frame line the text ends in without its newline was cut off.
      if (last_without_newline) {
        cut_mid_line = true;
        continue;
      }
      open->frame(index, t);
      continue;
    }
    if (equals(t, "[failed to restore the stack]")) {
      open->failed_to_restore();
      continue;
    }
    if (starts(t, "And ") && ends(t, " more similar thread leaks.")) {
      open->finding().more_similar = to_count(t.substr(4));
      continue;
    }
    if (!starts(line, "  ") || starts(t, "Hint:") || starts(t, "HINT:")) continue;
    if (starts(t, "Location is ")) {
      if (open->finding().location.empty())
        open->finding().location = std::string(without_trailing_colons(t));
      // Global, stack and TLS locations are one line; heap blocks and file
      // descriptors come with the stack that made them.
      if (t.ends_with(':')) open->title(t, true);
      continue;
    }
    // A block title: "Write of size 4 at 0x… by thread T2:", "Mutex M0 (0x…) created at:",
    // "Thread T3 (tid=…, finished) created by main thread" (no stack, no colon).
    const bool known = is_known_title(t);
    const bool bare_thread =
        starts(t, "Thread T") && (contains(t, ") created by ") || ends(t, "is a GCD worker thread"));
    if (t.ends_with(':') || bare_thread) {
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
