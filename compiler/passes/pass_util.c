/* pass_util.c — helpers shared by the passes and codegen: bound-node construction, node placement,
 * names, layouts of copy/view ops, aliases (see pass_util.h). */
#include "passes/pass_util.h"

#include <stdio.h>
#include <string.h>

#include "error.h"

const char *aoti_pass_op_name(const aoti_node *n) {
  if (!n->op) return "";
  const aoti_schema *schema = aoti_op_schema(n->op);
  return schema ? schema->name : "";
}

bool aoti_pass_is_conv(const aoti_node *n) {
  const char *op = aoti_pass_op_name(n);
  return strcmp(op, "conv2d") == 0 || strcmp(op, "conv1d") == 0 || strcmp(op, "convolution") == 0;
}

int32_t aoti_pass_count_uses(const aoti_graph *g, const aoti_value *v, aoti_node **out_user) {
  int32_t uses = 0;
  aoti_node *user = NULL;
  for (int32_t o = 0; o < g->num_outputs; ++o) uses += g->outputs[o].value == v;
  for (int32_t i = 0; i < g->num_nodes; ++i)
    for (int32_t a = 0; a < g->nodes[i]->num_args; ++a) {
      const aoti_arg *arg = &g->nodes[i]->args[a];
      int32_t reads = arg->kind == AOTI_ARG_TENSOR && arg->tensor == v;
      for (int32_t k = 0; arg->kind == AOTI_ARG_TENSORS && k < arg->count; ++k) reads += arg->list[k].tensor == v;
      if (reads) user = g->nodes[i];
      uses += reads;
    }
  if (out_user) *out_user = user;
  return uses;
}

static bool name_is_taken(const aoti_graph *g, const char *name) {
  if (aoti_graph_find_value(g, name)) return true;
  for (int32_t i = 0; i < g->num_nodes; ++i)
    if (strcmp(g->nodes[i]->name, name) == 0) return true;
  return false;
}

const char *aoti_pass_unique_name(aoti_graph *g, const char *base) {
  if (!name_is_taken(g, base)) return aoti_graph_strdup(g, base);
  size_t size = strlen(base) + 24;
  char *candidate = aoti_graph_alloc(g, size);
  if (!candidate) return NULL;
  for (int64_t k = 1;; ++k) {
    snprintf(candidate, size, "%s_%lld", base, (long long)k);
    if (!name_is_taken(g, candidate)) return candidate;
  }
}

aoti_value *aoti_pass_add_folded_constant(aoti_graph *g, const char *stem, size_t stem_len, const char *suffix,
                                          aoti_dtype dtype, int32_t rank, const aoti_sx *const *dims,
                                          const void *data, size_t nbytes) {
  const size_t suffix_len = strlen(suffix);
  char *fqn = aoti_graph_alloc(g, stem_len + suffix_len + 1);
  if (!fqn) return NULL;
  memcpy(fqn, stem, stem_len);
  memcpy(fqn + stem_len, suffix, suffix_len + 1);
  const char *name = aoti_pass_unique_name(g, fqn);
  aoti_value *v = name ? aoti_graph_add_value(g, name, dtype, rank, dims) : NULL;
  if (!v || !aoti_graph_add_constant(g, fqn, v, data, nbytes, AOTI_CONSTANT_FOLDED)) return NULL;
  return v;
}

static aoti_status fill_schema_args(aoti_graph *g, aoti_node *n, const aoti_schema *schema,
                                    const aoti_arg *args, int32_t num_given) {
  if (num_given > schema->num_args)
    return aoti_error_set(AOTI_ERROR_INTERNAL, "rewrite passes %d arguments to '%s' (schema has %d)",
                          num_given, n->target, schema->num_args);
  n->args = aoti_graph_alloc(g, sizeof(aoti_arg) * (size_t)(schema->num_args ? schema->num_args : 1));
  if (!n->args) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory making node '%s'", n->name);
  n->num_args = schema->num_args;
  for (int32_t i = 0; i < schema->num_args; ++i) {
    const aoti_schema_arg *sa = &schema->args[i];
    if (i < num_given) {
      n->args[i] = args[i];
      aoti_node_add_named(g, n, sa->name, args[i]);
    } else if (sa->has_default) {
      n->args[i] = sa->default_value;
    } else {
      return aoti_error_set(AOTI_ERROR_INTERNAL, "rewrite gives no value for argument '%s' of '%s'",
                            sa->name, n->target);
    }
  }
  return AOTI_OK;
}

