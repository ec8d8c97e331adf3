// racelab/report/tsan.h — ThreadSanitizer logs as structured findings.
//
// This header defines:
//   Frame, Stack, Finding   one TSan report, as data
//   TsanLog                 everything read from one log: findings, fatal errors, warnings
//   parse_tsan_log()        text -> TsanLog
//   signature()             the identity of a finding across runs and processes
//   user_frames()           a stack without runtime, interceptor and standard-library frames
//
// The parser reads the text TSan prints (to stderr or to `log_path` files):
//
//   ==================
//   WARNING: ThreadSanitizer: data race (pid=4242)
//     Write of size 4 at 0x7b0c00000010 by thread T2:
//       #0 Counter::increment() /src/cases/01_lost_update/buggy.cpp:21:12 (case_01+0x1234)
//       ...
//     Previous read of size 4 at 0x7b0c00000010 by thread T1:
//       ...
//     Location is heap block of size 4 at 0x7b0c00000010 allocated by main thread:
//       ...
//     Thread T2 (tid=4245, running) created by main thread at:
//       ...
//   SUMMARY: ThreadSanitizer: data race /src/cases/01_lost_update/buggy.cpp:21:12 in Counter::increment()
//   ==================
//
// Findings come out in the order TSan printed them, so the n-th finding of a
// process is the n-th report that process's `__tsan_on_report` hook counted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace racelab::report {

// Frame — one line `#N function file:line:col (module+0xoffset)` of a stack.
struct Frame {
  int index = 0;             ///< N in `#N`.
  std::string function;      ///< Demangled function, e.g. `Counter::increment()`; empty when unknown.
  std::string file;          ///< Source path as TSan printed it; empty when unknown.
  int line = 0;              ///< 0 when unknown.
  int column = 0;            ///< 0 when unknown.
  std::string module;        ///< Binary or library, e.g. `case_01_lost_update`; empty when not printed.
};

// Stack — one titled block of a report.
struct Stack {
  /// The block's first line without indentation and trailing colon, e.g.
  /// `Write of size 4 at 0x7b0c00000010 by thread T2`,
  /// `Previous read of size 4 at 0x7b0c00000010 by thread T1`,
  /// `Mutex M1 acquired here while holding mutex M0 in thread T1`,
  /// `Thread T2 (tid=4245, running) created by main thread at`,
  /// `Location is file descriptor 3 created by main thread at`,
  /// `Signal 10 handler invoked at`, `As if synchronized via sleep`, `and`
  /// (the second stack of a mutex report); empty for a report's opening
  /// stack that TSan prints without a title (mutex misuse, signal-unsafe call).
  std::string title;
  std::vector<Frame> frames;
  /// TSan printed `[failed to restore the stack]` instead of frames.
  bool failed_to_restore = false;
};

// Finding — one `WARNING: ThreadSanitizer: …` report.
struct Finding {
  /// TSan's own name for the report, lower case with dashes:
  /// `data-race`, `data-race-vptr`, `heap-use-after-free`, `heap-use-after-free-vptr`,
  /// `thread-leak`, `locked-mutex-destroy`, `mutex-double-lock`, `mutex-invalid-access`,
  /// `mutex-bad-unlock`, `mutex-bad-read-lock`, `mutex-bad-read-unlock`,
  /// `signal-unsafe-call`, `errno-in-signal-handler`, `lock-order-inversion`,
  /// `external-race`, `mutex-held-in-wrong-context`; `unknown` when the
  /// headline is not recognised. (External races print the header their tag
  /// registered, whatever it says; their `Modifying access of …` /
  /// `Read-only access of …` blocks still make them `external-race`.)
  std::string kind;
  std::string headline;       ///< The WARNING line, without the `WARNING: ThreadSanitizer: ` prefix.
  std::vector<Stack> stacks;  ///< Every titled block, in printed order.
  std::string location;       ///< The first `Location is …` line when present (global, heap, stack, TLS, fd).
  std::string summary;        ///< The SUMMARY line without `SUMMARY: ThreadSanitizer: `.
  bool truncated = false;     ///< The log ended before this report's closing `==================`.
  /// `And N more similar thread leaks.`: N; 0 when TSan printed no such line.
  int more_similar = 0;
};

