/* functionalize.c — the functionalize pass: removes in-place ops (relu_, add_, fill_, copy_, ...:
 * an op whose name ends in a single '_' mutates its first argument) so every later pass sees pure
 * values.
 *
 * A node `y = op_(x, ...)` becomes its functional op `y = op(x, ...)` (same arguments), and every
 * later use (in node order) of the mutated value x refers to y instead. When x is a view of a base
 * tensor (chains of slice, select, alias/detach and reshaping views), the new value of the view is
 * written back into the base: slice -> slice_scatter, select -> select_scatter, a reshaping view
 * -> a view back to the base's shape, alias/detach -> the value itself, step by step up the
 * chain, and later uses of each tensor in the chain refer to its new value. In-place ops on user
 * inputs and constants (or views of them) are AOTI_ERROR_UNSUPPORTED: inference never needs them,
 * and a compiled model does not write its inputs.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

#define ATEN "torch.ops.aten."

/* An op name of an in-place variant: ends in one '_' ("relu_"), not a dunder ("__and__"). */
static bool is_inplace_name(const char *name) {
  const size_t len = strlen(name);
  return len >= 2 && name[len - 1] == '_' && name[len - 2] != '_';
}

typedef enum view_kind { VIEW_NONE, VIEW_SLICE, VIEW_SELECT, VIEW_SAME, VIEW_RESHAPE } view_kind;

/* How an in-place write through a value made by `n` reaches the value it views. */
static view_kind view_kind_of(const aoti_node *n) {
  if (!n || !n->op) return VIEW_NONE;
  const char *op = aoti_pass_op_name(n);
  if (strcmp(op, "slice") == 0) return VIEW_SLICE;
  if (strcmp(op, "select") == 0) return VIEW_SELECT;
  if (strcmp(op, "alias") == 0 || strcmp(op, "detach") == 0) return VIEW_SAME;
  static const char *const kReshapes[] = {"view", "_unsafe_view", "reshape", "unsqueeze", "squeeze", "flatten",
                                          "unflatten"};
  for (size_t i = 0; i < sizeof kReshapes / sizeof kReshapes[0]; ++i)
    if (strcmp(op, kReshapes[i]) == 0) return VIEW_RESHAPE;
  return VIEW_NONE;
}

/* Ops that return a view PyTorch would write through, but whose write-back is not supported. */
static bool is_other_view(const aoti_node *n) {
  if (!n || !n->op) return false;
  static const char *const kViews[] = {"t", "transpose", "permute", "expand", "as_strided", "narrow", "split",
                                       "split_with_sizes", "chunk", "unbind", "diagonal", "contiguous"};
  const char *op = aoti_pass_op_name(n);
  for (size_t i = 0; i < sizeof kViews / sizeof kViews[0]; ++i)
    if (strcmp(op, kViews[i]) == 0) return true;
  return false;
}

//===----------------------------------------------------------------------===//
// Replacing later uses
//===----------------------------------------------------------------------===//

static void replace_in_arg(aoti_arg *a, const aoti_value *from, aoti_value *to) {
  if (a->kind == AOTI_ARG_TENSOR && a->tensor == from) a->tensor = to;
  if (a->kind == AOTI_ARG_TENSORS)
    for (int32_t k = 0; k < a->count; ++k) replace_in_arg(&a->list[k], from, to);
}

/* Uses of `from` by nodes [first, num_nodes) and by the graph outputs refer to `to`. */
static void replace_uses_from(aoti_graph *g, int32_t first, const aoti_value *from, aoti_value *to) {
  for (int32_t i = first; i < g->num_nodes; ++i) {
    aoti_node *n = g->nodes[i];
    for (int32_t k = 0; k < n->num_args; ++k) replace_in_arg(&n->args[k], from, to);
    for (int32_t k = 0; k < n->num_named; ++k) replace_in_arg(&n->named[k].arg, from, to);
  }
  for (int32_t o = 0; o < g->num_outputs; ++o)
    if (g->outputs[o].value == from) g->outputs[o].value = to;
}

//===----------------------------------------------------------------------===//
// One in-place node
//===----------------------------------------------------------------------===//

/* The functional row of in-place node `n` ("relu_.default" -> "relu.default"). */
static aoti_status functional_op(const aoti_node *n, const aoti_op **out_op) {
  const char *name = aoti_pass_op_name(n);
  const char *overload = strrchr(n->target, '.');
  char target[256];
  snprintf(target, sizeof target, ATEN "%.*s%s", (int)strlen(name) - 1, name, overload ? overload : ".default");
  const aoti_op *op = aoti_op_find(target);
  if (!op)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): in-place op without a functional op %s in "
                          "the op table", n->name, n->target, target);
  *out_op = op;
  return AOTI_OK;
}

