// racelab flags: how to build a program with TSan and racelab's runtime for
// unmodified code, as compiler flags on one line.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "command.h"

namespace racelab::driver {
namespace {

namespace fs = std::filesystem;

struct FlagsArgs {
  bool compile = false;
  bool link = false;
  bool gtest = false;
  bool cxx = false;  ///< lead with the C++ compiler racelab was built with
  bool cc = false;   ///< lead with its C compiler
};

// Where racelab's runtime for unmodified code is: beside an installed racelab
// (<prefix>/bin/racelab; lib/, include/, share/racelab/), else where the
// build tree keeps it (<build>/racelab; harness/, harness/package/).
struct Runtime {
  std::string library;         ///< libracelab_intercept.a
  std::string include_dir;     ///< holds racelab/unmodified.h
  std::string gtest_listener;  ///< racelab_gtest.cpp
};

Runtime runtime() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot tell where this racelab is (/proc/self/exe)");
  const fs::path prefix = self.parent_path().parent_path();
  const fs::path build = self.parent_path();
  const Runtime installed{(prefix / "lib" / "libracelab_intercept.a").string(), (prefix / "include").string(),
                          (prefix / "share" / "racelab" / "racelab_gtest.cpp").string()};
  const Runtime built{(build / "harness" / "libracelab_intercept.a").string(),
                      (build / "harness" / "package" / "include").string(),
                      (build / "harness" / "package" / "racelab_gtest.cpp").string()};
  for (const Runtime& r : {installed, built})
    if (fs::is_regular_file(r.library, error)) return r;
  throw std::runtime_error(fmt::format(
      "racelab's runtime library is not there: neither {} nor {}; build it (cmake --build --preset tsan)",
      installed.library, built.library));
}

int flags(const FlagsArgs& args) {
  const bool both = args.compile == args.link;
  const Runtime r = runtime();
  // The runtime calls TSan's interceptors by the names of the clang it was
  // built with: another clang (a distribution's default `clang++` beside a
  // newer one) fails to link it.
  std::string line = args.cxx ? RACELAB_CXX_COMPILER " " : args.cc ? RACELAB_C_COMPILER " " : "";
  if (both || args.compile) line += fmt::format("-I{} -fsanitize=thread -g -O1 -fno-omit-frame-pointer", r.include_dir);
  if (args.gtest) {
    std::error_code error;
    if (!fs::is_regular_file(r.gtest_listener, error))
      throw std::runtime_error(fmt::format("racelab's GoogleTest listener is not there: {}", r.gtest_listener));
    line += (line.empty() ? "" : " ") + r.gtest_listener;
  }
  if (both || args.link)
    line += fmt::format("{}{}-Wl,--whole-archive {} -Wl,--no-whole-archive {} -lstdc++ -pthread", line.empty() ? "" : " ",
                        args.link ? "-fsanitize=thread " : "", r.library, RACELAB_INTERCEPT_WRAP);
  std::printf("%s\n", line.c_str());
  return kAsExpected;
}

}  // namespace

Command add_flags_command(CLI::App& app, const Context&) {
  auto a = std::make_shared<FlagsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "flags",
      "Print the flags that build a program with ThreadSanitizer and racelab's runtime for unmodified code, on "
      "one line: `$(racelab flags --cxx) prog.cpp -o prog`, then `racelab exec -- ./prog`. The program's "
      "sources do not change. --cxx (--cc for C) leads with the clang racelab was built with, the one whose "
      "TSan its runtime links against; --compile and --link split the flags for CFLAGS and LDFLAGS; --gtest "
      "adds the listener that judges each GoogleTest test alone.\n"
      "Exit codes: 0 printed; 2 usage; 3 the runtime library is missing.");
  cmd->add_flag("--compile", a->compile, "Only the compile flags");
  cmd->add_flag("--link", a->link, "Only the link flags (with -fsanitize=thread, which the link needs too)");
  cmd->add_flag("--gtest", a->gtest,
                "With the GoogleTest listener's source, to compile into a test program: each TEST becomes its "
                "own unit (`$(racelab flags --cxx --gtest) tests.cpp -lgtest_main -lgtest -o tests`)");
  cmd->add_flag("--cxx", a->cxx, "Lead with the C++ compiler racelab was built with (" RACELAB_CXX_COMPILER ")");
  cmd->add_flag("--cc", a->cc, "Lead with the C compiler racelab was built with (" RACELAB_C_COMPILER ")");
  cmd->get_option("--cxx")->excludes("--cc");
  return {cmd, [a] { return flags(*a); }};
}

}  // namespace racelab::driver
