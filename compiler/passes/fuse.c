/* fuse.c — epilogue fusion (aoti_pass_fuse_epilogues, passes.h): a residual add and an activation
 * that follow a convolution or a matrix product are done by its kernel as it stores each value, instead
 * of by nodes of their own that read and write the whole tensor again.
 *
 * A producer absorbs its output's only user when that user is
 *   - add.Tensor(y, r) or add.Tensor(r, y) with alpha 1, r of y's shape and dtype (no broadcast),
 *     while the producer has no residual and no activation yet: r becomes the residual;
 *   - an activation of y (relu, relu6, hardtanh(0, 6), hardswish, silu, gelu, sigmoid), while it
 *     has none yet;
 * repeatedly, so conv -> add -> relu (a ResNet block's end) becomes one node: the user node
 * takes over the producer's op and arguments, in its own place in the node list (where r is
 * surely computed; the producer's place may be too early for it) and with its own output, and
 * the producer, left without users, is removed. A fused residual is appended to the arguments so
 * that liveness and memory planning see the read.
 *
 * Producers: float32 convolutions (conv1d, conv2d, convolution) and matrix products (mm, addmm).
 * The epilogue's order is act(product + bias + residual), the order of the nodes it replaces. */
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

/* Convolutions and matrix products, whose kernels apply an epilogue (codegen/emit_conv.c,
 * codegen_nodes.c's emit_matmul). */
static bool is_producer(const aoti_node *n) {
  const char *op = aoti_pass_op_name(n);
  return aoti_pass_is_conv(n) || strcmp(op, "addmm") == 0 || strcmp(op, "mm") == 0;
}

/* The op name without a trailing in-place '_' ("relu_" -> "relu"), in `buf`. */
static const char *functional_name(const aoti_node *n, char *buf, size_t size) {
  const char *op = aoti_pass_op_name(n);
  size_t len = strlen(op);
  if (len >= size) return "";
  memcpy(buf, op, len + 1);
  if (len > 1 && buf[len - 1] == '_' && buf[len - 2] != '_') buf[len - 1] = '\0';
  return buf;
}

static bool arg_is_number(const aoti_node *n, int32_t i, double want) {
  double v = 0.0;
  return i < n->num_args && aoti_pass_arg_number(&n->args[i], &v) && v == want;
}

/* The activation user `u` applies, or AOTI_ACTIVATION_NONE when it is none of ours. */
static aoti_activation activation_of(const aoti_node *u) {
  char buf[32];
  const char *op = functional_name(u, buf, sizeof buf);
  if (strcmp(op, "relu") == 0) return AOTI_ACTIVATION_RELU;
  if (strcmp(op, "relu6") == 0) return AOTI_ACTIVATION_RELU6;
  if (strcmp(op, "hardtanh") == 0 && arg_is_number(u, 1, 0.0) && arg_is_number(u, 2, 6.0))
    return AOTI_ACTIVATION_RELU6;
  if (strcmp(op, "hardswish") == 0) return AOTI_ACTIVATION_HARDSWISH;
  if (strcmp(op, "silu") == 0) return AOTI_ACTIVATION_SILU;
  if (strcmp(op, "sigmoid") == 0) return AOTI_ACTIVATION_SIGMOID;
  if (strcmp(op, "gelu") == 0) {
    const aoti_arg *approximate = u->num_args > 1 ? &u->args[1] : NULL;
    if (!approximate || approximate->kind != AOTI_ARG_STRING || strcmp(approximate->s, "none") == 0)
      return AOTI_ACTIVATION_GELU;
    if (strcmp(approximate->s, "tanh") == 0) return AOTI_ACTIVATION_GELU_TANH;
  }
  return AOTI_ACTIVATION_NONE;
}

static bool same_shape(const aoti_value *a, const aoti_value *b) {
  if (a->rank != b->rank || a->dtype != b->dtype) return false;
  for (int32_t d = 0; d < a->rank; ++d)
    if (a->dims[d] != b->dims[d]) return false; /* hash-consed: equal sizes are one expression */
  return true;
}

