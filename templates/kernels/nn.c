/* nn.c — the nn family's kernels (templates/kernels, embedded into aotic and pasted into each
 * model source that uses them, after gemm.c): layer norm, softmax / log-softmax, batched matmul
 * and fused scaled-dot-product attention. All tensors are contiguous row-major float32. Never
 * allocate; reentrant. `static inline` because a model carries the whole file and may use only
 * some of these (no unused-function warnings).
 */

/* Row-wise kernels (layer norm, softmax) split their rows over the run's threads once a call has
 * this many elements: below it the hand-off costs more than the rows. */
#define AOTI_NN_MIN_SPLIT 16384

/* Row sums run in float vectors over chunks of this many elements, each chunk's total added into
 * a double: the vector speed, and long rows keep float precision (a plain float vector sum of 10^5
 * softmax terms drifts past 10^-6 relative; test_kernels.cc checks such rows). */
#define AOTI_NN_CHUNK 256

/* The largest of v[0..n) as `>` sees it (NaNs skipped); -inf when n is 0. */
static inline float aoti_nn_max(const float *v, int64_t n) {
  aoti_vf acc = aoti_vsplat(-INFINITY);
  int64_t j = 0;
  for (; j + AOTI_VL <= n; j += AOTI_VL) {
    const aoti_vf x = aoti_vload(v + j);
    acc = aoti_vselect(x > acc, x, acc);
  }
  float max = -INFINITY;
  for (int i = 0; i < AOTI_VL; ++i) max = acc[i] > max ? acc[i] : max;
  for (; j < n; ++j) max = v[j] > max ? v[j] : max;
  return max;
}

/* e^(x - max) lane by lane, exactly 0 where x is -inf (a masked value), also when max is -inf
 * (nothing attended yet), where x - max would be NaN. */
static inline aoti_vf aoti_nn_vexp_minus(aoti_vf x, float max) {
  return aoti_vselect(x == aoti_vsplat(-INFINITY), aoti_vsplat(0.0f), aoti_vexp(x - max));
}

/* sum over j < n of e^(x[j] - max), each term also stored in y[j] unless y is NULL (y may be x). */
static inline double aoti_nn_exp_sum(const float *x, float *y, int64_t n, float max) {
  double sum = 0.0;
  int64_t j = 0;
  while (j + AOTI_VL <= n) {
    const int64_t end = n - j > AOTI_NN_CHUNK ? j + AOTI_NN_CHUNK : n;
    aoti_vf acc = aoti_vsplat(0.0f);
    for (; j + AOTI_VL <= end; j += AOTI_VL) {
      const aoti_vf e = aoti_nn_vexp_minus(aoti_vload(x + j), max);
      if (y) aoti_vstore(y + j, e);
      acc += e;
    }
    sum += aoti_vsum(acc);
  }
  if (j < n) {
    const aoti_vf e = aoti_nn_vexp_minus(aoti_vload_n(x + j, n - j), max);
    if (y) aoti_vstore_n(y + j, e, n - j);
    for (int64_t i = 0; i < n - j; ++i) sum += e[i];
  }
  return sum;
}

/* sum over j < n of (v[j] - center), or of its square when `squared`. */
static inline double aoti_nn_sum_dev(const float *v, int64_t n, float center, int squared) {
  double sum = 0.0;
  int64_t j = 0;
  while (j + AOTI_VL <= n) {
    const int64_t end = n - j > AOTI_NN_CHUNK ? j + AOTI_NN_CHUNK : n;
    aoti_vf acc = aoti_vsplat(0.0f);
    for (; j + AOTI_VL <= end; j += AOTI_VL) {
      const aoti_vf d = aoti_vload(v + j) - center;
      acc += squared ? d * d : d;
    }
    sum += aoti_vsum(acc);
  }
  for (; j < n; ++j) {
    const float d = v[j] - center;
    sum += squared ? d * d : d;
  }
  return sum;
}

/* The first `lanes` (1..AOTI_VL) floats at p, the others 0; and the store of as many. */
static inline aoti_vf aoti_nn_load(const float *p, int64_t lanes) {
  return lanes == AOTI_VL ? aoti_vload(p) : aoti_vload_n(p, lanes);
}
static inline void aoti_nn_store(float *p, aoti_vf v, int64_t lanes) {
  if (lanes == AOTI_VL)
    aoti_vstore(p, v);
  else
    aoti_vstore_n(p, v, lanes);
}

