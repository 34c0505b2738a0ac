/* winograd.c — 3x3, stride-1 convolutions by Winograd's minimal filtering F(4x4, 3x3)
 * (templates/kernels, embedded into aotic and pasted into each model source that uses it; needs
 * gemm.c and conv.c before it).
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
 * elementwise products become 36 GEMMs, one per transform-domain position k = 6 * i + j.
 *
 * u, the transformed weights, is made at compile time (passes/prepack.c): u[k][c][o] =
 * (G w[o][c] G^T)[i][j], float32, layout [36][in_channels][out_channels], so that the weights
 * are the GEMMs' right operand, read along output channels (gemm.c packs it by contiguous rows).
 *
 * Work: the output tiles of all images (tiles_h * tiles_w per image, partial ones at the right and
 * bottom edges) in blocks of AOTI_WINOGRAD_TILES; per block and block of output channels, per
 * chunk of input channels: input transform into the thread's scratch V [36][chunk][tiles], 36
 * GEMMs M[k] [tiles][o block] (+)= V[k]^T @ u[k][chunk][o block]; then the output transform and
 * the epilogue straight into out. The input transform runs on a block's tiles at once, the output
 * transform on AOTI_WINOGRAD_LANES output channels at once, both along contiguous memory, so -O3
 * vectorises them. Parallel over (tile block, output-channel block) items. Never allocates;
 * reentrant. */

#define AOTI_WINOGRAD_TILES (2 * AOTI_GEMM_MR) /* tiles per block: whole row panels of the GEMM */
#define AOTI_WINOGRAD_LANES 16                 /* output channels per output transform step */
#define AOTI_WINOGRAD_CHUNK_C 256              /* input channels per transformed chunk (V) */
#define AOTI_WINOGRAD_BLOCK_O 256              /* output channels per block (M), a multiple of LANES */
#define AOTI_WINOGRAD_V_BYTES (36 * AOTI_WINOGRAD_CHUNK_C * AOTI_WINOGRAD_TILES * 4)
#define AOTI_WINOGRAD_M_BYTES (36 * AOTI_WINOGRAD_TILES * AOTI_WINOGRAD_BLOCK_O * 4)
#define AOTI_WINOGRAD_GEMM_BYTES ((AOTI_GEMM_THREAD_SCRATCH + 63) / 64 * 64)
/* Scratch bytes per thread: the GEMM's, then V, then M. */
#define AOTI_WINOGRAD_THREAD_SCRATCH (AOTI_WINOGRAD_GEMM_BYTES + AOTI_WINOGRAD_V_BYTES + AOTI_WINOGRAD_M_BYTES)

/* B^T d over 6 rows of `n` lanes: d rows `ds` floats apart, results `rs` apart. */
static inline void aoti_winograd_in6(int64_t n, const float *restrict d, int64_t ds, float *restrict r, int64_t rs) {
  for (int64_t t = 0; t < n; ++t) {
    const float d0 = d[t], d1 = d[ds + t], d2 = d[2 * ds + t], d3 = d[3 * ds + t], d4 = d[4 * ds + t],
                d5 = d[5 * ds + t];
    r[t] = 4.0f * d0 - 5.0f * d2 + d4;
    r[rs + t] = -4.0f * (d1 + d2) + d3 + d4;
    r[2 * rs + t] = 4.0f * (d1 - d2) - d3 + d4;
    r[3 * rs + t] = 2.0f * (d3 - d1) - d2 + d4;
    r[4 * rs + t] = 2.0f * (d1 - d3) - d2 + d4;
    r[5 * rs + t] = 4.0f * d1 - 5.0f * d3 + d5;
  }
}

/* A^T m over 6 rows of AOTI_WINOGRAD_LANES lanes: m rows `ms` apart, the 4 results `ys` apart. */
static inline void aoti_winograd_out6(const float *restrict m, int64_t ms, float *restrict y, int64_t ys) {
  for (int t = 0; t < AOTI_WINOGRAD_LANES; ++t) {
    const float m0 = m[t], m1 = m[ms + t], m2 = m[2 * ms + t], m3 = m[3 * ms + t], m4 = m[4 * ms + t],
                m5 = m[5 * ms + t];
    const float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
    y[t] = m0 + s12 + s34;
    y[ys + t] = d12 + 2.0f * d34;
    y[2 * ys + t] = s12 + 4.0f * s34;
    y[3 * ys + t] = d12 + 8.0f * d34 + m5;
  }
}

