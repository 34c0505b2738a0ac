/* decompose_nn.c — decompositions of the nn family's AOTI_LOWER_DECOMPOSE ops (ops_nn.c)
 * into ops that have a lowering (pass_util.h: aoti_decompose_rule).
 *
 * matmul follows torch.matmul's rules by rank (aten/src/ATen/native/LinearAlgebra.cpp,
 * _matmul_impl): 1-D x 1-D is a dot product; up to 2-D on both sides an mm (a 1-D first operand
 * as a row [1, K], a 1-D second as a column [K, 1], the added dim dropped afterwards); a first
 * operand of rank >= 3 times a 1-D/2-D second folds its batch dims into the rows of one mm;
 * everything else broadcasts the batch dims, expands both operands to them and runs a bmm.
 * Every value is contiguous, so the reshapes are views. */
#include "error.h"
#include "passes/pass_util.h"

/* `x` as a matrix: a 1-D first operand as [1, K], a 1-D second as [K, 1], others unchanged. */
static aoti_status as_matrix(aoti_graph *g, const aoti_node *n, aoti_value *x, bool is_first, aoti_value **out) {
  if (x->rank != 1) {
    *out = x;
    return AOTI_OK;
  }
  const aoti_sx *one = aoti_sx_const(g, 1);
  const aoti_sx *dims[2] = {is_first ? one : x->dims[0], is_first ? x->dims[0] : one};
  return aoti_pass_add_view(g, n, x, 2, dims, out);
}

static aoti_status add_matmul2(aoti_graph *g, const aoti_node *n, const char *target, const char *op,
                               aoti_value *a, aoti_value *b, aoti_value **out) {
  const aoti_arg args[2] = {aoti_arg_tensor(a), aoti_arg_tensor(b)};
  return aoti_pass_add_rewrite(g, n, target, op, args, 2, out);
}

static bool same_shape(const aoti_value *v, int32_t rank, const aoti_sx *const *dims) {
  if (v->rank != rank) return false;
  for (int32_t d = 0; d < rank; ++d)
    if (v->dims[d] != dims[d]) return false; /* expressions are hash-consed */
  return true;
}

/* Matrix operand `m` (rank >= 2) expanded to `batch` dims + its last two, viewed as 3-D. */
static aoti_status batched_operand(aoti_graph *g, const aoti_node *n, aoti_value *m, int32_t num_batch,
                                   const aoti_sx *const *batch, aoti_value **out) {
  const aoti_sx *dims[AOTI_MAX_RANK];
  const aoti_sx *flat = aoti_sx_const(g, 1);
  for (int32_t d = 0; d < num_batch; ++d) {
    dims[d] = batch[d];
    flat = aoti_sx_mul(g, flat, batch[d]);
  }
  dims[num_batch] = m->dims[m->rank - 2];
  dims[num_batch + 1] = m->dims[m->rank - 1];
  aoti_value *x = m;
  aoti_status st = AOTI_OK;
  if (!same_shape(m, num_batch + 2, dims)) {
    aoti_arg items[AOTI_MAX_RANK];
    for (int32_t d = 0; d < num_batch + 2; ++d) items[d] = aoti_arg_symint(dims[d]);
    const aoti_arg args[2] = {aoti_arg_tensor(m), aoti_arg_list(g, AOTI_ARG_LIST, items, num_batch + 2)};
    st = aoti_pass_add_rewrite(g, n, "torch.ops.aten.expand.default", "expand", args, 2, &x);
  }
  const aoti_sx *dims3[3] = {flat, dims[num_batch], dims[num_batch + 1]};
  if (st == AOTI_OK) st = aoti_pass_add_view(g, n, x, 3, dims3, out);
  return st;
}

static aoti_status decompose_matmul(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *a = n->args[0].tensor, *b = n->args[1].tensor;
  const aoti_value *out = n->outputs[0];
  if (!a || !b || a->rank < 1 || b->rank < 1 || a->rank + 1 > AOTI_MAX_RANK || b->rank + 1 > AOTI_MAX_RANK)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': matmul needs two tensors of rank 1 to %d", n->name,
                          AOTI_MAX_RANK - 1);
  aoti_value *am = NULL, *bm = NULL, *y = NULL;
  aoti_status st = as_matrix(g, n, a, true, &am);
  if (st == AOTI_OK) st = as_matrix(g, n, b, false, &bm);
  if (st != AOTI_OK) return st;
  if (a->rank <= 2 && b->rank <= 2) {
    st = add_matmul2(g, n, "torch.ops.aten.mm.default", "mm", am, bm, &y);
  } else if (b->rank <= 2) { /* fold a's batch dims into the rows */
    const aoti_sx *rows = aoti_sx_const(g, 1);
    for (int32_t d = 0; d + 1 < a->rank; ++d) rows = aoti_sx_mul(g, rows, a->dims[d]);
    const aoti_sx *dims2[2] = {rows, a->dims[a->rank - 1]};
    aoti_value *a2 = NULL;
    st = aoti_pass_add_view(g, n, a, 2, dims2, &a2);
    if (st == AOTI_OK) st = add_matmul2(g, n, "torch.ops.aten.mm.default", "mm", a2, bm, &y);
  } else { /* the output's leading dims are the broadcast batch */
    const int32_t num_batch = out->rank - (a->rank >= 2) - (b->rank >= 2);
    aoti_value *a3 = NULL, *b3 = NULL;
    st = batched_operand(g, n, am, num_batch, out->dims, &a3);
    if (st == AOTI_OK) st = batched_operand(g, n, bm, num_batch, out->dims, &b3);
    if (st == AOTI_OK) st = add_matmul2(g, n, "torch.ops.aten.bmm.default", "bmm", a3, b3, &y);
  }
  if (st == AOTI_OK && !same_shape(y, out->rank, out->dims))
    st = aoti_pass_add_view(g, n, y, out->rank, out->dims, &y);
  if (st == AOTI_OK) out_values[0] = y;
  return st;
}

static const aoti_decompose_rule kRules[] = {
    {"matmul", decompose_matmul},
};

const aoti_decompose_rules aoti_decompose_nn = {kRules, sizeof kRules / sizeof kRules[0]};
