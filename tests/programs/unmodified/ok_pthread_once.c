// expect: clean
// where: ok_pthread_once.c
// runs: 50
// Four C threads all call get_table(), which initialises a lookup table
// lazily through pthread_once(). The init routine runs exactly once and
// pthread_once orders it before every thread's reads.
#include <pthread.h>
#include <stdio.h>

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static int table[256];
static int init_count = 0;

static void init_table(void) {
  for (int i = 0; i < 256; i++) table[i] = (i * 31) & 0xff;
  init_count++;
}

static const int *get_table(void) {
  pthread_once(&table_once, init_table);
  return table;
}

static void *user(void *arg) {
  long sum = 0;
  const int *t = get_table();
  for (int i = 0; i < 256; i++) sum += t[i];
  *(long *)arg = sum;
  return NULL;
}

int main(void) {
  pthread_t t[4];
  long sums[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, user, &sums[i]);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  printf("init %d, sum %ld\n", init_count, sums[0]);
  return init_count == 1 && sums[0] == sums[3] ? 0 : 1;
}
