// racelab_gtest.cpp — a GoogleTest listener that tells racelab's runtime for
// unmodified code where each test starts and ends (racelab/unmodified.h), so
// that `racelab exec` judges every TEST alone: its TSan reports, the
// runtime's diagnoses, a hang or a crash during it, its own failure.
//
// It is compiled into the test program, against the program's own
// GoogleTest (`racelab::gtest` in CMake, `racelab flags --gtest` otherwise),
// and appends itself to the listeners before main() runs: the tests' code is
// not changed. GoogleTest's own printer and XML/JSON output are untouched.
#include <string>

#include <gtest/gtest.h>

#include "racelab/unmodified.h"

namespace {

class RacelabListener final : public ::testing::EmptyTestEventListener {
 public:
  void OnTestProgramStart(const ::testing::UnitTest& unit) override {
    racelab_tests_selected(unit.test_to_run_count(), unit.total_test_count());
  }

  void OnTestIterationStart(const ::testing::UnitTest&, int iteration) override { iteration_ = iteration; }

  void OnTestStart(const ::testing::TestInfo& info) override {
    name_ = std::string(info.test_suite_name()) + "." + info.name();
    failure_.clear();
    racelab_test_started(name_.c_str(), iteration_);
  }

  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed() || !failure_.empty()) return;
    failure_ = std::string(result.file_name() != nullptr ? result.file_name() : "unknown file") + ":" +
               std::to_string(result.line_number()) + ": " + result.summary();
  }

  void OnTestEnd(const ::testing::TestInfo& info) override {
    const bool failed = info.result() != nullptr && info.result()->Failed();
    racelab_test_ended(name_.c_str(), iteration_, failed ? 1 : 0, failed ? failure_.c_str() : nullptr);
  }

 private:
  int iteration_ = 0;
  std::string name_;
  std::string failure_;
};

// GoogleTest owns and deletes the listener.
[[maybe_unused]] const bool registered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new RacelabListener);
  return true;
}();

}  // namespace
