// process.h — child processes for the driver: case programs described,
// programs and workers run, and ended without leaving anything behind.
//
// Every program racelab starts runs under racelab-keeper (keeper.cpp), a
// child subreaper that outlives the program just long enough to find every
// descendant still alive when the program ends (re-parented to it even when
// they escaped with setsid() or a double fork), report each as leaked, and
// kill them all. racelab itself is a subreaper too (guard_processes()), so
// what a killed keeper leaves comes back to racelab and is killed with it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace racelab::driver {

/// What a run's output file keeps, and how much of a TSan log is read
/// (`--max-log`): 16 MiB.
inline constexpr std::uint64_t kDefaultMaxLog = std::uint64_t{16} << 20;

// How a child ended.
struct ExitStatus {
  int exit_code = -1;  ///< when it exited, else -1
  int signal = 0;      ///< when a signal killed it, else 0
  /// Descendants still alive when the program ended ("PID COMM"), killed
  /// by its keeper: leaked processes.
  std::vector<std::string> leaked;
  std::string exec_error;  ///< the program could not be started (why), else empty
  std::string text() const;  ///< "exit 0", "killed by SIGSEGV", …
};

struct ProcessResult : ExitStatus {
  pid_t pid = -1;  ///< the program's pid (TSan names its log_path files by it)
  bool timed_out = false;
  /// At a time-out, before the kill: "busy" when the program was using CPU,
  /// else "blocked", and its threads' states ("3 threads: 1 running, 2
  /// sleeping in futex_wait_queue").
  std::string hang_kind;
  std::string thread_states;
  /// At a time-out: the top frame of the program's own code in each thread
  /// (from elfutils' eu-stack, when it is installed), sorted.
  std::vector<std::string> waiting_frames;
  std::string out;  ///< run_captured(): standard output, at most `max_capture` bytes
  std::string err;  ///< run_captured(): standard error, likewise
  std::uint64_t output_bytes = 0;  ///< everything the program wrote, kept or not
  bool output_truncated = false;   ///< more than the cap was written; the rest was dropped
  std::string how_it_ended() const { return timed_out ? "timed out" : text(); }
};

// guard_processes()
//
// For the driver's main(), before any thread starts: racelab becomes a child
// subreaper, and SIGINT, SIGTERM and SIGHUP end every process racelab
// started (its whole tree, escaped descendants included) before racelab
// exits with 128 + the signal, writing nothing further. Programs racelab
// starts get the default signal mask.
void guard_processes();

// end_descendants() — kills every process descendant of racelab, until none
// is left (or `patience` passes).
void end_descendants(std::chrono::milliseconds patience = std::chrono::seconds(2));

// run_captured()
//
// Runs argv (argv[0] is a path) with the environment plus `env`, no standard
// input, stdout and stderr captured (at most `max_capture` bytes each; the
// rest is read and dropped); after `limit` the program and its whole tree are
// ended. Throws std::runtime_error when racelab-keeper cannot be started.
ProcessResult run_captured(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                           const std::map<std::string, std::string>& env = {},
                           std::uint64_t max_capture = std::uint64_t{64} << 20);

// run_to_file()
//
// The same, with stdout and stderr interleaved into `output_path` as the
// program writes them, never held in memory: the first `max_bytes` are kept,
// then a line saying how much was dropped.
ProcessResult run_to_file(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                          const std::map<std::string, std::string>& env,
                          const std::string& output_path, std::uint64_t max_bytes);

// Worker — a case program streaming JSON records over a pipe.
struct Worker {
  pid_t pid = -1;          ///< its keeper (the leader of its process group)
  pid_t program_pid = -1;  ///< the case program itself (its TSan log is named by it)
  int records = -1;        ///< read end; the worker writes to its fd 3
  int status = -1;         ///< the keeper's status lines
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

// cap_file() — cuts a file racelab does not write itself (a TSan log, a
// worker's output) to `max_bytes`, with a last line saying so; returns
// whether it was cut.
bool cap_file(const std::string& path, std::uint64_t max_bytes);

// The problem of a TSan log cap_file() cut: findings past the cut are lost.
std::string cut_log_problem(const std::string& path, std::uint64_t max_bytes);

// shell_quote() — `word` as a POSIX shell reads it back (quoted only when
// it needs to be), for the re-run commands the driver prints.
std::string shell_quote(const std::string& word);

// shell_command() — the words, each shell_quote()d, joined by spaces.
std::string shell_command(const std::vector<std::string>& words);

// read_text() — a whole file's bytes; nullopt when it cannot be read.
std::optional<std::string> read_text(const std::string& path);

}  // namespace racelab::driver
