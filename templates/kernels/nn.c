/* nn.c — the nn family's kernels (templates/kernels, embedded into aotic and pasted into each
 * model source that uses them, after gemm.c): layer norm, softmax / log-softmax, batched matmul
 * and fused scaled-dot-product attention. All tensors are contiguous row-major float32. Never
 * allocate; reentrant. `static inline` because a model carries the whole file and may use only
 * some of these (no unused-function warnings).
 */

/* Row-wise kernels (layer norm, softmax) split their rows over the run's threads once a call has
 * this many elements: below it the hand-off costs more than the rows. */
#define AOTI_NN_MIN_SPLIT 16384

typedef struct aoti_layer_norm_task {
  int64_t inner;
  const float *x, *w, *b;
  float eps;
  float *out, *mean_out, *rstd_out;
} aoti_layer_norm_task;

static inline void aoti_layer_norm_rows(void *task, int32_t thread, int64_t r0, int64_t r1) {
  const aoti_layer_norm_task *t = (const aoti_layer_norm_task *)task;
  const int64_t inner = t->inner;
  (void)thread;
  for (int64_t r = r0; r < r1; ++r) {
    const float *xr = t->x + r * inner;
    float *o = t->out + r * inner;
    double sum = 0.0;
    for (int64_t j = 0; j < inner; ++j) sum += xr[j];
    const double mean = inner > 0 ? sum / (double)inner : 0.0;
    double sq = 0.0;
    for (int64_t j = 0; j < inner; ++j) {
      const double d = xr[j] - mean;
      sq += d * d;
    }
    const double var = inner > 0 ? sq / (double)inner : 0.0;
    const float rstd = (float)(1.0 / sqrt(var + (double)t->eps));
    const float m = (float)mean;
    for (int64_t j = 0; j < inner; ++j) {
      float y = (xr[j] - m) * rstd;
      if (t->w) y *= t->w[j];
      if (t->b) y += t->b[j];
      o[j] = y;
    }
    if (t->mean_out) t->mean_out[r] = m;
    if (t->rstd_out) t->rstd_out[r] = rstd;
  }
}

/* Layer norm of `outer` rows of `inner` elements: out = (x - mean) * rstd * w + b, with the biased
 * variance and rstd = 1 / sqrt(var + eps) as PyTorch computes them. Two passes per row, summed in
 * double so long rows keep float precision. `w`, `b`, `mean_out`, `rstd_out` may be NULL. Rows
 * are split over `th`. */
static inline void aoti_layer_norm(const aoti_abi_threads *th, int64_t outer, int64_t inner, const float *x,
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

/* Slices [s0, s1) of the outer x inner slices, each n values `inner` apart. */
static inline void aoti_softmax_slices(void *task, int32_t thread, int64_t s0, int64_t s1) {
  const aoti_softmax_task *t = (const aoti_softmax_task *)task;
  const int64_t n = t->n, inner = t->inner;
  (void)thread;
  for (int64_t s = s0; s < s1; ++s) {
    const int64_t o = s / inner, i = s % inner;
    const float *xs = t->x + o * n * inner + i;
    float *ys = t->out + o * n * inner + i;
    float max = -INFINITY;
    for (int64_t j = 0; j < n; ++j) max = xs[j * inner] > max ? xs[j * inner] : max;
    if (n > 0 && max == -INFINITY) max = xs[0]; /* all -inf: -inf - -inf makes the NaNs */
    double sum = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      const float e = expf(xs[j * inner] - max);
      sum += e;
      if (!t->is_log) ys[j * inner] = e;
    }
    if (t->is_log) {
      const float shift = max + (float)log(sum);
      for (int64_t j = 0; j < n; ++j) ys[j * inner] = xs[j * inner] - shift;
    } else {
      const float scale = (float)(1.0 / sum);
      for (int64_t j = 0; j < n; ++j) ys[j * inner] *= scale;
    }
  }
}

/* Softmax (or log-softmax) over the middle dim of [outer, n, inner]: the max is subtracted first,
 * so large values do not overflow; a slice that is all -inf gives NaN, as in PyTorch. Slices are
 * split over `th`. */