// TsanLog — what one log held.
struct TsanLog {
  std::vector<Finding> findings;
  /// TSan's own fatal errors (`FATAL: ThreadSanitizer: …`, `ThreadSanitizer: CHECK failed`,
  /// `unexpected memory mapping`, …), one line each.
  std::vector<std::string> fatal_errors;
  /// Things the parser noticed but could not fit, e.g. a truncated report.
  std::vector<std::string> warnings;
  /// `ThreadSanitizer: reported N warnings` when present, else -1.
  int reported_warnings = -1;
  /// The program died of a signal that TSan caught and reported before
  /// exiting (with its exit code, not the signal): the line
  /// `ERROR: ThreadSanitizer: SEGV on unknown address … (pc … T…)`, without
  /// the prefix. Empty when there was none.
  std::string deadly_signal;
  /// The stack TSan printed with the deadly signal (the crashing thread's).
  Stack deadly_stack;
};

// parse_tsan_log()
//
// Reads any text that contains TSan output; lines that are not part of a
// report (the program's own output) are skipped, also when they come between
// a report's lines. ANSI colour codes and CR-LF line ends are ignored. A
// report the text ends in (or that a `FATAL:`/`ERROR: ThreadSanitizer` line
// cuts off) is kept, with `truncated` set and a warning, as far as it was
// printed; a last frame line cut off mid-line is left out.
TsanLog parse_tsan_log(std::string_view text);

// FrameFilter — the frames of a runtime linked into the program (racelab's
// own primitives, say) that are not the program's code. Only the caller
// knows which runtime that is, so it says: function-name prefixes and parts
// of file paths. TSan's runtime, libc and the C++ standard library are never
// the program's, whatever the filter says.
struct FrameFilter {
  std::vector<std::string> functions;  ///< e.g. "racelab::mutex::"
  std::vector<std::string> files;      ///< e.g. "/harness/src/"
  bool operator==(const FrameFilter&) const = default;
};

// user_frames()
//
// The frames of `stack` that belong to the program under test: without TSan's
// runtime and interceptors (`__tsan_*`, `__interceptor_*`, frames in
// libclang_rt / libtsan, and frames with no source file whose function is a
// bare C name, such as `malloc`, `close` or `usleep`: newer runtimes print
// interceptors that way), without the C and C++ standard libraries' internals
// (`std::`, `__gnu_cxx::`, `libc.so`, `libstdc++`), without what `runtime`
// names, and without thread start-up frames. Order is kept (innermost first).
std::vector<Frame> user_frames(const Stack& stack, const FrameFilter& runtime = {});

// is_access_stack() / access_stacks()
//
// Whether a report's block says what was accessed or locked (a race's two
// accesses, each edge of a lock-order cycle, a bad unlock), rather than where
// a thread or mutex was created or memory allocated; the "previously
// acquired" blocks of second_deadlock_stack=1 are not edges. access_stacks():
// those of `finding`, or when it has none (a thread leak: only the creation
// stack), every stack with frames.
bool is_access_stack(const Finding& finding, const Stack& stack);
std::vector<const Stack*> access_stacks(const Finding& finding);

// signature()
//
// A stable identity for a finding: its kind plus the normalized top user
// frames (function and file name, no line/column, addresses, pids, tids,
// T/M numbers or module offsets) of its access stacks. For two-stack reports
// (a race's current and previous access) the pair is unordered, so the same
// race seen from either side has one signature. Equal signatures mean "the
// same bug" across runs, processes and builds of the same source (with the
// same `runtime`). A frame of a template instantiation is named by
// signature_function().
std::string signature(const Finding& finding, const FrameFilter& runtime = {}, int top_frames = 3);

// signature_function()
//
// A function as signature() names it: a template instantiation without its
// template arguments and parameter lists ("void Pool::submit<Job>(Job&&)"
// is "void Pool::submit"), so that one missing lock in a template is one
// finding whatever it was instantiated on; an operator keeps its symbol.
// A name without '<' stays as TSan printed it.
std::string signature_function(std::string_view name);

}  // namespace racelab::report
