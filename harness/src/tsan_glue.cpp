// racelab's side of ThreadSanitizer: scopes TSan does not watch, the report
// hook that counts reports and keeps their verdict, racelab's TSan options.
// Every TSan entry point is weak, so a plain build links and never calls them.
#include <atomic>

#include "racelab/tsan_kind.h"
#include "runtime.h"

extern "C" {
void AnnotateIgnoreSyncBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreSyncEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreReadsEnd(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesBegin(const char* file, int line) __attribute__((weak));
void AnnotateIgnoreWritesEnd(const char* file, int line) __attribute__((weak));
int __tsan_get_report_data(void* report, const char** description, int* count,
                           int* stack_count, int* mop_count, int* loc_count, int* mutex_count,
                           int* thread_count, int* unique_tid_count, void** sleep_trace,
                           unsigned long trace_size) __attribute__((weak));
}

namespace racelab::detail {

std::atomic<std::uint64_t> g_tsan_reports{0};

std::uint64_t tsan_reports() noexcept { return g_tsan_reports.load(std::memory_order_relaxed); }

QuietScope::QuietScope() noexcept {
  if (AnnotateIgnoreSyncBegin == nullptr) return;
  AnnotateIgnoreSyncBegin(__FILE__, __LINE__);
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
}

QuietScope::~QuietScope() {
  if (AnnotateIgnoreSyncEnd == nullptr) return;
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  AnnotateIgnoreSyncEnd(__FILE__, __LINE__);
}


}  // namespace racelab::detail

// The run's state exists before any report: __tsan_on_report runs inside
// TSan's report, where a first call's static initialisation would take the
// guard TSan intercepts, and wait for TSan's own lock, for ever.
__attribute__((constructor)) static void racelab_active_run_before_any_report() { racelab::detail::active_run(); }

// Called by ThreadSanitizer after it printed a report: counts it (so the
// driver can attribute the n-th report of the log to its run) and keeps the
// verdict of highest precedence among the run's reports.
extern "C" void __tsan_on_report(void* report) {
  using namespace racelab;
  detail::g_tsan_reports.fetch_add(1, std::memory_order_relaxed);
  Verdict verdict = kUnknownTsanKindVerdict;
  if (__tsan_get_report_data != nullptr) {
    const char* description = nullptr;
    int count = 0, stacks = 0, mops = 0, locs = 0, mutexes = 0, threads = 0, tids = 0;
    void* trace = nullptr;
    if (__tsan_get_report_data(report, &description, &count, &stacks, &mops, &locs, &mutexes,
                               &threads, &tids, &trace, 0) != 0 &&
        description != nullptr)
      verdict = verdict_of_tsan_kind(description);
  }
  std::atomic<int>& kept = detail::active_run().tsan_verdict;
  int seen = kept.load(std::memory_order_relaxed);
  while ((seen < 0 || outranks(verdict, static_cast<Verdict>(seen))) &&
         !kept.compare_exchange_weak(seen, static_cast<int>(verdict), std::memory_order_relaxed)) {
  }
}

// Symbolized stacks (file:line in reports) need the llvm-symbolizer that
// matches the compiler; the build found it. Equal reports are printed once
// per process; the second stack of a lock-order inversion is wanted.
extern "C" const char* __tsan_default_options() {
  return "second_deadlock_stack=1"
#ifdef RACELAB_SYMBOLIZER
         " external_symbolizer_path=" RACELAB_SYMBOLIZER
#endif
      ;
}
