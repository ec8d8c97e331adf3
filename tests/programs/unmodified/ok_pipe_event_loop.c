// expect: clean
// where: ok_pipe_event_loop.c
// runs: 20
// A C event loop, correct: a worker poll()s a job pipe and a stop pipe with
// a 50 ms timeout, counting the timeouts as idle ticks; main writes five
// jobs (a number each), waits for the worker's answers on a third pipe,
// then writes to the stop pipe and joins. The pipes carry every hand-over,
// and the worker's totals are read only after the join.
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int jobs[2], answers[2], stop[2];
static long total = 0, ticks = 0;  // the worker's, read by main after the join

static void *worker(void *arg) {
  (void)arg;
  struct pollfd fds[2] = {{jobs[0], POLLIN, 0}, {stop[0], POLLIN, 0}};
  for (;;) {
    int ready = poll(fds, 2, 50);
    if (ready < 0) return (void *)1;
    if (ready == 0) {
      ticks++;
      continue;
    }
    if (fds[1].revents & POLLIN) return NULL;
    int job;
    if (read(jobs[0], &job, sizeof job) != sizeof job) return (void *)1;
    total += job;
    int answer = job * 2;
    if (write(answers[1], &answer, sizeof answer) != sizeof answer) return (void *)1;
  }
}

int main(void) {
  if (pipe(jobs) != 0 || pipe(answers) != 0 || pipe(stop) != 0) return 2;
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  int sum = 0;
  for (int job = 1; job <= 5; ++job) {
    if (write(jobs[1], &job, sizeof job) != sizeof job) return 2;
    int answer;
    if (read(answers[0], &answer, sizeof answer) != sizeof answer) return 2;
    sum += answer;
  }
  char bye = 'q';
  if (write(stop[1], &bye, 1) != 1) return 2;
  void *bad;
  pthread_join(t, &bad);
  printf("sum %d, total %ld, %ld idle tick(s)\n", sum, total, ticks);
  return bad == NULL && sum == 30 && total == 15 ? 0 : 1;
}
