/* shapes.c — shape functions of the op table: the dtype and symbolic dims of each op's output,
 * computed from its bound arguments (n->args, schema order), with the size checks that can be
 * decided (mismatched matmul sizes, broadcasting of provably different sizes, bad dims).
 *
 * The rules follow PyTorch's documented semantics (broadcasting, view's single -1, squeeze of a
 * non-1 dim being a no-op, true division of integers giving float). Errors are
 * AOTI_ERROR_FORMAT naming the node and its target.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops/ops_private.h"

aoti_status aoti_ops_node_error(const aoti_node *n, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): %s", n->name, n->target, what);
}

/* Text of a size for messages (truncated when long). */
typedef struct dim_text {
  char s[96];
} dim_text;

static dim_text text_of(const aoti_graph *g, const aoti_sx *e) {
  dim_text t;
  aoti_sx_to_string(g, e, t.s, sizeof t.s);
  return t;
}

static int64_t int_arg(const aoti_node *n, int i) {
  int64_t v = 0;
  aoti_arg_get_int(&n->args[i], &v);
  return v;
}

/* The output as a copy of a value's shape, to be edited. */
typedef struct shape {
  aoti_dtype dtype;
  int32_t rank;
  const aoti_sx *dims[AOTI_MAX_RANK];
} shape;

static shape shape_of(const aoti_value *v) {
  shape s = {v->dtype, v->rank, {0}};
  memcpy(s.dims, v->dims, sizeof s.dims);
  return s;
}

void aoti_ops_set_output(int32_t k, aoti_dtype dtype, int32_t rank, const aoti_sx *const *dims,
                         aoti_dtype *out_dtypes, int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  out_dtypes[k] = dtype;
  out_ranks[k] = rank;
  for (int32_t d = 0; d < rank; d++) out_dims[k][d] = dims[d];
}

