/* ops_shape.c — the shape family of the op table: joining and splitting (cat, stack, split, chunk,
 * unbind), slicing and indexing (slice, select, narrow, the scatters, index, index_select, gather,
 * embedding), padding, roll, flip, repeat, as_strided, reductions over dims (sum, mean, amax,
 * amin, max/min with indices, argmax, any/all, cumsum, var/std, diff), and copy/copy_ (what
 * `y[:, 0] = t` exports as; passes/functionalize.c turns copy_ into copy).
 *
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c). The
 * semantics (clamping of slice bounds, index broadcasting and placement of the indexed dims, the
 * result dtypes of sum/cumsum over integers) follow PyTorch's documentation of each op. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "ops/ops_private.h"
#include "ops/ops_shape.h"

//===----------------------------------------------------------------------===//
// Helpers shared with the decompositions and emitters (ops_shape.h)
//===----------------------------------------------------------------------===//

bool aoti_shape_wrap_dim(int64_t dim, int32_t rank, int32_t *out_dim) {
  const int32_t r = rank > 0 ? rank : 1;
  if (dim < -r || dim >= r) return false;
  *out_dim = (int32_t)(dim < 0 ? dim + r : dim);
  return true;
}

/* A slice bound in [0, size]: negative counts from the end. NULL when its sign is unknown. */
static const aoti_sx *clamp_bound(aoti_graph *g, const aoti_sx *size, const aoti_sx *bound) {
  int64_t lo, hi, size_lo, size_hi;
  aoti_sx_bounds(g, bound, &lo, &hi);
  aoti_sx_bounds(g, size, &size_lo, &size_hi);
  const aoti_sx *zero = aoti_sx_const(g, 0);
  if (lo >= size_hi) return size; /* INT64_MAX and other "to the end" values */
  if (lo >= 0) return aoti_sx_min(g, bound, size);
  if (hi < 0) return aoti_sx_max(g, aoti_sx_add(g, size, bound), zero);
  return NULL;
}

bool aoti_shape_slice_range(aoti_graph *g, const aoti_sx *size, const aoti_sx *start, const aoti_sx *end,
                            const aoti_sx *step, const aoti_sx **out_start, const aoti_sx **out_length) {
  int64_t step_value = 0;
  if (!aoti_sx_is_const(step, &step_value) || step_value <= 0) return false;
  const aoti_sx *s = start ? clamp_bound(g, size, start) : aoti_sx_const(g, 0);
  const aoti_sx *e = end ? clamp_bound(g, size, end) : size;
  if (!s || !e) return false;
  const aoti_sx *span = aoti_sx_max(g, aoti_sx_sub(g, e, s), aoti_sx_const(g, 0));
  *out_start = s;
  *out_length = aoti_sx_floordiv(g, aoti_sx_add(g, span, aoti_sx_const(g, step_value - 1)), step);
  return *out_start && *out_length;
}

