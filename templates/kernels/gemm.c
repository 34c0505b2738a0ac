/* gemm.c — the single-precision GEMM every generated model carries (templates/kernels, embedded
 * into aotic and pasted into each model source by compiler/codegen), and the vector helpers
 * conv.c and nn.c use after it.
 *
 *     C = ep(beta * C + alpha * op(A) * op(B))      row-major; op(X) = X or X^T
 *
 * op(A) is M x K, op(B) is K x N, C is M x N with leading dimensions lda, ldb, ldc (elements per
 * row as stored). When beta is 0, C is only written, never read (so NaNs in C do not propagate),
 * as BLAS does. ep (may be NULL) adds a bias and a residual and applies an activation.
 *
 * The GotoBLAS/BLIS scheme (Goto & van de Geijn, "Anatomy of high-performance matrix
 * multiplication", TOMS 2008): a KC x NC block of op(B) is packed into NR-wide column panels and
 * an MC x KC block of op(A) into MR-high row panels, in the thread's scratch memory; a micro-kernel
 * keeps an MR x NR tile of C in vector registers over the KC loop (one B panel stays in L1, the A
 * block in L2), and the tile goes to C through the epilogue. Written once with GCC/clang vector
 * extensions; the vector width and MR x NR follow the target (AVX-512, AVX2+FMA, or a 4-lane
 * generic fallback any gcc/clang target compiles). The B packing is a function, so convolutions
 * (conv.c) pack im2col panels straight from the image. Work is split over the run's threads by
 * tiles of C (columns when N is the larger side, rows otherwise). Where each element of op(B) is
 * used only a few times, packing it would cost as much as the product: blocks of at most MR rows
 * read an untransposed op(B) in place, and products of at most AOTI_GEMM_SKINNY rows (linear
 * layers at batch 1) pack nothing.
 *
 * Constant operands (weights) come packed by the compiler instead (passes/prepack_gemm.c), so
 * nothing is repacked at run time. Panel layouts, for the MR x NR of the target the model is built
 * for (aotic reads them from this file's macros; the generated code asserts them):
 *   A panels: op(A) (M x K) as ceil(M / MR) panels, each K x MR row-major (element (i, p) at
 *             [(i / MR) * K * MR + p * MR + i % MR]), rows past M zero;
 *   B panels: op(B) (K x N) as ceil(N / NR) panels, each K x NR row-major (element (p, j) at
 *             [(j / NR) * K * NR + p * NR + j % NR]), columns past N zero.
 * Panels span all of K, so a KC block of a panel is contiguous at offset pc * MR (or NR).
 * Never allocates; reentrant. `th`: the run's threads (aoti/abi.h).
 */

#if defined(__AVX512F__)
#include <immintrin.h>
typedef float aoti_vf __attribute__((vector_size(64)));
#define aoti_vfma(acc, a, b) _mm512_fmadd_ps((a), (b), (acc)) /* acc + a * b, one rounding */
#define aoti_vsplat(x) _mm512_set1_ps(x)
/* lanes 0, 2, 4, .. of a then of b (the inputs of a stride-2 convolution) */
#define aoti_veven(a, b) \
  _mm512_permutex2var_ps((a), _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), (b))
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef float aoti_vf __attribute__((vector_size(32)));
#define aoti_vfma(acc, a, b) _mm256_fmadd_ps((a), (b), (acc))
#define aoti_vsplat(x) _mm256_set1_ps(x)
#define aoti_veven(a, b) \
  _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps((a), (b), 0x88)), 0xd8))
#else
typedef float aoti_vf __attribute__((vector_size(16)));
#define aoti_vfma(acc, a, b) ((acc) + (a) * (b)) /* -std=c11 does not contract: two roundings */
#define aoti_vsplat(x) ((aoti_vf){(x), (x), (x), (x)})
#define aoti_veven(a, b) ((aoti_vf){(a)[0], (a)[2], (b)[0], (b)[2]})
#endif
typedef int32_t aoti_vi __attribute__((vector_size(sizeof(aoti_vf)))); /* comparison masks */
/* Full unrolling of the micro-kernel's constant-trip loops, which keeps the accumulators in
 * registers (clang ignores a GCC unroll count above the trip count). */
#if defined(__clang__)
#define AOTI_UNROLL _Pragma("unroll")
#else
#define AOTI_UNROLL _Pragma("GCC unroll 16")
#endif

#define AOTI_GEMM_SKINNY 4                      /* at most this many rows: op(B) read in place */
#define AOTI_GEMM_MIN_SPLIT 262144.0 /* multiply-adds below which one thread beats a split (~2 us) */

