/* kernels_under_test.h — the kernel templates exported for tests (kernels_under_test.c), once per
 * build of them: generic (no target flags), AVX2+FMA and AVX-512, so every vector path of gemm.c
 * runs in the tests on a CPU that has it. */
#ifndef AOTI_KERNELS_UNDER_TEST_H
#define AOTI_KERNELS_UNDER_TEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* gemm.c's aoti_epilogue and conv.c's aoti_conv_shape, field for field. */
typedef struct aoti_test_epilogue {
  const float *bias;
  int bias_per_row;
  const float *residual;
  int act; /* AOTI_ACT_*: 0 none, 1 relu, 2 relu6, 3 hardswish, 4 silu, 5 gelu, 6 gelu tanh, 7 sigmoid */
} aoti_test_epilogue;
typedef struct aoti_test_conv_shape {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
  int64_t groups;
} aoti_test_conv_shape;
/* pool.c's aoti_pool_shape, field for field. */
typedef struct aoti_test_pool_shape {
  int64_t planes, in_h, in_w, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
} aoti_test_pool_shape;

/* `threads`: how many ranges parallel kernels are cut into; the test runs them one after the other
 * on the calling thread, in reverse order, as aoti/abi.h's contract allows. */
typedef struct aoti_test_kernels {
  const char *name;
  int vector_floats; /* the build's vector width */
  void (*sgemm)(int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc,
                const aoti_test_epilogue *ep);
  void (*conv2d)(int32_t threads, const aoti_test_conv_shape *p, const float *x, const float *w,
                 const aoti_test_epilogue *ep, float *out);
  void (*bmm)(int32_t threads, int64_t batch, int64_t m, int64_t n, int64_t k, float alpha, const float *a,
              const float *b, float beta, float *c);
  void (*attention)(int32_t threads, int32_t num_batch, const int64_t *batch, int64_t l_len, int64_t s_len,
                    int64_t e_len, int64_t ev_len, float scale, const float *q, const float *k, const float *v,
                    int mask_kind, const void *mask, const int64_t *mask_bstride, int64_t mask_lstride,
                    int64_t mask_sstride, int causal, float *out);
  void (*copy)(size_t elem, int32_t rank, const int64_t *sizes, const void *src, const int64_t *strides, void *dst);
  /* Prepacked weights: the build's GEMM tile, and the products that read gemm.c's panels (packed
   * by passes.h's aoti_gemm_pack_a_panels / aoti_gemm_pack_b_panels for that tile). */
  int gemm_mr, gemm_nr;
  void (*sgemm_panels)(int32_t threads, int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                       const float *b_panels, float beta, float *c, int64_t ldc, const aoti_test_epilogue *ep);
  void (*conv2d_panels)(int32_t threads, const aoti_test_conv_shape *p, const float *x, const float *w_panels,
                        const aoti_test_epilogue *ep, float *out);
  /* pool.c: max pooling (indices NULL: not wanted) and average pooling */
  void (*max_pool2d)(int32_t threads, const aoti_test_pool_shape *p, const float *x, float *out, int64_t *indices);
  void (*avg_pool2d)(int32_t threads, const aoti_test_pool_shape *p, int count_include_pad, int64_t divisor,
                     const float *x, float *out);
  /* nn.c: softmax over the middle dim of [outer, n, inner] (is_log: log-softmax), and layer norm of
   * `outer` rows (w, b, mean_out, rstd_out may be NULL) */
  void (*softmax)(int32_t threads, int64_t outer, int64_t n, int64_t inner, const float *x, float *out, int is_log);
  void (*layer_norm)(int32_t threads, int64_t outer, int64_t inner, const float *x, const float *w, const float *b,
                     float eps, float *out, float *mean_out, float *rstd_out);
} aoti_test_kernels;

extern const aoti_test_kernels aoti_test_kernels_generic, aoti_test_kernels_avx2, aoti_test_kernels_avx512;

#ifdef __cplusplus
}
#endif

#endif
