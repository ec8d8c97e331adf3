// expect: hang
// where: hang_lock_leak_pthread.c
// where: lock leak
// runs: 3
// A C worker thread parses records under a pthread mutex. On a malformed
// record it takes the error path and returns early, forgetting to unlock.
// The thread ends holding the mutex; main, after joining it, locks the
// mutex to read the totals and blocks forever.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static int parsed = 0;
static const int records[] = {3, 7, -1, 4};

static void *parse_records(void *arg) {
  (void)arg;
  for (int i = 0; i < 4; i++) {
    pthread_mutex_lock(&stats_lock);
    if (records[i] < 0) {
      fprintf(stderr, "record %d malformed\n", i);
      return NULL;  // error path: stats_lock still held
    }
    parsed += records[i];
    pthread_mutex_unlock(&stats_lock);
  }
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, parse_records, NULL);
  pthread_join(t, NULL);
  pthread_mutex_lock(&stats_lock);
  printf("parsed %d\n", parsed);
  pthread_mutex_unlock(&stats_lock);
  return 0;
}