static inline aoti_vf aoti_vload(const float *p) {
  aoti_vf v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void aoti_vstore(float *p, aoti_vf v) { memcpy(p, &v, sizeof v); }
/* mask ? a : b, lane by lane */
static inline aoti_vf aoti_vselect(aoti_vi mask, aoti_vf a, aoti_vf b) {
  return (aoti_vf)(((aoti_vi)a & mask) | ((aoti_vi)b & ~mask));
}
static inline float aoti_vsum(aoti_vf v) {
  float s = 0.0f;
  for (int i = 0; i < AOTI_VL; ++i) s += v[i];
  return s;
}
/* sum_i a[i] * b[i], in vector lanes then across them */
static inline float aoti_vdot(int64_t n, const float *a, const float *b) {
  aoti_vf acc0 = aoti_vsplat(0.0f), acc1 = acc0;
  int64_t i = 0;
  for (; i + 2 * AOTI_VL <= n; i += 2 * AOTI_VL) {
    acc0 = aoti_vfma(acc0, aoti_vload(a + i), aoti_vload(b + i));
    acc1 = aoti_vfma(acc1, aoti_vload(a + i + AOTI_VL), aoti_vload(b + i + AOTI_VL));
  }
  float s = aoti_vsum(acc0 + acc1);
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

/* The activations of aoti_epilogue (kernels.h). */
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

/* relu, relu6 and hardswish lane by lane, with aoti_act's exact operations (NaN stays NaN). */
static inline aoti_vf aoti_vclamp(aoti_vf v, float lo, float hi) {
  v = aoti_vselect(v < aoti_vsplat(lo), aoti_vsplat(lo), v);
  return aoti_vselect(v > aoti_vsplat(hi), aoti_vsplat(hi), v);
}
/* e^x lane by lane: math.c's aoti_expf on each lane, in a fixed-trip loop the compiler vectorises
 * (through an array: clang keeps a loop over the lanes of a vector variable scalar). */
static inline aoti_vf aoti_vexp(aoti_vf x) {
  float lane[AOTI_VL];
  memcpy(lane, &x, sizeof lane);
  for (int i = 0; i < AOTI_VL; ++i) lane[i] = aoti_expf(lane[i]);
  memcpy(&x, lane, sizeof x);
  return x;
}

/* silu, sigmoid and the gelus lane by lane: math.c's scalar function on each lane as in aoti_vexp,
 * so an epilogue computes what a pointwise loop does. Not inline: the math bodies would make
 * aoti_vact too large for the compiler to inline into the epilogues, which would then call it for
 * every vector, also when there is no activation. */
static aoti_vf aoti_vact_math(int act, aoti_vf v) {
  float lane[AOTI_VL];
  memcpy(lane, &v, sizeof lane);
  switch (act) {
    case AOTI_ACT_SILU:
      for (int i = 0; i < AOTI_VL; ++i) lane[i] = aoti_siluf(lane[i]);
      break;
    case AOTI_ACT_SIGMOID:
      for (int i = 0; i < AOTI_VL; ++i) lane[i] = aoti_sigmoidf(lane[i]);
      break;
    case AOTI_ACT_GELU:
      for (int i = 0; i < AOTI_VL; ++i) lane[i] = aoti_gelu_erff(lane[i]);
      break;
    default: /* AOTI_ACT_GELU_TANH */
      for (int i = 0; i < AOTI_VL; ++i) lane[i] = aoti_gelu_tanhf(lane[i]);
      break;
  }
  memcpy(&v, lane, sizeof v);
  return v;
}

/* The activation lane by lane: the clamps as vector selects, the others through aoti_vact_math. */
static inline aoti_vf aoti_vact(int act, aoti_vf v) {
  switch (act) {
    case AOTI_ACT_RELU: return aoti_vselect(v < aoti_vsplat(0.0f), aoti_vsplat(0.0f), v);
    case AOTI_ACT_RELU6: return aoti_vclamp(v, 0.0f, 6.0f);
    case AOTI_ACT_HARDSWISH: return v * aoti_vclamp(v + 3.0f, 0.0f, 6.0f) / 6.0f;
    case AOTI_ACT_SILU:
    case AOTI_ACT_SIGMOID:
    case AOTI_ACT_GELU:
    case AOTI_ACT_GELU_TANH: return aoti_vact_math(act, v);
    default: return v;
  }
}

/* How one row of results goes into C:
 *   c[j] = act(alpha * acc[j] + beta * c[j] + bias_row + bias_col[j] + residual[j])
 * (beta 0: c is not read; absent terms are not added). */
typedef struct aoti_row_finish {
  float alpha, beta;
  int has_bias_row;
  float bias_row;
  const float *bias_col; /* or NULL */
  const float *residual; /* or NULL */
  int act;
} aoti_row_finish;

/* The first n < AOTI_VL lanes at p, the others 0 (for row tails: no memcpy, whose call costs
 * more than the row). */
static inline aoti_vf aoti_vload_n(const float *p, int64_t n) {
#if defined(__AVX512F__)
  return _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1u), p);
#else
  aoti_vf v = aoti_vsplat(0.0f);
  for (int64_t i = 0; i < n; ++i) v[i] = p[i];
  return v;
#endif
}
static inline void aoti_vstore_n(float *p, aoti_vf v, int64_t n) {
#if defined(__AVX512F__)
  _mm512_mask_storeu_ps(p, (__mmask16)((1u << n) - 1u), v);
#else
  for (int64_t i = 0; i < n; ++i) p[i] = v[i];
#endif
}

