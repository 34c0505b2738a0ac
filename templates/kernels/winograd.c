/* winograd.c — 3x3, stride-1 convolutions by Winograd's minimal filtering F(4x4, 3x3)
 * (templates/kernels, embedded into aotic and pasted into each model source that uses it; needs
 * gemm.c and conv.c before it: their vector helpers, epilogue and shape struct).
 *
 * Lavin & Gray 2015, "Fast Algorithms for Convolutional Neural Networks" (arXiv:1509.09308): a
 * 4x4 output tile Y of a 3x3 filter g over a 6x6 input tile d is
 *     Y = A^T [ (G g G^T) (.) (B^T d B) ] A
 * with the interpolation points 0, 1, -1, 2, -2 and infinity:
 *     B^T = [ 4  0 -5  0  1  0 ]    G = [  1/4     0     0  ]    A^T = [ 1  1  1  1  1  0 ]
 *           [ 0 -4 -4  1  1  0 ]        [ -1/6  -1/6  -1/6  ]          [ 0  1 -1  2 -2  0 ]
 *           [ 0  4 -4 -1  1  0 ]        [ -1/6   1/6  -1/6  ]          [ 0  1  1  4  4  0 ]
 *           [ 0 -2 -1  2  1  0 ]        [ 1/24  1/12   1/6  ]          [ 0  1 -1  8 -8  1 ]
 *           [ 0  2 -1 -2  1  0 ]        [ 1/24 -1/12   1/6  ]
 *           [ 0  4  0 -5  0  1 ]        [   0     0     1   ]
 * 36 multiplications per tile and channel pair instead of 144: summed over input channels, the
 * elementwise products become 36 matrix products, one per transform-domain position k = 6i + j.
 *
 * u, the transformed weights, is made at compile time (passes/prepack.c) in exactly the layout
 * the products read, so nothing is packed at run time: the output channels in panels of
 * AOTI_WINOGRAD_PANEL (32), per panel and k in_channels rows of 32 floats (zeros past the last
 * output channel), a panel's 36 products one contiguous stream:
 *     u[((p * 36 + k) * in_channels + c) * 32 + l] = (G w[32p + l][c] G^T)[k].
 * The panel width is the same on every target: a row is one 32-float tile row of the product on
 * AVX-512, two 16-float halves on AVX2, four 8-float quarters on the generic 4-lane target.
 *
 * Work: the output tiles of all images (tiles_h * tiles_w per image, partial ones at the right
 * and bottom edges) in blocks of at most AOTI_WINOGRAD_MAX_TILES, items (tile block, output
 * panel) split over the threads. A thread transforms a block's input once for all its items of
 * that block: V [36][in_channels][tiles], tiles along vector lanes (on AVX-512, 16 tiles' patch
 * rows loaded with masked loads and transposed in registers), the next input plane prefetched.
 * Per panel, 36 products M[k] [tiles][32] = V[k]^T u[panel][k], each in register tiles of up to
 * AOTI_WINOGRAD_MR tiles x 32 channels summed over all input channels (aoti_winograd_kernel, u
 * prefetched: it streams from memory when big); then the output transform along the panel's
 * channels, a transpose to 4x4 pixel tiles, and the epilogue (bias, residual, gemm.c's vector
 * activation) into out. Never allocates; reentrant. */

/* The panel width, the block and scratch sizes are in kernels.h. */
#define AOTI_WINOGRAD_SHARED_U_BYTES (4 << 20) /* u read again per thread rather than input twice */
/* Tile rows of a product's register tile: acc[MR][2] plus two u vectors and a broadcast fit the
 * target's vector registers (32 zmm; 16 ymm or xmm). */
