/* threads.c — the thread pool behind aoti_abi_threads (internal.h): one per runner, its workers
 * started at load and parked between runs.
 *
 * A model calls parallel_for once per parallel kernel, often a hundred times in a run of a few
 * milliseconds, so handing out work must cost microseconds, not a futex round trip: the caller
 * publishes the task and bumps an atomic generation counter; workers spin on that counter for a
 * while (AOTI_POOL_SPIN_NS) after each task before they sleep on a condition variable, and the
 * caller only signals the condition when someone sleeps. Completion is an atomic count of ranges
 * still running, which the caller spins on (it runs range 0 itself meanwhile). Both waits yield
 * the CPU after a few thousand spins, so that on a busy machine the thread waited for can run.
 *
 * Static partitioning: range i of [0, n) is [n*i/count, n*(i+1)/count) and always runs on worker
 * i (the caller is worker 0), so repeated calls over the same data keep it in the same cache.
 *
 * Thread-safety: one parallel_for at a time per pool (a runner is held by one run). */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "internal.h"

/* How long a worker keeps polling for the next task before it sleeps: longer than the gap
 * between two kernels of one run, far shorter than a scheduling quantum. */
#define AOTI_POOL_SPIN_NS 200000

typedef struct pool_worker {
  aoti_thread_pool *pool;
  int32_t index; /* its range number, 1..count-1 */
  pthread_t thread;
} pool_worker;

struct aoti_thread_pool {
  aoti_abi_threads abi; /* what runs see; abi.ctx points back here */
  int32_t num_workers;  /* count - 1 */
  pool_worker *workers;
  /* The task being run, written by the caller before it bumps `generation`. */
  aoti_abi_task_fn fn;
  void *task;
  int64_t n;
  atomic_uint_fast64_t generation; /* bumped once per task; a worker runs each value once */
  atomic_int pending;              /* worker ranges of the current task not finished yet */
  atomic_int sleepers;             /* workers waiting on `wake` */
  atomic_bool stop;
  pthread_mutex_t lock;
  pthread_cond_t wake;
};

static int64_t range_start(int64_t n, int32_t i, int32_t count) {
  /* n * i / count without overflow for any n a model can have (n < 2^63 / count). */
  return (int64_t)((__int128)n * i / count);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spins of a wait loop before it yields the CPU at each turn: a thread waiting for another
 * that is not running (a loaded machine, more threads than free cores) must give it the core
 * instead of burning its time slice. */
#define AOTI_POOL_SPINS_BEFORE_YIELD 4096

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* Waits until `generation` moves past `seen` or the pool stops; returns the new generation. */
static uint_fast64_t wait_for_task(aoti_thread_pool *pool, uint_fast64_t seen) {
  const uint64_t give_up = now_ns() + AOTI_POOL_SPIN_NS;
  for (unsigned spins = 0;; ++spins) {
    uint_fast64_t g = atomic_load_explicit(&pool->generation, memory_order_acquire);
    if (g != seen || atomic_load_explicit(&pool->stop, memory_order_acquire)) return g;
    if (spins < AOTI_POOL_SPINS_BEFORE_YIELD)
      cpu_relax();
    else
      sched_yield();
    if ((spins & 255) == 255 && now_ns() > give_up) break;
  }
  pthread_mutex_lock(&pool->lock);
  atomic_fetch_add(&pool->sleepers, 1);
  uint_fast64_t g;
  while ((g = atomic_load(&pool->generation)) == seen && !atomic_load(&pool->stop))
    pthread_cond_wait(&pool->wake, &pool->lock);
  atomic_fetch_sub(&pool->sleepers, 1);
  pthread_mutex_unlock(&pool->lock);
  return g;
}

static void *worker_main(void *arg) {
  pool_worker *w = arg;
  aoti_thread_pool *pool = w->pool;
  const int32_t count = pool->abi.count;
  uint_fast64_t seen = 0; /* the generation before any task: a task may come before this line */
  for (;;) {
    seen = wait_for_task(pool, seen);
    if (atomic_load_explicit(&pool->stop, memory_order_acquire)) return NULL;
    const int64_t begin = range_start(pool->n, w->index, count);
    const int64_t end = range_start(pool->n, w->index + 1, count);
    if (begin < end) pool->fn(pool->task, w->index, begin, end);
    atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_release);
  }
}

