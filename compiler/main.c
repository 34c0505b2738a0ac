/* main.c — aotic, the command-line driver: turns exported programs (.ep) into one .pt2 package
 * and, on request, a typed C wrapper per model.
 *
 * Per model it runs the stages in data-flow order (frontend, --dynamic, op binding, passes,
 * codegen, build) and adds the result to the package writer; the package is written once every
 * model has compiled, then the wrappers. Any failure stops the run with
 * "aotic: error: <file>: <message>" and exit status 1 (2 for a bad command line), and removes
 * whatever this run already wrote, so no partial package or wrapper is left behind.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aoti/abi.h"
#include "build/build.h"
#include "codegen/codegen.h"
#include "frontend/frontend.h"
#include "ir/ir.h"
#include "ops/ops.h"
#include "package/package.h"
#include "passes/passes.h"
#include "util/c_identifier.h"
#include "wrapper/wrapper.h"

#ifndef AOTI_VERSION_STRING
#define AOTI_VERSION_STRING "unknown"
#endif

#define EXIT_USAGE 2

static const char kUsage[] =
    "usage: aotic [options] MODEL.ep [MODEL2.ep ...] -o OUT.pt2\n"
    "\n"
    "Compiles programs exported with torch.export.save into one .pt2 package that the AOTI\n"
    "runtime (aoti/runtime.h) loads and runs without PyTorch, and optionally a typed C wrapper\n"
    "per model.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       the package to write (required); its file name without the\n"
    "                          extension is the package's root folder\n"
    "  --name NAME             the name of a model in the package and its wrapper (a C\n"
    "                          identifier); the i-th --name names the i-th MODEL.ep. Default:\n"
    "                          the .ep file's name without extension, made a C identifier\n"
    "  --wrapper-dir DIR       also write <name>.h and <name>.c, a typed C wrapper of each model,\n"
    "                          into the existing folder DIR\n"
    "  --dynamic INPUT:DIM=MIN..MAX\n"
    "                          narrow the range of the dynamic size at dimension DIM of input\n"
    "                          INPUT (e.g. x:0=1..32) to MIN..MAX, which must lie inside the\n"
    "                          range the program was exported with; repeatable\n"
    "  --cc CC                 the C compiler that builds the model library (default: $CC, else\n"
    "                          cc)\n"
    "  --target CPU            the CPU the model is built for: native (default: this\n"
    "                          machine's), generic (the compiler's baseline), or a -march value,\n"
    "                          e.g. x86-64-v3 (AVX2), x86-64-v4 (AVX-512), znver4\n"
    "  --cflags FLAGS          extra compiler flags, split on spaces, after the defaults\n"
    "                          (-O3 -fPIC -shared -std=c11 -march=CPU), e.g. --cflags \"-g\"\n"
    "  --kernel-cache DIR      where the compiled kernels are kept, one file per compiler,\n"
    "                          flags and target, so that only the first build for a target\n"
    "                          compiles them ('none': compile them on every build). Default:\n"
    "                          $AOTI_KERNEL_CACHE, else $XDG_CACHE_HOME/aoti/kernels, else\n"
    "                          ~/.cache/aoti/kernels\n"
    "  --keep-temps            keep the temporary build folder and print where it is\n"
    "  --dump-ir               print each model's graph after the passes to stderr\n"
    "  -v, --verbose           print the compiler command and per-phase timings (read, bind,\n"
    "                          passes, codegen, build, package, wrapper, total; in ms) to stderr\n"
    "  -q, --quiet             print nothing on success but warnings\n"
    "  --version               print aotic's version and exit\n"
    "  -h, --help              print this help and exit\n"
    "\n"
    "example:\n"
    "  aotic mlp.ep --name mlp --dynamic x:0=1..64 --wrapper-dir gen -o mlp.pt2\n"
    "  (writes mlp.pt2 with model \"mlp\", and gen/mlp.h, gen/mlp.c)\n";

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

typedef struct dynamic_spec {
  const char *text; /* as given, for messages */
  char *input;
  int32_t dim;
  int64_t min, max;
  bool used; /* some model has this input */
} dynamic_spec;