/* v[0..n) = act(v[0..n)) in place, for kernels that apply the activation on their own. */
static inline void aoti_act_row(int act, float *v, int64_t n) {
  if (act == AOTI_ACT_NONE) return;
  int64_t i = 0;
  for (; i + AOTI_VL <= n; i += AOTI_VL) aoti_vstore(v + i, aoti_vact(act, aoti_vload(v + i)));
  if (i < n) aoti_vstore_n(v + i, aoti_vact(act, aoti_vload_n(v + i, n - i)), n - i);
}

/* One vector of results through f, from its loaded terms (c, bias, residual: 0 when absent). */
static inline aoti_vf aoti_finish_vector(const aoti_row_finish *f, aoti_vf acc, aoti_vf c, aoti_vf bias_col,
                                         aoti_vf residual) {
  aoti_vf v = acc * f->alpha;
  if (f->beta != 0.0f) v += c * f->beta;
  if (f->has_bias_row) v += f->bias_row;
  if (f->bias_col) v += bias_col;
  if (f->residual) v += residual;
  return aoti_vact(f->act, v);
}

/* c[0..cols) from acc[0..cols) through f: whole vectors, then the tail with masked loads and
 * stores (c is only read when beta is nonzero). */
static void aoti_finish_row(const aoti_row_finish *f, int64_t cols, const float *acc, float *c) {
  const aoti_vf zero = aoti_vsplat(0.0f);
  int64_t j = 0;
  for (; j + AOTI_VL <= cols; j += AOTI_VL)
    aoti_vstore(c + j, aoti_finish_vector(f, aoti_vload(acc + j), f->beta != 0.0f ? aoti_vload(c + j) : zero,
                                          f->bias_col ? aoti_vload(f->bias_col + j) : zero,
                                          f->residual ? aoti_vload(f->residual + j) : zero));
  if (j < cols) {
    const int64_t n = cols - j;
    aoti_vstore_n(c + j, aoti_finish_vector(f, aoti_vload_n(acc + j, n), f->beta != 0.0f ? aoti_vload_n(c + j, n) : zero,
                                            f->bias_col ? aoti_vload_n(f->bias_col + j, n) : zero,
                                            f->residual ? aoti_vload_n(f->residual + j, n) : zero),
                  n);
  }
}

/* The finish of rows [row0, row0 + rows) x columns [col0, ...) of C: alpha and beta, plus ep
 * when `last` (the final K block). */
static inline aoti_row_finish aoti_row_finish_of(float alpha, float beta, const aoti_epilogue *ep, int last,
                                                 int64_t row, int64_t col, int64_t ldc) {
  aoti_row_finish f = {alpha, beta, 0, 0.0f, NULL, NULL, AOTI_ACT_NONE};
  if (!last || !ep) return f;
  if (ep->bias && ep->bias_per_row) {
    f.has_bias_row = 1;
    f.bias_row = ep->bias[row];
  } else if (ep->bias) {
    f.bias_col = ep->bias + col;
  }
  if (ep->residual) f.residual = ep->residual + row * ldc + col;
  f.act = ep->act;
  return f;
}

/* One product as the tile loops see it: op(A) read in place or packed by rows, op(B) packed by
 * `pack_b` (a matrix, or im2col panels of an image in conv.c). Rows and columns are absolute. */
typedef struct aoti_gemm_op aoti_gemm_op;
struct aoti_gemm_op {
  int64_t m, n, k;
  float alpha, beta;
  const float *a;
  int64_t lda;
  int trans_a;
  /* Packs op(B) rows [k0, k0 + kc) x columns [j0, j0 + nc) as NR-wide panels, each kc x NR
   * row-major, zero past column n. */
  void (*pack_b)(const aoti_gemm_op *op, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float *dst);
  const float *b;
  int64_t ldb;
  int trans_b;
  const void *b_shape; /* pack_b's own description of B (conv.c: the aoti_conv_shape) */
  float *c;
  int64_t ldc;
  const aoti_epilogue *ep;
  const aoti_abi_threads *th;
  int split_n;  /* threads take NR-wide column ranges (else MR-high row ranges) */
  int a_panels; /* op->a holds A panels (see the top of this file): nothing to pack */
  int b_panels; /* op->b holds B panels; pack_b is unused */
};

/* Where a full MR x NR tile goes straight to C, without the tile buffer and aoti_finish_row: the
 * accumulators start at 0 (first K block) or at C (later blocks), and on the last block the
 * epilogue's terms are added and its activation applied in registers. */
typedef struct aoti_tile_io {
  float *c;              /* the tile's first element in C */
  int64_t ldc;
  int accumulate;        /* start from C (a later K block) */
  const float *bias_col; /* last block: NR biases of the tile's columns, or NULL */
  const float *bias_row; /* last block: MR biases of its rows, or NULL */
  const float *residual; /* last block: laid out as C, or NULL */
  int act;               /* last block: AOTI_ACT_* */
} aoti_tile_io;

/* The MR x NR tile of op(A) rows [pa..] times B rows [pb..] over kc steps. `rows` <= MR A rows
 * are used (a constant after inlining: the loops unroll and the accumulators live in registers);
 * A row r, step p is at pa[r * a_row + p * a_step], B step p at pb + p * b_step. Without io the
 * tile goes to `tile` (row-major MR x NR); with io (rows == MR) to C as io says. */
