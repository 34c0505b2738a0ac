/* conv.c — convolution and batch-norm kernels generated models carry (templates/kernels, embedded
 * into aotic, pasted into each model source that uses them; needs gemm.c before it).
 *
 * Layout: NCHW, contiguous float32. A 1-D convolution is a 2-D one with height 1.
 * aoti_conv2d: a 1x1, stride-1, unpadded, ungrouped convolution is one GEMM per image
 * (out[b] = W [O, C] @ x[b] [C, H*W]); everything else (any groups, depthwise included, stride,
 * padding, dilation) is a direct loop nest needing no scratch memory: per output channel, per
 * input channel and kernel tap, a scaled input row is added to each output row, over the range of
 * output columns whose input column lies inside the image (so the inner loop has no bounds test
 * and vectorises for stride 1). Never allocates; reentrant. */

typedef struct aoti_conv_shape {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
  int64_t groups;
} aoti_conv_shape;

/* The output columns [*out_lo, *out_hi) whose input column ox * stride + offset lies in [0, in_w). */
static inline void aoti_conv_span(int64_t out_w, int64_t in_w, int64_t stride, int64_t offset, int64_t *out_lo,
                                  int64_t *out_hi) {
  int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  int64_t hi = in_w - 1 - offset < 0 ? 0 : (in_w - 1 - offset) / stride + 1;
  if (hi > out_w) hi = out_w;
  if (lo > hi) lo = hi;
  *out_lo = lo;
  *out_hi = hi;
}

/* out[b][oc] (a plane) = bias[oc] or 0. */
static inline void aoti_conv_fill_bias(const aoti_conv_shape *p, const float *bias, float *out) {
  const int64_t plane = p->out_h * p->out_w;
  for (int64_t bo = 0; bo < p->batch * p->out_channels; ++bo) {
    const float v = bias ? bias[bo % p->out_channels] : 0.0f;
    float *o = out + bo * plane;
    for (int64_t i = 0; i < plane; ++i) o[i] = v;
  }
}

/* Adds one input channel's contribution through one kernel (weights wk[kernel_h][kernel_w]) to
 * one output plane. */
static inline void aoti_conv_channel(const aoti_conv_shape *p, const float *xc, const float *wk, float *o) {
  for (int64_t ky = 0; ky < p->kernel_h; ++ky) {
    for (int64_t kx = 0; kx < p->kernel_w; ++kx) {
      const float wv = wk[ky * p->kernel_w + kx];
      const int64_t offset = kx * p->dil_w - p->pad_w;
      int64_t lo, hi;
      aoti_conv_span(p->out_w, p->in_w, p->stride_w, offset, &lo, &hi);
      for (int64_t oy = 0; oy < p->out_h; ++oy) {
        const int64_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
        if (iy < 0 || iy >= p->in_h) continue;
        const float *restrict row = xc + iy * p->in_w;
        float *restrict orow = o + oy * p->out_w;
        if (p->stride_w == 1) {
          for (int64_t ox = lo; ox < hi; ++ox) orow[ox] += wv * row[ox + offset];
        } else {
          for (int64_t ox = lo; ox < hi; ++ox) orow[ox] += wv * row[ox * p->stride_w + offset];
        }
      }
    }
  }
}

/* Applies ep's residual and activation to out (its bias is already in). */
static inline void aoti_conv_finish(const aoti_conv_shape *p, const aoti_epilogue *ep, float *out) {
  if (!ep->residual && ep->act == AOTI_ACT_NONE) return;
  const int64_t total = p->batch * p->out_channels * p->out_h * p->out_w;
  for (int64_t i = 0; i < total; ++i) out[i] = aoti_act(ep->act, out[i] + (ep->residual ? ep->residual[i] : 0.0f));
}

/* out [batch, out_channels, out_h, out_w] = ep(conv(x [batch, in_channels, in_h, in_w],
 * w [out_channels, in_channels / groups, kernel_h, kernel_w])): ep's bias is per output channel,
 * its residual laid out as out. */
static inline void aoti_conv2d(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *w,
                               const aoti_epilogue *ep, float *out) {
  const float *bias = ep->bias;
  const int64_t cin_g = p->in_channels / p->groups, cout_g = p->out_channels / p->groups;
  const int64_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const int64_t ksize = p->kernel_h * p->kernel_w;
  aoti_conv_fill_bias(p, bias, out);
  const int pointwise = ksize == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
                        p->groups == 1;
  for (int64_t b = 0; b < p->batch; ++b) {
    const float *xb = x + b * p->in_channels * in_plane;
    float *ob = out + b * p->out_channels * out_plane;
    if (pointwise) {
      aoti_sgemm(th, 0, 0, p->out_channels, out_plane, p->in_channels, 1.0f, w, p->in_channels, xb, in_plane, 1.0f, ob,
                 out_plane);
      continue;
    }
    for (int64_t oc = 0; oc < p->out_channels; ++oc) {
      const float *xg = xb + (oc / cout_g) * cin_g * in_plane;
      for (int64_t ic = 0; ic < cin_g; ++ic)
        aoti_conv_channel(p, xg + ic * in_plane, w + (oc * cin_g + ic) * ksize, ob + oc * out_plane);
    }
  }
  aoti_conv_finish(p, ep, out);
}

/* Inference batch norm over x [batch, channels, inner...]: per channel c,
 * out = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c], computed as PyTorch's CPU kernel
 * does (alpha = weight * invstd, beta = bias - mean * alpha, out = x * alpha + beta); a NULL
 * weight is 1, a NULL bias 0. */
static inline void aoti_batch_norm(int64_t batch, int64_t channels, int64_t inner, const float *x, const float *weight,
                                   const float *bias, const float *mean, const float *var, float eps, float *out) {
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      const float invstd = 1.0f / sqrtf(var[c] + eps);
      const float alpha = invstd * (weight ? weight[c] : 1.0f);
      const float beta = (bias ? bias[c] : 0.0f) - mean[c] * alpha;
      const float *restrict xi = x + (b * channels + c) * inner;
      float *restrict o = out + (b * channels + c) * inner;
      for (int64_t i = 0; i < inner; ++i) o[i] = xi[i] * alpha + beta;
    }
  }
}
