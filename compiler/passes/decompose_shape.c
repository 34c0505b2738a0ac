/* decompose_shape.c — decompositions of the shape family's AOTI_LOWER_DECOMPOSE ops (ops_shape.c)
 * into ops that have a lowering (pass_util.h: aoti_decompose_rule):
 *   slice, select, narrow, split, split_with_sizes, chunk, unbind -> as_strided (a strided copy of
 *     the contiguous input, one per output);
 *   stack -> unsqueeze of each input + cat;  pad (mode "constant") -> constant_pad_nd;
 *   expand_as -> expand;  diff -> (cat of prepend/self/append) then n times sub of two slices.
 * Every value is contiguous here, so the strides of a view are those of its input. */
#include <string.h>

#include "error.h"
#include "ops/ops_shape.h"
#include "passes/pass_util.h"

#define ATEN "torch.ops.aten."

static aoti_status bad_node(const aoti_node *n, const char *what) {
  return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): %s", n->name, n->target, what);
}

static aoti_arg symint_list(aoti_graph *g, int32_t count, const aoti_sx *const *items) {
  aoti_arg args[AOTI_MAX_RANK];
  for (int32_t i = 0; i < count; ++i) args[i] = aoti_arg_symint(items[i]);
  return aoti_arg_list(g, AOTI_ARG_LIST, args, count);
}

/* as_strided(x, dims, strides, offset): the elements of contiguous x at those strides. */
static aoti_status add_strided(aoti_graph *g, const aoti_node *n, aoti_value *x, int32_t rank,
                               const aoti_sx *const *dims, const aoti_sx *const *strides, const aoti_sx *offset,
                               aoti_value **out_value) {
  const aoti_arg args[4] = {aoti_arg_tensor(x), symint_list(g, rank, dims), symint_list(g, rank, strides),
                            aoti_arg_symint(offset)};
  if (!offset) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory decomposing node '%s'", n->name);
  return aoti_pass_add_rewrite(g, n, ATEN "as_strided.default", "as_strided", args, 4, out_value);
}

static bool dim_arg(const aoti_node *n, int i, int32_t rank, int32_t *out_dim) {
  int64_t dim = 0;
  return i < n->num_args && aoti_arg_get_int(&n->args[i], &dim) && aoti_shape_wrap_dim(dim, rank, out_dim);
}

static const aoti_sx *sx_arg(aoti_graph *g, const aoti_node *n, int i) {
  const aoti_arg *a = &n->args[i];
  if (a->kind == AOTI_ARG_SYMINT) return a->sx;
  if (a->kind == AOTI_ARG_INT) return aoti_sx_const(g, a->i);
  return NULL;
}

/* Output k of `n` as the part of its input starting at `start` along `dim` (same rank; the
 * output's dims are the piece's sizes), elements `step` apart along dim. */
static aoti_status piece_along(aoti_graph *g, const aoti_node *n, int32_t k, int32_t dim, const aoti_sx *start,
                               const aoti_sx *step, aoti_value **out_value) {
  aoti_value *x = aoti_pass_first_tensor(n);
  const aoti_value *out = n->outputs[k];
  const aoti_sx *strides[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(g, x, strides);
  const aoti_sx *offset = aoti_sx_mul(g, start, strides[dim]);
  strides[dim] = aoti_sx_mul(g, strides[dim], step);
  return add_strided(g, n, x, out->rank, out->dims, strides, offset, out_value);
}

/* Output k of `n` as index `index` (in range) along `dim`, that dim dropped. */
static aoti_status select_along(aoti_graph *g, const aoti_node *n, int32_t k, int32_t dim, const aoti_sx *index,
                                aoti_value **out_value) {
  aoti_value *x = aoti_pass_first_tensor(n);
  const aoti_value *out = n->outputs[k];
  const aoti_sx *strides[AOTI_MAX_RANK], *kept[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(g, x, strides);
  int32_t rank = 0;
  for (int32_t d = 0; d < x->rank; ++d)
    if (d != dim) kept[rank++] = strides[d];
  return add_strided(g, n, x, out->rank, out->dims, kept, aoti_sx_mul(g, index, strides[dim]), out_value);
}

/* An index or start that may count from the end: in [0, size) when its sign is known. */
static const aoti_sx *from_end(aoti_graph *g, const aoti_sx *index, const aoti_sx *size, bool *ok) {
  int64_t lo = 0, hi = 0;
  aoti_sx_bounds(g, index, &lo, &hi);
  *ok = lo >= 0 || hi < 0;
  return hi < 0 ? aoti_sx_add(g, size, index) : index;
}

static aoti_status decompose_slice(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  int32_t dim = 0;
  const aoti_sx *start = NULL, *length = NULL;
  if (!dim_arg(n, 1, x->rank, &dim) ||
      !aoti_shape_slice_range(g, x->dims[dim], sx_arg(g, n, 2), sx_arg(g, n, 3), sx_arg(g, n, 4), &start, &length))
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): slice bounds not supported", n->name, n->target);
  return piece_along(g, n, 0, dim, start, sx_arg(g, n, 4), &out_values[0]);
}

static aoti_status decompose_select(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  int32_t dim = 0;
  bool ok = false;
  if (!dim_arg(n, 1, x->rank, &dim)) return bad_node(n, "dim out of range");
  const aoti_sx *index = from_end(g, sx_arg(g, n, 2), x->dims[dim], &ok);
  if (!ok)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): an index whose sign depends on the input sizes "
                          "is not supported", n->name, n->target);
  return select_along(g, n, 0, dim, index, &out_values[0]);
}