/* y[j] = x[j] * scale - shift for j < n (y may be x). */
static inline void aoti_nn_scale_shift(const float *x, float *y, int64_t n, float scale, float shift) {
  for (int64_t j = 0; j < n; j += AOTI_VL) {
    const int64_t lanes = n - j < AOTI_VL ? n - j : AOTI_VL;
    aoti_nn_store(y + j, aoti_nn_load(x + j, lanes) * scale - shift, lanes);
  }
}

typedef struct aoti_layer_norm_task {
  int64_t inner;
  const float *x, *w, *b;
  float eps;
  float *out, *mean_out, *rstd_out;
} aoti_layer_norm_task;

/* y = (x - mean) * rstd, then * w and + b where given, over one row. */
static inline void aoti_layer_norm_row(const aoti_layer_norm_task *t, const float *x, float *y, float mean,
                                       float rstd) {
  const int64_t n = t->inner;
  for (int64_t j = 0; j < n; j += AOTI_VL) {
    const int64_t lanes = n - j < AOTI_VL ? n - j : AOTI_VL;
    aoti_vf v = (aoti_nn_load(x + j, lanes) - mean) * rstd;
    if (t->w) v *= aoti_nn_load(t->w + j, lanes);
    if (t->b) v += aoti_nn_load(t->b + j, lanes);
    aoti_nn_store(y + j, v, lanes);
  }
}

static inline void aoti_layer_norm_rows(void *task, int32_t thread, int64_t r0, int64_t r1) {
  const aoti_layer_norm_task *t = (const aoti_layer_norm_task *)task;
  const int64_t inner = t->inner;
  (void)thread;
  for (int64_t r = r0; r < r1; ++r) {
    const float *xr = t->x + r * inner;
    const double mean = inner > 0 ? aoti_nn_sum_dev(xr, inner, 0.0f, 0) / (double)inner : 0.0;
    const float m = (float)mean;
    const double var = inner > 0 ? aoti_nn_sum_dev(xr, inner, m, 1) / (double)inner : 0.0;
    const float rstd = (float)(1.0 / sqrt(var + (double)t->eps));
    aoti_layer_norm_row(t, xr, t->out + r * inner, m, rstd);
    if (t->mean_out) t->mean_out[r] = m;
    if (t->rstd_out) t->rstd_out[r] = rstd;
  }
}

/* Layer norm of `outer` rows of `inner` elements: out = (x - mean) * rstd * w + b, with the biased
 * variance and rstd = 1 / sqrt(var + eps) as PyTorch computes them. Two passes per row (the mean,
 * then the squared deviations from it), summed as AOTI_NN_CHUNK describes. `w`, `b`, `mean_out`,
 * `rstd_out` may be NULL. Rows are split over `th`. */
AOTI_KERNEL_API void aoti_layer_norm(const aoti_abi_threads *th, int64_t outer, int64_t inner, const float *x,
                                   const float *w, const float *b, float eps, float *out, float *mean_out,
                                   float *rstd_out) {
  aoti_layer_norm_task t = {inner, x, w, b, eps, out, mean_out, rstd_out};
  if (outer * inner < AOTI_NN_MIN_SPLIT)
    aoti_layer_norm_rows(&t, 0, 0, outer);
  else
    th->parallel_for(th->ctx, outer, aoti_layer_norm_rows, &t);
}

typedef struct aoti_softmax_task {
  int64_t n, inner;
  const float *x;
  float *out;
  int is_log;
} aoti_softmax_task;

/* Softmax (or log-softmax) of one contiguous row of n values, in vectors. Masked values (-inf)
 * give exactly 0 (log: -inf); a row of only -inf gives NaN, as in PyTorch. x and y may be the
 * same. */
static inline void aoti_softmax_row(const float *x, float *y, int64_t n, int is_log) {
  const float max = aoti_nn_max(x, n);
  if (is_log) {
    const double sum = aoti_nn_exp_sum(x, NULL, n, max);
    aoti_nn_scale_shift(x, y, n, 1.0f, max + (float)log(sum));
  } else {
    const double sum = aoti_nn_exp_sum(x, y, n, max);
    aoti_nn_scale_shift(y, y, n, (float)(1.0 / sum), 0.0f);
  }
}