aoti_status aoti_pass_add_bound_node(aoti_graph *g, const char *target, const char *name_base,
                                     const aoti_arg *args, int32_t num_given,
                                     aoti_value **out_value) {
  const aoti_op *op = aoti_op_find(target);
  const aoti_schema *schema = op ? aoti_op_schema(op) : NULL;
  if (!schema || !op->shape || schema->num_returns != 1)
    return aoti_error_set(AOTI_ERROR_INTERNAL, "rewrite needs op '%s' (one output, with a shape "
                          "function) in the op table", target);
  const char *name = aoti_pass_unique_name(g, name_base);
  aoti_node *n = name ? aoti_graph_add_node(g, target, name) : NULL;
  if (!n) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory making node '%s'", name_base);
  n->op = op;
  aoti_status st = fill_schema_args(g, n, schema, args, num_given);
  if (st != AOTI_OK) return st;
  aoti_dtype dtype = AOTI_DTYPE_INVALID;
  int32_t rank = 0;
  const aoti_sx *dims[1][AOTI_MAX_RANK] = {{0}};
  st = op->shape(g, n, &dtype, &rank, dims);
  if (st != AOTI_OK) return aoti_error_prefix(st, "rewriting into '%s'", name);
  aoti_value *v = aoti_graph_add_value(g, name, dtype, rank, dims[0]);
  if (!v) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory making value '%s'", name);
  aoti_node_add_output(g, n, v);
  *out_value = v;
  return AOTI_OK;
}

void aoti_pass_move_tail(aoti_graph *g, int32_t first, int32_t pos) {
  for (int32_t src = first; src < g->num_nodes; ++src) {
    /* Rotate node `src` down to position pos + (src - first). */
    aoti_node *moved = g->nodes[src];
    const int32_t dst = pos + (src - first);
    memmove(&g->nodes[dst + 1], &g->nodes[dst], sizeof(aoti_node *) * (size_t)(src - dst));
    g->nodes[dst] = moved;
  }
  for (int32_t i = 0; i < g->num_nodes; ++i) g->nodes[i]->id = i;
}

void aoti_pass_contiguous_strides(aoti_graph *g, const aoti_value *v, const aoti_sx **out_strides) {
  const aoti_sx *stride = aoti_sx_const(g, 1);
  for (int32_t d = v->rank - 1; d >= 0; --d) {
    out_strides[d] = stride;
    stride = aoti_sx_mul(g, stride, v->dims[d]);
  }
}

void aoti_pass_broadcast_strides(aoti_graph *g, const aoti_value *v, int32_t out_rank,
                                 const aoti_sx *const *out_dims, const aoti_sx **out_strides) {
  const aoti_sx *in_strides[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(g, v, in_strides);
  const aoti_sx *zero = aoti_sx_const(g, 0);
  for (int32_t d = 0; d < out_rank; ++d) {
    const int32_t in_d = d - (out_rank - v->rank);
    int64_t in_size = 0;
    if (in_d < 0 || (aoti_sx_is_const(v->dims[in_d], &in_size) && in_size == 1 &&
                     v->dims[in_d] != out_dims[d]))
      out_strides[d] = zero;
    else
      out_strides[d] = in_strides[in_d];
  }
}

aoti_value *aoti_pass_first_tensor(const aoti_node *n) {
  for (int32_t i = 0; i < n->num_args; ++i)
    if (n->args[i].kind == AOTI_ARG_TENSOR) return n->args[i].tensor;
  return NULL;
}

static int64_t normalize_dim(int64_t dim, int32_t rank) {
  return dim < 0 ? dim + (rank > 0 ? rank : 1) : dim;
}

/* out_strides[i] = in_strides[perm[i]] after checking perm is a permutation of 0..rank-1. */
static aoti_status permuted_strides(const aoti_node *n, const aoti_sx **in_strides, int32_t rank,
                                    const int64_t *perm, const aoti_sx **out_strides) {
  bool seen[AOTI_MAX_RANK] = {false};
  for (int32_t d = 0; d < rank; ++d) {
    const int64_t p = normalize_dim(perm[d], rank);
    if (p < 0 || p >= rank || seen[p])
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': dims are not a permutation of 0..%d",
                            n->name, rank - 1);
    seen[p] = true;
    out_strides[d] = in_strides[p];
  }
  return AOTI_OK;
}

