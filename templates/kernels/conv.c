/* conv.c — convolution and batch-norm kernels generated models carry (templates/kernels, embedded
 * into aotic, pasted into each model source that uses them; needs gemm.c before it).
 *
 * Layout: NCHW, contiguous float32. A 1-D convolution is a 2-D one with height 1.
 * aoti_conv2d: per image and group, out (O x OH*OW) = W (O x C*KH*KW) . im2col(x) through gemm.c's
 * packed GEMM, whose B panels are packed straight from the image (aoti_conv_pack_b: im2col fused
 * into the packing, zero padding written there, no im2col buffer); a 1x1 stride-1 unpadded
 * convolution packs the image as a plain matrix. Convolutions with one input channel per group
 * (depthwise, any channel multiplier) are direct instead: bands of rows copied padded and split
 * by stride phases into the thread's scratch (shared with pool.c), then vectors of outputs, all
 * taps multiplied-and-added in a register, split over threads by planes.
 * The epilogue (bias per output channel, residual laid out as out, activation) is applied as each
 * tile or row is stored. Never allocates; reentrant. */

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

/* ds[x] = row[x * sw + offset] for x in [a, b), which lie inside the row (row_len floats): whole
 * vectors for strides 1 and 2 (the even lanes of two loads) while the loads stay in the row,
 * then one at a time. */
static inline void aoti_conv_copy_cols(float *ds, const float *row, int64_t row_len, int64_t sw, int64_t offset,
                                       int64_t a, int64_t b) {
  int64_t x = a;
  if (sw == 1) {
    for (; x + AOTI_VL <= b; x += AOTI_VL) aoti_vstore(ds + x, aoti_vload(row + x + offset));
  } else if (sw == 2) {
    for (; x + AOTI_VL <= b && 2 * x + offset + 2 * AOTI_VL <= row_len; x += AOTI_VL)
      aoti_vstore(ds + x, aoti_veven(aoti_vload(row + 2 * x + offset), aoti_vload(row + 2 * x + offset + AOTI_VL)));
  }
  for (; x < b; ++x) ds[x] = row[x * sw + offset];
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
    aoti_conv_copy_cols(ds, xc + iy * p->in_w, p->in_w, sw, offset, a, b);
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

/* Direct convolutions (one input channel per group) and pool.c's pools work on bands of output
 * rows of one plane at a time. A band's input rows are copied with their padding written out as
 * `fill` and split by the strides into phase planes (plane (a, b) holds padded rows a, a + sh, ..
 * and in them padded columns b, b + sw, ..), phase rows `width` floats apart. Then tap (ky, kx) of
 * output (oy, ox) lies at oy * width + ox plus a constant of the tap in one phase plane, so each
 * tap of a vector of output columns is one contiguous load whatever the stride, dilation or
 * padding, rows narrower than a vector included (their store is masked), with no bounds test. */
#define AOTI_CONV_DIRECT_BAND_BYTES 65536      /* bands are cut to about this (L1 and L2 resident) */
#define AOTI_CONV_DIRECT_MAX_TAPS 64 /* larger windows go without bands (aoti_conv_direct_row_taps) */

typedef struct aoti_conv_direct_band {
  const aoti_conv_shape *p;
  float fill;
  int64_t width;        /* floats of a phase row: out_w plus the taps' reach, in whole vectors */
  int64_t rows;         /* output rows of a band */
  int64_t phase_floats; /* floats of a phase plane */
  float *phases;        /* stride_h * stride_w phase planes */
} aoti_conv_direct_band;

/* Bands in `scratch` (AOTI_CONV_DIRECT_THREAD_SCRATCH bytes) for the windows of p (one input
 * channel per output plane); 0 when not even one row fits. */
static int aoti_conv_direct_band_init(aoti_conv_direct_band *b, const aoti_conv_shape *p, float fill, void *scratch) {
  const int64_t sh = p->stride_h, sw = p->stride_w, reach_h = (p->kernel_h - 1) * p->dil_h / sh;
  b->p = p;
  b->fill = fill;
  /* whole vectors, so that phase rows and the taps in their first column are aligned */
  b->width = (p->out_w + (p->kernel_w - 1) * p->dil_w / sw + AOTI_VL - 1) / AOTI_VL * AOTI_VL;
  b->phases = (float *)scratch;
  if (p->kernel_h * p->kernel_w > AOTI_CONV_DIRECT_MAX_TAPS) return 0;
  /* per band: sh * sw planes of rows + reach_h phase rows and 3 vectors of slack (vectors read
   * and write up to 2 vectors past a row) */
  const double row_bytes = (double)(sh * sw) * (double)b->width * sizeof(float);
  const double fixed_bytes = (double)(sh * sw) * ((double)reach_h * (double)b->width + 3 * AOTI_VL) * sizeof(float);
  if (fixed_bytes + row_bytes > AOTI_CONV_DIRECT_THREAD_SCRATCH) return 0;
  double rows = (AOTI_CONV_DIRECT_BAND_BYTES - fixed_bytes) / row_bytes;
  rows = rows < 1.0 ? 1.0 : rows > (double)p->out_h ? (double)p->out_h : rows;
  b->rows = (int64_t)rows;
  b->phase_floats = ((b->rows + reach_h) * b->width + 3 * AOTI_VL) / AOTI_VL * AOTI_VL;
  return 1;
}

/* A vector whose lanes [a, b) are p[a..b) and the others `fill`; only p[a..b) is read. */
static inline aoti_vf aoti_conv_direct_load(const float *p, int64_t a, int64_t b, float fill) {
  a = a < 0 ? 0 : a > AOTI_VL ? AOTI_VL : a;
  b = b < a ? a : b > AOTI_VL ? AOTI_VL : b;
  if (a == 0 && b == AOTI_VL) return aoti_vload(p);
#if defined(__AVX512F__)
  return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), (__mmask16)((1u << b) - (1u << a)), p);
