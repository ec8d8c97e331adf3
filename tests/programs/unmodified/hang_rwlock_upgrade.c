// expect: self_deadlock
// where: hang_rwlock_upgrade.c
// runs: 3
// A C settings table guarded by a pthread rwlock. lookup() takes the read
// lock and, on a miss, "upgrades" by calling pthread_rwlock_wrlock() while
// still holding its own read lock. A write lock waits for all readers to
// leave, including the caller itself: the thread deadlocks on itself.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static char keys[8][16];
static int values[8];
static int used = 0;

static int lookup(const char *key) {
  pthread_rwlock_rdlock(&table_lock);
  for (int i = 0; i < used; i++) {
    if (strcmp(keys[i], key) == 0) {
      int v = values[i];
      pthread_rwlock_unlock(&table_lock);
      return v;
    }
  }
  pthread_rwlock_wrlock(&table_lock);  // upgrade while holding the read lock
  snprintf(keys[used], sizeof keys[used], "%s", key);
  values[used] = 42;
  int v = values[used++];
  pthread_rwlock_unlock(&table_lock);
  return v;
}

static void *reader(void *arg) {
  (void)arg;
  printf("timeout = %d\n", lookup("timeout"));
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  pthread_join(t, NULL);
  return 0;
}
