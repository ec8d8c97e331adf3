// 24_aba_stack, buggy: a lock-free stack whose compare-and-swap compares only
// the top node's index, so a node popped and pushed back in between looks
// like nothing happened.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::aba_stack {
namespace {

constexpr int kNodes = 4;
constexpr int kThreads = 3;
constexpr int kRounds = 20;  // pop-then-push rounds per thread
constexpr std::uint32_t kNil = 0xffffffff;

// The head word: the top node's index in the low 32 bits, a version tag in
// the high 32 bits.
constexpr std::uint32_t index_of(std::uint64_t head) { return static_cast<std::uint32_t>(head); }
constexpr std::uint64_t make_head([[maybe_unused]] std::uint64_t old_head, std::uint32_t index) {
  return index;  // BUG: no tag: the same top node gives the same word as before
}

// A Treiber stack over a fixed pool of nodes, as a free list is kept.
class Stack {
 public:
  Stack() {
    for (std::uint32_t i = 0; i < kNodes; ++i) push(i);
  }

  // The index of the node taken off the top, or kNil when empty.
  std::uint32_t pop() {
    std::uint64_t old_head = head_.load();
    for (;;) {
      const std::uint32_t top = index_of(old_head);
      if (top == kNil) return kNil;
      const std::uint32_t next = nodes_[top].next.load();
      racelab::interleave();  // others may pop `top`, pop `next`, push `top` back
      if (head_.compare_exchange_weak(old_head, make_head(old_head, next))) return top;
    }
  }

  void push(std::uint32_t index) {
    std::uint64_t old_head = head_.load();
    do {
      nodes_[index].next.store(index_of(old_head));
    } while (!head_.compare_exchange_weak(old_head, make_head(old_head, index)));
  }

  // The indexes from the top down (stops after kNodes + 1: a cycle).
  std::vector<std::uint32_t> contents() const {
    std::vector<std::uint32_t> seen;
    for (std::uint32_t at = index_of(head_.load()); at != kNil && seen.size() <= kNodes;
         at = nodes_[at].next.load())
      seen.push_back(at);
    return seen;
  }

 private:
  struct Node {
    std::atomic<std::uint32_t> next{kNil};
  };
  std::array<Node, kNodes> nodes_;
  std::atomic<std::uint64_t> head_{make_head(0, kNil)};
};

}  // namespace

void buggy(Run& run) {
  Stack stack;
  std::array<std::atomic<bool>, kNodes> taken{};
  std::vector<racelab::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int round = 0; round < kRounds; ++round) {
        const std::uint32_t node = stack.pop();
        if (node == kNil) continue;
        if (taken[node].exchange(true))
          run.check(false, "node " + std::to_string(node) + " was popped by two threads at once");
        racelab::interleave();  // (the node is in use)
        taken[node].store(false);
        stack.push(node);
        racelab::progress();
      }
    });
  for (auto& thread : threads) thread.join();

  const std::vector<std::uint32_t> left = stack.contents();
  std::array<int, kNodes> copies{};
  for (std::uint32_t node : left) ++copies[node];
  std::string listing;
  for (std::uint32_t node : left) listing += " " + std::to_string(node);
  for (int node = 0; node < kNodes; ++node)
    run.check(copies[static_cast<std::size_t>(node)] == 1,
              "the stack holds node " + std::to_string(node) + " " +
                  std::to_string(copies[static_cast<std::size_t>(node)]) +
                  " times, expected once (top down:" + listing + ")");
}

}  // namespace racelab::cases::aba_stack
