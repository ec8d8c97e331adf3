// expect: clean
// where: ok_pthread_gate_cycle.c
// runs: 30
// note: (a gate lock)
// A table object allocated on the heap owns a gate mutex, initialised with
// pthread_mutex_init and destroyed with pthread_mutex_destroy. Two threads
// take the table's `rows` and `index` mutexes in opposite orders, but
// always under the gate: only one of them is ever inside, so no deadlock is
// possible. racelab saw the gate's whole life, so it is one mutex
// throughout, and TSan's lock-order report is dropped for it.
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct table {
  pthread_mutex_t gate, rows, index;
  int inserted, indexed;
};

static void* insert_rows(void* p) {
  struct table* t = p;
  for (int i = 0; i < 50; ++i) {
    pthread_mutex_lock(&t->gate);
    pthread_mutex_lock(&t->rows);
    pthread_mutex_lock(&t->index);
    ++t->inserted;
    pthread_mutex_unlock(&t->index);
    pthread_mutex_unlock(&t->rows);
    pthread_mutex_unlock(&t->gate);
  }
  return NULL;
}

static void* rebuild_index(void* p) {
  struct table* t = p;
  for (int i = 0; i < 50; ++i) {
    pthread_mutex_lock(&t->gate);
    pthread_mutex_lock(&t->index);
    pthread_mutex_lock(&t->rows);
    ++t->indexed;
    pthread_mutex_unlock(&t->rows);
    pthread_mutex_unlock(&t->index);
    pthread_mutex_unlock(&t->gate);
  }
  return NULL;
}

int main(void) {
  struct table* t = calloc(1, sizeof *t);
  if (t == NULL) return 1;
  pthread_mutex_init(&t->gate, NULL);
  pthread_mutex_init(&t->rows, NULL);
  pthread_mutex_init(&t->index, NULL);
  pthread_t a, b;
  pthread_create(&a, NULL, insert_rows, t);
  pthread_create(&b, NULL, rebuild_index, t);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("%d %d\n", t->inserted, t->indexed);
  int ok = t->inserted == 50 && t->indexed == 50;
  pthread_mutex_destroy(&t->index);
  pthread_mutex_destroy(&t->rows);
  pthread_mutex_destroy(&t->gate);
  free(t);
  return ok ? 0 : 1;
}