/* Softmax of one slice whose n values are `inner` apart, scalar. */
static inline void aoti_softmax_strided(const float *xs, float *ys, int64_t n, int64_t inner, int is_log) {
  float max = -INFINITY;
  for (int64_t j = 0; j < n; ++j) max = xs[j * inner] > max ? xs[j * inner] : max;
  if (n > 0 && max == -INFINITY) max = xs[0]; /* all -inf: -inf - -inf makes the NaNs */
  double sum = 0.0;
  for (int64_t j = 0; j < n; ++j) {
    const float e = expf(xs[j * inner] - max);
    sum += e;
    if (!is_log) ys[j * inner] = e;
  }
  if (is_log) {
    const float shift = max + (float)log(sum);
    for (int64_t j = 0; j < n; ++j) ys[j * inner] = xs[j * inner] - shift;
  } else {
    const float scale = (float)(1.0 / sum);
    for (int64_t j = 0; j < n; ++j) ys[j * inner] *= scale;
  }
}

/* Slices [s0, s1) of the outer x inner slices, each n values `inner` apart. */
static inline void aoti_softmax_slices(void *task, int32_t thread, int64_t s0, int64_t s1) {
  const aoti_softmax_task *t = (const aoti_softmax_task *)task;
  const int64_t n = t->n, inner = t->inner;
  (void)thread;
  for (int64_t s = s0; s < s1; ++s) {
    const int64_t o = s / inner, i = s % inner;
    if (inner == 1)
      aoti_softmax_row(t->x + o * n, t->out + o * n, n, t->is_log);
    else
      aoti_softmax_strided(t->x + o * n * inner + i, t->out + o * n * inner + i, n, inner, t->is_log);
  }
}

/* Softmax (or log-softmax) over the middle dim of [outer, n, inner]: the max is subtracted first,
 * so large values do not overflow; a slice that is all -inf gives NaN, as in PyTorch. Over the
 * last dim (inner 1) rows run in vectors, other slices are scalar. Slices are split over `th`. */
AOTI_KERNEL_API void aoti_softmax(const aoti_abi_threads *th, int64_t outer, int64_t n, int64_t inner, const float *x,
                                float *out, int is_log) {
  aoti_softmax_task t = {n, inner, x, out, is_log};
  if (outer * n * inner < AOTI_NN_MIN_SPLIT)
    aoti_softmax_slices(&t, 0, 0, outer * inner);
  else
    th->parallel_for(th->ctx, outer * inner, aoti_softmax_slices, &t);
}
/* c[i] = beta * c[i] + alpha * a[i] @ b[i] for i < batch: a [batch, m, k], b [batch, k, n],
 * c [batch, m, n] (beta 0: c is only written). With at least as many products as threads, each
 * thread takes whole products (aoti_sgemm_1t in its own scratch); otherwise each product is split
 * over the threads. */
typedef struct aoti_bmm_task {
  const aoti_abi_threads *th;
  int64_t m, n, k;
  float alpha, beta;
  const float *a, *b;
  float *c;
} aoti_bmm_task;

static void aoti_bmm_run(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_bmm_task *t = (const aoti_bmm_task *)task;
  void *scratch = (char *)t->th->scratch + (uint64_t)thread * t->th->scratch_stride;
  for (int64_t i = begin; i < end; ++i)
    aoti_sgemm_1t(scratch, 0, 0, t->m, t->n, t->k, t->alpha, t->a + i * t->m * t->k, t->k, t->b + i * t->k * t->n,
                  t->n, t->beta, t->c + i * t->m * t->n, t->n);
}

AOTI_KERNEL_API void aoti_bmm(const aoti_abi_threads *th, int64_t batch, int64_t m, int64_t n, int64_t k, float alpha,
                            const float *a, const float *b, float beta, float *c) {
  aoti_bmm_task task = {th, m, n, k, alpha, beta, a, b, c};
  if (th->count > 1 && batch >= th->count) {
    th->parallel_for(th->ctx, batch, aoti_bmm_run, &task);
    return;
  }
  for (int64_t i = 0; i < batch; ++i)
    aoti_sgemm(th, 0, 0, m, n, k, alpha, a + i * m * k, k, b + i * k * n, n, beta, c + i * m * n, n);
}

/* The mask kinds, AOTI_NN_BQ x AOTI_NN_BK attention blocks and the scratch are in kernels.h. */
typedef struct aoti_attention_task {
  const aoti_abi_threads *th;
  int32_t num_batch;
  const int64_t *batch;
  int64_t l_len, s_len, e_len, ev_len, q_blocks;
  float scale;
  const float *q, *k, *v;
  int mask_kind;
  const void *mask;
  const int64_t *mask_bstride;
  int64_t mask_lstride, mask_sstride;
  int causal;
  float *out;
} aoti_attention_task;

