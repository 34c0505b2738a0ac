/* fake_model.c — a model library written by hand against aoti/abi.h, standing in for what aotic
 * generates, so the runtime can be tested on its own.
 *
 * Inputs:  x [s0, 4] float32, e [2*s0+1] float32, with s0 in 1..1024.
 * Constants: w [4], b [4] float32 (entries weight_0, weight_1).
 * Outputs: y [s0, 4] = x * w + b (row-wise), f [2*s0+1] = 2 * e.
 * The arena holds x * w (s0 * 4 floats) between the two steps, so a wrong arena size shows.
 *
 * Variants (compile definitions): FAKE_ABI_VERSION (a library from another ABI), FAKE_FAIL_RUN
 * (run reports an error), FAKE_NBYTES_W (a constant size that disagrees with the package),
 * FAKE_X_RANK (an input rank the runtime must refuse).
 */
#include <stdint.h>
#include <stdio.h>

#include "aoti/abi.h"

#ifndef FAKE_ABI_VERSION
#define FAKE_ABI_VERSION AOTI_ABI_VERSION
#endif
#ifndef FAKE_X_RANK
#define FAKE_X_RANK 2
#endif
#ifndef FAKE_NBYTES_W
#define FAKE_NBYTES_W 16
#endif

#define EXPORT __attribute__((visibility("default")))

static const aoti_abi_symbol symbols[] = {{"s0", 1, 1024}};
static const aoti_abi_dim x_dims[] = {{0, 1, 0, "s0"}, {AOTI_ABI_DIM_STATIC, 0, 4, "4"}};
static const aoti_abi_dim e_dims[] = {{0, 2, 1, "2*s0 + 1"}};
static const aoti_abi_tensor inputs[] = {
    {"x", AOTI_DTYPE_FLOAT32, FAKE_X_RANK, x_dims},
    {"e", AOTI_DTYPE_FLOAT32, 1, e_dims},
};
static const aoti_abi_tensor outputs[] = {
    {"output0", AOTI_DTYPE_FLOAT32, 2, x_dims},
    {"output1", AOTI_DTYPE_FLOAT32, 1, e_dims},
};
static const int64_t vec4[] = {4};
static const aoti_abi_constant constants[] = {
    {"w", "weight_0", AOTI_DTYPE_FLOAT32, 1, vec4, FAKE_NBYTES_W},
    {"b", "weight_1", AOTI_DTYPE_FLOAT32, 1, vec4, 16},
};

static void output_sizes(const int64_t *syms, int32_t index, int64_t *out_sizes) {
  if (index == 0) {
    out_sizes[0] = syms[0];
    out_sizes[1] = 4;
  } else {
    out_sizes[0] = 2 * syms[0] + 1;
  }
}

static uint64_t arena_size(const int64_t *syms) { return (uint64_t)syms[0] * 4 * sizeof(float); }

static int misaligned(const void *p) { return ((uintptr_t)p % AOTI_ABI_ALIGNMENT) != 0; }

/* y = x * w + b (through the arena), rows [begin, end) of it: run() splits the rows over the
 * runtime's threads as generated models do. */
typedef struct rows_task {
  const float *x, *w, *b;
  float *xw, *y;
} rows_task;

static void rows(void *task, int32_t thread, int64_t begin, int64_t end) {
  (void)thread;
  const rows_task *t = task;
  for (int64_t i = begin * 4; i < end * 4; i++) t->xw[i] = t->x[i] * t->w[i % 4];
  for (int64_t i = begin * 4; i < end * 4; i++) t->y[i] = t->xw[i] + t->b[i % 4];
}

static int32_t run(const aoti_abi_run_args *args) {
#ifdef FAKE_FAIL_RUN
  snprintf(args->error, args->error_size, "injected failure for s0=%lld", (long long)args->symbols[0]);
  return 1;
#endif
  if (misaligned(args->arena) || misaligned(args->constants[0]) || misaligned(args->constants[1])) {
    snprintf(args->error, args->error_size, "misaligned arena or constants");
    return 1;
  }
  int64_t n = args->symbols[0];
  const float *x = args->inputs[0], *e = args->inputs[1];
  const float *w = args->constants[0], *b = args->constants[1];
  rows_task task = {x, w, b, args->arena, args->outputs[0]};
  float *f = args->outputs[1];
  args->threads->parallel_for(args->threads->ctx, n, rows, &task);
  for (int64_t i = 0; i < 2 * n + 1; i++) f[i] = 2 * e[i];
  return 0;
}

static const aoti_abi_model model = {
    .abi_version = FAKE_ABI_VERSION,
    .name = "model",
    .compiler_version = "hand-written",
    .num_symbols = 1,
    .symbols = symbols,
    .num_inputs = 2,
    .inputs = inputs,
    .num_outputs = 2,
    .outputs = outputs,
    .num_constants = 2,
    .constants = constants,
    .thread_scratch_bytes = 0,
    .output_sizes = output_sizes,
    .arena_size = arena_size,
    .run = run,
};

EXPORT const aoti_abi_model *aoti_model_entry_v1(void) { return &model; }