/* The geometry of one call: tiles over all images, blocks of tiles and of output channels. */
typedef struct aoti_winograd_task {
  const aoti_abi_threads *th;
  const aoti_conv_shape *p;
  const float *x, *u;
  const aoti_epilogue *ep;
  float *out;
  int64_t tiles_h, tiles_w, tiles;   /* per image: tiles_h * tiles_w; tiles: all images */
  int64_t tile_blocks, block_o, o_blocks;
} aoti_winograd_task;

/* Image, first output row and column of tile `tile` (counted over all images). */
static inline void aoti_winograd_tile_at(const aoti_winograd_task *w, int64_t tile, int64_t *b, int64_t *oy,
                                         int64_t *ox) {
  const int64_t per_image = w->tiles_h * w->tiles_w, in_image = tile % per_image;
  *b = tile / per_image;
  *oy = in_image / w->tiles_w * 4;
  *ox = in_image % w->tiles_w * 4;
}

/* Where the input patches of a block's tiles lie (found once per block, used per channel): the
 * image's offset in x, the patch's top-left input pixel, and whether the patch is all inside. */
typedef struct aoti_winograd_patches {
  int64_t image[AOTI_WINOGRAD_TILES], iy0[AOTI_WINOGRAD_TILES], ix0[AOTI_WINOGRAD_TILES];
  int inside[AOTI_WINOGRAD_TILES];
} aoti_winograd_patches;

static void aoti_winograd_find_patches(const aoti_winograd_task *w, int64_t first, int64_t count,
                                       aoti_winograd_patches *pt) {
  const aoti_conv_shape *p = w->p;
  for (int64_t t = 0; t < count; ++t) {
    int64_t b, oy, ox;
    aoti_winograd_tile_at(w, first + t, &b, &oy, &ox);
    pt->image[t] = b * p->in_channels * p->in_h * p->in_w;
    pt->iy0[t] = oy - p->pad_h;
    pt->ix0[t] = ox - p->pad_w;
    pt->inside[t] = pt->iy0[t] >= 0 && pt->ix0[t] >= 0 && pt->iy0[t] + 6 <= p->in_h && pt->ix0[t] + 6 <= p->in_w;
  }
}

/* d[r * 6 + s][t] = the 6x6 input patch of channel c under tile t of the block (zeros outside the
 * image and past the last tile). */
static void aoti_winograd_gather(const aoti_winograd_task *w, const aoti_winograd_patches *pt, int64_t count,
                                 int64_t c, float d[36][AOTI_WINOGRAD_TILES]) {
  const aoti_conv_shape *p = w->p;
  const int64_t h = p->in_h, wd = p->in_w;
  for (int64_t t = 0; t < AOTI_WINOGRAD_TILES; ++t) {
    if (t >= count) {
      for (int k = 0; k < 36; ++k) d[k][t] = 0.0f;
      continue;
    }
    const float *xc = w->x + pt->image[t] + c * h * wd;
    const int64_t iy0 = pt->iy0[t], ix0 = pt->ix0[t];
    if (pt->inside[t]) {
      for (int r = 0; r < 6; ++r) {
        const float *row = xc + (iy0 + r) * wd + ix0;
        for (int s = 0; s < 6; ++s) d[r * 6 + s][t] = row[s];
      }
      continue;
    }
    for (int r = 0; r < 6; ++r)
      for (int s = 0; s < 6; ++s) {
        const int64_t iy = iy0 + r, ix = ix0 + s;
        d[r * 6 + s][t] = iy >= 0 && iy < h && ix >= 0 && ix < wd ? xc[iy * wd + ix] : 0.0f;
      }
  }
}

