// expect: data_race
// where: race_relaxed_publish.cpp
// runs: 5
// A config struct (plain fields) is filled by one thread and published
// through a std::atomic<bool> flag stored and loaded with
// memory_order_relaxed ("it's only a flag"). Relaxed operations give no
// happens-before, so the reader's reads of the struct race with the
// writer's writes, even though the reader only reads after seeing the flag.
#include <atomic>
#include <cstdio>
#include <thread>

struct Config {
  int port;
  int workers;
  char name[16];
};

Config config;
std::atomic<bool> published{false};

void writer() {
  config.port = 8080;
  config.workers = 4;
  std::snprintf(config.name, sizeof config.name, "edge");
  published.store(true, std::memory_order_relaxed);  // should be release
}

int main() {
  std::thread w(writer);
  while (!published.load(std::memory_order_relaxed)) std::this_thread::yield();
  std::printf("%s:%d x%d\n", config.name, config.port, config.workers);
  w.join();
  return 0;
}