static inline void aoti_softmax(const aoti_abi_threads *th, int64_t outer, int64_t n, int64_t inner, const float *x,
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

static inline void aoti_bmm(const aoti_abi_threads *th, int64_t batch, int64_t m, int64_t n, int64_t k, float alpha,
                            const float *a, const float *b, float beta, float *c) {
  aoti_bmm_task task = {th, m, n, k, alpha, beta, a, b, c};
  if (th->count > 1 && batch >= th->count) {
    th->parallel_for(th->ctx, batch, aoti_bmm_run, &task);
    return;
  }
  for (int64_t i = 0; i < batch; ++i)
    aoti_sgemm(th, 0, 0, m, n, k, alpha, a + i * m * k, k, b + i * k * n, n, beta, c + i * m * n, n);
}

/* Where attention reads its mask: none, bool (true attends) or float (added to the scores). */
enum { AOTI_MASK_NONE = 0, AOTI_MASK_BOOL = 1, AOTI_MASK_FLOAT = 2 };

typedef struct aoti_attention_task {
  int32_t num_batch;
  const int64_t *batch;
  int64_t l_len, s_len, e_len, ev_len;
  float scale;
  const float *q, *k, *v;
  int mask_kind;
  const void *mask;
  const int64_t *mask_bstride;
  int64_t mask_lstride, mask_sstride;
  int causal;
  float *out;
} aoti_attention_task;

/* Query rows [begin, end) of the flattened (batch, query) grid. */
static void aoti_attention_rows(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_attention_task *t = (const aoti_attention_task *)task;
  (void)thread;
  const int64_t e_len = t->e_len, ev_len = t->ev_len;
  for (int64_t row = begin; row < end; ++row) {
    const int64_t bi = row / t->l_len, i = row % t->l_len;
    int64_t mask_base = 0;
    for (int64_t rest = bi, d = t->num_batch - 1; d >= 0; --d) {
      mask_base += (rest % t->batch[d]) * t->mask_bstride[d];
      rest /= t->batch[d];
    }
    const float *kb = t->k + bi * t->s_len * e_len, *vb = t->v + bi * t->s_len * ev_len;
    const float *qi = t->q + row * e_len;
    float *o = t->out + row * ev_len;
    for (int64_t c = 0; c < ev_len; ++c) o[c] = 0.0f;
    float max = -INFINITY;
    double sum = 0.0;
    const int64_t last = t->causal && i + 1 < t->s_len ? i + 1 : t->s_len;
    for (int64_t j = 0; j < last; ++j) {
      const int64_t at = mask_base + i * t->mask_lstride + j * t->mask_sstride;
      if (t->mask_kind == AOTI_MASK_BOOL && !((const _Bool *)t->mask)[at]) continue;
      float score = aoti_vdot(e_len, qi, kb + j * e_len) * t->scale;
      if (t->mask_kind == AOTI_MASK_FLOAT) score += ((const float *)t->mask)[at];
      if (score == -INFINITY) continue;
      if (score > max) {
        const float shrink = expf(max - score);
        sum *= shrink;
        for (int64_t c = 0; c < ev_len; ++c) o[c] *= shrink;
        max = score;
      }
      const float p = expf(score - max);
      sum += p;
      const float *vj = vb + j * ev_len;
      for (int64_t c = 0; c < ev_len; ++c) o[c] += p * vj[c];
    }
    const float inv = sum > 0.0 ? (float)(1.0 / sum) : 0.0f;
    for (int64_t c = 0; c < ev_len; ++c) o[c] *= inv;
  }
}

/* Scaled dot-product attention, fused: out[b, i] = softmax_j(scale * q[b, i] . k[b, j] + mask) @ v[b].
 * q [B, L, E], k [B, S, E], v [B, S, Ev], out [B, L, Ev]; the batch is `num_batch` dims of sizes
 * `batch`, flattened. The mask (if any) is read at mask[sum batch_i * mask_bstride[i] + l *
 * mask_lstride + s * mask_sstride] (broadcast strides may be 0). `causal` lets query i attend keys
 * j <= i only (torch's top-left aligned tril). Online softmax: one pass over the keys per query
 * row, accumulating into the output row and rescaling it when the running max grows, so no
 * L x S scores exist. A row with no attended key gives zeros, as PyTorch's safe softmax does.
 * Query rows of every batch are split over the threads. */
static inline void aoti_attention(const aoti_abi_threads *th, int32_t num_batch, const int64_t *batch, int64_t l_len, int64_t s_len, int64_t e_len,
                                  int64_t ev_len, float scale, const float *q, const float *k, const float *v,
                                  int mask_kind, const void *mask, const int64_t *mask_bstride, int64_t mask_lstride,
                                  int64_t mask_sstride, int causal, float *out) {
  int64_t total = 1;
  for (int32_t d = 0; d < num_batch; ++d) total *= batch[d];
  aoti_attention_task task = {num_batch, batch,     l_len,        s_len,        e_len,        ev_len,
                              scale,     q,         k,            v,            mask_kind,    mask,
                              mask_bstride, mask_lstride, mask_sstride, causal, out};
  if (th->count <= 1)
    aoti_attention_rows(&task, 0, 0, total * l_len);
  else
    th->parallel_for(th->ctx, total * l_len, aoti_attention_rows, &task);
}
