/* hostile_c MODE — a plain C11 + pthreads program for racelab's tests of
 * programs that are not C++. An unknown mode prints the usage on stderr and
 * exits 2.
 *   race           two pthreads add to a global without a lock: a data race
 *   clean          the same under a pthread_mutex; exit 0
 *   deadlock       two pthreads lock two mutexes in opposite orders (a short
 *                  sleep between the two locks): they deadlock, main joins
 *   escape-setsid  a child calls setsid() and sleeps 600 s (keeping stdout and
 *                  stderr open); the parent prints its pid and exits 0
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int counter = 0;
static pthread_mutex_t counter_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t first = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t second = PTHREAD_MUTEX_INITIALIZER;

static void sleep_ms(long ms) {
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) == -1 && errno == EINTR) {
  }
}

static void* add_unlocked(void* unused) {
  (void)unused;
  for (int i = 0; i < 1000; ++i) ++counter; /* races with the other thread */
  return NULL;
}

static void* add_locked(void* unused) {
  (void)unused;
  for (int i = 0; i < 1000; ++i) {
    pthread_mutex_lock(&counter_mutex);
    ++counter;
    pthread_mutex_unlock(&counter_mutex);
  }
  return NULL;
}

static void* first_then_second(void* unused) {
  (void)unused;
  pthread_mutex_lock(&first);
  sleep_ms(100);
  pthread_mutex_lock(&second);
  pthread_mutex_unlock(&second);
  pthread_mutex_unlock(&first);
  return NULL;
}

static void* second_then_first(void* unused) {
  (void)unused;
  pthread_mutex_lock(&second);
  sleep_ms(100);
  pthread_mutex_lock(&first);
  pthread_mutex_unlock(&first);
  pthread_mutex_unlock(&second);
  return NULL;
}

static int two_threads(void* (*a)(void*), void* (*b)(void*)) {
  pthread_t ta, tb;
  if (pthread_create(&ta, NULL, a, NULL) != 0 || pthread_create(&tb, NULL, b, NULL) != 0) {
    fprintf(stderr, "hostile_c: pthread_create failed\n");
    return 3;
  }
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  printf("counter = %d\n", counter);
  return 0;
}

static int escape_setsid(void) {
  pid_t child = fork();
  if (child < 0) {
    perror("hostile_c: fork");
    return 3;
  }
  if (child == 0) {
    setsid();
    sleep_ms(600 * 1000L);
    _exit(0);
  }
  printf("%d\n", (int)child);
  return 0;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "race") == 0) return two_threads(add_unlocked, add_unlocked);
  if (strcmp(mode, "clean") == 0) return two_threads(add_locked, add_locked);
  if (strcmp(mode, "deadlock") == 0) return two_threads(first_then_second, second_then_first);
  if (strcmp(mode, "escape-setsid") == 0) return escape_setsid();
  fprintf(stderr, "usage: hostile_c race|clean|deadlock|escape-setsid\n");
  return 2;
}