bool aoti_shape_reduced_dims(const aoti_arg *dims, int32_t rank, bool *out_mask) {
  for (int32_t d = 0; d < AOTI_MAX_RANK; d++) out_mask[d] = false;
  const bool all = dims->kind == AOTI_ARG_NONE || (dims->kind == AOTI_ARG_LIST && dims->count == 0);
  if (all) {
    for (int32_t d = 0; d < rank; d++) out_mask[d] = true;
    return true;
  }
  const aoti_arg *items = dims->kind == AOTI_ARG_LIST ? dims->list : dims;
  const int32_t count = dims->kind == AOTI_ARG_LIST ? dims->count : 1;
  for (int32_t i = 0; i < count; i++) {
    int64_t dim = 0;
    int32_t d = 0;
    if (!aoti_arg_get_int(&items[i], &dim) || !aoti_shape_wrap_dim(dim, rank, &d)) return false;
    if (rank == 0) continue; /* a 0-d tensor reduces over "dim 0", which is itself */
    if (out_mask[d]) return false;
    out_mask[d] = true;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Local helpers of the shape functions
//===----------------------------------------------------------------------===//

static int64_t int_at(const aoti_node *n, int i) {
  int64_t v = 0;
  aoti_arg_get_int(&n->args[i], &v);
  return v;
}

/* A SymInt argument as an expression (plain ints become constants), NULL for None. */
static const aoti_sx *sx_at(aoti_graph *g, const aoti_node *n, int i) {
  const aoti_arg *a = &n->args[i];
  if (a->kind == AOTI_ARG_SYMINT) return a->sx;
  if (a->kind == AOTI_ARG_INT) return aoti_sx_const(g, a->i);
  return NULL;
}

static aoti_status wrap_dim_of(const aoti_node *n, int64_t dim, int32_t rank, int32_t *out_dim) {
  if (aoti_shape_wrap_dim(dim, rank, out_dim)) return AOTI_OK;
  return aoti_ops_node_error(n, "dimension %lld is out of range for a tensor of rank %d", (long long)dim, rank);
}

static bool is_floating(aoti_dtype t) {
  return t == AOTI_DTYPE_FLOAT16 || t == AOTI_DTYPE_BFLOAT16 || t == AOTI_DTYPE_FLOAT32 || t == AOTI_DTYPE_FLOAT64;
}

static aoti_status oom(const aoti_node *n) {
  return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory in node '%s'", n->name);
}

#define SHAPE_FN(name)                                                                                        \
  static aoti_status name(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks, \
                          const aoti_sx *(*out_dims)[AOTI_MAX_RANK])

//===----------------------------------------------------------------------===//
// Joining and splitting
//===----------------------------------------------------------------------===//

/* The tensors of a Tensor[] argument that take part in cat: PyTorch skips 1-D empty tensors (the
 * legacy "no-op" input) when others have a different rank. */
static bool cat_skips(const aoti_value *t, int32_t rank) {
  int64_t size = -1;
  return t->rank == 1 && rank != 1 && aoti_sx_is_const(t->dims[0], &size) && size == 0;
}

/* The rank cat works at: that of its first input that is not skipped. */
static int32_t cat_rank(const aoti_arg *list) {
  for (int32_t i = 0; i < list->count; i++)
    if (!cat_skips(list->list[i].tensor, -1)) return list->list[i].tensor->rank;
  return list->count ? list->list[0].tensor->rank : 0;
}

/* cat(tensors, dim): sizes add along dim; every other dim is the first input's. */
SHAPE_FN(shape_cat) {
  const aoti_arg *list = &n->args[0];
  if (list->count == 0) return aoti_ops_node_error(n, "cat needs at least one tensor");
  const int32_t rank = cat_rank(list);
  if (rank == 0) return aoti_ops_node_error(n, "cat of 0-d tensors");
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), rank, &dim);
  if (st != AOTI_OK) return st;
  const aoti_value *first = NULL;
  const aoti_sx *total = aoti_sx_const(g, 0);
  for (int32_t i = 0; i < list->count; i++) {
    const aoti_value *t = list->list[i].tensor;
    if (cat_skips(t, rank)) continue;
    if (t->rank != rank) return aoti_ops_node_error(n, "cat of tensors of rank %d and %d", rank, t->rank);
    if (!first) first = t;
    if (t->dtype != first->dtype)
      return aoti_ops_node_error(n, "cat of %s and %s tensors is not supported", aoti_dtype_name(first->dtype),
                        aoti_dtype_name(t->dtype));
    total = aoti_sx_add(g, total, t->dims[dim]);
  }
  if (!total) return oom(n);
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d < rank; d++) dims[d] = d == dim ? total : first->dims[d];
  aoti_ops_set_output(0, first->dtype, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* stack(tensors, dim): a new dim of size len(tensors) at dim. */
SHAPE_FN(shape_stack) {
  const aoti_arg *list = &n->args[0];
  if (list->count == 0) return aoti_ops_node_error(n, "stack needs at least one tensor");
  const aoti_value *first = list->list[0].tensor;
  if (first->rank >= AOTI_MAX_RANK) return aoti_ops_node_error(n, "stack beyond rank %d", AOTI_MAX_RANK);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), first->rank + 1, &dim);
  if (st != AOTI_OK) return st;
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (int32_t d = 0, s = 0; d <= first->rank; d++)
    dims[d] = d == dim ? aoti_sx_const(g, list->count) : first->dims[s++];
  aoti_ops_set_output(0, first->dtype, first->rank + 1, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* Output k of a split of `self` along dim into pieces of `sizes[k]`. */
static void put_piece(const aoti_value *self, int32_t dim, int32_t k, const aoti_sx *size, aoti_dtype *out_dtypes,
                      int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d < self->rank; d++) dims[d] = d == dim ? size : self->dims[d];
  aoti_ops_set_output(k, self->dtype, self->rank, dims, out_dtypes, out_ranks, out_dims);
}

