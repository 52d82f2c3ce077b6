// The recorder's LD_PRELOAD library: logs every malloc, calloc, realloc and free of a real
// program, one line each, to the file descriptor named by MALLOC_WORKBOOK_FD (without it,
// the library only passes calls through). workbook/record/convert.ts turns the log into a .rep.
//
//   <pid> a <bytes> <ptr>          malloc, and memalign and friends (recorded as malloc)
//   <pid> c <bytes> <ptr>          calloc(n, size), bytes = n * size
//   <pid> r <old> <bytes> <new>    realloc (and reallocarray)
//   <pid> f <ptr>                  free
//   <pid> x                        a program image starts (the library was loaded)
//
// Every process that inherits the descriptor and LD_PRELOAD logs with its pid (fork keeps
// both, exec keeps the environment and the descriptor); the converter keeps only the
// command's own process. A line is written with write(2) as soon as the call returns, under
// one lock, so the log is in the order the calls happened, nothing is buffered (nothing to
// lose at exit, after fork or at exec), and stdio, which allocates, is never used.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static void *(*real_reallocarray)(void *, size_t, size_t);

// #region bootstrap
// dlsym itself calls calloc before real_calloc is known: those few bytes come from here,
// and are never freed to the real allocator.
static char bootstrap[8192] __attribute__((aligned(16)));
static size_t bootstrap_used;

