// What a program that timed out was doing: busy or blocked, its threads'
// states, and where its own code waits.
#include "inspect.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace racelab::driver {

namespace {

// Where each module of `pid` is loaded: the start of its mapping at file offset 0.
std::map<std::string, std::uintptr_t> load_bases(pid_t pid) {
  std::map<std::string, std::uintptr_t> bases;
  std::istringstream maps(read_text(fmt::format("/proc/{}/maps", pid)).value_or(""));
  for (std::string line; std::getline(maps, line);) {
    // "55d1…-55d1… r--p 00000000 08:01 1234   /path/module"
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode >> path;
    if (path.empty() || path.front() != '/' || std::stoull(offset, nullptr, 16) != 0 || bases.contains(path)) continue;
    bases[path] = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
  }
  return bases;
}

// "file.cpp:25:17" for each (module, address), by llvm-symbolizer (elfutils
// cannot read the line tables clang writes); empty where it knows none.
std::vector<std::string> source_lines(pid_t pid, const std::vector<std::pair<std::string, std::uintptr_t>>& frames) {
  std::vector<std::string> lines(frames.size());
#ifdef RACELAB_SYMBOLIZER
  const std::map<std::string, std::uintptr_t> bases = load_bases(pid);
  std::string input;
  for (const auto& [module, pc] : frames) {
    auto base = bases.find(module);
    // A return address: the call is one byte before it.
    input += fmt::format("\"{}\" 0x{:x}\n", module, base == bases.end() ? 0 : pc - 1 - base->second);
  }
  const std::string in_path = fmt::format("/tmp/racelab-frames-{}-{}", getpid(), pid);
  {
    std::ofstream out(in_path);
    out << input;
  }
  ProcessResult symbolized;
  try {
    symbolized = run_captured({"/bin/sh", "-c", std::string("exec ") + RACELAB_SYMBOLIZER + " < " + in_path},
                              std::chrono::seconds(10), {}, 1 << 20);
  } catch (const std::exception&) {
  }
  std::remove(in_path.c_str());
  // Per address: (function, "file:line:col") pairs, inlined code first, then
  // a blank line. The first location outside the standard library's headers.
  std::istringstream out(symbolized.out);
  std::size_t i = 0;
  for (std::string function, where; i < frames.size() && std::getline(out, function);) {
    if (function.empty()) {
      ++i;
      continue;
    }
    if (!std::getline(out, where)) break;
    if (!lines[i].empty() || where.starts_with("??") || where.find("/c++/") != std::string::npos ||
        where.starts_with("/usr/include/"))
      continue;
    lines[i] = std::filesystem::path(where).filename().string();
  }
#else
  (void)pid;
#endif
  return lines;
}

// The top frame of each thread that is the program's own (elfutils'
// eu-stack, when installed: a few milliseconds): not in a system library,
// not the runtime's or the standard library's; a std::thread's callable is
// named by its type; with its source line when llvm-symbolizer knows it.
// Sorted, each once.
std::vector<std::string> waiting_frames(pid_t pid) {
  const std::string eu_stack = "/usr/bin/eu-stack";
  if (access(eu_stack.c_str(), X_OK) != 0) return {};
  ProcessResult stacks;
  try {
    stacks = run_captured({eu_stack, "-m", "-p", std::to_string(pid)}, std::chrono::seconds(5), {}, 1 << 20);
  } catch (const std::exception&) {
    return {};
  }
  std::vector<std::string> functions;
  std::vector<std::pair<std::string, std::uintptr_t>> frames;
  bool found = true;  // the current thread's frame is known (or there is no thread yet)
  std::istringstream lines(stacks.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("TID ")) {
      found = false;
      continue;
    }
    if (found || !line.starts_with('#')) continue;
    // "#3  0x000055… function - /path/module"
    const std::size_t address = line.find(" 0x");
    const std::size_t dash = line.rfind(" - ");
    if (address == std::string::npos || dash == std::string::npos) continue;
    const std::size_t name_at = line.find(' ', address + 1);
    if (name_at == std::string::npos || name_at >= dash) continue;
    std::string function = line.substr(name_at + 1, dash - name_at - 1);
    const std::string module = line.substr(dash + 3);
    if (module.starts_with("/usr/lib") || module.starts_with("/lib")) continue;
    constexpr std::string_view kThreadState = "std::thread::_State_impl<std::thread::_Invoker<std::tuple<";
    if (function.starts_with(kThreadState)) {
      function = function.substr(kThreadState.size());
      function = function.substr(0, function.find("> >"));
    } else if (function.empty() || function.starts_with("_") || function.starts_with("std::") ||
               function.starts_with("racelab::") || function.starts_with("pthread_")) {
      continue;
    }
    functions.push_back(function);
    frames.emplace_back(module, std::stoull(line.substr(address + 1, name_at - address - 1), nullptr, 16));
    found = true;
  }
  const std::vector<std::string> sources = source_lines(pid, frames);
  std::set<std::string> named;
  for (std::size_t i = 0; i < functions.size(); ++i)
    named.insert(sources[i].empty() ? functions[i] : functions[i] + " " + sources[i]);
  return {named.begin(), named.end()};
}

}  // namespace

void inspect(pid_t pid, ProcessResult& result) {
  auto cpu_ticks = [pid] {
    const std::string stat = read_text(fmt::format("/proc/{}/stat", pid)).value_or("");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) return -1LL;
    std::istringstream fields(stat.substr(paren + 2));
    std::string field;
    long long utime = 0;
    long long stime = 0;
    for (int i = 3; fields >> field; ++i) {  // field 3 is the state
      if (i == 14) utime = std::atoll(field.c_str());
      if (i == 15) {
        stime = std::atoll(field.c_str());
        break;
      }
    }
    return utime + stime;
  };
  const long long before = cpu_ticks();
  usleep(100000);
  const long long after = cpu_ticks();
  if (before < 0 || after < 0) return;  // gone already
  // 2 ticks (20 ms at 100 Hz) of CPU in 100 ms: something is spinning.
  result.hang_kind = after - before >= 2 ? "busy" : "blocked";
  std::map<std::string, int> states;
  int threads = 0;
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), error)) {
    const std::string stat = read_text(task.path() / "stat").value_or("");
    const std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) continue;
    ++threads;
    const char state = stat[paren + 2];
    std::string wchan = read_text(task.path() / "wchan").value_or("");
    std::string label = state == 'R' ? "running" : state == 'D' ? "in the kernel" : state == 'T' || state == 't' ? "stopped" : "sleeping";
    if (state != 'R' && !wchan.empty() && wchan != "0") label += " in " + wchan;
    ++states[label];
  }
  std::string text = fmt::format("{} thread{}:", threads, threads == 1 ? "" : "s");
  bool first = true;
  for (const auto& [label, n] : states) {
    text += fmt::format("{} {} {}", first ? "" : ",", n, label);
    first = false;
  }
  result.thread_states = text;
  result.waiting_frames = waiting_frames(pid);
}

}  // namespace racelab::driver
