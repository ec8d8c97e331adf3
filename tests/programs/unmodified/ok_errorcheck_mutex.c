// expect: clean
// where: ok_errorcheck_mutex.c
// runs: 50
// A C module uses a PTHREAD_MUTEX_ERRORCHECK mutex as a safety net: a
// nested call that tries to lock it again gets EDEADLK instead of hanging,
// and the code handles that ("already locked by me, carry on"). The second
// lock is deliberate and harmless.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t state_lock;
static int state = 0;
static int nested_detected = 0;

static void bump_state(void) {
  int rc = pthread_mutex_lock(&state_lock);
  if (rc == EDEADLK) {
    nested_detected++;  // the caller holds it already
    state++;
    return;
  }
  state++;
  pthread_mutex_unlock(&state_lock);
}

static void *worker(void *arg) {
  (void)arg;
  pthread_mutex_lock(&state_lock);
  bump_state();  // nested: EDEADLK, handled
  pthread_mutex_unlock(&state_lock);
  bump_state();  // not nested: locks normally
  return NULL;
}

int main(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
  pthread_mutex_init(&state_lock, &attr);
  pthread_mutexattr_destroy(&attr);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  printf("state %d, nested %d\n", state, nested_detected);
  pthread_mutex_destroy(&state_lock);
  return state == 2 && nested_detected == 1 ? 0 : 1;
}