/* The new value of `base`, given the new value `updated` of the view `view_node` made of it. */
static aoti_status write_back(aoti_graph *g, const aoti_node *inplace, const aoti_node *view_node,
                              aoti_value *updated, aoti_value **out_base) {
  aoti_value *base = view_node->args[0].tensor;
  switch (view_kind_of(view_node)) {
    case VIEW_SAME: *out_base = updated; return AOTI_OK;
    case VIEW_RESHAPE: return aoti_pass_add_view(g, inplace, updated, base->rank, base->dims, out_base);
    case VIEW_SLICE: {
      const aoti_arg args[6] = {aoti_arg_tensor(base), aoti_arg_tensor(updated), view_node->args[1],
                                view_node->args[2], view_node->args[3], view_node->args[4]};
      return aoti_pass_add_rewrite(g, inplace, ATEN "slice_scatter.default", "slice_scatter", args, 6, out_base);
    }
    case VIEW_SELECT: {
      const aoti_arg args[4] = {aoti_arg_tensor(base), aoti_arg_tensor(updated), view_node->args[1],
                                view_node->args[2]};
      return aoti_pass_add_rewrite(g, inplace, ATEN "select_scatter.default", "select_scatter", args, 4, out_base);
    }
    case VIEW_NONE: break;
  }
  return aoti_error_set(AOTI_ERROR_INTERNAL, "node '%s': not a view", view_node->name);
}

/* The chain of view nodes from `self` up to the tensor that owns its bytes. */
static aoti_status view_chain(const aoti_node *n, aoti_value *self, const aoti_node **chain, int32_t *out_count,
                              aoti_value **out_root) {
  enum { MAX_CHAIN = 64 };
  int32_t count = 0;
  aoti_value *v = self;
  while (view_kind_of(v->producer) != VIEW_NONE) {
    if (count == MAX_CHAIN)
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): writes through more than %d views", n->name,
                            n->target, MAX_CHAIN);
    chain[count++] = v->producer;
    v = v->producer->args[0].tensor;
  }
  if (is_other_view(v->producer))
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): writes through a '%s' view ('%s'); only slice, "
                          "select, alias and reshaping views are supported", n->name, n->target,
                          aoti_pass_op_name(v->producer), v->producer->name);
  if (v->kind != AOTI_VALUE_INTERMEDIATE)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): writes in place into %s '%s' (inference never "
                          "needs it; a compiled model does not modify its inputs or weights)", n->name, n->target,
                          v->kind == AOTI_VALUE_INPUT ? "the user input" : "the constant", v->name);
  *out_count = count;
  *out_root = v;
  return AOTI_OK;
}

/* Rewrites in-place node i; *out_added is the number of nodes inserted after it. */
static aoti_status functionalize_node(aoti_graph *g, int32_t i, int32_t *out_added) {
  aoti_node *n = g->nodes[i];
  aoti_value *self = n->num_args > 0 && n->args[0].kind == AOTI_ARG_TENSOR ? n->args[0].tensor : NULL;
  if (!self || n->num_outputs != 1)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): an in-place op needs a tensor self and one "
                          "output", n->name, n->target);
  const aoti_op *op = NULL;
  const aoti_node *chain[64];
  int32_t count = 0;
  aoti_value *root = NULL;
  aoti_status st = functional_op(n, &op);
  if (st == AOTI_OK) st = view_chain(n, self, chain, &count, &root);
  if (st != AOTI_OK) return st;
  n->op = op;
  n->target = op->target;
  /* New values: of self (the node's output), then of each tensor up the chain. */
  const int32_t first_new = g->num_nodes;
  aoti_value *olds[65], *news[65];
  olds[0] = self;
  news[0] = n->outputs[0];
  for (int32_t k = 0; k < count && st == AOTI_OK; ++k) {
    olds[k + 1] = chain[k]->args[0].tensor;
    st = write_back(g, n, chain[k], news[k], &news[k + 1]);
  }
  if (st != AOTI_OK) return st;
  const int32_t added = g->num_nodes - first_new;
  aoti_pass_move_tail(g, first_new, i + 1);
  for (int32_t k = 0; k <= count; ++k) replace_uses_from(g, i + 1 + added, olds[k], news[k]);
  *out_added = added;
  return AOTI_OK;
}

aoti_status aoti_pass_functionalize(aoti_graph *g) {
  bool changed = false;
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    if (!g->nodes[i]->op || !is_inplace_name(aoti_pass_op_name(g->nodes[i]))) continue;
    int32_t added = 0;
    aoti_status st = functionalize_node(g, i, &added);
    if (st != AOTI_OK) return st;
    i += added;
    changed = true;
  }
  if (changed) aoti_graph_remove_dead_nodes(g);
  return aoti_graph_verify(g);
}