#if defined(__AVX512F__)
#define AOTI_WINOGRAD_MR 14
#elif defined(__AVX2__)
#define AOTI_WINOGRAD_MR 6
#else
#define AOTI_WINOGRAD_MR 4
#endif
#define AOTI_WINOGRAD_NR (2 * AOTI_VL) /* channels of a register tile: 32 / NR of them per panel */
/* 16x16 transposes in registers where the target has the shuffles (else through memory). */
#if defined(__AVX512F__) && defined(__AVX512VL__)
#define AOTI_WINOGRAD_AVX512 1
#else
#define AOTI_WINOGRAD_AVX512 0
#endif

/* r = B^T d for one column (or row) of 6 vectors. */
static inline void aoti_winograd_in6(const aoti_vf d0, const aoti_vf d1, const aoti_vf d2, const aoti_vf d3,
                                     const aoti_vf d4, const aoti_vf d5, aoti_vf r[6]) {
  r[0] = 4.0f * d0 - 5.0f * d2 + d4;
  r[1] = -4.0f * (d1 + d2) + d3 + d4;
  r[2] = 4.0f * (d1 - d2) - d3 + d4;
  r[3] = 2.0f * (d3 - d1) - d2 + d4;
  r[4] = 2.0f * (d1 - d3) - d2 + d4;
  r[5] = 4.0f * d1 - 5.0f * d3 + d5;
}

/* y = A^T m for one column (or row) of 6 vectors. */
static inline void aoti_winograd_out6(const aoti_vf m0, const aoti_vf m1, const aoti_vf m2, const aoti_vf m3,
                                      const aoti_vf m4, const aoti_vf m5, aoti_vf y[4]) {
  const aoti_vf s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
  y[0] = m0 + s12 + s34;
  y[1] = d12 + 2.0f * d34;
  y[2] = s12 + 4.0f * s34;
  y[3] = d12 + 8.0f * d34 + m5;
}

