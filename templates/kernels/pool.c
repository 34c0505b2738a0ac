/* pool.c — pooling kernels generated models carry (templates/kernels, embedded into aotic; needs
 * gemm.c and conv.c before it: the vectors, and conv.c's bands of padded rows).
 *
 * Inputs are `planes` contiguous [in_h, in_w] float32 planes (N*C of an NCHW tensor), outputs
 * [out_h, out_w] planes; max and average pools split the planes over the run's threads and read
 * each plane in conv.c's bands (the padding written as -inf for max, 0 for average): vectors of
 * outputs, every tap one load, no bounds test per element. Max pooling with indices, and windows
 * bands cannot hold, go element by element. Window placement, NaN handling, summation order and
 * divisors follow PyTorch's CPU kernels
 * (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp).
 * Never allocates; reentrant. */

/* A pool's windows as the geometry of a depthwise convolution (one plane per channel), which is
 * what conv.c's bands read. */
static aoti_conv_shape aoti_pool_geometry(const aoti_pool_shape *p) {
  const aoti_conv_shape g = {1, p->planes, p->in_h, p->in_w, p->planes, p->out_h, p->out_w,
                             p->kernel_h, p->kernel_w, p->stride_h, p->stride_w, p->pad_h, p->pad_w,
                             p->dil_h, p->dil_w, p->planes};
  return g;
}

typedef struct aoti_pool_task {
  const aoti_abi_threads *th;
  const aoti_pool_shape *p;
  const float *x;
  float *out;
  int64_t *indices;      /* max pooling: where the maxima are, or NULL */
  int count_include_pad; /* average pooling: the divisor counts the padding */
  int64_t divisor;       /* average pooling: divisor_override, or 0 */
} aoti_pool_task;

/* fn over the task's planes, split over the threads when the windows hold enough work. */
static void aoti_pool_run(const aoti_pool_task *t, aoti_abi_task_fn fn) {
  const aoti_pool_shape *p = t->p;
  const double work = (double)p->planes * (double)(p->out_h * p->out_w) * (double)(p->kernel_h * p->kernel_w);
  if (t->th->count <= 1 || work < AOTI_GEMM_MIN_SPLIT)
    fn((void *)t, 0, 0, p->planes);
  else
    t->th->parallel_for(t->th->ctx, p->planes, fn, (void *)t);
}

/* Max pooling of one plane element by element, with the flat index ih * in_w + iw of each
 * maximum in `indices` (NULL: not wanted); a NaN wins and the last NaN's index is kept. */
static void aoti_max_pool_plane_scalar(const aoti_pool_shape *p, const float *xc, float *out, int64_t *indices) {
  for (int64_t oy = 0; oy < p->out_h; ++oy) {
    int64_t y0 = oy * p->stride_h - p->pad_h;
    const int64_t y1_raw = y0 + (p->kernel_h - 1) * p->dil_h + 1, y1 = y1_raw < p->in_h ? y1_raw : p->in_h;
    while (y0 < 0) y0 += p->dil_h;
    for (int64_t ox = 0; ox < p->out_w; ++ox) {
      int64_t x0 = ox * p->stride_w - p->pad_w;
      const int64_t x1_raw = x0 + (p->kernel_w - 1) * p->dil_w + 1, x1 = x1_raw < p->in_w ? x1_raw : p->in_w;
      while (x0 < 0) x0 += p->dil_w;
      int64_t best_index = y0 * p->in_w + x0;
      float best = -INFINITY;
      for (int64_t iy = y0; iy < y1; iy += p->dil_h)
        for (int64_t ix = x0; ix < x1; ix += p->dil_w) {
          const float v = xc[iy * p->in_w + ix];
          if (v > best || isnan(v)) {
            best = v;
            best_index = iy * p->in_w + ix;
          }
        }
      out[oy * p->out_w + ox] = best;
      if (indices) indices[oy * p->out_w + ox] = best_index;
    }
  }
}