static aoti_status decompose_narrow(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  int32_t dim = 0;
  bool ok = false;
  if (!dim_arg(n, 1, x->rank, &dim)) return bad_node(n, "dim out of range");
  const aoti_sx *start = from_end(g, sx_arg(g, n, 2), x->dims[dim], &ok);
  if (!ok)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): a start whose sign depends on the input sizes "
                          "is not supported", n->name, n->target);
  return piece_along(g, n, 0, dim, start, aoti_sx_const(g, 1), &out_values[0]);
}

/* split, split_with_sizes, chunk: consecutive pieces along dim, sized as the outputs are. */
static aoti_status decompose_split(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  int32_t dim = 0;
  if (!dim_arg(n, 2, x->rank, &dim)) return bad_node(n, "dim out of range");
  const aoti_sx *start = aoti_sx_const(g, 0), *one = aoti_sx_const(g, 1);
  for (int32_t k = 0; k < n->num_outputs; ++k) {
    aoti_status st = piece_along(g, n, k, dim, start, one, &out_values[k]);
    if (st != AOTI_OK) return st;
    start = aoti_sx_add(g, start, n->outputs[k]->dims[dim]);
  }
  return AOTI_OK;
}

static aoti_status decompose_unbind(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  int32_t dim = 0;
  if (!dim_arg(n, 1, x->rank, &dim)) return bad_node(n, "dim out of range");
  for (int32_t k = 0; k < n->num_outputs; ++k) {
    aoti_status st = select_along(g, n, k, dim, aoti_sx_const(g, k), &out_values[k]);
    if (st != AOTI_OK) return st;
  }
  return AOTI_OK;
}

/* stack(tensors, dim) = cat([unsqueeze(t, dim) for t in tensors], dim). */
static aoti_status decompose_stack(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  const aoti_arg *list = &n->args[0];
  int64_t dim = 0;
  aoti_arg_get_int(&n->args[1], &dim);
  aoti_arg *items = aoti_graph_alloc(g, sizeof *items * (size_t)(list->count + 1));
  if (!items) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory decomposing node '%s'", n->name);
  int32_t wrapped = 0;
  if (list->count == 0 || !aoti_shape_wrap_dim(dim, list->list[0].tensor->rank + 1, &wrapped))
    return bad_node(n, "stack dim out of range");
  for (int32_t i = 0; i < list->count; ++i) {
    const aoti_arg args[2] = {list->list[i], aoti_arg_int(wrapped)};
    aoti_value *u = NULL;
    aoti_status st = aoti_pass_add_rewrite(g, n, ATEN "unsqueeze.default", "unsqueeze", args, 2, &u);
    if (st != AOTI_OK) return st;
    items[i] = aoti_arg_tensor(u);
  }
  const aoti_arg args[2] = {aoti_arg_list(g, AOTI_ARG_TENSORS, items, list->count), aoti_arg_int(wrapped)};
  return aoti_pass_add_rewrite(g, n, ATEN "cat.default", "cat", args, 2, &out_values[0]);
}

