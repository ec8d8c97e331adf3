// The runtime's state, its start in each process, sites, and outcomes.
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "intercept.h"
#include "racelab/runtime_wire.h"

extern "C" {
void __sanitizer_symbolize_pc(void* pc, const char* fmt, char* out, std::size_t size) __attribute__((weak));
void __sanitizer_symbolize_global(void* data, const char* fmt, char* out, std::size_t size) __attribute__((weak));
void __tsan_ignore_thread_begin() __attribute__((weak));
void __tsan_ignore_thread_end() __attribute__((weak));
void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));
}

namespace racelab::intercept {

namespace {

// 0 not started, 1 starting (hooks pass through), 2 running.
std::atomic<int> g_state{0};
thread_local bool t_inside = false;   // the calling thread is in the runtime
thread_local Thread* t_me = nullptr;
thread_local std::uintptr_t t_stack_lo = 0, t_stack_hi = 0;

// Executable ranges of libstdc++, libc and libgcc_s: a caller there has no
// frame pointers, and is not the site a user wants to see.
struct Range {
  std::uintptr_t from, to;
};

// The process's settings. Built on first use: the runtime starts from a
// constructor that may run before this file's static initialisers.
struct Process : RtObject {
  std::string records;  // the record file's prefix; empty: no records
  pid_t records_pid = -1;
  int records_fd = -1;
  Vector<Range> system;
  Vector<Range> data;  // every module's writable segments: where globals live
};

Process& process() {
  static Process* p = new Process;
  return *p;
}

bool in_system_library(std::uintptr_t pc) {
  for (const Range& r : process().system)
    if (pc >= r.from && pc < r.to) return true;
  return false;
}

int note_system_library(dl_phdr_info* info, std::size_t, void*) {
  const std::string_view name = info->dlpi_name != nullptr ? info->dlpi_name : "";
  if (name.find("libstdc++") == std::string_view::npos && name.find("/libc.so") == std::string_view::npos &&
      name.find("libgcc_s") == std::string_view::npos && name.find("libm.so") == std::string_view::npos)
    return 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) != 0)
      process().system.push_back({info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz});
  }
  return 0;
}

int note_data_segments(dl_phdr_info* info, std::size_t, void*) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) != 0)
      process().data.push_back({info->dlpi_addr + ph.p_vaddr, info->dlpi_addr + ph.p_vaddr + ph.p_memsz});
  }
  return 0;
}

bool in_data_segment(std::uintptr_t address) {
  for (const Range& r : process().data)
    if (address >= r.from && address < r.to) return true;
  return false;
}

void note_stack_bounds() {
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* base = nullptr;
  std::size_t size = 0;
  if (pthread_attr_getstack(&attr, &base, &size) == 0) {
    t_stack_lo = reinterpret_cast<std::uintptr_t>(base);
    t_stack_hi = t_stack_lo + size;
  }
  pthread_attr_destroy(&attr);
}

