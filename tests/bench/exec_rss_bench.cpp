// exec_rss_bench — what `racelab exec` costs on a program that floods its
// stdout: the driver's peak RSS (VmHWM, read from /proc every 5 ms), the
// bytes it leaves on disk ("logs": everything under --out, summaries too)
// and the wall time.
//
//   build/tsan/exec_rss_bench [MB] [RACELAB] [TARGET]
//
// runs `RACELAB exec --runs 1 --out <temp dir> -- TARGET flood MB` (defaults:
// 50 MB, <build>/racelab, <build>/test_programs/hostile_target; MB are MiB)
// and prints one line of figures; asserts nothing. The program's own RSS is
// not counted: only the driver's.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#ifndef RACELAB_BUILD_DIR
#error "RACELAB_BUILD_DIR must be defined (tests/CMakeLists.txt does)"
#endif

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// VmHWM of /proc/PID/status in kB; -1 when it cannot be read (a zombie has
// none).
long peak_rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

std::uintmax_t bytes_under(const fs::path& dir) {
  std::uintmax_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string megabytes = argc > 1 ? argv[1] : "50";
  const std::string racelab = argc > 2 ? argv[2] : RACELAB_BUILD_DIR "/racelab";
  const std::string target = argc > 3 ? argv[3] : RACELAB_BUILD_DIR "/test_programs/hostile_target";
  if (argc > 4 || std::strtod(megabytes.c_str(), nullptr) < 0) {
    std::fprintf(stderr, "usage: exec_rss_bench [MB] [RACELAB] [TARGET]\n");
    return 2;
  }

  const char* tmp = std::getenv("TMPDIR");
  std::string out = std::string(tmp != nullptr ? tmp : "/tmp") + "/exec_rss_bench.XXXXXX";
  if (mkdtemp(out.data()) == nullptr) {
    std::perror("exec_rss_bench: mkdtemp");
    return 3;
  }

  std::vector<std::string> args{racelab, "exec", "--runs", "1", "--out", out, "--", target, "flood", megabytes};
  std::vector<char*> c_args;
  for (auto& a : args) c_args.push_back(a.data());
  c_args.push_back(nullptr);

  const auto start = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("exec_rss_bench: fork");
    return 3;
  }
  if (pid == 0) {
    // racelab's own console summary would only clutter the figures.
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
    execv(c_args[0], c_args.data());
    _exit(127);
  }

  // The last VmHWM read before it ended is its peak (VmHWM only grows, and
  // the first reads may still be of the forked copy of this process).
  long peak_kb = -1;
  int status = 0;
  for (;;) {
    const long kb = peak_rss_kb(pid);
    if (kb >= 0) peak_kb = kb;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) {
      std::perror("exec_rss_bench: waitpid");
      return 3;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double on_disk_mb = static_cast<double>(bytes_under(out)) / (1024.0 * 1024.0);

  std::printf("racelab exec, a program writing %s MB to stdout: driver peak RSS %.1f MB, logs %.1f MB on disk, "
              "%.1f s (racelab: %s)\n",
              megabytes.c_str(), static_cast<double>(peak_kb) / 1024.0, on_disk_mb, seconds,
              describe(status).c_str());

  std::error_code ignored;
  fs::remove_all(out, ignored);
  return 0;
}