/* Output rows [oy0, oy0 + n) of max pooling plane o from conv.c's band whose first output's taps
 * lie at tap[t]: a tap's value replaces the maximum when greater or NaN, as PyTorch's loop does
 * (so a NaN wins), branch-free. Inlined with the number of taps as a constant for the common
 * windows. */
static inline __attribute__((always_inline)) void aoti_max_pool_rows_k(int64_t taps, const aoti_conv_direct_band *b,
                                                                      const float *const *tap, int64_t oy0,
                                                                      int64_t n, float *restrict o) {
  const int64_t out_w = b->p->out_w;
  for (int64_t r = 0; r < n; ++r) {
    float *orow = o + (oy0 + r) * out_w;
    for (int64_t ox = 0, at = r * b->width; ox < out_w; ox += AOTI_VL, at += AOTI_VL) {
      aoti_vf best = aoti_vsplat(-INFINITY);
      AOTI_UNROLL
      for (int64_t t = 0; t < taps; ++t) {
        const aoti_vf v = aoti_vload(tap[t] + at);
        best = aoti_vselect((v > best) | (v != v), v, best);
      }
      if (out_w - ox >= AOTI_VL)
        aoti_vstore(orow + ox, best);
      else
        aoti_vstore_n(orow + ox, best, out_w - ox);
    }
  }
}

static void aoti_max_pool_band_rows(const aoti_conv_direct_band *b, const float *const *tap, int64_t oy0, int64_t n,
                                    float *o) {
  const int64_t taps = b->p->kernel_h * b->p->kernel_w;
  if (taps == 9)
    aoti_max_pool_rows_k(9, b, tap, oy0, n, o);
  else if (taps == 4)
    aoti_max_pool_rows_k(4, b, tap, oy0, n, o);
  else
    aoti_max_pool_rows_k(taps, b, tap, oy0, n, o);
}

static void aoti_max_pool_task(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_pool_task *t = (const aoti_pool_task *)task;
  const aoti_pool_shape *p = t->p;
  const int64_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const aoti_conv_shape g = aoti_pool_geometry(p);
  aoti_conv_direct_band band;
  void *scratch = (char *)t->th->scratch + (uint64_t)thread * t->th->scratch_stride;
  const int banded = !t->indices && aoti_conv_direct_band_init(&band, &g, -INFINITY, scratch);
  const float *tap[AOTI_CONV_DIRECT_MAX_TAPS];
  for (int64_t c = begin; c < end; ++c) {
    const float *xc = t->x + c * in_plane;
    float *o = t->out + c * out_plane;
    if (!banded) {
      aoti_max_pool_plane_scalar(p, xc, o, t->indices ? t->indices + c * out_plane : NULL);
      continue;
    }
    for (int64_t oy0 = 0; oy0 < p->out_h; oy0 += band.rows) {
      const int64_t n = p->out_h - oy0 < band.rows ? p->out_h - oy0 : band.rows;
      aoti_conv_direct_band_load(&band, xc, oy0, n, tap);
      aoti_max_pool_band_rows(&band, tap, oy0, n, o);
    }
  }
}

/* Max over each window; a NaN wins (and the last NaN's index is kept), as in PyTorch. `indices`
 * (NULL: not wanted) receives the flat index ih * in_w + iw of each maximum within its plane. */
AOTI_KERNEL_API void aoti_max_pool2d(const aoti_abi_threads *th, const aoti_pool_shape *p, const float *x, float *out,
                                   int64_t *indices) {
  const aoti_pool_task t = {th, p, x, out, indices, 0, 0};
  aoti_pool_run(&t, aoti_max_pool_task);
}

/* The size of the window at output position o along one dim (input size n, padding pad): the
 * window clipped to the padded input (count_include_pad) or to the input; at least 1, so that
 * a window of padding only divides its zero sum into 0 as PyTorch leaves it. */
