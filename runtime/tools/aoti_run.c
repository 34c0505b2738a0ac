/* aoti_run.c — aoti-run, the command-line tool that runs a packaged model on saved samples and
 * compares with the saved outputs (what `aoti_add_model(... TEST)` registers with CTest), or prints
 * a package's call spec.
 *
 *   aoti-run PACKAGE [--model NAME] --samples FILE.npz [--rtol R] [--atol A] [--runs N]
 *            [--threads T]      (T threads per run; 0, the default, is one per CPU)
 *   aoti-run PACKAGE [--model NAME] --info      (every model when --model is left out)
 *
 * Samples hold case<k>.input<i> and case<k>.output<j> (numpy.savez). Each output element passes
 * when |got - want| <= atol + rtol * |want| (NaN matches NaN). Exit status: 0 when every output of
 * every case passes, 1 when one fails, 2 on a usage or loading error. */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aoti/runtime.h"
#include "npz.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

typedef struct options {
  const char *package;
  const char *model;
  const char *samples;
  double rtol, atol;
  long runs;
  int32_t threads; /* aoti_model_options.num_threads */
  bool info;
} options;

static void usage(FILE *out) {
  fprintf(out,
          "usage: aoti-run PACKAGE [--model NAME] --samples FILE.npz [--rtol R] [--atol A] "
          "[--runs N] [--threads T]\n"
          "       aoti-run PACKAGE [--model NAME] --info\n");
}

static bool parse_number(const char *flag, const char *text, double *out) {
  char *end = NULL;
  *out = strtod(text, &end);
  if (end == text || *end != '\0' || !(*out >= 0)) {
    fprintf(stderr, "aoti-run: %s wants a number >= 0, got '%s'\n", flag, text);
    return false;
  }
  return true;
}

static bool parse_args(int argc, char **argv, options *opt) {
  *opt = (options){NULL, NULL, NULL, 1e-5, 1e-5, 1, 0, false};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    bool has_value = i + 1 < argc;
    double number = 0;
    if (strcmp(arg, "--info") == 0) {
      opt->info = true;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
      usage(stdout);
      exit(0);
    } else if (arg[0] == '-' && !has_value) {
      fprintf(stderr, "aoti-run: %s needs a value\n", arg);
      return false;
    } else if (strcmp(arg, "--model") == 0) {
      opt->model = argv[++i];
    } else if (strcmp(arg, "--samples") == 0) {
      opt->samples = argv[++i];
    } else if (strcmp(arg, "--rtol") == 0 || strcmp(arg, "--atol") == 0) {
      if (!parse_number(arg, argv[++i], &number)) return false;
      *(arg[2] == 'r' ? &opt->rtol : &opt->atol) = number;
    } else if (strcmp(arg, "--runs") == 0) {
      if (!parse_number(arg, argv[++i], &number) || number < 1) return false;
      opt->runs = (long)number;
    } else if (strcmp(arg, "--threads") == 0) {
      char *end = NULL;
      const long threads = strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || threads < 0 || threads > 1024) {
        fprintf(stderr, "aoti-run: --threads wants a whole number 0..1024 (0: one per CPU), got '%s'\n", argv[i]);
        return false;
      }
      opt->threads = (int32_t)threads;
    } else if (arg[0] == '-' || opt->package) {
      fprintf(stderr, "aoti-run: unexpected argument '%s'\n", arg);
      return false;
    } else {
      opt->package = arg;
    }
  }
  if (!opt->package || (!opt->samples && !opt->info)) {
    usage(stderr);
    return false;
  }
  return true;
}

static const char *pick_model(const aoti_package *package, const char *requested) {
  if (requested) return requested;
  if (aoti_package_model_count(package) == 1) return aoti_package_model_name(package, 0);
  fprintf(stderr, "aoti-run: the package holds %zu models; choose one with --model:",
          aoti_package_model_count(package));
  for (size_t i = 0; i < aoti_package_model_count(package); i++)
    fprintf(stderr, " %s", aoti_package_model_name(package, i));
  fprintf(stderr, "\n");
  return NULL;
}

//===----------------------------------------------------------------------===//
// --info
//===----------------------------------------------------------------------===//

static void print_tensor_spec(const char *kind, size_t index, const aoti_tensor_spec *spec) {
  printf("  %s %zu: %s %s[", kind, index, spec->name, aoti_dtype_name(spec->dtype));
  for (int32_t d = 0; d < spec->rank; d++) printf("%s%s", d ? ", " : "", spec->dims[d]);
  printf("]\n");
}

