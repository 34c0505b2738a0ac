/* winograd_under_test.c — compiles templates/kernels/winograd.c on its own, after the kernels it
 * needs, exactly as generated models paste them, and exports it for test_winograd.cc. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "winograd_under_test.h"

#include "aoti/abi.h"

#include "../../templates/kernels/gemm.c"
#include "../../templates/kernels/conv.c"
#include "../../templates/kernels/winograd.c"

/* aoti/abi.h's static partition, ranges run last to first on this thread: a kernel whose ranges
 * overlap, depend on their order or share scratch gives wrong results. */
static void reverse_parallel_for(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task) {
  const int32_t count = *(const int32_t *)ctx;
  for (int32_t i = count - 1; i >= 0; --i) {
    const int64_t begin = n * i / count, end = n * (i + 1) / count;
    if (begin < end) fn(task, i, begin, end);
  }
}

void aoti_test_conv2d_winograd(int32_t threads, int64_t batch, int64_t in_c, int64_t in_h, int64_t in_w,
                               int64_t out_c, int64_t pad, const float *x, const float *u, const float *bias,
                               const float *residual, int act, float *out) {
  const uint64_t stride = (AOTI_WINOGRAD_THREAD_SCRATCH + 63) / 64 * 64;
  void *scratch = aligned_alloc(64, (size_t)(stride * (uint64_t)threads));
  memset(scratch, 0xff, (size_t)(stride * (uint64_t)threads)); /* NaNs: reads of unwritten scratch show */
  const aoti_abi_threads th = {threads, scratch, stride, &threads, reverse_parallel_for};
  const aoti_conv_shape p = {batch, in_c, in_h, in_w, out_c, in_h + 2 * pad - 2, in_w + 2 * pad - 2,
                             3, 3, 1, 1, pad, pad, 1, 1, 1};
  const aoti_epilogue ep = {bias, 1, residual, act};
  aoti_conv2d_winograd(&th, &p, x, u, &ep, out);
  free(scratch);
}

float aoti_test_act(int act, float v) { return aoti_act(act, v); }

int aoti_test_act_count(void) { return AOTI_ACT_SIGMOID + 1; }