static inline int64_t aoti_avg_pool_extent(int64_t o, int64_t stride, int64_t pad, int64_t kernel, int64_t n,
                                           int count_include_pad) {
  int64_t a = o * stride - pad, b = a + kernel;
  if (b > n + pad) b = n + pad;
  if (!count_include_pad) {
    if (a < 0) a = 0;
    if (b > n) b = n;
  }
  return b - a < 1 ? 1 : b - a;
}

/* Output rows [oy0, oy0 + n) of average pooling plane o from conv.c's band whose first output's
 * taps lie at tap[t]: the taps summed in PyTorch's order (the padding adds zeros), divided by the
 * task's divisor, or when it is 0 by the window's height times its width (kernel_w in the
 * columns [lo, hi), where the window lies inside the input, else computed per column). Inlined
 * with the number of taps as a constant for the common windows. */
static inline __attribute__((always_inline)) void aoti_avg_pool_rows_k(int64_t taps, const aoti_conv_direct_band *b,
                                                                      const float *const *tap,
                                                                      const aoti_pool_task *t, int64_t lo,
                                                                      int64_t hi, int64_t oy0, int64_t n,
                                                                      float *restrict o) {
  const aoti_pool_shape *p = t->p;
  for (int64_t r = 0; r < n; ++r) {
    const float height =
        (float)aoti_avg_pool_extent(oy0 + r, p->stride_h, p->pad_h, p->kernel_h, p->in_h, t->count_include_pad);
    float *orow = o + (oy0 + r) * p->out_w;
    for (int64_t ox = 0, at = r * b->width; ox < p->out_w; ox += AOTI_VL, at += AOTI_VL) {
      aoti_vf sum = aoti_vsplat(0.0f);
      AOTI_UNROLL
      for (int64_t i = 0; i < taps; ++i) sum += aoti_vload(tap[i] + at);
      aoti_vf div = aoti_vsplat(t->divisor > 0 ? (float)t->divisor : height * (float)p->kernel_w);
      if (t->divisor <= 0 && (ox < lo || ox + AOTI_VL > hi))
        for (int i = 0; i < AOTI_VL; ++i)
          div[i] = height * (float)aoti_avg_pool_extent(ox + i, p->stride_w, p->pad_w, p->kernel_w, p->in_w,
                                                        t->count_include_pad);
      if (p->out_w - ox >= AOTI_VL)
        aoti_vstore(orow + ox, sum / div);
      else
        aoti_vstore_n(orow + ox, sum / div, p->out_w - ox);
    }
  }
}

static void aoti_avg_pool_band_rows(const aoti_conv_direct_band *b, const float *const *tap, const aoti_pool_task *t,
                                    int64_t lo, int64_t hi, int64_t oy0, int64_t n, float *o) {
  const int64_t taps = b->p->kernel_h * b->p->kernel_w;
  if (taps == 4)
    aoti_avg_pool_rows_k(4, b, tap, t, lo, hi, oy0, n, o);
  else if (taps == 9)
    aoti_avg_pool_rows_k(9, b, tap, t, lo, hi, oy0, n, o);
  else
    aoti_avg_pool_rows_k(taps, b, tap, t, lo, hi, oy0, n, o);
}