/* Pieces of `piece` elements, the last one the rest (split.Tensor, chunk): as many as the node
 * declares, since the count depends on sizes only the exporter saw. */
static aoti_status equal_pieces(aoti_graph *g, const aoti_node *n, int32_t dim, const aoti_sx *piece,
                                aoti_dtype *out_dtypes, int32_t *out_ranks,
                                const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const int32_t count = n->num_outputs;
  if (count < 1) return aoti_ops_node_error(n, "a split must have at least one output");
  for (int32_t k = 0; k < count; k++) {
    const aoti_sx *size = k + 1 < count ? piece
                                        : aoti_sx_sub(g, self->dims[dim], aoti_sx_mul(g, piece, aoti_sx_const(g, k)));
    if (!size) return oom(n);
    put_piece(self, dim, k, size, out_dtypes, out_ranks, out_dims);
  }
  return AOTI_OK;
}

/* split.Tensor(self, split_size, dim). */
SHAPE_FN(shape_split) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 2), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (self->rank == 0) return aoti_ops_node_error(n, "split of a 0-d tensor");
  return equal_pieces(g, n, dim, sx_at(g, n, 1), out_dtypes, out_ranks, out_dims);
}

/* chunk(self, chunks, dim): pieces of ceil(size / chunks). */
SHAPE_FN(shape_chunk) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 2), self->rank, &dim);
  if (st != AOTI_OK) return st;
  const int64_t chunks = int_at(n, 1);
  if (self->rank == 0 || chunks < 1) return aoti_ops_node_error(n, "chunk needs a tensor of rank >= 1 and chunks >= 1");
  const aoti_sx *piece = aoti_sx_floordiv(g, aoti_sx_add(g, self->dims[dim], aoti_sx_const(g, chunks - 1)),
                                          aoti_sx_const(g, chunks));
  if (!piece) return oom(n);
  return equal_pieces(g, n, dim, piece, out_dtypes, out_ranks, out_dims);
}