/* v[k][c - c0][t] = (B^T d B)[k] for channels [c0, c0 + cc) of the block's tiles. */
static void aoti_winograd_input(const aoti_winograd_task *w, const aoti_winograd_patches *pt, int64_t count,
                                int64_t c0, int64_t cc, float *v) {
  float d[36][AOTI_WINOGRAD_TILES], bd[36][AOTI_WINOGRAD_TILES];
  const int64_t kstride = cc * AOTI_WINOGRAD_TILES; /* between transform positions in v */
  for (int64_t c = 0; c < cc; ++c) {
    aoti_winograd_gather(w, pt, count, c0 + c, d);
    for (int s = 0; s < 6; ++s) /* columns: bd[i][s] = (B^T d)[i][s] */
      aoti_winograd_in6(AOTI_WINOGRAD_TILES, d[s], 6 * AOTI_WINOGRAD_TILES, bd[s], 6 * AOTI_WINOGRAD_TILES);
    for (int i = 0; i < 6; ++i) /* rows: (B^T d B)[i][j] */
      aoti_winograd_in6(AOTI_WINOGRAD_TILES, bd[i * 6], AOTI_WINOGRAD_TILES,
                        v + 6 * i * kstride + c * AOTI_WINOGRAD_TILES, kstride);
  }
}

/* out[b][o0 + o][oy + r][ox + s] = ep(y[r * 4 + s][o]) (y: 16 rows of AOTI_WINOGRAD_LANES, the
 * epilogue applied in place along the lanes) for lanes o < lanes, clipped to the image. */
static void aoti_winograd_store(const aoti_winograd_task *w, int64_t tile, int64_t o0, int64_t lanes, float *y) {
  const aoti_conv_shape *p = w->p;
  const aoti_epilogue *ep = w->ep;
  int64_t b, oy, ox;
  aoti_winograd_tile_at(w, tile, &b, &oy, &ox);
  const int rows = p->out_h - oy < 4 ? (int)(p->out_h - oy) : 4, cols = p->out_w - ox < 4 ? (int)(p->out_w - ox) : 4;
  const int64_t plane = p->out_h * p->out_w, at = ((b * p->out_channels + o0) * p->out_h + oy) * p->out_w + ox;
  for (int k = 0; ep->bias && k < 16; ++k)
    for (int64_t o = 0; o < lanes; ++o) y[k * AOTI_WINOGRAD_LANES + o] += ep->bias[o0 + o];
  for (int r = 0; ep->residual && r < rows; ++r)
    for (int s = 0; s < cols; ++s) {
      const float *res = ep->residual + at + r * p->out_w + s;
      for (int64_t o = 0; o < lanes; ++o) y[(r * 4 + s) * AOTI_WINOGRAD_LANES + o] += res[o * plane];
    }
  aoti_act_row(ep->act, y, 16 * AOTI_WINOGRAD_LANES);
  for (int64_t o = 0; o < lanes; ++o) {
    float *dst = w->out + at + o * plane;
    for (int r = 0; r < rows; ++r)
      for (int s = 0; s < cols; ++s) dst[r * p->out_w + s] = y[(r * 4 + s) * AOTI_WINOGRAD_LANES + o];
  }
}

/* out = ep(A^T M A) for output channels [o0, o0 + oc) of tiles first + t; m [36][tiles][ldm]. */
static void aoti_winograd_output(const aoti_winograd_task *w, int64_t first, int64_t count, int64_t o0, int64_t oc,
                                 const float *m, int64_t ldm) {
  const int64_t kstride = AOTI_WINOGRAD_TILES * ldm;
  float am[24][AOTI_WINOGRAD_LANES], y[16][AOTI_WINOGRAD_LANES];
  for (int64_t t = 0; t < count; ++t)
    for (int64_t o = 0; o < oc; o += AOTI_WINOGRAD_LANES) {
      const float *mo = m + t * ldm + o;
      for (int j = 0; j < 6; ++j) /* columns: am[r][j] = (A^T M)[r][j] */
        aoti_winograd_out6(mo + j * kstride, 6 * kstride, am[j], 6 * AOTI_WINOGRAD_LANES);
      for (int r = 0; r < 4; ++r) /* rows: y[r][s] = (A^T M A)[r][s] */
        aoti_winograd_out6(am[r * 6], AOTI_WINOGRAD_LANES, y[r * 4], AOTI_WINOGRAD_LANES);
      aoti_winograd_store(w, first + t, o0 + o, oc - o < AOTI_WINOGRAD_LANES ? oc - o : AOTI_WINOGRAD_LANES, y[0]);
    }
}

