// expect: crash
// where: crash_assert_worker.c
// where: assert
// runs: 3
// A C worker pool splits an array into chunks; each worker asserts its
// chunk is not empty. With 4 workers and 9 elements the author's chunk
// size (n / workers rounded up: 3) leaves the last worker an empty chunk
// [9, 9), so its assert(begin < end) fails in a worker thread: abort.
#include <assert.h>
#include <pthread.h>
#include <stdio.h>

#define N 9
#define WORKERS 4
static int data[N];
static long sums[WORKERS];

static void *sum_chunk(void *arg) {
  long id = (long)arg;
  int chunk = (N + WORKERS - 1) / WORKERS;
  int begin = (int)id * chunk;
  int end = begin + chunk > N ? N : begin + chunk;
  assert(begin < end);
  for (int i = begin; i < end; i++) sums[id] += data[i];
  return NULL;
}

int main(void) {
  for (int i = 0; i < N; i++) data[i] = i;
  pthread_t t[WORKERS];
  for (long i = 0; i < WORKERS; i++)
    pthread_create(&t[i], NULL, sum_chunk, (void *)i);
  long total = 0;
  for (int i = 0; i < WORKERS; i++) {
    pthread_join(t[i], NULL);
    total += sums[i];
  }
  printf("total %ld\n", total);
  return 0;
}
