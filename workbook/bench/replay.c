// Replays a CS:APP malloc-lab trace (.rep) through the C library's malloc, for `npm run bench`.
//
//   replay <file.rep> [timed runs]
//
// Prints one line of JSON: the operations, the peak live payload, the peak footprint
// (mallinfo2's arena + hblkhd, sampled after every operation), their ratio (utilization),
// and operations per second, the median of the timed runs after one warm-up run.
//
// The replayer's own memory stays out of the heap it measures: the trace is read with mmap,
// its operations and the pointer table live in anonymous mappings, and nothing is printed
// (stdio allocates its buffer with malloc) until the measuring is over. M_TOP_PAD is 0, so
// the heap grows by what each request needs, rounded to a page, and no more.

#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct op {
  char kind; // 'a', 'f' or 'r'
  uint32_t id;
  size_t bytes;
};

static void fail(const char *message) {
  // Before the measuring is over stdio must not allocate: write(2) only.
  const char *prefix = "{\"error\": \"";
  if (write(1, prefix, strlen(prefix)) < 0 || write(1, message, strlen(message)) < 0 || write(1, "\"}\n", 3) < 0) _exit(2);
  _exit(1);
}

static void *map(size_t bytes) {
  void *p = mmap(NULL, bytes == 0 ? 1 : bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail("mmap failed");
  return p;
}

/** Skips blanks, reads an unsigned number; returns the position after it, or NULL at the end. */
static const char *number(const char *s, const char *end, size_t *out) {
  while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
  if (s >= end || *s < '0' || *s > '9') return NULL;
  size_t n = 0;
  while (s < end && *s >= '0' && *s <= '9') n = n * 10 + (size_t)(*s++ - '0');
  *out = n;
  return s;
}

static size_t footprint(void) {
  struct mallinfo2 info = mallinfo2();
  return info.arena + info.hblkhd;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 2) fail("usage: replay <file.rep> [timed runs]");
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  if (runs < 1 || runs > 1000) fail("the number of timed runs must be between 1 and 1000");

  // The trace, read whole before the first malloc.
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) fail("cannot open the trace");
  struct stat st;
  if (fstat(fd, &st) < 0) fail("cannot stat the trace");
  size_t size = (size_t)st.st_size;
  const char *text = size == 0 ? "" : mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (text == MAP_FAILED) fail("cannot map the trace");
  const char *s = text, *end = text + size;
  size_t header[4];
  for (int i = 0; i < 4; i++) {
    s = number(s, end, &header[i]);
    if (s == NULL) fail("the trace has no four-line header");
  }
  size_t ids = header[1];
  size_t capacity = size / 4 + 1; // "f 0\n" is the shortest operation line
  struct op *ops = map(capacity * sizeof(struct op));
  size_t count = 0;
  for (;;) {
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
    if (s >= end) break;
    char kind = *s++;
    if (kind != 'a' && kind != 'f' && kind != 'r') fail("an operation is not a, f or r");
    size_t id, bytes = 0;
    s = number(s, end, &id);
    if (s == NULL || id >= ids) fail("an operation's id is missing or not below the number of ids");
    if (kind != 'f' && (s = number(s, end, &bytes)) == NULL) fail("an operation's size is missing");
    ops[count].kind = kind;
    ops[count].id = (uint32_t)id;
    ops[count].bytes = bytes;
    count++;
  }
  void **pointers = map(ids * sizeof(void *));
  size_t *sizes = map(ids * sizeof(size_t));

  if (mallopt(M_TOP_PAD, 0) != 1) fail("mallopt(M_TOP_PAD, 0) failed");
  size_t baseline = footprint(); // 0 unless the C runtime allocated before main

  // The measured pass: payload and footprint after every operation.
  size_t payload = 0, peak_payload = 0, peak_footprint = 0;
  for (size_t i = 0; i < count; i++) {
    struct op *op = &ops[i];
    if (op->kind == 'a') {
      pointers[op->id] = malloc(op->bytes);
      if (pointers[op->id] == NULL) fail("malloc returned NULL");
      sizes[op->id] = op->bytes;
      payload += op->bytes;
    } else if (op->kind == 'f') {
      free(pointers[op->id]);
      pointers[op->id] = NULL;
      payload -= sizes[op->id];
      sizes[op->id] = 0;
    } else {
      void *p = realloc(pointers[op->id], op->bytes);
      if (p == NULL && op->bytes != 0) fail("realloc returned NULL");
      pointers[op->id] = p;
      payload = payload - sizes[op->id] + op->bytes;
      sizes[op->id] = op->bytes;
    }
    if (payload > peak_payload) peak_payload = payload;
    size_t now_footprint = footprint() - baseline;
    if (now_footprint > peak_footprint) peak_footprint = now_footprint;
  }
  for (size_t id = 0; id < ids; id++) free(pointers[id]), pointers[id] = NULL;

  // The timed passes: the calls alone; the first is a warm-up.
  double *seconds = map((size_t)runs * sizeof(double));
  for (int run = -1; run < runs; run++) {
    double started = now();
    for (size_t i = 0; i < count; i++) {
      struct op *op = &ops[i];
      if (op->kind == 'a') pointers[op->id] = malloc(op->bytes);
      else if (op->kind == 'f') free(pointers[op->id]), pointers[op->id] = NULL;
      else pointers[op->id] = realloc(pointers[op->id], op->bytes);
    }
    double took = now() - started;
    for (size_t id = 0; id < ids; id++) free(pointers[id]), pointers[id] = NULL;
    if (run >= 0) seconds[run] = took;
  }
  qsort(seconds, (size_t)runs, sizeof(double), compare_doubles);
  double median = runs % 2 == 1 ? seconds[runs / 2] : (seconds[runs / 2 - 1] + seconds[runs / 2]) / 2;

  printf("{\"ops\": %zu, \"peakPayload\": %zu, \"peakFootprint\": %zu, \"baseline\": %zu, \"utilization\": %.6f, \"opsPerSecond\": %.1f, \"runs\": %d}\n",
         count, peak_payload, peak_footprint, baseline, peak_footprint == 0 ? (peak_payload == 0 ? 1.0 : 0.0) : (double)peak_payload / (double)peak_footprint,
         median > 0 ? (double)count / median : 0.0, runs);
  return 0;
}
