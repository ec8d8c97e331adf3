// The text of racelab's SARIF rules.
#include "sarif_rules.h"

namespace racelab::report {

// The rules, in a fixed order: their indexes are the same in every file.
const RuleText kRuleTable[] = {
    RuleText{"tsan/data-race", "DataRace", "error", "Data race.",
             "Two threads accessed the same memory location concurrently, at least one of them "
             "writing, and nothing ordered the accesses (ThreadSanitizer).",
             "Make the accesses ordered: guard the data with one mutex, make it std::atomic, or "
             "publish it before the other thread starts (or after it is joined)."},
    RuleText{"tsan/data-race-vptr", "DataRaceOnVptr", "error", "Data race on a vtable pointer.",
             "An object was destroyed (its vtable pointer rewritten) while another thread called "
             "one of its virtual functions (ThreadSanitizer).",
             "Make sure no thread can still use an object when it is destroyed: join or "
             "synchronize with every user first."},
    RuleText{"tsan/heap-use-after-free", "HeapUseAfterFree", "error",
             "Heap memory used after it was freed.",
             "A thread accessed heap memory that another thread had already freed "
             "(ThreadSanitizer).",
             "Tie the memory's lifetime to its users: shared ownership, or join the users before "
             "freeing."},
    RuleText{"tsan/heap-use-after-free-vptr", "HeapUseAfterFreeVptr", "error",
             "Virtual call on a freed object.",
             "A thread called a virtual function of an object another thread had already freed "
             "(ThreadSanitizer).",
             "Tie the object's lifetime to its users: shared ownership, or join the users before "
             "deleting it."},
    RuleText{"tsan/thread-leak", "ThreadLeak", "warning", "Thread leak.",
             "A thread was neither joined nor detached when the program ended (ThreadSanitizer).",
             "Join every thread the program starts (std::jthread does it on destruction)."},
    RuleText{"tsan/locked-mutex-destroy", "LockedMutexDestroy", "error",
             "Mutex destroyed while locked.",
             "A mutex was destroyed while a thread still held it (ThreadSanitizer).",
             "Unlock before destroying, and make sure no thread can still hold or wait for the "
             "mutex when its owner goes away."},
    RuleText{"tsan/mutex-double-lock", "MutexDoubleLock", "error",
             "Mutex locked twice by the same thread.",
             "A thread locked a non-recursive mutex that it already held: it deadlocks on itself "
             "(ThreadSanitizer).",
             "Do not call code that takes the lock while holding it; split the function into a "
             "locked and an unlocked part."},
    RuleText{"tsan/mutex-invalid-access", "MutexInvalidAccess", "error",
             "Use of an invalid mutex.",
             "A mutex was used before it was initialized or after it was destroyed "
             "(ThreadSanitizer).",
             "Make the mutex outlive every thread that uses it."},
    RuleText{"tsan/mutex-bad-unlock", "MutexBadUnlock", "error",
             "Unlock of a mutex the thread does not hold.",
             "A thread unlocked a mutex that it did not hold (ThreadSanitizer).",
             "Unlock only what the thread locked: use std::lock_guard or std::unique_lock."},
    RuleText{"tsan/mutex-bad-read-lock", "MutexBadReadLock", "error",
             "Read lock of a mutex the thread holds for writing.",
             "A thread took a shared (read) lock of a mutex it already held exclusively "
             "(ThreadSanitizer).",
             "Do not take the shared lock while holding the exclusive one."},
    RuleText{"tsan/mutex-bad-read-unlock", "MutexBadReadUnlock", "error",
             "Read unlock of a mutex not held for reading.",
             "A thread released a shared (read) lock that it did not hold (ThreadSanitizer).",
             "Pair every shared lock with its unlock: use std::shared_lock."},
    RuleText{"tsan/signal-unsafe-call", "SignalUnsafeCall", "error",
             "Async-signal-unsafe call in a signal handler.",
             "A signal handler called a function that is not async-signal-safe, such as malloc "
             "(ThreadSanitizer).",
             "In a signal handler, only set a volatile std::sig_atomic_t or a lock-free atomic; "
             "do the work elsewhere."},
    RuleText{"tsan/errno-in-signal-handler", "ErrnoInSignalHandler", "error",
             "Signal handler changes errno.",
             "A signal handler changed errno, which the interrupted code may be about to read "
             "(ThreadSanitizer).",
             "Save errno on entry to the handler and restore it before returning."},
    RuleText{"tsan/lock-order-inversion", "LockOrderInversion", "error",
             "Lock-order inversion (potential deadlock).",
             "Two or more mutexes were taken in different orders by different threads: a "
             "wait-for cycle, hence a deadlock, is possible (ThreadSanitizer).",
             "Take the mutexes in one global order, or together with std::scoped_lock."},
    RuleText{"tsan/external-race", "ExternalRace", "error", "Race on an annotated object.",
             "Two threads used an object that a library annotated for ThreadSanitizer without "
             "ordering the uses.",
             "Order the uses as the library documents (usually: one thread at a time)."},
    RuleText{"tsan/mutex-held-in-wrong-context", "MutexHeldInWrongContext", "error",
             "Mutex held where none may be.",
             "Code that must run with no mutex held (checked with __tsan_check_no_mutexes_held) "
             "ran while the thread held one (ThreadSanitizer).",
             "Release the mutex before calling into that code."},
    RuleText{"tsan/unknown", "UnknownTsanReport", "error", "Unrecognised ThreadSanitizer report.",
             "ThreadSanitizer printed a report racelab does not recognise.",
             "Read the report's headline and stacks."},
    RuleText{"racelab/deadlock", "Deadlock", "error", "Deadlock.",
             "The harness saw a wait-for cycle among threads: each waits for a lock another one "
             "holds.",
             "Take the locks in one global order, or together with std::scoped_lock."},
    RuleText{"racelab/self_deadlock", "SelfDeadlock", "error", "Self-deadlock.",
             "A thread tried to lock a non-recursive mutex that it already held.",
             "Do not call code that takes the lock while holding it."},
    RuleText{"racelab/livelock", "Livelock", "error", "Livelock.",
             "Threads kept running without making progress (no progress() report within the "
             "limit).",
             "Break the symmetry: back off with randomised delays, or order the competing "
             "threads."},
    RuleText{"racelab/hang", "Hang", "error", "Hang.",
             "Threads stayed blocked without a wait-for cycle: a lost wakeup, a lock never "
             "released, or the run's time limit.",
             "Wait on a condition variable with a predicate, notify after changing the state "
             "under the lock, and release locks on every path (RAII)."},
    RuleText{"racelab/invariant_violated", "InvariantViolated", "error", "Invariant violated.",
             "The case's own check of its result failed (a lost update, an overbooking, …): "
             "the symptom of a race or of a wrong protocol.",
             "Find the unprotected read-modify-write or check-then-act; make it one atomic step."},
    RuleText{"racelab/exception_lost", "ExceptionLost", "error", "Exception lost.",
             "An exception escaped a thread: nothing would have seen it.",
             "Catch in the thread and hand the exception over (std::promise, std::packaged_task, "
             "std::exception_ptr)."},
    RuleText{"racelab/thread_leak", "ThreadLeakAtEndOfRun", "warning", "Thread leak.",
             "A case thread was still running, or was never joined, at the end of a run.",
             "Join every thread before the state it uses goes away."},
    RuleText{"racelab/mutex_misuse", "MutexMisuse", "error", "Mutex misuse.",
             "A mutex was unlocked by a thread that did not own it, destroyed while locked, or "
             "used when invalid.",
             "Lock and unlock in one thread with RAII guards; keep mutexes alive while used."},
    RuleText{"racelab/process_leak", "ProcessLeak", "error", "Process leak.",
             "A process the run started (a child, or one that escaped with setsid() or a double "
             "fork) was still alive when the run ended; racelab killed it.",
             "Wait for every child before exiting; stop daemons the program starts."},
    RuleText{"racelab/crash", "Crash", "error", "Crash.",
             "The run's process died of a signal.",
             "Re-run the run's command under a debugger; look for a use after free or a "
             "dangling reference."},
};

const std::span<const RuleText> kRules = kRuleTable;

}  // namespace racelab::report
