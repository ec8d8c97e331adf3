// Campaigns: each variant's runs in chains of worker processes, their
// records and logs folded into results. Over 400 lines on purpose: a chain
// (a worker's start, records, silence, stop and logs) and the poll loop that
// drives every chain share their state, and read best together.
#include "campaign.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "process.h"
#include "racelab/report/tsan.h"
#include "racelab/wire.h"

namespace racelab::driver {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// With a time budget and no run count, a variant's range is open-ended.
constexpr std::int64_t kOpenEnded = std::int64_t{1} << 40;

// One case × variant: its collector and what its chains share.
struct VariantWork {
  const CaseProgram* program = nullptr;
  Variant variant = Variant::buggy;
  std::unique_ptr<report::VariantCollector> collector;
  WorkerArgs args;  ///< what its workers share (variant, strategy, …)
  int chains_left = 0;
  /// --stop-on-first: the lowest failing run index so far; chains past it stop
  /// (those before it go on, and may find an earlier one).
  std::optional<std::int64_t> stop_at;
  std::chrono::milliseconds silence{0};  ///< a worker this quiet is killed
  std::optional<Clock::time_point> started;
  std::optional<Clock::time_point> deadline;  ///< with --time: the end of its share
  std::int64_t runs = 0;
  std::int64_t failing = 0;
};

// Chain — run indices [next, end) of one variant, through as many worker
// processes as it takes.
class Chain {
 public:
  Chain(VariantWork& work, std::int64_t first, std::int64_t end, const CampaignOptions& options,
        std::string log_base)
      : work_(work), next_(first), end_(end), options_(options), log_base_(std::move(log_base)) {}

  bool finished() const { return finished_; }
  bool running() const { return worker_.pid > 0; }
  int fd() const { return worker_.records; }
  std::int64_t next() const { return next_; }
  bool past_stop() const { return work_.stop_at && next_ > *work_.stop_at; }
  Clock::time_point last_heard() const { return last_heard_; }
  VariantWork& work() { return work_; }

  // Starts a worker for the remaining runs, or finishes the chain.
  void advance() {
    if (next_ >= end_ || past_stop()) return finish();
    base_ = fmt::format("{}.w{}", log_base_, workers_started_++);
    std::vector<std::string> argv;
    for (std::string arg : options_.wrapper) {
      if (auto at = arg.find("{log}"); at != std::string::npos) arg.replace(at, 5, base_);
      argv.push_back(std::move(arg));
    }
    argv.push_back(work_.program->path);
    WorkerArgs args = work_.args;
    args.seed = options_.seed;
    args.first_run = next_;
    args.runs = end_ - next_;
    args.records_fd = kRecordsFd;
    args.stop_on_first = options_.stop_on_first && !options_.stop_when;
    args.plain = options_.plain;
    for (std::string& arg : to_args(args)) argv.push_back(std::move(arg));
    // TSan sleeps a second at exit by default (atexit_sleep_ms=1000) to let
    // threads still running report: a worker's runs are over by then, and a
    // second per worker is most of a short chunk's time. The user's options
    // come after, and so win; the log path is ours.
    std::string tsan_options = "atexit_sleep_ms=0 ";
    if (!options_.tsan_options.empty()) tsan_options += options_.tsan_options + " ";
    if (const char* user = std::getenv("TSAN_OPTIONS")) tsan_options += std::string(user) + " ";
    try {
      worker_ = start_worker(argv, {{"TSAN_OPTIONS", tsan_options + "log_path=" + base_ + ".tsan"}},
                             base_ + ".out");
    } catch (const std::exception& e) {
      work_.collector->add_problem(fmt::format("cannot start a worker: {}", e.what()));
      return finish();
    }
    pid_ = worker_.program_pid;
    runs_.clear();
    in_flight_.reset();
    ended_ = false;
    buffer_.clear();
    last_heard_ = Clock::now();
  }

