// The life of a case thread: registration, the start gate, what it waits
// on, how it ends (and what an escaped exception or a missing join means).
#include <sched.h>

#include <chrono>
#include <exception>

#include <fmt/format.h>

#include "runtime.h"

namespace racelab::detail {

ThreadState* register_thread() {
  ActiveRun& run = active_run();
  QuietScope quiet;
  ScopedLock lock(run.mutex);
  auto state = std::make_unique<ThreadState>();
  state->ordinal = run.next_ordinal++;
  state->rng = Rng(mix(run.seed, static_cast<std::uint64_t>(state->ordinal)));
  strategy_thread_started(run, *state);
  run.threads.push_back(std::move(state));
  run.live_threads.fetch_add(1, std::memory_order_relaxed);
  return run.threads.back().get();
}

WaitScope::WaitScope(Wait wait, const void* object, const char* what, const char* file,
                     int line) noexcept
    : self_(self()) {
  self_.wait_what.store(what, std::memory_order_relaxed);
  self_.wait_file.store(file, std::memory_order_relaxed);
  self_.wait_line.store(line, std::memory_order_relaxed);
  self_.waiting_on.store(object, std::memory_order_relaxed);
  self_.wait.store(wait, std::memory_order_relaxed);
}

WaitScope::~WaitScope() {
  self_.wait.store(Wait::none, std::memory_order_relaxed);
  self_.waiting_on.store(nullptr, std::memory_order_relaxed);
  self_.wait_file.store(nullptr, std::memory_order_relaxed);
}

void open_start_gate() noexcept {
  if (self().ordinal == 0) active_run().gate_open.store(true, std::memory_order_relaxed);
}

void enter_thread(ThreadState* state) noexcept {
  t_self = state;
  if (g_plain) return;  // the start gate is racelab's help: a plain thread just runs
  ActiveRun& run = active_run();
  auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(2);
  while (!run.gate_open.load(std::memory_order_relaxed) &&
         std::chrono::steady_clock::now() < give_up)
    sched_yield();
}

void exit_thread() noexcept {
  ActiveRun& run = active_run();
  if (t_self != nullptr) t_self->finished.store(true, std::memory_order_relaxed);
  t_self = nullptr;
  strategy_thread_finished(run);
  run.live_threads.fetch_sub(1, std::memory_order_relaxed);
}

std::string describe_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return fmt::format("std::exception: {}", e.what());
  } catch (...) {
  }
  return "an exception of unknown type";
}

void exception_escaped(std::exception_ptr error) noexcept {
  if (g_plain) std::terminate();  // what an exception escaping a std::thread does
  note(Verdict::exception_lost,
       fmt::format("{} escaped thread T{}", describe_exception(error), self().ordinal));
}

void thread_not_joined() noexcept {
  if (g_plain) std::terminate();  // what destroying a joinable std::thread does
  note(Verdict::thread_leak,
       fmt::format("a racelab::thread was destroyed while joinable (never joined) in thread T{}",
                   self().ordinal));
}

}  // namespace racelab::detail
