/* conv.c — convolution and batch-norm kernels generated models carry (templates/kernels, embedded
 * into aotic, pasted into each model source that uses them; needs gemm.c before it).
 *
 * Layout: NCHW, contiguous float32. A 1-D convolution is a 2-D one with height 1.
 * aoti_conv2d: per image and group, out (O x OH*OW) = W (O x C*KH*KW) . im2col(x) through gemm.c's
 * packed GEMM, whose B panels are packed straight from the image (aoti_conv_pack_b: im2col fused
 * into the packing, zero padding written there, no im2col buffer); a 1x1 stride-1 unpadded
 * convolution packs the image as a plain matrix. Convolutions with one input channel per group
 * (depthwise, any channel multiplier) are direct instead: for strides 1 and 2 a vector of outputs
 * at a time, all taps multiplied-and-added in a register, split over threads by output planes.
 * The epilogue (bias per output channel, residual laid out as out, activation) is applied as each
 * tile or row is stored. Never allocates; reentrant. */

typedef struct aoti_conv_shape {
  int64_t batch, in_channels, in_h, in_w;
  int64_t out_channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
  int64_t groups;
} aoti_conv_shape;

/* The output columns [*out_lo, *out_hi) whose input column ox * stride + offset lies in [0, in_w). */
static inline void aoti_conv_span(int64_t out_w, int64_t in_w, int64_t stride, int64_t offset, int64_t *out_lo,
                                  int64_t *out_hi) {
  int64_t lo, hi;
  if (stride == 1) { /* the common case, without divisions (the packing calls this per row) */
    lo = offset >= 0 ? 0 : -offset;
    hi = in_w - offset < 0 ? 0 : in_w - offset;
  } else {
    lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
    hi = in_w - 1 - offset < 0 ? 0 : (in_w - 1 - offset) / stride + 1;
  }
  if (hi > out_w) hi = out_w;
  if (lo > hi) lo = hi;
  *out_lo = lo;
  *out_hi = hi;
}

/* One row of an im2col panel: the input values under tap (ky, kx) of channel plane xc for the
 * `cols` output positions starting at (oy, ox), row by row of the output, zero where the tap
 * falls in the padding and past `cols` up to NR. */
static void aoti_conv_pack_row(const aoti_conv_shape *p, const float *xc, int64_t ky, int64_t kx, int64_t oy,
                               int64_t ox, int64_t cols, float *d) {
  const int64_t offset = kx * p->dil_w - p->pad_w, sw = p->stride_w;
  int64_t lo, hi;
  aoti_conv_span(p->out_w, p->in_w, sw, offset, &lo, &hi);
  int64_t jj = 0;
  for (; jj < cols; ox = 0, ++oy) {
    const int64_t seg = p->out_w - ox < cols - jj ? p->out_w - ox : cols - jj;
    const int64_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
    float *ds = d + jj - ox; /* ds[x] is output column x of this row */
    const int64_t end = ox + seg;
    int64_t a = ox > lo ? ox : lo, b = end < hi ? end : hi;
    if (iy < 0 || iy >= p->in_h) a = b = end; /* the whole segment is padding */
    if (b < a) b = a;
    for (int64_t x = ox; x < a; ++x) ds[x] = 0.0f;
    const float *row = xc + iy * p->in_w;
    if (sw == 1) {
      for (int64_t x = a; x < b; ++x) ds[x] = row[x + offset];
    } else {
      for (int64_t x = a; x < b; ++x) ds[x] = row[x * sw + offset];
    }
    for (int64_t x = b; x < end; ++x) ds[x] = 0.0f;
    jj += seg;
  }
  for (; jj < AOTI_GEMM_NR; ++jj) d[jj] = 0.0f;
}

/* gemm.c's B packing for im2col(x): op(B)(q, j) with q = (channel, ky, kx) and j = (oy, ox);
 * op->b is the group's first input channel of the image, op->b_shape the aoti_conv_shape. */
static void aoti_conv_pack_b(const aoti_gemm_op *op, int64_t k0, int64_t kc, int64_t j0, int64_t nc, float *dst) {
  const aoti_conv_shape *p = (const aoti_conv_shape *)op->b_shape;
  const int64_t in_plane = p->in_h * p->in_w;
  for (int64_t jp = 0; jp < nc; jp += AOTI_GEMM_NR, dst += kc * AOTI_GEMM_NR) {
    const int64_t j = j0 + jp, cols = nc - jp < AOTI_GEMM_NR ? nc - jp : AOTI_GEMM_NR;
    const int64_t oy = j / p->out_w, ox = j % p->out_w;
    int64_t c = k0 / (p->kernel_h * p->kernel_w), ky = k0 / p->kernel_w % p->kernel_h, kx = k0 % p->kernel_w;
    for (int64_t q = 0; q < kc; ++q) {
      aoti_conv_pack_row(p, op->b + c * in_plane, ky, kx, oy, ox, cols, dst + q * AOTI_GEMM_NR);
      if (++kx == p->kernel_w) {
        kx = 0;
        if (++ky == p->kernel_h) ky = 0, ++c;
      }
    }
  }
}

