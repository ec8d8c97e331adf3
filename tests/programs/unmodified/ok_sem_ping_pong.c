// expect: clean
// where: ok_sem_ping_pong.c
// runs: 50
// Two C threads take turns through two POSIX semaphores: ping waits on
// its semaphore, bumps the shared rally counter and posts pong's, and vice
// versa, 50 times each. The semaphores order every access.
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#define ROUNDS 50
static sem_t ping_turn, pong_turn;
static int rally = 0;

static void *ping(void *arg) {
  (void)arg;
  for (int i = 0; i < ROUNDS; i++) {
    sem_wait(&ping_turn);
    rally++;
    sem_post(&pong_turn);
  }
  return NULL;
}

static void *pong(void *arg) {
  (void)arg;
  for (int i = 0; i < ROUNDS; i++) {
    sem_wait(&pong_turn);
    rally++;
    sem_post(&ping_turn);
  }
  return NULL;
}

int main(void) {
  sem_init(&ping_turn, 0, 1);
  sem_init(&pong_turn, 0, 0);
  pthread_t a, b;
  pthread_create(&a, NULL, ping, NULL);
  pthread_create(&b, NULL, pong, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("rally %d\n", rally);
  sem_destroy(&ping_turn);
  sem_destroy(&pong_turn);
  return rally == 2 * ROUNDS ? 0 : 1;
}
