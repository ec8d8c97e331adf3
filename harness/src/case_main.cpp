// main() of every case program: runs one variant of the case many times in
// this process, for a person (text) or for the racelab driver (JSON lines).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "racelab/case.h"
#include "racelab/wire.h"
#include "runtime.h"

namespace racelab::detail {
namespace {

constexpr int kDefaultBuggyRuns = 200;
constexpr int kDefaultFixedRuns = 2000;
constexpr std::uint64_t kDefaultLivelockSteps = 50000;
constexpr int kShownFailures = 10;

}  // namespace
}  // namespace racelab::detail

// Defined by ThreadSanitizer's runtime, which initialises before main().
extern "C" void __tsan_init() __attribute__((weak));

namespace racelab::detail {
namespace {

bool tsan_runtime_present() { return &__tsan_init != nullptr; }

bool tsan_build() {
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
  return true;
#endif
#endif
#if defined(__SANITIZE_THREAD__)
  return true;
#else
  return false;
#endif
}

std::string sanitizer_name() {
  if (tsan_build()) return "thread";
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
  return "address";
#endif
#endif
  return "none";
}

int default_runs(const Case& c, Variant variant) {
  const VariantSpec& spec = variant == Variant::buggy ? c.buggy : c.fixed;
  if (spec.runs > 0) return spec.runs;
  if (variant == Variant::buggy && spec.budget > 0) return spec.budget;
  return variant == Variant::buggy ? kDefaultBuggyRuns : kDefaultFixedRuns;
}

// A run's time limit when --timeout is not given: TSan makes runs slower.
double default_timeout_s() { return tsan_build() ? 10.0 : 5.0; }

nlohmann::json describe(const Case& c) {
  nlohmann::json variants = nlohmann::json::object();
  for (Variant v : {Variant::buggy, Variant::fixed}) {
    const VariantSpec& spec = v == Variant::buggy ? c.buggy : c.fixed;
    nlohmann::json expected = nlohmann::json::array();
    for (Verdict e : spec.expected) expected.push_back(to_string(e));
    variants[std::string(to_string(v))] = {{"expected", expected}, {"runs", default_runs(c, v)}};
  }
  // The buggy variant's contract, as tests/cases/catalogue_test.cpp checks it
  // (0 and [] when the case has none).
  variants["buggy"]["budget"] = c.buggy.budget;
  variants["buggy"]["first_failure_shows"] = c.buggy.first_failure_shows;
  return {
      {"id", c.id},
      {"title", c.title},
      {"bug_class", c.bug_class},
      {"threads", c.threads},
      {"invariant", c.invariant},
      {"variants", variants},
      {"timeout_s", default_timeout_s()},
      {"build",
       {{"sanitizer", sanitizer_name()},
        {"compiler", fmt::format("clang {}.{}.{}", __clang_major__, __clang_minor__,
                                 __clang_patchlevel__)}}},
  };
}

// For the driver: the records of racelab/wire.h, one per line, on a file
// descriptor.
class JsonSink final : public RecordSink {
 public:
  explicit JsonSink(int fd) : fd_(fd) { write_line(encode(Hello{tsan_runtime_present()})); }
  void run(const RunRecord& r) override { write_line(encode(r)); }
  void begin(std::int64_t index, std::uint64_t seed) { write_line(encode(Begin{index, seed})); }
  void end(std::int64_t runs) { write_line(encode(End{runs, tsan_reports()})); }
  // No "end" line: the driver sees the worker stop and resumes at the next run.
  int ended_early(const RunRecord&) override { return 0; }

 private:
  void write_line(const std::string& line) {
    const char* p = line.data();
    size_t left = line.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(3);  // the driver is gone: nobody to report to
      p += n;
      left -= static_cast<size_t>(n);
    }
  }
  int fd_;
};

// For a person: a line per failing run, then a tally.
class TextSink final : public RecordSink {
 public:
  TextSink(std::string program, Variant variant, std::vector<Verdict> expected)
      : program_(std::move(program)), variant_(to_string(variant)), expected_(std::move(expected)) {}
  void run(const RunRecord& r) override {
    ++runs_;
    ++verdicts_[r.verdict];
    if (r.verdict == Verdict::clean) return;
    ++failing_;
    bool listed = false;
    for (Verdict e : expected_) listed = listed || e == r.verdict;
    (listed ? expected_seen_ : unexpected_seen_) = true;
    // Every failing run with the command that re-runs it, up to a screenful.
    if (failing_ <= kShownFailures) {
      std::printf("run %lld (seed %llu): %s: %s\n", static_cast<long long>(r.index),
                  static_cast<unsigned long long>(r.seed),
                  std::string(to_string(r.verdict)).c_str(), r.detail.c_str());
      std::printf("  re-run it: %s --variant %s --strategy %s --run-seed %llu\n",
                  program_.c_str(), variant_.c_str(), r.strategy.c_str(),
                  static_cast<unsigned long long>(r.seed));
    } else if (failing_ == kShownFailures + 1) {
      std::printf("(more failing runs are counted below, not shown)\n");
    }
    std::fflush(stdout);
  }
  int ended_early(const RunRecord& r) override {
    std::printf("run %lld cannot continue in this process; resume with --first-run %lld\n",
                static_cast<long long>(r.index), static_cast<long long>(r.index + 1));
    tally();
    exit_with(as_expected() ? 0 : 1);
  }
  // As the driver judges: a buggy variant is caught with an expected verdict
  // and nothing else; a fixed variant stays clean.
  bool as_expected() const {
    return variant_ == "buggy" ? expected_seen_ && !unexpected_seen_ : failing_ == 0;
  }
  void tally() const {
    std::printf("%s: %d runs, %d failing (%s): %s\n", variant_.c_str(), runs_, failing_,
                counts_text(verdicts_).c_str(), as_expected() ? "as expected" : "NOT as expected");
    if (tsan_reports() > 0)
      std::printf("ThreadSanitizer printed %llu report(s) to stderr\n",
                  static_cast<unsigned long long>(tsan_reports()));
    std::fflush(stdout);
  }