static inline __attribute__((always_inline)) void aoti_gemm_kernel(int rows, int64_t kc, const float *restrict pa,
                                                                   int64_t a_row, int64_t a_step,
                                                                   const float *restrict pb, int64_t b_step,
                                                                   float *restrict tile, const aoti_tile_io *io) {
  aoti_vf acc[AOTI_GEMM_MR][AOTI_GEMM_NV];
AOTI_UNROLL
  for (int r = 0; r < rows; ++r)
AOTI_UNROLL
    for (int v = 0; v < AOTI_GEMM_NV; ++v) {
      acc[r][v] = aoti_vsplat(0.0f);
      if (io && io->accumulate) acc[r][v] = aoti_vload(io->c + r * io->ldc + v * AOTI_VL);
    }
  for (int64_t p = 0; p < kc; ++p) {
    aoti_vf bv[AOTI_GEMM_NV];
AOTI_UNROLL
    for (int v = 0; v < AOTI_GEMM_NV; ++v) bv[v] = aoti_vload(pb + v * AOTI_VL);
AOTI_UNROLL
    for (int r = 0; r < rows; ++r) {
      const aoti_vf ar = aoti_vsplat(pa[r * a_row]);
AOTI_UNROLL
      for (int v = 0; v < AOTI_GEMM_NV; ++v) acc[r][v] = aoti_vfma(acc[r][v], ar, bv[v]);
    }
    pa += a_step;
    pb += b_step;
  }
  if (!io) {
AOTI_UNROLL
    for (int r = 0; r < rows; ++r)
AOTI_UNROLL
      for (int v = 0; v < AOTI_GEMM_NV; ++v) aoti_vstore(tile + r * AOTI_GEMM_NR + v * AOTI_VL, acc[r][v]);
    return;
  }
  for (int r = 0; r < rows; ++r) /* not unrolled: the epilogue is once per tile */
    for (int v = 0; v < AOTI_GEMM_NV; ++v) {
      aoti_vf x = acc[r][v];
      if (io->bias_row) x += io->bias_row[r];
      if (io->bias_col) x += aoti_vload(io->bias_col + v * AOTI_VL);
      if (io->residual) x += aoti_vload(io->residual + r * io->ldc + v * AOTI_VL);
      aoti_vstore(io->c + r * io->ldc + v * AOTI_VL, io->act ? aoti_vact(io->act, x) : x);
    }
}

/* The micro-kernel: the first `rows` rows of a packed A panel, one B panel whose rows are b_step
 * apart (packed: NR; read in place: ldb), into tile. One inlined kernel per row count, so a last
 * short panel (M = 128 leaves 2 of 14 rows) costs its rows, not MR. */
static __attribute__((noinline)) void aoti_gemm_micro(int rows, int64_t kc, const float *pa, const float *pb,
                                                      int64_t b_step, float *tile) {
#define AOTI_GEMM_ROWS_CASE(r) \
  case r: aoti_gemm_kernel(r < AOTI_GEMM_MR ? r : AOTI_GEMM_MR, kc, pa, 1, AOTI_GEMM_MR, pb, b_step, tile, NULL); break;
  switch (rows) {
    AOTI_GEMM_ROWS_CASE(1) AOTI_GEMM_ROWS_CASE(2) AOTI_GEMM_ROWS_CASE(3) AOTI_GEMM_ROWS_CASE(4)
    AOTI_GEMM_ROWS_CASE(5) AOTI_GEMM_ROWS_CASE(6) AOTI_GEMM_ROWS_CASE(7) AOTI_GEMM_ROWS_CASE(8)
    AOTI_GEMM_ROWS_CASE(9) AOTI_GEMM_ROWS_CASE(10) AOTI_GEMM_ROWS_CASE(11) AOTI_GEMM_ROWS_CASE(12)
    AOTI_GEMM_ROWS_CASE(13)
    default: aoti_gemm_kernel(AOTI_GEMM_MR, kc, pa, 1, AOTI_GEMM_MR, pb, b_step, tile, NULL); break;
  }
#undef AOTI_GEMM_ROWS_CASE
}
/* The same straight into C (a full tile, alpha 1, beta 0 or a later K block). */
static __attribute__((noinline)) void aoti_gemm_micro_c(int64_t kc, const float *pa, const float *pb, int64_t b_step,
                                                        const aoti_tile_io *io) {
  aoti_gemm_kernel(AOTI_GEMM_MR, kc, pa, 1, AOTI_GEMM_MR, pb, b_step, NULL, io);
}

/* The io of a full tile at C (row, col) in K block [pc, pc + kc) when it can skip the tile buffer
 * (alpha 1, and beta 0 unless a later block, which adds to C anyway); 0 otherwise. */