#if AOTI_WINOGRAD_AVX512
/* r[i][j] = r[j][i] for 16 vectors of 16 floats (4 rounds of shuffles). */
static inline void aoti_winograd_transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 16; i += 2) { /* per 128-bit lane: a0 b0 a1 b1 | a2 b2 a3 b3 */
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) { /* u[i + q], lane l: column 4l + q of rows i .. i + 3 */
    u[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    u[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
    u[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    u[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
  }
  for (int h = 0; h < 16; h += 8) /* t[h + q]: columns q, q + 8; t[h + 4 + q]: q + 4, q + 12 */
    for (int q = 0; q < 4; ++q) {
      t[h + q] = _mm512_shuffle_f32x4(u[h + q], u[h + 4 + q], 0x88);
      t[h + 4 + q] = _mm512_shuffle_f32x4(u[h + q], u[h + 4 + q], 0xdd);
    }
  for (int q = 0; q < 8; ++q) {
    r[q] = _mm512_shuffle_f32x4(t[q], t[8 + q], 0x88);
    r[8 + q] = _mm512_shuffle_f32x4(t[q], t[8 + q], 0xdd);
  }
}
#endif

/* The geometry of one call: tiles over all images, blocks of tiles, panels of output channels. */
typedef struct aoti_winograd_task {
  const aoti_abi_threads *th;
  const aoti_conv_shape *p;
  const float *x, *u;
  const aoti_epilogue *ep;
  float *out;
  int64_t tiles_h, tiles_w, tiles; /* per image: tiles_h * tiles_w; tiles: all images */
  int64_t blocks, block_tiles;     /* tile blocks and tiles per block (the last may have fewer) */
  int64_t panels;                  /* panels of AOTI_WINOGRAD_PANEL output channels */
} aoti_winograd_task;

/* Image, first output row and column of tile `tile` (counted over all images). */
static inline void aoti_winograd_tile_at(const aoti_winograd_task *w, int64_t tile, int64_t *b, int64_t *oy,
                                         int64_t *ox) {
  const int64_t per_image = w->tiles_h * w->tiles_w, in_image = tile % per_image;
  *b = tile / per_image;
  *oy = in_image / w->tiles_w * 4;
  *ox = in_image % w->tiles_w * 4;
}

/* Where the input patches of AOTI_VL consecutive tiles lie (found once, used per channel): per
 * tile, the offset in x (channel 0) of the patch's first column inside the image on its row 0
 * (row 0 itself may be outside), which of its 6 rows and columns are inside the image, and
 * whether columns are missing on the left (then the first inside column goes to lane `skip`). */
typedef struct aoti_winograd_group {
  int64_t at[AOTI_VL];
  unsigned rows[AOTI_VL], cols[AOTI_VL]; /* bit r / s: inside; a tile past the block: rows 0 */
  int skip[AOTI_VL];
} aoti_winograd_group;

static void aoti_winograd_find_group(const aoti_winograd_task *w, int64_t first, int64_t count,
                                     aoti_winograd_group *g) {
  const aoti_conv_shape *p = w->p;
  for (int64_t t = 0; t < AOTI_VL; ++t) {
    g->rows[t] = g->cols[t] = 0;
    g->at[t] = 0;
    g->skip[t] = 0;
    if (t >= count) continue;
    int64_t b, oy, ox;
    aoti_winograd_tile_at(w, first + t, &b, &oy, &ox);
    const int64_t iy0 = oy - p->pad_h, ix0 = ox - p->pad_w;
    for (int r = 0; r < 6; ++r) g->rows[t] |= (unsigned)(iy0 + r >= 0 && iy0 + r < p->in_h) << r;
    for (int s = 0; s < 6; ++s) g->cols[t] |= (unsigned)(ix0 + s >= 0 && ix0 + s < p->in_w) << s;
    g->skip[t] = ix0 < 0 ? (int)(-ix0 < 6 ? -ix0 : 6) : 0;
    g->at[t] = b * p->in_channels * p->in_h * p->in_w + iy0 * p->in_w + (ix0 < 0 ? 0 : ix0);
  }
}

/* d[r * 6 + s] lane t = the 6x6 input patch of channel plane offset `plane` under tile t (zeros
 * outside the image and past the block). */
static inline void aoti_winograd_gather(const aoti_winograd_task *w, const aoti_winograd_group *g, int64_t plane,
                                        aoti_vf d[36]) {
  const float *x = w->x + plane;
  const int64_t in_w = w->p->in_w;
#if AOTI_WINOGRAD_AVX512
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (int r = 0; r < 6; r += 2) { /* 16 tiles' rows r and r + 1 in one zmm each, transposed */
    __m512 v[16];
    for (int t = 0; t < 16; ++t) {
      __m256 half[2];
      for (int h = 0; h < 2; ++h) { /* lanes outside the image masked: never read */
        const int inside = g->rows[t] >> (r + h) & 1u;
        const __mmask8 cols = (__mmask8)(inside ? g->cols[t] : 0u);
        const float *row = x + (inside ? g->at[t] + (r + h) * in_w : 0);
        half[h] = _mm256_maskz_loadu_ps((__mmask8)(cols >> g->skip[t]), row);
        if (g->skip[t]) /* the row's first columns go to lanes skip.. (vexpandps is microcoded) */
          half[h] = _mm256_maskz_permutexvar_ps(cols, _mm256_sub_epi32(lane, _mm256_set1_epi32(g->skip[t])), half[h]);
      }
      v[t] = _mm512_castpd_ps(
          _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(half[0])), _mm256_castps_pd(half[1]), 1));
    }
    aoti_winograd_transpose16(v);
    for (int s = 0; s < 6; ++s) {
      d[r * 6 + s] = (aoti_vf)v[s];
      d[(r + 1) * 6 + s] = (aoti_vf)v[8 + s];
    }
  }
#else
  float dd[36][AOTI_VL];
  for (int t = 0; t < AOTI_VL; ++t)
    for (int r = 0; r < 6; ++r)
      for (int s = 0; s < 6; ++s)
        dd[r * 6 + s][t] = (g->rows[t] >> r & g->cols[t] >> s & 1u) ? x[g->at[t] + r * in_w + s - g->skip[t]] : 0.0f;
  for (int k = 0; k < 36; ++k) d[k] = aoti_vload(dd[k]);
#endif
}

/* The input rows the patches of tiles [first, first + count) read, per image (the first
 * AOTI_WINOGRAD_SPANS images only): offsets in x of channel 0 and lengths, in floats. */
#define AOTI_WINOGRAD_SPANS 4
typedef struct aoti_winograd_spans {
  int64_t at[AOTI_WINOGRAD_SPANS], len[AOTI_WINOGRAD_SPANS];
  int count;
} aoti_winograd_spans;

static void aoti_winograd_find_spans(const aoti_winograd_task *w, int64_t first, int64_t count,
                                     aoti_winograd_spans *sp) {
  const aoti_conv_shape *p = w->p;
  int64_t image = -1, lo = 0, hi = 0;
  sp->count = 0;
  for (int64_t t = 0; t <= count; ++t) {
    int64_t b = -2, oy = 0, ox;
    if (t < count) aoti_winograd_tile_at(w, first + t, &b, &oy, &ox);
    if (b != image && image >= 0 && hi > lo && sp->count < AOTI_WINOGRAD_SPANS) {
      sp->at[sp->count] = (image * p->in_channels * p->in_h + lo) * p->in_w;
      sp->len[sp->count++] = (hi - lo) * p->in_w;
    }
    const int64_t top = oy - p->pad_h < 0 ? 0 : oy - p->pad_h, bottom = oy - p->pad_h + 6 < p->in_h ? oy - p->pad_h + 6 : p->in_h;
    if (b != image) lo = top, hi = bottom;
    lo = top < lo ? top : lo;
    hi = bottom > hi ? bottom : hi;
    image = b;
  }
}

/* v[k][c][t] = (B^T d B)[k] of every input channel c for the block's tiles [first, first +
 * count); t < tiles_pad (count rounded up to AOTI_VL: the lanes past count hold zeros). Channel by
 * channel, so that the patches' rows are read plane after plane, the next plane's prefetched (the
 * short scattered rows would otherwise wait on memory one plane at a time). */
static void aoti_winograd_input(const aoti_winograd_task *w, int64_t first, int64_t count, int64_t tiles_pad,
                                float *v) {
  const aoti_conv_shape *p = w->p;
  const int64_t in_c = p->in_channels, plane = p->in_h * p->in_w, kstride = in_c * tiles_pad + AOTI_WINOGRAD_SKEW;
  aoti_winograd_group groups[AOTI_WINOGRAD_MAX_TILES / AOTI_VL];
  for (int64_t t0 = 0; t0 < count; t0 += AOTI_VL)
    aoti_winograd_find_group(w, first + t0, count - t0, &groups[t0 / AOTI_VL]);
  aoti_winograd_spans spans;
  aoti_winograd_find_spans(w, first, count, &spans);
  for (int64_t c = 0; c < in_c; ++c)
    for (int64_t t0 = 0; t0 < count; t0 += AOTI_VL) {
      aoti_vf d[36], bd[36], r[6];
      for (int i = 0; t0 == 0 && c + 1 < in_c && i < spans.count; ++i)
        for (int64_t q = 0; q < spans.len[i]; q += 16) __builtin_prefetch(w->x + (c + 1) * plane + spans.at[i] + q);
      aoti_winograd_gather(w, &groups[t0 / AOTI_VL], c * plane, d);
      for (int s = 0; s < 6; ++s) { /* columns: bd[i * 6 + s] = (B^T d)[i][s] */
        aoti_winograd_in6(d[s], d[6 + s], d[12 + s], d[18 + s], d[24 + s], d[30 + s], r);
        for (int i = 0; i < 6; ++i) bd[i * 6 + s] = r[i];
      }
      float *vc = v + c * tiles_pad + t0;
      for (int i = 0; i < 6; ++i) { /* rows: (B^T d B)[i][j] */
        const aoti_vf *b = bd + i * 6;
        aoti_winograd_in6(b[0], b[1], b[2], b[3], b[4], b[5], r);
        for (int j = 0; j < 6; ++j) aoti_vstore(vc + (i * 6 + j) * kstride, r[j]);
      }
    }
}

/* m[r][0 .. NR) = sum_c v[c * v_step + r] * u[c * PANEL + 0 .. NR) for r < rows (a constant after
 * inlining: the loops unroll and the rows x 2 accumulators stay in registers). */
static inline __attribute__((always_inline)) void aoti_winograd_kernel(int rows, int64_t n, const float *restrict v,
                                                                       int64_t v_step, const float *restrict u,
                                                                       float *restrict m) {
  aoti_vf acc[AOTI_WINOGRAD_MR][2];
AOTI_UNROLL
  for (int r = 0; r < rows; ++r) acc[r][0] = acc[r][1] = aoti_vsplat(0.0f);
  for (int64_t c = 0; c < n; ++c) {
    __builtin_prefetch(u + 128 * AOTI_WINOGRAD_PANEL); /* u streams from memory: 16 KiB ahead */
    __builtin_prefetch(u + 128 * AOTI_WINOGRAD_PANEL + 16);
    const aoti_vf u0 = aoti_vload(u), u1 = aoti_vload(u + AOTI_VL);
AOTI_UNROLL
    for (int r = 0; r < rows; ++r) {
      const aoti_vf a = aoti_vsplat(v[r]);
      acc[r][0] = aoti_vfma(acc[r][0], a, u0);
      acc[r][1] = aoti_vfma(acc[r][1], a, u1);
    }
    v += v_step;
    u += AOTI_WINOGRAD_PANEL;
  }
AOTI_UNROLL
  for (int r = 0; r < rows; ++r) {
    aoti_vstore(m + r * AOTI_WINOGRAD_PANEL, acc[r][0]);
    aoti_vstore(m + r * AOTI_WINOGRAD_PANEL + AOTI_VL, acc[r][1]);
  }
}

/* aoti_winograd_kernel for 1 <= rows <= AOTI_WINOGRAD_MR, one instance per row count. */
static void aoti_winograd_rows(int64_t rows, int64_t n, const float *v, int64_t v_step, const float *u, float *m) {
#define AOTI_WINOGRAD_ROWS(R) \
  case R: aoti_winograd_kernel(R, n, v, v_step, u, m); break;
  switch (rows) {
    AOTI_WINOGRAD_ROWS(1) AOTI_WINOGRAD_ROWS(2) AOTI_WINOGRAD_ROWS(3) AOTI_WINOGRAD_ROWS(4)
#if AOTI_WINOGRAD_MR >= 6
    AOTI_WINOGRAD_ROWS(5) AOTI_WINOGRAD_ROWS(6)
#endif
#if AOTI_WINOGRAD_MR >= 14
    AOTI_WINOGRAD_ROWS(7) AOTI_WINOGRAD_ROWS(8) AOTI_WINOGRAD_ROWS(9) AOTI_WINOGRAD_ROWS(10)
    AOTI_WINOGRAD_ROWS(11) AOTI_WINOGRAD_ROWS(12) AOTI_WINOGRAD_ROWS(13) AOTI_WINOGRAD_ROWS(14)
#endif
    default: break;
  }
#undef AOTI_WINOGRAD_ROWS
}

/* m[k][t][0 .. PANEL) = sum_c v[k][c][t] u[k][panel][c][..] for the block's `count` tiles, in
 * register tiles of near-equal row counts <= AOTI_WINOGRAD_MR. */
static void aoti_winograd_products(const aoti_winograd_task *w, const float *v, int64_t count, int64_t tiles_pad,
                                   int64_t panel, float *m) {
  const int64_t in_c = w->p->in_channels, parts = (count + AOTI_WINOGRAD_MR - 1) / AOTI_WINOGRAD_MR;
  for (int64_t k = 0; k < 36; ++k) {
    const float *vk = v + k * (in_c * tiles_pad + AOTI_WINOGRAD_SKEW), *uk = w->u + (panel * 36 + k) * in_c * AOTI_WINOGRAD_PANEL;
    float *mk = m + k * (count * AOTI_WINOGRAD_PANEL + AOTI_WINOGRAD_SKEW);
    for (int64_t i = 0; i < parts; ++i) {
      const int64_t t0 = count * i / parts, t1 = count * (i + 1) / parts;
      for (int64_t h = 0; h < AOTI_WINOGRAD_PANEL; h += AOTI_WINOGRAD_NR)
        aoti_winograd_rows(t1 - t0, in_c, vk + t0, tiles_pad, uk + h, mk + t0 * AOTI_WINOGRAD_PANEL + h);
    }
  }
}

/* The output tile of one output channel, pixel q = 4 * row + column, clipped to rows x cols. */
typedef struct aoti_winograd_place {
  float *out;
  const float *residual; /* or NULL */
  int64_t ld, rows, cols; /* ld: between rows */
} aoti_winograd_place;

#if AOTI_WINOGRAD_AVX512
/* out[b][o0 + o][oy + r][ox + s] = ep(y[4r + s] lane o) for o < lanes, the 16 channels' pixels
 * transposed into one vector each. */
static void aoti_winograd_store(const aoti_winograd_task *w, const aoti_winograd_place *at, int64_t o0,
                                int64_t lanes, const aoti_vf y[16]) {
  const aoti_epilogue *ep = w->ep;
  const int64_t plane = w->p->out_h * w->p->out_w;
  const __mmask8 cols = (__mmask8)((1u << at->cols) - 1u);
  __m512 t[16];
  for (int q = 0; q < 16; ++q) t[q] = (__m512)y[q];
  aoti_winograd_transpose16(t);
  for (int64_t o = 0; o < lanes; ++o) {
    aoti_vf v = (aoti_vf)t[o];
    if (ep->bias) v += ep->bias[o0 + o];
    if (at->residual) {
      __m512 res;
      const float *src = at->residual + o * plane;
      res = _mm512_zextps128_ps512(_mm_maskz_loadu_ps(cols, src)); /* rows past at->rows stay 0 */
      if (at->rows > 1) res = _mm512_insertf32x4(res, _mm_maskz_loadu_ps(cols, src + at->ld), 1);
      if (at->rows > 2) res = _mm512_insertf32x4(res, _mm_maskz_loadu_ps(cols, src + 2 * at->ld), 2);
      if (at->rows > 3) res = _mm512_insertf32x4(res, _mm_maskz_loadu_ps(cols, src + 3 * at->ld), 3);
      v += (aoti_vf)res;
    }
    v = aoti_vact(ep->act, v);
    float *dst = at->out + o * plane;
    _mm_mask_storeu_ps(dst, cols, _mm512_castps512_ps128((__m512)v));
    if (at->rows > 1) _mm_mask_storeu_ps(dst + at->ld, cols, _mm512_extractf32x4_ps((__m512)v, 1));
    if (at->rows > 2) _mm_mask_storeu_ps(dst + 2 * at->ld, cols, _mm512_extractf32x4_ps((__m512)v, 2));
    if (at->rows > 3) _mm_mask_storeu_ps(dst + 3 * at->ld, cols, _mm512_extractf32x4_ps((__m512)v, 3));
  }
}
#else
/* The same through memory: z[o][q] = y[q] lane o, then the epilogue along z's rows. */
static void aoti_winograd_store(const aoti_winograd_task *w, const aoti_winograd_place *at, int64_t o0,
                                int64_t lanes, const aoti_vf y[16]) {
  const aoti_epilogue *ep = w->ep;
  const int64_t plane = w->p->out_h * w->p->out_w;
  float z[AOTI_VL][16] __attribute__((aligned(64)));
  for (int q = 0; q < 16; ++q)
    for (int o = 0; o < AOTI_VL; ++o) z[o][q] = y[q][o];
  for (int64_t o = 0; ep->bias && o < lanes; ++o)
    for (int q = 0; q < 16; ++q) z[o][q] += ep->bias[o0 + o];
  for (int64_t o = 0; at->residual && o < lanes; ++o)
    for (int64_t r = 0; r < at->rows; ++r)
      for (int64_t s = 0; s < at->cols; ++s) z[o][r * 4 + s] += at->residual[o * plane + r * at->ld + s];
  aoti_act_row(ep->act, z[0], AOTI_VL * 16); /* whole vectors (the lanes past `lanes` unused) */
  for (int64_t o = 0; o < lanes; ++o)
    for (int64_t r = 0; r < at->rows; ++r)
      for (int64_t s = 0; s < at->cols; ++s) at->out[o * plane + r * at->ld + s] = z[o][r * 4 + s];
}
#endif

/* Where tile `tile`'s outputs of channel o0 go. */
static aoti_winograd_place aoti_winograd_place_of(const aoti_winograd_task *w, int64_t tile, int64_t o0) {
  const aoti_conv_shape *p = w->p;
  int64_t b, oy, ox;
  aoti_winograd_tile_at(w, tile, &b, &oy, &ox);
  const int64_t at = ((b * p->out_channels + o0) * p->out_h + oy) * p->out_w + ox;
  const aoti_winograd_place place = {w->out + at, w->ep->residual ? w->ep->residual + at : NULL, p->out_w,
                                     p->out_h - oy < 4 ? p->out_h - oy : 4, p->out_w - ox < 4 ? p->out_w - ox : 4};
  return place;
}

/* Prefetches the output rows (and residual rows) of channels [o0, o0 + lanes) of tile `tile`:
 * rows of 32 output planes at once, which the hardware prefetcher does not follow. */
static void aoti_winograd_prefetch_place(const aoti_winograd_task *w, int64_t tile, int64_t o0, int64_t lanes) {
  const aoti_winograd_place at = aoti_winograd_place_of(w, tile, o0);
  const int64_t plane = w->p->out_h * w->p->out_w;
  for (int64_t o = 0; o < lanes; ++o)
    for (int64_t r = 0; r < at.rows; ++r) {
      __builtin_prefetch(at.out + o * plane + r * at.ld, 1);
      if (at.residual) __builtin_prefetch(at.residual + o * plane + r * at.ld);
    }
}

/* out = ep(A^T M A) for the panel's output channels of tiles [first, first + count); m as the
 * products wrote it, [36][count][PANEL]. */
static void aoti_winograd_output(const aoti_winograd_task *w, int64_t first, int64_t count, int64_t panel,
                                 const float *m) {
  const int64_t kstride = count * AOTI_WINOGRAD_PANEL + AOTI_WINOGRAD_SKEW, out_c = w->p->out_channels;
  const int64_t p0 = panel * AOTI_WINOGRAD_PANEL, lanes = out_c - p0 < AOTI_WINOGRAD_PANEL ? out_c - p0 : AOTI_WINOGRAD_PANEL;
  for (int64_t t = 0; t < count; ++t) {
    if (t % 4 == 0 && t + 4 < count) aoti_winograd_prefetch_place(w, first + t + 4, p0, lanes); /* 64 B ahead */
    for (int64_t o = 0; o < lanes; o += AOTI_VL) {
      const float *mt = m + t * AOTI_WINOGRAD_PANEL + o;
      aoti_vf am[24], y[16], r4[4];
      for (int j = 0; j < 6; ++j) { /* columns: am[r * 6 + j] = (A^T M)[r][j] */
        const float *mj = mt + j * kstride;
        aoti_winograd_out6(aoti_vload(mj), aoti_vload(mj + 6 * kstride), aoti_vload(mj + 12 * kstride),
                           aoti_vload(mj + 18 * kstride), aoti_vload(mj + 24 * kstride),
                           aoti_vload(mj + 30 * kstride), r4);
        for (int r = 0; r < 4; ++r) am[r * 6 + j] = r4[r];
      }
      for (int r = 0; r < 4; ++r) /* rows: y[r * 4 + s] = (A^T M A)[r][s] */
        aoti_winograd_out6(am[r * 6], am[r * 6 + 1], am[r * 6 + 2], am[r * 6 + 3], am[r * 6 + 4], am[r * 6 + 5],
                           y + r * 4);
      const int64_t o0 = panel * AOTI_WINOGRAD_PANEL + o;
      const aoti_winograd_place at = aoti_winograd_place_of(w, first + t, o0);
      aoti_winograd_store(w, &at, o0, out_c - o0 < AOTI_VL ? out_c - o0 : AOTI_VL, y);
    }
  }
}

/* Items [begin, end), item = block * panels + panel: a block's input is transformed once for the
 * consecutive items of that block this thread runs. */
static void aoti_winograd_range(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_winograd_task *w = (const aoti_winograd_task *)task;
  float *v = (float *)((char *)w->th->scratch + (uint64_t)thread * w->th->scratch_stride);
  float *m = v + AOTI_WINOGRAD_V_FLOATS;
  int64_t in_v = -1; /* the block whose transformed input v holds */
  for (int64_t item = begin; item < end; ++item) {
    const int64_t block = item / w->panels, first = block * w->block_tiles;
    const int64_t count = w->tiles - first < w->block_tiles ? w->tiles - first : w->block_tiles;
    const int64_t tiles_pad = (count + AOTI_VL - 1) / AOTI_VL * AOTI_VL;
    if (block != in_v) aoti_winograd_input(w, first, count, tiles_pad, v);
    in_v = block;
    aoti_winograd_products(w, v, count, tiles_pad, item % w->panels, m);
    aoti_winograd_output(w, first, count, item % w->panels, m);
  }
}

/* out [batch, out_channels, out_h, out_w] = ep(conv(x [batch, in_channels, in_h, in_w], w)) for
 * a 3x3, stride-1, dilation-1, ungrouped convolution with any padding and in_channels <=
 * AOTI_WINOGRAD_MAX_IN, u = w transformed (above). ep's bias is per output channel, its residual
 * laid out as out. */
AOTI_KERNEL_API void aoti_conv2d_winograd(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *u,
                                 const aoti_epilogue *ep, float *out) {
  aoti_winograd_task w = {th, p, x, u, ep, out, (p->out_h + 3) / 4, (p->out_w + 3) / 4, 0, 0, 0, 0};
  w.tiles = p->batch * w.tiles_h * w.tiles_w;
  if (w.tiles == 0 || p->out_channels == 0) return;
  /* Blocks as large as V allows (u is read once per block) and of near-equal size. */
  int64_t most = AOTI_WINOGRAD_V_TILE_CHANNELS / (p->in_channels > 0 ? p->in_channels : 1) / AOTI_VL * AOTI_VL;
  if (most > AOTI_WINOGRAD_MAX_TILES) most = AOTI_WINOGRAD_MAX_TILES;
  w.blocks = (w.tiles + most - 1) / most;
  w.block_tiles = (w.tiles + w.blocks - 1) / w.blocks;
  w.panels = (p->out_channels + AOTI_WINOGRAD_PANEL - 1) / AOTI_WINOGRAD_PANEL;
  /* Fewer blocks than threads: threads share a block's panels and each transforms its input again.
   * Where u is small enough to be read once per thread from the shared cache, one block per
   * thread instead (not below 8 tiles, which keep the register tiles busy). */
  const int64_t u_bytes = w.panels * 36 * p->in_channels * AOTI_WINOGRAD_PANEL * 4;
  if (w.blocks < th->count && u_bytes <= AOTI_WINOGRAD_SHARED_U_BYTES && w.tiles >= 8 * th->count) {
    w.blocks = th->count;
    w.block_tiles = (w.tiles + w.blocks - 1) / w.blocks;
    w.blocks = (w.tiles + w.block_tiles - 1) / w.block_tiles;
  }
  th->parallel_for(th->ctx, w.blocks * w.panels, aoti_winograd_range, &w);
}
