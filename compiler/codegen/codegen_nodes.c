/* codegen_nodes.c — the C code of each node in run(): GEMM calls for matmuls, strided copies for
 * layout copies, generated broadcasting loops for pointwise ops, nothing for aliases. */
#include <stdio.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "ops/ops.h"
#include "passes/pass_util.h"

static aoti_status check_dtype(const aoti_node *n, const aoti_value *v) {
  if (v->dtype == AOTI_DTYPE_FLOAT32) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): value '%s' has dtype %s; only "
                        "float32 is supported", n->name, n->target, v->name, aoti_dtype_name(v->dtype));
}

/* Whether a family emitter (emit_<family>.c) lowers this op: it checks dtypes and arguments
 * itself, when emitting. */
static bool lowered_by_family(aoti_lowering lowering) {
  return lowering == AOTI_LOWER_CONV || lowering == AOTI_LOWER_SHAPE || lowering == AOTI_LOWER_REDUCE ||
         lowering == AOTI_LOWER_NN;
}

/* The nodes lowered in this file read and write float32 tensors only. */
static aoti_status check_float_tensors(const aoti_node *n) {
  for (int32_t i = 0; i < n->num_args; ++i) {
    const aoti_arg *a = &n->args[i];
    if (a->kind == AOTI_ARG_TENSORS)
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): tensor-list arguments are not "
                            "supported", n->name, n->target);
    if (a->kind == AOTI_ARG_TENSOR) {
      aoti_status st = check_dtype(n, a->tensor);
      if (st != AOTI_OK) return st;
    }
  }
  for (int32_t k = 0; k < n->num_outputs; ++k) {
    aoti_status st = check_dtype(n, n->outputs[k]);
    if (st != AOTI_OK) return st;
  }
  return AOTI_OK;
}

static aoti_status check_node(const aoti_node *n) {
  if (!n->op)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': op '%s' is not bound", n->name, n->target);
  if (lowered_by_family(n->op->lowering)) return AOTI_OK;
  if (n->op->lowering == AOTI_LOWER_DECOMPOSE)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': op '%s' must be decomposed first "
                          "(run the passes)", n->name, n->target);
  aoti_status st = check_float_tensors(n);
  if (st != AOTI_OK) return st;
  switch (n->op->lowering) {
    case AOTI_LOWER_VIEW:
    case AOTI_LOWER_COPY:
      return AOTI_OK;
    case AOTI_LOWER_MATMUL: {
      const char *op = aoti_pass_op_name(n);
      if (strcmp(op, "mm") == 0 || strcmp(op, "addmm") == 0) return AOTI_OK;
      break;
    }
    case AOTI_LOWER_UNARY:
    case AOTI_LOWER_BINARY:
      if (n->op->pointwise && n->num_outputs == 1) return AOTI_OK;
      break;
    default:
      break;
  }
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no C lowering for op '%s'", n->name,
                        n->target);
}

aoti_status cg_check_nodes(cg_ctx *c) {
  for (int32_t i = 0; i < c->g->num_nodes; ++i) {
    aoti_status st = check_node(c->g->nodes[i]);
    if (st != AOTI_OK) return st;
  }
  return AOTI_OK;
}

/* `const int64_t name[rank] = {e0, e1, ...};` over the symbol locals. */
void cg_put_int_array(cg_ctx *c, const char *name, int32_t rank, const aoti_sx *const *exprs) {
  aoti_strbuf_appendf(&c->run, "    const int64_t %s[%d] = {", name, rank);
  for (int32_t d = 0; d < rank; ++d) aoti_strbuf_appendf(&c->run, "%s%s", d ? ", " : "", cg_sx(c, exprs[d]));
  aoti_strbuf_puts(&c->run, "};\n");
}

void cg_open_node(cg_ctx *c, const aoti_node *n) {
  aoti_strbuf_puts(&c->run, "  { /* ");
  cg_put_ident(&c->run, "", n->name);
  aoti_strbuf_appendf(&c->run, ": %s */\n", aoti_pass_op_name(n));
}

