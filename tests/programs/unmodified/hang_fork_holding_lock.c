// expect: hang
// where: hang_fork_holding_lock.c
// where: parent process
// runs: 3
// A logger thread holds `log_lock` while it writes; main forks a child to run
// a helper command, and the child logs too. fork() copies only the calling
// thread: in the child `log_lock` stays locked by a thread that does not
// exist there, so the child blocks for ever and the parent waits for it.
// The logger lives until main is done with the child.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t started_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;
static int logging = 0;
static int stop = 0;

static void *logger(void *arg) {
  (void)arg;
  pthread_mutex_lock(&log_lock);
  pthread_mutex_lock(&started_lock);
  logging = 1;
  pthread_cond_signal(&started);
  pthread_mutex_unlock(&started_lock);
  struct timespec pause = {0, 50 * 1000 * 1000};
  nanosleep(&pause, NULL);  // writing a long line
  pthread_mutex_unlock(&log_lock);
  pthread_mutex_lock(&started_lock);  // idle until main is done
  while (!stop) pthread_cond_wait(&started, &started_lock);
  pthread_mutex_unlock(&started_lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, logger, NULL);
  pthread_mutex_lock(&started_lock);
  while (!logging) pthread_cond_wait(&started, &started_lock);
  pthread_mutex_unlock(&started_lock);
  pid_t child = fork();
  if (child == 0) {
    pthread_mutex_lock(&log_lock);  // held by the logger, which is not here
    puts("child: helper done");
    pthread_mutex_unlock(&log_lock);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  pthread_mutex_lock(&started_lock);
  stop = 1;
  pthread_cond_broadcast(&started);
  pthread_mutex_unlock(&started_lock);
  pthread_join(t, NULL);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
