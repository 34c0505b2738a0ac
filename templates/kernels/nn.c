/* nn.c — the nn family's kernels (templates/kernels, embedded into aotic and pasted into each
 * model source that uses them, after gemm.c): layer norm, softmax / log-softmax, batched matmul
 * and fused scaled-dot-product attention. All tensors are contiguous row-major float32. Never
 * allocate; reentrant. `static inline` because a model carries the whole file and may use only
 * some of these (no unused-function warnings).
 */

/* Layer norm of `outer` rows of `inner` elements: out = (x - mean) * rstd * w + b, with the biased
 * variance and rstd = 1 / sqrt(var + eps) as PyTorch computes them. Two passes per row, summed in
 * double so long rows keep float precision. `w`, `b`, `mean_out`, `rstd_out` may be NULL. */
static inline void aoti_layer_norm(int64_t outer, int64_t inner, const float *x, const float *w, const float *b,
                                   float eps, float *out, float *mean_out, float *rstd_out) {
  for (int64_t r = 0; r < outer; ++r) {
    const float *xr = x + r * inner;
    float *o = out + r * inner;
    double sum = 0.0;
    for (int64_t j = 0; j < inner; ++j) sum += xr[j];
    const double mean = inner > 0 ? sum / (double)inner : 0.0;
    double sq = 0.0;
    for (int64_t j = 0; j < inner; ++j) {
      const double d = xr[j] - mean;
      sq += d * d;
    }
    const double var = inner > 0 ? sq / (double)inner : 0.0;
    const float rstd = (float)(1.0 / sqrt(var + (double)eps));
    const float m = (float)mean;
    for (int64_t j = 0; j < inner; ++j) {
      float y = (xr[j] - m) * rstd;
      if (w) y *= w[j];
      if (b) y += b[j];
      o[j] = y;
    }
    if (mean_out) mean_out[r] = m;
    if (rstd_out) rstd_out[r] = rstd;
  }
}

/* Softmax (or log-softmax) over the middle dim of [outer, n, inner]: the max is subtracted first,
 * so large values do not overflow; a slice that is all -inf gives NaN, as in PyTorch. */
static inline void aoti_softmax(int64_t outer, int64_t n, int64_t inner, const float *x, float *out, int is_log) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float *xs = x + o * n * inner + i;
      float *ys = out + o * n * inner + i;
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
}

/* c[i] = beta * c[i] + alpha * a[i] @ b[i] for i < batch: a [batch, m, k], b [batch, k, n],
 * c [batch, m, n] (beta 0: c is only written). */
static inline void aoti_bmm(const aoti_abi_threads *th, int64_t batch, int64_t m, int64_t n, int64_t k, float alpha, const float *a, const float *b,
                            float beta, float *c) {
  for (int64_t i = 0; i < batch; ++i)
    aoti_sgemm(th, 0, 0, m, n, k, alpha, a + i * m * k, k, b + i * k * n, n, beta, c + i * m * n, n);
}

/* Where attention reads its mask: none, bool (true attends) or float (added to the scores). */
enum { AOTI_MASK_NONE = 0, AOTI_MASK_BOOL = 1, AOTI_MASK_FLOAT = 2 };

/* Scaled dot-product attention, fused: out[b, i] = softmax_j(scale * q[b, i] . k[b, j] + mask) @ v[b].
 * q [B, L, E], k [B, S, E], v [B, S, Ev], out [B, L, Ev]; the batch is `num_batch` dims of sizes
 * `batch`, flattened. The mask (if any) is read at mask[sum batch_i * mask_bstride[i] + l *
 * mask_lstride + s * mask_sstride] (broadcast strides may be 0). `causal` lets query i attend keys
 * j <= i only (torch's top-left aligned tril). Online softmax: one pass over the keys per query
 * row, accumulating into the output row and rescaling it when the running max grows, so no
 * L x S scores exist. A row with no attended key gives zeros, as PyTorch's safe softmax does. */
static inline void aoti_attention(const aoti_abi_threads *th, int32_t num_batch, const int64_t *batch, int64_t l_len, int64_t s_len, int64_t e_len,
                                  int64_t ev_len, float scale, const float *q, const float *k, const float *v,
                                  int mask_kind, const void *mask, const int64_t *mask_bstride, int64_t mask_lstride,
                                  int64_t mask_sstride, int causal, float *out) {
  (void)th;
  int64_t total = 1;
  for (int32_t d = 0; d < num_batch; ++d) total *= batch[d];
  for (int64_t bi = 0; bi < total; ++bi) {
    int64_t mask_base = 0;
    for (int64_t rest = bi, d = num_batch - 1; d >= 0; --d) {
      mask_base += (rest % batch[d]) * mask_bstride[d];
      rest /= batch[d];
    }
    const float *kb = k + bi * s_len * e_len, *vb = v + bi * s_len * ev_len;
    for (int64_t i = 0; i < l_len; ++i) {
      const float *qi = q + (bi * l_len + i) * e_len;
      float *o = out + (bi * l_len + i) * ev_len;
      for (int64_t c = 0; c < ev_len; ++c) o[c] = 0.0f;
      float max = -INFINITY;
      double sum = 0.0;
      const int64_t last = causal && i + 1 < s_len ? i + 1 : s_len;
      for (int64_t j = 0; j < last; ++j) {
        const int64_t at = mask_base + i * mask_lstride + j * mask_sstride;
        if (mask_kind == AOTI_MASK_BOOL && !((const _Bool *)mask)[at]) continue;
        float dot = 0.0f;
        for (int64_t e = 0; e < e_len; ++e) dot += qi[e] * kb[j * e_len + e];
        float score = dot * scale;
        if (mask_kind == AOTI_MASK_FLOAT) score += ((const float *)mask)[at];
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
}
