// expect: clean
// where: ok_recursive_mutex.c
// runs: 50
// The C cache again, but this time the mutex is created with
// PTHREAD_MUTEX_RECURSIVE, so cache_put() may call the public cache_evict()
// which locks the mutex a second time. Two threads fill the cache.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>

#define CAPACITY 4
static pthread_mutex_t cache_lock;
static int used = 0, evicted = 0;

void cache_evict(void) {
  pthread_mutex_lock(&cache_lock);
  if (used > 0) {
    used--;
    evicted++;
  }
  pthread_mutex_unlock(&cache_lock);
}

void cache_put(void) {
  pthread_mutex_lock(&cache_lock);
  if (used == CAPACITY) cache_evict();  // recursive: fine
  used++;
  pthread_mutex_unlock(&cache_lock);
}

static void *filler(void *arg) {
  (void)arg;
  for (int i = 0; i < 50; i++) cache_put();
  return NULL;
}

int main(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&cache_lock, &attr);
  pthread_mutexattr_destroy(&attr);
  pthread_t a, b;
  pthread_create(&a, NULL, filler, NULL);
  pthread_create(&b, NULL, filler, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("used %d evicted %d\n", used, evicted);
  pthread_mutex_destroy(&cache_lock);
  return used + evicted == 100 ? 0 : 1;
}