void raw_write(int fd, std::string_view text) {
  while (!text.empty()) {
    const long n = raw_syscall(SYS_write, fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// A fork child's deadly signals kill it as they would without TSan: racelab
// runs programs with TSan's exitcode=0 (a program's exit status stays its
// own), which makes a TSan-handled abort() or SIGSEGV an exit with status 0,
// and a parent that waits for its child to die (GoogleTest's death tests)
// would see it live. Straight to the kernel: TSan keeps its own handlers
// whatever the program asks of sigaction().
void default_deadly_signals() {
  struct KernelSigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)();
    unsigned long mask;
  };
  for (int signal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    const KernelSigaction action{SIG_DFL, 0, nullptr, 0};
    raw_syscall(SYS_rt_sigaction, signal, &action, nullptr, sizeof(unsigned long));
  }
}

// In a fork child only the forking thread goes on: the others' locks stay
// held for ever, by threads that are gone.
void after_fork_in_child() {
  default_deadly_signals();
  model().lock.reset();
  ScopedModel scoped;
  control_after_fork();
  for (Thread* t : model().threads)
    if (t != t_me && !t->finished) {
      t->finished = true;
      t->gone_at_fork = true;
    }
}

void at_exit() {
  if (g_state.load(std::memory_order_acquire) != 2) return;
  std::uint64_t threads = 0;
  {
    ScopedModel scoped;
    threads = model().threads.size() - 1;
  }
  const Perturbation spent = perturbation();
  write_record(encode(ProgramEnd{steps(), threads, spent.delays, spent.delay_ns, spent.over_budget}));
  write_schedule();
}

// TSan ends the process after a deadly signal (abort(), a failed assert, a
// segmentation fault): a controlled run's schedule is written then, so that
// a crash replays too. The model's lock only if free (the dying thread may
// hold it).
void at_death() {
  if (!controlled() || !model().lock.try_lock()) return;
  t_inside = true;
  write_record(encode(control_record()));
  model().lock.unlock();
}

void start() {
  int expected = 0;
  if (!g_state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) return;
  t_inside = true;
  dl_iterate_phdr(note_system_library, nullptr);
  dl_iterate_phdr(note_data_segments, nullptr);
  schedule_init(std::getenv(kEnvStrategy), std::getenv(kEnvSeed), std::getenv(kEnvPctDepth),
                std::getenv(kEnvPctSteps), std::getenv(kEnvBudget));
  control_init(std::getenv(kEnvSchedule));
  if (const char* records = std::getenv(kEnvRecords); records != nullptr && *records != '\0')
    process().records = records;
  {
    // The thread that starts the runtime is T0 (the main thread, from the
    // constructor below, unless a library's constructor started a thread).
    Thread* main = new Thread;
    main->ordinal = 0;
    main->handle = pthread_self();
    main->clock.set(0, 1);
    main->rng = Rng(mix(seed(), 0));
    model().threads.push_back(main);
    t_me = main;
    schedule_thread_started(*main);
    note_stack_bounds();
  }
  pthread_atfork(nullptr, nullptr, after_fork_in_child);
  std::atexit(at_exit);
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(at_death);
  write_record(encode(ProgramHello{"racelab " RACELAB_VERSION, getpid(), std::string(to_string(strategy())), seed(),
                                   perturbation().budget_percent}));
  t_inside = false;
  g_state.store(2, std::memory_order_release);
}

__attribute__((constructor(101))) void start_at_load() { start(); }

}  // namespace

void SpinLock::lock() noexcept {
  // Held for a few hundred instructions: spin a little before giving the
  // core away (a yield is a context switch when another thread is ready).
  for (int spins = 0; locked_.exchange(true, std::memory_order_acquire);)
    while (locked_.load(std::memory_order_relaxed))
      if (++spins < 200)
        __builtin_ia32_pause();
      else
        sched_yield();
}

Model& model() noexcept {
  static Model* m = new Model;  // outlives every static object that locks
  return *m;
}

bool active() noexcept {
  const int state = g_state.load(std::memory_order_acquire);
  if (state == 0) start();
  return g_state.load(std::memory_order_acquire) == 2 && !t_inside;
}

// The model's memory is racelab's: TSan must not check the accesses its
// interceptors see (memmove, memcpy from std::vector and std::string) either.
ScopedModel::ScopedModel(Ignore ignore) noexcept : ignoring_(ignore == kMemory) {
  t_inside = true;
  model().lock.lock();
  if (ignoring_ && __tsan_ignore_thread_begin != nullptr) __tsan_ignore_thread_begin();
}

ScopedModel::~ScopedModel() { unlock(); }

void ScopedModel::relock() noexcept {
  if (held_) return;
  t_inside = true;
  model().lock.lock();
  if (ignoring_ && __tsan_ignore_thread_begin != nullptr) __tsan_ignore_thread_begin();
  held_ = true;
}

void ScopedModel::unlock() noexcept {
  if (!held_) return;
  held_ = false;
  if (ignoring_ && __tsan_ignore_thread_end != nullptr) __tsan_ignore_thread_end();
  model().lock.unlock();
  t_inside = false;
}

