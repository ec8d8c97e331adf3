// Two transfers lock two accounts in opposite orders: a deadlock.
#include <chrono>
#include <mutex>
#include <thread>

std::mutex from_lock, to_lock;

int main() {
  std::thread a([] {
    std::lock_guard first(from_lock);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard second(to_lock);
  });
  std::thread b([] {
    std::lock_guard first(to_lock);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::lock_guard second(from_lock);
  });
  a.join();
  b.join();
}
