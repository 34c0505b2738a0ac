/* kernels_under_test.c — compiles the kernel templates (templates/kernels) on their own, exactly as
 * generated models paste them, and exports them for test_kernels.cc as the table
 * aoti_test_kernels_<AOTI_TEST_VARIANT> (CMakeLists.txt builds this file once per variant, each
 * with its target flags). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_under_test.h"

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
#define AOTI_TEST_TABLE(variant) AOTI_TEST_JOIN(aoti_test_kernels_, variant)
#define AOTI_TEST_STR(x) #x
#define AOTI_TEST_NAME(variant) AOTI_TEST_STR(variant)

/* Runs the `count` ranges of aoti/abi.h's static partition last to first on this thread: a kernel
 * whose ranges overlap or depend on their order gives wrong results. */
static void sequential_parallel_for(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task) {
  const int32_t count = *(const int32_t *)ctx;
  for (int32_t i = count - 1; i >= 0; --i) {
    const int64_t begin = n * i / count, end = n * (i + 1) / count;
    if (begin < end) fn(task, i, begin, end);
  }
}

/* The threads of a run: `count` ranges, each with its own scratch, freed by free_threads. */
static aoti_abi_threads make_threads(int32_t *count) {
  const uint64_t need = AOTI_NN_THREAD_SCRATCH > AOTI_CONV_DIRECT_THREAD_SCRATCH ? AOTI_NN_THREAD_SCRATCH
                                                                                : AOTI_CONV_DIRECT_THREAD_SCRATCH;
  const uint64_t stride = (need + 63) / 64 * 64; /* the largest kernel's: GEMM, attention, conv.c's bands */
  void *scratch = aligned_alloc(64, (size_t)(stride * (uint64_t)*count));
  const aoti_abi_threads th = {*count, scratch, stride, count, sequential_parallel_for};
  return th;
}

static aoti_epilogue epilogue_of(const aoti_test_epilogue *ep) {
  const aoti_epilogue e = {ep->bias, ep->bias_per_row, ep->residual, ep->act};
  return e;
}

static void test_sgemm(int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                       const aoti_test_epilogue *ep) {
  const aoti_abi_threads th = make_threads(&threads);
  const aoti_epilogue e = ep ? epilogue_of(ep) : (aoti_epilogue){NULL, 0, NULL, AOTI_ACT_NONE};
  if (ep)
    aoti_sgemm_ep(&th, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, &e);
  else
    aoti_sgemm(&th, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  free(th.scratch);
}

static void test_conv2d(int32_t threads, const aoti_test_conv_shape *p, const float *x, const float *w,
                        const aoti_test_epilogue *ep, float *out) {
  _Static_assert(sizeof(aoti_test_conv_shape) == sizeof(aoti_conv_shape), "the shapes must match");
  aoti_conv_shape shape;
  memcpy(&shape, p, sizeof shape);
  const aoti_abi_threads th = make_threads(&threads);
  const aoti_epilogue e = epilogue_of(ep);
  aoti_conv2d(&th, &shape, x, w, &e, out);
  free(th.scratch);
}

static void test_sgemm_panels(int32_t threads, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                              int64_t lda, const float *b_panels, float beta, float *c, int64_t ldc,
                              const aoti_test_epilogue *ep) {
  const aoti_abi_threads th = make_threads(&threads);
  const aoti_epilogue e = ep ? epilogue_of(ep) : (aoti_epilogue){NULL, 0, NULL, AOTI_ACT_NONE};
  aoti_sgemm_panels_ep(&th, m, n, k, alpha, a, lda, b_panels, beta, c, ldc, &e);
  free(th.scratch);
}

static void test_conv2d_panels(int32_t threads, const aoti_test_conv_shape *p, const float *x, const float *w_panels,
                               const aoti_test_epilogue *ep, float *out) {
  aoti_conv_shape shape;
  memcpy(&shape, p, sizeof shape);
  const aoti_abi_threads th = make_threads(&threads);
  const aoti_epilogue e = epilogue_of(ep);
  aoti_conv2d_panels(&th, &shape, x, w_panels, &e, out);
  free(th.scratch);
}

static void test_bmm(int32_t threads, int64_t batch, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
                     const float *b, float beta, float *c) {
  const aoti_abi_threads th = make_threads(&threads);
  aoti_bmm(&th, batch, m, n, k, alpha, a, b, beta, c);
  free(th.scratch);
}

static void test_attention(int32_t threads, int32_t num_batch, const int64_t *batch, int64_t l_len, int64_t s_len,
                           int64_t e_len, int64_t ev_len, float scale, const float *q, const float *k, const float *v,
                           int mask_kind, const void *mask, const int64_t *mask_bstride, int64_t mask_lstride,
                           int64_t mask_sstride, int causal, float *out) {
  const aoti_abi_threads th = make_threads(&threads);
  aoti_attention(&th, num_batch, batch, l_len, s_len, e_len, ev_len, scale, q, k, v, mask_kind, mask, mask_bstride,
                 mask_lstride, mask_sstride, causal, out);
  free(th.scratch);
}

static void test_softmax(int32_t threads, int64_t outer, int64_t n, int64_t inner, const float *x, float *out,
                         int is_log) {
  const aoti_abi_threads th = make_threads(&threads);
  aoti_softmax(&th, outer, n, inner, x, out, is_log);
  free(th.scratch);
}

static void test_layer_norm(int32_t threads, int64_t outer, int64_t inner, const float *x, const float *w,
                            const float *b, float eps, float *out, float *mean_out, float *rstd_out) {
  const aoti_abi_threads th = make_threads(&threads);
  aoti_layer_norm(&th, outer, inner, x, w, b, eps, out, mean_out, rstd_out);
  free(th.scratch);
}

static aoti_pool_shape pool_shape_of(const aoti_test_pool_shape *p) {
  _Static_assert(sizeof(aoti_test_pool_shape) == sizeof(aoti_pool_shape), "the shapes must match");
  aoti_pool_shape shape;
  memcpy(&shape, p, sizeof shape);
  return shape;
}

static void test_max_pool2d(int32_t threads, const aoti_test_pool_shape *p, const float *x, float *out,
                            int64_t *indices) {
  const aoti_pool_shape shape = pool_shape_of(p);
  const aoti_abi_threads th = make_threads(&threads);
  aoti_max_pool2d(&th, &shape, x, out, indices);
  free(th.scratch);
}

static void test_avg_pool2d(int32_t threads, const aoti_test_pool_shape *p, int count_include_pad, int64_t divisor,
                            const float *x, float *out) {
  const aoti_pool_shape shape = pool_shape_of(p);
  const aoti_abi_threads th = make_threads(&threads);
  aoti_avg_pool2d(&th, &shape, count_include_pad, divisor, x, out);
  free(th.scratch);
}

const aoti_test_kernels AOTI_TEST_TABLE(AOTI_TEST_VARIANT) = {
    AOTI_TEST_NAME(AOTI_TEST_VARIANT), AOTI_VL, test_sgemm, test_conv2d, test_bmm, test_attention, aoti_copy,
    AOTI_GEMM_MR, AOTI_GEMM_NR, test_sgemm_panels, test_conv2d_panels,
    test_max_pool2d, test_avg_pool2d, test_softmax, test_layer_norm,
};