#else
  aoti_vf v = aoti_vsplat(fill);
  for (int64_t i = a; i < b; ++i) v[i] = p[i];
  return v;
#endif
}

/* Lanes 1, 3, 5, .. of a then of b: with gemm.c's aoti_veven, the two column phases of a
 * stride-2 row from the same two loads. */
#if AOTI_VL == 16
#define aoti_conv_direct_vodd(a, b) \
  _mm512_permutex2var_ps((a), _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), (b))
#elif AOTI_VL == 8
#define aoti_conv_direct_vodd(a, b) \
  _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps((a), (b), 0xdd)), 0xd8))
#else
#define aoti_conv_direct_vodd(a, b) ((aoti_vf){(a)[1], (a)[3], (b)[1], (b)[3]})
#endif

/* The column phases of input row `row` (NULL: a row of padding), phase q at dst + q *
 * phase_floats, a vector at a time (up to VL - 1 floats past `width`, which the next phase row
 * overwrites): plain loads inside the row (for stride 2 two loads shuffled into both phases),
 * masked ones at its edges, lane by lane for strides above 2. Inlined with the stride s as a
 * constant for 1 and 2. */
static inline __attribute__((always_inline)) void aoti_conv_direct_phases(const aoti_conv_direct_band *b, int64_t s,
                                                                         const float *row, float *dst) {
  const int64_t w = b->p->in_w, len = b->width;
  const float fill = b->fill;
  if (s == 2 && row) { /* both phases from two loads */
    for (int64_t j = 0; j < len; j += AOTI_VL) {
      const int64_t c = 2 * j - b->p->pad_w; /* the input column of lane 0 of phase 0 */
      aoti_vf lo, hi;
      if (c >= 0 && c + 2 * AOTI_VL <= w) {
        lo = aoti_vload(row + c);
        hi = aoti_vload(row + c + AOTI_VL);
      } else {
        lo = aoti_conv_direct_load(row + c, -c, w - c, fill);
        hi = aoti_conv_direct_load(row + c + AOTI_VL, -c - AOTI_VL, w - c - AOTI_VL, fill);
      }
      aoti_vstore(dst + j, aoti_veven(lo, hi));
      aoti_vstore(dst + b->phase_floats + j, aoti_conv_direct_vodd(lo, hi));
    }
    return;
  }
  for (int64_t q = 0; q < s; ++q) {
    float *d = dst + q * b->phase_floats;
    for (int64_t j = 0; j < len; j += AOTI_VL) {
      const int64_t c = j * s + q - b->p->pad_w; /* the input column of lane 0 */
      aoti_vf v;
      if (!row) {
        v = aoti_vsplat(fill);
      } else if (s == 1) {
        v = c >= 0 && c + AOTI_VL <= w ? aoti_vload(row + c) : aoti_conv_direct_load(row + c, -c, w - c, fill);
      } else {
        v = aoti_vsplat(fill);
        for (int64_t i = 0; i < AOTI_VL; ++i)
          if (c + i * s >= 0 && c + i * s < w) v[i] = row[c + i * s];
      }
      aoti_vstore(d + j, v);
    }
  }
}

