// expect: clean
// where: ok_detached_cv_done.cpp
// runs: 50
// A fire-and-forget report thread is detached; when it finishes it sets
// `done` under the mutex and notifies a std::condition_variable. main
// waits with a predicate, so it works whether the notify comes before or
// after main starts waiting, and then reads the report.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

std::mutex m;
std::condition_variable done_cv;
bool done = false;
std::string report;

int main() {
  std::thread([] {
    std::string r;
    for (int i = 0; i < 5; ++i) r += "line " + std::to_string(i) + "\n";
    std::lock_guard<std::mutex> lock(m);
    report = std::move(r);
    done = true;
    done_cv.notify_one();
  }).detach();
  std::unique_lock<std::mutex> lock(m);
  done_cv.wait(lock, [] { return done; });
  std::printf("%s", report.c_str());
  return report.empty() ? 1 : 0;
}
