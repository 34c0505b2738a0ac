/* kernels.h — what generated model code sees of the kernel files of templates/kernels: the target's
 * GEMM tile, the epilogue and shape structs the emitters fill in, each kernel file's per-thread
 * scratch need, and the entry points the emitters call.
 *
 * A model's library is two objects: the model's own source (the ABI headers, math.c, this header,
 * the generated nodes) and the kernels (this header then every kernel file, in the order of
 * compiler/codegen's CG_KERNEL_* enum), which aotic compiles once per compiler, flags and target
 * and keeps in its kernel cache (compiler/build). The entry points have hidden visibility: linked
 * into the model's library, never exported from it. The macros below follow the target (the
 * compiler's predefined __AVX512F__, __AVX2__, __FMA__), so both objects must be built with the
 * same flags; aotic reads the tile from this header with the model's own compiler and flags.
 *
 *     aoti_epilogue ep = {bias, 0, NULL, AOTI_ACT_RELU};
 *     aoti_sgemm_panels_ep(threads, m, n, k, 1.0f, x, k, w_panels, 0.0f, y, n, &ep);
 */

/* (Tests that build one copy of the kernels per vector path define it as `static inline` first.) */
#ifndef AOTI_KERNEL_API
#if defined(__GNUC__)
#define AOTI_KERNEL_API __attribute__((visibility("hidden")))
#else
#define AOTI_KERNEL_API
#endif
#endif

/* ---- gemm.c: the tile of the target's vector path --------------------------------------------- */
#if defined(__AVX512F__)
#define AOTI_VL 16       /* floats per vector */
#define AOTI_GEMM_MR 14  /* rows of a C tile: 28 accumulators + 2 B vectors + 1 A broadcast of 32 zmm */
#define AOTI_GEMM_MC 168 /* rows of a packed A block (12 panels): MC x KC fits L2 */
#elif defined(__AVX2__) && defined(__FMA__)
#define AOTI_VL 8        /* floats per vector */
#define AOTI_GEMM_MR 6   /* 12 accumulators + 2 B vectors + 1 A broadcast of 16 ymm */
#define AOTI_GEMM_MC 144 /* 24 panels */
#else
#define AOTI_VL 4 /* floats per vector */
#define AOTI_GEMM_MR 4
#define AOTI_GEMM_MC 128 /* 32 panels */
#endif
#define AOTI_GEMM_NV 2                        /* vectors per tile row */
#define AOTI_GEMM_NR (AOTI_VL * AOTI_GEMM_NV) /* columns of a C tile */
#define AOTI_GEMM_KC 256                      /* depth of a block: a KC x NR B panel fits L1 */
#define AOTI_GEMM_NC 1024                     /* columns of a packed B block */
/* bytes of aoti_abi_threads scratch each thread uses: the packed A block and B block */
#define AOTI_GEMM_THREAD_SCRATCH ((AOTI_GEMM_MC * AOTI_GEMM_KC + AOTI_GEMM_KC * AOTI_GEMM_NC) * 4)

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

/* C = ep(beta * C + alpha * op(A) * op(B)), split over th's threads (gemm.c has the details). */
AOTI_KERNEL_API void aoti_sgemm_ep(const aoti_abi_threads *th, int trans_a, int trans_b, int64_t m, int64_t n,
                                   int64_t k, float alpha, const float *a, int64_t lda, const float *b, int64_t ldb,
                                   float beta, float *c, int64_t ldc, const aoti_epilogue *ep);
/* The same with op(B) given as B panels (a weight the compiler packed), A untransposed. */
AOTI_KERNEL_API void aoti_sgemm_panels_ep(const aoti_abi_threads *th, int64_t m, int64_t n, int64_t k, float alpha,
                                          const float *a, int64_t lda, const float *b_panels, float beta, float *c,
                                          int64_t ldc, const aoti_epilogue *ep);

/* ---- copy.c, shape.c ------------------------------------------------------------------------ */
AOTI_KERNEL_API void aoti_copy(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                               const int64_t *strides, void *dst);
AOTI_KERNEL_API void aoti_copy_strided(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                                       const int64_t *src_strides, void *dst, const int64_t *dst_strides);
AOTI_KERNEL_API void aoti_index_rows(size_t elem, int64_t outer, int64_t count, const int64_t *idx, int64_t size,
                                     int64_t inner, const void *src, void *dst);
AOTI_KERNEL_API void aoti_gather(size_t elem, int32_t rank, const int64_t *sizes, int32_t dim, const int64_t *idx,
                                 int64_t dim_size, const void *src, const int64_t *src_strides, void *dst);
AOTI_KERNEL_API void aoti_index(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                                const int64_t *strides, int32_t num_idx, const int64_t *const *idx,
                                const int64_t *idx_strides, const int64_t *idx_size, const int64_t *idx_step,
                                void *dst);