void cg_put_copy(cg_ctx *c, const aoti_value *out, const char *src, const aoti_sx *offset,
                 const aoti_sx *const *strides) {
  c->uses[CG_KERNEL_COPY] = true;
  char from[512];
  int64_t zero = 0;
  if (offset && !(aoti_sx_is_const(offset, &zero) && zero == 0))
    snprintf(from, sizeof from, "%s + (%s)", src, cg_sx(c, offset));
  else
    snprintf(from, sizeof from, "%s", src);
  const size_t elem = aoti_dtype_size(out->dtype);
  if (out->rank == 0) {
    aoti_strbuf_appendf(&c->run, "    aoti_copy(%zu, 0, NULL, %s, NULL, %s);\n", elem, from, c->value_c[out->id]);
    return;
  }
  cg_put_int_array(c, "sizes", out->rank, out->dims);
  cg_put_int_array(c, "strides", out->rank, strides);
  aoti_strbuf_appendf(&c->run, "    aoti_copy(%zu, %d, sizes, %s, strides, %s);\n", elem, out->rank, from,
                      c->value_c[out->id]);
}

static aoti_status emit_copy(cg_ctx *c, const aoti_node *n) {
  const aoti_sx *strides[AOTI_MAX_RANK];
  aoti_status st = aoti_pass_copy_strides(c->g, n, strides);
  if (st != AOTI_OK) return st;
  cg_open_node(c, n);
  cg_put_copy(c, n->outputs[0], c->value_c[aoti_pass_first_tensor(n)->id], NULL, strides);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

/* The argument called `name` in the node's schema, or NULL. */
static const aoti_arg *arg_named(const aoti_node *n, const char *name) {
  const aoti_schema *schema = aoti_op_schema(n->op);
  for (int32_t i = 0; schema && i < schema->num_args && i < n->num_args; ++i)
    if (strcmp(schema->args[i].name, name) == 0) return &n->args[i];
  return NULL;
}

static aoti_status scalar_arg(const aoti_node *n, const char *name, double fallback, double *out) {
  const aoti_arg *a = arg_named(n, name);
  *out = fallback;
  if (!a || a->kind == AOTI_ARG_NONE) return AOTI_OK;
  if (aoti_pass_arg_number(a, out)) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): argument '%s' must be a number",
                        n->name, n->target, name);
}

/* mm(a, b) and addmm(bias, a, b, beta, alpha) = beta * bias + alpha * a @ b, with the bias
 * broadcast into the output first and the GEMM accumulating onto it. */
static aoti_status emit_matmul(cg_ctx *c, const aoti_node *n) {
  const bool addmm = strcmp(aoti_pass_op_name(n), "addmm") == 0;
  const int32_t first = addmm ? 1 : 0;
  const aoti_value *a = n->args[first].tensor, *b = n->args[first + 1].tensor, *out = n->outputs[0];
  if (!a || !b || a->rank != 2 || b->rank != 2 || out->rank != 2)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): matmul operands must be 2-D tensors",
                          n->name, n->target);
  double alpha = 1.0, beta = 0.0;
  aoti_status st = scalar_arg(n, "alpha", 1.0, &alpha);
  if (st == AOTI_OK && addmm) st = scalar_arg(n, "beta", 1.0, &beta);
  if (st != AOTI_OK) return st;
  cg_open_node(c, n);
  const aoti_value *bias = addmm ? n->args[0].tensor : NULL;
  if (addmm && !bias)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': addmm needs a tensor bias", n->name);
  if (bias && beta != 0.0) { /* beta 0 ignores the bias entirely (NaNs included), as torch does */
    const aoti_sx *strides[2];
    aoti_pass_broadcast_strides(c->g, bias, 2, out->dims, strides);
    cg_put_copy(c, out, c->value_c[bias->id], NULL, strides);
  } else {
    beta = 0.0;
  }
  c->uses[CG_KERNEL_GEMM] = true;
  aoti_strbuf_appendf(&c->run, "    aoti_sgemm(0, 0, %s, %s, %s, ", cg_sx(c, a->dims[0]), cg_sx(c, b->dims[1]),
                      cg_sx(c, a->dims[1]));
  cg_put_float(&c->run, alpha);
  aoti_strbuf_appendf(&c->run, ", %s, %s, %s, %s, ", c->value_c[a->id], cg_sx(c, a->dims[1]), c->value_c[b->id],
                      cg_sx(c, b->dims[1]));
  cg_put_float(&c->run, beta);
  aoti_strbuf_appendf(&c->run, ", %s, %s);\n  }\n", c->value_c[out->id], cg_sx(c, out->dims[1]));
  return AOTI_OK;
}