static inline int aoti_gemm_tile_io(const aoti_gemm_op *op, int64_t row, int64_t col, int64_t pc, int64_t kc,
                                    aoti_tile_io *io) {
  if (op->alpha != 1.0f || (pc == 0 && op->beta != 0.0f)) return 0;
  const aoti_epilogue *ep = pc + kc == op->k ? op->ep : NULL;
  *io = (aoti_tile_io){op->c + row * op->ldc + col, op->ldc, pc > 0, NULL, NULL, NULL, AOTI_ACT_NONE};
  if (!ep) return 1;
  if (ep->bias && ep->bias_per_row)
    io->bias_row = ep->bias + row;
  else if (ep->bias)
    io->bias_col = ep->bias + col;
  if (ep->residual) io->residual = ep->residual + row * op->ldc + col;
  io->act = ep->act;
  return 1;
}

/* Tile rows into C through the finish of ep's rows/columns (first K block: beta; later: 1). */
static void aoti_gemm_store(const aoti_gemm_op *op, const float *tile, int64_t row, int64_t rows, int64_t col,
                            int64_t cols, int first, int last) {
  for (int64_t r = 0; r < rows; ++r) {
    const aoti_row_finish f =
        aoti_row_finish_of(op->alpha, first ? op->beta : 1.0f, op->ep, last, row + r, col, op->ldc);
    aoti_finish_row(&f, cols, tile + r * AOTI_GEMM_NR, op->c + (row + r) * op->ldc + col);
  }
}

/* B packing for a matrix: op(B)(p, j) = trans_b ? b[j * ldb + p] : b[p * ldb + j]. */
static void aoti_gemm_pack_b_matrix(const aoti_gemm_op *op, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                                    float *dst) {
  for (int64_t jp = 0; jp < nc; jp += AOTI_GEMM_NR, dst += kc * AOTI_GEMM_NR) {
    const int64_t cols = nc - jp < AOTI_GEMM_NR ? nc - jp : AOTI_GEMM_NR;
    if (op->trans_b) {
      for (int64_t jj = 0; jj < AOTI_GEMM_NR; ++jj) {
        const float *src = op->b + (j0 + jp + jj) * op->ldb + k0;
        for (int64_t p = 0; p < kc; ++p) dst[p * AOTI_GEMM_NR + jj] = jj < cols ? src[p] : 0.0f;
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float *src = op->b + (k0 + p) * op->ldb + j0 + jp;
        float *d = dst + p * AOTI_GEMM_NR;
        for (int64_t jj = 0; jj < cols; ++jj) d[jj] = src[jj];
        for (int64_t jj = cols; jj < AOTI_GEMM_NR; ++jj) d[jj] = 0.0f;
      }
    }
  }
}

#if defined(__AVX512F__)
/* Columns [0, 16) of `rows` <= MR rows lda apart at src, transposed into 16 panel rows of MR at
 * dst (rows past `rows` zero): a 16 x 16 transpose in registers (unpack pairs of rows, then pairs
 * of pairs, then 128-bit lanes), instead of one scalar move per element. */
static inline void aoti_gemm_pack_a16(const float *src, int64_t lda, int64_t rows, float *dst) {
  __m512 r[16], t[16];
  for (int i = 0; i < 16; ++i) r[i] = i < rows ? _mm512_loadu_ps(src + i * lda) : _mm512_setzero_ps();
  for (int i = 0; i < 8; ++i) { /* lane L of t[2i]: rows 2i, 2i+1 of columns 4L, 4L+1 (hi: 4L+2, 4L+3) */
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) { /* lane L of r[4i + j]: rows 4i..4i+3 of column 4L + j */
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[4 * i]), _mm512_castps_pd(t[4 * i + 2])));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[4 * i]), _mm512_castps_pd(t[4 * i + 2])));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[4 * i + 1]), _mm512_castps_pd(t[4 * i + 3])));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[4 * i + 1]), _mm512_castps_pd(t[4 * i + 3])));
  }
  const __mmask16 mr = (__mmask16)((1u << AOTI_GEMM_MR) - 1u);
  for (int j = 0; j < 4; ++j) { /* column c gathers lane c / 4 of r[c % 4], r[4 + c % 4], ... */
    const __m512 u0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88), u1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
    const __m512 u2 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    const __m512 u3 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
    _mm512_mask_storeu_ps(dst + j * AOTI_GEMM_MR, mr, _mm512_shuffle_f32x4(u0, u2, 0x88));
    _mm512_mask_storeu_ps(dst + (j + 4) * AOTI_GEMM_MR, mr, _mm512_shuffle_f32x4(u1, u3, 0x88));
    _mm512_mask_storeu_ps(dst + (j + 8) * AOTI_GEMM_MR, mr, _mm512_shuffle_f32x4(u0, u2, 0xDD));
    _mm512_mask_storeu_ps(dst + (j + 12) * AOTI_GEMM_MR, mr, _mm512_shuffle_f32x4(u1, u3, 0xDD));
  }
}
#endif