/* Average pooling of one plane element by element, for windows bands cannot hold. */
static void aoti_avg_pool_plane_scalar(const aoti_pool_shape *p, int count_include_pad, int64_t divisor,
                                       const float *xc, float *out) {
  for (int64_t oy = 0; oy < p->out_h; ++oy) {
    const int64_t height = aoti_avg_pool_extent(oy, p->stride_h, p->pad_h, p->kernel_h, p->in_h, count_include_pad);
    int64_t y0 = oy * p->stride_h - p->pad_h, y1 = y0 + p->kernel_h;
    y0 = y0 < 0 ? 0 : y0;
    y1 = y1 > p->in_h ? p->in_h : y1;
    for (int64_t ox = 0; ox < p->out_w; ++ox) {
      int64_t x0 = ox * p->stride_w - p->pad_w, x1 = x0 + p->kernel_w;
      x0 = x0 < 0 ? 0 : x0;
      x1 = x1 > p->in_w ? p->in_w : x1;
      float sum = 0.0f;
      for (int64_t iy = y0; iy < y1; ++iy)
        for (int64_t ix = x0; ix < x1; ++ix) sum += xc[iy * p->in_w + ix];
      const int64_t width = aoti_avg_pool_extent(ox, p->stride_w, p->pad_w, p->kernel_w, p->in_w, count_include_pad);
      out[oy * p->out_w + ox] = sum / (float)(divisor > 0 ? divisor : height * width);
    }
  }
}

static void aoti_avg_pool_task(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_pool_task *t = (const aoti_pool_task *)task;
  const aoti_pool_shape *p = t->p;
  const int64_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
  const aoti_conv_shape g = aoti_pool_geometry(p);
  aoti_conv_direct_band band;
  void *scratch = (char *)t->th->scratch + (uint64_t)thread * t->th->scratch_stride;
  const int banded = aoti_conv_direct_band_init(&band, &g, 0.0f, scratch);
  /* the columns whose window lies inside the input, where the width is kernel_w */
  int64_t lo, hi, unused;
  aoti_conv_span(p->out_w, p->in_w, p->stride_w, -p->pad_w, &lo, &unused);
  aoti_conv_span(p->out_w, p->in_w, p->stride_w, p->kernel_w - 1 - p->pad_w, &unused, &hi);
  const float *tap[AOTI_CONV_DIRECT_MAX_TAPS];
  for (int64_t c = begin; c < end; ++c) {
    const float *xc = t->x + c * in_plane;
    float *o = t->out + c * out_plane;
    if (!banded) {
      aoti_avg_pool_plane_scalar(p, t->count_include_pad, t->divisor, xc, o);
      continue;
    }
    for (int64_t oy0 = 0; oy0 < p->out_h; oy0 += band.rows) {
      const int64_t n = p->out_h - oy0 < band.rows ? p->out_h - oy0 : band.rows;
      aoti_conv_direct_band_load(&band, xc, oy0, n, tap);
      aoti_avg_pool_band_rows(&band, tap, t, lo, hi, oy0, n, o);
    }
  }
}

/* Average over each window (dilation 1). The divisor is `divisor` when > 0 (divisor_override),
 * else the window's size clipped to the padded input (count_include_pad) or to the input. */
AOTI_KERNEL_API void aoti_avg_pool2d(const aoti_abi_threads *th, const aoti_pool_shape *p, int count_include_pad,
                                   int64_t divisor, const float *x, float *out) {
  const aoti_pool_task t = {th, p, x, out, NULL, count_include_pad, divisor};
  aoti_pool_run(&t, aoti_avg_pool_task);
}

/* Adaptive average: output cell o of a dim of size in covers [floor(o * in / out),
 * ceil((o + 1) * in / out)). */
AOTI_KERNEL_API void aoti_adaptive_avg_pool2d(int64_t planes, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
                                            const float *x, float *out) {
  for (int64_t c = 0; c < planes; ++c) {
    const float *xc = x + c * in_h * in_w;
    for (int64_t oy = 0; oy < out_h; ++oy) {
      const int64_t y0 = oy * in_h / out_h, y1 = ((oy + 1) * in_h + out_h - 1) / out_h;
      for (int64_t ox = 0; ox < out_w; ++ox) {
        const int64_t x0 = ox * in_w / out_w, x1 = ((ox + 1) * in_w + out_w - 1) / out_w;
        float sum = 0.0f;
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) sum += xc[iy * in_w + ix];
        out[(c * out_h + oy) * out_w + ox] = sum / (float)((y1 - y0) * (x1 - x0));
      }
    }
  }
}
