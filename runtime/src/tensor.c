/* tensor.c — aoti_tensor helpers and the runtime's version. */
#include <string.h>

#include "aoti/runtime.h"

const char *aoti_version(void) { return AOTI_VERSION_STRING; }

void aoti_tensor_init(aoti_tensor *t, aoti_dtype dtype, int32_t rank, const int64_t *sizes,
                      void *data) {
  if (!t) return;
  memset(t, 0, sizeof *t);
  t->data = data;
  t->dtype = dtype;
  t->rank = rank < 0 ? 0 : rank > AOTI_MAX_RANK ? AOTI_MAX_RANK : rank;
  int64_t stride = 1;
  for (int32_t d = t->rank - 1; d >= 0; d--) {
    t->sizes[d] = sizes ? sizes[d] : 0;
    t->strides[d] = stride;
    stride *= t->sizes[d];
  }
  int64_t numel = aoti_tensor_numel(t);
  t->nbytes = numel > 0 ? (size_t)numel * aoti_dtype_size(dtype) : 0;
}

int64_t aoti_tensor_numel(const aoti_tensor *t) {
  if (!t) return 0;
  int64_t numel = 1;
  for (int32_t d = 0; d < t->rank && d < AOTI_MAX_RANK; d++) numel *= t->sizes[d];
  return numel;
}
