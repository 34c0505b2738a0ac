/* winograd_under_test.c — compiles templates/kernels/winograd.c on its own, after the kernels it
 * needs, exactly as generated models paste them, and exports it for test_winograd.cc as the table
 * aoti_test_winograd_<AOTI_TEST_VARIANT> (CMakeLists.txt builds this file once per variant, each
 * with its target flags). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "winograd_under_test.h"

#include "aoti/abi.h"

/* one private copy of the kernels per vector path in this test binary */
#define AOTI_KERNEL_API static inline
#include "../../templates/kernels/kernels.h"
#include "../../templates/kernels/math.c"
#include "../../templates/kernels/gemm.c"
#include "../../templates/kernels/copy.c"
#include "../../templates/kernels/conv.c"
#include "../../templates/kernels/winograd.c"
#include "../../templates/kernels/pool.c"
#include "../../templates/kernels/shape.c"
#include "../../templates/kernels/reduce.c"
#include "../../templates/kernels/nn.c"

#ifndef AOTI_TEST_VARIANT
#define AOTI_TEST_VARIANT generic
#endif
#define AOTI_TEST_JOIN(a, b) a##b
#define AOTI_TEST_TABLE(variant) AOTI_TEST_JOIN(aoti_test_winograd_, variant)
#define AOTI_TEST_STR(x) #x
#define AOTI_TEST_NAME(variant) AOTI_TEST_STR(variant)

/* aoti/abi.h's static partition, ranges run last to first on this thread: a kernel whose ranges
 * overlap, depend on their order or share scratch gives wrong results. */
static void reverse_parallel_for(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task) {
  const int32_t count = *(const int32_t *)ctx;
  for (int32_t i = count - 1; i >= 0; --i) {
    const int64_t begin = n * i / count, end = n * (i + 1) / count;
    if (begin < end) fn(task, i, begin, end);
  }
}

static void conv2d(int32_t threads, int64_t batch, int64_t in_c, int64_t in_h, int64_t in_w, int64_t out_c,
                   int64_t pad, const float *x, const float *u, const float *bias, const float *residual, int act,
                   float *out) {
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

static float act_of(int act, float v) { return aoti_act(act, v); }

const aoti_test_winograd AOTI_TEST_TABLE(AOTI_TEST_VARIANT) = {
    AOTI_TEST_NAME(AOTI_TEST_VARIANT), conv2d, AOTI_WINOGRAD_PANEL, AOTI_WINOGRAD_MAX_IN, act_of,
    AOTI_ACT_SIGMOID + 1,
};
