/* aoti_bench.c — our side of bench/bench.py: loads one packaged model, checks it against the
 * eager outputs saved with its inputs, and times it.
 *
 *   aoti_bench --package P.pt2 [--model NAME] --samples S.npz [--case K] [--threads T] [--serve]
 *
 * Every mode first loads the model (aoti_model_options.num_threads = T, default 1), runs it once
 * on case K's inputs into preallocated outputs and compares them with the saved ones
 * (|got - want| <= 1e-4 + 1e-4 |want|: the bench refuses to time a wrong model). It prints one
 * JSON line:
 *   {"match": true, "max_abs": .., "load_ms": .., "first_run_ms": .., "maxrss_kb": .., "threads": T}
 * and exits (0, or 1 on a mismatch) — the cold-start mode, timed from process start to exit by
 * the caller — unless --serve is given. With --serve it then reads lines "N" from stdin and
 * answers each with one JSON line after N timed runs:
 *   {"n": N, "mean_us": .., "min_us": .., "maxrss_kb": ..}
 * so that one long-lived process can be driven round by round, interleaved with the peers. The
 * outputs are checked again after every round: a racy parallel kernel shows up as the answer
 * {"match": false, "max_abs": .., "n": N} and exit 1. End of input ends the process (exit 0).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, getrusage */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "aoti/runtime.h"
#include "npz.h"

#define MAX_TENSORS 16
#define TOLERANCE 1e-4 /* both absolute and relative: the bench's float32 agreement */

typedef struct bench_args {
  const char *package, *model, *samples;
  int case_index, threads, serve;
} bench_args;

/* The loaded model and one case's tensors: `out` is preallocated so that runs time only the model. */
typedef struct bench_state {
  aoti_model *model;
  aoti_tensor in[MAX_TENSORS], want[MAX_TENSORS], out[MAX_TENSORS];
  int n_in, n_out;
} bench_state;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static long maxrss_kb(void) {
  struct rusage usage;
  return getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : -1;
}

static int usage_error(void) {
  fprintf(stderr, "usage: aoti_bench --package P.pt2 [--model NAME] --samples S.npz [--case K] "
                  "[--threads T] [--serve]\n");
  return 0;
}

static int parse_args(int argc, char **argv, bench_args *out) {
  *out = (bench_args){.case_index = 0, .threads = 1};
  for (int i = 1; i < argc; ++i) {
    const char *k = argv[i];
    if (!strcmp(k, "--serve")) {
      out->serve = 1;
      continue;
    }
    if (i + 1 >= argc) return usage_error();
    const char *v = argv[++i];
    if (!strcmp(k, "--package")) out->package = v;
    else if (!strcmp(k, "--model")) out->model = v;
    else if (!strcmp(k, "--samples")) out->samples = v;
    else if (!strcmp(k, "--case")) out->case_index = atoi(v);
    else if (!strcmp(k, "--threads")) out->threads = atoi(v);
    else return fprintf(stderr, "aoti_bench: unknown option '%s'\n", k), usage_error();
  }
  if (!out->package || !out->samples || out->threads < 1) return usage_error();
  return 1;
}

/* Fills tensors from the samples' case<k>.<kind><i> arrays; returns how many. */
static int load_tensors(const npz_file *npz, int case_index, const char *kind, aoti_tensor *out) {
  int n = 0;
  for (; n < MAX_TENSORS; ++n) {
    char name[64];
    snprintf(name, sizeof name, "case%d.%s%d", case_index, kind, n);
    const npz_array *a = npz_find(npz, name);
    if (!a) break;
    aoti_tensor_init(&out[n], a->dtype, a->rank, a->sizes, a->data);
  }
  return n;
}

/* The largest |got - want| over all outputs, or INFINITY when an output is not float32, has the
 * wrong size, or is outside the tolerance anywhere (NaN included). */
static double max_abs_error(const bench_state *s, int *match) {
  double worst = 0;
  *match = 1;
  for (int i = 0; i < s->n_out; ++i) {
    const aoti_tensor *got = &s->out[i], *want = &s->want[i];
    if (got->dtype != AOTI_DTYPE_FLOAT32 || want->dtype != AOTI_DTYPE_FLOAT32 ||
        aoti_tensor_numel(got) != aoti_tensor_numel(want)) {
      *match = 0;
      return INFINITY;
    }
    const float *g = got->data, *w = want->data;
    for (int64_t j = 0; j < aoti_tensor_numel(want); ++j) {
      double d = fabs((double)g[j] - (double)w[j]);
      if (!(d <= TOLERANCE + TOLERANCE * fabs((double)w[j]))) *match = 0;
      if (d > worst || isnan(d)) worst = d; /* a NaN sticks: no later d compares greater */
    }
  }
  return worst;
}

