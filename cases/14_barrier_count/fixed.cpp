// 14_barrier_count, fixed: the barrier counts every participant once.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::barrier_count {
namespace {

constexpr int kTravellers = 3;

}  // namespace

void fixed(Run& run) {
  // The guide starts the tour when everybody is at the meeting point.
  racelab::barrier meeting_point(kTravellers + 1);  // FIX: the travellers and the guide
  std::vector<int> on_tour(kTravellers, 0);
  int tour_started = 0;
  std::vector<racelab::thread> group;
  group.emplace_back([&] {  // the guide
    meeting_point.arrive_and_wait();
    tour_started = 1;
  });
  for (int t = 0; t < kTravellers; ++t)
    group.emplace_back([&, t] {
      racelab::interleave();  // (walking to the meeting point)
      meeting_point.arrive_and_wait();
      on_tour[static_cast<std::size_t>(t)] = 1;
    });
  for (auto& member : group) member.join();
  int travelling = 0;
  for (int x : on_tour) travelling += x;
  run.check(tour_started == 1 && travelling == kTravellers,
            std::to_string(travelling) + " of " + std::to_string(kTravellers) + " travellers on the tour");
}

}  // namespace racelab::cases::barrier_count