Thread& me_locked() {
  if (t_me != nullptr) return *t_me;
  // A thread racelab did not see start (created before the runtime, or
  // without pthread_create).
  Thread* t = new Thread;
  t->ordinal = static_cast<int>(model().threads.size());
  t->handle = pthread_self();
  t->clock.set(t->ordinal, 1);
  t->rng = Rng(mix(seed(), static_cast<std::uint64_t>(t->ordinal)));
  model().threads.push_back(t);
  schedule_thread_started(*t);
  t_me = t;
  return *t;
}

Thread* current_thread() noexcept { return t_me; }

// Called by a thread the runtime started (threads.cpp), first thing.
void adopt_thread(Thread* t) {
  t_me = t;
  note_stack_bounds();
}

namespace {

// An object on the calling thread's stack: the return address into the
// function whose frame holds it (found by the frame-pointer chain), else 0.
std::uintptr_t stack_home(const void* object) {
  const auto at = reinterpret_cast<std::uintptr_t>(object);
  if (t_stack_hi == 0 || at < t_stack_lo || at >= t_stack_hi) return 0;
  auto* fp = static_cast<std::uintptr_t*>(__builtin_frame_address(0));
  for (int depth = 0; depth < 64 && fp != nullptr; ++depth) {
    auto* next = reinterpret_cast<std::uintptr_t*>(fp[0]);
    const auto next_at = reinterpret_cast<std::uintptr_t>(next);
    if (next <= fp || next_at >= t_stack_hi || (next_at & 7) != 0) return 0;
    // Between a callee's frame and its caller's: a local of the caller,
    // which the callee's return address points into.
    if (at > reinterpret_cast<std::uintptr_t>(fp) && at < next_at) return fp[1];
    fp = next;
  }
  return 0;
}

template <class Object>
Object& object_of(Map<const void*, Object>& table, const void* address) {
  auto [it, inserted] = table.try_emplace(address);
  if (inserted) {
    it->second.id = model().next_id++;
    if (const std::uintptr_t pc = stack_home(address); pc != 0)
      model().stack_homes[it->second.id] = {pc, t_me != nullptr ? t_me->ordinal : -1};
  }
  return it->second;
}

}  // namespace

Mutex& mutex_of(const void* m) { return object_of(model().mutexes, m); }
RwLock& rwlock_of(const void* l) { return object_of(model().rwlocks, l); }
Condition& condition_of(const void* c) { return object_of(model().conditions, c); }
Semaphore& semaphore_of(const void* s) { return object_of(model().semaphores, s); }
Barrier& barrier_of(const void* b) { return object_of(model().barriers, b); }

std::string global_name(const void* address) {
  // Only inside a module's data: the symbolizer asked about a stack or heap
  // address prints an error of its own to the program's output.
  if (__sanitizer_symbolize_global == nullptr || !in_data_segment(reinterpret_cast<std::uintptr_t>(address)))
    return {};
  char buffer[256] = {};
  __sanitizer_symbolize_global(const_cast<void*>(address), "%g", buffer, sizeof buffer - 1);
  if (buffer[0] == '\0' || std::strcmp(buffer, "<null>") == 0) return {};
  return buffer;
}


// ---- sites ----

Site capture(void* frame) noexcept {
  Site site;
  int n = 0;
  auto* fp = static_cast<std::uintptr_t*>(frame);
  while (n < Site::kDepth && fp != nullptr) {
    const std::uintptr_t ret = fp[1];
    if (ret == 0) break;
    site.pc[n++] = ret;
    auto* next = reinterpret_cast<std::uintptr_t*>(fp[0]);
    const auto at = reinterpret_cast<std::uintptr_t>(next);
    if (next <= fp || at - reinterpret_cast<std::uintptr_t>(fp) > (1u << 20) || (at & 7) != 0) break;
    if (t_stack_hi == 0 || at < t_stack_lo || at + 16 > t_stack_hi) break;
    fp = next;
  }
  if (n > 0 && !in_system_library(site.pc[0])) return site;
  // The caller is libstdc++ or libc: unwind through it.
  void* frames[24];
  const bool was_inside = t_inside;
  t_inside = true;
  const int got = backtrace(frames, 24);
  t_inside = was_inside;
  int from = 0;
  while (from < got && reinterpret_cast<std::uintptr_t>(frames[from]) != site.pc[0]) ++from;
  if (from == got) from = got > 2 ? 2 : 0;
  Site unwound;
  for (int i = 0; i < Site::kDepth && from + i < got; ++i)
    unwound.pc[i] = reinterpret_cast<std::uintptr_t>(frames[from + i]);
  return unwound;
}