static void pool_parallel_for(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task) {
  aoti_thread_pool *pool = ctx;
  const int32_t count = pool->abi.count;
  if (count == 1 || n <= 1) {
    if (n > 0) fn(task, 0, 0, n);
    return;
  }
  pool->fn = fn;
  pool->task = task;
  pool->n = n;
  atomic_store_explicit(&pool->pending, pool->num_workers, memory_order_relaxed);
  /* Sequentially consistent, like the worker's sleepers increment and generation re-check: either
   * the worker sees the new generation or this sees the sleeper. */
  atomic_fetch_add(&pool->generation, 1);
  if (atomic_load(&pool->sleepers) > 0) {
    pthread_mutex_lock(&pool->lock);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
  }
  const int64_t end = range_start(n, 1, count);
  if (end > 0) fn(task, 0, 0, end);
  for (unsigned spins = 0; atomic_load_explicit(&pool->pending, memory_order_acquire) > 0; ++spins) {
    if (spins < AOTI_POOL_SPINS_BEFORE_YIELD)
      cpu_relax();
    else
      sched_yield();
  }
}

static void stop_workers(aoti_thread_pool *pool, int32_t started) {
  pthread_mutex_lock(&pool->lock);
  atomic_store(&pool->stop, true);
  pthread_cond_broadcast(&pool->wake);
  pthread_mutex_unlock(&pool->lock);
  for (int32_t i = 0; i < started; ++i) pthread_join(pool->workers[i].thread, NULL);
}

static void free_pool(aoti_thread_pool *pool) {
  free(pool->abi.scratch);
  pthread_cond_destroy(&pool->wake);
  pthread_mutex_destroy(&pool->lock);
  free(pool->workers);
  free(pool);
}

aoti_status aoti_thread_pool_create(int32_t count, uint64_t scratch_bytes, aoti_thread_pool **out_pool) {
  if (count < 1)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "thread pool: need at least 1 thread, got %d", count);
  const uint64_t stride = (scratch_bytes + AOTI_ABI_ALIGNMENT - 1) / AOTI_ABI_ALIGNMENT * AOTI_ABI_ALIGNMENT;
  if (stride > SIZE_MAX / (uint64_t)count)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "thread pool: %d x %" PRIu64 " scratch bytes is too much",
                          count, scratch_bytes);
  aoti_thread_pool *pool = calloc(1, sizeof *pool);
  pool_worker *workers = count > 1 ? calloc((size_t)count - 1, sizeof *workers) : NULL;
  void *scratch = stride ? aligned_alloc(AOTI_ABI_ALIGNMENT, (size_t)(stride * (uint64_t)count)) : NULL;
  if (!pool || (count > 1 && !workers) || (stride && !scratch)) {
    free(pool);
    free(workers);
    free(scratch);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "thread pool: out of memory for %d threads with %" PRIu64
                          " scratch bytes each", count, scratch_bytes);
  }
  pool->abi = (aoti_abi_threads){
      .count = count, .scratch = scratch, .scratch_stride = stride, .ctx = pool, .parallel_for = pool_parallel_for};
  pool->num_workers = count - 1;
  pool->workers = workers;
  atomic_init(&pool->generation, 0);
  atomic_init(&pool->pending, 0);
  atomic_init(&pool->sleepers, 0);
  atomic_init(&pool->stop, false);
  pthread_mutex_init(&pool->lock, NULL);
  pthread_cond_init(&pool->wake, NULL);
  for (int32_t i = 0; i < pool->num_workers; ++i) {
    workers[i] = (pool_worker){.pool = pool, .index = i + 1};
    int err = pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]);
    if (err != 0) {
      stop_workers(pool, i);
      free_pool(pool);
      return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "thread pool: cannot start thread %d of %d: %s", i + 2,
                            count, strerror(err));
    }
  }
  *out_pool = pool;
  return AOTI_OK;
}

void aoti_thread_pool_destroy(aoti_thread_pool *pool) {
  if (!pool) return;
  stop_workers(pool, pool->num_workers);
  free_pool(pool);
}

const aoti_abi_threads *aoti_thread_pool_abi(const aoti_thread_pool *pool) { return &pool->abi; }

int32_t aoti_threads_default(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 1024 ? 1024 : (int32_t)n;
}
