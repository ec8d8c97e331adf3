// campaign.h — running case × variants through worker processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalogue.h"
#include "racelab/report/summary.h"
#include "racelab/verdict.h"

namespace racelab::driver {

struct CampaignOptions {
  std::optional<std::int64_t> runs;  ///< per variant; unset: the variant's own budget
  std::optional<double> time_s;      ///< wall time for the whole campaign
  int jobs = 1;                      ///< worker processes at once
  int shard_index = 0;               ///< this shard runs indices [i·N/n, (i+1)·N/n)
  int shard_count = 1;
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::portfolio;
  int pct_depth = 3;
  double timeout_s = 0;  ///< per run; 0: the case program's default
  bool stop_on_first = false;
  std::string out_dir;  ///< logs go to out_dir/logs
};

// What the campaign reports while it runs (for a progress display).
struct Progress {
  int variants_done = 0;
  int variants = 0;
  std::int64_t runs = 0;
  std::int64_t findings = 0;  ///< failing runs so far
  double seconds = 0;
};

// run_campaign()
//
// Runs every (program, variant) pair, up to `jobs` worker processes at once.
// A variant's run indices are split into contiguous chunks, one worker chain
// each; a worker whose run ended the process (self-deadlock, hang…) or that
// died is replaced at the next index. With a time budget, runs go on until
// it is spent (the run in flight is dropped, not counted). `on_done` is called
// with each variant's result as soon as it is complete; `on_progress`
// about five times a second. Never hangs, and leaves no process behind.
std::vector<report::VariantResult> run_campaign(
    const std::vector<std::pair<CaseProgram, Variant>>& work, const CampaignOptions& options,
    const std::function<void(const report::VariantResult&)>& on_done,
    const std::function<void(const Progress&)>& on_progress);

}  // namespace racelab::driver
