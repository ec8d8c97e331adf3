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
};

// The runtime library: beside an installed racelab (<prefix>/bin/racelab,
// <prefix>/lib/libracelab_intercept.a), else where the build tree keeps it
// (<build>/racelab, <build>/harness/libracelab_intercept.a).
std::string intercept_library() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (error) throw std::runtime_error("cannot tell where this racelab is (/proc/self/exe)");
  const fs::path installed = self.parent_path().parent_path() / "lib" / "libracelab_intercept.a";
  const fs::path built = self.parent_path() / "harness" / "libracelab_intercept.a";
  for (const fs::path& library : {installed, built})
    if (fs::is_regular_file(library, error)) return library.string();
  throw std::runtime_error(fmt::format(
      "racelab's runtime library is not there: neither {} nor {}; build it (cmake --build --preset tsan)",
      installed.string(), built.string()));
}

int flags(const FlagsArgs& args) {
  const bool both = args.compile == args.link;
  std::string line;
  if (both || args.compile) line = "-fsanitize=thread -g -O1 -fno-omit-frame-pointer";
  if (both || args.link)
    line += fmt::format("{}{}-Wl,--whole-archive {} -Wl,--no-whole-archive {} -lstdc++ -pthread", line.empty() ? "" : " ",
                        args.link ? "-fsanitize=thread " : "", intercept_library(), RACELAB_INTERCEPT_WRAP);
  std::printf("%s\n", line.c_str());
  return kAsExpected;
}

}  // namespace

Command add_flags_command(CLI::App& app, const Context&) {
  auto a = std::make_shared<FlagsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "flags",
      "Print the flags that build a program with ThreadSanitizer and racelab's runtime for unmodified code, on "
      "one line: `clang++ $(racelab flags) prog.cpp -o prog`, then `racelab exec -- ./prog`. The program's "
      "sources do not change. --compile and --link split them for CFLAGS and LDFLAGS.\n"
      "Exit codes: 0 printed; 2 usage; 3 the runtime library is missing.");
  cmd->add_flag("--compile", a->compile, "Only the compile flags");
  cmd->add_flag("--link", a->link, "Only the link flags (with -fsanitize=thread, which the link needs too)");
  return {cmd, [a] { return flags(*a); }};
}

}  // namespace racelab::driver