/* The other operand of add.Tensor(y, r) / add.Tensor(r, y) with alpha 1, when it can be a
 * residual of y; NULL otherwise. */
static aoti_value *residual_of(const aoti_node *u, const aoti_value *y) {
  if (strcmp(u->target, "torch.ops.aten.add.Tensor") != 0 || u->num_args < 2) return NULL;
  if (u->num_args > 2 && !arg_is_number(u, 2, 1.0)) return NULL;
  aoti_value *a = aoti_node_tensor_arg(u, 0), *b = aoti_node_tensor_arg(u, 1);
  aoti_value *r = a == y ? b : b == y ? a : NULL;
  return r && r != y && same_shape(r, y) && same_shape(u->outputs[0], y) ? r : NULL;
}

/* The only node reading `v`, or NULL when v has another use (another reader, a second read by
 * the same node as in add(y, y), or a graph output) or none. */
static aoti_node *only_user(const aoti_graph *g, const aoti_value *v) {
  aoti_node *user = NULL;
  return aoti_pass_count_uses(g, v, &user) == 1 ? user : NULL;
}

/* Appends r to p's arguments (after the schema's). */
static aoti_status append_residual(aoti_graph *g, aoti_node *p, aoti_value *r) {
  aoti_arg *args = aoti_graph_alloc(g, sizeof *args * (size_t)(p->num_args + 1));
  if (!args) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "fuse: out of memory");
  memcpy(args, p->args, sizeof *args * (size_t)p->num_args);
  args[p->num_args] = (aoti_arg){.kind = AOTI_ARG_TENSOR, .tensor = r};
  p->args = args;
  p->num_args++;
  p->epilogue_residual = r;
  return AOTI_OK;
}

/* u takes over p's computation (op, arguments, epilogue, name) and keeps its own place and
 * output; p is left with no user, for dead-node removal. Taking u's place rather than p's is
 * what makes a residual computed between the two available. */
static void take_over(aoti_node *p, aoti_node *u) {
  const char *name = u->name;
  u->name = p->name;
  p->name = name;
  u->target = p->target;
  u->op = p->op;
  u->num_named = p->num_named;
  u->named = p->named;
  u->num_args = p->num_args;
  u->args = p->args;
  u->epilogue_residual = p->epilogue_residual;
  u->epilogue_act = p->epilogue_act;
  u->variant = p->variant;
}

/* Fuses what follows p, one user at a time (each user in turn becomes the producer). */
static aoti_status fuse_after(aoti_graph *g, aoti_node *p) {
  for (;;) {
    aoti_node *u = only_user(g, p->outputs[0]);
    if (!u || u->num_outputs != 1) return AOTI_OK;
    const aoti_activation act = activation_of(u);
    aoti_value *r = NULL;
    if (act != AOTI_ACTIVATION_NONE && p->epilogue_act == AOTI_ACTIVATION_NONE &&
        aoti_node_tensor_arg(u, 0) == p->outputs[0]) {
      p->epilogue_act = act;
    } else if (p->epilogue_act == AOTI_ACTIVATION_NONE && !p->epilogue_residual &&
               (r = residual_of(u, p->outputs[0]))) {
      aoti_status st = append_residual(g, p, r);
      if (st != AOTI_OK) return st;
    } else {
      return AOTI_OK;
    }
    take_over(p, u);
    p = u;
  }
}

aoti_status aoti_pass_fuse_epilogues(aoti_graph *g) {
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    aoti_node *p = g->nodes[i];
    if (!is_producer(p) || p->num_outputs != 1 || p->outputs[0]->dtype != AOTI_DTYPE_FLOAT32) continue;
    aoti_status st = fuse_after(g, p);
    if (st != AOTI_OK) return st;
  }
  aoti_graph_remove_dead_nodes(g); /* drops the values only the removed users read */
  return AOTI_OK;
}