/* pad(self, pad, mode, value): constant mode is constant_pad_nd; the others are not lowered. */
static aoti_status decompose_pad(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  const char *mode = n->args[2].kind == AOTI_ARG_STRING ? n->args[2].s : "constant";
  if (strcmp(mode, "constant") != 0)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): pad mode '%s' is not supported (only "
                          "'constant')", n->name, n->target, mode);
  const aoti_arg value = n->args[3].kind == AOTI_ARG_FLOAT ? n->args[3] : aoti_arg_float(0.0);
  const aoti_arg args[3] = {n->args[0], n->args[1], value};
  return aoti_pass_add_rewrite(g, n, ATEN "constant_pad_nd.default", "constant_pad_nd", args, 3, &out_values[0]);
}

static aoti_status decompose_expand_as(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  const aoti_value *out = n->outputs[0];
  const aoti_arg args[2] = {n->args[0], symint_list(g, out->rank, out->dims)};
  return aoti_pass_add_rewrite(g, n, ATEN "expand.default", "expand", args, 2, &out_values[0]);
}

/* x[1:] - x[:-1] along dim (ne for bool, as torch.diff does), `times` times. */
static aoti_status decompose_diff(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  int32_t dim = 0;
  int64_t times = 0;
  if (!dim_arg(n, 2, x->rank, &dim) || !aoti_arg_get_int(&n->args[1], &times) || times < 0)
    return bad_node(n, "diff needs a dim in range and n >= 0");
  aoti_status st = AOTI_OK;
  if (n->args[3].kind == AOTI_ARG_TENSOR || n->args[4].kind == AOTI_ARG_TENSOR) {
    aoti_arg items[3];
    int32_t count = 0;
    if (n->args[3].kind == AOTI_ARG_TENSOR) items[count++] = n->args[3];
    items[count++] = aoti_arg_tensor(x);
    if (n->args[4].kind == AOTI_ARG_TENSOR) items[count++] = n->args[4];
    const aoti_arg args[2] = {aoti_arg_list(g, AOTI_ARG_TENSORS, items, count), aoti_arg_int(dim)};
    st = aoti_pass_add_rewrite(g, n, ATEN "cat.default", "cat", args, 2, &x);
  }
  const char *op = x->dtype == AOTI_DTYPE_BOOL ? ATEN "ne.Tensor" : ATEN "sub.Tensor";
  const aoti_sx *one = aoti_sx_const(g, 1), *zero = aoti_sx_const(g, 0);
  for (int64_t t = 0; t < times && st == AOTI_OK; ++t) {
    const aoti_sx *strides[AOTI_MAX_RANK], *dims[AOTI_MAX_RANK];
    aoti_pass_contiguous_strides(g, x, strides);
    memcpy(dims, x->dims, sizeof dims[0] * (size_t)x->rank);
    dims[dim] = aoti_sx_max(g, aoti_sx_sub(g, x->dims[dim], one), zero);
    aoti_value *hi = NULL, *lo = NULL;
    st = add_strided(g, n, x, x->rank, dims, strides, strides[dim], &hi);
    if (st == AOTI_OK) st = add_strided(g, n, x, x->rank, dims, strides, zero, &lo);
    if (st == AOTI_OK) {
      const aoti_arg args[2] = {aoti_arg_tensor(hi), aoti_arg_tensor(lo)};
      st = aoti_pass_add_rewrite(g, n, op, x->dtype == AOTI_DTYPE_BOOL ? "ne" : "sub", args, 2, &x);
    }
  }
  if (st == AOTI_OK) out_values[0] = x;
  return st;
}

static const aoti_decompose_rule kRules[] = {
    {"slice", decompose_slice},
    {"select", decompose_select},
    {"narrow", decompose_narrow},
    {"split", decompose_split},
    {"split_with_sizes", decompose_split},
    {"chunk", decompose_split},
    {"unbind", decompose_unbind},
    {"stack", decompose_stack},
    {"pad", decompose_pad},
    {"expand_as", decompose_expand_as},
    {"diff", decompose_diff},
};

const aoti_decompose_rules aoti_decompose_shape = {kRules, sizeof kRules / sizeof kRules[0]};