typedef struct cli {
  const char *output;
  const char *wrapper_dir;
  int num_models;
  const char **model_paths;
  int num_names;
  const char **names;
  int num_dynamic;
  dynamic_spec *dynamic;
  aoti_build_options build;
  aoti_pass_options passes; /* the target's GEMM tile, asked of the C compiler (probe_target) */
  bool dump_ir, verbose, quiet;
} cli;

static int usage_error(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "aotic: error: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(aotic --help lists the options)\n");
  return EXIT_USAGE;
}

static bool parse_int64(const char *s, const char *end, int64_t *out) {
  if (s == end) return false;
  char buf[32];
  if ((size_t)(end - s) >= sizeof buf) return false;
  memcpy(buf, s, (size_t)(end - s));
  buf[end - s] = '\0';
  char *stop;
  errno = 0;
  long long v = strtoll(buf, &stop, 10);
  if (errno || *stop || !isdigit((unsigned char)buf[buf[0] == '-'])) return false;
  *out = v;
  return true;
}

/* INPUT:DIM=MIN..MAX */
static bool parse_dynamic(const char *text, dynamic_spec *out) {
  const char *colon = strrchr(text, ':');
  const char *eq = colon ? strchr(colon, '=') : NULL;
  const char *dots = eq ? strstr(eq, "..") : NULL;
  int64_t dim;
  if (!colon || colon == text || !eq || !dots || !parse_int64(colon + 1, eq, &dim) || dim < 0 ||
      dim >= AOTI_MAX_RANK || !parse_int64(eq + 1, dots, &out->min) ||
      !parse_int64(dots + 2, dots + 2 + strlen(dots + 2), &out->max))
    return false;
  out->input = strndup(text, (size_t)(colon - text));
  out->text = text;
  out->dim = (int32_t)dim;
  out->used = false;
  return out->input != NULL;
}

/* Matches `arg` against a long option taking a value ("--name NAME" or "--name=NAME"). */
static bool take_value(const char *arg, const char *option, int argc, char **argv, int *i,
                       const char **out_value, int *out_rc) {
  size_t len = strlen(option);
  if (strncmp(arg, option, len) != 0) return false;
  if (arg[len] == '=') {
    *out_value = arg + len + 1;
  } else if (arg[len] == '\0') {
    if (*i + 1 >= argc) {
      *out_rc = usage_error("option %s needs a value", option);
      return true;
    }
    *out_value = argv[++*i];
  } else {
    return false;
  }
  return true;
}

static void cli_free(cli *c) {
  for (int i = 0; i < c->num_dynamic; i++) free(c->dynamic[i].input);
  free(c->dynamic);
  free(c->model_paths);
  free(c->names);
}

