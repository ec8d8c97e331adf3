// report_bench — what reading and writing reports costs:
//   * the TSan log parser's throughput (MB/s) on a large generated log: real
//     report shapes (a race with its location and thread blocks, a
//     lock-order inversion, a thread leak) with varying addresses, pids and
//     thread numbers, between lines of program output; beside it, a plain
//     line-splitting pass over the same bytes (memchr for each '\n', each
//     line touched), so that the ratio of the two compares across
//     machines. Each figure is the fastest of three passes (the machine may
//     be shared); one size per argument shows whether the cost is linear;
//   * a summary of 10,000 runs: folding the records and logs in, then
//     rendering summary.json, summary.md, junit.xml, results.sarif and
//     summary.html.
//
//   build/tsan/report_bench [MEGABYTES...]   (the log's sizes, default 64)
//   build/release/report_bench 16 64 256
//
// Prints figures; asserts nothing (speed goals live here, not in tests).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "racelab/report/render.h"
#include "racelab/report/summary.h"
#include "racelab/report/tsan.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace racelab;
using namespace racelab::report;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string frames(int n, const char* function, const char* file, unsigned base) {
  std::string text;
  text += fmt::format("    #0 {} /src/app/{}:{}:{} (app+0x{:x}) (BuildId: 4f2a9c)\n", function, file,
                      20 + n % 7, 5, base);
  text += fmt::format("    #1 Worker::run() /src/app/worker.cpp:{}:3 (app+0x{:x})\n", 40 + n % 3, base + 64);
  text += "    #2 void std::__invoke_impl<void, Worker::run()::$_0>(std::__invoke_other, Worker::run()::$_0&&) "
          "/usr/include/c++/12/bits/invoke.h:61:14 (app+0x4242)\n";
  text += "    #3 <null> <null> (libstdc++.so.6+0xd44a2) (BuildId: 289ee39f8c07bd4fa48102dfeeb7e6f9c76158b4)\n";
  return text;
}

// One report of each of three shapes, numbered `n`.
std::string reports(int n) {
  const unsigned address = 0x7b0400000000u + static_cast<unsigned>(n) * 16;
  std::string text;
  text += fmt::format("==================\nWARNING: ThreadSanitizer: data race (pid={})\n", 4000 + n);
  text += fmt::format("  Write of size 8 at 0x{:x} by thread T{}:\n", address, 2 + n % 5);
  text += frames(n, "Account::deposit(int)", "account.cpp", 0x1000u + static_cast<unsigned>(n));
  text += fmt::format("\n  Previous read of size 8 at 0x{:x} by thread T{}:\n", address, 1);
  text += frames(n + 1, "Account::balance() const", "account.cpp", 0x2000u);
  text += fmt::format("\n  Location is heap block of size 16 at 0x{:x} allocated by main thread:\n", address);
  text += "    #0 operator new(unsigned long) <null> (app+0x99)\n    #1 main /src/app/main.cpp:12:9 (app+0x100)\n";
  text += fmt::format("\n  Thread T{} (tid={}, running) created by main thread at:\n", 2 + n % 5, 9000 + n);
  text += "    #0 pthread_create <null> (app+0x77)\n    #1 main /src/app/main.cpp:14:3 (app+0x200)\n";
  text += "\nSUMMARY: ThreadSanitizer: data race /src/app/account.cpp:21:5 in Account::deposit(int)\n"
          "==================\n";
  text += fmt::format("worker {} finished batch {}\n", n % 8, n);
  text += fmt::format("==================\nWARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid={})\n", 4000 + n);
  text += "  Cycle in lock order graph: M0 (0x7b0c00000000) => M1 (0x7b0c00000040) => M0\n\n";
  text += "  Mutex M1 acquired here while holding mutex M0 in thread T1:\n";
  text += frames(n, "Bank::transfer(Account&, Account&)", "bank.cpp", 0x3000u);
  text += "\n  Mutex M0 acquired here while holding mutex M1 in thread T2:\n";
  text += frames(n, "Bank::transfer(Account&, Account&)", "bank.cpp", 0x3100u);
  text += "\nSUMMARY: ThreadSanitizer: lock-order-inversion (potential deadlock) /src/app/bank.cpp:30:5 in "
          "Bank::transfer(Account&, Account&)\n==================\n";
  text += fmt::format("==================\nWARNING: ThreadSanitizer: thread leak (pid={})\n", 4000 + n);
  text += fmt::format("  Thread T{} (tid={}, finished) created by main thread at:\n", 3, 9100 + n);
  text += "    #0 pthread_create <null> (app+0x77)\n    #1 Pool::start() /src/app/pool.cpp:8:3 (app+0x300)\n";
  text += "\nSUMMARY: ThreadSanitizer: thread leak /src/app/pool.cpp:8:3 in Pool::start()\n==================\n";
  return text;
}

// A log of at least `megabytes`, of whole report groups.
std::string log_of(double megabytes) {
  std::string log;
  int blocks = 0;
  while (static_cast<double>(log.size()) < megabytes * 1e6) log += reports(blocks++);
  return log;
}

