// expect: crash
// where: crash_uncaught_exception.cpp
// runs: 3
// A worker std::thread parses port numbers with std::stoi. One entry is not
// a number, std::stoi throws std::invalid_argument, and nothing in the
// thread catches it: the exception leaves the thread function and
// std::terminate() aborts the program (main's try/catch cannot help).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

int main() {
  std::vector<std::string> entries = {"80", "443", "http-alt", "8080"};
  std::vector<int> ports;
  try {
    std::thread parser([&] {
      for (const auto& e : entries) ports.push_back(std::stoi(e));
    });
    parser.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parse failed: %s\n", e.what());
    return 1;
  }
  std::printf("%zu ports\n", ports.size());
  return 0;
}
