// write_atomically(): a file is replaced whole, or not at all.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "child.h"
#include "racelab/report/atomic_file.h"

namespace {

using racelab::report::write_atomically;
using racelab::testing::make_temp_dir;
using racelab::testing::read_file;

TEST(WriteAtomically, ReplacesWholeFilesAndLeavesNoTemporary) {
  const std::string dir = make_temp_dir("racelab-atomic-");
  const std::string path = dir + "/nested/summary.json";
  write_atomically(path, "first");
  write_atomically(path, "second");
  EXPECT_EQ(read_file(path), "second");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir + "/nested")) ++entries;
  EXPECT_EQ(entries, 1);
  // A directory where the file should go: an error, and nothing left behind.
  std::filesystem::create_directories(dir + "/taken");
  EXPECT_THROW(write_atomically(dir + "/taken", "x"), std::runtime_error);
  entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2);
}

}  // namespace