/* The sum over taps of one output value of a direct convolution, testing each tap's bounds. */
static inline float aoti_conv_direct_value(const aoti_conv_shape *p, const float *xc, const float *wk, int64_t oy,
                                           int64_t ox) {
  float acc = 0.0f;
  for (int64_t ky = 0; ky < p->kernel_h; ++ky) {
    const int64_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) continue;
    for (int64_t kx = 0; kx < p->kernel_w; ++kx) {
      const int64_t ix = ox * p->stride_w - p->pad_w + kx * p->dil_w;
      if (ix >= 0 && ix < p->in_w) acc += wk[ky * p->kernel_w + kx] * xc[iy * p->in_w + ix];
    }
  }
  return acc;
}

/* Output row oy of a direct convolution with stride 1 or 2 (`lo`, `hi`: the columns whose taps
 * all lie inside the input row, and for stride 2 one more input column, which the even-lane
 * shuffle loads): vectors of outputs with every tap multiplied-and-added in a register (the last
 * vector overlapping the one before it rather than leaving a tail), the columns near the edges
 * one by one. */
#define AOTI_CONV_DIRECT_MAX_KH 16 /* taller kernels take aoti_conv_direct_row_taps */
static void aoti_conv_direct_row_vector(const aoti_conv_shape *p, const float *xc, const float *wk, int64_t oy,
                                        int64_t lo, int64_t hi, float *orow) {
  const float *rows[AOTI_CONV_DIRECT_MAX_KH], *taps[AOTI_CONV_DIRECT_MAX_KH]; /* the kernel rows inside */
  int64_t n = 0;
  for (int64_t ky = 0; ky < p->kernel_h; ++ky) {
    const int64_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) continue;
    rows[n] = xc + iy * p->in_w;
    taps[n++] = wk + ky * p->kernel_w;
  }
  int64_t ox = 0;
  for (; ox < lo || (ox < p->out_w && hi - lo < AOTI_VL); ++ox) orow[ox] = aoti_conv_direct_value(p, xc, wk, oy, ox);
  for (; ox < hi; ox += AOTI_VL) {
    if (ox + AOTI_VL > hi) ox = hi - AOTI_VL;
    aoti_vf acc = aoti_vsplat(0.0f);
    for (int64_t r = 0; r < n; ++r)
      for (int64_t kx = 0; kx < p->kernel_w; ++kx) {
        const float *in = rows[r] + ox * p->stride_w + kx * p->dil_w - p->pad_w;
        aoti_vf v = aoti_vload(in);
        if (p->stride_w == 2) v = aoti_veven(v, aoti_vload(in + AOTI_VL));
        acc = aoti_vfma(acc, aoti_vsplat(taps[r][kx]), v);
      }
    aoti_vstore(orow + ox, acc);
  }
  for (; ox < p->out_w; ++ox) orow[ox] = aoti_conv_direct_value(p, xc, wk, oy, ox);
}

/* Output row oy of a direct convolution, any stride: every tap adds a scaled input row to it,
 * over the columns where the tap lies inside the input. */
static void aoti_conv_direct_row_taps(const aoti_conv_shape *p, const float *xc, const float *wk, int64_t oy,
                                      float *restrict orow) {
  for (int64_t ox = 0; ox < p->out_w; ++ox) orow[ox] = 0.0f;
  for (int64_t ky = 0; ky < p->kernel_h; ++ky) {
    const int64_t iy = oy * p->stride_h - p->pad_h + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) continue;
    const float *restrict row = xc + iy * p->in_w;
    for (int64_t kx = 0; kx < p->kernel_w; ++kx) {
      const float wv = wk[ky * p->kernel_w + kx];
      const int64_t offset = kx * p->dil_w - p->pad_w;
      int64_t lo, hi;
      aoti_conv_span(p->out_w, p->in_w, p->stride_w, offset, &lo, &hi);
      if (p->stride_w == 1) {
        for (int64_t ox = lo; ox < hi; ++ox) orow[ox] += wv * row[ox + offset];
      } else {
        for (int64_t ox = lo; ox < hi; ++ox) orow[ox] += wv * row[ox * p->stride_w + offset];
      }
    }
  }
}

