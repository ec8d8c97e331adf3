// expect: data_race
// where: race_pipe_served_count.c
// runs: 20
// A C server thread answers requests that main writes to a pipe, and bumps
// a plain `served` counter after each answer. Main, once it has read the
// last answer, prints `served` without waiting for the server to finish:
// the server's last `served++` comes after its write, so the pipe (which
// TSan counts as an order from each write to the read of it) orders nothing
// between it and main's read: a data race in every run.
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int requests[2], replies[2];
static long served = 0;

static void *server(void *arg) {
  (void)arg;
  int request;
  while (read(requests[0], &request, sizeof request) == sizeof request && request > 0) {
    int reply = request + 1;
    if (write(replies[1], &reply, sizeof reply) != sizeof reply) return NULL;
    served++;  // after the answer: main may already be reading it
  }
  return NULL;
}

int main(void) {
  if (pipe(requests) != 0 || pipe(replies) != 0) return 2;
  pthread_t t;
  pthread_create(&t, NULL, server, NULL);
  for (int request = 1; request <= 3; ++request) {
    int reply;
    if (write(requests[1], &request, sizeof request) != sizeof request) return 2;
    if (read(replies[0], &reply, sizeof reply) != sizeof reply) return 2;
  }
  printf("served %ld\n", served);  // unordered with the last served++
  int done = 0;
  if (write(requests[1], &done, sizeof done) != sizeof done) return 2;
  pthread_join(t, NULL);
  return 0;
}
