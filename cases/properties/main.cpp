// racelab_properties — the catalogue's property campaign: each registered
// property (cases/properties/*.cpp) searched by RapidCheck, one line per
// property on stdout for the racelab driver (`racelab properties`): a
// PropertyResult of racelab/wire.h; with --list, "CASE VARIANT OBJECT".
//
//   racelab_properties --list
//   racelab_properties [--seed S] [--programs N] [--schedules K] [CASE…]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "racelab/wire.h"
#include "registry.h"

// Defined by ThreadSanitizer's runtime: its presence proves the property's
// executions (forks of this process) ran under TSan.
extern "C" void __tsan_init() __attribute__((weak));

int main(int argc, char** argv) {
  CLI::App app{"racelab_properties — the catalogue's property-based tests (RapidCheck), as JSON lines"};
  bool list = false;
  std::uint64_t seed = 1;
  int programs = 0;
  int schedules = 0;
  std::string variant = "both";
  std::vector<std::string> cases;
  app.add_flag("--list", list, "List the properties");
  app.add_option("--seed", seed, "RapidCheck seed")->capture_default_str();
  app.add_option("--programs", programs, "Programs per property (default: its own budget)")->check(CLI::Range(1, 100000));
  app.add_option("--schedules", schedules, "Executions per program (default: its own budget)")->check(CLI::Range(1, 1000));
  app.add_option("--variant", variant, "buggy, fixed or both")->check(CLI::IsMember({"buggy", "fixed", "both"}));
  app.add_option("cases", cases, "Case ids (default: all)");
  CLI11_PARSE(app, argc, argv);

  auto entries = racelab::catalogue_properties::entries();
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::pair(a.case_id, a.variant) < std::pair(b.case_id, b.variant);
  });
  for (const auto& e : entries) {
    if (!cases.empty() && std::find(cases.begin(), cases.end(), e.case_id) == cases.end()) continue;
    if (variant != "both" && variant != racelab::to_string(e.variant)) continue;
    if (list) {
      std::printf("%s %s %s\n", e.case_id.c_str(), std::string(racelab::to_string(e.variant)).c_str(),
                  e.object.c_str());
      continue;
    }
    racelab::catalogue_properties::Budget budget = e.budget;
    if (programs > 0) budget.programs = programs;
    if (schedules > 0) budget.schedules = schedules;
    const auto outcome = e.run(seed, budget);
    const racelab::PropertyResult result{.case_id = e.case_id,
                                         .object = e.object,
                                         .variant = e.variant,
                                         .seed = seed,
                                         .programs = budget.programs,
                                         .schedules = budget.schedules,
                                         .failed = outcome.failed,
                                         .verdict = outcome.verdict,
                                         .executions = outcome.executions,
                                         .counterexample = outcome.counterexample,
                                         .most_ops = static_cast<int>(outcome.most_ops),
                                         .seconds = outcome.seconds,
                                         .tsan = &__tsan_init != nullptr};
    std::printf("%s", encode(result).c_str());
    std::fflush(stdout);
  }
  return 0;
}
