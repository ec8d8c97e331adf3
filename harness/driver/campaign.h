// campaign.h — running case × variants through worker processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "catalogue.h"
#include "process.h"
#include "racelab/report/summary.h"
#include "racelab/verdict.h"

namespace racelab::driver {

struct CampaignOptions {
  std::optional<std::int64_t> runs;  ///< per variant; unset: the variant's own budget
  std::optional<double> time_s;      ///< wall time for the whole campaign, from `started`
  /// When the budget starts counting: the command's start (so loading the
  /// catalogue is part of it).
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  int jobs = 1;                      ///< worker processes at once
  int shard_index = 0;               ///< this shard runs indices [i·N/n, (i+1)·N/n)
  int shard_count = 1;
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::portfolio;
  int pct_depth = 3;
  double timeout_s = 0;  ///< per run; 0: the case program's default
  bool stop_on_first = false;
  /// When set, replaces stop_on_first's test (a failing run): a variant stops
  /// after the first run this accepts. It is called with every run counted,
  /// in index order within a chain, and the log path base of the worker that
  /// ran it (see `wrapper`).
  std::function<bool(const CaseProgram&, Variant, const RunRecord&, const std::string& worker_log)>
      stop_when;
  int chains = 0;       ///< worker chains per variant; 0: as many as `jobs`
  bool plain = false;   ///< workers run with --plain (racelab's own checks off)
  std::string tsan_options;  ///< added to the workers' TSAN_OPTIONS (the user's still win)
  /// Put before every worker's command line (e.g. valgrind and its options);
  /// "{log}" in an element becomes the worker's log path base (its TSan log
  /// is <base>.tsan.<pid>, its output <base>.out).
  std::vector<std::string> wrapper;
  std::string out_dir;  ///< logs go to out_dir/logs
  /// A worker's output and TSan log are cut to this many bytes (--max-log);
  /// a cut TSan log is a problem (findings may be lost).
  std::uint64_t max_log = kDefaultMaxLog;
};

// What the campaign reports while it runs (for a progress display).
struct Progress {
  int variants_done = 0;
  int variants = 0;
  std::int64_t runs = 0;
  std::int64_t findings = 0;  ///< failing runs so far
  double seconds = 0;
};

// shard_range()
//
// The run indices [first, end) of shard `index` of `count` (0 <= index <
// count) over [0, total): [total·index/count, total·(index+1)/count). The
// shards tile [0, total) in order; their sizes differ by at most one.
// total·count must fit in 64 bits (the driver allows count <= 1,000,000;
// totals stay below 2^41).
std::pair<std::int64_t, std::int64_t> shard_range(std::int64_t total, int index, int count);

// chunk_range()
//
// Piece `p` of `pieces` (0 <= p < pieces) contiguous chunks of [lo, hi):
// [lo + (hi-lo)·p/pieces, lo + (hi-lo)·(p+1)/pieces). The chunks tile [lo, hi)
// in order; their sizes differ by at most one. (hi-lo)·pieces must fit in
// 64 bits.
std::pair<std::int64_t, std::int64_t> chunk_range(std::int64_t lo, std::int64_t hi, std::int64_t pieces,
                                                  std::int64_t p);

// run_campaign()
//
// Runs every (program, variant) pair, up to `jobs` worker processes at once,
// in order. A variant's shard of run indices is split into contiguous chunks,
// one worker chain each (as many as `jobs`; with an open-ended time budget,
// as many as the jobs the variants leave free); a worker whose run ended the
// process (self-deadlock, hang…) or that died is replaced at the next index.
// The chunks' results fold into one VariantResult with the same totals as
// one chain over the same indices, first_failure the lowest failing index.
//
// With a time budget, each variant runs until its share is spent: what is
// left of the budget divided by the rounds of `jobs` variants still to come.
// Finished runs count; the run in flight is dropped, with its TSan reports,
// not counted. A share never ends before the variant's first run has been
// judged, so a budget too small for one run of each variant is overrun (the
// overrun comes out of the shares of the variants after it). With
// --stop-on-first, a chain stops at its first failure, and chains past the
// lowest failing index stop too.
//
// `on_done` is called with each variant's result when it is complete, in
// order; `on_progress` about five times a second. Never hangs (a worker
// silent for 3 × the per-run timeout + 10 s is killed, its run a hang), and
// leaves no process behind.
std::vector<report::VariantResult> run_campaign(
    const std::vector<std::pair<CaseProgram, Variant>>& work, const CampaignOptions& options,
    const std::function<void(const report::VariantResult&)>& on_done,
    const std::function<void(const Progress&)>& on_progress);

}  // namespace racelab::driver
