/* kernels_under_test.h — the kernel templates exported for tests (kernels_under_test.c). */
#ifndef AOTI_KERNELS_UNDER_TEST_H
#define AOTI_KERNELS_UNDER_TEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* `threads`: how many ranges parallel kernels are cut into; the test runs them one after the other
 * on the calling thread, in reverse order, as aoti/abi.h's contract allows. */
void aoti_test_sgemm(int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                     int64_t ldc);
void aoti_test_copy(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                    const int64_t *strides, void *dst);

#ifdef __cplusplus
}
#endif

#endif
