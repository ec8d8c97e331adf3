// campaign.h — running one case × variant through worker processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "catalogue.h"
#include "racelab/report/summary.h"
#include "racelab/verdict.h"

namespace racelab::driver {

struct CampaignOptions {
  std::optional<std::int64_t> runs;  ///< unset: the variant's own budget
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::yield;
  double timeout_s = 0;  ///< per run; 0: the case program's default
  bool stop_on_first = false;
  std::string out_dir;  ///< logs go to out_dir/logs
};

// run_variant()
//
// Runs `variant` of `program` for the campaign's runs in as few worker
// processes as possible: a worker whose run ended the process (self-deadlock,
// hang) or that died is replaced by a fresh one at the next run. Reads each
// worker's records and TSan log into the result. Never hangs: a worker silent
// for longer than its per-run limit allows is killed.
report::VariantResult run_variant(const CaseProgram& program, Variant variant,
                                  const CampaignOptions& options);

}  // namespace racelab::driver