/* bool mask bytes of one vector of scores */
typedef unsigned char aoti_nn_vbool __attribute__((vector_size(AOTI_VL)));

/* The mask of n scores of one row, read from element `at` on: added (float) or -inf where false
 * (bool). */
static inline void aoti_attention_mask_row(const aoti_attention_task *t, int64_t at, float *s, int64_t n) {
  const int64_t step = t->mask_sstride;
  int64_t j = 0;
  if (t->mask_kind == AOTI_MASK_FLOAT) {
    const float *m = (const float *)t->mask + at;
    if (step == 1)
      for (; j + AOTI_VL <= n; j += AOTI_VL) aoti_vstore(s + j, aoti_vload(s + j) + aoti_vload(m + j));
    for (; j < n; ++j) s[j] += m[j * step];
  } else if (t->mask_kind == AOTI_MASK_BOOL) {
    const _Bool *m = (const _Bool *)t->mask + at;
    if (step == 1)
      for (; j + AOTI_VL <= n; j += AOTI_VL) {
        aoti_nn_vbool keep;
        memcpy(&keep, m + j, sizeof keep);
        const aoti_vi attends = __builtin_convertvector(keep, aoti_vi) != 0;
        aoti_vstore(s + j, aoti_vselect(attends, aoti_vload(s + j), aoti_vsplat(-INFINITY)));
      }
    for (; j < n; ++j)
      if (!m[j * step]) s[j] = -INFINITY;
  }
}

/* How many of a block's n keys its `rows` query rows need, their bool mask read from element `at`
 * on: one past the last key any of them attends (0: none). Keys past it need no scores, so a
 * causal mask given as a bool tensor skips the upper triangle's work as `causal` does. */
static int64_t aoti_attention_bool_extent(const aoti_attention_task *t, int64_t at, int64_t rows, int64_t n) {
  const _Bool *m = (const _Bool *)t->mask + at;
  int64_t extent = 0;
  for (int64_t r = 0; r < rows && extent < n; ++r)
    for (int64_t j = n - 1; j >= extent; --j)
      if (m[r * t->mask_lstride + j * t->mask_sstride]) {
        extent = j + 1;
        break;
      }
  return extent;
}

/* One row of a score block becomes its probabilities e^(s - max) (0 where nothing is attended
 * yet), with the online softmax's running max and sum: when the max grows, the sum and the output
 * row accumulated so far shrink by e^(old max - new max). */
static inline void aoti_attention_online_row(float *s, int64_t n, float *max, double *sum, float *o, int64_t ev_len) {
  const float block_max = aoti_nn_max(s, n);
  if (block_max > *max) {
    if (*sum != 0.0) { /* else o is still 0 */
      const float shrink = expf(*max - block_max);
      *sum *= shrink;
      aoti_nn_scale_shift(o, o, ev_len, shrink, 0.0f);
    }
    *max = block_max;
  }
  if (*max == -INFINITY)
    memset(s, 0, (size_t)n * sizeof *s);
  else
    *sum += aoti_nn_exp_sum(s, s, n, *max);
}

/* Query rows [i0, i0 + rows) of batch entry bi: for each block of keys, the scores
 * S = scale * Q K^T (+ mask, causal limit) by a GEMM, their online softmax row by row, and
 * O += P V by a GEMM; O is divided by the sums at the end. */