/* Direct convolution of output plane `plane` (= image * out_channels + channel) when each group
 * has one input channel, a row at a time, then the epilogue on the row. */
static void aoti_conv_direct_plane(const aoti_conv_shape *p, const float *x, const float *w,
                                   const aoti_epilogue *ep, int64_t plane, float *out) {
  const int64_t oc = plane % p->out_channels, image = plane / p->out_channels;
  const int64_t ic = oc / (p->out_channels / p->groups), out_plane = p->out_h * p->out_w;
  const float *xc = x + (image * p->in_channels + ic) * p->in_h * p->in_w;
  const float *wk = w + oc * p->kernel_h * p->kernel_w;
  float *o = out + plane * out_plane;
  const int in_registers = p->stride_w <= 2 && p->kernel_h <= AOTI_CONV_DIRECT_MAX_KH;
  const int64_t extra = p->stride_w - 1; /* input columns read past the last tap */
  int64_t lo, hi, unused; /* the columns where the first and the last tap (and extra) are inside */
  aoti_conv_span(p->out_w, p->in_w, p->stride_w, -p->pad_w, &lo, &unused);
  aoti_conv_span(p->out_w, p->in_w - extra, p->stride_w, (p->kernel_w - 1) * p->dil_w - p->pad_w, &unused, &hi);
  if (hi < lo) hi = lo;
  for (int64_t oy = 0; oy < p->out_h; ++oy) {
    float *orow = o + oy * p->out_w;
    if (in_registers)
      aoti_conv_direct_row_vector(p, xc, wk, oy, lo, hi, orow);
    else
      aoti_conv_direct_row_taps(p, xc, wk, oy, orow);
    const aoti_row_finish f = aoti_row_finish_of(1.0f, 0.0f, ep, 1, oc, plane * out_plane + oy * p->out_w, 0);
    aoti_finish_row(&f, p->out_w, orow, orow);
  }
}

typedef struct aoti_conv_task {
  const aoti_conv_shape *p;
  const float *x, *w;
  const aoti_epilogue *ep;
  float *out;
} aoti_conv_task;

static void aoti_conv_direct_task(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_conv_task *t = (const aoti_conv_task *)task;
  (void)thread;
  for (int64_t plane = begin; plane < end; ++plane) aoti_conv_direct_plane(t->p, t->x, t->w, t->ep, plane, t->out);
}

/* out [batch, out_channels, out_h, out_w] = ep(conv(x [batch, in_channels, in_h, in_w],
 * w [out_channels, in_channels / groups, kernel_h, kernel_w])): ep's bias is per output channel,
 * its residual laid out as out. */
static inline void aoti_conv2d(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *w,
                               const aoti_epilogue *ep, float *out) {
  const int64_t cin_g = p->in_channels / p->groups, cout_g = p->out_channels / p->groups;
  const int64_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const int64_t depth = cin_g * p->kernel_h * p->kernel_w;
  /* the bias is per output channel (a row of each GEMM) whatever ep->bias_per_row says */
  const aoti_epilogue ep_c = {ep ? ep->bias : NULL, 1, ep ? ep->residual : NULL, ep ? ep->act : AOTI_ACT_NONE};
  ep = &ep_c;
  if (cin_g == 1 && p->groups > 1) {
    aoti_conv_task task = {p, x, w, ep, out};
    if (th->count <= 1)
      aoti_conv_direct_task(&task, 0, 0, p->batch * p->out_channels);
    else
      th->parallel_for(th->ctx, p->batch * p->out_channels, aoti_conv_direct_task, &task);
    return;
  }
  const int pointwise = depth == cin_g && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 && p->pad_w == 0;
  for (int64_t b = 0; b < p->batch; ++b)
    for (int64_t g = 0; g < p->groups; ++g) {
      const int64_t first = (b * p->out_channels + g * cout_g) * out_plane; /* of this group's output */
      const aoti_epilogue ep_g = {ep->bias ? ep->bias + g * cout_g : NULL, 1,
                                  ep->residual ? ep->residual + first : NULL, ep->act};
      aoti_gemm_op op = {cout_g, out_plane, depth, 1.0f, 0.0f, w + g * cout_g * depth, depth, 0,
                         pointwise ? aoti_gemm_pack_b_matrix : aoti_conv_pack_b,
                         x + (b * p->in_channels + g * cin_g) * in_plane, in_plane, 0, p, out + first, out_plane,
                         &ep_g, NULL, 0};
      aoti_gemm_run(th, &op);
    }
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