static aoti_status emit(const shape *s, aoti_dtype *out_dtypes, int32_t *out_ranks,
                        const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  aoti_ops_set_output(0, s->dtype, s->rank, s->dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* PyTorch's dim wrapping: dim in [-rank, rank-1] (a 0-d tensor accepts 0 and -1). */
static aoti_status wrap_dim(const aoti_node *n, int64_t dim, int32_t rank, int32_t *out_dim) {
  int32_t r = rank > 0 ? rank : 1;
  if (dim < -r || dim >= r)
    return aoti_ops_node_error(n, "dimension %lld is out of range for a tensor of rank %d", (long long)dim, rank);
  *out_dim = (int32_t)(dim < 0 ? dim + r : dim);
  return AOTI_OK;
}

bool aoti_ops_dims_differ(const aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (a == b) return false;
  int64_t amin, amax, bmin, bmax;
  aoti_sx_bounds(g, a, &amin, &amax);
  aoti_sx_bounds(g, b, &bmin, &bmax);
  return amax < bmin || bmax < amin || (amin == amax && bmin == bmax);
}

bool aoti_ops_is_one(const aoti_sx *e) {
  int64_t v;
  return aoti_sx_is_const(e, &v) && v == 1;
}

static bool is_floating(aoti_dtype t) {
  return t == AOTI_DTYPE_FLOAT16 || t == AOTI_DTYPE_BFLOAT16 || t == AOTI_DTYPE_FLOAT32 || t == AOTI_DTYPE_FLOAT64;
}

static int dtype_category(aoti_dtype t) { return t == AOTI_DTYPE_BOOL ? 0 : is_floating(t) ? 2 : 1; }

/* promoteTypes of two dtypes AOTI has (c10/core/ScalarType.cpp's table): bool < integers <
 * floating; among integers the wider wins, uint8 with int8 gives int16; among floats float64 wins,
 * float16 with bfloat16 gives float32. */
static aoti_dtype promote_types(aoti_dtype a, aoti_dtype b) {
  if (a == b || b == AOTI_DTYPE_INVALID) return a;
  if (a == AOTI_DTYPE_INVALID) return b;
  int ca = dtype_category(a), cb = dtype_category(b);
  if (ca != cb) return ca > cb ? a : b;
  if (ca == 2) {
    if (a == AOTI_DTYPE_FLOAT64 || b == AOTI_DTYPE_FLOAT64) return AOTI_DTYPE_FLOAT64;
    if (a == AOTI_DTYPE_FLOAT32 || b == AOTI_DTYPE_FLOAT32) return AOTI_DTYPE_FLOAT32;
    return AOTI_DTYPE_FLOAT32; /* float16 with bfloat16 */
  }
  size_t sa = aoti_dtype_size(a), sb = aoti_dtype_size(b);
  if (sa != sb) return sa > sb ? a : b;
  return AOTI_DTYPE_INT16; /* uint8 with int8 */
}

/* c10's combine_categories: the higher-priority group's dtype, unless the lower group is of a
 * higher category (then both promote). */
static aoti_dtype combine_categories(aoti_dtype higher, aoti_dtype lower) {
  if (higher == AOTI_DTYPE_INVALID) return lower;
  if (is_floating(higher)) return higher;
  if (higher == AOTI_DTYPE_BOOL || (lower != AOTI_DTYPE_INVALID && is_floating(lower)))
    return promote_types(higher, lower);
  return higher;
}

/* ATen's result_type (aten/src/ATen/native/TypeProperties.cpp): tensors with dims, 0-d tensors
 * and wrapped numbers each promote among themselves, then combine in that priority. */
aoti_dtype aoti_ops_result_type(const aoti_arg *operands, int32_t count) {
  aoti_dtype dim = AOTI_DTYPE_INVALID, zero = AOTI_DTYPE_INVALID, wrapped = AOTI_DTYPE_INVALID;
  for (int32_t i = 0; i < count; i++) {
    const aoti_arg *a = &operands[i];
    switch (a->kind) {
      case AOTI_ARG_TENSOR:
        if (a->tensor->rank > 0) dim = promote_types(dim, a->tensor->dtype);
        else zero = promote_types(zero, a->tensor->dtype);
        break;
      case AOTI_ARG_INT:
      case AOTI_ARG_SYMINT: wrapped = promote_types(wrapped, AOTI_DTYPE_INT64); break;
      case AOTI_ARG_FLOAT: wrapped = promote_types(wrapped, AOTI_DTYPE_FLOAT32); break;
      case AOTI_ARG_BOOL: wrapped = promote_types(wrapped, AOTI_DTYPE_BOOL); break;
      default: break;
    }
  }
  return combine_categories(dim, combine_categories(zero, wrapped));
}

/* Broadcasts a and b's dims into *out (right-aligned; a size-1 side takes the other's size). */
static aoti_status broadcast_dims(const aoti_graph *g, const aoti_node *n, const aoti_value *a,
                                  const aoti_value *b, shape *out) {
  out->rank = a->rank > b->rank ? a->rank : b->rank;
  for (int32_t i = 0; i < out->rank; i++) {
    int32_t ia = a->rank - out->rank + i, ib = b->rank - out->rank + i;
    const aoti_sx *da = ia >= 0 ? a->dims[ia] : NULL, *db = ib >= 0 ? b->dims[ib] : NULL;
    if (!da || (db && aoti_ops_is_one(da)))
      out->dims[i] = db;
    else if (!db || aoti_ops_is_one(db) || da == db)
      out->dims[i] = da;
    else
      return aoti_ops_node_error(n, "sizes %s of '%s' and %s of '%s' do not broadcast (dim %d of the result)",
                        text_of(g, da).s, a->name, text_of(g, db).s, b->name, i);
  }
  return AOTI_OK;
}

static aoti_status check_same_size(const aoti_graph *g, const aoti_node *n, const char *what, const aoti_sx *a,
                                   const aoti_sx *b) {
  if (aoti_ops_dims_differ(g, a, b))
    return aoti_ops_node_error(n, "%s: %s vs %s", what, text_of(g, a).s, text_of(g, b).s);
  return AOTI_OK;
}

static aoti_status check_rank(const aoti_node *n, const aoti_value *v, int32_t rank) {
  if (v->rank != rank) return aoti_ops_node_error(n, "'%s' must have rank %d, got rank %d", v->name, rank, v->rank);
  return AOTI_OK;
}

static aoti_status check_same_dtype(const aoti_node *n, const aoti_value *a, const aoti_value *b) {
  if (a->dtype != b->dtype)
    return aoti_ops_node_error(n, "'%s' is %s but '%s' is %s", a->name, aoti_dtype_name(a->dtype), b->name,
                      aoti_dtype_name(b->dtype));
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Matrix products
//===----------------------------------------------------------------------===//

/* mat1 [n, m] @ mat2 [m, p] -> [n, p], into *out. */
static aoti_status matmul_2d(const aoti_graph *g, const aoti_node *n, const aoti_value *m1, const aoti_value *m2,
                             shape *out) {
  aoti_status st = check_rank(n, m1, 2);
  if (st == AOTI_OK) st = check_rank(n, m2, 2);
  if (st == AOTI_OK) st = check_same_dtype(n, m1, m2);
  if (st == AOTI_OK) st = check_same_size(g, n, "inner sizes of the matrix product differ", m1->dims[1], m2->dims[0]);
  if (st != AOTI_OK) return st;
  *out = (shape){m1->dtype, 2, {m1->dims[0], m2->dims[1]}};
  return AOTI_OK;
}

/* A bias added to a result must broadcast to it without growing it. */
static aoti_status check_bias(const aoti_graph *g, const aoti_node *n, const aoti_value *bias, const shape *result) {
  if (bias->rank > result->rank)
    return aoti_ops_node_error(n, "'%s' has rank %d, more than the result's %d", bias->name, bias->rank, result->rank);
  for (int32_t i = 0; i < bias->rank; i++) {
    const aoti_sx *b = bias->dims[bias->rank - 1 - i], *r = result->dims[result->rank - 1 - i];
    if (!aoti_ops_is_one(b) && b != r && aoti_ops_dims_differ(g, b, r))
      return aoti_ops_node_error(n, "'%s' size %s does not broadcast to the result's %s", bias->name, text_of(g, b).s,
                        text_of(g, r).s);
  }
  if (bias->dtype != result->dtype)
    return aoti_ops_node_error(n, "'%s' is %s but the product is %s", bias->name, aoti_dtype_name(bias->dtype),
                      aoti_dtype_name(result->dtype));
  return AOTI_OK;
}

/* linear(input [*, in], weight [out, in] or [in], bias? [out]) -> [*, out] or [*]. */
aoti_status aoti_shape_linear(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *input = aoti_node_tensor_arg(n, 0), *weight = aoti_node_tensor_arg(n, 1), *bias = aoti_node_tensor_arg(n, 2);
  if (input->rank < 1) return aoti_ops_node_error(n, "'%s' must have rank 1 or more", input->name);
  if (weight->rank != 1 && weight->rank != 2)
    return aoti_ops_node_error(n, "'%s' must have rank 1 or 2, got rank %d", weight->name, weight->rank);
  aoti_status st = check_same_dtype(n, input, weight);
  const aoti_sx *in_features = weight->dims[weight->rank - 1];
  if (st == AOTI_OK)
    st = check_same_size(g, n, "input features differ from the weight's", input->dims[input->rank - 1], in_features);
  if (st != AOTI_OK) return st;
  shape out = shape_of(input);
  if (weight->rank == 2)
    out.dims[out.rank - 1] = weight->dims[0];
  else
    out.rank--;
  if (bias && (st = check_bias(g, n, bias, &out)) != AOTI_OK) return st;
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

/* addmm(self, mat1 [n, m], mat2 [m, p]) -> [n, p], self broadcasting to it. */
aoti_status aoti_shape_addmm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                             const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  shape out;
  aoti_status st = matmul_2d(g, n, aoti_node_tensor_arg(n, 1), aoti_node_tensor_arg(n, 2), &out);
  if (st == AOTI_OK) st = check_bias(g, n, aoti_node_tensor_arg(n, 0), &out);
  return st == AOTI_OK ? emit(&out, out_dtypes, out_ranks, out_dims) : st;
}

aoti_status aoti_shape_mm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                          const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  shape out;
  aoti_status st = matmul_2d(g, n, aoti_node_tensor_arg(n, 0), aoti_node_tensor_arg(n, 1), &out);
  return st == AOTI_OK ? emit(&out, out_dtypes, out_ranks, out_dims) : st;
}

//===----------------------------------------------------------------------===//
// Layout: t, permute, transpose, expand
//===----------------------------------------------------------------------===//

aoti_status aoti_shape_t(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                         const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  shape out = shape_of(aoti_node_tensor_arg(n, 0));
  if (out.rank > 2) return aoti_ops_node_error(n, "t() expects a tensor of rank 2 or less, got rank %d", out.rank);
  if (out.rank == 2) {
    const aoti_sx *d0 = out.dims[0];
    out.dims[0] = out.dims[1];
    out.dims[1] = d0;
  }
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

aoti_status aoti_shape_permute(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                               const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *dims = &n->args[1];
  if (dims->count != self->rank)
    return aoti_ops_node_error(n, "permute got %d dims for a tensor of rank %d", dims->count, self->rank);
  shape out = shape_of(self);
  bool seen[AOTI_MAX_RANK] = {false};
  for (int32_t i = 0; i < dims->count; i++) {
    int64_t dim = 0;
    int32_t d = 0;
    aoti_arg_get_int(&dims->list[i], &dim);
    aoti_status st = wrap_dim(n, dim, self->rank, &d);
    if (st != AOTI_OK) return st;
    if (seen[d]) return aoti_ops_node_error(n, "permute lists dimension %d twice", d);
    seen[d] = true;
    out.dims[i] = self->dims[d];
  }
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

aoti_status aoti_shape_transpose(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  shape out = shape_of(aoti_node_tensor_arg(n, 0));
  int32_t d0 = 0, d1 = 0;
  aoti_status st = wrap_dim(n, int_arg(n, 1), out.rank, &d0);
  if (st == AOTI_OK) st = wrap_dim(n, int_arg(n, 2), out.rank, &d1);
  if (st != AOTI_OK) return st;
  if (out.rank > 0) {
    const aoti_sx *t = out.dims[d0];
    out.dims[d0] = out.dims[d1];
    out.dims[d1] = t;
  }
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

/* expand(self, size): new leading dims; -1 keeps a size; a size-1 dim takes the new size. */
aoti_status aoti_shape_expand(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *size = &n->args[1];
  if (size->count < self->rank || size->count > AOTI_MAX_RANK)
    return aoti_ops_node_error(n, "expand to %d dims from a tensor of rank %d", size->count, self->rank);
  shape out = {self->dtype, size->count, {0}};
  int32_t lead = size->count - self->rank;
  for (int32_t i = 0; i < size->count; i++) {
    const aoti_sx *want = size->list[i].sx;
    int64_t v;
    bool keep = aoti_sx_is_const(want, &v) && v == -1;
    if (i < lead) {
      if (keep) return aoti_ops_node_error(n, "expand: -1 is not allowed for the new leading dimension %d", i);
      out.dims[i] = want;
      continue;
    }
    const aoti_sx *have = self->dims[i - lead];
    if (keep || want == have) {
      out.dims[i] = have;
    } else if (aoti_ops_is_one(have)) {
      out.dims[i] = want;
    } else {
      return aoti_ops_node_error(n, "expand: size %s of dim %d cannot become %s", text_of(g, have).s, i - lead,
                        text_of(g, want).s);
    }
  }
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

//===----------------------------------------------------------------------===//
// Views: view/reshape/_unsafe_view, unsqueeze, squeeze, flatten
//===----------------------------------------------------------------------===//

/* view(self, size): at most one -1, solved as numel(self) // (product of the other sizes). */
aoti_status aoti_shape_view(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                            const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  const aoti_arg *size = &n->args[1];
  if (size->count > AOTI_MAX_RANK) return aoti_ops_node_error(n, "view to %d dims (at most %d)", size->count, AOTI_MAX_RANK);
  shape out = {self->dtype, size->count, {0}};
  int32_t infer = -1;
  const aoti_sx *known = aoti_sx_const(g, 1);
  for (int32_t i = 0; i < size->count; i++) {
    int64_t v;
    out.dims[i] = size->list[i].sx;
    if (aoti_sx_is_const(out.dims[i], &v) && v < 0) {
      if (v != -1 || infer >= 0) return aoti_ops_node_error(n, "view size %lld at dim %d is invalid", (long long)v, i);
      infer = i;
      continue;
    }
    known = aoti_sx_mul(g, known, out.dims[i]);
  }
  const aoti_sx *numel = aoti_value_numel(g, self);
  if (!numel || !known) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory in node '%s'", n->name);
  if (infer >= 0) {
    out.dims[infer] = aoti_sx_floordiv(g, numel, known);
    return emit(&out, out_dtypes, out_ranks, out_dims);
  }
  aoti_status st = check_same_size(g, n, "view changes the number of elements", numel, known);
  return st == AOTI_OK ? emit(&out, out_dtypes, out_ranks, out_dims) : st;
}

/* Same shape and dtype as self: relu, clone, alias, detach. */
aoti_status aoti_shape_same(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                            const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  shape out = shape_of(aoti_node_tensor_arg(n, 0));
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

/* Same shape; integer and bool inputs give float32 (sigmoid of an int tensor is float). */
aoti_status aoti_shape_same_float(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                  const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  shape out = shape_of(aoti_node_tensor_arg(n, 0));
  if (!is_floating(out.dtype)) out.dtype = AOTI_DTYPE_FLOAT32;
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

aoti_status aoti_ops_broadcast_shape(aoti_graph *g, const aoti_node *n, int32_t count, aoti_dtype dtype,
                                     aoti_dtype *out_dtypes, int32_t *out_ranks,
                                     const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  shape out = {dtype, 0, {0}};
  const aoti_value *acc = NULL;
  aoti_value merged; /* the running broadcast shape, as a value for broadcast_dims' messages */
  for (int32_t i = 0; i < count && i < n->num_args; i++) {
    const aoti_value *v = aoti_node_tensor_arg(n, i);
    if (!v) continue;
    if (acc) {
      aoti_status st = broadcast_dims(g, n, acc, v, &out);
      if (st != AOTI_OK) return st;
      merged = *acc;
      merged.rank = out.rank;
      memcpy(merged.dims, out.dims, sizeof merged.dims);
      acc = &merged;
    } else {
      acc = v;
      out.rank = v->rank;
      memcpy(out.dims, v->dims, sizeof out.dims);
    }
  }
  if (!acc) return aoti_ops_node_error(n, "no tensor operand");
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

/* The first two operands (tensors or Scalars) broadcast, with their result type. */
aoti_status aoti_shape_broadcast(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  return aoti_ops_broadcast_shape(g, n, 2, aoti_ops_result_type(n->args, n->num_args < 2 ? n->num_args : 2),
                                  out_dtypes, out_ranks, out_dims);
}

/* div.Tensor is true division: integer operands give float32. */
aoti_status aoti_shape_broadcast_div(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                     int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  aoti_status st = aoti_shape_broadcast(g, n, out_dtypes, out_ranks, out_dims);
  if (st == AOTI_OK && !is_floating(out_dtypes[0])) out_dtypes[0] = AOTI_DTYPE_FLOAT32;
  return st;
}

aoti_status aoti_shape_unsqueeze(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  shape out = shape_of(aoti_node_tensor_arg(n, 0));
  if (out.rank == AOTI_MAX_RANK) return aoti_ops_node_error(n, "unsqueeze beyond rank %d", AOTI_MAX_RANK);
  int32_t d = 0;
  aoti_status st = wrap_dim(n, int_arg(n, 1), out.rank + 1, &d);
  if (st != AOTI_OK) return st;
  memmove(&out.dims[d + 1], &out.dims[d], (size_t)(out.rank - d) * sizeof out.dims[0]);
  out.dims[d] = aoti_sx_const(g, 1);
  out.rank++;
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

/* Removes the listed dims whose size is 1; a listed dim of another size stays (PyTorch's no-op). */
static aoti_status squeeze(const aoti_node *n, const aoti_arg *dims, int32_t count, aoti_dtype *out_dtypes,
                           int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  bool drop[AOTI_MAX_RANK] = {false};
  for (int32_t i = 0; i < count; i++) {
    int64_t dim = 0;
    int32_t d = 0;
    aoti_arg_get_int(&dims[i], &dim);
    aoti_status st = wrap_dim(n, dim, self->rank, &d);
    if (st != AOTI_OK) return st;
    drop[d] = self->rank > 0 && aoti_ops_is_one(self->dims[d]);
  }
  shape out = {self->dtype, 0, {0}};
  for (int32_t d = 0; d < self->rank; d++)
    if (!drop[d]) out.dims[out.rank++] = self->dims[d];
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

aoti_status aoti_shape_squeeze_dim(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                   const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  return squeeze(n, &n->args[1], 1, out_dtypes, out_ranks, out_dims);
}

aoti_status aoti_shape_squeeze_dims(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                    const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  return squeeze(n, n->args[1].list, n->args[1].count, out_dtypes, out_ranks, out_dims);
}

/* flatten(self, start_dim, end_dim): dims start..end become their product; a 0-d tensor gives [1]. */
aoti_status aoti_shape_flatten(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                               const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *self = aoti_node_tensor_arg(n, 0);
  int32_t start = 0, end = 0;
  aoti_status st = wrap_dim(n, int_arg(n, 1), self->rank, &start);
  if (st == AOTI_OK) st = wrap_dim(n, int_arg(n, 2), self->rank, &end);
  if (st != AOTI_OK) return st;
  if (start > end) return aoti_ops_node_error(n, "flatten: start_dim %d comes after end_dim %d", start, end);
  shape out = {self->dtype, 0, {0}};
  if (self->rank == 0) {
    out.rank = 1;
    out.dims[0] = aoti_sx_const(g, 1);
    return emit(&out, out_dtypes, out_ranks, out_dims);
  }
  for (int32_t d = 0; d < start; d++) out.dims[out.rank++] = self->dims[d];
  const aoti_sx *product = aoti_sx_const(g, 1);
  for (int32_t d = start; d <= end; d++) product = aoti_sx_mul(g, product, self->dims[d]);
  if (!product) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory in node '%s'", n->name);
  out.dims[out.rank++] = product;
  for (int32_t d = end + 1; d < self->rank; d++) out.dims[out.rank++] = self->dims[d];
  return emit(&out, out_dtypes, out_ranks, out_dims);
}

//===----------------------------------------------------------------------===//
// Comparing declared and computed sizes
//===----------------------------------------------------------------------===//

/* A value for symbol `i` in sample `k`: the range's ends and points spread between them. */
static int64_t sample_value(const aoti_symbol *s, int k, int i) {
  int64_t hi = s->max - s->min > 100000 ? s->min + 100000 : s->max;
  int64_t span = hi - s->min + 1;
  switch (k) {
    case 0: return s->min;
    case 1: return hi;
    default: return s->min + (int64_t)(((uint64_t)k * 7919u + (uint64_t)i * 104729u) % (uint64_t)span);
  }
}

bool aoti_ops_dims_may_differ(const aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (a == b) return false;
  if (aoti_ops_dims_differ(g, a, b)) return true;
  enum { SAMPLES = 16 };
  int64_t *syms = malloc(((size_t)g->num_symbols + 1) * sizeof *syms);
  bool differ = !syms; /* without memory to sample, keep to the strict answer */
  for (int k = 0; k < SAMPLES && !differ; k++) {
    for (int32_t i = 0; i < g->num_symbols; i++) syms[i] = sample_value(&g->symbols[i], k, i);
    differ = aoti_sx_eval(a, syms) != aoti_sx_eval(b, syms);
  }
  free(syms);
  return differ;
}