static void aoti_attention_block(const aoti_attention_task *t, void *scratch, int64_t bi, int64_t i0, int64_t rows) {
  const int64_t e_len = t->e_len, ev_len = t->ev_len;
  float *s = (float *)((char *)scratch + AOTI_GEMM_THREAD_SCRATCH);
  const float *q = t->q + (bi * t->l_len + i0) * e_len;
  const float *kb = t->k + bi * t->s_len * e_len, *vb = t->v + bi * t->s_len * ev_len;
  float *o = t->out + (bi * t->l_len + i0) * ev_len;
  int64_t mask_at = i0 * t->mask_lstride;
  for (int64_t rest = bi, d = t->num_batch - 1; d >= 0; --d) {
    mask_at += (rest % t->batch[d]) * t->mask_bstride[d];
    rest /= t->batch[d];
  }
  float max[AOTI_NN_BQ];
  double sum[AOTI_NN_BQ];
  for (int64_t r = 0; r < rows; ++r) {
    max[r] = -INFINITY;
    sum[r] = 0.0;
  }
  memset(o, 0, (size_t)(rows * ev_len) * sizeof *o);
  /* causal: query i attends keys j <= i, so the block's last row bounds the keys */
  const int64_t keys = t->causal && i0 + rows < t->s_len ? i0 + rows : t->s_len;
  for (int64_t j0 = 0; j0 < keys; j0 += AOTI_NN_BK) {
    int64_t n = keys - j0 < AOTI_NN_BK ? keys - j0 : AOTI_NN_BK;
    if (t->mask_kind == AOTI_MASK_BOOL) n = aoti_attention_bool_extent(t, mask_at + j0 * t->mask_sstride, rows, n);
    if (n == 0) continue;
    aoti_sgemm_1t(scratch, 0, 1, rows, n, e_len, t->scale, q, e_len, kb + j0 * e_len, e_len, 0.0f, s, AOTI_NN_BK);
    for (int64_t r = 0; r < rows; ++r) {
      float *sr = s + r * AOTI_NN_BK;
      aoti_attention_mask_row(t, mask_at + r * t->mask_lstride + j0 * t->mask_sstride, sr, n);
      if (t->causal) { /* keys j > i */
        const int64_t first_masked = i0 + r + 1 - j0;
        for (int64_t j = first_masked > 0 ? first_masked : 0; j < n; ++j) sr[j] = -INFINITY;
      }
      aoti_attention_online_row(sr, n, &max[r], &sum[r], o + r * ev_len, ev_len);
    }
    aoti_sgemm_1t(scratch, 0, 0, rows, ev_len, n, 1.0f, s, AOTI_NN_BK, vb + j0 * ev_len, ev_len, 1.0f, o, ev_len);
  }
  for (int64_t r = 0; r < rows; ++r)
    aoti_nn_scale_shift(o + r * ev_len, o + r * ev_len, ev_len, sum[r] > 0.0 ? (float)(1.0 / sum[r]) : 0.0f, 0.0f);
}

/* Units [begin, end) of the (batch entry, query block) grid. */
static void aoti_attention_units(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_attention_task *t = (const aoti_attention_task *)task;
  void *scratch = (char *)t->th->scratch + (uint64_t)thread * t->th->scratch_stride;
  for (int64_t u = begin; u < end; ++u) {
    const int64_t i0 = (u % t->q_blocks) * AOTI_NN_BQ;
    aoti_attention_block(t, scratch, u / t->q_blocks, i0, t->l_len - i0 < AOTI_NN_BQ ? t->l_len - i0 : AOTI_NN_BQ);
  }
}

/* Scaled dot-product attention, fused: out[b, i] = softmax_j(scale * q[b, i] . k[b, j] + mask) @ v[b].
 * q [B, L, E], k [B, S, E], v [B, S, Ev], out [B, L, Ev]; the batch is `num_batch` dims of sizes
 * `batch`, flattened. The mask (if any) is read at mask[sum batch_i * mask_bstride[i] + l *
 * mask_lstride + s * mask_sstride] (broadcast strides may be 0). `causal` lets query i attend keys
 * j <= i only (torch's top-left aligned tril). Blocked as flash attention (Dao et al.,
 * "FlashAttention", NeurIPS 2022): per block of query rows, blocks of keys through two GEMMs and an
 * online softmax (aoti_attention_block), so only BQ x BK scores exist at a time. A row with no
 * attended key gives zeros, as PyTorch's safe softmax does. The (batch entry, query block) units
 * are split over the threads, each in its own scratch (AOTI_NN_THREAD_SCRATCH). */
AOTI_KERNEL_API void aoti_attention(const aoti_abi_threads *th, int32_t num_batch, const int64_t *batch, int64_t l_len, int64_t s_len, int64_t e_len,
                                  int64_t ev_len, float scale, const float *q, const float *k, const float *v,
                                  int mask_kind, const void *mask, const int64_t *mask_bstride, int64_t mask_lstride,
                                  int64_t mask_sstride, int causal, float *out) {
  int64_t total = 1;
  for (int32_t d = 0; d < num_batch; ++d) total *= batch[d];
  const int64_t q_blocks = (l_len + AOTI_NN_BQ - 1) / AOTI_NN_BQ;
  aoti_attention_task task = {th,   num_batch, batch,        l_len,        s_len,        e_len,  ev_len, q_blocks,
                              scale, q,        k,            v,            mask_kind,    mask,   mask_bstride,
                              mask_lstride,    mask_sstride, causal,       out};
  if (th->count <= 1)
    aoti_attention_units(&task, 0, 0, total * q_blocks);
  else
    th->parallel_for(th->ctx, total * q_blocks, aoti_attention_units, &task);
}