/* ---- conv.c, winograd.c, pool.c ------------------------------------------------------------- */
typedef struct aoti_conv_shape {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
  int64_t groups;
} aoti_conv_shape;
#define AOTI_CONV_DIRECT_THREAD_SCRATCH 262144 /* bytes of aoti_abi_threads scratch a band may take */

AOTI_KERNEL_API void aoti_conv2d(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *w,
                                 const aoti_epilogue *ep, float *out);
AOTI_KERNEL_API void aoti_conv2d_panels(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x,
                                        const float *w_panels, const aoti_epilogue *ep, float *out);
AOTI_KERNEL_API void aoti_batch_norm(int64_t batch, int64_t channels, int64_t inner, const float *x,
                                     const float *weight, const float *bias, const float *mean, const float *var,
                                     float eps, float *out);

#define AOTI_WINOGRAD_PANEL 32     /* output channels per panel of u (prepack.c writes it) */
#define AOTI_WINOGRAD_MAX_TILES 64 /* tiles per block, a multiple of AOTI_VL */
#define AOTI_WINOGRAD_MAX_IN 1024  /* input channels at most (prepack.c's eligibility) */
#define AOTI_WINOGRAD_V_TILE_CHANNELS 16384 /* V holds (tiles of a block) x in_channels <= this */
/* V's and M's 36 slices lie this many floats (a cache line) apart more than their size: slices
 * 4 KiB apart would all fall in the same L1 set while the transforms touch all 36 at once. */
#define AOTI_WINOGRAD_SKEW 16
#define AOTI_WINOGRAD_V_FLOATS (36 * (AOTI_WINOGRAD_V_TILE_CHANNELS + AOTI_WINOGRAD_SKEW))
#define AOTI_WINOGRAD_M_FLOATS (36 * (AOTI_WINOGRAD_MAX_TILES * AOTI_WINOGRAD_PANEL + AOTI_WINOGRAD_SKEW))
/* Scratch bytes per thread: V, then M of one panel. */
#define AOTI_WINOGRAD_THREAD_SCRATCH ((AOTI_WINOGRAD_V_FLOATS + AOTI_WINOGRAD_M_FLOATS) * 4)

AOTI_KERNEL_API void aoti_conv2d_winograd(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x,
                                          const float *u, const aoti_epilogue *ep, float *out);

typedef struct aoti_pool_shape {
  int64_t planes, in_h, in_w, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
} aoti_pool_shape;

AOTI_KERNEL_API void aoti_max_pool2d(const aoti_abi_threads *th, const aoti_pool_shape *p, const float *x, float *out,
                                     int64_t *indices);
AOTI_KERNEL_API void aoti_avg_pool2d(const aoti_abi_threads *th, const aoti_pool_shape *p, int count_include_pad,
                                     int64_t divisor, const float *x, float *out);
AOTI_KERNEL_API void aoti_adaptive_avg_pool2d(int64_t planes, int64_t in_h, int64_t in_w, int64_t out_h,
                                              int64_t out_w, const float *x, float *out);

/* ---- nn.c ------------------------------------------------------------------------------------ */
/* Where attention reads its mask: none, bool (true attends) or float (added to the scores). */
enum { AOTI_MASK_NONE = 0, AOTI_MASK_BOOL = 1, AOTI_MASK_FLOAT = 2 };

/* Attention works on blocks of AOTI_NN_BQ query rows (a multiple of the GEMM's MR, so the score
 * product has whole row tiles) by AOTI_NN_BK keys (one K block of the P V product). Each thread's
 * scratch holds the GEMM's packing space, then the BQ x BK scores of its block. */
#define AOTI_NN_BQ ((64 + AOTI_GEMM_MR - 1) / AOTI_GEMM_MR * AOTI_GEMM_MR)
#define AOTI_NN_BK 128
#define AOTI_NN_THREAD_SCRATCH (AOTI_GEMM_THREAD_SCRATCH + AOTI_NN_BQ * AOTI_NN_BK * 4)

AOTI_KERNEL_API void aoti_layer_norm(const aoti_abi_threads *th, int64_t outer, int64_t inner, const float *x,
                                     const float *w, const float *b, float eps, float *out, float *mean_out,
                                     float *rstd_out);
AOTI_KERNEL_API void aoti_softmax(const aoti_abi_threads *th, int64_t outer, int64_t n, int64_t inner, const float *x,
                                  float *out, int is_log);
AOTI_KERNEL_API void aoti_bmm(const aoti_abi_threads *th, int64_t batch, int64_t m, int64_t n, int64_t k, float alpha,
                              const float *a, const float *b, float beta, float *c);
AOTI_KERNEL_API void aoti_attention(const aoti_abi_threads *th, int32_t num_batch, const int64_t *batch,
                                    int64_t l_len, int64_t s_len, int64_t e_len, int64_t ev_len, float scale,
                                    const float *q, const float *k, const float *v, int mask_kind, const void *mask,
                                    const int64_t *mask_bstride, int64_t mask_lstride, int64_t mask_sstride,
                                    int causal, float *out);
