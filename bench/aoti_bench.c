/* aoti_bench.c — times one packaged model on one case of its saved samples, for the bench scripts.
 *
 *   aoti_bench --package P.pt2 [--model NAME] --samples S.npz [--case K] [--iters N] [--warmup W]
 *
 * Loads the model once, runs it W times untimed and N times timed on case K's inputs (outputs
 * preallocated by the caller, so only the run is timed), checks the last outputs against the
 * saved ones (|got - want| <= 1e-4 + 1e-4 |want|: the bench refuses to time a wrong model), and
 * prints one JSON object: {"median_us": .., "min_us": .., "mean_us": .., "iters": .., "load_ms": ..}.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aoti/runtime.h"
#include "npz.h"

typedef struct bench_args {
  const char *package, *model, *samples;
  int case_index, iters, warmup;
} bench_args;

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int parse_args(int argc, char **argv, bench_args *out) {
  *out = (bench_args){.case_index = 0, .iters = 100, .warmup = 10};
  for (int i = 1; i + 1 < argc; i += 2) {
    const char *k = argv[i], *v = argv[i + 1];
    if (!strcmp(k, "--package")) out->package = v;
    else if (!strcmp(k, "--model")) out->model = v;
    else if (!strcmp(k, "--samples")) out->samples = v;
    else if (!strcmp(k, "--case")) out->case_index = atoi(v);
    else if (!strcmp(k, "--iters")) out->iters = atoi(v);
    else if (!strcmp(k, "--warmup")) out->warmup = atoi(v);
    else return fprintf(stderr, "aoti_bench: unknown option '%s'\n", k), 0;
  }
  if (!out->package || !out->samples || out->iters < 1 || out->warmup < 0 || (argc % 2) == 0) {
    fprintf(stderr, "usage: aoti_bench --package P.pt2 [--model NAME] --samples S.npz "
                    "[--case K] [--iters N] [--warmup W]\n");
    return 0;
  }
  return 1;
}

/* Fills tensors from the samples' case<k>.<kind><i> arrays; returns how many, or -1. */
static int load_tensors(const npz_file *npz, int case_index, const char *kind, aoti_tensor *out,
                        int max) {
  int n = 0;
  for (; n < max; ++n) {
    char name[64];
    snprintf(name, sizeof name, "case%d.%s%d", case_index, kind, n);
    const npz_array *a = npz_find(npz, name);
    if (!a) break;
    aoti_tensor_init(&out[n], a->dtype, a->rank, a->sizes, a->data);
  }
  return n;
}

static int outputs_match(const aoti_tensor *got, const aoti_tensor *want, int n) {
  for (int i = 0; i < n; ++i) {
    if (got[i].dtype != AOTI_DTYPE_FLOAT32 || aoti_tensor_numel(&got[i]) != aoti_tensor_numel(&want[i]))
      return 0;
    const float *g = got[i].data, *w = want[i].data;
    for (int64_t j = 0; j < aoti_tensor_numel(&want[i]); ++j)
      if (!(fabsf(g[j] - w[j]) <= 1e-4f + 1e-4f * fabsf(w[j]))) return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  bench_args args;
  if (!parse_args(argc, argv, &args)) return 2;
  npz_file npz = {0};
  aoti_package *pkg = NULL;
  aoti_model *model = NULL;
  aoti_tensor in[16], want[16], out[16];
  double *times = calloc((size_t)args.iters, sizeof *times);
  int rc = 1;
  double t0 = now_us();
  if (!times || npz_read(args.samples, &npz) != AOTI_OK || aoti_package_open(args.package, &pkg) != AOTI_OK ||
      aoti_model_load(pkg, args.model ? args.model : aoti_package_model_name(pkg, 0), NULL, &model) != AOTI_OK) {
    fprintf(stderr, "aoti_bench: %s\n", aoti_last_error());
    goto done;
  }
  double load_ms = (now_us() - t0) / 1e3;
  int n_in = load_tensors(&npz, args.case_index, "input", in, 16);
  int n_out = load_tensors(&npz, args.case_index, "output", want, 16);
  for (int i = 0; i < n_out; ++i) {
    out[i] = want[i];
    out[i].data = malloc(want[i].nbytes);
  }
  for (int i = 0; i < args.warmup + args.iters; ++i) {
    double start = now_us();
    if (aoti_model_run(model, in, (size_t)n_in, out, (size_t)n_out) != AOTI_OK) {
      fprintf(stderr, "aoti_bench: %s\n", aoti_last_error());
      goto free_outputs;
    }
    if (i >= args.warmup) times[i - args.warmup] = now_us() - start;
  }
  if (!outputs_match(out, want, n_out)) {
    fprintf(stderr, "aoti_bench: outputs differ from the saved ones: not timing a wrong model\n");
    goto free_outputs;
  }
  double sum = 0;
  for (int i = 0; i < args.iters; ++i) sum += times[i];
  qsort(times, (size_t)args.iters, sizeof *times, cmp_double);
  printf("{\"median_us\": %.3f, \"min_us\": %.3f, \"mean_us\": %.3f, \"iters\": %d, \"load_ms\": %.3f}\n",
         times[args.iters / 2], times[0], sum / args.iters, args.iters, load_ms);
  rc = 0;
free_outputs:
  for (int i = 0; i < n_out; ++i) free(out[i].data);
done:
  aoti_model_unload(model);
  aoti_package_close(pkg);
  npz_free(&npz);
  free(times);
  return rc;
}
