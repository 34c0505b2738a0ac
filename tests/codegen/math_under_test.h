/* math_under_test.h — templates/kernels/math.c's float functions exported for test_math.cc, each
 * applied over an array in the loop generated pointwise code has (math_under_test.c), once per
 * build: generic (no target flags, so no FMA) and native (-march=native, aotic's default target). */
#ifndef AOTI_MATH_UNDER_TEST_H
#define AOTI_MATH_UNDER_TEST_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aoti_test_math_fn {
  AOTI_TEST_EXP,
  AOTI_TEST_LOG,
  AOTI_TEST_TANH,
  AOTI_TEST_ERF,
  AOTI_TEST_SIGMOID,
  AOTI_TEST_SILU,
  AOTI_TEST_GELU_ERF,
  AOTI_TEST_GELU_TANH,
  AOTI_TEST_MATH_COUNT
} aoti_test_math_fn;

/* y[i] = f(x[i]) for i < n */
typedef void (*aoti_test_math_loop)(const float *x, float *y, int64_t n);

typedef struct aoti_test_math {
  const char *name;
  aoti_test_math_loop loops[AOTI_TEST_MATH_COUNT]; /* by aoti_test_math_fn */
} aoti_test_math;

extern const aoti_test_math aoti_test_math_generic, aoti_test_math_native;

#ifdef __cplusplus
}
#endif

#endif