static int run_once(bench_state *s) {
  if (aoti_model_run(s->model, s->in, (size_t)s->n_in, s->out, (size_t)s->n_out) == AOTI_OK) return 1;
  fprintf(stderr, "aoti_bench: %s\n", aoti_last_error());
  return 0;
}

/* Loads the model and the case; returns 1 on success. */
static int load(const bench_args *args, npz_file *npz, aoti_package **pkg, bench_state *s) {
  aoti_model_options options;
  aoti_model_options_init(&options);
  options.num_threads = args->threads;
  if (npz_read(args->samples, npz) != AOTI_OK || aoti_package_open(args->package, pkg) != AOTI_OK ||
      aoti_model_load(*pkg, args->model ? args->model : aoti_package_model_name(*pkg, 0), &options,
                      &s->model) != AOTI_OK) {
    fprintf(stderr, "aoti_bench: %s\n", aoti_last_error());
    return 0;
  }
  s->n_in = load_tensors(npz, args->case_index, "input", s->in);
  s->n_out = load_tensors(npz, args->case_index, "output", s->want);
  for (int i = 0; i < s->n_out; ++i) {
    s->out[i] = s->want[i];
    s->out[i].data = malloc(s->want[i].nbytes ? s->want[i].nbytes : 1);
    if (!s->out[i].data) return fprintf(stderr, "aoti_bench: out of memory\n"), 0;
  }
  return 1;
}

/* Answers each stdin line "N" with N timed runs; returns the exit status. */
static int serve(bench_state *s) {
  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    long n = strtol(line, NULL, 10);
    if (n < 1) return fprintf(stderr, "aoti_bench: expected a run count, got '%s'\n", line), 2;
    double min_us = INFINITY, start = now_us();
    for (long i = 0; i < n; ++i) {
      double t0 = now_us();
      if (!run_once(s)) return 1;
      double t = now_us() - t0;
      min_us = t < min_us ? t : min_us;
    }
    double mean_us = (now_us() - start) / (double)n;
    int match;
    double err = max_abs_error(s, &match);
    if (!match) {
      printf("{\"match\": false, \"max_abs\": %.6g, \"n\": %ld}\n", isfinite(err) ? err : -1.0, n);
      fprintf(stderr, "aoti_bench: outputs differ from the saved ones after %ld runs\n", n);
      return 1;
    }
    printf("{\"n\": %ld, \"mean_us\": %.3f, \"min_us\": %.3f, \"maxrss_kb\": %ld}\n", n, mean_us,
           min_us, maxrss_kb());
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  bench_args args;
  if (!parse_args(argc, argv, &args)) return 2;
  npz_file npz = {0};
  aoti_package *pkg = NULL;
  bench_state s = {0};
  int rc = 1;
  double t0 = now_us();
  if (load(&args, &npz, &pkg, &s)) {
    double load_ms = (now_us() - t0) / 1e3;
    t0 = now_us();
    if (run_once(&s)) {
      double first_run_ms = (now_us() - t0) / 1e3;
      int match;
      double err = max_abs_error(&s, &match);
      printf("{\"match\": %s, \"max_abs\": %.6g, \"load_ms\": %.3f, \"first_run_ms\": %.3f, "
             "\"maxrss_kb\": %ld, \"threads\": %d}\n",
             match ? "true" : "false", isfinite(err) ? err : -1.0, load_ms, first_run_ms,
             maxrss_kb(), args.threads);
      fflush(stdout);
      if (!match) fprintf(stderr, "aoti_bench: outputs differ from the saved ones: not timing a wrong model\n");
      rc = !match ? 1 : args.serve ? serve(&s) : 0;
    }
  }
  for (int i = 0; i < s.n_out; ++i) free(s.out[i].data);
  aoti_model_unload(s.model);
  aoti_package_close(pkg);
  npz_free(&npz);
  return rc;
}
