// expect: use_after_free|data_race
// where: crash_use_after_free.cpp
// runs: 5
// main creates a Session on the heap and hands the raw pointer to a worker
// thread that sends a few heartbeats. main thinks it is done with the
// session and deletes it before joining the worker; the worker (slower,
// it sleeps 5 ms before its heartbeats) then reads the freed object.
#include <chrono>
#include <cstdio>
#include <thread>

struct Session {
  int id = 17;
  int heartbeats = 0;
};

void heartbeat(Session* s) {
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  for (int i = 0; i < 3; ++i) s->heartbeats++;  // s may be gone
  std::printf("session %d: %d heartbeats\n", s->id, s->heartbeats);
}

int main() {
  Session* s = new Session;
  std::thread t(heartbeat, s);
  delete s;  // too early: the worker still uses it
  t.join();
  return 0;
}
