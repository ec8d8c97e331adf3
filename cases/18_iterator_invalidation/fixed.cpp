// 18_iterator_invalidation, fixed: the reader walks the vector under the lock.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::iterator_invalidation {
namespace {

constexpr int kScores = 40;

class Leaderboard {
 public:
  void add(int score) {
    std::lock_guard lock(mutex_);
    scores_.push_back(score);  // may reallocate: every iterator into scores_ dies
  }

  int best() {
    int best = 0;
    std::lock_guard lock(mutex_);  // FIX: no add() while the loop's iterators live
    for (int score : scores_) {
      racelab::interleave();
      best = std::max(best, score);
    }
    return best;
  }

 private:
  racelab::mutex mutex_;  // guards scores_
  std::vector<int> scores_ = {1};
};

}  // namespace

void fixed(Run& run) {
  Leaderboard board;
  int best_seen = 0;
  racelab::thread writer([&] {
    for (int s = 2; s <= kScores; ++s) board.add(s);
  });
  racelab::thread reader([&] {
    for (int i = 0; i < 5; ++i) best_seen = std::max(best_seen, board.best());
  });
  writer.join();
  reader.join();
  run.check(best_seen <= kScores, "best score " + std::to_string(best_seen) + ", but no score exceeds " +
                                      std::to_string(kScores));
}

}  // namespace racelab::cases::iterator_invalidation
