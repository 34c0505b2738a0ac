/* ops_nn.c — the nn family of the op table: layer norm, softmax, attention, batched matmul.
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c): torch
 * 2.15's `torch.ops.aten.<op>.<overload>._schema`, namespace dropped. Output shapes follow
 * PyTorch's documented semantics (torch.matmul's rank rules, native_layer_norm's mean/rstd of
 * shape [*leading, 1, ..., 1], sdpa's output [..., L, Ev]). */
#include <string.h>

#include "error.h"
#include "ops/ops_private.h"

/* layer_norm / native_layer_norm: normalized_shape must be the input's trailing dims. Output 0 has
 * the input's shape; native_layer_norm's mean and rstd keep the leading dims and 1 for each
 * normalized dim. */
static aoti_status shape_layer_norm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                    const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  const aoti_arg *shape = &n->args[1];
  if (!x || shape->kind != AOTI_ARG_LIST || shape->count < 1 || shape->count > x->rank)
    return aoti_ops_node_error(n, "normalized_shape must name 1 to rank trailing dims of the input");
  const int32_t first = x->rank - shape->count;
  for (int32_t i = 0; i < shape->count; ++i) {
    const aoti_sx *want = shape->list[i].kind == AOTI_ARG_SYMINT ? shape->list[i].sx : NULL;
    if (!want || aoti_ops_dims_differ(g, want, x->dims[first + i]))
      return aoti_ops_node_error(n, "normalized_shape[%d] does not match dim %d of '%s'", i, first + i, x->name);
  }
  aoti_ops_set_output(0, x->dtype, x->rank, x->dims, out_dtypes, out_ranks, out_dims);
  if (strstr(n->target, "native_layer_norm")) {
    const aoti_sx *stat[AOTI_MAX_RANK];
    for (int32_t d = 0; d < x->rank; ++d) stat[d] = d < first ? x->dims[d] : aoti_sx_const(g, 1);
    aoti_ops_set_output(1, x->dtype, x->rank, stat, out_dtypes, out_ranks, out_dims);
    aoti_ops_set_output(2, x->dtype, x->rank, stat, out_dtypes, out_ranks, out_dims);
  }
  return AOTI_OK;
}

