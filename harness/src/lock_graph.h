// lock_graph.h — the lock-order graph behind lock_order_inversion (internal).
//
// Not part of the public API (harness/include): locks.cpp keeps the one
// process-wide instance; the header exists so that the cycle finder can be
// tested on its own. Nodes are only compared and hashed, never dereferenced,
// so any distinct pointers will do as nodes.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

namespace racelab::detail {

class Lockable;

// The lock-order graph: an edge A→B when some thread took B (blocking) while
// holding A, with the sites of both acquisitions. Nodes leave with their
// mutex, so a later mutex at the same address starts clean.
class LockGraph {
 public:
  struct Edge {
    std::uintptr_t from_pc = 0;  ///< where the held lock was taken
    std::uintptr_t to_pc = 0;    ///< where the new lock was taken
    int thread = -1;
    int from_id = 0;
    int to_id = 0;
  };

  // Adds from→to; returns the cycle it closes (its edges, in order), if any.
  std::vector<Edge> add(const Lockable* from, const Lockable* to, const Edge& edge) {
    std::lock_guard lock(mutex_);
    auto& out = adjacent_[from];
    if (out.contains(to)) return {};
    out.emplace(to, edge);
    std::vector<const Lockable*> path;
    std::set<const Lockable*> seen;
    if (!find_path(to, from, path, seen)) return {};
    std::vector<Edge> cycle = {edge};
    const Lockable* at = to;
    for (const Lockable* next : path) {
      cycle.push_back(adjacent_[at].at(next));
      at = next;
    }
    return cycle;
  }

  void forget(const Lockable* node) {
    std::lock_guard lock(mutex_);
    adjacent_.erase(node);
    for (auto& [from, out] : adjacent_) out.erase(node);
  }

 private:
  // Depth-first search for a path start→…→goal; `path` excludes start.
  bool find_path(const Lockable* start, const Lockable* goal, std::vector<const Lockable*>& path,
                 std::set<const Lockable*>& seen) {
    if (!seen.insert(start).second) return false;
    auto it = adjacent_.find(start);
    if (it == adjacent_.end()) return false;
    for (const auto& [next, edge] : it->second) {
      path.push_back(next);
      if (next == goal || find_path(next, goal, path, seen)) return true;
      path.pop_back();
    }
    return false;
  }

  std::mutex mutex_;
  std::unordered_map<const Lockable*, std::map<const Lockable*, Edge>> adjacent_;
};

}  // namespace racelab::detail
