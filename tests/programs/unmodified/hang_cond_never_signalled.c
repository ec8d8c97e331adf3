// expect: hang
// where: hang_cond_never_signalled.c
// where: condition
// runs: 3
// A C consumer waits correctly, in a loop with a predicate, for the
// producer to set `finished`. The producer publishes its items under the
// mutex but the author forgot to set `finished` and pthread_cond_signal()
// at the end, so the consumer's pthread_cond_wait() is never signalled and
// main hangs joining the consumer.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int items = 0;
static int finished = 0;

static void *producer(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) {
    pthread_mutex_lock(&lock);
    items++;
    pthread_mutex_unlock(&lock);
  }
  // forgot: finished = 1; pthread_cond_signal(&changed);
  return NULL;
}

static void *consumer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  while (!finished) pthread_cond_wait(&changed, &lock);
  printf("consumed %d items\n", items);
  pthread_mutex_unlock(&lock);
  return NULL;
}

int main(void) {
  pthread_t p, c;
  pthread_create(&c, NULL, consumer, NULL);
  pthread_create(&p, NULL, producer, NULL);
  pthread_join(p, NULL);
  pthread_join(c, NULL);
  return 0;
}
