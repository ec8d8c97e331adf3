// 05_dining_philosophers, fixed: the last philosopher reaches right first.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <array>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::dining_philosophers {
namespace {

constexpr int kPhilosophers = 5;
constexpr int kMeals = 3;

struct Table {
  std::array<racelab::mutex, kPhilosophers> forks;
  std::array<int, kPhilosophers> meals{};  // each philosopher writes only their own
};

void dine(Table& table, int i) {
  racelab::mutex& left = table.forks[static_cast<std::size_t>(i)];
  racelab::mutex& right = table.forks[static_cast<std::size_t>((i + 1) % kPhilosophers)];
  const bool last = i == kPhilosophers - 1;
  racelab::mutex& first = last ? right : left;   // FIX: forks are taken in one global order
  racelab::mutex& second = last ? left : right;  // FIX: (lower index first), so no cycle
  for (int meal = 0; meal < kMeals; ++meal) {
    first.lock();
    racelab::interleave();
    second.lock();
    ++table.meals[static_cast<std::size_t>(i)];
    racelab::progress();
    second.unlock();
    first.unlock();
  }
}

}  // namespace

void fixed(Run& run) {
  Table table;
  std::vector<racelab::thread> philosophers;
  for (int i = 0; i < kPhilosophers; ++i) philosophers.emplace_back(dine, std::ref(table), i);
  for (auto& philosopher : philosophers) philosopher.join();
  for (int i = 0; i < kPhilosophers; ++i)
    run.check(table.meals[static_cast<std::size_t>(i)] == kMeals,
              "philosopher " + std::to_string(i) + " ate " +
                  std::to_string(table.meals[static_cast<std::size_t>(i)]) + " meals, expected " +
                  std::to_string(kMeals));
}

}  // namespace racelab::cases::dining_philosophers