/* One item: a block of tiles and a block of output channels. */
static void aoti_winograd_item(const aoti_winograd_task *w, void *scratch, int64_t item) {
  const aoti_conv_shape *p = w->p;
  const int64_t first = item / w->o_blocks * AOTI_WINOGRAD_TILES, o0 = item % w->o_blocks * w->block_o;
  const int64_t count = w->tiles - first < AOTI_WINOGRAD_TILES ? w->tiles - first : AOTI_WINOGRAD_TILES;
  const int64_t oc = p->out_channels - o0 < w->block_o ? p->out_channels - o0 : w->block_o;
  const int64_t in_c = p->in_channels, out_c = p->out_channels, nt = AOTI_WINOGRAD_TILES;
  /* M's rows padded to whole output-transform steps (the lanes past oc are computed, not stored) */
  const int64_t ldm = (oc + AOTI_WINOGRAD_LANES - 1) / AOTI_WINOGRAD_LANES * AOTI_WINOGRAD_LANES;
  float *v = (float *)((char *)scratch + AOTI_WINOGRAD_GEMM_BYTES);
  float *m = (float *)((char *)v + AOTI_WINOGRAD_V_BYTES);
  aoti_winograd_patches pt;
  aoti_winograd_find_patches(w, first, count, &pt);
  for (int64_t c0 = 0; c0 < in_c; c0 += AOTI_WINOGRAD_CHUNK_C) {
    const int64_t cc = in_c - c0 < AOTI_WINOGRAD_CHUNK_C ? in_c - c0 : AOTI_WINOGRAD_CHUNK_C;
    aoti_winograd_input(w, &pt, count, c0, cc, v);
    for (int64_t k = 0; k < 36; ++k)
      aoti_sgemm_1t(scratch, 1, 0, count, oc, cc, 1.0f, v + k * cc * nt, nt, w->u + (k * in_c + c0) * out_c + o0, out_c,
                    c0 == 0 ? 0.0f : 1.0f, m + k * nt * ldm, ldm);
  }
  aoti_winograd_output(w, first, count, o0, oc, m, ldm);
}

static void aoti_winograd_range(void *task, int32_t thread, int64_t begin, int64_t end) {
  const aoti_winograd_task *w = (const aoti_winograd_task *)task;
  void *scratch = (char *)w->th->scratch + (uint64_t)thread * w->th->scratch_stride;
  for (int64_t item = begin; item < end; ++item) aoti_winograd_item(w, scratch, item);
}

/* out [batch, out_channels, out_h, out_w] = ep(conv(x [batch, in_channels, in_h, in_w], w)) for
 * a 3x3, stride-1, dilation-1, ungrouped convolution with any padding, u = w transformed (above).
 * ep's bias is per output channel, its residual laid out as out. */
static void aoti_conv2d_winograd(const aoti_abi_threads *th, const aoti_conv_shape *p, const float *x, const float *u,
                                 const aoti_epilogue *ep, float *out) {
  aoti_winograd_task w = {th, p, x, u, ep, out, (p->out_h + 3) / 4, (p->out_w + 3) / 4, 0, 0, 0, 0};
  w.tiles = p->batch * w.tiles_h * w.tiles_w;
  if (w.tiles == 0 || p->out_channels == 0) return;
  w.tile_blocks = (w.tiles + AOTI_WINOGRAD_TILES - 1) / AOTI_WINOGRAD_TILES;
  /* Enough output-channel blocks for M to fit its scratch and, when there are fewer tile blocks
   * than threads, for every thread to have an item (blocks of at least 16 channels). */
  int64_t o_blocks = (p->out_channels + AOTI_WINOGRAD_BLOCK_O - 1) / AOTI_WINOGRAD_BLOCK_O;
  const int64_t wanted = (th->count + w.tile_blocks - 1) / w.tile_blocks, most = (p->out_channels + 15) / 16;
  if (o_blocks < wanted) o_blocks = wanted < most ? wanted : most;
  w.block_o = (p->out_channels + o_blocks - 1) / o_blocks;
  w.block_o = (w.block_o + AOTI_WINOGRAD_LANES - 1) / AOTI_WINOGRAD_LANES * AOTI_WINOGRAD_LANES;
  w.o_blocks = (p->out_channels + w.block_o - 1) / w.block_o;
  th->parallel_for(th->ctx, w.tile_blocks * w.o_blocks, aoti_winograd_range, &w);
}