static int log_fd = -1;
static pid_t pid; // getpid() is a system call: kept here, set again in a forked child
static int resolving;
// Set while this thread is inside the library: an allocation made by the real allocator or
// by write(2) on our behalf is passed through, not logged (and cannot recurse).
static __thread int inside __attribute__((tls_model("initial-exec")));
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int from_bootstrap(void *p) {
  return (char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap;
}

static void *bootstrap_alloc(size_t bytes) {
  size_t start = (bootstrap_used + 15) & ~(size_t)15;
  if (start + bytes > sizeof bootstrap) return NULL;
  bootstrap_used = start + bytes;
  return bootstrap + start; // static memory: already zero, as calloc needs
}
// #endregion bootstrap

static void resolve(void) {
  if (real_malloc != NULL || resolving) return;
  resolving = 1;
  real_calloc = dlsym(RTLD_NEXT, "calloc");
  real_malloc = dlsym(RTLD_NEXT, "malloc");
  real_realloc = dlsym(RTLD_NEXT, "realloc");
  real_free = dlsym(RTLD_NEXT, "free");
  real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
  real_memalign = dlsym(RTLD_NEXT, "memalign");
  real_valloc = dlsym(RTLD_NEXT, "valloc");
  real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
  real_reallocarray = dlsym(RTLD_NEXT, "reallocarray");
  resolving = 0;
}

static char *put_decimal(char *out, uintptr_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

static char *put_hex(char *out, uintptr_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = "0123456789abcdef"[value & 15];
    value >>= 4;
  } while (value != 0);
  while (n > 0) *out++ = digits[--n];
  return out;
}

// One line: the pid, the kind, then up to three numbers (sizes in decimal, pointers in hex).
static void log_line(char kind, int count, const uintptr_t *values, const int *is_pointer) {
  if (log_fd < 0) return;
  char line[128];
  char *out = put_decimal(line, (uintptr_t)pid);
  *out++ = ' ';
  *out++ = kind;
  for (int i = 0; i < count; i++) {
    *out++ = ' ';
    out = is_pointer[i] ? put_hex(out, values[i]) : put_decimal(out, values[i]);
  }
  *out++ = '\n';
  int saved = errno;
  for (char *at = line; at < out;) {
    ssize_t n = write(log_fd, at, (size_t)(out - at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      log_fd = -1; // the descriptor is gone (the program closed it): stop logging
      break;
    }
    at += n;
  }
  errno = saved;
}

static void log_alloc(char kind, size_t bytes, void *p) {
  if (p == NULL) return; // a failed allocation changes nothing
  uintptr_t values[] = {bytes, (uintptr_t)p};
  int pointers[] = {0, 1};
  log_line(kind, 2, values, pointers);
}

static void enter(void) {
  inside = 1;
  pthread_mutex_lock(&lock);
}

static void leave(void) {
  pthread_mutex_unlock(&lock);
  inside = 0;
}

// The lock is held across fork (enter before it, leave after it in both processes), so a
// child never starts with it taken by a thread that does not exist there; what fork itself
// allocates meanwhile is passed through.
static void after_fork_child(void) {
  pid = getpid();
  leave();
}

__attribute__((constructor)) static void start(void) {
  resolve();
  const char *fd = getenv("MALLOC_WORKBOOK_FD");
  if (fd == NULL || *fd == '\0') return;
  int value = 0;
  for (const char *c = fd; *c != '\0'; c++) {
    if (*c < '0' || *c > '9') return;
    value = value * 10 + (*c - '0');
  }
  pid = getpid();
  pthread_atfork(enter, leave, after_fork_child);
  inside = 1;
  log_fd = value;
  log_line('x', 0, NULL, NULL);
  inside = 0;
}

// #region malloc
void *malloc(size_t bytes) {
  resolve();
  if (real_malloc == NULL) return bootstrap_alloc(bytes);
  if (inside) return real_malloc(bytes);
  enter();
  void *p = real_malloc(bytes);
  log_alloc('a', bytes, p);
  leave();
  return p;
}
// #endregion malloc

void *calloc(size_t count, size_t size) {
  resolve();
  if (real_calloc == NULL) {
    size_t bytes;
    return __builtin_mul_overflow(count, size, &bytes) ? NULL : bootstrap_alloc(bytes);
  }
  if (inside) return real_calloc(count, size);
  enter();
  void *p = real_calloc(count, size);
  log_alloc('c', count * size, p);
  leave();
  return p;
}

void free(void *p) {
  if (p == NULL || from_bootstrap(p)) return;
  resolve();
  if (inside) {
    real_free(p);
    return;
  }
  enter();
  real_free(p);
  uintptr_t values[] = {(uintptr_t)p};
  int pointers[] = {1};
  log_line('f', 1, values, pointers);
  leave();
}

static void *logged_realloc(void *p, size_t bytes, void *moved) {
  if (p == NULL) log_alloc('a', bytes, moved);
  else if (moved != NULL || bytes == 0) { // NULL with bytes > 0: failed, p is untouched
    uintptr_t values[] = {(uintptr_t)p, bytes, (uintptr_t)moved};
    int pointers[] = {1, 0, 1};
    log_line('r', 3, values, pointers);
  }
  return moved;
}

void *realloc(void *p, size_t bytes) {
  resolve();
  if (from_bootstrap(p)) {
    // Only dlsym's own calloc comes from the bootstrap buffer; move it out if it grows.
    void *moved = malloc(bytes);
    if (moved != NULL) memcpy(moved, p, bytes);
    return moved;
  }
  if (inside) return real_realloc(p, bytes);
  enter();
  void *moved = logged_realloc(p, bytes, real_realloc(p, bytes));
  leave();
  return moved;
}

void *reallocarray(void *p, size_t count, size_t size) {
  resolve();
  if (inside || real_reallocarray == NULL) return real_reallocarray(p, count, size);
  enter();
  void *moved = real_reallocarray(p, count, size);
  size_t bytes;
  // An overflowing count * size fails with ENOMEM and leaves p alone.
  if (!__builtin_mul_overflow(count, size, &bytes)) logged_realloc(p, bytes, moved);
  leave();
  return moved;
}

int posix_memalign(void **out, size_t alignment, size_t bytes) {
  resolve();
  if (inside) return real_posix_memalign(out, alignment, bytes);
  enter();
  int error = real_posix_memalign(out, alignment, bytes);
  if (error == 0) log_alloc('a', bytes, *out);
  leave();
  return error;
}

#define ALIGNED(name, params, args, bytes)  \
  void *name params {                       \
    resolve();                              \
    if (inside) return real_##name args;    \
    enter();                                \
    void *p = real_##name args;             \
    log_alloc('a', bytes, p);               \
    leave();                                \
    return p;                               \
  }

ALIGNED(aligned_alloc, (size_t alignment, size_t bytes), (alignment, bytes), bytes)
ALIGNED(memalign, (size_t alignment, size_t bytes), (alignment, bytes), bytes)
ALIGNED(valloc, (size_t bytes), (bytes), bytes)
ALIGNED(pvalloc, (size_t bytes), (bytes), bytes)
