// proc_table.h — the machine's processes and who descends from whom, read
// from /proc. Header-only: racelab-keeper, built apart from the rest of
// racelab (no sanitizer, no libraries), uses it as the driver and the tests
// do.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace racelab::proc {

struct Entry {
  pid_t pid = 0;
  pid_t ppid = 0;
  char state = '?';  ///< R, S, D, T, Z, …
  std::string comm;  ///< the command name (15 characters at most)
  /// Still running: not a zombie — or a zombie thread-group leader whose
  /// other threads still run (the main thread called pthread_exit()).
  bool live = false;
};

namespace detail {

inline std::string read_small(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  return text;
}

// "123" -> 123; anything else (".", "self", "12a") -> -1.
inline pid_t pid_of(const char* name) {
  if (*name == '\0') return -1;
  pid_t pid = 0;
  for (const char* c = name; *c != '\0'; ++c) {
    if (*c < '0' || *c > '9') return -1;
    pid = pid * 10 + (*c - '0');
  }
  return pid;
}

inline bool has_other_threads(pid_t pid) {
  DIR* tasks = opendir(("/proc/" + std::to_string(pid) + "/task").c_str());
  if (tasks == nullptr) return false;
  bool other = false;
  while (dirent* entry = readdir(tasks)) {
    const pid_t tid = pid_of(entry->d_name);
    if (tid > 0 && tid != pid) other = true;
  }
  closedir(tasks);
  return other;
}

}  // namespace detail

// Every process now, from /proc/PID/stat: "pid (comm) state ppid …" — comm
// may hold spaces and ')', so the fields after it are read after the last ')'.
inline std::vector<Entry> table() {
  std::vector<Entry> entries;
  DIR* dir = opendir("/proc");
  if (dir == nullptr) return entries;
  while (dirent* d = readdir(dir)) {
    const pid_t pid = detail::pid_of(d->d_name);
    if (pid <= 0) continue;
    const std::string stat = detail::read_small(std::string("/proc/") + d->d_name + "/stat");
    const std::size_t open_paren = stat.find('(');
    const std::size_t close_paren = stat.rfind(')');
    if (open_paren == std::string::npos || close_paren == std::string::npos || close_paren + 4 > stat.size())
      continue;  // gone meanwhile
    Entry e;
    e.pid = pid;
    e.comm = stat.substr(open_paren + 1, close_paren - open_paren - 1);
    e.state = stat[close_paren + 2];
    e.ppid = static_cast<pid_t>(std::strtol(stat.c_str() + close_paren + 4, nullptr, 10));
    e.live = (e.state != 'Z' && e.state != 'X') || (e.state == 'Z' && detail::has_other_threads(pid));
    entries.push_back(std::move(e));
  }
  closedir(dir);
  return entries;
}

// The live descendants of `root` (not `root` itself), parents before their
// children.
inline std::vector<Entry> live_descendants(pid_t root) {
  const std::vector<Entry> all = table();
  std::multimap<pid_t, const Entry*> children;
  for (const Entry& e : all) children.emplace(e.ppid, &e);
  std::vector<Entry> found;
  std::set<pid_t> seen = {root};
  std::vector<pid_t> to_visit = {root};
  for (std::size_t i = 0; i < to_visit.size(); ++i) {
    auto [first, last] = children.equal_range(to_visit[i]);
    for (auto it = first; it != last; ++it) {
      const Entry& child = *it->second;
      if (!seen.insert(child.pid).second) continue;
      to_visit.push_back(child.pid);
      if (child.live) found.push_back(child);
    }
  }
  return found;
}

}  // namespace racelab::proc
