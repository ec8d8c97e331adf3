// expect: invariant_violated
// where: oversold
// strategy: controlled
// runs: 100
// seeds: 20
// A box office with one ticket left. Each buyer asks, under the box
// office's lock, whether a ticket is left, and if so takes it, under the
// lock again: check-then-act across two critical sections. When both
// checks come before either take, the last ticket is sold twice. No data
// race (every access is under the lock): only the interleaving is wrong,
// and the window is the few instructions between two lock sections, which
// real threads almost never hit.
#include <cstdio>
#include <mutex>
#include <thread>

class BoxOffice {
 public:
  bool available() {
    std::lock_guard<std::mutex> hold(m_);
    return left_ > 0;
  }
  void take() {
    std::lock_guard<std::mutex> hold(m_);
    --left_;
    ++sold_;
  }
  int left() {
    std::lock_guard<std::mutex> hold(m_);
    return left_;
  }

 private:
  std::mutex m_;
  int left_ = 1;
  int sold_ = 0;
};

int main() {
  BoxOffice office;
  auto buyer = [&] {
    if (office.available()) office.take();
  };
  std::thread a(buyer), b(buyer);
  a.join();
  b.join();
  if (office.left() < 0) {
    std::fprintf(stderr, "oversold: %d tickets left\n", office.left());
    return 1;
  }
  std::printf("sold out\n");
  return 0;
}
