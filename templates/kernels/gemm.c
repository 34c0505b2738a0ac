/* gemm.c — the single-precision GEMM every generated model carries (templates/kernels, embedded
 * into aotic and pasted into each model source by compiler/codegen).
 *
 *     C = beta * C + alpha * op(A) * op(B)      row-major; op(X) = X or X^T
 *
 * op(A) is M x K, op(B) is K x N, C is M x N with leading dimensions lda, ldb, ldc (elements per
 * row as stored). When beta is 0, C is only written, never read (so NaNs in C do not propagate),
 * as BLAS does. Portable C: the inner loops run along contiguous rows of C and B so that -O3
 * auto-vectorises them; blocking keeps a panel of B in cache while a block of rows of C is updated.
 * B^T is packed block by block into a stack buffer so the inner loop stays contiguous. Never
 * allocates; reentrant. `th`: the run's threads (aoti/abi.h).
 */

#define AOTI_GEMM_THREAD_SCRATCH 0 /* bytes of aoti_abi_threads scratch each thread uses */

/* What a kernel applies to each value it produces before storing it, in this order:
 *   v = act(v + bias + residual)
 * so that a bias, a residual add and an activation after a GEMM or a convolution cost no extra
 * pass over memory (passes/fuse.c decides). The activations are PyTorch's formulas. */
enum {
  AOTI_ACT_NONE = 0,
  AOTI_ACT_RELU,      /* v < 0 ? 0 : v (NaN stays NaN) */
  AOTI_ACT_RELU6,     /* hardtanh(v, 0, 6) */
  AOTI_ACT_HARDSWISH, /* v * relu6(v + 3) / 6 */
  AOTI_ACT_SILU,      /* v / (1 + exp(-v)) */
  AOTI_ACT_GELU,      /* v / 2 * (1 + erf(v / sqrt 2)) */
  AOTI_ACT_GELU_TANH, /* v / 2 * (1 + tanh(sqrt(2 / pi) * (v + 0.044715 v^3))) */
  AOTI_ACT_SIGMOID,   /* 1 / (1 + exp(-v)) */
};
typedef struct aoti_epilogue {
  const float *bias;     /* NULL, or one per row of C (bias_per_row) / per column of C */
  int bias_per_row;      /* convolutions: per output channel; linear layers: per column */
  const float *residual; /* NULL, or laid out as C (leading dimension ldc) */
  int act;               /* AOTI_ACT_* */
} aoti_epilogue;

/* One value through the epilogue (kernels vectorise around it; this is the reference). */
static inline float aoti_act(int act, float v) {
  switch (act) {
    case AOTI_ACT_RELU: return v < 0.0f ? 0.0f : v;
    case AOTI_ACT_RELU6: return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v;
    case AOTI_ACT_HARDSWISH: {
      const float r = v + 3.0f < 0.0f ? 0.0f : v + 3.0f > 6.0f ? 6.0f : v + 3.0f;
      return v * r / 6.0f;
    }
    case AOTI_ACT_SILU: return v / (1.0f + expf(-v));
    case AOTI_ACT_GELU: return 0.5f * v * (1.0f + erff(v * 0.70710678118654752440f));
    case AOTI_ACT_GELU_TANH:
      return 0.5f * v * (1.0f + tanhf(0.79788456080286535588f * (v + 0.044715f * v * v * v)));
    case AOTI_ACT_SIGMOID: return 1.0f / (1.0f + expf(-v));
    default: return v;
  }
}
#define AOTI_GEMM_KC 64  /* rows of op(B) (columns of op(A)) per block */
#define AOTI_GEMM_NC 256 /* columns of C per block: a row of C fits L1, a KC x NC panel L2 */

/* C[0..m)[0..n) *= beta (beta 0: set to 0 without reading). */
static void aoti_gemm_scale(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
  if (beta == 1.0f) return;
  for (int64_t i = 0; i < m; ++i) {
    float *row = c + i * ldc;
    if (beta == 0.0f) {
      for (int64_t j = 0; j < n; ++j) row[j] = 0.0f;
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

/* C[i][0..n) += sum_k a(i,k) * panel[k][0..n) for one block: four rows at a time share each load
 * of the panel row. `a_at(i, k)` reads op(A) with its transpose flag; panel rows are ldp apart. */
static void aoti_gemm_block(int64_t m, int64_t n, int64_t kc, float alpha, const float *a,
                            int64_t lda, int trans_a, const float *panel, int64_t ldp, float *c,
                            int64_t ldc) {
#define AOTI_GEMM_A(i, k) (alpha * (trans_a ? a[(k) * lda + (i)] : a[(i) * lda + (k)]))
  int64_t i = 0;
  for (; i + 4 <= m; i += 4) {
    float *restrict c0 = c + (i + 0) * ldc;
    float *restrict c1 = c + (i + 1) * ldc;
    float *restrict c2 = c + (i + 2) * ldc;
    float *restrict c3 = c + (i + 3) * ldc;
    for (int64_t k = 0; k < kc; ++k) {
      const float *restrict b = panel + k * ldp;
      const float a0 = AOTI_GEMM_A(i + 0, k), a1 = AOTI_GEMM_A(i + 1, k);
      const float a2 = AOTI_GEMM_A(i + 2, k), a3 = AOTI_GEMM_A(i + 3, k);
      for (int64_t j = 0; j < n; ++j) {
        c0[j] += a0 * b[j];
        c1[j] += a1 * b[j];
        c2[j] += a2 * b[j];
        c3[j] += a3 * b[j];
      }
    }
  }
  for (; i < m; ++i) {
    float *restrict c0 = c + i * ldc;
    for (int64_t k = 0; k < kc; ++k) {
      const float *restrict b = panel + k * ldp;
      const float a0 = AOTI_GEMM_A(i, k);
      for (int64_t j = 0; j < n; ++j) c0[j] += a0 * b[j];
    }
  }
#undef AOTI_GEMM_A
}

/* The whole product on the calling thread, packing into `scratch` (AOTI_GEMM_THREAD_SCRATCH
 * bytes of the thread's aoti_abi_threads scratch), for kernels that split work themselves. */
static void aoti_sgemm_1t(void *scratch, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                          const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                          int64_t ldc) {
  float packed[AOTI_GEMM_KC * AOTI_GEMM_NC]; /* a KC x NC block of B^T, made contiguous */
  (void)scratch;
  aoti_gemm_scale(m, n, beta, c, ldc);
  if (alpha == 0.0f || k == 0) return;
  for (int64_t j0 = 0; j0 < n; j0 += AOTI_GEMM_NC) {
    const int64_t nc = n - j0 < AOTI_GEMM_NC ? n - j0 : AOTI_GEMM_NC;
    for (int64_t k0 = 0; k0 < k; k0 += AOTI_GEMM_KC) {
      const int64_t kc = k - k0 < AOTI_GEMM_KC ? k - k0 : AOTI_GEMM_KC;
      const float *panel = b + k0 * ldb + j0;
      int64_t ldp = ldb;
      if (trans_b) {
        for (int64_t kk = 0; kk < kc; ++kk)
          for (int64_t jj = 0; jj < nc; ++jj) packed[kk * nc + jj] = b[(j0 + jj) * ldb + k0 + kk];
        panel = packed;
        ldp = nc;
      }
      const float *a_block = trans_a ? a + k0 * lda : a + k0;
      aoti_gemm_block(m, nc, kc, alpha, a_block, lda, trans_a, panel, ldp, c + j0, ldc);
    }
  }
}

static void aoti_sgemm(const aoti_abi_threads *th, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                       float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                       int64_t ldc) {
  aoti_sgemm_1t(th->scratch, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
