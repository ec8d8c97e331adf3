// intercept_bench — what racelab's runtime for unmodified code costs: the
// wall time of lock_heavy (tests/bench/lock_heavy.cpp: 800,000 mutex
// acquisitions, as many atomic increments, a condition-variable queue) built
// with TSan alone and with racelab's runtime, the runtime under strategy
// none (every hook and model update, no perturbation), yield and controlled
// (one thread at a time: its scheduling decisions per second, from the
// run's schedule record). Each figure is the fastest of `trials` runs (the
// machine may be shared).
//
//   build/tsan/intercept_bench [trials]   (default 5)
//
// Prints figures; asserts nothing (speed goals live here, not in tests).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// The scheduling decisions a controlled run recorded (racelab/runtime_wire.h's
// ProgramSchedule) in the records at `prefix`.<pid>; 0 when none.
double decisions_in(const std::string& prefix, pid_t pid) {
  FILE* f = std::fopen((prefix + "." + std::to_string(pid)).c_str(), "r");
  if (f == nullptr) return 0;
  double decisions = 0;
  char line[4096];
  while (std::fgets(line, sizeof line, f) != nullptr)
    if (const char* at = std::strstr(line, "\"decisions\":")) decisions = std::atof(at + 12);
  std::fclose(f);
  std::remove((prefix + "." + std::to_string(pid)).c_str());
  return decisions;
}

double g_decisions = 0;  // of the last run

// Seconds one run of `program` takes with RACELAB_STRATEGY=`strategy`, or -1 when it fails.
double run_once(const std::string& program, const char* strategy) {
  const std::string records = "/tmp/intercept_bench.records";
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("RACELAB_STRATEGY", strategy, 1);
    setenv("RACELAB_RECORDS", records.c_str(), 1);
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execl(program.c_str(), program.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  g_decisions = decisions_in(records, pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return seconds;
}

double fastest(const std::string& program, const char* strategy, int trials) {
  double best = 1e9;
  for (int i = 0; i < trials; ++i) {
    const double s = run_once(program, strategy);
    if (s < 0) return -1;
    best = std::min(best, s);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int trials = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::string dir = RACELAB_BUILD_DIR "/bench_programs/";
  const double tsan = fastest(dir + "lock_heavy_tsan", "none", trials);
  const double none = fastest(dir + "lock_heavy_intercept", "none", trials);
  const double yield = fastest(dir + "lock_heavy_intercept", "yield", trials);
  const double controlled = fastest(dir + "lock_heavy_intercept", "controlled", trials);
  const double decisions = g_decisions;
  if (tsan < 0 || none < 0 || yield < 0 || controlled < 0) {
    std::fprintf(stderr, "intercept_bench: a run of lock_heavy failed\n");
    return 1;
  }
  std::printf("lock_heavy, fastest of %d: TSan alone %.3f s; with racelab's runtime: strategy none %.3f s "
              "(%.2fx), yield %.3f s (%.2fx)\n",
              trials, tsan, none, none / tsan, yield, yield / tsan);
  std::printf("strategy controlled: %.3f s (%.2fx TSan alone), %.0f scheduling decisions, %.2f M decisions/s\n",
              controlled, controlled / tsan, decisions, decisions / controlled / 1e6);
  return 0;
}
