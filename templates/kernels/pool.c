/* pool.c — pooling kernels generated models carry (templates/kernels, embedded into aotic).
 *
 * Inputs are `planes` contiguous [in_h, in_w] float32 planes (N*C of an NCHW tensor), outputs
 * [out_h, out_w] planes. Window placement, NaN handling and divisors follow PyTorch's CPU kernels
 * (aten/src/ATen/native/cpu/MaxPoolKernel.cpp, AvgPoolKernel.cpp, AdaptiveAvgPoolKernel.cpp).
 * Never allocates; reentrant. */

typedef struct aoti_pool_shape {
  int64_t planes, in_h, in_w, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
} aoti_pool_shape;

/* Max over each window; a NaN wins (and the last NaN's index is kept), as in PyTorch. `indices`
 * (NULL: not wanted) receives the flat index ih * in_w + iw of each maximum within its plane. */
static inline void aoti_max_pool2d(const aoti_pool_shape *p, const float *x, float *out, int64_t *indices) {
  for (int64_t c = 0; c < p->planes; ++c) {
    const float *xc = x + c * p->in_h * p->in_w;
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
        const int64_t o = (c * p->out_h + oy) * p->out_w + ox;
        out[o] = best;
        if (indices) indices[o] = best_index;
      }
    }
  }
}

/* Average over each window (dilation 1). The divisor is `divisor` when > 0 (divisor_override),
 * else the window's size clipped to the padded input (count_include_pad) or to the input. */
static inline void aoti_avg_pool2d(const aoti_pool_shape *p, int count_include_pad, int64_t divisor, const float *x,
                                   float *out) {
  for (int64_t c = 0; c < p->planes; ++c) {
    const float *xc = x + c * p->in_h * p->in_w;
    for (int64_t oy = 0; oy < p->out_h; ++oy) {
      for (int64_t ox = 0; ox < p->out_w; ++ox) {
        int64_t y0 = oy * p->stride_h - p->pad_h, x0 = ox * p->stride_w - p->pad_w;
        int64_t y1 = y0 + p->kernel_h, x1 = x0 + p->kernel_w;
        if (y1 > p->in_h + p->pad_h) y1 = p->in_h + p->pad_h;
        if (x1 > p->in_w + p->pad_w) x1 = p->in_w + p->pad_w;
        const int64_t padded_size = (y1 - y0) * (x1 - x0);
        if (y0 < 0) y0 = 0;
        if (x0 < 0) x0 = 0;
        if (y1 > p->in_h) y1 = p->in_h;
        if (x1 > p->in_w) x1 = p->in_w;
        const int64_t o = (c * p->out_h + oy) * p->out_w + ox;
        if (y0 >= y1 || x0 >= x1) {
          out[o] = 0.0f;
          continue;
        }
        float sum = 0.0f;
        for (int64_t iy = y0; iy < y1; ++iy)
          for (int64_t ix = x0; ix < x1; ++ix) sum += xc[iy * p->in_w + ix];
        const int64_t div = divisor > 0 ? divisor : count_include_pad ? padded_size : (y1 - y0) * (x1 - x0);
        out[o] = sum / (float)div;
      }
    }
  }
}

/* Adaptive average: output cell o of a dim of size in covers [floor(o * in / out),
 * ceil((o + 1) * in / out)). */
static inline void aoti_adaptive_avg_pool2d(int64_t planes, int64_t in_h, int64_t in_w, int64_t out_h, int64_t out_w,
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
