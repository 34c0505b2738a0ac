/* kernels_under_test.c — compiles the kernel templates (templates/kernels) on their own, exactly as
 * generated models paste them, and exports them for test_kernels.cc. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_under_test.h"

#include "aoti/abi.h"

#include "../../templates/kernels/gemm.c"
#include "../../templates/kernels/copy.c"

/* Runs the `count` ranges of aoti/abi.h's static partition last to first on this thread: a kernel
 * whose ranges overlap or depend on their order gives wrong results. */
static void sequential_parallel_for(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task) {
  const int32_t count = *(const int32_t *)ctx;
  for (int32_t i = count - 1; i >= 0; --i) {
    const int64_t begin = n * i / count, end = n * (i + 1) / count;
    if (begin < end) fn(task, i, begin, end);
  }
}

void aoti_test_sgemm(int32_t threads, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                     int64_t ldc) {
  const uint64_t stride = (AOTI_GEMM_THREAD_SCRATCH + 63) / 64 * 64;
  void *scratch = stride ? aligned_alloc(64, (size_t)(stride * (uint64_t)threads)) : NULL;
  const aoti_abi_threads th = {threads, scratch, stride, &threads, sequential_parallel_for};
  aoti_sgemm(&th, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  free(scratch);
}

void aoti_test_copy(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                    const int64_t *strides, void *dst) {
  aoti_copy(elem, rank, sizes, src, strides, dst);
}