  // The worker's pipe is readable.
  void readable() {
    char chunk[65536];
    ssize_t n = read(worker_.records, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) return;
    if (n <= 0) return worker_ended(reap_worker(worker_), false);
    last_heard_ = Clock::now();
    buffer_.append(chunk, static_cast<size_t>(n));
    std::size_t start = 0;
    for (std::size_t eol; (eol = buffer_.find('\n', start)) != std::string::npos; start = eol + 1)
      line(buffer_.substr(start, eol - start));
    buffer_.erase(0, start);
  }

  // The worker said nothing for too long: it is killed. Its own watchdog
  // ends any run within the run's time limit, so a silent worker is stuck
  // outside the case (seen once: a worker frozen for 40 s while TSan printed
  // a report under load); the run is run once more in a fresh worker, and is
  // a hang only when that one falls silent too.
  void silent() {
    silence_ = work_.silence;
    if (in_flight_ && retried_ != in_flight_->first) {
      retried_ = in_flight_->first;
      kill_worker(worker_);
      drain();
      stop_worker(worker_);
      read_logs(/*cut_short=*/true, /*drop_in_flight=*/true);
      return advance();
    }
    worker_ended(stop_worker(worker_), true);
  }

  // Time is up, or a chain found an earlier failure: stop here. Runs the
  // worker finished count, even those still in the pipe; the run in flight is
  // dropped, not counted, and so are the TSan reports it printed.
  void stop() {
    if (running()) {
      kill_worker(worker_);
      drain();
      stop_worker(worker_);
      read_logs(/*cut_short=*/true, /*drop_in_flight=*/true);
    }
    finish();
  }

 private:
  void line(const std::string& text) {
    try {
      const WorkerMessage message = decode_record(text);
      if (const auto* hello = std::get_if<Hello>(&message)) {
        work_.collector->add_process(hello->tsan);
      } else if (const auto* begin = std::get_if<Begin>(&message)) {
        in_flight_ = {begin->index, begin->seed};
      } else if (const auto* run = std::get_if<RunRecord>(&message)) {
        add(*run);
        in_flight_.reset();
      } else {
        ended_ = true;
      }
    } catch (const std::exception& e) {
      if (malformed_.empty()) malformed_ = fmt::format("{} in: {}", e.what(), text);
    }
  }