/* One operand of a pointwise expression: `a` or `b`, a tensor read with broadcast strides or a
 * number. */
typedef struct operand {
  char letter;
  const aoti_value *tensor; /* NULL for a number */
  double number;
} operand;

/* Whether C expression `expr` mentions identifier `name` (as a whole word). */
static bool expr_mentions(const char *expr, const char *name) {
  const size_t len = strlen(name);
  for (const char *p = strstr(expr, name); p; p = strstr(p + 1, name)) {
    const char before = p == expr ? ' ' : p[-1], after = p[len];
    const bool ident_before = before == '_' || (before >= '0' && before <= '9') ||
                              ((before | 0x20) >= 'a' && (before | 0x20) <= 'z');
    const bool ident_after = after == '_' || (after >= '0' && after <= '9') ||
                             ((after | 0x20) >= 'a' && (after | 0x20) <= 'z');
    if (!ident_before && !ident_after) return true;
  }
  return false;
}

static void put_kernel_signature(aoti_strbuf *k, const aoti_node *n, const char *fn, const operand *ops,
                                 int32_t num_ops) {
  aoti_strbuf_appendf(k, "/* %s (%s): out = %s */\nstatic void %s(const int64_t *n", aoti_pass_op_name(n), n->target,
                      n->op->pointwise, fn);
  for (int32_t i = 0; i < num_ops; ++i)
    if (ops[i].tensor)
      aoti_strbuf_appendf(k, ", const float *restrict %c_data, const int64_t *%c_stride", ops[i].letter, ops[i].letter);
  aoti_strbuf_puts(k, ", float *restrict out) {\n");
}

/* The node's other numeric arguments that the expression names (alpha, ...), as float locals
 * called by their schema names. Names the kernel itself uses are never schema names of operands
 * past `a` and `b`, but are skipped to be safe. */
static void put_named_scalars(aoti_strbuf *k, const aoti_node *n, int32_t num_ops) {
  static const char *const reserved[] = {"a", "b", "n", "m", "o", "j", "out", "row"};
  const aoti_schema *schema = aoti_op_schema(n->op);
  for (int32_t i = num_ops; schema && i < schema->num_args && i < n->num_args; ++i) {
    const char *name = schema->args[i].name;
    double x = 0.0;
    bool skip = !expr_mentions(n->op->pointwise, name) || !aoti_pass_arg_number(&n->args[i], &x);
    for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; ++r)
      skip = skip || strcmp(name, reserved[r]) == 0;
    if (skip) continue;
    aoti_strbuf_appendf(k, "  const float %s = ", name);
    cg_put_float(k, x);
    aoti_strbuf_puts(k, ";\n");
  }
}

/* Per row: the output row, and each operand's row start and inner stride (or its number). */
static void put_row_setup(aoti_strbuf *k, int32_t rank, const operand *ops, int32_t num_ops) {
  aoti_strbuf_appendf(k, "  {\n    const int64_t m = n[%d];\n    float *restrict o = out + row;\n", rank - 1);
  for (int32_t i = 0; i < num_ops; ++i) {
    const char l = ops[i].letter;
    if (!ops[i].tensor) {
      aoti_strbuf_appendf(k, "    const float %c = ", l);
      cg_put_float(k, ops[i].number);
      aoti_strbuf_puts(k, ";\n");
      continue;
    }
    aoti_strbuf_appendf(k, "    const float *%c_row = %c_data", l, l);
    for (int32_t d = 0; d + 1 < rank; ++d) aoti_strbuf_appendf(k, " + i%d * %c_stride[%d]", d, l, d);
    aoti_strbuf_appendf(k, ";\n    const int64_t %c_inner = %c_stride[%d];\n", l, l, rank - 1);
  }
}

/* The inner loop for one combination of tensor operands' inner strides: bit t of `zero_mask` set
 * means tensor operand t has stride 0 (its value is hoisted), clear means stride 1. */
