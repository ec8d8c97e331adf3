// expect: livelock
// where: hang_livelock_trylock.c
// runs: 3
// The C version of the polite livelock: two threads each lock their own
// pthread mutex, then pthread_mutex_trylock() the other one, and on EBUSY
// unlock and retry immediately. Both threads meet at a pthread barrier
// after taking their own mutex ("both sides ready") and again before they
// back off ("both sides tried"), so each always finds the other's mutex
// taken: they back off and retry in lock-step forever.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t fork_a = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fork_b = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t both_ready;
static int meals = 0;

struct hands {
  pthread_mutex_t *mine, *other;
};

static void *eat(void *arg) {
  struct hands *h = arg;
  for (;;) {
    pthread_mutex_lock(h->mine);
    pthread_barrier_wait(&both_ready);
    if (pthread_mutex_trylock(h->other) == 0) break;
    pthread_barrier_wait(&both_ready);
    pthread_mutex_unlock(h->mine);  // be polite, try again
  }
  meals++;
  pthread_mutex_unlock(h->other);
  pthread_mutex_unlock(h->mine);
  return NULL;
}

int main(void) {
  pthread_barrier_init(&both_ready, NULL, 2);
  struct hands h1 = {&fork_a, &fork_b}, h2 = {&fork_b, &fork_a};
  pthread_t t1, t2;
  pthread_create(&t1, NULL, eat, &h1);
  pthread_create(&t2, NULL, eat, &h2);
  pthread_join(t1, NULL);
  pthread_join(t2, NULL);
  printf("meals %d\n", meals);
  return 0;
}