/* Columns [0, kc) of `rows` <= MR rows lda apart at src as one kc x MR panel, rows past `rows` 0. */
static void aoti_gemm_pack_a_rows(const float *src, int64_t lda, int64_t rows, int64_t kc, float *dst) {
  int64_t p0 = 0;
#if defined(__AVX512F__)
  for (; p0 + 16 <= kc; p0 += 16) aoti_gemm_pack_a16(src + p0, lda, rows, dst + p0 * AOTI_GEMM_MR);
#endif
  for (int64_t r = 0; r < AOTI_GEMM_MR; ++r)
    for (int64_t p = p0; p < kc; ++p) dst[p * AOTI_GEMM_MR + r] = r < rows ? src[r * lda + p] : 0.0f;
}

/* op(A) rows [i0, i0 + mc) x columns [k0, k0 + kc) as MR-high panels, each kc x MR, zero past
 * the last row. */
static void aoti_gemm_pack_a(const aoti_gemm_op *op, int64_t i0, int64_t mc, int64_t k0, int64_t kc, float *dst) {
  for (int64_t ip = 0; ip < mc; ip += AOTI_GEMM_MR, dst += kc * AOTI_GEMM_MR) {
    const int64_t rows = mc - ip < AOTI_GEMM_MR ? mc - ip : AOTI_GEMM_MR;
    if (op->trans_a) {
      for (int64_t p = 0; p < kc; ++p) {
        const float *src = op->a + (k0 + p) * op->lda + i0 + ip;
        for (int64_t r = 0; r < AOTI_GEMM_MR; ++r) dst[p * AOTI_GEMM_MR + r] = r < rows ? src[r] : 0.0f;
      }
    } else {
      aoti_gemm_pack_a_rows(op->a + (i0 + ip) * op->lda + k0, op->lda, rows, kc, dst);
    }
  }
}

/* C rows [i0, i1) x columns [j0, j1) on one thread, packing into scratch. */
static void aoti_gemm_tiles(const aoti_gemm_op *op, float *scratch, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  float *pa = scratch, *pb = scratch + AOTI_GEMM_MC * AOTI_GEMM_KC;
  float tile[AOTI_GEMM_MR * AOTI_GEMM_NR] __attribute__((aligned(64)));
  /* At most MR rows use each B panel once: whole panels of an untransposed matrix are read in
   * place (packing would move as many bytes as the product reads); only a last narrow one is
   * packed, for its zero columns. */
  const int b_in_place = !op->b_panels && op->pack_b == aoti_gemm_pack_b_matrix && !op->trans_b &&
                         i1 - i0 <= AOTI_GEMM_MR;
  for (int64_t jc = j0; jc < j1; jc += AOTI_GEMM_NC) {
    const int64_t nc = j1 - jc < AOTI_GEMM_NC ? j1 - jc : AOTI_GEMM_NC;
    for (int64_t pc = 0; pc < op->k; pc += AOTI_GEMM_KC) {
      const int64_t kc = op->k - pc < AOTI_GEMM_KC ? op->k - pc : AOTI_GEMM_KC;
      if (!b_in_place && !op->b_panels) op->pack_b(op, pc, kc, jc, nc, pb);
      for (int64_t ic = i0; ic < i1; ic += AOTI_GEMM_MC) {
        const int64_t mc = i1 - ic < AOTI_GEMM_MC ? i1 - ic : AOTI_GEMM_MC;
        if (!op->a_panels) aoti_gemm_pack_a(op, ic, mc, pc, kc, pa);
        for (int64_t jr = 0; jr < nc; jr += AOTI_GEMM_NR) {
          const int64_t cols = nc - jr < AOTI_GEMM_NR ? nc - jr : AOTI_GEMM_NR;
          const float *panel = op->b_panels ? op->b + (jc + jr) * op->k + pc * AOTI_GEMM_NR : pb + jr * kc;
          int64_t b_step = AOTI_GEMM_NR;
          if (b_in_place && cols == AOTI_GEMM_NR) {
            panel = op->b + pc * op->ldb + jc + jr;
            b_step = op->ldb;
          } else if (b_in_place) {
            op->pack_b(op, pc, kc, jc + jr, cols, pb + jr * kc);
          }
          for (int64_t ir = 0; ir < mc; ir += AOTI_GEMM_MR) {
            const int64_t rows = mc - ir < AOTI_GEMM_MR ? mc - ir : AOTI_GEMM_MR;
            const float *a = op->a_panels ? op->a + (ic + ir) * op->k + pc * AOTI_GEMM_MR : pa + ir * kc;
            aoti_tile_io io;
            if (rows == AOTI_GEMM_MR && cols == AOTI_GEMM_NR && aoti_gemm_tile_io(op, ic + ir, jc + jr, pc, kc, &io)) {
              aoti_gemm_micro_c(kc, a, panel, b_step, &io);
              continue;
            }
            aoti_gemm_micro((int)rows, kc, a, panel, b_step, tile);
            aoti_gemm_store(op, tile, ic + ir, rows, jc + jr, cols, pc == 0, pc + kc == op->k);
          }
        }
      }
    }
  }
}

/* Skinny products (m <= AOTI_GEMM_SKINNY, A not transposed), columns [j0, j1): each element of
 * op(B) is used m times only, so it is read in place rather than packed. */