static void put_inner_variant(aoti_strbuf *k, const aoti_node *n, const operand *ops, int32_t num_ops,
                              int32_t zero_mask) {
  aoti_strbuf_puts(k, zero_mask ? "    } else if (" : "    if (");
  for (int32_t i = 0, t = 0; i < num_ops; ++i)
    if (ops[i].tensor) {
      aoti_strbuf_appendf(k, "%s%c_inner == %d", t ? " && " : "", ops[i].letter, (zero_mask >> t) & 1 ? 0 : 1);
      ++t;
    }
  aoti_strbuf_puts(k, ") {\n");
  for (int32_t i = 0, t = 0; i < num_ops; ++i)
    if (ops[i].tensor && ((zero_mask >> t++) & 1))
      aoti_strbuf_appendf(k, "      const float %c = %c_row[0];\n", ops[i].letter, ops[i].letter);
  aoti_strbuf_puts(k, "      for (int64_t j = 0; j < m; ++j) {\n");
  for (int32_t i = 0, t = 0; i < num_ops; ++i)
    if (ops[i].tensor && !((zero_mask >> t++) & 1))
      aoti_strbuf_appendf(k, "        const float %c = %c_row[j];\n", ops[i].letter, ops[i].letter);
  aoti_strbuf_appendf(k, "        o[j] = %s;\n      }\n", n->op->pointwise);
}

/* The kernel function of a pointwise node: loops over the output's rows; the innermost loop is
 * specialised for unit and zero operand strides so the common cases vectorise, with a general
 * strided loop last. Needs at least one tensor operand. */
static void put_pointwise_kernel(cg_ctx *c, const aoti_node *n, const char *fn, int32_t rank,
                                 const operand *ops, int32_t num_ops) {
  aoti_strbuf *k = &c->kernels;
  put_kernel_signature(k, n, fn, ops, num_ops);
  put_named_scalars(k, n, num_ops);
  aoti_strbuf_puts(k, "  int64_t row = 0;\n");
  for (int32_t d = 0; d + 1 < rank; ++d)
    aoti_strbuf_appendf(k, "  for (int64_t i%d = 0; i%d < n[%d]; ++i%d)\n", d, d, d, d);
  put_row_setup(k, rank, ops, num_ops);
  int32_t tensors = 0;
  for (int32_t i = 0; i < num_ops; ++i) tensors += ops[i].tensor != NULL;
  for (int32_t mask = 0; mask < (1 << tensors); ++mask) put_inner_variant(k, n, ops, num_ops, mask);
  aoti_strbuf_puts(k, "    } else {\n      for (int64_t j = 0; j < m; ++j) {\n");
  for (int32_t i = 0; i < num_ops; ++i)
    if (ops[i].tensor)
      aoti_strbuf_appendf(k, "        const float %c = %c_row[j * %c_inner];\n", ops[i].letter, ops[i].letter,
                          ops[i].letter);
  aoti_strbuf_appendf(k, "        o[j] = %s;\n      }\n    }\n    row += m;\n  }\n}\n\n", n->op->pointwise);
}

/* The operands `a` (and `b` for binary ops): tensors or numbers. */
static aoti_status gather_operands(const aoti_node *n, operand *ops, int32_t num_ops) {
  for (int32_t i = 0; i < num_ops; ++i) {
    if (i < n->num_args && n->args[i].kind == AOTI_ARG_TENSOR)
      ops[i].tensor = n->args[i].tensor;
    else if (i >= n->num_args || !aoti_pass_arg_number(&n->args[i], &ops[i].number))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): operand %d is neither a "
                            "tensor nor a number", n->name, n->target, i);
  }
  if (!ops[0].tensor && !ops[num_ops - 1].tensor)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): no tensor operand", n->name,
                          n->target);
  return AOTI_OK;
}

static bool same_dims(const aoti_value *a, const aoti_value *b) {
  if (a->rank != b->rank) return false;
  for (int32_t d = 0; d < a->rank; ++d)
    if (a->dims[d] != b->dims[d]) return false; /* expressions are hash-consed */
  return true;
}