// The floor any line-based parser stands on: find each line and look at it
// (here: whether it is indented, as most of a report's lines are).
struct LineCount {
  std::size_t lines = 0;
  std::size_t indented = 0;
};
LineCount split_lines(std::string_view text) {
  LineCount count;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (nl == nullptr) nl = end;
    const std::string_view line(p, static_cast<std::size_t>(nl - p));
    ++count.lines;
    count.indented += line.starts_with(' ') ? 1 : 0;
    p = nl + 1;
  }
  return count;
}

// The parser's and the line split's MB/s on a log of `megabytes`.
TsanLog bench_parser(double megabytes) {
  const std::string log = log_of(megabytes);
  const double mb = static_cast<double>(log.size()) / 1e6;
  double parse_s = 1e300;
  double split_s = 1e300;
  LineCount lines;
  TsanLog parsed;
  for (int pass = 0; pass < 3; ++pass) {
    auto start = Clock::now();
    lines = split_lines(log);
    split_s = std::min(split_s, seconds_since(start));
    parsed = TsanLog{};
    start = Clock::now();
    parsed = parse_tsan_log(log);
    parse_s = std::min(parse_s, seconds_since(start));
  }
  std::printf("log: %.1f MB, %zu lines (%zu indented), %zu findings: parsed in %.3f s, split in %.4f s\n",
              mb, lines.lines, lines.indented, parsed.findings.size(), parse_s, split_s);
  // The ratio is the parser's speed as a fraction of the line split's.
  std::printf("parser: %.1f MB/s, line split: %.1f MB/s, ratio %.3f\n", mb / parse_s, mb / split_s,
              split_s / parse_s);
  return parsed;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<double> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atof(argv[i]));
  if (sizes.empty()) sizes.push_back(64);
  for (double megabytes : sizes) {
    if (megabytes > 0) continue;
    std::fprintf(stderr, "usage: report_bench [MEGABYTES...]\n");
    return 2;
  }

  // ---- the parser, and signatures of what it found in the last log ----
  TsanLog parsed;
  for (double megabytes : sizes) parsed = bench_parser(megabytes);
  auto start = Clock::now();
  std::size_t groups = 0;
  {
    std::vector<std::string> signatures;
    signatures.reserve(parsed.findings.size());
    for (const Finding& f : parsed.findings) signatures.push_back(signature(f));
    groups = signatures.size();
  }
  std::printf("signatures: %zu in %.3f s: %.0f per second\n", groups, seconds_since(start),
              static_cast<double>(groups) / seconds_since(start));

  // ---- a summary of 10,000 runs ----
  constexpr int kRuns = 10'000;
  VariantResult meta;
  meta.case_id = "06_bank_account";
  meta.variant = Variant::buggy;
  meta.expected = {Verdict::invariant_violated, Verdict::data_race};
  meta.strategy = "portfolio";
  meta.range_to = kRuns;
  start = Clock::now();
  VariantCollector collector(meta, "build/tsan/cases/case_06_bank_account --variant buggy");
  std::vector<RunRecord> records;
  const TsanLog one = parse_tsan_log(reports(0));
  for (int i = 0; i < kRuns; ++i) {
    RunRecord r;
    r.index = i;
    r.seed = 1000u + static_cast<std::uint64_t>(i);
    r.strategy = i % 3 == 0 ? "yield" : (i % 3 == 1 ? "pct" : "sleep");
    r.verdict = i % 4 == 0 ? Verdict::data_race : (i % 4 == 1 ? Verdict::invariant_violated : Verdict::clean);
    r.detail = r.verdict == Verdict::clean ? "" : "balance is -50, expected 0";
    r.tsan_first = 0;
    r.tsan_count = r.verdict == Verdict::data_race ? one.findings.size() : 0;
    collector.add_run(r);
    if (r.tsan_count > 0) collector.add_log(one, std::span(&r, 1));
  }
  Summary summary;
  summary.created = "2026-11-25T00:00:00Z";
  summary.build = {"thread", "clang 19"};
  summary.results.push_back(collector.finish(1.0));
  std::printf("summary of %d runs: folded in %.3f s\n", kRuns, seconds_since(start));

  RenderOptions options;
  options.source_root = "/src";
  auto time_it = [&](const char* name, auto render) {
    const auto t0 = Clock::now();
    const std::size_t bytes = render();
    std::printf("  %-14s %8zu bytes in %.4f s\n", name, bytes, seconds_since(t0));
  };
  time_it("summary.json", [&] { return to_json(summary).dump(2).size(); });
  time_it("summary.md", [&] { return to_markdown(summary).size(); });
  time_it("junit.xml", [&] { return to_junit(summary).size(); });
  time_it("results.sarif", [&] { return to_sarif(summary, options).dump(2).size(); });
  time_it("summary.html", [&] { return to_html(summary, options).size(); });
  return 0;
}