/* split_with_sizes(self, split_sizes, dim). */
SHAPE_FN(shape_split_with_sizes) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *sizes = &n->args[1];
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 2), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (sizes->count != n->num_outputs)
    return aoti_ops_node_error(n, "split_with_sizes lists %d sizes but declares %d outputs", sizes->count, n->num_outputs);
  for (int32_t k = 0; k < sizes->count; k++)
    put_piece(self, dim, k, sizes->list[k].sx, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* self's dims without `dim`. */
static int32_t drop_dim(const aoti_value *self, int32_t dim, const aoti_sx **dims) {
  int32_t rank = 0;
  for (int32_t d = 0; d < self->rank; d++)
    if (d != dim) dims[rank++] = self->dims[d];
  return rank;
}

/* unbind(self, dim): one output per index along dim, without that dim. */
SHAPE_FN(shape_unbind) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (self->rank == 0) return aoti_ops_node_error(n, "unbind of a 0-d tensor");
  const aoti_sx *dims[AOTI_MAX_RANK];
  const int32_t rank = drop_dim(self, dim, dims);
  for (int32_t k = 0; k < n->num_outputs; k++) aoti_ops_set_output(k, self->dtype, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Slicing and indexing
//===----------------------------------------------------------------------===//

/* slice.Tensor(self, dim, start, end, step). */
SHAPE_FN(shape_slice) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (self->rank == 0) return aoti_ops_node_error(n, "slice of a 0-d tensor");
  const aoti_sx *start = NULL, *length = NULL;
  if (!aoti_shape_slice_range(g, self->dims[dim], sx_at(g, n, 2), sx_at(g, n, 3), sx_at(g, n, 4), &start, &length))
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): slice bounds whose sign depends on the input "
                          "sizes, or a step that is not a positive constant, are not supported", n->name, n->target);
  put_piece(self, dim, 0, length, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* narrow(self, dim, start, length). */
SHAPE_FN(shape_narrow) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  put_piece(self, dim, 0, sx_at(g, n, 3), out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* select.int(self, dim, index): self without dim. */
SHAPE_FN(shape_select) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (self->rank == 0) return aoti_ops_node_error(n, "select of a 0-d tensor");
  const aoti_sx *dims[AOTI_MAX_RANK];
  aoti_ops_set_output(0, self->dtype, drop_dim(self, dim, dims), dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* The out-of-place writes (slice_scatter, select_scatter, copy): self's shape and dtype. */
SHAPE_FN(shape_like_self) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  aoti_ops_set_output(0, self->dtype, self->rank, self->dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

static bool is_index_dtype(aoti_dtype t) { return t == AOTI_DTYPE_INT64 || t == AOTI_DTYPE_INT32; }

/* index.Tensor(self, indices): the index tensors broadcast together to B; the result is B in place
 * of the indexed dims when those are adjacent, else B first, then the other dims. */
SHAPE_FN(shape_index) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *indices = &n->args[1];
  if (indices->count > self->rank)
    return aoti_ops_node_error(n, "%d indices for a tensor of rank %d", indices->count, self->rank);
  int32_t b_rank = 0, first = -1, last = -1;
  const aoti_sx *b[AOTI_MAX_RANK];
  for (int32_t i = 0; i < indices->count; i++) {
    const aoti_value *t = indices->list[i].kind == AOTI_ARG_TENSOR ? indices->list[i].tensor : NULL;
    if (!t) continue;
    if (!is_index_dtype(t->dtype))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): index tensor '%s' is %s; only int64 and "
                            "int32 index tensors are supported (a bool mask gives a data-dependent size)",
                            n->name, n->target, t->name, aoti_dtype_name(t->dtype));
    if (first < 0) first = i;
    last = i;
    /* Broadcast t into b (right-aligned). */
    const int32_t rank = t->rank > b_rank ? t->rank : b_rank;
    const aoti_sx *merged[AOTI_MAX_RANK];
    for (int32_t d = 0; d < rank; d++) {
      const int32_t dt = d - (rank - t->rank), db = d - (rank - b_rank);
      const aoti_sx *x = dt >= 0 ? t->dims[dt] : NULL, *y = db >= 0 ? b[db] : NULL;
      int64_t v = 0;
      merged[d] = !x || (y && aoti_sx_is_const(x, &v) && v == 1) ? y : x;
    }
    b_rank = rank;
    memcpy(b, merged, sizeof merged[0] * (size_t)rank);
  }
  if (first < 0) return aoti_ops_node_error(n, "index with no index tensor");
  bool adjacent = true;
  for (int32_t i = first; i <= last; i++) adjacent = adjacent && indices->list[i].kind == AOTI_ARG_TENSOR;
  const aoti_sx *dims[2 * AOTI_MAX_RANK];
  int32_t rank = 0;
  const int32_t at = adjacent ? first : 0;
  for (int32_t d = 0; d < self->rank; d++) {
    if (d == at)
      for (int32_t k = 0; k < b_rank; k++) dims[rank++] = b[k];
    const bool indexed = d < indices->count && indices->list[d].kind == AOTI_ARG_TENSOR;
    if (!indexed) dims[rank++] = self->dims[d];
  }
  if (rank > AOTI_MAX_RANK) return aoti_ops_node_error(n, "index result of rank %d (at most %d)", rank, AOTI_MAX_RANK);
  aoti_ops_set_output(0, self->dtype, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* index_select(self, dim, index): dim takes index's length. */
SHAPE_FN(shape_index_select) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0), *index = aoti_node_tensor_arg(n, 2);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (index->rank > 1 || !is_index_dtype(index->dtype))
    return aoti_ops_node_error(n, "index_select needs a 0-d or 1-D int64/int32 index, got %s of rank %d",
                      aoti_dtype_name(index->dtype), index->rank);
  if (self->rank == 0) {
    aoti_ops_set_output(0, self->dtype, 0, NULL, out_dtypes, out_ranks, out_dims);
    return AOTI_OK;
  }
  put_piece(self, dim, 0, aoti_value_numel(g, index), out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* gather(self, dim, index): index's shape, self's dtype. */
SHAPE_FN(shape_gather) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0), *index = aoti_node_tensor_arg(n, 2);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (index->dtype != AOTI_DTYPE_INT64 || (index->rank != self->rank && self->rank > 0))
    return aoti_ops_node_error(n, "gather needs an int64 index of self's rank %d, got %s of rank %d", self->rank,
                      aoti_dtype_name(index->dtype), index->rank);
  aoti_ops_set_output(0, self->dtype, index->rank, index->dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* embedding(weight [V, D], indices [*]) -> [*, D]. */
SHAPE_FN(shape_embedding) {
  (void)g;
  const aoti_value *weight = aoti_node_tensor_arg(n, 0), *indices = aoti_node_tensor_arg(n, 1);
  if (weight->rank != 2 || !is_index_dtype(indices->dtype) || indices->rank >= AOTI_MAX_RANK)
    return aoti_ops_node_error(n, "embedding needs a 2-D weight and int64/int32 indices, got rank %d and %s", weight->rank,
                      aoti_dtype_name(indices->dtype));
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d < indices->rank; d++) dims[d] = indices->dims[d];
  dims[indices->rank] = weight->dims[1];
  aoti_ops_set_output(0, weight->dtype, indices->rank + 1, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* as_strided(self, size, stride, storage_offset): `size`. */
SHAPE_FN(shape_as_strided) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *size = &n->args[1], *stride = &n->args[2];
  if (size->count != stride->count || size->count > AOTI_MAX_RANK)
    return aoti_ops_node_error(n, "as_strided with %d sizes and %d strides", size->count, stride->count);
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d < size->count; d++) dims[d] = size->list[d].sx;
  aoti_ops_set_output(0, self->dtype, size->count, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Padding, roll, flip, repeat, unflatten, expand_as
//===----------------------------------------------------------------------===//

/* constant_pad_nd / pad (self, pad): pairs (before, after) from the last dim backwards. */
SHAPE_FN(shape_pad) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *pad = &n->args[1];
  if (pad->count % 2 != 0 || pad->count / 2 > self->rank)
    return aoti_ops_node_error(n, "pad list of %d items for a tensor of rank %d", pad->count, self->rank);
  const aoti_sx *dims[AOTI_MAX_RANK];
  memcpy(dims, self->dims, sizeof dims[0] * (size_t)self->rank);
  for (int32_t i = 0; i < pad->count / 2; i++) {
    const int32_t d = self->rank - 1 - i;
    dims[d] = aoti_sx_add(g, dims[d], aoti_sx_add(g, pad->list[2 * i].sx, pad->list[2 * i + 1].sx));
    if (!dims[d]) return oom(n);
  }
  aoti_ops_set_output(0, self->dtype, self->rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* repeat(self, repeats): self's dims (padded with leading 1s) times the repeats. */
SHAPE_FN(shape_repeat) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *repeats = &n->args[1];
  if (repeats->count < self->rank || repeats->count > AOTI_MAX_RANK)
    return aoti_ops_node_error(n, "repeat with %d repeats for a tensor of rank %d", repeats->count, self->rank);
  const aoti_sx *dims[AOTI_MAX_RANK];
  const int32_t lead = repeats->count - self->rank;
  for (int32_t d = 0; d < repeats->count; d++)
    dims[d] = aoti_sx_mul(g, repeats->list[d].sx, d < lead ? aoti_sx_const(g, 1) : self->dims[d - lead]);
  aoti_ops_set_output(0, self->dtype, repeats->count, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* unflatten.int(self, dim, sizes): dim becomes `sizes` (one may be -1). */
SHAPE_FN(shape_unflatten) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *sizes = &n->args[2];
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (sizes->count < 1 || self->rank - 1 + sizes->count > AOTI_MAX_RANK)
    return aoti_ops_node_error(n, "unflatten into %d sizes", sizes->count);
  const aoti_sx *dims[AOTI_MAX_RANK], *known = aoti_sx_const(g, 1);
  int32_t rank = 0, infer = -1;
  for (int32_t d = 0; d < self->rank; d++) {
    if (d != dim) {
      dims[rank++] = self->dims[d];
      continue;
    }
    for (int32_t k = 0; k < sizes->count; k++) {
      int64_t v = 0;
      if (aoti_sx_is_const(sizes->list[k].sx, &v) && v == -1) {
        if (infer >= 0) return aoti_ops_node_error(n, "unflatten with two -1 sizes");
        infer = rank;
      } else {
        known = aoti_sx_mul(g, known, sizes->list[k].sx);
      }
      dims[rank++] = sizes->list[k].sx;
    }
  }
  if (infer >= 0) dims[infer] = aoti_sx_floordiv(g, self->dims[dim], known);
  aoti_ops_set_output(0, self->dtype, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* expand_as(self, other): other's sizes. */
SHAPE_FN(shape_expand_as) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0), *other = aoti_node_tensor_arg(n, 1);
  if (other->rank < self->rank) return aoti_ops_node_error(n, "expand_as to a smaller rank");
  aoti_ops_set_output(0, self->dtype, other->rank, other->dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/* The dims left after reducing `mask` (kept as size 1 with keepdim). */
static int32_t reduced_shape(aoti_graph *g, const aoti_value *self, const bool *mask, bool keepdim,
                             const aoti_sx **dims) {
  int32_t rank = 0;
  for (int32_t d = 0; d < self->rank; d++) {
    if (!mask[d])
      dims[rank++] = self->dims[d];
    else if (keepdim)
      dims[rank++] = aoti_sx_const(g, 1);
  }
  return rank;
}

/* The dtype of a sum: the dtype argument, else int64 for integers and bool, else self's. */
static aoti_dtype sum_dtype(const aoti_value *self, const aoti_arg *dtype) {
  if (dtype && dtype->kind == AOTI_ARG_SCALAR_TYPE) return (aoti_dtype)dtype->i;
  return is_floating(self->dtype) ? self->dtype : AOTI_DTYPE_INT64;
}

/* A reduction of self (arg 0) over the dims of arg `dims_at` (-1: all) with keepdim at
 * `keepdim_at` (-1: false), giving `dtype`. */
static aoti_status reduce_shape(aoti_graph *g, const aoti_node *n, int dims_at, int keepdim_at, aoti_dtype dtype,
                                aoti_dtype *out_dtypes, int32_t *out_ranks,
                                const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  bool mask[AOTI_MAX_RANK];
  const aoti_arg all = aoti_arg_none();
  if (!aoti_shape_reduced_dims(dims_at >= 0 ? &n->args[dims_at] : &all, self->rank, mask))
    return aoti_ops_node_error(n, "reduction dims out of range or repeated for a tensor of rank %d", self->rank);
  const bool keepdim = keepdim_at >= 0 && n->args[keepdim_at].kind == AOTI_ARG_BOOL && n->args[keepdim_at].b;
  const aoti_sx *dims[AOTI_MAX_RANK];
  const int32_t rank = reduced_shape(g, self, mask, keepdim, dims);
  for (int32_t k = 0; k < n->num_outputs || k == 0; k++)
    aoti_ops_set_output(k, k == 0 ? dtype : AOTI_DTYPE_INT64, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* sum.dim_IntList / mean.dim (self, dim, keepdim, *, dtype). */
SHAPE_FN(shape_sum_dim) {
  return reduce_shape(g, n, 1, 2, sum_dtype(aoti_node_tensor_arg(n, 0), &n->args[3]), out_dtypes, out_ranks, out_dims);
}

SHAPE_FN(shape_mean_dim) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_dtype dtype = n->args[3].kind == AOTI_ARG_SCALAR_TYPE ? (aoti_dtype)n->args[3].i : self->dtype;
  if (!is_floating(dtype)) return aoti_ops_node_error(n, "mean of a %s tensor (it needs a floating dtype)", aoti_dtype_name(dtype));
  return reduce_shape(g, n, 1, 2, dtype, out_dtypes, out_ranks, out_dims);
}

/* sum / mean (self, *, dtype): every element. */
SHAPE_FN(shape_sum_all) {
  return reduce_shape(g, n, -1, -1, sum_dtype(aoti_node_tensor_arg(n, 0), &n->args[1]), out_dtypes, out_ranks, out_dims);
}

SHAPE_FN(shape_mean_all) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_dtype dtype = n->args[1].kind == AOTI_ARG_SCALAR_TYPE ? (aoti_dtype)n->args[1].i : self->dtype;
  if (!is_floating(dtype)) return aoti_ops_node_error(n, "mean of a %s tensor (it needs a floating dtype)", aoti_dtype_name(dtype));
  return reduce_shape(g, n, -1, -1, dtype, out_dtypes, out_ranks, out_dims);
}

/* amax / amin (self, dim, keepdim), max.dim / min.dim (values and int64 indices): self's dtype. */
SHAPE_FN(shape_extreme) {
  return reduce_shape(g, n, 1, 2, aoti_node_tensor_arg(n, 0)->dtype, out_dtypes, out_ranks, out_dims);
}

/* argmax / argmin (self, dim?, keepdim): int64. */
SHAPE_FN(shape_arg_extreme) {
  return reduce_shape(g, n, 1, 2, AOTI_DTYPE_INT64, out_dtypes, out_ranks, out_dims);
}

/* any / all over dims (self, dim(s), keepdim) or everything: bool. */
SHAPE_FN(shape_any_dim) { return reduce_shape(g, n, 1, 2, AOTI_DTYPE_BOOL, out_dtypes, out_ranks, out_dims); }
SHAPE_FN(shape_any_all) { return reduce_shape(g, n, -1, -1, AOTI_DTYPE_BOOL, out_dtypes, out_ranks, out_dims); }

/* var / std .correction (self, dim?, *, correction, keepdim) and .dim (self, dim?, unbiased,
 * keepdim): floating. */
SHAPE_FN(shape_var) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  if (!is_floating(self->dtype)) return aoti_ops_node_error(n, "var/std of a %s tensor", aoti_dtype_name(self->dtype));
  return reduce_shape(g, n, 1, 3, self->dtype, out_dtypes, out_ranks, out_dims);
}

/* cumsum(self, dim, *, dtype): self's shape; sum's dtype rule. */
SHAPE_FN(shape_cumsum) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 1), self->rank, &dim);
  if (st != AOTI_OK) return st;
  aoti_ops_set_output(0, sum_dtype(self, &n->args[2]), self->rank, self->dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* diff(self, n, dim, prepend, append): dim grows by prepend/append's sizes and shrinks by n;
 * bool gives bool (xor), other dtypes their own. */
SHAPE_FN(shape_diff) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0), *prepend = aoti_node_tensor_arg(n, 3), *append = aoti_node_tensor_arg(n, 4);
  int32_t dim = 0;
  aoti_status st = wrap_dim_of(n, int_at(n, 2), self->rank, &dim);
  if (st != AOTI_OK) return st;
  if (self->rank == 0) return aoti_ops_node_error(n, "diff of a 0-d tensor");
  const aoti_sx *size = self->dims[dim];
  if (prepend) size = aoti_sx_add(g, size, prepend->rank ? prepend->dims[dim] : aoti_sx_const(g, 1));
  if (append) size = aoti_sx_add(g, size, append->rank ? append->dims[dim] : aoti_sx_const(g, 1));
  size = aoti_sx_max(g, aoti_sx_sub(g, size, aoti_sx_const(g, int_at(n, 1))), aoti_sx_const(g, 0));
  if (!size) return oom(n);
  put_piece(self, dim, 0, size, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

static const aoti_op kRows[] = {
    /* Joining and splitting. */
    {ATEN "cat.default", "cat(Tensor[] tensors, int dim=0) -> Tensor", shape_cat, AOTI_LOWER_SHAPE, NULL},
    {ATEN "stack.default", "stack(Tensor[] tensors, int dim=0) -> Tensor", shape_stack, AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "split.Tensor", "split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]",
     shape_split, AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "split_with_sizes.default",
     "split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]", shape_split_with_sizes,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "chunk.default", "chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]", shape_chunk,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "unbind.int", "unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]", shape_unbind,
     AOTI_LOWER_DECOMPOSE, NULL},
    /* Slicing and indexing: slices, selects and narrows become as_strided copies. */
    {ATEN "slice.Tensor",
     "slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> Tensor(a)",
     shape_slice, AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "select.int", "select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)", shape_select,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "narrow.default", "narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)",
     shape_narrow, AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "as_strided.default",
     "as_strided(Tensor(a) self, SymInt[] size, SymInt[] stride, SymInt? storage_offset=None) -> Tensor(a)",
     shape_as_strided, AOTI_LOWER_SHAPE, NULL},
    {ATEN "slice_scatter.default",
     "slice_scatter(Tensor self, Tensor src, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) -> "
     "Tensor",
     shape_like_self, AOTI_LOWER_SHAPE, NULL},
    {ATEN "select_scatter.default", "select_scatter(Tensor self, Tensor src, int dim, SymInt index) -> Tensor",
     shape_like_self, AOTI_LOWER_SHAPE, NULL},
    {ATEN "copy.default", "copy(Tensor self, Tensor src, bool non_blocking=False) -> Tensor", shape_like_self,
     AOTI_LOWER_SHAPE, NULL},
    {ATEN "index.Tensor", "index.Tensor(Tensor self, Tensor?[] indices) -> Tensor", shape_index, AOTI_LOWER_SHAPE,
     NULL},
    {ATEN "index_select.default", "index_select(Tensor self, int dim, Tensor index) -> Tensor", shape_index_select,
     AOTI_LOWER_SHAPE, NULL},
    {ATEN "gather.default", "gather(Tensor self, int dim, Tensor index, *, bool sparse_grad=False) -> Tensor",
     shape_gather, AOTI_LOWER_SHAPE, NULL},
    {ATEN "embedding.default",
     "embedding(Tensor weight, Tensor indices, SymInt padding_idx=-1, bool scale_grad_by_freq=False, bool "
     "sparse=False) -> Tensor",
     shape_embedding, AOTI_LOWER_SHAPE, NULL},
    /* Padding, roll, flip, repeat, unflatten. */
    {ATEN "constant_pad_nd.default", "constant_pad_nd(Tensor self, SymInt[] pad, Scalar value=0) -> Tensor",
     shape_pad, AOTI_LOWER_SHAPE, NULL},
    {ATEN "pad.default", "pad(Tensor self, SymInt[] pad, str mode=\"constant\", float? value=None) -> Tensor",
     shape_pad, AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "roll.default", "roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor", shape_like_self,
     AOTI_LOWER_SHAPE, NULL},
    {ATEN "flip.default", "flip(Tensor self, int[] dims) -> Tensor", shape_like_self, AOTI_LOWER_SHAPE, NULL},
    {ATEN "repeat.default", "repeat(Tensor self, SymInt[] repeats) -> Tensor", shape_repeat, AOTI_LOWER_SHAPE, NULL},
    {ATEN "unflatten.int", "unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)", shape_unflatten,
     AOTI_LOWER_VIEW, NULL},
    {ATEN "expand_as.default", "expand_as(Tensor(a) self, Tensor other) -> Tensor(a)", shape_expand_as,
     AOTI_LOWER_DECOMPOSE, NULL},
    /* Reductions. */
    {ATEN "sum.dim_IntList",
     "sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
     shape_sum_dim, AOTI_LOWER_REDUCE, NULL},
    {ATEN "sum.default", "sum(Tensor self, *, ScalarType? dtype=None) -> Tensor", shape_sum_all, AOTI_LOWER_REDUCE,
     NULL},
    {ATEN "mean.dim", "mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
     shape_mean_dim, AOTI_LOWER_REDUCE, NULL},
    {ATEN "mean.default", "mean(Tensor self, *, ScalarType? dtype=None) -> Tensor", shape_mean_all,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "amax.default", "amax(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor", shape_extreme,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "amin.default", "amin(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor", shape_extreme,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "max.dim", "max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
     shape_extreme, AOTI_LOWER_REDUCE, NULL},
    {ATEN "min.dim", "min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
     shape_extreme, AOTI_LOWER_REDUCE, NULL},
    {ATEN "argmax.default", "argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor", shape_arg_extreme,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "argmin.default", "argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor", shape_arg_extreme,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "any.dim", "any.dim(Tensor self, int dim, bool keepdim=False) -> Tensor", shape_any_dim, AOTI_LOWER_REDUCE,
     NULL},
    {ATEN "any.dims", "any.dims(Tensor self, int[]? dim=None, bool keepdim=False) -> Tensor", shape_any_dim,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "all.dim", "all.dim(Tensor self, int dim, bool keepdim=False) -> Tensor", shape_any_dim, AOTI_LOWER_REDUCE,
     NULL},
    {ATEN "any.default", "any(Tensor self) -> Tensor", shape_any_all, AOTI_LOWER_REDUCE, NULL},
    {ATEN "all.default", "all(Tensor self) -> Tensor", shape_any_all, AOTI_LOWER_REDUCE, NULL},
    {ATEN "var.correction",
     "var.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor",
     shape_var, AOTI_LOWER_REDUCE, NULL},
    {ATEN "std.correction",
     "std.correction(Tensor self, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False) -> Tensor",
     shape_var, AOTI_LOWER_REDUCE, NULL},
    {ATEN "var.dim", "var.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor", shape_var,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "std.dim", "std.dim(Tensor self, int[1]? dim, bool unbiased=True, bool keepdim=False) -> Tensor", shape_var,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "cumsum.default", "cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor", shape_cumsum,
     AOTI_LOWER_REDUCE, NULL},
    {ATEN "diff.default",
     "diff(Tensor self, int n=1, int dim=-1, Tensor? prepend=None, Tensor? append=None) -> Tensor", shape_diff,
     AOTI_LOWER_DECOMPOSE, NULL},
    /* copy_ (y[:, 0] = t): passes/functionalize.c turns it into copy (the other in-place variants'
     * rows are the pointwise family's). */
    {ATEN "copy_.default", "copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)",
     shape_like_self, AOTI_LOWER_DECOMPOSE, NULL},
};

const aoti_op_family aoti_ops_family_shape = {"shape", kRows, sizeof kRows / sizeof kRows[0]};