/* Loads the band of output rows [oy0, oy0 + n) of input plane xc into the phase planes, and
 * points tap[ky * kernel_w + kx] at where tap (ky, kx) of the band's first output is. */
static void aoti_conv_direct_band_load(const aoti_conv_direct_band *b, const float *xc, int64_t oy0, int64_t n,
                                       const float **tap) {
  const aoti_conv_shape *p = b->p;
  const int64_t sh = p->stride_h, sw = p->stride_w, top = oy0 * sh - p->pad_h;
  const int64_t padded_rows = (n - 1) * sh + (p->kernel_h - 1) * p->dil_h + 1;
  for (int64_t i = 0; i < padded_rows; ++i) {
    const int64_t iy = top + i;
    const float *row = iy >= 0 && iy < p->in_h ? xc + iy * p->in_w : NULL;
    float *dst = b->phases + (i % sh * sw * b->phase_floats) + i / sh * b->width;
    if (sw == 1)
      aoti_conv_direct_phases(b, 1, row, dst);
    else if (sw == 2)
      aoti_conv_direct_phases(b, 2, row, dst);
    else
      aoti_conv_direct_phases(b, sw, row, dst);
  }
  for (int64_t ky = 0; ky < p->kernel_h; ++ky)
    for (int64_t kx = 0; kx < p->kernel_w; ++kx) {
      const int64_t r = ky * p->dil_h, c = kx * p->dil_w;
      tap[ky * p->kernel_w + kx] = b->phases + (r % sh * sw + c % sw) * b->phase_floats + r / sh * b->width + c / sw;
    }
}

/* Output rows [oy0, oy0 + n) of plane `plane` from the band whose first output's taps lie at
 * tap[t]: vectors of outputs, each tap one load and one multiply-add in a register (three
 * chains, to cut the latency), then bias, residual and activation, and the store (masked for the
 * tail). Inlined with the number of taps as a constant for the common kernels. */
static inline __attribute__((always_inline)) void aoti_conv_direct_rows_k(int64_t taps,
                                                                         const aoti_conv_direct_band *b,
                                                                         const float *const *tap,
                                                                         const aoti_vf *restrict wv, float bias,
                                                                         const aoti_epilogue *ep, int64_t plane,
                                                                         int64_t oy0, int64_t n,
                                                                         float *restrict out) {
  const int64_t out_w = b->p->out_w;
  for (int64_t r = 0; r < n; ++r) {
    const int64_t first = (plane * b->p->out_h + oy0 + r) * out_w; /* of the row in out and the residual */
    const float *residual = ep->residual ? ep->residual + first : NULL;
    for (int64_t ox = 0, at = r * b->width; ox < out_w; ox += AOTI_VL, at += AOTI_VL) {
      aoti_vf sum[3] = {aoti_vsplat(0.0f), aoti_vsplat(0.0f), aoti_vsplat(0.0f)};
      AOTI_UNROLL
      for (int64_t t = 0; t < taps; ++t) sum[t % 3] = aoti_vfma(sum[t % 3], wv[t], aoti_vload(tap[t] + at));
      aoti_vf v = sum[0] + sum[1] + sum[2] + bias;
      const int64_t left = out_w - ox;
      if (residual) v += left >= AOTI_VL ? aoti_vload(residual + ox) : aoti_vload_n(residual + ox, left);
      if (ep->act != AOTI_ACT_NONE) v = aoti_vact(ep->act, v);
      if (left >= AOTI_VL)
        aoti_vstore(out + first + ox, v);
      else
        aoti_vstore_n(out + first + ox, v, left);
    }
  }
}

