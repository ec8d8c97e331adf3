// racelab properties: the catalogue's property-based tests, as results.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "catalogue.h"
#include "command.h"
#include "process.h"
#include "racelab/wire.h"

namespace racelab::driver {
namespace {

struct PropertyArgs {
  std::vector<std::string> cases;
  std::string variant = "both";
  std::uint64_t seed = 1;
  int programs = 0;
  int schedules = 0;
  Output output{.source_root = RACELAB_SOURCE_DIR};
};

// The catalogue's property campaign (cases/properties): racelab_properties,
// beside the case programs' directory, searches each property with
// RapidCheck; each becomes a result: its executions are the runs, a
// counterexample the first failure.
int properties(const std::string& cases_dir, const PropertyArgs& args) {
  const std::string program =
      (std::filesystem::path(cases_dir).parent_path() / "racelab_properties").string();
  if (!std::filesystem::exists(program))
    throw std::runtime_error(fmt::format("no property program {} (build first: cmake --build --preset tsan)", program));
  std::vector<std::string> argv = {program, "--seed", std::to_string(args.seed), "--variant", args.variant};
  if (args.programs > 0) argv.insert(argv.end(), {"--programs", std::to_string(args.programs)});
  if (args.schedules > 0) argv.insert(argv.end(), {"--schedules", std::to_string(args.schedules)});
  for (const std::string& c : args.cases) argv.push_back(c);
  prepare_output(args.output);
  const ProcessResult p = run_captured(argv, std::chrono::hours(2));

  report::Summary summary;
  summary.created = utc_now();
  summary.build = {RACELAB_TSAN_BUILD ? "thread" : "none", "racelab"};
  std::size_t start = 0;
  while (start < p.out.size()) {
    std::size_t end = p.out.find('\n', start);
    if (end == std::string::npos) end = p.out.size();
    const std::string line = p.out.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const PropertyResult property = decode_property_result(line);
    report::VariantResult meta;
    meta.case_id = property.case_id;
    meta.title = "property of " + property.object + ": every history linearizable";
    meta.bug_class = "property (RapidCheck)";
    meta.variant = property.variant;
    meta.strategy = "property";
    meta.runtime_frames = racelab_runtime_frames();
    meta.seed = property.seed;
    meta.expected = meta.variant == Variant::buggy
                        ? std::vector<Verdict>{Verdict::invariant_violated, Verdict::data_race, Verdict::crash,
                                               Verdict::hang, Verdict::livelock, Verdict::deadlock,
                                               Verdict::self_deadlock}
                        : std::vector<Verdict>{Verdict::clean};
    // Its executions are the runs (each a fork of the property program: one
    // process, which says whether TSan's runtime is in it); a counterexample
    // is the failing one.
    report::VariantCollector collector(meta, "");
    collector.add_process(property.tsan);
    RunRecord run;
    run.seed = meta.seed;
    run.strategy = "property";
    for (run.index = 0; run.index < property.executions; ++run.index) collector.add_run(run);
    if (property.failed) {
      run.verdict = property.verdict;
      run.detail = property.counterexample;
      // The shrunk program names the failure; the timeline's steps vary.
      run.where = run.detail.substr(0, run.detail.find('\n'));
      collector.add_run(run);
    }
    report::VariantResult r = collector.finish(property.seconds);
    if (r.first_failure)
      r.first_failure->command =
          fmt::format("{} {} --variant {} --seed {}", program, r.case_id, to_string(r.variant), r.seed);
    r.range_to = r.runs;
    std::printf("%s", report::to_console(r).c_str());
    summary.results.push_back(std::move(r));
  }
  if (p.timed_out || p.signal != 0 || p.exit_code != 0) {
    report::VariantResult broken;
    broken.case_id = "properties";
    broken.variant = Variant::program;
    broken.problems.push_back(fmt::format("{} ended badly ({}): {}", program, p.how_it_ended(),
                                          p.err.substr(0, 500)));
    summary.results.push_back(std::move(broken));
  }
  if (summary.results.empty()) throw std::invalid_argument("no property matches the cases given");
  return conclude(summary, args.output);
}

}  // namespace

Command add_properties_command(CLI::App& app, const Context& context) {
  auto a = std::make_shared<PropertyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "properties",
      std::string("Run the catalogue's property-based tests (cases/properties, RapidCheck): "
                  "generated programs on each case's objects, every history checked for "
                  "linearizability; a buggy object's property must fail (with a shrunk "
                  "counterexample), a fixed one's hold. Summaries as `run` writes them.\n") +
          kExitCodes);
  cmd->add_option("cases", a->cases, "Case ids (default: every case with a property)");
  cmd->add_option("--variant", a->variant, "buggy, fixed or both")
      ->check(CLI::IsMember({"buggy", "fixed", "both"}))
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "RapidCheck seed")->capture_default_str();
  cmd->add_option("--programs", a->programs,
                             "Generated programs per property (default: its own budget)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--schedules", a->schedules,
                             "Executions of each program (default: its own budget)")
      ->check(CLI::Range(1, 1000));
  add_output_options(cmd, a->output);
  return {cmd, [&context, a] { return properties(context.cases_dir, *a); }};
}

}  // namespace racelab::driver
