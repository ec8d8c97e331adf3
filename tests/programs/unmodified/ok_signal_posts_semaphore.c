// expect: clean
// where: ok_signal_posts_semaphore.c
// runs: 20
// A SIGALRM handler posts a semaphore (sem_post is async-signal-safe) that
// main waits on: the hooks run inside a signal handler, possibly while the
// interrupted thread is inside one of them.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

static sem_t ticks;

static void on_alarm(int signo) {
  (void)signo;
  sem_post(&ticks);
}

int main(void) {
  sem_init(&ticks, 0, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval every = {{0, 2000}, {0, 2000}};
  setitimer(ITIMER_REAL, &every, NULL);
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  int got = 0;
  while (got < 10) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    if (sem_wait(&ticks) == 0) ++got;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("%d ticks\n", got);
  return 0;
}
