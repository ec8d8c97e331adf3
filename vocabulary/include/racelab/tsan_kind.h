// racelab/tsan_kind.h — ThreadSanitizer's report kinds, and the verdict each is.
//
// One table, in the manner of TSan's own ReportTypeString: the kind's name
// (what `__tsan_get_report_data` returns and what racelab calls a finding),
// the start of the headline TSan prints after `WARNING: ThreadSanitizer: `,
// and the run verdict it means. The harness runtime maps the kinds its
// `__tsan_on_report` hook sees, the log parser maps headlines, and exec maps
// the findings of a log: all through this table.
#pragma once

#include <string_view>

#include "racelab/verdict.h"

namespace racelab {

struct TsanKind {
  std::string_view name;
  /// How its headline starts. Longer prefixes come first in kTsanKinds where
  /// one headline starts like another ("data race on vptr", "data race").
  std::string_view headline;
  Verdict verdict;
};

inline constexpr TsanKind kTsanKinds[] = {
    {"data-race-vptr", "data race on vptr", Verdict::data_race},
    {"data-race", "data race", Verdict::data_race},
    {"heap-use-after-free-vptr", "heap-use-after-free (virtual call vs free)", Verdict::use_after_free},
    {"heap-use-after-free", "heap-use-after-free", Verdict::use_after_free},
    // External races print the header their tag registered: "race on <tag>".
    {"external-race", "race on ", Verdict::data_race},
    {"thread-leak", "thread leak", Verdict::thread_leak},
    {"locked-mutex-destroy", "destroy of a locked mutex", Verdict::mutex_misuse},
    // A thread re-locking a mutex it holds blocks on itself: racelab's own
    // mutexes call it self_deadlock, and so does TSan's report of it.
    {"mutex-double-lock", "double lock of a mutex", Verdict::self_deadlock},
    {"mutex-invalid-access", "use of an invalid mutex", Verdict::mutex_misuse},
    {"mutex-bad-unlock", "unlock of an unlocked mutex", Verdict::mutex_misuse},
    {"mutex-bad-read-lock", "read lock of a write locked mutex", Verdict::mutex_misuse},
    {"mutex-bad-read-unlock", "read unlock of a write locked mutex", Verdict::mutex_misuse},
    {"signal-unsafe-call", "signal-unsafe call inside of a signal", Verdict::data_race},
    {"errno-in-signal-handler", "signal handler spoils errno", Verdict::data_race},
    {"lock-order-inversion", "lock-order-inversion", Verdict::lock_order_inversion},
    {"mutex-held-in-wrong-context", "mutex held in the wrong context", Verdict::mutex_misuse},
};

/// The kind of a report TSan or racelab names `unknown`: an unsynchronised
/// access is what an unrecognised report most likely is.
inline constexpr Verdict kUnknownTsanKindVerdict = Verdict::data_race;

constexpr const TsanKind* find_tsan_kind(std::string_view name) noexcept {
  for (const TsanKind& k : kTsanKinds)
    if (k.name == name) return &k;
  return nullptr;
}

/// The kind a headline (the text after `WARNING: ThreadSanitizer: `) names;
/// "unknown" when no kind's headline starts it.
constexpr std::string_view tsan_kind_of_headline(std::string_view headline) noexcept {
  for (const TsanKind& k : kTsanKinds)
    if (headline.starts_with(k.headline)) return k.name;
  return "unknown";
}

/// The run verdict a report of kind `name` means.
constexpr Verdict verdict_of_tsan_kind(std::string_view name) noexcept {
  const TsanKind* k = find_tsan_kind(name);
  return k != nullptr ? k->verdict : kUnknownTsanKindVerdict;
}

}  // namespace racelab
