/* shape.c — kernels of the shape family (templates/kernels, pasted into each model source that
 * uses them by compiler/codegen/emit_shape.c): strided-to-strided copies (cat, scatters, pads,
 * roll), row gathers (index_select, embedding), gather along a dim and advanced indexing.
 *
 * Elements are moved as raw bytes of `elem` bytes (1, 2, 4 or 8: any dtype). Index tensors are
 * int64; a negative index counts from the end, as in PyTorch. Sizes and strides are in elements.
 * Never allocate; reentrant. `static inline`: a model carries the whole file and may use only some
 * of these (no unused-function warnings).
 */

/* One element of `elem` bytes from src to dst. */
static inline void aoti_shape_move(size_t elem, const unsigned char *src, unsigned char *dst) {
  switch (elem) {
    case 1: *dst = *src; return;
    case 2: memcpy(dst, src, 2); return;
    case 4: memcpy(dst, src, 4); return;
    default: memcpy(dst, src, 8); return;
  }
}

/* dst[sum i_d * dst_strides[d]] = src[sum i_d * src_strides[d]] over `sizes` (rank 0..8). Rows
 * whose inner strides are both 1 move with one memcpy. */
AOTI_KERNEL_API void aoti_copy_strided(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                              const int64_t *src_strides, void *dst, const int64_t *dst_strides) {
  const unsigned char *s = (const unsigned char *)src;
  unsigned char *d = (unsigned char *)dst;
  if (rank == 0) {
    aoti_shape_move(elem, s, d);
    return;
  }
  for (int32_t k = 0; k < rank; ++k)
    if (sizes[k] <= 0) return;
  const int64_t inner = sizes[rank - 1], si = src_strides[rank - 1], di = dst_strides[rank - 1];
  int64_t index[8] = {0};
  int64_t so = 0, dof = 0; /* element offsets of the current row */
  for (;;) {
    if (si == 1 && di == 1) {
      memcpy(d + dof * (int64_t)elem, s + so * (int64_t)elem, (size_t)inner * elem);
    } else {
      for (int64_t j = 0; j < inner; ++j)
        aoti_shape_move(elem, s + (so + j * si) * (int64_t)elem, d + (dof + j * di) * (int64_t)elem);
    }
    int32_t k = rank - 2;
    for (; k >= 0; --k) {
      so += src_strides[k];
      dof += dst_strides[k];
      if (++index[k] < sizes[k]) break;
      so -= index[k] * src_strides[k];
      dof -= index[k] * dst_strides[k];
      index[k] = 0;
    }
    if (k < 0) return;
  }
}

/* An index into a dim of `size`, counting from the end when negative. */
static inline int64_t aoti_shape_wrap(int64_t i, int64_t size) { return i < 0 ? i + size : i; }

/* Rows of `inner` elements: dst[o, j, :] = src[o, idx[j], :] for o < outer, j < count, where src
 * has `size` rows per o (index_select along a dim, embedding). */
AOTI_KERNEL_API void aoti_index_rows(size_t elem, int64_t outer, int64_t count, const int64_t *idx, int64_t size,
                            int64_t inner, const void *src, void *dst) {
  const size_t row = (size_t)inner * elem;
  const unsigned char *s = (const unsigned char *)src;
  unsigned char *d = (unsigned char *)dst;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j) {
      const int64_t i = aoti_shape_wrap(idx[j], size);
      memcpy(d + (size_t)(o * count + j) * row, s + (size_t)(o * size + i) * row, row);
    }
}

/* gather along `dim`: for every position p of the contiguous index tensor of `sizes` (rank 1..8),
 * dst[p] = src[p with p[dim] replaced by idx[p]], src walked with `src_strides`. */
AOTI_KERNEL_API void aoti_gather(size_t elem, int32_t rank, const int64_t *sizes, int32_t dim, const int64_t *idx,
                        int64_t dim_size, const void *src, const int64_t *src_strides, void *dst) {
  const unsigned char *s = (const unsigned char *)src;
  unsigned char *d = (unsigned char *)dst;
  int64_t total = 1;
  for (int32_t k = 0; k < rank; ++k) total *= sizes[k];
  int64_t index[8] = {0};
  int64_t base = 0; /* source offset of the position without its dim component */
  for (int64_t p = 0; p < total; ++p) {
    const int64_t i = aoti_shape_wrap(idx[p], dim_size);
    aoti_shape_move(elem, s + (base + i * src_strides[dim]) * (int64_t)elem, d + p * (int64_t)elem);
    for (int32_t k = rank - 1; k >= 0; --k) {
      if (k != dim) base += src_strides[k];
      if (++index[k] < sizes[k]) break;
      if (k != dim) base -= index[k] * src_strides[k];
      index[k] = 0;
    }
  }
}

/* Advanced indexing: for every position p of the contiguous output of `sizes` (rank 0..8), the
 * source offset is sum_d p_d * strides[d] (the dims the output keeps from the source) plus, for
 * each index tensor t < num_idx, wrap(idx[t][sum_d p_d * idx_strides[t * 8 + d]]) * idx_step[t]
 * (the broadcast index tensors pick along source dims of size idx_size[t]). */
AOTI_KERNEL_API void aoti_index(size_t elem, int32_t rank, const int64_t *sizes, const void *src, const int64_t *strides,
                       int32_t num_idx, const int64_t *const *idx, const int64_t *idx_strides,
                       const int64_t *idx_size, const int64_t *idx_step, void *dst) {
  const unsigned char *s = (const unsigned char *)src;
  unsigned char *d = (unsigned char *)dst;
  int64_t total = 1;
  for (int32_t k = 0; k < rank; ++k) total *= sizes[k];
  int64_t index[8] = {0};
  for (int64_t p = 0; p < total; ++p) {
    int64_t offset = 0;
    for (int32_t k = 0; k < rank; ++k) offset += index[k] * strides[k];
    for (int32_t t = 0; t < num_idx; ++t) {
      int64_t at = 0;
      for (int32_t k = 0; k < rank; ++k) at += index[k] * idx_strides[t * 8 + k];
      offset += aoti_shape_wrap(idx[t][at], idx_size[t]) * idx_step[t];
    }
    aoti_shape_move(elem, s + offset * (int64_t)elem, d + p * (int64_t)elem);
    for (int32_t k = rank - 1; k >= 0; --k) {
      if (++index[k] < sizes[k]) break;
      index[k] = 0;
    }
  }
}
