// process.h — child processes for the driver: case programs described,
// workers started with a records pipe, and ended without leaving anything
// behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace racelab::driver {

// How a child ended.
struct ExitStatus {
  int exit_code = -1;  ///< when it exited, else -1
  int signal = 0;      ///< when a signal killed it, else 0
  std::string text() const;  ///< "exit 0", "killed by SIGSEGV", …
};

struct ProcessResult : ExitStatus {
  pid_t pid = -1;  ///< the child's pid (TSan names its log_path files by it)
  bool timed_out = false;
  std::string out;
  std::string err;
  std::string how_it_ended() const { return timed_out ? "timed out" : text(); }
};

// run_captured()
//
// Runs argv (argv[0] is a path) with the environment plus `env`, no standard
// input, stdout and stderr captured; kills its process group after `limit`.
ProcessResult run_captured(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                           const std::map<std::string, std::string>& env = {});

// Worker — a case program streaming JSON records over a pipe.
struct Worker {
  pid_t pid = -1;
  int records = -1;  ///< read end; the worker writes to its fd 3
};

// start_worker()
//
// Starts argv with `env` added, fd 3 the write end of the records pipe,
// stdout and stderr appended to `output_path`, in a process group of its
// own. On kernels that randomize more mmap bits than TSan of clang < 18
// accepts (vm.mmap_rnd_bits > 28), the worker runs without address
// randomization, as `setarch -R` would. Throws std::runtime_error.
Worker start_worker(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& output_path);

// Kills the worker's whole process group and reaps it.
ExitStatus stop_worker(Worker& worker);

// Kills the worker's whole process group but leaves it unreaped and its pipe
// open: what it wrote before it died can still be read. stop_worker() then
// reaps it.
void kill_worker(const Worker& worker);

// Waits for a worker that is ending by itself (its pipe closed), then kills
// whatever is left of its group.
ExitStatus reap_worker(Worker& worker);

// shell_quote() — `word` as a POSIX shell reads it back (quoted only when
// it needs to be), for the re-run commands the driver prints.
std::string shell_quote(const std::string& word);

// read_text() — a whole file's bytes; nullopt when it cannot be read.
std::optional<std::string> read_text(const std::string& path);

}  // namespace racelab::driver
