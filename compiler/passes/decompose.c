/* decompose.c — the decompose pass: rewrites every AOTI_LOWER_DECOMPOSE node into lowered ops,
 * by the rules of its family (this file's core rules: linear -> t + addmm/mm with views around it
 * for rank != 2; reshape and flatten -> view, since every value is contiguous; the other families'
 * rules in decompose_<family>.c). New nodes take the old node's place in the topological order;
 * the old node dies and is removed. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

/* The SymInt[] size list of a view to `dims`. */
static aoti_arg size_list(aoti_graph *g, int32_t rank, const aoti_sx *const *dims) {
  aoti_arg items[AOTI_MAX_RANK];
  for (int32_t d = 0; d < rank; ++d) items[d] = aoti_arg_symint(dims[d]);
  return aoti_arg_list(g, AOTI_ARG_LIST, items, rank);
}

aoti_status aoti_pass_add_rewrite(aoti_graph *g, const aoti_node *original, const char *target,
                                  const char *op, const aoti_arg *args, int32_t num_args,
                                  aoti_value **out_value) {
  char base[256];
  snprintf(base, sizeof base, "%s_%s", original->name, op);
  return aoti_pass_add_bound_node(g, target, base, args, num_args, out_value);
}

aoti_status aoti_pass_add_view(aoti_graph *g, const aoti_node *original, aoti_value *x, int32_t rank,
                               const aoti_sx *const *dims, aoti_value **out_value) {
  const aoti_arg args[2] = {aoti_arg_tensor(x), size_list(g, rank, dims)};
  return aoti_pass_add_rewrite(g, original, "torch.ops.aten.view.default", "view", args, 2, out_value);
}

/* linear(x, w, b) = x @ w^T + b: t(w), then addmm(b, x2d, wt) or mm(x2d, wt), with x viewed to
 * 2-D (leading dims flattened) and the result viewed back when x is not 2-D. */
static aoti_status decompose_linear(aoti_graph *g, const aoti_node *n, aoti_value **out_value) {
  aoti_value *x = n->args[0].tensor, *w = n->args[1].tensor;
  const aoti_arg bias = n->num_args > 2 ? n->args[2] : aoti_arg_none();
  const aoti_value *out = n->outputs[0];
  if (!x || !w || x->rank < 1 || w->rank != 2)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': linear needs an input of rank >= 1 and "
                          "a 2-D weight", n->name);
  aoti_value *x2d = x;
  aoti_status st = AOTI_OK;
  if (x->rank != 2) {
    const aoti_sx *lead = aoti_sx_const(g, 1);
    for (int32_t d = 0; d + 1 < x->rank; ++d) lead = aoti_sx_mul(g, lead, x->dims[d]);
    const aoti_sx *dims2d[2] = {lead, x->dims[x->rank - 1]};
    st = aoti_pass_add_view(g, n, x, 2, dims2d, &x2d);
  }
  aoti_value *wt = NULL, *y = NULL;
  if (st == AOTI_OK) {
    const aoti_arg targs[1] = {aoti_arg_tensor(w)};
    st = aoti_pass_add_rewrite(g, n, "torch.ops.aten.t.default", "t", targs, 1, &wt);
  }
  if (st == AOTI_OK && bias.kind == AOTI_ARG_TENSOR) {
    const aoti_arg margs[3] = {bias, aoti_arg_tensor(x2d), aoti_arg_tensor(wt)};
    st = aoti_pass_add_rewrite(g, n, "torch.ops.aten.addmm.default", "addmm", margs, 3, &y);
  } else if (st == AOTI_OK) {
    const aoti_arg margs[2] = {aoti_arg_tensor(x2d), aoti_arg_tensor(wt)};
    st = aoti_pass_add_rewrite(g, n, "torch.ops.aten.mm.default", "mm", margs, 2, &y);
  }
  if (st == AOTI_OK && x->rank != 2) st = aoti_pass_add_view(g, n, y, out->rank, out->dims, &y);
  if (st == AOTI_OK) *out_value = y;
  return st;
}

static aoti_status decompose_linear_rule(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  return decompose_linear(g, n, &out_values[0]);
}

/* All values are contiguous, so reshape and flatten never copy: a view to the output shape. */
static aoti_status decompose_to_view(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  aoti_value *x = aoti_pass_first_tensor(n);
  const aoti_value *out = n->outputs[0];
  if (!x) return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': %s needs a tensor", n->name, n->target);
  return aoti_pass_add_view(g, n, x, out->rank, out->dims, &out_values[0]);
}

static const aoti_decompose_rule kCoreRules[] = {
    {"linear", decompose_linear_rule},
    {"reshape", decompose_to_view},
    {"flatten", decompose_to_view},
};
static const aoti_decompose_rules kCore = {kCoreRules, sizeof kCoreRules / sizeof kCoreRules[0]};

static const aoti_decompose_rules *const kFamilies[] = {
    &kCore, &aoti_decompose_pointwise, &aoti_decompose_conv, &aoti_decompose_shape, &aoti_decompose_nn,
};

static aoti_decompose_fn find_rule(const char *op) {
  for (size_t f = 0; f < sizeof kFamilies / sizeof kFamilies[0]; ++f)
    for (size_t r = 0; r < kFamilies[f]->count; ++r)
      if (strcmp(kFamilies[f]->rules[r].op, op) == 0) return kFamilies[f]->rules[r].fn;
  return NULL;
}

aoti_status aoti_pass_decompose(aoti_graph *g) {
  bool changed = false;
  for (int32_t i = 0; i < g->num_nodes;) {
    aoti_node *n = g->nodes[i];
    if (!n->op || n->op->lowering != AOTI_LOWER_DECOMPOSE) {
      ++i;
      continue;
    }
    const aoti_decompose_fn rule = find_rule(aoti_pass_op_name(n));
    if (!rule)
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no decomposition for '%s'", n->name,
                            n->target);
    const int32_t first_new = g->num_nodes;
    aoti_value **replacements = aoti_graph_alloc(g, sizeof *replacements * (size_t)(n->num_outputs + 1));
    if (!replacements)
      return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory decomposing node '%s'", n->name);
    aoti_status st = rule(g, n, replacements);
    if (st != AOTI_OK) return st;
    const int32_t added = g->num_nodes - first_new;
    aoti_pass_move_tail(g, first_new, i);
    for (int32_t k = 0; k < n->num_outputs; ++k)
      if (replacements[k]) aoti_graph_replace_uses(g, n->outputs[k], replacements[k]);
    changed = true;
    i += added + 1; /* past the new nodes and the old one, now dead */
  }
  if (changed) aoti_graph_remove_dead_nodes(g);
  return aoti_graph_verify(g);
}
