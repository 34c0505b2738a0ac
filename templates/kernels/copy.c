/* copy.c — the strided copy every generated model carries (templates/kernels, embedded into aotic
 * and pasted into each model source by compiler/codegen).
 *
 * Writes the contiguous row-major tensor of `sizes` (rank 0..8) from `src`, where element
 * (i0, .., i{r-1}) is src[i0*strides[0] + .. + i{r-1}*strides[r-1]] (strides in elements). A
 * stride of 0 repeats an element (expand / broadcast), permuted strides transpose, an offset
 * pointer and smaller sizes slice. Elements are 1, 2, 4 or 8 bytes (any dtype: only bits move).
 * The innermost dimension is a plain loop, specialised for stride 1 (a memcpy) and 0 (a fill).
 * Never allocates; reentrant.
 */

/* One row of `n` elements of `elem` bytes from `row` with stride `stride` to `dst`. */
static void aoti_copy_row(size_t elem, int64_t n, const void *row, int64_t stride, void *dst) {
  if (stride == 1) {
    memcpy(dst, row, (size_t)n * elem);
    return;
  }
  switch (elem) {
    case 1: {
      const uint8_t *s = (const uint8_t *)row;
      uint8_t *d = (uint8_t *)dst;
      for (int64_t j = 0; j < n; ++j) d[j] = s[j * stride];
      return;
    }
    case 2: {
      const uint16_t *s = (const uint16_t *)row;
      uint16_t *d = (uint16_t *)dst;
      for (int64_t j = 0; j < n; ++j) d[j] = s[j * stride];
      return;
    }
    case 4: {
      const uint32_t *s = (const uint32_t *)row;
      uint32_t *d = (uint32_t *)dst;
      for (int64_t j = 0; j < n; ++j) d[j] = s[j * stride];
      return;
    }
    default: {
      const uint64_t *s = (const uint64_t *)row;
      uint64_t *d = (uint64_t *)dst;
      for (int64_t j = 0; j < n; ++j) d[j] = s[j * stride];
      return;
    }
  }
}

AOTI_KERNEL_API void aoti_copy(size_t elem, int32_t rank, const int64_t *sizes, const void *src,
                      const int64_t *strides, void *dst) {
  if (rank == 0) {
    memcpy(dst, src, elem);
    return;
  }
  for (int32_t d = 0; d < rank; ++d)
    if (sizes[d] == 0) return;
  const int64_t inner = sizes[rank - 1], inner_stride = strides[rank - 1];
  int64_t index[8] = {0};
  int64_t offset = 0; /* source offset of the current row: sum of index[d] * strides[d] */
  unsigned char *out = (unsigned char *)dst;
  for (;;) {
    aoti_copy_row(elem, inner, (const unsigned char *)src + offset * (int64_t)elem, inner_stride, out);
    out += (size_t)inner * elem;
    /* Advance the outer index like an odometer. */
    int32_t d = rank - 2;
    for (; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < sizes[d]) break;
      offset -= index[d] * strides[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}