  // Reads what a killed worker left in the pipe, up to its end.
  void drain() {
    char chunk[65536];
    for (;;) {
      pollfd p{worker_.records, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) break;  // nothing within 100 ms: give up on it
      ssize_t n = read(worker_.records, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
    std::size_t start = 0;
    for (std::size_t eol; (eol = buffer_.find('\n', start)) != std::string::npos; start = eol + 1)
      line(buffer_.substr(start, eol - start));
    buffer_.clear();  // a line cut short by the kill
  }

  void add(const RunRecord& run) {
    runs_.push_back(run);
    work_.collector->add_run(run);
    ++work_.runs;
    next_ = run.index + 1;
    if (run.verdict != Verdict::clean) ++work_.failing;
    const bool stops = options_.stop_when
                           ? options_.stop_when(*work_.program, work_.variant, run, base_)
                           : options_.stop_on_first && run.verdict != Verdict::clean;
    if (stops && (!work_.stop_at || run.index < *work_.stop_at)) work_.stop_at = run.index;
  }

  // Folds the worker's TSan log and output into the result; returns the
  // deadly signal TSan reported, if the worker died of one. `cut_short`: the
  // worker ended itself after a run-ending verdict, or was stopped by us.
  // `drop_in_flight`: reports past the last counted run belong to the run we
  // dropped (a killed worker prints nothing at exit).
  std::string read_logs(bool cut_short = false, bool drop_in_flight = false) {
    std::string deadly_signal;
    const std::string log_path = fmt::format("{}.tsan.{}", base_, pid_);
    if (cap_file(log_path, options_.max_log)) work_.collector->add_problem(cut_log_problem(log_path, options_.max_log));
    if (cap_file(base_ + ".out", options_.max_log))
      work_.collector->add_note(
          fmt::format("the output of worker {}.out was cut at --max-log {} bytes (the file says how much)", base_,
                      options_.max_log));
    if (fs::exists(log_path)) {
      report::TsanLog log = report::parse_tsan_log(read_text(log_path).value_or(""));
      const std::size_t counted = runs_.empty() ? 0 : runs_.back().tsan_first + runs_.back().tsan_count;
      if (drop_in_flight && log.findings.size() > counted) {
        // The cut report, if any, was the last: its warning goes with it.
        if (log.findings.back().truncated && !log.warnings.empty()) log.warnings.pop_back();
        log.findings.resize(counted);
      }
      deadly_signal = log.deadly_signal;
      work_.collector->add_log(log, runs_, cut_short);
    }
    const report::TsanLog out = report::parse_tsan_log(read_text(base_ + ".out").value_or(""));
    if (deadly_signal.empty()) deadly_signal = out.deadly_signal;
    for (const std::string& fatal : out.fatal_errors)
      work_.collector->add_problem(
          fmt::format("ThreadSanitizer failed: {} (see {}.out)", fatal, base_));
    if (!malformed_.empty())
      work_.collector->add_problem(fmt::format("unreadable record from the worker: {}", malformed_));
    malformed_.clear();
    return deadly_signal;
  }

  // What to do when a worker is gone: resume at the next run, or give up.
  void worker_ended(const ExitStatus& status, bool silent) {
    if (!status.leaked.empty()) {
      std::string leaked;
      for (const std::string& l : status.leaked) leaked += (leaked.empty() ? "" : ", ") + l;
      work_.collector->add_problem(fmt::format(
          "the worker left {} process(es) running when it ended (killed): {}", status.leaked.size(), leaked));
    }
    const bool ended_itself = !ended_ && !runs_.empty() && info(runs_.back().verdict).ends_process &&
                              !in_flight_;
    const std::string deadly_signal = read_logs(ended_itself);
    if (ended_) return advance();  // its share is done (or it stopped on a failure)
    if (ended_itself) {
      deaths_without_runs_ = 0;
      return advance();  // it ended itself after a run-ending verdict
    }
    if (in_flight_) {  // it died, or fell silent, in the middle of a run
      RunRecord lost;
      lost.index = in_flight_->first;
      lost.seed = in_flight_->second;
      lost.strategy = std::string(to_string(options_.strategy));
      if (silent) {
        lost.verdict = Verdict::hang;
        lost.detail = fmt::format("the worker said nothing for {} s and was killed, twice (the "
                                  "second time in a fresh worker)",
                                  silence_.count() / 1000);
      } else if (status.signal != 0) {
        lost.verdict = Verdict::crash;
        lost.detail = fmt::format("the process was {} during the run (output: {}.out)",
                                  status.text(), base_);
      } else if (!deadly_signal.empty()) {  // TSan caught the signal and exited
        lost.verdict = Verdict::crash;
        lost.detail = fmt::format("{} (output: {}.out)", deadly_signal, base_);
      } else {
        lost.verdict = Verdict::infra_error;
        lost.detail = fmt::format("the worker ended ({}) during the run (output: {}.out)",
                                  status.text(), base_);
      }
      add(lost);
      deaths_without_runs_ = 0;
      return advance();
    }
    if (runs_.empty() && ++deaths_without_runs_ < 2) return advance();  // one retry
    work_.collector->add_problem(fmt::format(
        "the worker ended ({}) without finishing its runs; see {}.out", status.text(), base_));
    finish();
  }

  void finish() {
    if (!finished_) {
      finished_ = true;
      --work_.chains_left;
    }
  }

  VariantWork& work_;
  std::int64_t next_;
  std::int64_t end_;
  const CampaignOptions& options_;
  std::string log_base_;
  std::string base_;
  Worker worker_;
  pid_t pid_ = -1;
  int workers_started_ = 0;
  int deaths_without_runs_ = 0;
  bool finished_ = false;
  bool ended_ = false;
  std::vector<RunRecord> runs_;  ///< of the current worker
  std::optional<std::pair<std::int64_t, std::uint64_t>> in_flight_;
  std::optional<std::int64_t> retried_;  ///< the run re-run after a silent worker
  std::string buffer_;
  std::string malformed_;
  std::chrono::milliseconds silence_{0};
  Clock::time_point last_heard_;
};

}  // namespace

std::pair<std::int64_t, std::int64_t> shard_range(std::int64_t total, int index, int count) {
  return {total * index / count, total * (index + 1) / count};
}

std::pair<std::int64_t, std::int64_t> chunk_range(std::int64_t lo, std::int64_t hi, std::int64_t pieces,
                                                  std::int64_t p) {
  return {lo + (hi - lo) * p / pieces, lo + (hi - lo) * (p + 1) / pieces};
}

std::vector<report::VariantResult> run_campaign(
    const std::vector<std::pair<CaseProgram, Variant>>& work_list, const CampaignOptions& options,
    const std::function<void(const report::VariantResult&)>& on_done,
    const std::function<void(const Progress&)>& on_progress) {
  const std::string logs = options.out_dir + "/logs";
  fs::create_directories(logs);
  const int jobs = std::max(1, options.jobs);
  const bool timed = options.time_s.has_value();
  const Clock::time_point campaign_end =
      timed ? options.started + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(*options.time_s))
            : Clock::time_point::max();