static bool int_list(const aoti_arg *a, int64_t *out, int32_t max, int32_t *out_count) {
  if (a->kind != AOTI_ARG_LIST || a->count > max) return false;
  for (int32_t i = 0; i < a->count; ++i)
    if (!aoti_arg_get_int(&a->list[i], &out[i])) return false;
  *out_count = a->count;
  return true;
}

aoti_status aoti_pass_copy_strides(aoti_graph *g, const aoti_node *n, const aoti_sx **out_strides) {
  const aoti_value *in = aoti_pass_first_tensor(n);
  const aoti_value *out = n->num_outputs == 1 ? n->outputs[0] : NULL;
  if (!in || !out)
    return aoti_error_set(AOTI_ERROR_INTERNAL, "node '%s' (%s): a copy needs one tensor input "
                          "and one output", n->name, n->target);
  const aoti_sx *in_strides[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(g, in, in_strides);
  const char *op = aoti_pass_op_name(n);
  int64_t perm[AOTI_MAX_RANK];
  int32_t count = in->rank;
  for (int32_t d = 0; d < in->rank; ++d) perm[d] = d;
  if (strcmp(op, "t") == 0) {
    if (in->rank == 2) perm[0] = 1, perm[1] = 0;
  } else if (strcmp(op, "transpose") == 0) {
    int64_t d0 = 0, d1 = 0;
    if (n->num_args < 3 || !aoti_arg_get_int(&n->args[1], &d0) || !aoti_arg_get_int(&n->args[2], &d1))
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': transpose needs two int dims", n->name);
    d0 = normalize_dim(d0, in->rank), d1 = normalize_dim(d1, in->rank);
    if (d0 < 0 || d0 >= in->rank || d1 < 0 || d1 >= in->rank)
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': transpose dims out of range", n->name);
    perm[d0] = d1, perm[d1] = d0;
  } else if (strcmp(op, "permute") == 0) {
    if (n->num_args < 2 || !int_list(&n->args[1], perm, AOTI_MAX_RANK, &count) || count != in->rank)
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': permute needs %d int dims", n->name,
                            in->rank);
  } else if (strcmp(op, "expand") == 0) {
    aoti_pass_broadcast_strides(g, in, out->rank, out->dims, out_strides);
    return AOTI_OK;
  } else if (strcmp(op, "clone") != 0 && strcmp(op, "contiguous") != 0 &&
             strcmp(op, "alias") != 0 && strcmp(op, "detach") != 0) {
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no layout known for copy op '%s'",
                          n->name, n->target);
  }
  if (out->rank != in->rank)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': output rank %d differs from input rank %d",
                          n->name, out->rank, in->rank);
  return permuted_strides(n, in_strides, in->rank, perm, out_strides);
}

bool aoti_pass_is_alias(const aoti_node *n) {
  return n && n->op && n->op->lowering == AOTI_LOWER_VIEW && n->num_outputs == 1 &&
         aoti_pass_first_tensor(n) != NULL;
}

aoti_value *aoti_pass_alias_root(aoti_value *v) {
  while (aoti_pass_is_alias(v->producer)) v = aoti_pass_first_tensor(v->producer);
  return v;
}

bool aoti_pass_arg_number(const aoti_arg *a, double *out_value) {
  int64_t i = 0;
  switch (a->kind) {
    case AOTI_ARG_FLOAT: *out_value = a->f; return true;
    case AOTI_ARG_BOOL: *out_value = a->b ? 1.0 : 0.0; return true;
    case AOTI_ARG_INT:
    case AOTI_ARG_SYMINT:
      if (!aoti_arg_get_int(a, &i)) return false;
      *out_value = (double)i;
      return true;
    default: return false;
  }
}
