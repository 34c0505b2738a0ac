/* copy.c — the strided copy every generated model carries (templates/kernels, embedded into aotic
 * and pasted into each model source by compiler/codegen).
 *
 * Writes the contiguous row-major tensor of `sizes` (rank 0..8) from `src`, where element
 * (i0, .., i{r-1}) is src[i0*strides[0] + .. + i{r-1}*strides[r-1]]. A stride of 0 repeats an
 * element (expand / broadcast), permuted strides transpose. The innermost dimension is a plain
 * loop, specialised for stride 1 (a memcpy) and 0 (a fill). Never allocates; reentrant.
 */

static void aoti_copy_f32(int32_t rank, const int64_t *sizes, const float *src,
                          const int64_t *strides, float *dst) {
  if (rank == 0) {
    dst[0] = src[0];
    return;
  }
  for (int32_t d = 0; d < rank; ++d)
    if (sizes[d] == 0) return;
  const int64_t inner = sizes[rank - 1], inner_stride = strides[rank - 1];
  int64_t index[8] = {0};
  int64_t offset = 0; /* source offset of the current row: sum of index[d] * strides[d] */
  for (;;) {
    const float *row = src + offset;
    if (inner_stride == 1) {
      memcpy(dst, row, (size_t)inner * sizeof(float));
    } else if (inner_stride == 0) {
      for (int64_t j = 0; j < inner; ++j) dst[j] = row[0];
    } else {
      for (int64_t j = 0; j < inner; ++j) dst[j] = row[j * inner_stride];
    }
    dst += inner;
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
