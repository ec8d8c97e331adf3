// expect: hang
// where: hang_sem_never_posted.c
// where: semaphore
// runs: 3
// main hands a request to a C worker thread and sem_wait()s on a POSIX
// semaphore for the reply. The worker posts the semaphore only on the
// success path; for a request it rejects it returns without sem_post(), so
// main waits on a semaphore that is never posted.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

static sem_t reply_ready;
static int request = -5;
static int reply = 0;

static void *worker(void *arg) {
  (void)arg;
  if (request < 0) {
    fprintf(stderr, "worker: bad request %d\n", request);
    return NULL;  // forgot sem_post(&reply_ready)
  }
  reply = request * 2;
  sem_post(&reply_ready);
  return NULL;
}

int main(void) {
  sem_init(&reply_ready, 0, 0);
  pthread_t t;
  pthread_create(&t, NULL, worker, NULL);
  sem_wait(&reply_ready);
  printf("reply %d\n", reply);
  pthread_join(t, NULL);
  sem_destroy(&reply_ready);
  return 0;
}
