// expect: clean
// where: ok_barrier_rounds.c
// runs: 50
// Three C threads run 5 rounds of a stencil-like computation: each writes
// its own cell of `next` from the previous round's `cur`, and a pthread
// barrier for 3 separates the rounds (the serial thread swaps the arrays).
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

#define THREADS 3
#define ROUNDS 5
static pthread_barrier_t round_done;
static int cells_a[THREADS] = {1, 2, 3}, cells_b[THREADS];
static int *cur = cells_a, *next = cells_b;

static void *step(void *arg) {
  int id = *(int *)arg;
  for (int r = 0; r < ROUNDS; r++) {
    next[id] = cur[id] + cur[(id + 1) % THREADS];
    if (pthread_barrier_wait(&round_done) == PTHREAD_BARRIER_SERIAL_THREAD) {
      int *tmp = cur;
      cur = next;
      next = tmp;
    }
    pthread_barrier_wait(&round_done);  // everyone sees the swap
  }
  return NULL;
}

int main(void) {
  pthread_barrier_init(&round_done, NULL, THREADS);
  pthread_t t[THREADS];
  int ids[THREADS] = {0, 1, 2};
  for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, step, &ids[i]);
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  int sum = cur[0] + cur[1] + cur[2];
  printf("sum %d\n", sum);
  pthread_barrier_destroy(&round_done);
  return sum == 6 * 32 ? 0 : 1;
}
