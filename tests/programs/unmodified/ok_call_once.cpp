// expect: clean
// where: ok_call_once.cpp
// runs: 50
// Four threads need a shared connection table; each calls
// std::call_once(table_flag, init) before reading it. init runs exactly
// once and call_once orders it before all the readers.
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

std::once_flag table_flag;
std::vector<std::string> table;
int init_calls = 0;

void init_table() {
  ++init_calls;
  for (int i = 0; i < 16; ++i) table.push_back("conn-" + std::to_string(i));
}

std::size_t lookup_len(int i) {
  std::call_once(table_flag, init_table);
  return table[i % table.size()].size();
}

int main() {
  std::vector<std::size_t> lens(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&lens, i] { lens[i] = lookup_len(i * 5); });
  for (auto& t : threads) t.join();
  std::printf("init %d, lens %zu %zu %zu %zu\n", init_calls, lens[0], lens[1],
              lens[2], lens[3]);
  return init_calls == 1 ? 0 : 1;
}