static void print_info(const aoti_model *model) {
  printf("model %s\n", aoti_model_name(model));
  aoti_tensor_spec spec;
  for (size_t i = 0; i < aoti_model_num_inputs(model); i++)
    if (aoti_model_input_spec(model, i, &spec) == AOTI_OK) print_tensor_spec("input", i, &spec);
  for (size_t s = 0; s < aoti_model_num_symbols(model); s++) {
    aoti_symbol_spec symbol;
    if (aoti_model_symbol_spec(model, s, &symbol) != AOTI_OK) continue;
    if (symbol.max == INT64_MAX)
      printf("  symbol %s: %" PRId64 "..inf\n", symbol.name, symbol.min);
    else
      printf("  symbol %s: %" PRId64 "..%" PRId64 "\n", symbol.name, symbol.min, symbol.max);
  }
  for (size_t o = 0; o < aoti_model_num_outputs(model); o++)
    if (aoti_model_output_spec(model, o, &spec) == AOTI_OK) print_tensor_spec("output", o, &spec);
  for (size_t m = 0; m < aoti_model_metadata_count(model); m++) {
    const char *key, *value;
    if (aoti_model_metadata_at(model, m, &key, &value) == AOTI_OK)
      printf("  metadata %s: %s\n", key, value);
  }
}

//===----------------------------------------------------------------------===//
// Comparing
//===----------------------------------------------------------------------===//

/* IEEE 754 binary16 to double. */
static double half_to_double(uint16_t h) {
  int exponent = (h >> 10) & 0x1f;
  int mantissa = h & 0x3ff;
  double value;
  if (exponent == 0) value = ldexp(mantissa, -24);
  else if (exponent == 31) value = mantissa ? NAN : INFINITY;
  else value = ldexp(mantissa + 1024, exponent - 25);
  return (h & 0x8000) ? -value : value;
}

static double element(const void *data, aoti_dtype dtype, int64_t i) {
  switch (dtype) {
    case AOTI_DTYPE_FLOAT32: return ((const float *)data)[i];
    case AOTI_DTYPE_FLOAT64: return ((const double *)data)[i];
    case AOTI_DTYPE_FLOAT16: return half_to_double(((const uint16_t *)data)[i]);
    case AOTI_DTYPE_INT64: return (double)((const int64_t *)data)[i];
    case AOTI_DTYPE_INT32: return ((const int32_t *)data)[i];
    case AOTI_DTYPE_INT16: return ((const int16_t *)data)[i];
    case AOTI_DTYPE_INT8: return ((const int8_t *)data)[i];
    case AOTI_DTYPE_UINT8:
    case AOTI_DTYPE_BOOL: return ((const uint8_t *)data)[i];
    default: return NAN;
  }
}

typedef struct comparison {
  double max_abs, max_rel;
  bool pass;
  char problem[160]; /* why the output cannot be compared, when it cannot */
} comparison;

static bool same_shape(const aoti_tensor *got, const npz_array *want) {
  if (got->rank != want->rank) return false;
  for (int32_t d = 0; d < got->rank; d++)
    if (got->sizes[d] != want->sizes[d]) return false;
  return true;
}

static comparison compare(const aoti_tensor *got, const npz_array *want, double rtol, double atol) {
  comparison c = {0, 0, true, ""};
  if (got->dtype != want->dtype) {
    snprintf(c.problem, sizeof c.problem, "dtype %s, expected %s", aoti_dtype_name(got->dtype),
             aoti_dtype_name(want->dtype));
  } else if (!same_shape(got, want)) {
    snprintf(c.problem, sizeof c.problem, "shape differs from the sample (rank %d vs %d)",
             got->rank, want->rank);
  }
  if (c.problem[0]) {
    c.pass = false;
    return c;
  }
  int64_t numel = aoti_tensor_numel(got);
  for (int64_t i = 0; i < numel; i++) {
    double g = element(got->data, got->dtype, i), w = element(want->data, want->dtype, i);
    if (isnan(g) && isnan(w)) continue;
    double abs_err = fabs(g - w);
    if (isnan(abs_err)) abs_err = INFINITY; /* one side NaN, or inf - inf of opposite signs */
    if (g == w) abs_err = 0;                /* equal infinities */
    double rel_err = abs_err == 0 ? 0 : w != 0 ? abs_err / fabs(w) : INFINITY;
    if (abs_err > c.max_abs) c.max_abs = abs_err;
    if (rel_err > c.max_rel) c.max_rel = rel_err;
    if (!(abs_err <= atol + rtol * fabs(w))) c.pass = false;
  }
  return c;
}

//===----------------------------------------------------------------------===//
// Running the samples
//===----------------------------------------------------------------------===//

typedef struct tally {
  int passed, failed;
} tally;

static bool case_present(const npz_file *samples, int k) {
  char name[64];
  snprintf(name, sizeof name, "case%d.input0", k);
  if (npz_find(samples, name)) return true;
  snprintf(name, sizeof name, "case%d.output0", k);
  return npz_find(samples, name) != NULL;
}

static const npz_array *find_array(const npz_file *samples, int k, const char *kind, size_t i) {
  char name[64];
  snprintf(name, sizeof name, "case%d.%s%zu", k, kind, i);
  const npz_array *array = npz_find(samples, name);
  if (!array) fprintf(stderr, "aoti-run: the samples have no array '%s'\n", name);
  return array;
}