  // Each variant's shard of run indices, split into contiguous chunks, one
  // chain each: as many as there are jobs for a run count; for an open-ended
  // time budget, as many as the jobs the variants leave free.
  const std::int64_t timed_pieces =
      std::max<std::int64_t>(1, jobs / std::max<std::int64_t>(1, std::ssize(work_list)));
  std::vector<std::unique_ptr<VariantWork>> works;
  std::vector<std::unique_ptr<Chain>> chains;
  for (const auto& [program, variant] : work_list) {
    const nlohmann::json& d = program.describe;
    const std::string variant_name(to_string(variant));
    const nlohmann::json& spec = d.at("variants").at(variant_name);

    const std::int64_t total = timed && !options.runs
                                   ? kOpenEnded
                                   : options.runs.value_or(spec.at("runs").get<std::int64_t>());
    const auto [lo, hi] = shard_range(total, options.shard_index, options.shard_count);

    report::VariantResult header;
    header.case_id = program.id();
    header.title = d.value("title", "");
    header.bug_class = d.value("bug_class", "");
    header.variant = variant;
    header.strategy = std::string(to_string(options.strategy));
    header.seed = options.seed;
    header.shard_index = options.shard_index;
    header.shard_count = options.shard_count;
    header.range_from = lo;
    header.range_to = hi;
    for (const auto& e : spec.at("expected"))
      if (auto v = parse_verdict(e.get<std::string>())) header.expected.push_back(*v);
    header.source = fmt::format("cases/{}/{}.cpp", program.id(), variant_name);
    header.runtime_frames = racelab_runtime_frames();

    auto w = std::make_unique<VariantWork>();
    w->program = &program;
    w->variant = variant;
    w->args.variant = variant;
    w->args.strategy = options.strategy;
    w->args.pct_depth = options.pct_depth;
    if (options.timeout_s > 0) w->args.timeout_s = options.timeout_s;
    // The worker's own watchdog ends a run that overruns its limit (--timeout,
    // else the case program's default, which it describes); the driver steps
    // in only when a worker says nothing for much longer.
    const double per_run_s = options.timeout_s > 0 ? options.timeout_s : d.value("timeout_s", 10.0);
    w->silence = std::chrono::milliseconds(static_cast<std::int64_t>(per_run_s * 3000) + 10000);
    // The re-run command names the strategy the failing run used, which the
    // record carries; the collector appends --run-seed.
    std::string rerun = shell_quote(program.path) + " --variant " + variant_name;
    if (options.timeout_s > 0) rerun += fmt::format(" --timeout {}", options.timeout_s);
    w->collector = std::make_unique<report::VariantCollector>(header, rerun);

    const std::int64_t pieces = std::max<std::int64_t>(
        1, std::min<std::int64_t>(options.chains > 0               ? options.chains
                                  : timed && !options.runs ? timed_pieces
                                                           : jobs,
                                  hi - lo));
    for (std::int64_t p = 0; p < pieces; ++p) {
      const auto [first, end] = chunk_range(lo, hi, pieces, p);
      chains.push_back(std::make_unique<Chain>(
          *w, first, end, options,
          fmt::format("{}/{}.{}.s{}.c{}", logs, header.case_id, variant_name, options.shard_index, p)));
      ++w->chains_left;
    }
    works.push_back(std::move(w));
  }

