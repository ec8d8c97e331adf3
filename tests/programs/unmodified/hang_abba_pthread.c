// expect: deadlock|lock_order_inversion
// where: hang_abba_pthread.c
// runs: 5
// A C logger and a C config reloader share two pthread mutexes. The logger
// takes log_lock then config_lock (to print the current config name); the
// reloader takes config_lock then log_lock (to log the reload). A 5 ms
// "work" sleep between the two locks makes each thread hold its first lock
// while blocking on the other's: an ABBA deadlock, main hangs in join.
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t config_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *config_name = "default";
static int lines_logged = 0;

static void *logger(void *arg) {
  (void)arg;
  pthread_mutex_lock(&log_lock);
  usleep(5000);  // format the line
  pthread_mutex_lock(&config_lock);
  lines_logged++;
  pthread_mutex_unlock(&config_lock);
  pthread_mutex_unlock(&log_lock);
  return NULL;
}

static void *reloader(void *arg) {
  (void)arg;
  pthread_mutex_lock(&config_lock);
  config_name = "reloaded";
  usleep(5000);  // parse the new file
  pthread_mutex_lock(&log_lock);
  lines_logged++;
  pthread_mutex_unlock(&log_lock);
  pthread_mutex_unlock(&config_lock);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, logger, NULL);
  pthread_create(&b, NULL, reloader, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%s: %d lines\n", config_name, lines_logged);
  return 0;
}
