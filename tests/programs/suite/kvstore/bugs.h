// kvstore's injected concurrency bugs, for testing race detectors on a whole
// test suite. The compile definition KV_BUG selects at most one of them
// (-DKV_BUG=<n>); undefined or 0, the library is correct. Each bug is one line
// of the library, marked `// BUG(<n>)` where it is.
#ifndef KVSTORE_BUGS_H_
#define KVSTORE_BUGS_H_

#ifndef KV_BUG
#define KV_BUG 0
#endif

static_assert(KV_BUG >= 0 && KV_BUG <= 5, "KV_BUG selects one of the bugs in kvstore/bugs.h");

namespace kv::bugs {

// The correct library.
inline constexpr int kNone = 0;
// ShardedCache::NewId() bumps last_id_ without id_mutex_: a data race between
// two threads asking for ids (cache_test: NewIdIsUniqueAcrossThreads).
inline constexpr int kMissingLock = 1;
// Store's background compaction finishes without SignalAll() on
// background_work_finished_: CompactAndWait() (and ~Store with work
// scheduled) waits forever.
inline constexpr int kMissingSignal = 2;
// BackgroundQueue runs each job while holding its mutex. A Store job takes
// the Store mutex; Store holds it while it calls Schedule(), which takes the
// queue mutex: a lock-order inversion.
inline constexpr int kLockHeldAcrossCallback = 3;
// Store::NewestTable() returns a reference to a string guarded by the Store
// mutex; the caller reads it after the lock is released, while the
// background compaction assigns it: a data race.
inline constexpr int kReferenceOutsideLock = 4;
// ShardedCache::Rename() locks the two shards in argument order instead of
// index order: a rename one way and one the other way invert the lock order.
inline constexpr int kLockOrderReversal = 5;

inline constexpr const char* kNames[] = {"none", "missing_lock", "missing_signal", "lock_held_across_callback",
                                         "reference_outside_lock", "lock_order_reversal"};

}  // namespace kv::bugs

#endif  // KVSTORE_BUGS_H_