 private:
  std::string program_;
  std::string variant_;
  std::vector<Verdict> expected_;
  bool expected_seen_ = false;
  bool unexpected_seen_ = false;
  int runs_ = 0;
  int failing_ = 0;
  std::map<Verdict, std::int64_t> verdicts_;
};

int case_main(int argc, char** argv) {
  const Case c = define_case();

  CLI::App app{fmt::format("{} — {}\n\nRuns one variant of this racelab case many times, "
                           "each run with fresh state and its own seed.\n\n"
                           "Exit codes: 0 the variant behaved as expected (buggy: caught with an "
                           "expected verdict; fixed: clean); 1 it did not; 2 usage; 3 the variant "
                           "cannot run.",
                           c.id, c.title),
               c.id};
  bool describe_only = false;
  double floor_s = 0;
  WorkerArgs args;
  app.add_flag("--describe", describe_only, "Print the case's metadata as JSON and exit");
  add_worker_options(app, args);
  app.add_option("--spawn-floor", floor_s,
                 "Measure for this many seconds how often this process can start and join two "
                 "threads that do nothing, print it as JSON and exit (the floor a run's cost is "
                 "compared with; under valgrind, valgrind's floor)")
      ->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }

  if (floor_s > 0) {
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration<double>(floor_s);
    std::int64_t pairs = 0;
    for (; std::chrono::steady_clock::now() < until; ++pairs) {
      std::thread a([] {});
      std::thread b([] {});
      a.join();
      b.join();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s\n", nlohmann::json{{"spawn_join_per_s", static_cast<double>(pairs) / seconds}}.dump().c_str());
    return 0;
  }
  if (describe_only) {
    std::printf("%s\n", describe(c).dump(2).c_str());
    return 0;
  }

  const VariantSpec& spec = args.variant == Variant::buggy ? c.buggy : c.fixed;
  if (spec.body == nullptr) {
    std::fprintf(stderr, "%s: the %s variant has no body\n", c.id.c_str(),
                 std::string(to_string(args.variant)).c_str());
    return 3;
  }
  const std::int64_t count = args.run_seed ? 1 : args.runs.value_or(default_runs(c, args.variant));

  std::optional<JsonSink> json;
  std::optional<TextSink> text;
  if (args.records_fd >= 0) {
    json.emplace(args.records_fd);
    record_sink() = &*json;
  } else {
    text.emplace(argv[0], args.variant, spec.expected);
    record_sink() = &*text;
  }
  active_run().pct_depth = args.pct_depth;
  g_plain = args.plain;
  const double timeout_s = args.timeout_s.value_or(default_timeout_s());
  start_watchdog(std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000)),
                 c.livelock_steps > 0 ? c.livelock_steps : kDefaultLivelockSteps);

  std::int64_t done = 0;
  for (std::int64_t i = args.first_run; i < args.first_run + count; ++i) {
    const std::uint64_t seed = args.run_seed ? *args.run_seed : run_seed(args.seed, i);
    if (json) json->begin(i, seed);
    const RunRecord record = execute(spec.body, args.strategy, seed, i);
    record_sink()->run(record);
    ++done;
    if (args.stop_on_first && record.verdict != Verdict::clean) break;
  }

  if (json) {
    json->end(done);
    return 0;
  }
  text->tally();
  // The exit code says whether the variant behaved as expected; TSan's own
  // exit handling would turn any report into 66.
  exit_with(text->as_expected() ? 0 : 1);
}

}  // namespace
}  // namespace racelab::detail

int main(int argc, char** argv) { return racelab::detail::case_main(argc, argv); }