static void aoti_gemm_skinny_dots(const aoti_gemm_op *op, int64_t j, int64_t cols, float *tile) {
  for (int64_t jj = 0; jj < cols; ++jj)
    for (int64_t i = 0; i < op->m; ++i)
      tile[i * AOTI_GEMM_NR + jj] = aoti_vdot(op->k, op->a + i * op->lda, op->b + (j + jj) * op->ldb);
}
/* The last columns when op(B) is not transposed: fewer than NR, one strided dot each. */
static void aoti_gemm_skinny_tail(const aoti_gemm_op *op, int64_t j, int64_t cols, float *tile) {
  for (int64_t jj = 0; jj < cols; ++jj)
    for (int64_t i = 0; i < op->m; ++i) {
      const float *a = op->a + i * op->lda, *b = op->b + j + jj;
      float s = 0.0f;
      for (int64_t p = 0; p < op->k; ++p) s += a[p] * b[p * op->ldb];
      tile[i * AOTI_GEMM_NR + jj] = s;
    }
}
/* NR columns whose op(B) rows start at b, b_step apart (the matrix in place, or a B panel). */
static void aoti_gemm_skinny_rows(const aoti_gemm_op *op, const float *b, int64_t b_step, float *tile) {
  const float *a = op->a;
  switch (op->m) { /* one inlined kernel per row count, so its accumulators stay in registers */
    case 1: aoti_gemm_kernel(1, op->k, a, op->lda, 1, b, b_step, tile, NULL); break;
    case 2: aoti_gemm_kernel(2, op->k, a, op->lda, 1, b, b_step, tile, NULL); break;
    case 3: aoti_gemm_kernel(3, op->k, a, op->lda, 1, b, b_step, tile, NULL); break;
    default: aoti_gemm_kernel(4, op->k, a, op->lda, 1, b, b_step, tile, NULL); break;
  }
}
static void aoti_gemm_skinny(const aoti_gemm_op *op, int64_t j0, int64_t j1) {
  float tile[AOTI_GEMM_MR * AOTI_GEMM_NR] __attribute__((aligned(64)));
  for (int64_t j = j0; j < j1; j += AOTI_GEMM_NR) {
    const int64_t cols = j1 - j < AOTI_GEMM_NR ? j1 - j : AOTI_GEMM_NR;
    if (op->b_panels)
      aoti_gemm_skinny_rows(op, op->b + j * op->k, AOTI_GEMM_NR, tile);
    else if (op->trans_b)
      aoti_gemm_skinny_dots(op, j, cols, tile);
    else if (cols == AOTI_GEMM_NR)
      aoti_gemm_skinny_rows(op, op->b + j, op->ldb, tile);
    else
      aoti_gemm_skinny_tail(op, j, cols, tile);
    aoti_gemm_store(op, tile, 0, op->m, j, cols, 1, 1);
  }
}

static inline int aoti_gemm_is_skinny(const aoti_gemm_op *op) {
  return op->m <= AOTI_GEMM_SKINNY && !op->trans_a && !op->a_panels &&
         (op->b_panels || op->pack_b == aoti_gemm_pack_b_matrix);
}

/* C = beta * C then ep, when there is no product to add (k or alpha 0). */
static void aoti_gemm_scale(const aoti_gemm_op *op, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  float zeros[AOTI_GEMM_NR] = {0};
  for (int64_t i = i0; i < i1; ++i)
    for (int64_t j = j0; j < j1; j += AOTI_GEMM_NR) {
      const aoti_row_finish f = aoti_row_finish_of(0.0f, op->beta, op->ep, 1, i, j, op->ldc);
      aoti_finish_row(&f, j1 - j < AOTI_GEMM_NR ? j1 - j : AOTI_GEMM_NR, zeros, op->c + i * op->ldc + j);
    }
}

/* A matrix-vector product (one column of C, op(B) a contiguous vector: a linear layer with one
 * output), one dot product per row instead of tiles that would be NR times wider than C. */
static inline int aoti_gemm_is_gemv(const aoti_gemm_op *op) {
  return op->n == 1 && !op->trans_a && !op->a_panels && !op->b_panels && op->pack_b == aoti_gemm_pack_b_matrix &&
         (op->trans_b || op->ldb == 1);
}
static void aoti_gemm_gemv(const aoti_gemm_op *op, int64_t i0, int64_t i1) {
  float tile[AOTI_GEMM_MR * AOTI_GEMM_NR] __attribute__((aligned(64)));
  /* A contiguous column (ldc 1) without per-row biases is finished MR values at a time, as one
   * row, rather than one call per element: the column's bias is the same for every row. */
  const int as_row = op->ldc == 1 && !(op->ep && op->ep->bias && op->ep->bias_per_row);
  for (int64_t i = i0; i < i1; i += AOTI_GEMM_MR) {
    const int64_t rows = i1 - i < AOTI_GEMM_MR ? i1 - i : AOTI_GEMM_MR;
    const int64_t step = as_row ? 1 : AOTI_GEMM_NR;
    for (int64_t r = 0; r < rows; ++r) tile[r * step] = aoti_vdot(op->k, op->a + (i + r) * op->lda, op->b);
    if (!as_row) {
      aoti_gemm_store(op, tile, i, rows, 0, 1, 1, 1);
      continue;
    }
    aoti_row_finish f = aoti_row_finish_of(op->alpha, op->beta, op->ep, 1, i, 0, 1);
    if (f.bias_col) {
      f.has_bias_row = 1;
      f.bias_row = f.bias_col[0];
      f.bias_col = NULL;
    }
    aoti_finish_row(&f, rows, tile, op->c + i);
  }
}