static double seconds_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs the model `runs` times on the case's inputs; on success the outputs hold the last run's. */
static bool run_case(aoti_model *model, const aoti_tensor *inputs, size_t num_inputs,
                     aoti_tensor *outputs, size_t num_outputs, long runs, int k) {
  double start = seconds_now();
  for (long r = 0; r < runs; r++) {
    for (size_t o = 0; o < num_outputs; o++) {
      free(outputs[o].data);
      aoti_tensor_init(&outputs[o], AOTI_DTYPE_INVALID, 0, NULL, NULL);
    }
    if (aoti_model_run(model, inputs, num_inputs, outputs, num_outputs) != AOTI_OK) {
      fprintf(stderr, "aoti-run: case %d: %s\n", k, aoti_last_error());
      return false;
    }
  }
  if (runs > 1)
    printf("case %d: %ld runs, %.3f ms per run\n", k, runs, (seconds_now() - start) * 1e3 / (double)runs);
  return true;
}

static void report(int k, size_t o, const comparison *c, tally *t) {
  if (c->problem[0])
    printf("case %d output %zu: %s: FAIL\n", k, o, c->problem);
  else
    printf("case %d output %zu: max abs error %.3g, max rel error %.3g: %s\n", k, o, c->max_abs,
           c->max_rel, c->pass ? "pass" : "FAIL");
  if (c->pass) t->passed++;
  else t->failed++;
}

static void check_case(aoti_model *model, const npz_file *samples, int k, const options *opt,
                       tally *t) {
  size_t num_inputs = aoti_model_num_inputs(model), num_outputs = aoti_model_num_outputs(model);
  aoti_tensor *inputs = calloc(num_inputs + 1, sizeof *inputs);
  aoti_tensor *outputs = calloc(num_outputs + 1, sizeof *outputs);
  const npz_array **wants = calloc(num_outputs + 1, sizeof *wants);
  bool ok = inputs && outputs && wants;
  for (size_t i = 0; ok && i < num_inputs; i++) {
    const npz_array *array = find_array(samples, k, "input", i);
    if (!array) ok = false;
    else aoti_tensor_init(&inputs[i], array->dtype, array->rank, array->sizes, array->data);
  }
  for (size_t o = 0; ok && o < num_outputs; o++) ok = (wants[o] = find_array(samples, k, "output", o));
  if (ok) ok = run_case(model, inputs, num_inputs, outputs, num_outputs, opt->runs, k);
  for (size_t o = 0; o < num_outputs; o++) {
    comparison c = {0, 0, false, "not run"};
    if (ok) c = compare(&outputs[o], wants[o], opt->rtol, opt->atol);
    report(k, o, &c, t);
    if (outputs) free(outputs[o].data);
  }
  free(wants);
  free(outputs);
  free(inputs);
}

static int run_samples(aoti_model *model, const options *opt) {
  npz_file samples;
  if (npz_read(opt->samples, &samples) != AOTI_OK) {
    fprintf(stderr, "aoti-run: %s\n", aoti_last_error());
    return EXIT_USAGE;
  }
  tally t = {0, 0};
  int k = 0;
  for (; case_present(&samples, k); k++) check_case(model, &samples, k, opt, &t);
  npz_free(&samples);
  if (k == 0) {
    fprintf(stderr, "aoti-run: %s holds no case0.input0 or case0.output0\n", opt->samples);
    return EXIT_USAGE;
  }
  printf("%d passed, %d failed\n", t.passed, t.failed);
  return t.failed ? EXIT_FAILED : 0;
}

/* --info without --model describes every model of the package. */
static int print_package_info(aoti_package *package, const char *requested) {
  if (aoti_package_model_count(package) == 0) {
    fprintf(stderr, "aoti-run: the package holds no models\n");
    return EXIT_USAGE;
  }
  int status = 0;
  for (size_t i = 0; i < aoti_package_model_count(package); i++) {
    const char *name = requested ? requested : aoti_package_model_name(package, i);
    aoti_model *model = NULL;
    if (aoti_model_load(package, name, NULL, &model) != AOTI_OK) {
      fprintf(stderr, "aoti-run: %s\n", aoti_last_error());
      status = EXIT_USAGE;
    } else {
      print_info(model);
    }
    aoti_model_unload(model);
    if (requested) break;
  }
  return status;
}

int main(int argc, char **argv) {
  options opt;
  if (!parse_args(argc, argv, &opt)) return EXIT_USAGE;
  aoti_package *package = NULL;
  if (aoti_package_open(opt.package, &package) != AOTI_OK) {
    fprintf(stderr, "aoti-run: %s\n", aoti_last_error());
    return EXIT_USAGE;
  }
  int status = EXIT_USAGE;
  if (opt.info) {
    status = print_package_info(package, opt.model);
  } else {
    const char *name = pick_model(package, opt.model);
    aoti_model *model = NULL;
    aoti_model_options load_options;
    aoti_model_options_init(&load_options);
    load_options.num_threads = opt.threads;
    if (name && aoti_model_load(package, name, &load_options, &model) != AOTI_OK)
      fprintf(stderr, "aoti-run: %s\n", aoti_last_error());
    if (model) status = run_samples(model, &opt);
    aoti_model_unload(model);
  }
  aoti_package_close(package);
  return status;
}
