// expect: crash
// where: race_atomic_assert.c
// where: assert
// runs: 100
// seeds: 20
// Two C11 threads each bump a _Atomic sequence number with a separate
// atomic_load and atomic_store ("both operations are atomic, so the
// increment is too"). When both loads come before either store, one bump
// is lost and the final assert(seq == 2) fails (abort). There is no data
// race for TSan: only the interleaving is wrong. Rare unperturbed.
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

static _Atomic int seq = 0;

static void *bump(void *arg) {
  (void)arg;
  int current = atomic_load(&seq);
  atomic_store(&seq, current + 1);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, bump, NULL);
  pthread_create(&b, NULL, bump, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  assert(atomic_load(&seq) == 2);
  printf("seq %d\n", atomic_load(&seq));
  return 0;
}
