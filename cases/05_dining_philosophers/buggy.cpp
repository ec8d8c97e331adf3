// 05_dining_philosophers, buggy: five philosophers each reach for the left
// fork first.
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
  racelab::mutex& first = left;    // BUG: everyone reaches left first: if all five hold
  racelab::mutex& second = right;  // BUG: their left fork, each waits for a neighbour's
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

void buggy(Run& run) {
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
