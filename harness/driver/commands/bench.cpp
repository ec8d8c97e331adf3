// racelab bench: racelab against a plain stress run, TSan alone, helgrind and DRD.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "bench.h"
#include "command.h"
#include "process.h"
#include "racelab/report/atomic_file.h"

namespace racelab::driver {
namespace {

struct BenchArgs {
  BenchOptions options;
  bool quick = false;
  std::optional<int> trials;
  std::optional<std::int64_t> budget;
  std::optional<std::int64_t> fixed_runs;
  std::string out = "docs";
};

// racelab bench: the page, its chart and the raw figures, written whole.
int bench(const std::string& cases_dir, BenchArgs args, const std::string& command) {
  BenchOptions& o = args.options;
  o.cases_dir = cases_dir;
  o.quick = args.quick;
  o.trials = args.trials.value_or(args.quick ? 3 : 20);
  o.budget = args.budget.value_or(args.quick ? 20 : 25);
  o.fixed_runs = args.fixed_runs.value_or(args.quick ? 50 : 2000);
  o.command = command;
  std::string work = (std::filesystem::temp_directory_path() / "racelab-bench-XXXXXX").string();
  if (mkdtemp(work.data()) == nullptr) throw std::runtime_error("cannot create a work directory");
  o.work_dir = work;
  BenchResult result;
  try {
    result = run_bench(o, [](const std::string& line) {
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
    });
  } catch (...) {
    std::filesystem::remove_all(work);
    throw;
  }
  std::filesystem::remove_all(work);
  result.created = utc_now();
  const std::string md = args.out + "/benchmarks.md";
  const std::string svg = args.out + "/benchmarks.svg";
  const std::string json = args.out + "/benchmarks.json";
  report::write_atomically(svg, bench_svg(result));
  report::write_atomically(json, bench_json(result).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  report::write_atomically(md, bench_markdown(result, "benchmarks.svg"));
  std::printf("bench: %s\n       %s\n       %s\n", md.c_str(), svg.c_str(), json.c_str());
  std::size_t problems = 0;
  for (const auto& [id, by_detector] : result.buggy)
    for (const auto& [name, d] : by_detector) problems += d.problems.size();
  for (const auto& [id, by_detector] : result.fixed)
    for (const auto& [name, f] : by_detector) problems += f.problems.size();
  if (problems > 0) {
    std::printf("racelab: %zu infrastructure problem(s) during the benchmark (counted in the page)\n", problems);
    return kInfrastructure;
  }
  return kAsExpected;
}

}  // namespace

Command add_bench_command(CLI::App& app, const Context& context) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench",
      "Measure racelab against a plain stress run, TSan alone, helgrind and DRD on the "
      "catalogue (needs the TSan build's case programs and their plain twins in <cases>/plain, "
      "and valgrind): detection per buggy case (trials caught, verdict class, runs and time to "
      "the first detection), false alarms per fixed case, cost. Writes DIR/benchmarks.md, "
      "DIR/benchmarks.svg and DIR/benchmarks.json. About 13 minutes on 2 cores; --quick about "
      "1.5.\nExit codes: 0 measured; 2 usage; 3 a worker or tool failed (the page counts it).");
  cmd->add_option("cases", a->options.cases, "Cases (default: all)");
  cmd->add_flag("--quick", a->quick,
                      "3 trials of at most 20 runs per buggy variant, 50 runs per fixed one "
                      "(default: 20 trials of at most 25 runs, 2,000 runs)");
  cmd->add_option("--detectors", a->options.detectors,
                        "Only these: stress, tsan, yield, sleep, pct, portfolio, helgrind, drd")
      ->delimiter(',');
  cmd->add_option("--trials,--seeds", a->trials, "Trials (each with its own seeds) per buggy variant and detector")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--budget", a->budget, "Runs per seed before a buggy variant counts as missed")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--fixed-runs", a->fixed_runs, "Runs per fixed variant and detector")
      ->check(CLI::Range(1, 10000000));
  cmd->add_option("--jobs", a->options.jobs, "Worker processes at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--seed", a->options.seed, "Campaign seed: run i of a variant uses a seed derived from it and i")
      ->capture_default_str();
  cmd->add_option("--timeout", a->options.timeout_s,
                        "A run's time limit in seconds, for every detector (a plain run is seen to hang then)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--out", a->out, "Where the page, chart and JSON go")->capture_default_str();
  return {cmd, [&context, a] { return bench(context.cases_dir, *a, context.invocation); }};
}

}  // namespace racelab::driver