/* softmax.int / log_softmax.int (optional dtype) and _softmax / _log_softmax: the input's shape. */
static aoti_status shape_softmax(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  int64_t dim = 0;
  if (!x || !aoti_arg_get_int(&n->args[1], &dim)) return aoti_ops_node_error(n, "needs a tensor and a dim");
  const int32_t r = x->rank > 0 ? x->rank : 1;
  if (dim < -r || dim >= r) return aoti_ops_node_error(n, "dim %lld is out of range for rank %d", (long long)dim, x->rank);
  aoti_dtype dtype = x->dtype;
  if (n->args[2].kind == AOTI_ARG_SCALAR_TYPE) dtype = (aoti_dtype)n->args[2].i;
  aoti_ops_set_output(0, dtype, x->rank, x->dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* bmm(a [B, M, K], b [B, K, N]) -> [B, M, N]; baddbmm's batch operands come after `self`. */
static aoti_status shape_bmm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                             const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const int32_t first = strstr(n->target, "baddbmm") ? 1 : 0;
  const aoti_value *a = aoti_node_tensor_arg(n, first), *b = aoti_node_tensor_arg(n, first + 1);
  if (!a || !b || a->rank != 3 || b->rank != 3) return aoti_ops_node_error(n, "operands must be 3-D tensors");
  if (aoti_ops_dims_differ(g, a->dims[0], b->dims[0]) || aoti_ops_dims_differ(g, a->dims[2], b->dims[1]))
    return aoti_ops_node_error(n, "sizes of '%s' and '%s' do not match for a batched matmul", a->name, b->name);
  const aoti_sx *dims[3] = {a->dims[0], a->dims[1], b->dims[2]};
  aoti_ops_set_output(0, a->dtype, 3, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* torch.matmul: 1-D x 1-D is a dot product (0-d); a 1-D first operand is a row, a 1-D second a
 * column, each removed from the result; otherwise the batch dims (all but the last two)
 * broadcast, and the result is batch + [n, p]. */
static aoti_status shape_matmul(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *a = aoti_node_tensor_arg(n, 0), *b = aoti_node_tensor_arg(n, 1);
  if (!a || !b || a->rank < 1 || b->rank < 1) return aoti_ops_node_error(n, "operands must be tensors of rank >= 1");
  const aoti_sx *ka = a->dims[a->rank - 1], *kb = b->dims[b->rank >= 2 ? b->rank - 2 : 0];
  if (aoti_ops_dims_differ(g, ka, kb))
    return aoti_ops_node_error(n, "inner sizes of '%s' and '%s' differ", a->name, b->name);
  const int32_t batch_a = a->rank > 2 ? a->rank - 2 : 0, batch_b = b->rank > 2 ? b->rank - 2 : 0;
  const int32_t batch = batch_a > batch_b ? batch_a : batch_b;
  const aoti_sx *dims[AOTI_MAX_RANK];
  int32_t rank = 0;
  for (int32_t i = 0; i < batch; ++i) {
    const int32_t ia = i - (batch - batch_a), ib = i - (batch - batch_b);
    const aoti_sx *da = ia >= 0 ? a->dims[ia] : NULL, *db = ib >= 0 ? b->dims[ib] : NULL;
    if (!da || (db && aoti_ops_is_one(da)))
      dims[rank++] = db;
    else if (!db || aoti_ops_is_one(db) || !aoti_ops_dims_differ(g, da, db))
      dims[rank++] = da;
    else
      return aoti_ops_node_error(n, "batch dims of '%s' and '%s' do not broadcast", a->name, b->name);
  }
  if (a->rank >= 2) dims[rank++] = a->dims[a->rank - 2];
  if (b->rank >= 2) dims[rank++] = b->dims[b->rank - 1];
  if (rank > AOTI_MAX_RANK) return aoti_ops_node_error(n, "result rank %d is too large", rank);
  aoti_ops_set_output(0, a->dtype, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* scaled_dot_product_attention(q [..., L, E], k [..., S, E], v [..., S, Ev]) -> [..., L, Ev]. */
static aoti_status shape_sdpa(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *q = aoti_node_tensor_arg(n, 0), *k = aoti_node_tensor_arg(n, 1), *v = aoti_node_tensor_arg(n, 2);
  if (!q || !k || !v || q->rank < 2 || k->rank < 2 || v->rank < 2)
    return aoti_ops_node_error(n, "query, key and value must be tensors of rank >= 2");
  if (aoti_ops_dims_differ(g, q->dims[q->rank - 1], k->dims[k->rank - 1]) ||
      aoti_ops_dims_differ(g, k->dims[k->rank - 2], v->dims[v->rank - 2]))
    return aoti_ops_node_error(n, "query/key embedding sizes or key/value sequence lengths differ");
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d + 1 < q->rank; ++d) dims[d] = q->dims[d];
  dims[q->rank - 1] = v->dims[v->rank - 1];
  aoti_ops_set_output(0, q->dtype, q->rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

static const aoti_op kRows[] = {
    {ATEN "layer_norm.default",
     "layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None, Tensor? bias=None, "
     "float eps=1.0000000000000001e-05, bool cudnn_enable=True) -> Tensor",
     shape_layer_norm, AOTI_LOWER_NN, NULL},
    {ATEN "native_layer_norm.default",
     "native_layer_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight, Tensor? bias, float eps) "
     "-> (Tensor, Tensor, Tensor)",
     shape_layer_norm, AOTI_LOWER_NN, NULL},
    {ATEN "softmax.int", "softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor", shape_softmax,
     AOTI_LOWER_NN, NULL},
    {ATEN "_softmax.default", "_softmax(Tensor self, int dim, bool half_to_float) -> Tensor", shape_softmax,
     AOTI_LOWER_NN, NULL},
    {ATEN "log_softmax.int", "log_softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> Tensor",
     shape_softmax, AOTI_LOWER_NN, NULL},
    {ATEN "_log_softmax.default", "_log_softmax(Tensor self, int dim, bool half_to_float) -> Tensor",
     shape_softmax, AOTI_LOWER_NN, NULL},
    {ATEN "bmm.default", "bmm(Tensor self, Tensor mat2) -> Tensor", shape_bmm, AOTI_LOWER_NN, NULL},
    {ATEN "baddbmm.default",
     "baddbmm(Tensor self, Tensor batch1, Tensor batch2, *, Scalar beta=1, Scalar alpha=1) -> Tensor", shape_bmm,
     AOTI_LOWER_NN, NULL},
    {ATEN "matmul.default", "matmul(Tensor self, Tensor other) -> Tensor", shape_matmul, AOTI_LOWER_DECOMPOSE,
     NULL},
    {ATEN "scaled_dot_product_attention.default",
     "scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, "
     "float dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor",
     shape_sdpa, AOTI_LOWER_NN, NULL},
};

const aoti_op_family aoti_ops_family_nn = {"nn", kRows, sizeof kRows / sizeof kRows[0]};
