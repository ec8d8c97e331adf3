// expect: data_race
// where: race_counter_pthread.c
// runs: 5
// Two C pthreads add their hits to a shared `long hits` with no mutex (the
// mutex is there, but only the reset path uses it). The unprotected
// read-modify-write is a data race that loses updates.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t hits_lock = PTHREAD_MUTEX_INITIALIZER;
static long hits = 0;

static void *record_hits(void *arg) {
  long n = (long)arg;
  for (long i = 0; i < n; i++) hits = hits + 1;  // no lock
  return NULL;
}

static void reset(void) {
  pthread_mutex_lock(&hits_lock);
  hits = 0;
  pthread_mutex_unlock(&hits_lock);
}

int main(void) {
  reset();
  pthread_t a, b;
  pthread_create(&a, NULL, record_hits, (void *)1000L);
  pthread_create(&b, NULL, record_hits, (void *)1000L);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("hits %ld (expected 2000)\n", hits);
  return 0;
}