static void aoti_conv_direct_band_rows(const aoti_conv_direct_band *b, const float *const *tap, const aoti_vf *wv,
                                       float bias, const aoti_epilogue *ep, int64_t plane, int64_t oy0, int64_t n,
                                       float *out) {
  const int64_t taps = b->p->kernel_h * b->p->kernel_w;
  if (taps == 9)
    aoti_conv_direct_rows_k(9, b, tap, wv, bias, ep, plane, oy0, n, out);
  else if (taps == 25)
    aoti_conv_direct_rows_k(25, b, tap, wv, bias, ep, plane, oy0, n, out);
  else
    aoti_conv_direct_rows_k(taps, b, tap, wv, bias, ep, plane, oy0, n, out);
}

/* Output row oy of a direct convolution without bands (windows too large, rows too wide): every
 * tap adds a scaled input row to it, over the columns where the tap lies inside. */
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
 * has one input channel, a band at a time (a row at a time when `band` is NULL), with its
 * epilogue. */
static void aoti_conv_direct_plane(const aoti_conv_shape *p, const float *x, const float *w, const aoti_epilogue *ep,
                                   int64_t plane, const aoti_conv_direct_band *band, float *out) {
  const int64_t oc = plane % p->out_channels, image = plane / p->out_channels, taps = p->kernel_h * p->kernel_w;
  const int64_t ic = oc / (p->out_channels / p->groups), out_plane = p->out_h * p->out_w;
  const float *xc = x + (image * p->in_channels + ic) * p->in_h * p->in_w;
  const float *wk = w + oc * taps;
  float *o = out + plane * out_plane;
  if (!band) {
    for (int64_t oy = 0; oy < p->out_h; ++oy) {
      aoti_conv_direct_row_taps(p, xc, wk, oy, o + oy * p->out_w);
      const aoti_row_finish f = aoti_row_finish_of(1.0f, 0.0f, ep, 1, oc, plane * out_plane + oy * p->out_w, 0);
      aoti_finish_row(&f, p->out_w, o + oy * p->out_w, o + oy * p->out_w);
    }
    return;
  }
  const float bias = ep->bias ? ep->bias[oc] : 0.0f;
  const float *tap[AOTI_CONV_DIRECT_MAX_TAPS];
  aoti_vf wv[AOTI_CONV_DIRECT_MAX_TAPS];
  for (int64_t t = 0; t < taps; ++t) wv[t] = aoti_vsplat(wk[t]);
  for (int64_t oy0 = 0; oy0 < p->out_h; oy0 += band->rows) {
    const int64_t n = p->out_h - oy0 < band->rows ? p->out_h - oy0 : band->rows;
    aoti_conv_direct_band_load(band, xc, oy0, n, tap);
    aoti_conv_direct_band_rows(band, tap, wv, bias, ep, plane, oy0, n, out);
  }
}

typedef struct aoti_conv_task {
  const aoti_abi_threads *th;
  const aoti_conv_shape *p;
  const float *x, *w;
  const aoti_epilogue *ep;
  float *out;
} aoti_conv_task;

static void aoti_conv_direct_task(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_conv_task *t = (const aoti_conv_task *)task;
  aoti_conv_direct_band band;
  void *scratch = (char *)t->th->scratch + (uint64_t)thread * t->th->scratch_stride;
  const int banded = aoti_conv_direct_band_init(&band, t->p, 0.0f, scratch);
  for (int64_t plane = begin; plane < end; ++plane)
    aoti_conv_direct_plane(t->p, t->x, t->w, t->ep, plane, banded ? &band : NULL, t->out);
}

/* The convolution when each group has one input channel (depthwise, any channel multiplier),
 * output planes split over the threads; ep's bias is per output channel. */
