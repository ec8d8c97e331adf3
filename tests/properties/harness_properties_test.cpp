// Property-based tests (RapidCheck) of three of racelab's own algorithms, each
// against a simple reference that is obviously right:
//
//   LockGraph (harness/src/lock_graph.h), the lock-order cycle finder behind
//     lock_order_inversion: against reachability over the edges present.
//   shard_range() / chunk_range() (harness/driver/campaign.h), how a campaign
//     splits run indices into shards and a shard into chains: against exact
//     128-bit arithmetic and the tiling they must be.
//   signature() (racelab/report/tsan.h) on generated TSan report text: the
//     kind plus the top user frames of the access stacks, whatever the
//     addresses, ids, line numbers, interleaved output or colours, whichever
//     access comes first; and not a constant.
//
// Deterministic: each property runs a fixed number of cases from a seed of
// its own name (seeded_property.h), unless RC_PARAMS says otherwise.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "campaign.h"    // harness/driver: shard_range(), chunk_range()
#include "lock_graph.h"  // harness/src: LockGraph
#include "racelab/report/tsan.h"
#include "seeded_property.h"

namespace {

// ============================================================================
// 1. The lock-order cycle finder.
// ============================================================================

using racelab::detail::Lockable;
using racelab::detail::LockGraph;

// Node i: a pointer into the unmapped first page (64, 128, …). LockGraph
// only compares and hashes its `const Lockable*` keys; were it to read
// through one, the test would crash.
const Lockable* node(int i) { return reinterpret_cast<const Lockable*>(std::uintptr_t{64} * (i + 1)); }

// The reference: the set of edges present, and reachability by search.
struct GraphModel {
  std::map<std::pair<int, int>, int> edges;  ///< from→to: the serial of the add() that made it

  bool reaches(int start, int goal) const {
    std::set<int> seen = {start};
    std::vector<int> todo = {start};
    while (!todo.empty()) {
      const int at = todo.back();
      todo.pop_back();
      if (at == goal) return true;
      for (const auto& [edge, serial] : edges)
        if (edge.first == at && seen.insert(edge.second).second) todo.push_back(edge.second);
    }
    return false;
  }

  void forget(int node) {
    std::erase_if(edges, [&](const auto& e) { return e.first.first == node || e.first.second == node; });
  }

