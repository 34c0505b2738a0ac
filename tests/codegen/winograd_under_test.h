/* winograd_under_test.h — the Winograd convolution kernel (templates/kernels/winograd.c) exported
 * for test_winograd.cc (winograd_under_test.c, built once per vector path of gemm.c: generic,
 * and on x86-64 AVX2+FMA and AVX-512, as tests/codegen/CMakeLists.txt's kernel variants). */
#ifndef AOTI_WINOGRAD_UNDER_TEST_H
#define AOTI_WINOGRAD_UNDER_TEST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_test_winograd {
  const char *name; /* the variant: "generic", "avx2", "avx512" */
  /* aoti_conv2d_winograd for x [batch][in_c][in_h][in_w], u the transformed weights
   * (aoti_winograd_transform_weights) with padding `pad` on both axes, bias NULL or per output
   * channel, residual NULL or laid out as out, act an AOTI_ACT_* (gemm.c). `threads` ranges run
   * one after the other, last first. */
  void (*conv2d)(int32_t threads, int64_t batch, int64_t in_c, int64_t in_h, int64_t in_w, int64_t out_c,
                 int64_t pad, const float *x, const float *u, const float *bias, const float *residual, int act,
                 float *out);
  int panel;    /* AOTI_WINOGRAD_PANEL: output channels per panel of u */
  int max_in;   /* AOTI_WINOGRAD_MAX_IN: input channels at most */
  float (*act)(int act, float v); /* aoti_act (gemm.c), the epilogue's activations */
  int act_count;                  /* AOTI_ACT_* are 0 .. act_count - 1 */
} aoti_test_winograd;

extern const aoti_test_winograd aoti_test_winograd_generic, aoti_test_winograd_avx2, aoti_test_winograd_avx512;

#ifdef __cplusplus
}
#endif

#endif