/* The loop nest of a pointwise node: when no operand broadcasts, one flat loop over every
 * element (so short rows cost nothing); otherwise the output's shape with broadcast strides. */
static int32_t iteration_space(cg_ctx *c, const aoti_value *out, const operand *ops,
                               int32_t num_ops, const aoti_sx **dims,
                               const aoti_sx *(*strides)[AOTI_MAX_RANK]) {
  bool flat = true;
  for (int32_t i = 0; i < num_ops; ++i) flat = flat && (!ops[i].tensor || same_dims(ops[i].tensor, out));
  if (flat) {
    dims[0] = aoti_value_numel(c->g, out);
    for (int32_t i = 0; i < num_ops; ++i) strides[i][0] = aoti_sx_const(c->g, 1);
    return 1;
  }
  for (int32_t d = 0; d < out->rank; ++d) dims[d] = out->dims[d];
  for (int32_t i = 0; i < num_ops; ++i)
    if (ops[i].tensor) aoti_pass_broadcast_strides(c->g, ops[i].tensor, out->rank, dims, strides[i]);
  return out->rank;
}

static aoti_status emit_pointwise(cg_ctx *c, const aoti_node *n) {
  const int32_t num_ops = n->op->lowering == AOTI_LOWER_BINARY ? 2 : 1;
  operand ops[2] = {{'a', NULL, 0.0}, {'b', NULL, 0.0}};
  aoti_status st = gather_operands(n, ops, num_ops);
  if (st != AOTI_OK) return st;
  const aoti_value *out = n->outputs[0];
  const aoti_sx *dims[AOTI_MAX_RANK], *strides[2][AOTI_MAX_RANK];
  const int32_t rank = iteration_space(c, out, ops, num_ops, dims, strides);
  aoti_strbuf fn = AOTI_STRBUF_INIT;
  aoti_strbuf_appendf(&fn, "k%d_", n->id);
  cg_put_ident(&fn, "", n->name);
  if (fn.failed) {
    aoti_strbuf_free(&fn);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory generating node '%s'", n->name);
  }
  put_pointwise_kernel(c, n, fn.data, rank, ops, num_ops);
  cg_open_node(c, n);
  cg_put_int_array(c, "n", rank, dims);
  for (int32_t i = 0; i < num_ops; ++i) {
    if (!ops[i].tensor) continue;
    char name[16];
    snprintf(name, sizeof name, "%c_stride", ops[i].letter);
    cg_put_int_array(c, name, rank, strides[i]);
  }
  aoti_strbuf_appendf(&c->run, "    %s(n", fn.data);
  for (int32_t i = 0; i < num_ops; ++i)
    if (ops[i].tensor) aoti_strbuf_appendf(&c->run, ", %s, %c_stride", c->value_c[ops[i].tensor->id], ops[i].letter);
  aoti_strbuf_appendf(&c->run, ", %s);\n  }\n", c->value_c[out->id]);
  aoti_strbuf_free(&fn);
  return AOTI_OK;
}

aoti_status cg_emit_node(cg_ctx *c, const aoti_node *n) {
  switch (n->op->lowering) {
    case AOTI_LOWER_VIEW:
      aoti_strbuf_puts(&c->run, "  /* ");
      cg_put_ident(&c->run, "", n->name);
      aoti_strbuf_appendf(&c->run, ": %s, an alias (no code) */\n", aoti_pass_op_name(n));
      return AOTI_OK;
    case AOTI_LOWER_COPY: return emit_copy(c, n);
    case AOTI_LOWER_MATMUL: return emit_matmul(c, n);
    case AOTI_LOWER_UNARY:
    case AOTI_LOWER_BINARY: return emit_pointwise(c, n);
    case AOTI_LOWER_CONV: return cg_emit_conv(c, n);
    case AOTI_LOWER_SHAPE: return cg_emit_shape(c, n);
    case AOTI_LOWER_REDUCE: return cg_emit_reduce(c, n);
    case AOTI_LOWER_NN: return cg_emit_nn(c, n);
    case AOTI_LOWER_DECOMPOSE: break;
  }
  return aoti_error_set(AOTI_ERROR_INTERNAL, "node '%s': unchecked lowering", n->name);
}
