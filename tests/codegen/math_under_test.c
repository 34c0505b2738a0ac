/* math_under_test.c — compiles templates/kernels/math.c as generated models paste it and exports
 * its float functions as the table aoti_test_math_<AOTI_TEST_VARIANT> (CMakeLists.txt builds this
 * file once per variant, each with its target flags, at -O3 like aotic). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "math_under_test.h"

#include "aoti/abi.h"

#include "../../templates/kernels/math.c"

#ifndef AOTI_TEST_VARIANT
#define AOTI_TEST_VARIANT generic
#endif
#define AOTI_TEST_JOIN(a, b) a##b
#define AOTI_TEST_TABLE(variant) AOTI_TEST_JOIN(aoti_test_math_, variant)
#define AOTI_TEST_STR(x) #x
#define AOTI_TEST_NAME(variant) AOTI_TEST_STR(variant)

/* The loop of a generated unary pointwise kernel with unit strides (codegen_nodes.c). */
#define AOTI_TEST_LOOP(fn)                                                     \
  static void loop_##fn(const float *restrict x, float *restrict y, int64_t n) { \
    for (int64_t j = 0; j < n; ++j) y[j] = fn(x[j]);                           \
  }
AOTI_TEST_LOOP(aoti_expf)
AOTI_TEST_LOOP(aoti_logf)
AOTI_TEST_LOOP(aoti_tanhf)
AOTI_TEST_LOOP(aoti_erff)
AOTI_TEST_LOOP(aoti_sigmoidf)
AOTI_TEST_LOOP(aoti_siluf)
AOTI_TEST_LOOP(aoti_gelu_erff)
AOTI_TEST_LOOP(aoti_gelu_tanhf)

const aoti_test_math AOTI_TEST_TABLE(AOTI_TEST_VARIANT) = {
    AOTI_TEST_NAME(AOTI_TEST_VARIANT),
    {
        [AOTI_TEST_EXP] = loop_aoti_expf,
        [AOTI_TEST_LOG] = loop_aoti_logf,
        [AOTI_TEST_TANH] = loop_aoti_tanhf,
        [AOTI_TEST_ERF] = loop_aoti_erff,
        [AOTI_TEST_SIGMOID] = loop_aoti_sigmoidf,
        [AOTI_TEST_SILU] = loop_aoti_siluf,
        [AOTI_TEST_GELU_ERF] = loop_aoti_gelu_erff,
        [AOTI_TEST_GELU_TANH] = loop_aoti_gelu_tanhf,
    },
};