/* Returns -1 to go on, else the exit status (0 for --help / --version). */
static int parse_cli(int argc, char **argv, cli *c) {
  memset(c, 0, sizeof *c);
  aoti_build_options_init(&c->build);
  c->build.parts = 2; /* generated sources build as two objects at once */
  aoti_pass_options_init(&c->passes);
  c->model_paths = calloc((size_t)argc, sizeof *c->model_paths);
  c->names = calloc((size_t)argc, sizeof *c->names);
  c->dynamic = calloc((size_t)argc, sizeof *c->dynamic);
  if (!c->model_paths || !c->names || !c->dynamic) {
    fprintf(stderr, "aotic: error: out of memory\n");
    return 1;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *value = NULL;
    int rc = -1;
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(kUsage, stdout);
      return 0;
    } else if (strcmp(a, "--version") == 0) {
      printf("aotic %s (model ABI %d)\n", AOTI_VERSION_STRING, AOTI_ABI_VERSION);
      return 0;
    } else if (strcmp(a, "-o") == 0 || take_value(a, "--output", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      if (!value) {
        if (i + 1 >= argc) return usage_error("option -o needs a value");
        value = argv[++i];
      }
      c->output = value;
    } else if (take_value(a, "--name", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      if (!aoti_is_c_identifier(value))
        return usage_error("--name '%s' is not a C identifier (letters, digits, '_')", value);
      c->names[c->num_names++] = value;
    } else if (take_value(a, "--wrapper-dir", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      c->wrapper_dir = value;
    } else if (take_value(a, "--dynamic", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      if (!parse_dynamic(value, &c->dynamic[c->num_dynamic]))
        return usage_error("--dynamic '%s' is not INPUT:DIM=MIN..MAX (e.g. x:0=1..32)", value);
      c->num_dynamic++;
    } else if (take_value(a, "--cc", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      c->build.cc = value;
    } else if (take_value(a, "--target", argc, argv, &i, &value, &rc)) {
      if (!*value || strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789-_.+") != strlen(value))
        return usage_error("--target '%s' is not a CPU name (native, generic, x86-64-v3, ...)", value);
      c->build.target = value;
    } else if (take_value(a, "--cflags", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      c->build.cflags = value;
    } else if (take_value(a, "--kernel-cache", argc, argv, &i, &value, &rc)) {
      if (rc >= 0) return rc;
      if (!*value) return usage_error("--kernel-cache needs a folder or 'none'");
      c->build.kernel_cache = value;
    } else if (strcmp(a, "--keep-temps") == 0) {
      c->build.keep_temps = true;
    } else if (strcmp(a, "--dump-ir") == 0) {
      c->dump_ir = true;
    } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
      c->verbose = c->build.verbose = true;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      c->quiet = true;
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error("unknown option '%s'", a);
    } else {
      c->model_paths[c->num_models++] = a;
    }
  }
  if (c->num_models == 0) return usage_error("no input: give at least one MODEL.ep");
  if (!c->output) return usage_error("no output: give -o OUT.pt2");
  if (c->num_names > c->num_models)
    return usage_error("%d --name options for %d input files", c->num_names, c->num_models);
  return -1;
}

//===----------------------------------------------------------------------===//
// Per-phase timing
//===----------------------------------------------------------------------===//

enum { PHASE_READ, PHASE_BIND, PHASE_PASSES, PHASE_CODEGEN, PHASE_BUILD, PHASE_PACKAGE,
       PHASE_WRAPPER, NUM_PHASES };
static const char *const kPhaseNames[NUM_PHASES] = {"read",    "bind",  "passes", "codegen",
                                                    "build",   "package", "wrapper"};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

//===----------------------------------------------------------------------===//
// One model
//===----------------------------------------------------------------------===//

typedef struct model_job {
  const char *path;
  char *name; /* malloc'd */
  aoti_graph *g;
  int32_t num_nodes;
  int32_t num_constants;
  uint64_t arena_bytes_max; /* for the wrapper */
} model_job;

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* The file name without its extension, as a C identifier ("my-model.ep" -> "my_model"). */
static char *default_name(const char *path) {
  const char *base = base_name(path);
  const char *dot = strrchr(base, '.');
  size_t len = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
  return aoti_c_identifier(base, len, "m_");
}

static int fail(const char *file, const char *message) {
  fprintf(stderr, "aotic: error: %s: %s\n", file, message);
  return 1;
}

/* Applies every --dynamic naming an input of `g`. */
static int apply_dynamic(cli *c, model_job *job) {
  aoti_graph *g = job->g;
  for (int k = 0; k < c->num_dynamic; k++) {
    dynamic_spec *d = &c->dynamic[k];
    const aoti_value *input = NULL;
    for (int32_t i = 0; i < g->num_inputs && !input; i++)
      if (strcmp(g->inputs[i]->name, d->input) == 0) input = g->inputs[i];
    if (!input) continue;
    d->used = true;
    char msg[512];
    if (d->dim >= input->rank) {
      snprintf(msg, sizeof msg, "--dynamic %s: input '%s' has %d dimensions", d->text, d->input,
               (int)input->rank);
      return fail(job->path, msg);
    }
    const aoti_sx *e = input->dims[d->dim];
    int64_t size;
    if (aoti_sx_is_const(e, &size)) {
      snprintf(msg, sizeof msg,
               "--dynamic %s: dimension %d of input '%s' is static (size %" PRId64
               "); only dimensions exported as dynamic can be given a range",
               d->text, (int)d->dim, d->input, size);
      return fail(job->path, msg);
    }
    if (e->kind != AOTI_SX_SYM) {
      char text[128];
      aoti_sx_to_string(g, e, text, sizeof text);
      snprintf(msg, sizeof msg,
               "--dynamic %s: dimension %d of input '%s' is the expression %s, not one symbol; "
               "give the range at the dimension that is the symbol itself",
               d->text, (int)d->dim, d->input, text);
      return fail(job->path, msg);
    }
    aoti_symbol *s = &g->symbols[e->sym];
    if (d->min > d->max || d->min < s->min || d->max > s->max) {
      char max_text[32];
      if (s->max == INT64_MAX)
        snprintf(max_text, sizeof max_text, "unbounded");
      else
        snprintf(max_text, sizeof max_text, "%" PRId64, s->max);
      snprintf(msg, sizeof msg,
               "--dynamic %s: %" PRId64 "..%" PRId64 " is not inside the exported range %" PRId64
               "..%s of dimension %d of input '%s' (symbol %s)",
               d->text, d->min, d->max, s->min, max_text, (int)d->dim, d->input, s->name);
      return fail(job->path, msg);
    }
    s->min = d->min;
    s->max = d->max;
  }
  return 0;
}

static void add_meta(const char **keys, const char **values, int32_t *n, const char *key,
                     const char *value) {
  keys[*n] = key;
  values[*n] = value && value[0] ? value : "unknown";
  (*n)++;
}

/* An inference build keeps no state between runs, so it drops the program's buffer updates: says
 * which (one warning line per model), then removes them and the nodes that only computed them.
 * Done before binding, so an op used only by an update (sum for a running total) does not stop
 * the build. */
static void drop_mutations(const model_job *job) {
  aoti_graph *g = job->g;
  if (g->num_mutations == 0) return;
  fprintf(stderr, "aotic: warning: %s: model '%s' mutates buffer(s) ", job->path, job->name);
  for (int32_t i = 0; i < g->num_mutations; i++)
    fprintf(stderr, "%s%s", i ? ", " : "", g->mutations[i].buffer_name);
  fprintf(stderr, "; this inference build drops those updates\n");
  g->num_mutations = 0;
  aoti_graph_remove_dead_nodes(g);
}

/* The GEMM tile the kernels will use on the target (the layout weights are prepacked in): gemm.c
 * preprocessed with the models' own compiler, target and flags, once per run, when the first
 * model needs it (a failure is that model's build failure). */
static int probe_target(cli *c, const char *model_path) {
  if (c->passes.gemm_mr > 0) return 0;
  char *probe = aoti_codegen_gemm_tile_probe(), *text = NULL;
  if (!probe) return fail(model_path, "out of memory");
  aoti_status st = aoti_build_preprocess(probe, &c->build, &text);
  free(probe);
  if (st == AOTI_OK) st = aoti_codegen_gemm_tile_read(text, &c->passes.gemm_mr, &c->passes.gemm_nr);
  free(text);
  if (st != AOTI_OK) return fail(model_path, aoti_last_error());
  if (c->verbose)
    fprintf(stderr, "aotic: target %s: GEMM tile %d x %d\n", c->build.target ? c->build.target : "native",
            (int)c->passes.gemm_mr, (int)c->passes.gemm_nr);
  return 0;
}

/* Compiles one model and adds it to the package writer. */
static int compile_model(cli *c, model_job *job, aoti_package_writer *w, double *phase_ms) {
  double t = now_ms();
#define PHASE_DONE(p)                \
  do {                               \
    double t2 = now_ms();            \
    phase_ms[p] += t2 - t;           \
    t = t2;                          \
  } while (0)
  if (aoti_frontend_read(job->path, NULL, &job->g) != AOTI_OK)
    return fail(job->path, aoti_last_error());
  aoti_graph_set_meta(job->g, "source_file", base_name(job->path));
  drop_mutations(job);
  PHASE_DONE(PHASE_READ);
  int rc = apply_dynamic(c, job);
  if (rc) return rc;
  if (aoti_ops_bind(job->g) != AOTI_OK) return fail(job->path, aoti_last_error());
  PHASE_DONE(PHASE_BIND);
  rc = probe_target(c, job->path);
  if (rc) return rc;
  PHASE_DONE(PHASE_BUILD);
  if (aoti_passes_run(job->g, &c->passes, NULL) != AOTI_OK) return fail(job->path, aoti_last_error());
  PHASE_DONE(PHASE_PASSES);
  if (c->dump_ir) {
    fprintf(stderr, "aotic: graph of model '%s' after passes:\n", job->name);
    aoti_graph_dump(job->g, stderr);
  }
  aoti_codegen_result *r = NULL;
  if (aoti_codegen_c(job->g, job->name, NULL, &r) != AOTI_OK)
    return fail(job->path, aoti_last_error());
  PHASE_DONE(PHASE_CODEGEN);
  void *so = NULL;
  size_t so_len = 0;
  char *kernels = aoti_codegen_kernels_source();
  if (!kernels || aoti_build_shared_library(r->source, r->source_len, kernels, job->name, &c->build, &so,
                                            &so_len) != AOTI_OK) {
    free(kernels);
    aoti_codegen_result_destroy(r);
    return fail(job->path, kernels ? aoti_last_error() : "out of memory");
  }
  free(kernels);
  PHASE_DONE(PHASE_BUILD);
  char arena[32];
  snprintf(arena, sizeof arena, "%" PRIu64, r->arena_bytes_at_max);
  const char *keys[10], *values[10];
  int32_t n = 0;
  add_meta(keys, values, &n, "AOTI_DEVICE_KEY", "cpu");
  add_meta(keys, values, &n, "aotic_version", AOTI_VERSION_STRING);
  add_meta(keys, values, &n, "arena_bytes_max", arena);
  add_meta(keys, values, &n, "model_name", job->name);
  add_meta(keys, values, &n, "schema_version", aoti_graph_get_meta(job->g, "schema_version"));
  add_meta(keys, values, &n, "source_file", base_name(job->path));
  add_meta(keys, values, &n, "source_format", aoti_graph_get_meta(job->g, "source_format"));
  add_meta(keys, values, &n, "target", c->build.target ? c->build.target : "native");
  add_meta(keys, values, &n, "torch_version", aoti_graph_get_meta(job->g, "torch_version"));
  aoti_package_model pm = {job->name, so,     so_len,      r->source,       r->source_len,
                           n,         keys,   values,      r->num_constants, r->constants};
  aoti_status st = aoti_package_writer_add_model(w, &pm);
  job->num_nodes = job->g->num_nodes;
  job->num_constants = r->num_constants;
  job->arena_bytes_max = r->arena_bytes_at_max;
  free(so);
  aoti_codegen_result_destroy(r);
  if (st != AOTI_OK) return fail(job->path, aoti_last_error());
  PHASE_DONE(PHASE_PACKAGE);
#undef PHASE_DONE
  return 0;
}

//===----------------------------------------------------------------------===//
// The run
//===----------------------------------------------------------------------===//

static char *wrapper_path(const char *dir, const char *name, const char *ext) {
  size_t len = strlen(dir) + strlen(name) + strlen(ext) + 2;
  char *p = malloc(len);
  if (p) snprintf(p, len, "%s/%s%s", dir, name, ext);
  return p;
}

static void remove_wrapper(const char *dir, const char *name) {
  const char *exts[2] = {".h", ".c"};
  for (int i = 0; i < 2; i++) {
    char *p = wrapper_path(dir, name, exts[i]);
    if (p) unlink(p);
    free(p);
  }
}

/* Writes every model's wrapper; on failure removes the ones written and returns 1. */
static int write_wrappers(const cli *c, model_job *jobs) {
  for (int i = 0; i < c->num_models; i++) {
    if (aoti_wrapper_write(jobs[i].g, jobs[i].name, base_name(c->output), jobs[i].arena_bytes_max,
                           c->wrapper_dir) ==
        AOTI_OK)
      continue;
    char *where = wrapper_path(c->wrapper_dir, jobs[i].name, ".h");
    fail(where ? where : c->wrapper_dir, aoti_last_error());
    free(where);
    for (int k = 0; k < i; k++) remove_wrapper(c->wrapper_dir, jobs[k].name);
    return 1;
  }
  return 0;
}

static int check_names(const cli *c, const model_job *jobs) {
  for (int i = 0; i < c->num_models; i++) {
    if (!jobs[i].name) {
      fprintf(stderr, "aotic: error: out of memory\n");
      return 1;
    }
    for (int k = 0; k < i; k++)
      if (strcmp(jobs[i].name, jobs[k].name) == 0)
        return usage_error("two models are named '%s' (%s and %s); give each a --name",
                           jobs[i].name, jobs[k].path, jobs[i].path);
  }
  return 0;
}

static int check_folders(const cli *c) {
  struct stat st;
  errno = 0;
  if (c->wrapper_dir && (stat(c->wrapper_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
    char msg[256];
    snprintf(msg, sizeof msg, "the wrapper folder does not exist (%s)",
             errno ? strerror(errno) : "not a folder");
    return fail(c->wrapper_dir, msg);
  }
  return 0;
}

static int unused_dynamic(const cli *c) {
  for (int k = 0; k < c->num_dynamic; k++)
    if (!c->dynamic[k].used) {
      char msg[256];
      snprintf(msg, sizeof msg, "no model has an input named '%s'", c->dynamic[k].input);
      return fail(c->dynamic[k].text, msg);
    }
  return 0;
}

static void print_timings(const cli *c, const model_job *jobs, const double *phase_ms,
                          double total_ms) {
  for (int p = 0; p < NUM_PHASES; p++)
    fprintf(stderr, "aotic: %-8s %10.1f ms\n", kPhaseNames[p], phase_ms[p]);
  fprintf(stderr, "aotic: %-8s %10.1f ms\n", "total", total_ms);
  int64_t ops = 0, constants = 0;
  for (int i = 0; i < c->num_models; i++) {
    ops += jobs[i].num_nodes;
    constants += jobs[i].num_constants;
  }
  struct stat st;
  long long size = stat(c->output, &st) == 0 ? (long long)st.st_size : -1;
  fprintf(stderr, "aotic: %d model(s), %" PRId64 " ops, %" PRId64 " constants, package %s (%lld bytes)\n",
          c->num_models, ops, constants, c->output, size);
}

static int run(cli *c, model_job *jobs) {
  double phase_ms[NUM_PHASES] = {0};
  double start = now_ms();
  for (int i = 0; i < c->num_models; i++) {
    jobs[i].path = c->model_paths[i];
    jobs[i].name = i < c->num_names ? strdup(c->names[i]) : default_name(jobs[i].path);
  }
  int rc = check_names(c, jobs);
  if (!rc) rc = check_folders(c);
  if (rc) return rc;
  aoti_package_writer *w = NULL;
  if (aoti_package_writer_create(c->output, &w) != AOTI_OK) return fail(c->output, aoti_last_error());
  for (int i = 0; i < c->num_models && !rc; i++) rc = compile_model(c, &jobs[i], w, phase_ms);
  if (!rc) rc = unused_dynamic(c);
  if (rc) {
    aoti_package_writer_abort(w);
    return rc;
  }
  double t = now_ms();
  if (aoti_package_writer_finish(w) != AOTI_OK) return fail(c->output, aoti_last_error());
  phase_ms[PHASE_PACKAGE] += now_ms() - t;
  t = now_ms();
  if (c->wrapper_dir && write_wrappers(c, jobs)) {
    unlink(c->output);
    return 1;
  }
  phase_ms[PHASE_WRAPPER] += now_ms() - t;
  if (c->verbose) print_timings(c, jobs, phase_ms, now_ms() - start);
  if (!c->quiet) {
    struct stat st;
    long long size = stat(c->output, &st) == 0 ? (long long)st.st_size : -1;
    for (int i = 0; i < c->num_models; i++)
      printf("%s: %d nodes, %d constants, package %s (%lld bytes)\n", jobs[i].name,
             (int)jobs[i].num_nodes, (int)jobs[i].num_constants, c->output, size);
  }
  return 0;
}

int main(int argc, char **argv) {
  cli c;
  int rc = parse_cli(argc, argv, &c);
  if (rc < 0) {
    model_job *jobs = calloc((size_t)c.num_models, sizeof *jobs);
    if (!jobs) {
      fprintf(stderr, "aotic: error: out of memory\n");
      rc = 1;
    } else {
      rc = run(&c, jobs);
      for (int i = 0; i < c.num_models; i++) {
        if (jobs[i].g) aoti_graph_destroy(jobs[i].g);
        free(jobs[i].name);
      }
      free(jobs);
    }
  }
  cli_free(&c);
  return rc;
}