static void aoti_conv_direct(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *w,
                             const aoti_epilogue *ep, float *out) {
  aoti_conv_task task = {th, p, x, w, ep, out};
  const int64_t planes = p->batch * p->out_channels;
  const double work = (double)planes * (double)(p->out_h * p->out_w) * (double)(p->kernel_h * p->kernel_w);
  if (th->count <= 1 || work < AOTI_GEMM_MIN_SPLIT)
    aoti_conv_direct_task(&task, 0, 0, planes);
  else
    th->parallel_for(th->ctx, planes, aoti_conv_direct_task, &task);
}

/* aoti_conv2d, and aoti_conv2d_panels when `w_panels` (no depthwise convolution then). */
static void aoti_conv2d_any(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *w,
                            int w_panels, const aoti_epilogue *ep, float *out) {
  const int64_t cin_g = p->in_channels / p->groups, cout_g = p->out_channels / p->groups;
  const int64_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const int64_t depth = cin_g * p->kernel_h * p->kernel_w;
  /* the bias is per output channel (a row of each GEMM) whatever ep->bias_per_row says */
  const aoti_epilogue ep_c = {ep ? ep->bias : NULL, 1, ep ? ep->residual : NULL, ep ? ep->act : AOTI_ACT_NONE};
  ep = &ep_c;
  if (cin_g == 1 && p->groups > 1) {
    aoti_conv_direct(th, p, x, w, ep, out);
    return;
  }
  const int pointwise = depth == cin_g && p->stride_h == 1 && p->stride_w == 1 && p->pad_h == 0 && p->pad_w == 0;
  /* a group's weights: cout_g rows of `depth`, or their A panels (cout_g rounded up to MR rows) */
  const int64_t group_w = w_panels ? (cout_g + AOTI_GEMM_MR - 1) / AOTI_GEMM_MR * AOTI_GEMM_MR * depth : cout_g * depth;
  for (int64_t b = 0; b < p->batch; ++b)
    for (int64_t g = 0; g < p->groups; ++g) {
      const int64_t first = (b * p->out_channels + g * cout_g) * out_plane; /* of this group's output */
      const aoti_epilogue ep_g = {ep->bias ? ep->bias + g * cout_g : NULL, 1,
                                  ep->residual ? ep->residual + first : NULL, ep->act};
      aoti_gemm_op op = {cout_g, out_plane, depth, 1.0f, 0.0f, w + g * group_w, depth, 0,
                         pointwise ? aoti_gemm_pack_b_matrix : aoti_conv_pack_b,
                         x + (b * p->in_channels + g * cin_g) * in_plane, in_plane, 0, p, out + first, out_plane,
                         &ep_g, NULL, 0, w_panels, 0};
      aoti_gemm_run(th, &op);
    }
}

/* out [batch, out_channels, out_h, out_w] = ep(conv(x [batch, in_channels, in_h, in_w],
 * w [out_channels, in_channels / groups, kernel_h, kernel_w])): ep's bias is per output channel,
 * its residual laid out as out. */
AOTI_KERNEL_API void aoti_conv2d(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *w,
                               const aoti_epilogue *ep, float *out) {
  aoti_conv2d_any(th, p, x, w, 0, ep, out);
}

/* aoti_conv2d with the weights packed by the compiler (passes/prepack_gemm.c): per group, the
 * group's [out_channels / groups][in_channels / groups * kernel_h * kernel_w] matrix as gemm.c's
 * A panels, groups one after another. Not for depthwise convolutions. */
AOTI_KERNEL_API void aoti_conv2d_panels(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x,
                                      const float *w_panels, const aoti_epilogue *ep, float *out) {
  aoti_conv2d_any(th, p, x, w_panels, 1, ep, out);
}

/* Inference batch norm over x [batch, channels, inner...]: per channel c,
 * out = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c], computed as PyTorch's CPU kernel
 * does (alpha = weight * invstd, beta = bias - mean * alpha, out = x * alpha + beta); a NULL
 * weight is 1, a NULL bias 0. */
AOTI_KERNEL_API void aoti_batch_norm(int64_t batch, int64_t channels, int64_t inner, const float *x, const float *weight,
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
