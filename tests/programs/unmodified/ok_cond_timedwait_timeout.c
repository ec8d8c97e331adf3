// expect: clean
// where: ok_cond_timedwait_timeout.c
// runs: 50
// A C watchdog waits up to 10 ms with pthread_cond_timedwait() for a
// "config changed" signal that, in this run, never comes. The timeout is
// the expected outcome: the watchdog notes ETIMEDOUT and carries on, and
// main joins it. Nobody signals the condition, and that is fine.
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int config_changed = 0;
static int timeouts = 0;

static void *watchdog(void *arg) {
  (void)arg;
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 10 * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&lock);
  while (!config_changed) {
    if (pthread_cond_timedwait(&changed, &lock, &deadline) == ETIMEDOUT) {
      timeouts++;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, watchdog, NULL);
  pthread_join(t, NULL);
  printf("timeouts %d\n", timeouts);
  return timeouts == 1 ? 0 : 1;
}