/* C rows [i0, i1) x columns [j0, j1) of op on one thread. */
static void aoti_gemm_block(const aoti_gemm_op *op, void *scratch, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if (i0 >= i1 || j0 >= j1) return;
  if (op->k == 0 || op->alpha == 0.0f)
    aoti_gemm_scale(op, i0, i1, j0, j1);
  else if (aoti_gemm_is_gemv(op))
    aoti_gemm_gemv(op, i0, i1);
  else if (aoti_gemm_is_skinny(op))
    aoti_gemm_skinny(op, j0, j1);
  else
    aoti_gemm_tiles(op, (float *)scratch, i0, i1, j0, j1);
}

/* Thread `thread`'s share: NR-wide column units or MR-high row units [begin, end). */
static void aoti_gemm_task(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_gemm_op *op = (const aoti_gemm_op *)task;
  void *scratch = (char *)op->th->scratch + (uint64_t)thread * op->th->scratch_stride;
  if (op->split_n) {
    const int64_t j1 = end * AOTI_GEMM_NR < op->n ? end * AOTI_GEMM_NR : op->n;
    aoti_gemm_block(op, scratch, 0, op->m, begin * AOTI_GEMM_NR, j1);
  } else {
    const int64_t i1 = end * AOTI_GEMM_MR < op->m ? end * AOTI_GEMM_MR : op->m;
    aoti_gemm_block(op, scratch, begin * AOTI_GEMM_MR, i1, 0, op->n);
  }
}

/* Runs op over th: small products on the calling thread; otherwise tiles of C split along the
 * longer side, so the operand each thread packs again in full is the smaller one. */
static void aoti_gemm_run(const aoti_abi_threads *th, aoti_gemm_op *op) {
  op->th = th;
  const double work = (double)op->m * (double)op->n * (double)(op->k + 1);
  if (th->count <= 1 || work < AOTI_GEMM_MIN_SPLIT) {
    aoti_gemm_block(op, th->scratch, 0, op->m, 0, op->n);
    return;
  }
  op->split_n = op->n >= op->m || aoti_gemm_is_skinny(op);
  const int64_t units = op->split_n ? (op->n + AOTI_GEMM_NR - 1) / AOTI_GEMM_NR : (op->m + AOTI_GEMM_MR - 1) / AOTI_GEMM_MR;
  th->parallel_for(th->ctx, units, aoti_gemm_task, op);
}

static inline aoti_gemm_op aoti_gemm_matrix_op(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                               const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                                               float *c, int64_t ldc, const aoti_epilogue *ep) {
  const aoti_gemm_op op = {m,  n,   k,  alpha, beta, a,    lda, trans_a, aoti_gemm_pack_b_matrix,
                           b,  ldb, trans_b, NULL, c, ldc, ep,  NULL,    0, 0, 0};
  return op;
}

/* The whole product on the calling thread, packing into `scratch` (AOTI_GEMM_THREAD_SCRATCH
 * bytes of the thread's aoti_abi_threads scratch), for kernels that split work themselves. */
static inline void aoti_sgemm_1t_ep(void *scratch, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                                    float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                                    float *c, int64_t ldc, const aoti_epilogue *ep) {
  const aoti_gemm_op op = aoti_gemm_matrix_op(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
  aoti_gemm_block(&op, scratch, 0, m, 0, n);
}

static inline void aoti_sgemm_1t(void *scratch, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                 const float *a, int64_t lda, const float *b, int64_t ldb, float beta, float *c,
                                 int64_t ldc) {
  aoti_sgemm_1t_ep(scratch, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL);
}

/* The product split over th's threads. */
AOTI_KERNEL_API void aoti_sgemm_ep(const aoti_abi_threads *th, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                                 float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                                 float *c, int64_t ldc, const aoti_epilogue *ep) {
  aoti_gemm_op op = aoti_gemm_matrix_op(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep);
  aoti_gemm_run(th, &op);
}

static inline void aoti_sgemm(const aoti_abi_threads *th, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                              float alpha, const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                              float *c, int64_t ldc) {
  aoti_sgemm_ep(th, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL);
}

/* The product with op(B) given as B panels (a weight the compiler packed: see the top of this
 * file), A untransposed, split over th's threads. */
AOTI_KERNEL_API void aoti_sgemm_panels_ep(const aoti_abi_threads *th, int64_t m, int64_t n, int64_t k, float alpha,
                                        const float *a, int64_t lda, const float *b_panels, float beta, float *c,
                                        int64_t ldc, const aoti_epilogue *ep) {
  aoti_gemm_op op = aoti_gemm_matrix_op(0, 0, m, n, k, alpha, a, lda, b_panels, 0, beta, c, ldc, ep);
  op.b_panels = 1;
  aoti_gemm_run(th, &op);
}
