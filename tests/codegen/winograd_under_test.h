/* winograd_under_test.h — the Winograd convolution kernel (templates/kernels/winograd.c) exported
 * for test_winograd.cc (winograd_under_test.c). */
#ifndef AOTI_WINOGRAD_UNDER_TEST_H
#define AOTI_WINOGRAD_UNDER_TEST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* aoti_conv2d_winograd for x [batch][in_c][in_h][in_w], u [36][in_c][out_c] (the transformed
 * weights) with padding `pad` on both axes, bias NULL or per output channel, residual NULL or laid
 * out as out, act an AOTI_ACT_* (gemm.c). `threads` ranges run one after the other, last first. */
void aoti_test_conv2d_winograd(int32_t threads, int64_t batch, int64_t in_c, int64_t in_h, int64_t in_w,
                               int64_t out_c, int64_t pad, const float *x, const float *u, const float *bias,
                               const float *residual, int act, float *out);

/* aoti_act (gemm.c), the epilogue's activations, and how many there are (AOTI_ACT_* are 0..count-1). */
float aoti_test_act(int act, float v);
int aoti_test_act_count(void);

#ifdef __cplusplus
}
#endif

#endif
