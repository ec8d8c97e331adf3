// expect: self_deadlock
// where: hang_relock_pthread.c
// runs: 3
// A C cache with one default (non-recursive) pthread mutex. cache_put()
// locks it and, when the cache is full, calls cache_evict(), which was
// written as a public function and so locks the mutex again. The owner
// re-locks a default mutex: the worker blocks on itself forever.
#include <pthread.h>
#include <stdio.h>

#define CAPACITY 4
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static int cache[CAPACITY];
static int used = 0;

void cache_evict(void) {
  pthread_mutex_lock(&cache_lock);
  if (used > 0) used--;
  pthread_mutex_unlock(&cache_lock);
}

void cache_put(int value) {
  pthread_mutex_lock(&cache_lock);
  if (used == CAPACITY) cache_evict();  // re-locks cache_lock
  cache[used++] = value;
  pthread_mutex_unlock(&cache_lock);
}

static void *filler(void *arg) {
  (void)arg;
  for (int i = 0; i < 10; i++) cache_put(i);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, filler, NULL);
  pthread_join(t, NULL);
  printf("used %d, last %d\n", used, cache[used - 1]);
  return 0;
}
