// 21_pool_swallowed_exception, buggy: tasks are submitted to a thread pool
// and their futures dropped; the one task that throws fails in silence.
//
// Compare with fixed.cpp: they differ only on the lines marked BUG / FIX.
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include <racelab/racelab.h>

namespace racelab::cases::pool_swallowed_exception {
namespace {

constexpr int kWorkers = 3;

// One order line of an import file: "quantity" must be a whole number.
struct Order {
  int id = 0;
  std::string quantity;
};

const std::vector<Order> kOrders = {{1, "3"},  {2, "1"}, {3, "12"}, {4, "2"}, {5, "7"},
                                    {6, "4"},  {7, "x"}, {8, "1"},  {9, "5"}, {10, "2"}};
constexpr int kValidOrders = 9;  // order 7 is malformed

// Parses and stores one order; throws on a malformed quantity.
int import_order(const Order& order) {
  racelab::interleave();
  if (order.quantity.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("order " + std::to_string(order.id) + ": quantity '" +
                                order.quantity + "' is not a number");
  return std::stoi(order.quantity);
}

}  // namespace

void buggy(Run& run) {
  std::atomic<int> imported{0};
  {
    racelab::task_pool pool(kWorkers);  // the seeds' ThreadPoolExecutor
    for (const Order& order : kOrders) {
      pool.submit([&imported, &order] {  // BUG: the future, and any exception in it, is dropped
        import_order(order);
        imported.fetch_add(1);
        racelab::progress();
      });
    }
  }  // every task has run here
  run.check(imported.load() == kValidOrders, std::to_string(imported.load()) + " orders imported, " +
                                                 std::to_string(kValidOrders) + " were valid");
  // BUG: nothing here can learn that order 7 failed
}

}  // namespace racelab::cases::pool_swallowed_exception
