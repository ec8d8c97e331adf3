#include "child.h"

#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace racelab::testing {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

int processes_with(const std::vector<std::string>& needles) {
  int found = 0;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return -1;
  while (dirent* entry = readdir(proc)) {
    std::string cmdline = read_file(std::string("/proc/") + entry->d_name + "/cmdline");
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    bool all = !cmdline.empty();
    for (const auto& n : needles) all = all && cmdline.find(n) != std::string::npos;
    found += all ? 1 : 0;
  }
  closedir(proc);
  return found;
}

namespace {

// "123" -> 123; anything else (".", "self", "12a") -> -1.
pid_t pid_of_name(const char* name) {
  pid_t pid = 0;
  if (*name == '\0') return -1;
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return -1;
    pid = pid * 10 + (*c - '0');
  }
  return pid;
}

// A zombie thread-group leader whose process still has other threads.
bool has_live_threads(pid_t pid) {
  DIR* tasks = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (tasks == nullptr) return false;
  bool other = false;
  while (dirent* entry = readdir(tasks)) {
    const pid_t tid = pid_of_name(entry->d_name);
    if (tid > 0 && tid != pid) other = true;
  }
  closedir(tasks);
  return other;
}

}  // namespace

std::vector<pid_t> descendants_of(pid_t root) {
  // Every live process's parent, from /proc/PID/stat: "pid (comm) S ppid …".
  // comm may hold spaces and ')', so the fields are read after the last ')'.
  std::multimap<pid_t, pid_t> children;  // ppid -> pid
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return {};
  while (dirent* entry = readdir(proc)) {
    const pid_t pid = pid_of_name(entry->d_name);
    if (pid <= 0) continue;
    const std::string stat = read_file(std::string("/proc/") + entry->d_name + "/stat");
    const std::size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;  // gone meanwhile
    std::istringstream fields(stat.substr(close + 1));
    char state = '?';
    long ppid = -1;
    if (!(fields >> state >> ppid)) continue;
    if ((state == 'Z' && !has_live_threads(pid)) || state == 'X') continue;
    children.emplace(static_cast<pid_t>(ppid), pid);
  }
  closedir(proc);

  std::vector<pid_t> found;
  std::vector<pid_t> to_visit{root};
  while (!to_visit.empty()) {
    const pid_t parent = to_visit.back();
    to_visit.pop_back();
    auto [first, last] = children.equal_range(parent);
    for (auto it = first; it != last; ++it) {
      if (it->second == root || std::find(found.begin(), found.end(), it->second) != found.end()) continue;
      found.push_back(it->second);
      to_visit.push_back(it->second);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

namespace {

// Removes every directory make_temp_dir() made when the test program ends.
struct TempDirs {
  std::vector<std::string> paths;
  ~TempDirs() {
    std::error_code ignored;
    for (const auto& p : paths) std::filesystem::remove_all(p, ignored);
  }
};

TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

}  // namespace

std::string make_temp_dir(const std::string& prefix) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  temp_dirs().paths.push_back(pattern);
  return pattern;
}

}  // namespace racelab::testing