  std::string describe() const {
    std::string text;
    for (const auto& [edge, serial] : edges)
      text += " " + std::to_string(edge.first) + "→" + std::to_string(edge.second) + "#" + std::to_string(serial);
    return text.empty() ? " (none)" : text;
  }
};

std::string describe(const std::vector<LockGraph::Edge>& cycle) {
  std::string text;
  for (const auto& e : cycle)
    text += " " + std::to_string(e.from_id) + "→" + std::to_string(e.to_id) + "#" + std::to_string(e.thread);
  return text.empty() ? " (none)" : text;
}

// Random graphs of up to 8 nodes built edge by edge, with some forget()s in
// between. locks.cpp never adds a self-edge (it skips a lock the thread
// already holds), so neither does this.
RACELAB_PROP(LockGraphProperty, AddReturnsACycleExactlyWhenTheNewEdgeClosesOne, 300, ()) {
  const int n = *rc::gen::inRange(2, 9);
  const int steps = *rc::gen::inRange(0, 64);
  LockGraph graph;
  GraphModel model;
  std::string history;
  int cycles = 0;
  for (int serial = 1; serial <= steps; ++serial) {
    if (*rc::gen::inRange(0, 8) == 0) {  // about one step in 8
      const int gone = *rc::gen::inRange(0, n);
      graph.forget(node(gone));
      model.forget(gone);
      history += " forget(" + std::to_string(gone) + ")";
      continue;
    }
    const int from = *rc::gen::inRange(0, n);
    const int to = (from + *rc::gen::inRange(1, n)) % n;
    history += " add(" + std::to_string(from) + "→" + std::to_string(to) + "#" + std::to_string(serial) + ")";
    const std::string before = model.describe();

    const LockGraph::Edge edge{.from_pc = static_cast<std::uintptr_t>(serial),
                               .to_pc = static_cast<std::uintptr_t>(serial),
                               .thread = serial,
                               .from_id = from,
                               .to_id = to};
    const std::vector<LockGraph::Edge> cycle = graph.add(node(from), node(to), edge);

    const auto fail = [&](const std::string& what) {
      RC_FAIL(what + "\n  steps:" + history + "\n  edges before:" + before +
              "\n  edges after:" + model.describe() + "\n  returned cycle:" + describe(cycle));
    };
    if (model.edges.contains({from, to})) {  // already there: ignored
      if (!cycle.empty()) fail("add() of an edge already present returned a cycle");
      continue;
    }
    model.edges.emplace(std::pair{from, to}, serial);
    const bool closes = model.reaches(to, from);
    if (closes && cycle.empty()) fail("the new edge closes a cycle, but add() returned none");
    if (!closes && !cycle.empty()) fail("the new edge closes no cycle, but add() returned one");
    if (cycle.empty()) continue;
    ++cycles;

    // A real cycle of the graph as it is now: the new edge first, each edge
    // present (with the payload it was added with), chained, back at `from`,
    // no node twice.
    if (cycle.front().thread != serial || cycle.front().from_id != from || cycle.front().to_id != to)
      fail("the cycle does not start with the new edge");
    std::set<int> nodes;
    for (std::size_t k = 0; k < cycle.size(); ++k) {
      const auto& e = cycle[k];
      const auto present = model.edges.find({e.from_id, e.to_id});
      if (present == model.edges.end() || present->second != e.thread ||
          e.from_pc != static_cast<std::uintptr_t>(e.thread))
        fail("edge " + std::to_string(k) + " of the cycle is not an edge of the graph");
      if (k + 1 < cycle.size() && e.to_id != cycle[k + 1].from_id)
        fail("edges " + std::to_string(k) + " and " + std::to_string(k + 1) + " do not chain");
      if (!nodes.insert(e.from_id).second) fail("the cycle passes a node twice");
    }
    if (cycle.back().to_id != from) fail("the cycle does not end where the new edge starts");
  }
  RC_TAG(cycles == 0 ? "no cycle" : cycles < 5 ? "1-4 cycles" : "5+ cycles");
}

// ============================================================================
// 2. Shards and chunks of run indices.
// ============================================================================

using racelab::driver::chunk_range;
using racelab::driver::shard_range;

__extension__ typedef __int128 Int128;

// The reference: the split points in exact (128-bit) arithmetic.
std::int64_t exact_split(std::int64_t lo, std::int64_t hi, std::int64_t k, std::int64_t n) {
  return static_cast<std::int64_t>(lo + static_cast<Int128>(hi - lo) * k / n);
}

struct Range {
  std::int64_t first;
  std::int64_t end;
  int shard;
  int chunk;
};

RACELAB_PROP(CampaignPartition, ShardsAndChunksTileTheRunIndicesExactlyOnce, 300, ()) {
  constexpr std::int64_t k2to40 = std::int64_t{1} << 40;  // an open-ended time budget's range
  const std::int64_t total = *rc::gen::oneOf(
      rc::gen::inRange<std::int64_t>(0, 300),  // small enough to check every index
      rc::gen::inRange<std::int64_t>(0, 1'000'001),
      rc::gen::inRange<std::int64_t>(1, 100'000'001),  // up to `run --runs`'s limit
      rc::gen::inRange<std::int64_t>(k2to40 - 5000, k2to40 + 5001));
  const int count = *rc::gen::inRange(1, 65);
  const int pieces = *rc::gen::inRange(1, 17);

  std::vector<Range> ranges;  // every (shard, chunk), in order
  std::int64_t shard_expected_first = 0;
  std::int64_t smallest_shard = total;
  std::int64_t largest_shard = 0;
  for (int i = 0; i < count; ++i) {
    const auto [lo, hi] = shard_range(total, i, count);
    RC_ASSERT(lo == exact_split(0, total, i, count));
    RC_ASSERT(hi == exact_split(0, total, i + 1, count));
    RC_ASSERT(lo == shard_expected_first);  // in order, no gap, no overlap
    RC_ASSERT(lo <= hi);
    shard_expected_first = hi;
    smallest_shard = std::min(smallest_shard, hi - lo);
    largest_shard = std::max(largest_shard, hi - lo);

    std::int64_t chunk_expected_first = lo;
    std::int64_t smallest_chunk = hi - lo;
    std::int64_t largest_chunk = 0;
    for (int p = 0; p < pieces; ++p) {
      const auto [first, end] = chunk_range(lo, hi, pieces, p);
      RC_ASSERT(first == exact_split(lo, hi, p, pieces));
      RC_ASSERT(end == exact_split(lo, hi, p + 1, pieces));
      RC_ASSERT(first == chunk_expected_first);
      RC_ASSERT(first <= end);
      chunk_expected_first = end;
      smallest_chunk = std::min(smallest_chunk, end - first);
      largest_chunk = std::max(largest_chunk, end - first);
      ranges.push_back({first, end, i, p});
    }
    RC_ASSERT(chunk_expected_first == hi);  // the chunks cover the shard
    RC_ASSERT(largest_chunk - smallest_chunk <= 1);
  }
  RC_ASSERT(shard_expected_first == total);  // the shards cover [0, total)
  RC_ASSERT(largest_shard - smallest_shard <= 1);

  // Every run index in exactly one (shard, chunk), by brute force: all of
  // them when there are few; else both ends of every shard and some at random.
  std::vector<std::int64_t> indices;
  if (total <= 300) {
    for (std::int64_t x = 0; x < total; ++x) indices.push_back(x);
  } else {
    for (int i = 0; i < count; ++i) {
      const std::int64_t lo = exact_split(0, total, i, count);
      const std::int64_t hi = exact_split(0, total, i + 1, count);
      if (lo < hi) indices.insert(indices.end(), {lo, hi - 1});
    }
    for (int k = 0; k < 32; ++k) indices.push_back(*rc::gen::inRange<std::int64_t>(0, total));
  }
  for (const std::int64_t x : indices) {
    int holders = 0;
    for (const Range& r : ranges) holders += r.first <= x && x < r.end;
    if (holders != 1)
      RC_FAIL("run index " + std::to_string(x) + " is in " + std::to_string(holders) +
              " (shard, chunk) ranges");
  }
  RC_TAG(total <= 300 ? "total <= 300" : total <= 100'000'000 ? "total <= 1e8" : "total ~ 2^40");
}

// ============================================================================
// 3. Signatures of TSan findings.
// ============================================================================

using racelab::report::Finding;
using racelab::report::parse_tsan_log;
using racelab::report::signature;
using racelab::report::TsanLog;

enum class Kind { data_race, heap_use_after_free, lock_order_inversion, thread_leak };

std::string_view headline_of(Kind k) {
  switch (k) {
    case Kind::data_race: return "data race";
    case Kind::heap_use_after_free: return "heap-use-after-free";
    case Kind::lock_order_inversion: return "lock-order-inversion (potential deadlock)";
    case Kind::thread_leak: return "thread leak";
  }
  return "";
}

std::string_view kind_name(Kind k) {
  switch (k) {
    case Kind::data_race: return "data-race";
    case Kind::heap_use_after_free: return "heap-use-after-free";
    case Kind::lock_order_inversion: return "lock-order-inversion";
    case Kind::thread_leak: return "thread-leak";
  }
  return "";
}

// One `#N function file:line:col (module+0x…)` line, before the numbers.
struct FrameSpec {
  std::string function;  ///< empty: `<null>`
  std::string file;      ///< empty: `<null>`; else printed with :line[:col]
  std::string module;
  bool user = false;  ///< a frame of the program itself: what signatures are made of
};

struct StackSpec {
  std::string access = "write";  ///< races: write, read, atomic write, atomic read
  int size = 4;
  int mutexes_held = 0;  ///< races: `(mutexes: write M…, …)` in the title
  std::vector<FrameSpec> frames;
};

// The parts of a report that say which bug it is; Noise has the rest.
struct ReportSpec {
  Kind kind = Kind::data_race;
  std::string program;
  std::vector<StackSpec> access;  ///< 2, or 1 for a thread leak (the leaked thread's creation)
  std::vector<StackSpec> held;    ///< lock-order: "previously acquired" stacks (second_deadlock_stack=1)
  std::vector<StackSpec> threads; ///< "Thread T… created by … at:" blocks
  std::optional<StackSpec> heap_block;     ///< data race: a heap location, else a global
  std::optional<StackSpec> mutex_created;  ///< "Mutex M… (0x…) created at:"
  std::optional<StackSpec> sleep;          ///< "As if synchronized via sleep:"
  std::string global = "counter";
};

// What must not change a signature.
struct Noise {
  bool addresses = false;  ///< 0x… in titles, locations, the cycle line
  bool pids = false;
  bool tids = false;
  bool threads = false;  ///< T<n> (and "main thread")
  bool mutexes = false;  ///< M<n>
  bool offsets = false;  ///< (module+0x…)
  bool build_ids = false;
  bool lines = false;    ///< line and column numbers
  bool columns = false;  ///< some frames without a column
  bool ansi = false;     ///< TSan's colours (TSAN_OPTIONS=color=always)
  bool crlf = false;
  bool second_deadlock_stack = false;  ///< lock-order: the "previously acquired" stacks
  std::vector<std::pair<int, std::string>> output;  ///< program output: (where, line)
  std::uint64_t seed = 0;                           ///< the numbers, when they vary
};

void showValue(const FrameSpec& f, std::ostream& os) {
  os << (f.user ? "[user] " : "") << (f.function.empty() ? "<null>" : f.function) << " @ "
     << (f.file.empty() ? "<null>" : f.file) << " (" << f.module << ")";
}

void showValue(const StackSpec& s, std::ostream& os) {
  os << s.access << " of size " << s.size << ", " << s.mutexes_held << " mutexes held:";
  for (const auto& f : s.frames) {
    os << "\n      ";
    showValue(f, os);
  }
}

void showValue(const ReportSpec& r, std::ostream& os) {
  os << kind_name(r.kind) << " in " << r.program;
  for (const auto& s : r.access) {
    os << "\n    access ";
    showValue(s, os);
  }
  os << "\n    (" << r.held.size() << " held, " << r.threads.size() << " thread stacks"
     << (r.heap_block ? ", a heap block" : "") << (r.mutex_created ? ", a mutex" : "")
     << (r.sleep ? ", a sleep" : "") << ")";
}

void showValue(const Noise& n, std::ostream& os) {
  os << "addresses=" << n.addresses << " pids=" << n.pids << " tids=" << n.tids << " threads=" << n.threads
     << " mutexes=" << n.mutexes << " offsets=" << n.offsets << " build_ids=" << n.build_ids
     << " lines=" << n.lines << " columns=" << n.columns << " ansi=" << n.ansi << " crlf=" << n.crlf
     << " second_deadlock_stack=" << n.second_deadlock_stack << " seed=" << n.seed << " output=[";
  for (const auto& [where, line] : n.output) os << " " << where << ":\"" << line << "\"";
  os << " ]";
}

// ---- generators ----

// Words for the program's own names. "clone", "start" and "thread" are as
// ordinary there as any other (clone_account(), start_workers()).
const std::vector<std::string> kWords = {
    "account", "balance", "buffer", "cache",  "clone", "counter", "deposit", "flush", "insert",
    "list",    "lookup",  "node",   "pop",    "push",  "queue",   "reader",  "run",   "start",
    "state",   "swap",    "table",  "thread", "tick",  "transfer", "update", "worker", "writer"};
const std::vector<std::string> kClasses = {"Account", "Bank",  "Cache",  "Counter", "Logger",
                                           "Node",    "Queue", "Ring",   "Table",   "WorkQueue"};
const std::vector<std::string> kTypes = {"int", "Account*", "Node const*", "unsigned long", "char const*",
                                         "std::vector<int, std::allocator<int>>&", "Queue<int>&"};
const std::vector<std::string> kDirs = {"src", "lib", "app", "core", "net", "tests", "cases",
                                        "01_lost_update", "util", "include", "detail", "impl"};
const std::vector<std::string> kExtensions = {".cpp", ".cc", ".cxx", ".h", ".hpp"};

rc::Gen<std::string> gen_identifier() {
  return rc::gen::exec([] {
    std::string name = *rc::gen::elementOf(kWords);
    const int more = *rc::gen::inRange(0, 3);
    for (int i = 0; i < more; ++i) name += "_" + *rc::gen::elementOf(kWords);
    return name;
  });
}

rc::Gen<std::string> gen_parameters() {
  return rc::gen::exec([] {
    const int n = *rc::gen::inRange(0, 3);
    std::string text;
    for (int i = 0; i < n; ++i) text += (i == 0 ? "" : ", ") + *rc::gen::elementOf(kTypes);
    return "(" + text + ")";
  });
}

// A function of the program, as TSan prints it (demangled).
rc::Gen<std::string> gen_function() {
  return rc::gen::exec([]() -> std::string {
    switch (*rc::gen::inRange(0, 6)) {
      case 0: return *gen_identifier() + *gen_parameters();
      case 1:
        return *rc::gen::elementOf(kClasses) + "::" + *gen_identifier() + *gen_parameters() +
               (*rc::gen::arbitrary<bool>() ? " const" : "");
      case 2: return "(anonymous namespace)::" + *gen_identifier() + *gen_parameters();
      case 3:
        return "app::" + *rc::gen::elementOf(kClasses) + "::" + *gen_identifier() + *gen_parameters() +
               "::$_" + std::to_string(*rc::gen::inRange(0, 4)) + "::operator()() const";
      case 4:
        return "void " + *rc::gen::elementOf(kClasses) + "<" + *rc::gen::elementOf(kTypes) + ">::" +
               *gen_identifier() + "<int>" + *gen_parameters();
      default: return "main";
    }
  });
}

rc::Gen<std::string> gen_file() {
  return rc::gen::exec([] {
    std::string path = *rc::gen::element<std::string>("", "/home/ci/work/", "/src/project/", "../");
    const int depth = *rc::gen::inRange(0, 3);
    for (int i = 0; i < depth; ++i) path += *rc::gen::elementOf(kDirs) + "/";
    return path + *gen_identifier() + *rc::gen::elementOf(kExtensions);
  });
}

rc::Gen<FrameSpec> gen_user_frame(const std::string& program) {
  return rc::gen::exec([program] { return FrameSpec{*gen_function(), *gen_file(), program, true}; });
}

// Frames that are not the program's: TSan's runtime and interceptors, the
// standard libraries, racelab's primitives, thread start-up. `P` is the
// program's module (interceptors are linked into it).
const std::string kP = "@program";
const std::string kStd = "/usr/lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/";
const std::vector<FrameSpec> kAccessTop = {
    {"memcpy", "", kP},
    {"__tsan_memcpy", "/build/llvm-19/compiler-rt/lib/tsan/rtl/tsan_interceptors_memintrinsics.cpp", kP},
    {"std::vector<int, std::allocator<int>>::push_back(int const&)", kStd + "stl_vector.h", kP},
    {"racelab::detail::interleave(std::source_location)", "/work/main/harness/src/strategy.cpp", kP}};
const std::vector<FrameSpec> kLockTop = {
    {"pthread_mutex_lock", "", kP},
    {"racelab::mutex::lock(std::source_location)", "/work/main/harness/include/racelab/mutex.h", kP},
    {"std::mutex::lock()", kStd + "std_mutex.h", kP}};
const std::vector<FrameSpec> kFreeTop = {{"operator delete(void*, unsigned long)", "", kP}, {"free", "", kP}};
const std::vector<FrameSpec> kAllocTop = {{"operator new(unsigned long)", "", kP}, {"malloc", "", kP}};
const std::vector<FrameSpec> kCreateTop = {
    {"pthread_create", "", kP},
    {"racelab::thread::thread<void (&)()>(void (&)())", "/work/main/harness/include/racelab/thread.h", kP}};
const std::vector<FrameSpec> kSleepTop = {{"usleep", "", kP}, {"nanosleep", "", kP}};
const std::vector<FrameSpec> kBetween = {
    {"std::function<void ()>::operator()() const", kStd + "std_function.h", kP},
    {"void std::__invoke_impl<void, void (*)()>(std::__invoke_other, void (*&&)())", kStd + "invoke.h", kP}};
const std::vector<FrameSpec> kThreadBottom = {
    {"std::thread::_State_impl<std::thread::_Invoker<std::tuple<void (*)()>>>::_M_run()",
     kStd + "std_thread.h", kP},
    {"", "", "libstdc++.so.6"},
    {"start_thread", "nptl/pthread_create.c", "libc.so.6"},
    {"clone3", "../sysdeps/unix/sysv/linux/x86_64/clone3.S", "libc.so.6"}};
const std::vector<FrameSpec> kMainBottom = {
    {"__libc_start_call_main", "csu/../sysdeps/nptl/libc_start_call_main.h", "libc.so.6"},
    {"__libc_start_main_impl", "csu/../csu/libc-start.c", "libc.so.6"},
    {"_start", "", kP}};

// A stack: some of `top`, then [min_user, max_user] user frames with library
// frames in between, then the bottom of a thread or of main.
rc::Gen<StackSpec> gen_stack(std::string program, const std::vector<FrameSpec>* top, int min_user,
                             int max_user) {
  return rc::gen::exec([=] {
    StackSpec stack;
    const auto add = [&](FrameSpec f) {
      if (f.module == kP) f.module = program;
      stack.frames.push_back(std::move(f));
    };
    if (top != nullptr && !top->empty()) {
      const int n = *rc::gen::inRange(0, 3);
      for (int i = 0; i < n; ++i) add(*rc::gen::elementOf(*top));
    }
    const int users = *rc::gen::inRange(min_user, max_user + 1);
    for (int i = 0; i < users; ++i) {
      if (i > 0 && *rc::gen::inRange(0, 4) == 0) add(*rc::gen::elementOf(kBetween));
      stack.frames.push_back(*gen_user_frame(program));
    }
    if (stack.frames.empty()) stack.frames.push_back(*gen_user_frame(program));  // TSan prints no empty stack
    const auto& bottom = *rc::gen::arbitrary<bool>() ? kThreadBottom : kMainBottom;
    const int n = *rc::gen::inRange(0, static_cast<int>(bottom.size()) + 1);
    for (int i = 0; i < n; ++i) add(bottom[static_cast<std::size_t>(i)]);
    stack.access = *rc::gen::element<std::string>("write", "read", "atomic write", "atomic read");
    stack.size = *rc::gen::element(1, 2, 4, 8);
    stack.mutexes_held = *rc::gen::inRange(0, 3);
    return stack;
  });
}

rc::Gen<ReportSpec> gen_report(std::optional<Kind> only = std::nullopt) {
  return rc::gen::exec([only] {
    ReportSpec r;
    r.kind = only ? *only
                  : *rc::gen::element(Kind::data_race, Kind::heap_use_after_free,
                                      Kind::lock_order_inversion, Kind::thread_leak);
    r.program = *rc::gen::element<std::string>("case_01_lost_update", "tsan_report_kinds", "a.out");
    const std::string& p = r.program;
    switch (r.kind) {
      case Kind::data_race:
        r.access = {*gen_stack(p, &kAccessTop, 1, 5), *gen_stack(p, &kAccessTop, 1, 5)};
        if (*rc::gen::arbitrary<bool>()) r.heap_block = *gen_stack(p, &kAllocTop, 0, 3);
        if (*rc::gen::arbitrary<bool>()) r.mutex_created = *gen_stack(p, nullptr, 0, 3);
        if (*rc::gen::inRange(0, 4) == 0) r.sleep = *gen_stack(p, &kSleepTop, 0, 2);
        r.global = *gen_identifier();
        break;
      case Kind::heap_use_after_free:
        r.access = {*gen_stack(p, &kAccessTop, 1, 5), *gen_stack(p, &kFreeTop, 1, 5)};
        break;
      case Kind::lock_order_inversion:
        r.access = {*gen_stack(p, &kLockTop, 1, 5), *gen_stack(p, &kLockTop, 1, 5)};
        r.held = {*gen_stack(p, &kLockTop, 1, 4), *gen_stack(p, &kLockTop, 1, 4)};
        break;
      case Kind::thread_leak:
        r.access = {*gen_stack(p, &kCreateTop, 1, 5)};
        break;
    }
    if (r.kind != Kind::thread_leak) {
      const int n = *rc::gen::inRange(0, 3);
      for (int i = 0; i < n; ++i) r.threads.push_back(*gen_stack(p, &kCreateTop, 0, 3));
    }
    return r;
  });
}

// Lines a program under test might print among TSan's (to the same stderr):
// at the margin, indented, ending with a colon like a title, starting with '#'.
rc::Gen<std::string> gen_output_line() {
  return rc::gen::exec([] {
    const std::string n = std::to_string(*rc::gen::inRange(0, 1000));
    return *rc::gen::element<std::string>("value = " + n, "[worker " + n + "] iteration done",
                                          "Starting " + n + " workers:", "  progress " + n + "%",
                                          "  results for run " + n + ":", "#" + n + " of 10 done", "",
                                          "\tdone", "total: " + n, "    at step " + n);
  });
}

rc::Gen<Noise> gen_noise() {
  return rc::gen::exec([] {
    Noise n;
    n.addresses = *rc::gen::arbitrary<bool>();
    n.pids = *rc::gen::arbitrary<bool>();
    n.tids = *rc::gen::arbitrary<bool>();
    n.threads = *rc::gen::arbitrary<bool>();
    n.mutexes = *rc::gen::arbitrary<bool>();
    n.offsets = *rc::gen::arbitrary<bool>();
    n.build_ids = *rc::gen::arbitrary<bool>();
    n.lines = *rc::gen::arbitrary<bool>();
    n.columns = *rc::gen::arbitrary<bool>();
    n.ansi = *rc::gen::arbitrary<bool>();
    n.crlf = *rc::gen::arbitrary<bool>();
    n.second_deadlock_stack = *rc::gen::arbitrary<bool>();
    const int lines = *rc::gen::inRange(0, 8);
    for (int i = 0; i < lines; ++i) n.output.emplace_back(*rc::gen::inRange(0, 1000), *gen_output_line());
    n.seed = *rc::gen::arbitrary<std::uint64_t>();
    return n;
  });
}

// ---- rendering: the text TSan prints (tsan_report.cpp), with the noise ----

constexpr std::string_view kRed = "\x1b[1m\x1b[31m";
constexpr std::string_view kBlue = "\x1b[1m\x1b[34m";
constexpr std::string_view kGreen = "\x1b[1m\x1b[32m";
constexpr std::string_view kCyan = "\x1b[1m\x1b[36m";
constexpr std::string_view kMagenta = "\x1b[1m\x1b[35m";
constexpr std::string_view kDefault = "\x1b[1m\x1b[0m";

std::string capitalized(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

class Renderer {
 public:
  explicit Renderer(const Noise& noise) : noise_(noise), rng_(noise.seed) {}

  // `swapped`: the two access stacks (and their held stacks) the other way round.
  std::string render(ReportSpec r, bool swapped) {
    if (swapped && r.access.size() == 2) std::swap(r.access[0], r.access[1]);
    if (swapped && r.held.size() == 2) std::swap(r.held[0], r.held[1]);
    lines_.clear();
    line("==================");
    line("WARNING: ThreadSanitizer: " + std::string(headline_of(r.kind)) + " (pid=" + pid() + ")", kRed);
    const std::string first_thread = thread(1);
    const std::string second_thread = thread(2);
    switch (r.kind) {
      case Kind::data_race:
      case Kind::heap_use_after_free: {
        const std::string address = this->address();
        for (int k = 0; k < 2; ++k) {
          const StackSpec& s = r.access[static_cast<std::size_t>(k)];
          std::string mutexes;
          for (int m = 0; m < s.mutexes_held; ++m)
            mutexes += (m == 0 ? " (mutexes: " : ", ") + std::string(m % 2 == 0 ? "write " : "read ") +
                       mutex(10 + m);
          if (!mutexes.empty()) mutexes += ")";
          const std::string access = k == 0 ? capitalized(s.access) : "Previous " + s.access;
          title(access + " of size " + std::to_string(s.size) + " at " + address + " by " +
                    (k == 0 ? first_thread : second_thread) + mutexes + ":",
                kBlue);
          stack(s);
        }
        if (r.kind == Kind::data_race) {
          if (r.heap_block) {
            title("Location is heap block of size 16 at " + address + " allocated by " + thread(3) + ":", kGreen);
            stack(*r.heap_block);
          } else {
            title("Location is global '" + r.global + "' of size 4 at " + address + " (" + r.program + "+" +
                      offset() + ")",
                  kGreen);
            line("");
          }
          if (r.mutex_created) {
            title("Mutex " + mutex(10) + " (" + this->address() + ") created at:", kMagenta);
            stack(*r.mutex_created);
          }
          if (r.sleep) {
            title("As if synchronized via sleep:", kDefault);
            stack(*r.sleep);
          }
        }
        break;
      }
      case Kind::lock_order_inversion: {
        const std::string m0 = mutex(0);
        const std::string m1 = mutex(1);
        line("  Cycle in lock order graph: " + m0 + " (" + address() + ") => " + m1 + " (" + address() +
             ") => " + m0);
        line("");
        const std::string in[2] = {first_thread, second_thread};
        const std::string took[2] = {m1, m0};
        const std::string holding[2] = {m0, m1};
        for (std::size_t k = 0; k < 2; ++k) {
          title("Mutex " + took[k] + " acquired here while holding mutex " + holding[k] + " in " + in[k] + ":",
                kMagenta);
          stack(r.access[k]);
          if (noise_.second_deadlock_stack) {
            title("Mutex " + holding[k] + " previously acquired by the same thread here:", kMagenta);
            stack(r.held[k]);
          }
        }
        break;
      }
      case Kind::thread_leak:
        title("Thread " + numbered_thread(1) + " (tid=" + tid() + ", finished) created by main thread at:", kCyan);
        stack(r.access[0]);
        break;
    }
    for (std::size_t k = 0; k < r.threads.size(); ++k) {
      title("Thread " + numbered_thread(static_cast<int>(k) + 1) + " (tid=" + tid() + ", " +
                (k % 2 == 0 ? "running" : "finished") + ") created by " + (k == 0 ? "main thread" : thread(4)) +
                " at:",
            kCyan);
      stack(r.threads[k]);
    }
    line("SUMMARY: ThreadSanitizer: " + std::string(headline_of(r.kind)) + " " + summary_where(r));
    line("==================");
    line("ThreadSanitizer: reported 1 warnings");

    // The program's own output, among TSan's lines.
    for (const auto& [where, text] : noise_.output) {
      const auto at = static_cast<std::size_t>(where) % (lines_.size() + 1);
      lines_.insert(lines_.begin() + static_cast<std::ptrdiff_t>(at), text);
    }
    std::string text;
    for (const std::string& l : lines_) text += l + (noise_.crlf ? "\r\n" : "\n");
    return text;
  }

 private:
  std::uint64_t draw(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  static std::string hex(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
  }

  std::string address() {
    return noise_.addresses ? hex(draw(0x100000000000, 0x7fffffffffff)) : "0x7b0400000010";
  }
  std::string pid() { return std::to_string(noise_.pids ? draw(2, 4194304) : 4242); }
  std::string tid() { return std::to_string(noise_.tids ? draw(2, 4194304) : 4245); }
  // "thread T<n>" or "main thread": role r is T<r> unless the numbers vary.
  std::string thread(int role) {
    const std::uint64_t n = noise_.threads ? draw(0, 40) : static_cast<std::uint64_t>(role);
    return n == 0 ? "main thread" : "thread T" + std::to_string(n);
  }
  std::string numbered_thread(int role) {
    return "T" + std::to_string(noise_.threads ? draw(1, 40) : static_cast<std::uint64_t>(role));
  }
  std::string mutex(int role) {
    return "M" + std::to_string(noise_.mutexes ? draw(0, 500) : static_cast<std::uint64_t>(role));
  }
  std::string offset() { return noise_.offsets ? hex(draw(0x100, 0xfffff)) : "0x1000"; }
  std::string build_id() {
    if (!noise_.build_ids) return "";
    return " (BuildId: " + hex(draw(0, ~std::uint64_t{0})).substr(2) + hex(draw(0, ~std::uint64_t{0})).substr(2) +
           ")";
  }
  std::string where(const std::string& file) {
    std::string text = file + ":" + std::to_string(noise_.lines ? draw(1, 5000) : 10);
    if (!noise_.columns || draw(0, 1) == 0) text += ":" + std::to_string(noise_.lines ? draw(1, 120) : 5);
    return text;
  }

  std::string summary_where(const ReportSpec& r) {
    if (r.kind == Kind::data_race || r.kind == Kind::heap_use_after_free)
      for (const FrameSpec& f : r.access[0].frames)
        if (f.user) return where(f.file) + " in " + f.function;
    const char* function = r.kind == Kind::thread_leak ? "pthread_create" : "pthread_mutex_lock";
    return "(" + r.program + "+" + offset() + ")" + build_id() + " in " + function;
  }

  // A line in `colour` when colours are on; TSan resets the colour at the
  // start of the next one.
  void line(std::string text, std::string_view colour = {}) {
    if (reset_next_) text = std::string(kDefault) + text;
    reset_next_ = false;
    if (noise_.ansi && !colour.empty()) {
      text = std::string(colour) + text;
      reset_next_ = true;
    }
    lines_.push_back(std::move(text));
  }
  void title(const std::string& text, std::string_view colour) { line("  " + text, colour); }

  void stack(const StackSpec& s) {
    for (std::size_t i = 0; i < s.frames.size(); ++i) {
      const FrameSpec& f = s.frames[i];
      line("    #" + std::to_string(i) + " " + (f.function.empty() ? "<null>" : f.function) + " " +
           (f.file.empty() ? "<null>" : where(f.file)) + " (" + f.module + "+" + offset() + ")" + build_id());
    }
    line("");
  }

  const Noise& noise_;
  std::mt19937_64 rng_;
  std::vector<std::string> lines_;
  bool reset_next_ = false;
};

std::string render(const ReportSpec& r, const Noise& noise, bool swapped = false) {
  return Renderer(noise).render(r, swapped);
}

// The reference: the kind, then for each access stack its top three user
// frames as function@file-basename (a template instantiation's function
// without its arguments, signature_function()), the stacks in sorted order.
std::string expected_signature(const ReportSpec& r) {
  std::vector<std::string> keys;
  for (const StackSpec& s : r.access) {
    std::string key;
    int n = 0;
    for (const FrameSpec& f : s.frames) {
      if (!f.user) continue;
      if (n++ == 3) break;
      key += (key.empty() ? "" : ";") + racelab::report::signature_function(f.function) + "@" +
             f.file.substr(f.file.rfind('/') + 1);
    }
    keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  std::string sig(kind_name(r.kind));
  for (const std::string& k : keys) sig += "|" + k;
  return sig;
}

// The one finding in `text`, checked to be whole and of the right kind.
Finding the_finding(const std::string& text, Kind kind) {
  const TsanLog log = parse_tsan_log(text);
  if (log.findings.size() != 1)
    RC_FAIL("parsed " + std::to_string(log.findings.size()) + " findings from:\n" + text);
  const Finding& f = log.findings.front();
  if (f.kind != kind_name(kind) || f.truncated)
    RC_FAIL("parsed a " + f.kind + (f.truncated ? " (truncated)" : "") + " finding from:\n" + text);
  return f;
}

// With racelab's runtime frames named, as every result racelab makes names them.
std::string signature_of(const std::string& text, Kind kind) {
  return signature(the_finding(text, kind), racelab::driver::racelab_runtime_frames());
}

RACELAB_PROP(TsanSignature, IsTheKindAndTheTopThreeUserFramesOfEachAccessStack, 300, ()) {
  const ReportSpec report = *gen_report();
  const Noise noise = *gen_noise();
  const std::string text = render(report, noise);
  const std::string sig = signature_of(text, report.kind);
  const std::string expected = expected_signature(report);
  if (sig != expected) RC_FAIL("signature " + sig + "\n expected " + expected + "\nof:\n" + text);
  RC_TAG(std::string(kind_name(report.kind)));
}

RACELAB_PROP(TsanSignature, IgnoresAddressesIdsNumbersOffsetsOutputAndColours, 300, ()) {
  const ReportSpec report = *gen_report();
  const Noise noise = *gen_noise();
  const std::string plain = render(report, Noise{});
  const std::string noisy = render(report, noise);
  const std::string a = signature_of(plain, report.kind);
  const std::string b = signature_of(noisy, report.kind);
  if (a != b) RC_FAIL("signatures differ:\n  " + a + "\n  " + b + "\nof:\n" + plain + "\nand:\n" + noisy);
  RC_ASSERT(a.starts_with(std::string(kind_name(report.kind)) + "|"));
  RC_TAG(std::string(kind_name(report.kind)));
}

RACELAB_PROP(TsanSignature, IsTheSameWhicheverAccessStackComesFirst, 300, ()) {
  const Kind kind = *rc::gen::element(Kind::data_race, Kind::heap_use_after_free, Kind::lock_order_inversion);
  const ReportSpec report = *gen_report(kind);
  const Noise first = *gen_noise();
  const Noise second = *gen_noise();
  const std::string text = render(report, first);
  const std::string swapped = render(report, second, /*swapped=*/true);
  const std::string a = signature_of(text, kind);
  const std::string b = signature_of(swapped, kind);
  if (a != b) RC_FAIL("signatures differ:\n  " + a + "\n  " + b + "\nof:\n" + text + "\nand:\n" + swapped);
  RC_TAG(std::string(kind_name(kind)));
}

RACELAB_PROP(TsanSignature, ChangesWhenAFunctionInTheTopUserFramesChanges, 300, ()) {
  const ReportSpec report = *gen_report();
  // One of the top three user frames of one access stack gets another name.
  ReportSpec changed = report;
  StackSpec& s = changed.access[*rc::gen::inRange<std::size_t>(0, 2) % changed.access.size()];
  std::vector<std::size_t> users;  // indices: a generated value may outlive this run's frames
  for (std::size_t i = 0; i < s.frames.size(); ++i)
    if (s.frames[i].user && users.size() < 3) users.push_back(i);
  FrameSpec& frame = s.frames[users[*rc::gen::inRange<std::size_t>(0, users.size()) % users.size()]];
  const std::string old_name = frame.function;
  frame.function = *rc::gen::suchThat(gen_function(), [&](const std::string& n) { return n != old_name; });

  const std::string before = render(report, *gen_noise());
  const std::string after = render(changed, *gen_noise());
  const std::string a = signature_of(before, report.kind);
  const std::string b = signature_of(after, report.kind);
  if (a == b)
    RC_FAIL("renaming " + old_name + " to " + frame.function + " left the signature at\n  " + a + "\nof:\n" +
            before + "\nand:\n" + after);
  RC_TAG(std::string(kind_name(report.kind)));
}

}  // namespace