  std::vector<report::VariantResult> results(works.size());
  std::vector<bool> reported(works.size(), false);
  const auto campaign_start = Clock::now();
  // The first progress line comes at once: a campaign whose budget is spent
  // before the first tick still shows one.
  auto last_progress = campaign_start - std::chrono::milliseconds(200);
  Progress progress;
  progress.variants = static_cast<int>(works.size());
  std::size_t next_chain = 0;
  std::size_t not_started = works.size();
  std::vector<Chain*> running;

  for (;;) {
    // Fill the free slots, in order.
    while (static_cast<int>(running.size()) < jobs && next_chain < chains.size()) {
      Chain* c = chains[next_chain++].get();
      VariantWork& w = c->work();
      const auto now = Clock::now();
      if (!w.started) {
        w.started = now;
        // With a time budget, a variant's share is what is left, divided by
        // the rounds of `jobs` variants still to come (this one included):
        // time one variant leaves unused, or overruns, is the others'.
        if (timed) {
          const auto rounds = static_cast<Clock::rep>((not_started + jobs - 1) / jobs);
          w.deadline = now + std::max(Clock::duration::zero(), campaign_end - now) / rounds;
        }
        --not_started;
      }
      c->advance();
      if (!c->finished()) running.push_back(c);
    }

    // Report variants whose chains are all finished, in order.
    for (std::size_t i = 0; i < works.size(); ++i) {
      if (reported[i] || works[i]->chains_left > 0) continue;
      reported[i] = true;
      const double seconds =
          works[i]->started ? std::chrono::duration<double>(Clock::now() - *works[i]->started).count() : 0;
      results[i] = works[i]->collector->finish(seconds);
      ++progress.variants_done;
      on_done(results[i]);
    }
    if (running.empty() && next_chain >= chains.size()) break;

    // Wait for records, the next deadline, or the next progress tick.
    auto wait = std::chrono::milliseconds(200);
    const auto before = Clock::now();
    for (Chain* c : running) {
      const VariantWork& w = c->work();
      if (!w.deadline || w.runs == 0) continue;
      wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*w.deadline - before),
                        std::chrono::milliseconds(0), wait);
    }
    std::vector<pollfd> fds;
    for (Chain* c : running) fds.push_back({c->fd(), POLLIN, 0});
    const int ready = poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    const auto now = Clock::now();
    for (std::size_t k = 0; k < running.size(); ++k) {
      Chain* c = running[k];
      if (c->finished()) continue;
      if (fds[k].revents != 0) c->readable();
      if (c->finished()) continue;
      VariantWork& w = c->work();
      // A share ends at its deadline, but not before the variant's first run
      // has been judged: a variant that says nothing is no use to anyone.
      const bool time_up = w.deadline && now >= *w.deadline && w.runs > 0;
      if (time_up || c->past_stop()) {
        c->stop();
      } else if (c->running() && now - c->last_heard() > w.silence) {
        c->silent();
      }
    }
    std::erase_if(running, [](Chain* c) { return c->finished(); });

    if (now - last_progress >= std::chrono::milliseconds(200)) {
      last_progress = now;
      progress.runs = 0;
      progress.findings = 0;
      for (const auto& w : works) {
        progress.runs += w->runs;
        progress.findings += w->failing;
      }
      progress.seconds = std::chrono::duration<double>(now - campaign_start).count();
      on_progress(progress);
    }
  }
  return results;
}

}  // namespace racelab::driver
