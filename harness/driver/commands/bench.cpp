// racelab bench: racelab against a plain stress run, TSan alone, helgrind and DRD.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

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
  std::optional<std::string> programs;  ///< --programs: the built programs' directory
};

// Runs `measure(work_dir, say)` with a fresh work directory, removed after
// whatever happens; says each phase on stdout.
// No core files either: the benchmarks make programs crash on purpose, and
// valgrind leaves a vgcore.PID in the working directory for each one (it
// honours the core-file limit, as the kernel does).
template <class Measure>
auto in_work_dir(Measure&& measure) {
  rlimit cores{};
  if (getrlimit(RLIMIT_CORE, &cores) == 0) {
    cores.rlim_cur = 0;
    setrlimit(RLIMIT_CORE, &cores);
  }
  std::string work = (std::filesystem::temp_directory_path() / "racelab-bench-XXXXXX").string();
  if (mkdtemp(work.data()) == nullptr) throw std::runtime_error("cannot create a work directory");
  auto say = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  try {
    auto result = measure(work, say);
    std::filesystem::remove_all(work);
    result.created = utc_now();
    return result;
  } catch (...) {
    std::filesystem::remove_all(work);
    throw;
  }
}

// The files written, and the exit code: a worker's or tool's failure is
// counted in the page and makes it exit 3.
int conclude(const std::vector<std::string>& written, std::size_t problems) {
  for (std::size_t i = 0; i < written.size(); ++i)
    std::printf("%s%s\n", i == 0 ? "bench: " : "       ", written[i].c_str());
  if (problems == 0) return kAsExpected;
  std::printf("racelab: %zu infrastructure problem(s) during the benchmark (counted in the page)\n", problems);
  return kInfrastructure;
}

std::string json_text(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// racelab bench --programs: the page of the programs written the usual way.
int bench_programs(const std::string& cases_dir, const BenchArgs& args, const std::string& command) {
  ProgramBenchOptions o;
  o.dir = args.programs->empty()
              ? (std::filesystem::path(cases_dir).parent_path() / "test_programs" / "unmodified").string()
              : *args.programs;
  o.programs = args.options.cases;
  o.detectors = args.options.detectors;
  o.trials = args.trials.value_or(args.quick ? 2 : 5);
  o.clean_runs = static_cast<int>(args.fixed_runs.value_or(args.quick ? 3 : 20));
  o.jobs = args.options.jobs;
  o.seed = args.options.seed;
  o.timeout_s = args.options.timeout_s;
  o.quick = args.quick;
  o.command = command;
  const ProgramBenchResult result = in_work_dir([&](const std::string& work, const auto& say) {
    o.work_dir = work;
    return run_program_bench(o, say);
  });
  const std::string md = args.out + "/programs.md";
  const std::string json = args.out + "/programs.json";
  report::write_atomically(json, json_text(program_bench_json(result)));
  report::write_atomically(md, program_bench_markdown(result));
  std::size_t problems = 0;
  for (const auto& [name, by_detector] : result.scores)
    for (const auto& [detector, score] : by_detector) problems += score.problems.size();
  return conclude({md, json}, problems);
}

// racelab bench: the page, its chart and the raw figures, written whole.
int bench(const std::string& cases_dir, BenchArgs args, const std::string& command) {
  if (args.programs) return bench_programs(cases_dir, args, command);
  BenchOptions& o = args.options;
  o.cases_dir = cases_dir;
  o.quick = args.quick;
  o.trials = args.trials.value_or(args.quick ? 3 : 20);
  o.budget = args.budget.value_or(args.quick ? 20 : 25);
  o.fixed_runs = args.fixed_runs.value_or(args.quick ? 50 : 2000);
  o.command = command;
  const BenchResult result = in_work_dir([&](const std::string& work, const auto& say) {
    o.work_dir = work;
    return run_bench(o, say);
  });
  const std::string md = args.out + "/benchmarks.md";
  const std::string svg = args.out + "/benchmarks.svg";
  const std::string json = args.out + "/benchmarks.json";
  report::write_atomically(svg, bench_svg(result));
  report::write_atomically(json, json_text(bench_json(result)));
  report::write_atomically(md, bench_markdown(result, "benchmarks.svg"));
  std::size_t problems = 0;
  for (const auto& [id, by_detector] : result.buggy)
    for (const auto& [name, d] : by_detector) problems += d.problems.size();
  for (const auto& [id, by_detector] : result.fixed)
    for (const auto& [name, f] : by_detector) problems += f.problems.size();
  return conclude({md, svg, json}, problems);
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
      "1.5.\nWith --programs: the same for programs written the usual way (tests/programs/unmodified, "
      "built in <build>/test_programs/unmodified), under TSan alone, `racelab exec` without and with "
      "racelab's runtime, helgrind and DRD; writes DIR/programs.md and DIR/programs.json. About 22 "
      "minutes; --quick about 6.\nExit codes: 0 measured; 2 usage; 3 a worker or tool failed (the page counts it).");
  cmd->add_option("cases", a->options.cases, "Cases (default: all); with --programs, programs by name");
  cmd->add_option("--programs", a->programs,
                  "Measure the programs written the usual way instead of the catalogue: those built in DIR "
                  "(default: <build>/test_programs/unmodified)")
      ->expected(0, 1)
      ->default_str("");
  cmd->add_flag("--quick", a->quick,
                      "3 trials of at most 20 runs per buggy variant, 50 runs per fixed one "
                      "(default: 20 trials of at most 25 runs, 2,000 runs)");
  cmd->add_option("--detectors", a->options.detectors,
                        "Only these: stress, tsan, yield, sleep, pct, portfolio, helgrind, drd (with --programs: "
                  "tsan, exec, none, portfolio, controlled, helgrind, drd)")
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
