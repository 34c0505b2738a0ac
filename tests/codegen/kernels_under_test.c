/* kernels_under_test.c — compiles the kernel templates (templates/kernels) on their own, exactly as
 * generated models paste them, and exports them for test_kernels.cc. */
#include <stdint.h>
#include <string.h>

#include "kernels_under_test.h"

#include "../../templates/kernels/gemm.c"
#include "../../templates/kernels/copy.c"

void aoti_test_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                     int64_t ldc) {
  aoti_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void aoti_test_copy(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                    const int64_t *strides, void *dst) {
  aoti_copy(elem, rank, sizes, src, strides, dst);
}
