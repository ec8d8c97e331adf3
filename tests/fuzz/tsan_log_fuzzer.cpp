// tsan_log_fuzzer — libFuzzer target for the TSan log parser and finding
// signatures. Any bytes are a log: the parser must never crash, hang or read
// out of bounds, and what it returns must hold together.
//
// Built with -fsanitize=fuzzer,address (tests/CMakeLists.txt); a seeded
// 20-second smoke run is a test (Fuzz.TsanLogParserSmoke). A long run:
//   mkdir -p /tmp/fuzz-corpus
//   build/tsan/tsan_log_fuzzer /tmp/fuzz-corpus tests/fuzz/corpus -max_total_time=3600 -jobs=2
// (seeds: tests/fuzz/corpus, real TSan logs of tests/programs/tsan_report_kinds).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "racelab/report/tsan.h"

namespace {

void require(bool holds) {
  if (!holds) std::abort();  // libFuzzer keeps the input that got here
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const racelab::report::TsanLog log = racelab::report::parse_tsan_log(text);
  for (const auto& finding : log.findings) {
    require(!finding.kind.empty());
    const std::string signature = racelab::report::signature(finding);
    require(signature.starts_with(finding.kind));
    for (const auto& stack : finding.stacks) {
      const auto mine = racelab::report::user_frames(stack);
      require(mine.size() <= stack.frames.size());
    }
  }
  require(log.reported_warnings >= -1);
  return 0;
}
