/* peak_flops.c — this machine's peak float32 multiply-add rate, the ceiling bench/bench.py
 * divides each model's FLOP rate by ("fraction of peak").
 *
 *   peak_flops [--seconds S] [--threads T ...]     (default: 0.5 s, threads 1 and 2)
 *
 * Each thread runs chains of fused multiply-adds on independent vector accumulators, enough of
 * them to cover the FMA latency on every port, for about S seconds; the best of three tries per
 * thread count is kept (other processes share the machine). The widest kernel the CPU runs is
 * picked at run time with __builtin_cpu_supports (AVX-512F, else AVX2+FMA, else scalar fmaf): the
 * build passes no -march flag, each kernel carries its own target attribute. One FMA counts as
 * 2 FLOPs. Prints one JSON object:
 *   {"isa": "avx512f", "lanes": 16, "results": [{"threads": 1, "gflops": ..}, ...]}
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHAINS 16          /* independent accumulators: latency 4 x 2 FMA ports, doubled */
/* The chain loops are unrolled (GCC pragma, CHAINS spelled out) so that the accumulators live in
 * registers: at -O2 GCC otherwise keeps the array in memory, a load and store per FMA. */
#define STEPS_PER_CALL 4096 /* FMAs per chain between clock reads */
#define MAX_THREADS 64
#define TRIES 3

/* One kernel call: STEPS_PER_CALL FMAs on each of CHAINS vectors; returns a value that depends
 * on all of them so that the compiler keeps the work. */
typedef float (*fma_kernel)(float seed);

__attribute__((target("avx512f"))) static float fma_avx512(float seed) {
  __m512 acc[CHAINS];
#pragma GCC unroll 16
  for (int c = 0; c < CHAINS; ++c) acc[c] = _mm512_set1_ps(seed + (float)c);
  const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-6f);
  for (int s = 0; s < STEPS_PER_CALL; ++s)
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; ++c) acc[c] = _mm512_fmadd_ps(acc[c], mul, add);
  __m512 sum = acc[0];
#pragma GCC unroll 16
  for (int c = 1; c < CHAINS; ++c) sum = _mm512_add_ps(sum, acc[c]);
  return _mm512_reduce_add_ps(sum);
}

__attribute__((target("avx2,fma"))) static float fma_avx2(float seed) {
  __m256 acc[CHAINS];
#pragma GCC unroll 16
  for (int c = 0; c < CHAINS; ++c) acc[c] = _mm256_set1_ps(seed + (float)c);
  const __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-6f);
  for (int s = 0; s < STEPS_PER_CALL; ++s)
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; ++c) acc[c] = _mm256_fmadd_ps(acc[c], mul, add);
  float lanes[8], total = 0;
  __m256 sum = acc[0];
#pragma GCC unroll 16
  for (int c = 1; c < CHAINS; ++c) sum = _mm256_add_ps(sum, acc[c]);
  _mm256_storeu_ps(lanes, sum);
  for (int i = 0; i < 8; ++i) total += lanes[i];
  return total;
}

static float fma_scalar(float seed) {
  float acc[CHAINS], total = 0;
#pragma GCC unroll 16
  for (int c = 0; c < CHAINS; ++c) acc[c] = seed + (float)c;
  for (int s = 0; s < STEPS_PER_CALL; ++s)
#pragma GCC unroll 16
    for (int c = 0; c < CHAINS; ++c) acc[c] = fmaf(acc[c], 0.999999f, 1e-6f);
#pragma GCC unroll 16
  for (int c = 0; c < CHAINS; ++c) total += acc[c];
  return total;
}

typedef struct isa_choice {
  const char *name;
  int lanes;
  fma_kernel kernel;
} isa_choice;

static isa_choice pick_isa(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return (isa_choice){"avx512f", 16, fma_avx512};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return (isa_choice){"avx2+fma", 8, fma_avx2};
  return (isa_choice){"scalar", 1, fma_scalar};
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct worker {
  pthread_t thread;
  fma_kernel kernel;
  double seconds;
  long calls;   /* out: kernel calls made */
  float result; /* out: keeps the work observable */
} worker;

static void *worker_main(void *arg) {
  worker *w = arg;
  double end = now_s() + w->seconds;
  float r = 0;
  long calls = 0;
  do {
    r += w->kernel(1.0f + (float)(calls & 7));
    ++calls;
  } while (now_s() < end);
  w->calls = calls;
  w->result = r;
  return NULL;
}

/* GFLOP/s of `threads` threads running the kernel at once for about `seconds`, or -1. */
static double measure(const isa_choice *isa, int threads, double seconds, float *sink) {
  worker workers[MAX_THREADS];
  double start = now_s();
  for (int t = 0; t < threads; ++t) {
    workers[t] = (worker){.kernel = isa->kernel, .seconds = seconds};
    if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0) {
      for (int j = 0; j < t; ++j) pthread_join(workers[j].thread, NULL);
      return -1;
    }
  }
  long calls = 0;
  for (int t = 0; t < threads; ++t) {
    pthread_join(workers[t].thread, NULL);
    calls += workers[t].calls;
    *sink += workers[t].result;
  }
  double elapsed = now_s() - start;
  double flops = (double)calls * STEPS_PER_CALL * CHAINS * isa->lanes * 2.0;
  return flops / elapsed / 1e9;
}

int main(int argc, char **argv) {
  double seconds = 0.5;
  int threads[MAX_THREADS], n_threads = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
      seconds = atof(argv[++i]);
    } else if (!strcmp(argv[i], "--threads")) {
      while (i + 1 < argc && argv[i + 1][0] != '-' && n_threads < MAX_THREADS) {
        int t = atoi(argv[++i]);
        if (t < 1 || t > MAX_THREADS) return fprintf(stderr, "peak_flops: bad thread count\n"), 2;
        threads[n_threads++] = t;
      }
    } else {
      fprintf(stderr, "usage: peak_flops [--seconds S] [--threads T ...]\n");
      return 2;
    }
  }
  if (n_threads == 0) threads[n_threads++] = 1, threads[n_threads++] = 2;
  isa_choice isa = pick_isa();
  float sink = 0;
  printf("{\"isa\": \"%s\", \"lanes\": %d, \"results\": [", isa.name, isa.lanes);
  for (int i = 0; i < n_threads; ++i) {
    double best = -1;
    for (int k = 0; k < TRIES; ++k) {
      double g = measure(&isa, threads[i], seconds, &sink);
      best = g > best ? g : best;
    }
    printf("%s{\"threads\": %d, \"gflops\": %.2f}", i ? ", " : "", threads[i], best);
  }
  printf("], \"sink\": %g}\n", (double)sink);
  return 0;
}
