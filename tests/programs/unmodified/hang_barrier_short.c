// expect: hang
// where: hang_barrier_short.c
// where: barrier
// runs: 3
// A pthread barrier is initialised for 3 participants: two worker threads
// and main. The workers compute their halves and meet at the barrier, but
// main never calls pthread_barrier_wait() (it goes straight to join), so
// the barrier stays one participant short and both workers wait forever.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

static pthread_barrier_t phase_done;
static int partial[2];

static void *worker(void *arg) {
  int id = *(int *)arg;
  for (int i = 0; i < 1000; i++) partial[id] += i % 7;
  pthread_barrier_wait(&phase_done);
  return NULL;
}

int main(void) {
  pthread_barrier_init(&phase_done, NULL, 3);  // 2 workers + main
  pthread_t t[2];
  int ids[2] = {0, 1};
  for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, worker, &ids[i]);
  // forgot: pthread_barrier_wait(&phase_done);
  for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
  printf("sum %d\n", partial[0] + partial[1]);
  pthread_barrier_destroy(&phase_done);
  return 0;
}
