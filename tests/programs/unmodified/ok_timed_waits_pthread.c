// expect: clean
// where: ok_timed_waits_pthread.c
// runs: 3
// A C program whose threads wait with deadlines, correctly, and check on
// the clocks that each wait lasted its time:
// - a worker usleep()s 100 ms, nanosleep()s 50 ms and clock_nanosleep()s
//   to an absolute deadline 50 ms later, then posts a semaphore;
// - main's sem_timedwait() (CLOCK_REALTIME) gives up after 20 ms, then
//   waits without a deadline for the post;
// - a reporter's pthread_cond_clockwait() (CLOCK_MONOTONIC) times out after
//   80 ms, and pthread_mutex_timedlock() gets a free mutex at once;
// - gettimeofday(), time() and clock_gettime(CLOCK_REALTIME), read in this
//   order, never go back.
// A timeout that came early, or a clock that went back, fails the program.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static sem_t done;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t news = PTHREAD_COND_INITIALIZER;
static int failures = 0;  // written by main only, after the joins

static long long ns(clockid_t clock) {
  struct timespec now;
  clock_gettime(clock, &now);
  return now.tv_sec * 1000000000LL + now.tv_nsec;
}

static struct timespec after(clockid_t clock, long long delta_ns) {
  long long at = ns(clock) + delta_ns;
  struct timespec t = {at / 1000000000LL, at % 1000000000LL};
  return t;
}

static void *worker(void *arg) {
  (void)arg;
  long long start = ns(CLOCK_MONOTONIC);
  usleep(100 * 1000);
  struct timespec fifty = {0, 50 * 1000000L};
  nanosleep(&fifty, NULL);
  struct timespec until = after(CLOCK_MONOTONIC, 50 * 1000000LL);
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
  long slept_ms = (long)((ns(CLOCK_MONOTONIC) - start) / 1000000);
  sem_post(&done);
  return (void *)(slept_ms >= 200 ? 0L : 1L);
}

static void *reporter(void *arg) {
  (void)arg;
  long bad = 0;
  pthread_mutex_lock(&lock);
  long long start = ns(CLOCK_MONOTONIC);
  struct timespec until = after(CLOCK_MONOTONIC, 80 * 1000000LL);
  if (pthread_cond_clockwait(&news, &lock, CLOCK_MONOTONIC, &until) != ETIMEDOUT) bad = 1;
  if (ns(CLOCK_MONOTONIC) - start < 80 * 1000000LL) bad = 1;
  pthread_mutex_unlock(&lock);
  struct timespec soon = after(CLOCK_REALTIME, 10 * 1000000LL);
  if (pthread_mutex_timedlock(&lock, &soon) != 0) bad = 1;
  else pthread_mutex_unlock(&lock);
  return (void *)bad;
}

int main(void) {
  sem_init(&done, 0, 0);
  pthread_t w, r;
  pthread_create(&w, NULL, worker, NULL);
  pthread_create(&r, NULL, reporter, NULL);

  long long start = ns(CLOCK_REALTIME);
  struct timespec until = after(CLOCK_REALTIME, 20 * 1000000LL);
  if (sem_timedwait(&done, &until) == 0 || errno != ETIMEDOUT) failures++;
  if (ns(CLOCK_REALTIME) - start < 20 * 1000000LL) failures++;
  sem_wait(&done);

  struct timeval tv;
  gettimeofday(&tv, NULL);
  time_t seconds = time(NULL);
  long long now = ns(CLOCK_REALTIME);
  if (tv.tv_sec > seconds || seconds > now / 1000000000LL) failures++;  // read in this order

  void *worker_bad, *reporter_bad;
  pthread_join(w, &worker_bad);
  pthread_join(r, &reporter_bad);
  failures += (int)(long)worker_bad + (int)(long)reporter_bad;
  printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