namespace {

struct Frame {
  std::string file, function;
  int line = 0, column = 0;
};

bool is_library_file(std::string_view file) {
  return file.empty() || file.starts_with("??") || file.find("/c++/") != std::string_view::npos ||
         file.starts_with("/usr/include/") || file.find("/usr/lib/gcc/") != std::string_view::npos ||
         file.find("/libgcc/") != std::string_view::npos || file.find("/glibc") != std::string_view::npos ||
         file.find("nptl/") != std::string_view::npos ||
         file.ends_with("/racelab/unmodified.h");  // racelab::interleave(), inlined into its caller
}

// The site's frames outside the standard library and libc, innermost
// (inlined) first, at most `most`.
std::vector<Frame> user_frames(const Site& site, std::size_t most) {
  std::vector<Frame> frames;
  if (__sanitizer_symbolize_pc == nullptr) return frames;
  for (std::uintptr_t pc : site.pc) {
    if (pc == 0 || frames.size() >= most) break;
    if (in_system_library(pc)) continue;
    char buffer[4096] = {};
    // One NUL-terminated "file|line|column|function" per frame, innermost (inlined) first.
    __sanitizer_symbolize_pc(reinterpret_cast<void*>(pc - 1), "%s|%l|%c|%f", buffer, sizeof buffer - 1);
    for (const char* f = buffer; *f != '\0' && f < buffer + sizeof buffer; f += std::strlen(f) + 1) {
      std::string_view text(f);
      std::string_view parts[4];
      for (int i = 0; i < 3; ++i) {
        const auto bar = text.find('|');
        if (bar == std::string_view::npos) break;
        parts[i] = text.substr(0, bar);
        text.remove_prefix(bar + 1);
      }
      parts[3] = text;
      if (is_library_file(parts[0])) continue;
      frames.push_back({std::string(parts[0]), std::string(parts[3]), std::atoi(std::string(parts[1]).c_str()),
                        std::atoi(std::string(parts[2]).c_str())});
      if (frames.size() >= most) break;
    }
  }
  return frames;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

// A project's own small wrapper around a synchronisation primitive (a
// CondVar::Wait, a Mutex::Lock, a MutexLock guard's constructor): the place
// where a thread waits is then its caller, else every bug behind one wrapper
// would have one place. Judged by the function's name: its last component is
// a verb of the primitives, or it is the constructor or destructor of a
// class named like a lock or guard.
bool small_wrapper(const std::string& function) {
  std::string_view name(function);
  if (const auto paren = name.find('('); paren != std::string_view::npos && !name.starts_with("operator"))
    name = name.substr(0, paren);
  const auto last_colons = name.rfind("::");
  const std::string method = lower(last_colons == std::string_view::npos ? name : name.substr(last_colons + 2));
  static constexpr std::string_view kVerbs[] = {
      "lock",       "unlock",      "trylock",     "try_lock",    "wait",        "waitfor",      "wait_for",
      "wait_until", "timedwait",   "signal",      "signalall",   "notify",      "notify_one",   "notify_all",
      "notifyall",  "broadcast",   "acquire",     "release",     "lock_shared", "unlock_shared", "readerlock",
      "writerlock", "readerunlock", "writerunlock", "readlock",   "writelock",   "await",        "arrive_and_wait"};
  for (std::string_view verb : kVerbs)
    if (method == verb) return true;
  if (last_colons == std::string_view::npos) return false;
  const std::string_view scope = name.substr(0, last_colons);
  const auto class_colons = scope.rfind("::");
  const std::string klass = lower(class_colons == std::string_view::npos ? scope : scope.substr(class_colons + 2));
  const bool lock_like = klass.find("lock") != std::string::npos || klass.find("mutex") != std::string::npos ||
                         klass.find("guard") != std::string::npos;
  return lock_like && (method == klass || method == "~" + klass);
}

// The frames that say where: the first user frame and, while it is a small
// wrapper, its callers up to the first that is not one.
std::vector<Frame> where_frames(const Site& site) {
  std::vector<Frame> frames = user_frames(site, 6);
  std::size_t keep = frames.empty() ? 0 : 1;
  while (keep < frames.size() && small_wrapper(frames[keep - 1].function)) ++keep;
  frames.resize(keep);
  return frames;
}

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string location(const Frame& f) {
  return basename_of(f.file) + ":" + std::to_string(f.line) + (f.column > 0 ? ":" + std::to_string(f.column) : "");
}

}  // namespace

std::string describe(const Site& site) {
  const std::vector<Frame> frames = where_frames(site);
  if (frames.empty()) return "an unknown site";
  std::string text;
  for (const Frame& f : frames) {
    text += (text.empty() ? "" : ", called from ") + location(f);
    if (!f.function.empty() && f.function != "<null>") text += " in " + f.function;
  }
  return text;
}

std::string place(const Site& site) {
  const std::vector<Frame> frames = where_frames(site);
  if (frames.empty()) return "an unknown site";
  std::string text;
  for (const Frame& f : frames) text += (text.empty() ? "" : " ← ") + location(f);
  return text;
}

std::string name_of(const char* what, int id, const void* address) {
  std::string name = std::string(what) + " " + (what[0] == 'm' ? "M" : what[0] == 'r' ? "RW" : what[0] == 'c' ? "C" : what[0] == 's' ? "S" : "B") + std::to_string(id);
  if (const std::string global = global_name(address); !global.empty()) {
    name += " '" + global + "'";
  } else if (auto home = model().stack_homes.find(id); home != model().stack_homes.end()) {
    Site site;
    site.pc[0] = home->second.first;
    // The frame is the outermost function of the inlined ones at that pc.
    const std::vector<Frame> inlined = user_frames(site, 16);
    if (!inlined.empty())
      name += " (a local of " + inlined.back().function + " at " + location(inlined.back()) +
              (home->second.second >= 0 ? ", on T" + std::to_string(home->second.second) + "'s stack)" : ")");
  }
  return name;
}

// ---- outcomes ----

void write_record(const std::string& line) {
  Process& p = process();
  if (p.records.empty()) return;
  const pid_t pid = getpid();
  if (p.records_pid != pid) {  // the first record, or a fork child's
    const std::string path = p.records + "." + std::to_string(pid);
    p.records_fd = static_cast<int>(
        raw_syscall(SYS_openat, AT_FDCWD, path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    p.records_pid = pid;
  }
  if (p.records_fd >= 0) raw_write(p.records_fd, line);
}

void note(Verdict verdict, const std::string& where, const std::string& detail) {
  write_record(encode(ProgramVerdict{verdict, where, detail, false}));
  raw_write(2, "racelab: " + std::string(to_string(verdict)) + ": " + detail + "\n");
}

void write_schedule() {
  if (!controlled()) return;
  ScopedModel scoped;
  write_record(encode(control_record()));
}

[[noreturn]] void end_process(Verdict verdict, const std::string& where, const std::string& detail) {
  t_inside = true;
  write_record(encode(ProgramVerdict{verdict, where, detail, true}));
  if (controlled()) write_record(encode(control_record()));  // (end_process runs under the model's lock)
  raw_write(2, "racelab: " + std::string(to_string(verdict)) + ": " + detail + "\n");
  // Straight to the kernel: past TSan's exit handling (which would run the
  // program's atexit handlers while its threads are stuck).
  raw_syscall(SYS_exit_group, kRuntimeEndedExit);
  __builtin_unreachable();
}

}  // namespace racelab::intercept
