/* codegen_nodes.c — the C code of each node in run(): GEMM calls for matmuls, strided copies for
 * layout copies, generated broadcasting loops for pointwise ops, nothing for aliases. */
#include <math.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "ops/ops.h"
#include "passes/pass_util.h"

/* Whether generated pointwise loops compute in / read / write this dtype. float16 and bfloat16
 * (raw bits in C) are not, nor anything else. */
static bool pointwise_dtype(aoti_dtype t) {
  switch (t) {
    case AOTI_DTYPE_FLOAT32:
    case AOTI_DTYPE_FLOAT64:
    case AOTI_DTYPE_INT64:
    case AOTI_DTYPE_INT32:
    case AOTI_DTYPE_INT16:
    case AOTI_DTYPE_INT8:
    case AOTI_DTYPE_UINT8:
    case AOTI_DTYPE_BOOL: return true;
    default: return false;
  }
}

/* Per lowering, which dtypes its tensors may have: pointwise ones (above), any with a byte size
 * for views and copies (only bits move), float32 for matmuls. */
static aoti_status check_dtype(const aoti_node *n, const aoti_value *v) {
  bool ok;
  const char *allowed;
  switch (n->op->lowering) {
    case AOTI_LOWER_VIEW:
    case AOTI_LOWER_COPY:
      ok = aoti_dtype_size(v->dtype) > 0;
      allowed = "a dtype with a byte size";
      break;
    case AOTI_LOWER_MATMUL:
      ok = v->dtype == AOTI_DTYPE_FLOAT32;
      allowed = "float32";
      break;
    default:
      ok = pointwise_dtype(v->dtype);
      allowed = "float32, float64, int64, int32, int16, int8, uint8 or bool";
      break;
  }
  if (ok) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): value '%s' has dtype %s; only %s is "
                        "supported", n->name, n->target, v->name, aoti_dtype_name(v->dtype), allowed);
}

/* Whether a family emitter (emit_<family>.c) lowers this op: it checks dtypes and arguments
 * itself, when emitting. */
static bool lowered_by_family(aoti_lowering lowering) {
  return lowering == AOTI_LOWER_CONV || lowering == AOTI_LOWER_SHAPE || lowering == AOTI_LOWER_REDUCE ||
         lowering == AOTI_LOWER_NN;
}

/* The tensors of the nodes lowered in this file have the dtypes check_dtype allows; tensor lists
 * are not taken, and a `device` argument must be the CPU. */
static aoti_status check_args(const aoti_node *n) {
  for (int32_t i = 0; i < n->num_args; ++i) {
    const aoti_arg *a = &n->args[i];
    if (a->kind == AOTI_ARG_TENSORS)
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): tensor-list arguments are not "
                            "supported", n->name, n->target);
    if (a->kind == AOTI_ARG_DEVICE && (!a->s || strcmp(a->s, "cpu") != 0))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): device '%s' is not supported (only "
                            "cpu)", n->name, n->target, a->s ? a->s : "?");
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
  aoti_status st = check_args(n);
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
    case AOTI_LOWER_TERNARY:
    case AOTI_LOWER_FILL:
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

void cg_put_tile_check(cg_ctx *c, const char *macro, const aoti_sx *tile) {
  aoti_strbuf_appendf(&c->run, "    _Static_assert(%s == %s, \"weights packed for another GEMM tile: build with the "
                      "target and flags aotic compiled the model for\");\n", macro, cg_sx(c, tile));
}

void cg_put_epilogue(cg_ctx *c, const aoti_node *n, const aoti_value *bias, bool bias_per_row) {
  static const char *const kActNames[] = {
      [AOTI_ACTIVATION_NONE] = "AOTI_ACT_NONE",           [AOTI_ACTIVATION_RELU] = "AOTI_ACT_RELU",
      [AOTI_ACTIVATION_RELU6] = "AOTI_ACT_RELU6",         [AOTI_ACTIVATION_HARDSWISH] = "AOTI_ACT_HARDSWISH",
      [AOTI_ACTIVATION_SILU] = "AOTI_ACT_SILU",           [AOTI_ACTIVATION_GELU] = "AOTI_ACT_GELU",
      [AOTI_ACTIVATION_GELU_TANH] = "AOTI_ACT_GELU_TANH", [AOTI_ACTIVATION_SIGMOID] = "AOTI_ACT_SIGMOID",
  };
  const int32_t act = n->epilogue_act;
  aoti_strbuf_appendf(&c->run, "    const aoti_epilogue ep = {%s, %d, %s, %s};\n", bias ? c->value_c[bias->id] : "NULL",
                      bias_per_row ? 1 : 0, n->epilogue_residual ? c->value_c[n->epilogue_residual->id] : "NULL",
                      act >= 0 && act <= AOTI_ACTIVATION_SIGMOID ? kActNames[act] : "AOTI_ACT_NONE");
}

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

static aoti_status scalar_arg(const aoti_node *n, const char *name, double fallback, double *out) {
  const aoti_arg *a = aoti_op_arg(n, name);
  *out = fallback;
  if (!a || a->kind == AOTI_ARG_NONE) return AOTI_OK;
  if (aoti_pass_arg_number(a, out)) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): argument '%s' must be a number",
                        n->name, n->target, name);
}

/* Whether addmm's bias is one value per output column (a linear layer's: [N] or [1, N]), which
 * the GEMM's epilogue adds as it stores; any other bias is broadcast into the output first. */
static bool bias_per_column(const aoti_value *bias, const aoti_value *out) {
  if (bias->dtype != AOTI_DTYPE_FLOAT32) return false;
  if (bias->rank == 1) return bias->dims[0] == out->dims[1];
  int64_t rows = 0;
  return bias->rank == 2 && aoti_sx_is_const(bias->dims[0], &rows) && rows == 1 && bias->dims[1] == out->dims[1];
}

/* mm(a, b) and addmm(bias, a, b, beta, alpha) = beta * bias + alpha * a @ b: a per-column bias
 * (with beta 1) goes through the GEMM's epilogue, with the node's fused residual and activation
 * (passes/fuse.c); another bias is broadcast into the output first and the GEMM accumulates
 * onto it. */
static aoti_status emit_matmul(cg_ctx *c, const aoti_node *n) {
  const bool addmm = strcmp(aoti_pass_op_name(n), "addmm") == 0;
  const int32_t first = addmm ? 1 : 0;
  const aoti_value *a = n->args[first].tensor, *b = n->args[first + 1].tensor, *out = n->outputs[0];
  const bool panels = n->variant == AOTI_MM_VARIANT_B_PANELS; /* b: [N / NR][K][NR] (prepack_gemm.c) */
  if (!a || !b || a->rank != 2 || b->rank != (panels ? 3 : 2) || out->rank != 2)
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
  const bool epilogue_bias = bias && beta == 1.0 && bias_per_column(bias, out);
  if (bias && beta != 0.0 && !epilogue_bias) { /* beta 0 ignores the bias entirely (NaNs included), as torch does */
    const aoti_sx *strides[2];
    aoti_pass_broadcast_strides(c->g, bias, 2, out->dims, strides);
    cg_put_copy(c, out, c->value_c[bias->id], NULL, strides);
  } else {
    beta = 0.0;
  }
  c->uses[CG_KERNEL_GEMM] = true;
  cg_put_epilogue(c, n, epilogue_bias ? bias : NULL, false);
  if (panels) {
    cg_put_tile_check(c, "AOTI_GEMM_NR", b->dims[2]);
    aoti_strbuf_appendf(&c->run, "    aoti_sgemm_panels_ep(threads, %s, %s, %s, ", cg_sx(c, a->dims[0]),
                        cg_sx(c, out->dims[1]), cg_sx(c, a->dims[1]));
    cg_put_float(&c->run, alpha);
    aoti_strbuf_appendf(&c->run, ", %s, %s, %s, ", c->value_c[a->id], cg_sx(c, a->dims[1]), c->value_c[b->id]);
  } else {
    aoti_strbuf_appendf(&c->run, "    aoti_sgemm_ep(threads, 0, 0, %s, %s, %s, ", cg_sx(c, a->dims[0]),
                        cg_sx(c, b->dims[1]), cg_sx(c, a->dims[1]));
    cg_put_float(&c->run, alpha);
    aoti_strbuf_appendf(&c->run, ", %s, %s, %s, %s, ", c->value_c[a->id], cg_sx(c, a->dims[1]), c->value_c[b->id],
                        cg_sx(c, b->dims[1]));
  }
  cg_put_float(&c->run, beta);
  aoti_strbuf_appendf(&c->run, ", %s, %s, &ep);\n  }\n", c->value_c[out->id], cg_sx(c, out->dims[1]));
  return AOTI_OK;
}

/* One operand of a pointwise expression: `a`, `b` or `c`, a tensor read with broadcast strides
 * or a number. */
typedef struct operand {
  char letter;
  const aoti_value *tensor; /* NULL for a number */
  double number;
  int64_t inner; /* a tensor's stride in the innermost loop when the compiler knows it, else -1 */
} operand;

/* A pointwise node being generated: its operands, the type it computes in and its expression. */
typedef struct pointwise {
  const aoti_node *n;
  operand ops[3];
  int32_t num_ops;
  aoti_dtype compute; /* the computation type: operands are converted to it */
  const char *expr;   /* the element's value over the operands, in the graph's arena */
} pointwise;

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

static bool is_float_dtype(aoti_dtype t) { return t == AOTI_DTYPE_FLOAT32 || t == AOTI_DTYPE_FLOAT64; }

/* Appends number `x` as a constant of type `t`. */
static void put_number(aoti_strbuf *b, aoti_dtype t, double x) {
  if (t == AOTI_DTYPE_FLOAT32) {
    cg_put_float(b, x);
  } else if (t == AOTI_DTYPE_FLOAT64) {
    if (isnan(x)) aoti_strbuf_puts(b, "(double)NAN");
    else if (isinf(x)) aoti_strbuf_puts(b, x > 0 ? "(double)INFINITY" : "(-(double)INFINITY)");
    else aoti_strbuf_appendf(b, "%.17g", x);
  } else if (t == AOTI_DTYPE_BOOL) {
    aoti_strbuf_puts(b, x != 0.0 ? "1" : "0");
  } else {
    /* A float Scalar with an integer computation type truncates, as a C conversion does. */
    aoti_strbuf_appendf(b, "(%s)%lldLL", cg_ctype(t), (long long)x);
  }
}

/* A string argument's value, or NULL when absent or None. */
static const char *string_arg(const aoti_node *n, const char *name) {
  const aoti_arg *a = aoti_op_arg(n, name);
  return a && a->kind == AOTI_ARG_STRING ? a->s : NULL;
}

static aoti_status unsupported_value(const aoti_node *n, const char *what, const char *value) {
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %s '%s' is not supported", n->name,
                        n->target, what, value);
}

/* gelu(approximate='tanh'): x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), math.c's. */
#define GELU_TANH "aoti_gelu_tanhf(a)"

/* clamp's expression over the bounds it has (None bounds are left out). */
static const char *clamp_expr(const aoti_node *n) {
  double x;
  const aoti_arg *lo = aoti_op_arg(n, "min"), *hi = aoti_op_arg(n, "max");
  const bool has_lo = lo && aoti_pass_arg_number(lo, &x), has_hi = hi && aoti_pass_arg_number(hi, &x);
  if (has_lo && has_hi) return "(a < min ? min : a > max ? max : a)";
  if (has_lo) return "(a < min ? min : a)";
  if (has_hi) return "(a > max ? max : a)";
  return "a";
}

/* The expression of ops whose form depends on the computation type or on string arguments; the
 * row's own expression otherwise. NULL (with the error set) for an unsupported argument value. */
static const char *base_expr(const pointwise *p, aoti_status *out_status) {
  const aoti_node *n = p->n;
  const char *op = aoti_pass_op_name(n);
  const aoti_dtype t = p->compute;
  const bool integral = !is_float_dtype(t), is_unsigned = t == AOTI_DTYPE_UINT8 || t == AOTI_DTYPE_BOOL;
  *out_status = AOTI_OK;
  if (strncmp(op, "gelu", 4) == 0) {
    const char *approximate = string_arg(n, "approximate");
    if (!approximate || strcmp(approximate, "none") == 0) return n->op->pointwise;
    if (strcmp(approximate, "tanh") == 0) return GELU_TANH;
    *out_status = unsupported_value(n, "approximate", approximate);
    return NULL;
  }
  if (strcmp(op, "div") == 0 || strcmp(op, "div_") == 0) {
    const char *mode = string_arg(n, "rounding_mode");
    if (!mode) return n->op->pointwise;
    if (strcmp(mode, "trunc") == 0) return integral ? "(a / b)" : "truncf(a / b)";
    /* Floor division of integers: the truncated quotient, one less when the signs differ and
     * the division is inexact. */
    if (strcmp(mode, "floor") == 0) return integral ? "(a / b - (a % b != 0 && ((a < 0) != (b < 0))))" : "floorf(a / b)";
    *out_status = unsupported_value(n, "rounding_mode", mode);
    return NULL;
  }
  if (strcmp(op, "clamp") == 0 || strcmp(op, "clamp_") == 0) return clamp_expr(n);
  if (strcmp(op, "pow") == 0 && !integral && p->num_ops == 2 && !p->ops[1].tensor) {
    /* Small exponents as products, as ATen's CPU pow does. */
    if (p->ops[1].number == 2.0) return "(a * a)";
    if (p->ops[1].number == 3.0) return "(a * a * a)";
    if (p->ops[1].number == 0.5) return "sqrtf(a)";
    if (p->ops[1].number == -1.0) return "(1.0f / a)";
  }
  if (integral) {
    if (strcmp(op, "fmod") == 0) return "(a % b)";
    if (strcmp(op, "remainder") == 0) return "(a % b != 0 && ((a % b < 0) != (b < 0)) ? a % b + b : a % b)";
    if (strcmp(op, "abs") == 0) return is_unsigned ? "a" : "(a < 0 ? -a : a)";
    if (is_unsigned && (strcmp(op, "relu") == 0 || strcmp(op, "relu_") == 0)) return "a";
    if (strcmp(op, "floor") == 0 || strcmp(op, "ceil") == 0 || strcmp(op, "trunc") == 0 ||
        strcmp(op, "round") == 0)
      return "a";
    if (strcmp(op, "bitwise_not") == 0 && t == AOTI_DTYPE_BOOL) return "(!a)";
  }
  return n->op->pointwise;
}

/* `expr` with the float math functions it calls replaced by their double forms: libm's (sqrtf ->
 * sqrt, math.c's aoti_expf -> exp) or math.c's double activations (aoti_siluf -> aoti_silu). */
static const char *to_double_math(cg_ctx *c, const char *expr) {
  static const char *const kForms[][2] = {
      {"sqrtf", "sqrt"},   {"powf", "pow"},       {"fabsf", "fabs"},     {"floorf", "floor"},
      {"ceilf", "ceil"},   {"truncf", "trunc"},   {"nearbyintf", "nearbyint"}, {"fmodf", "fmod"},
      {"sinf", "sin"},     {"cosf", "cos"},       {"aoti_expf", "exp"},  {"aoti_logf", "log"},
      {"aoti_tanhf", "tanh"}, {"aoti_erff", "erf"}, {"aoti_sigmoidf", "aoti_sigmoid"}, {"aoti_siluf", "aoti_silu"},
      {"aoti_gelu_erff", "aoti_gelu_erf"}, {"aoti_gelu_tanhf", "aoti_gelu_tanh"},
  };
  aoti_strbuf b = AOTI_STRBUF_INIT;
  for (const char *p = expr; *p;) {
    bool replaced = false;
    for (size_t f = 0; f < sizeof kForms / sizeof kForms[0] && !replaced; ++f) {
      const size_t len = strlen(kForms[f][0]);
      const bool at_word = p == expr || !(p[-1] == '_' || (p[-1] >= '0' && p[-1] <= '9') ||
                                          ((p[-1] | 0x20) >= 'a' && (p[-1] | 0x20) <= 'z'));
      if (at_word && strncmp(p, kForms[f][0], len) == 0 && p[len] == '(') {
        aoti_strbuf_puts(&b, kForms[f][1]);
        p += len;
        replaced = true;
      }
    }
    if (!replaced) aoti_strbuf_appendf(&b, "%c", *p++);
  }
  const char *s = b.failed ? NULL : aoti_graph_strdup(c->g, b.data);
  aoti_strbuf_free(&b);
  if (!s) c->oom = true;
  return s ? s : expr;
}

/* The computation type: the output's dtype; for a bool output (comparisons, logical ops) the
 * operands' result type, so 1 < 1.5 compares as floats; for fills double or int64. */
static aoti_dtype compute_dtype(const aoti_node *n, int32_t num_ops) {
  const aoti_dtype out = n->outputs[0]->dtype;
  if (n->op->lowering == AOTI_LOWER_FILL) return is_float_dtype(out) ? AOTI_DTYPE_FLOAT64 : AOTI_DTYPE_INT64;
  if (out != AOTI_DTYPE_BOOL) return out;
  const aoti_dtype common = aoti_ops_result_type(n->args, num_ops < n->num_args ? num_ops : n->num_args);
  return common == AOTI_DTYPE_INVALID ? out : common;
}

static int32_t operand_count(aoti_lowering lowering) {
  switch (lowering) {
    case AOTI_LOWER_BINARY: return 2;
    case AOTI_LOWER_TERNARY: return 3;
    case AOTI_LOWER_FILL: return 0;
    default: return 1;
  }
}

/* Names the kernels use for their own locals: never taken for a node's argument constants. */
static bool reserved_name(const char *name) {
  static const char *const reserved[] = {"a", "b", "c", "i", "n", "m", "o", "j", "out", "row", "numel", "r", "rest",
                                         "begin", "end", "task", "thread", "t"};
  for (size_t r = 0; r < sizeof reserved / sizeof reserved[0]; ++r)
    if (strcmp(name, reserved[r]) == 0) return true;
  return false;
}

/* The node's numeric arguments past the operands that the expression names (alpha, min_val,
 * fill_value, ...), as constants of the computation type called by their schema names.
 * AOTI_ERROR_UNSUPPORTED when a named one is not a number (e.g. a symbolic fill value). */
static aoti_status put_named_scalars(aoti_strbuf *k, const pointwise *p) {
  const aoti_node *n = p->n;
  const aoti_schema *schema = aoti_op_schema(n->op);
  for (int32_t i = p->num_ops; schema && i < schema->num_args && i < n->num_args; ++i) {
    const char *name = schema->args[i].name;
    double x = 0.0;
    if (reserved_name(name) || !expr_mentions(p->expr, name)) continue;
    if (!aoti_pass_arg_number(&n->args[i], &x))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): argument '%s' must be a constant "
                            "number", n->name, n->target, name);
    aoti_strbuf_appendf(k, "  const %s %s = ", cg_ctype(p->compute), name);
    put_number(k, p->compute, x);
    aoti_strbuf_puts(k, ";\n");
  }
  return AOTI_OK;
}

/* The kernel's arguments as a task struct `<fn>_task` (the loop sizes n, each tensor operand's data
 * and strides, out), and the signature of its task function: units [begin, end) of aoti/abi.h's
 * parallel_for, which are elements when the nest is one flat loop, else outer rows. */
static void put_kernel_signature(cg_ctx *c, const pointwise *p, const char *fn) {
  aoti_strbuf *k = &c->kernels;
  aoti_strbuf_appendf(&c->decls, "typedef struct %s_task {\n  const int64_t *n;\n", fn);
  for (int32_t i = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor)
      aoti_strbuf_appendf(&c->decls, "  const %s *%c_data;\n  const int64_t *%c_stride;\n",
                          cg_ctype(p->ops[i].tensor->dtype), p->ops[i].letter, p->ops[i].letter);
  aoti_strbuf_appendf(&c->decls, "  %s *out;\n} %s_task;\n", cg_ctype(p->n->outputs[0]->dtype), fn);
  aoti_strbuf_appendf(k, "/* %s (%s): out = %s, computed as %s */\n", aoti_pass_op_name(p->n), p->n->target,
                      p->expr, cg_ctype(p->compute));
  aoti_strbuf signature = AOTI_STRBUF_INIT;
  aoti_strbuf_appendf(&signature, "void %s(void *task, int32_t thread, int64_t begin, int64_t end)", fn);
  cg_put_node_fn(c, signature.data);
  aoti_strbuf_free(&signature);
  aoti_strbuf_appendf(k, "  const %s_task *t = (const %s_task *)task;\n  const int64_t *n = t->n;\n"
                      "  %s *restrict out = t->out;\n  (void)thread;\n  (void)n;\n",
                      fn, fn, cg_ctype(p->n->outputs[0]->dtype));
  for (int32_t i = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor)
      aoti_strbuf_appendf(k, "  const %s *restrict %c_data = t->%c_data;\n  const int64_t *%c_stride = t->%c_stride;\n",
                          cg_ctype(p->ops[i].tensor->dtype), p->ops[i].letter, p->ops[i].letter, p->ops[i].letter,
                          p->ops[i].letter);
}

/* Whether every tensor operand's inner stride is known, so the kernel needs one inner loop. */
static bool inner_strides_known(const pointwise *p) {
  for (int32_t i = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor && p->ops[i].inner < 0) return false;
  return true;
}

/* Per row: the output row, and each operand's row start and inner stride (or its number). A flat
 * nest (rank 1) has one row, elements [begin, end); otherwise row r's indices come from r. */
static void put_row_setup(aoti_strbuf *k, int32_t rank, const pointwise *p) {
  if (rank == 1) {
    aoti_strbuf_appendf(k, "  {\n    const int64_t m = end - begin, row = begin, i0 = begin;\n");
  } else {
    aoti_strbuf_appendf(k, "  for (int64_t r = begin; r < end; ++r) {\n    const int64_t m = n[%d], row = r * m;\n"
                        "    int64_t rest = r;\n", rank - 1);
    for (int32_t d = rank - 2; d >= 0; --d)
      aoti_strbuf_appendf(k, "    const int64_t i%d = rest %% n[%d];\n    rest /= n[%d];\n", d, d, d);
    aoti_strbuf_puts(k, "    (void)rest;\n");
  }
  aoti_strbuf_appendf(k, "    %s *restrict o = out + row;\n", cg_ctype(p->n->outputs[0]->dtype));
  for (int32_t i = 0; i < p->num_ops; ++i) {
    const operand *op = &p->ops[i];
    const char l = op->letter;
    if (!op->tensor) {
      const char name[2] = {l, '\0'};
      if (!expr_mentions(p->expr, name)) continue; /* pow(x, 2) as x * x */
      aoti_strbuf_appendf(k, "    const %s %c = ", cg_ctype(p->compute), l);
      put_number(k, p->compute, op->number);
      aoti_strbuf_puts(k, ";\n");
      continue;
    }
    aoti_strbuf_appendf(k, "    const %s *%c_row = %c_data", cg_ctype(op->tensor->dtype), l, l);
    for (int32_t d = 0; d < (rank == 1 ? 1 : rank - 1); ++d) aoti_strbuf_appendf(k, " + i%d * %c_stride[%d]", d, l, d);
    aoti_strbuf_puts(k, ";\n");
    if (!inner_strides_known(p)) aoti_strbuf_appendf(k, "    const int64_t %c_inner = %c_stride[%d];\n", l, l, rank - 1);
  }
}

/* `const T x = (T)x_row[index];` for operand `op`. */
static void put_load(aoti_strbuf *k, const pointwise *p, const operand *op, const char *indent, const char *index) {
  const char *t = cg_ctype(p->compute);
  aoti_strbuf_appendf(k, "%sconst %s %c = (%s)%c_row[%s];\n", indent, t, op->letter, t, op->letter, index);
}

static void put_store(aoti_strbuf *k, const pointwise *p) {
  aoti_strbuf_appendf(k, "        o[j] = (%s)%s;\n      }\n", cg_ctype(p->n->outputs[0]->dtype), p->expr);
}

/* The inner loop for one combination of tensor operands' inner strides: bit t of `zero_mask` set
 * means tensor operand t has stride 0 (its value is hoisted), clear means stride 1. */
static void put_inner_variant(aoti_strbuf *k, const pointwise *p, int32_t zero_mask) {
  aoti_strbuf_puts(k, zero_mask ? "    } else if (" : "    if (");
  for (int32_t i = 0, t = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor) {
      aoti_strbuf_appendf(k, "%s%c_inner == %d", t ? " && " : "", p->ops[i].letter, (zero_mask >> t) & 1 ? 0 : 1);
      ++t;
    }
  aoti_strbuf_puts(k, ") {\n");
  for (int32_t i = 0, t = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor && ((zero_mask >> t++) & 1)) put_load(k, p, &p->ops[i], "      ", "0");
  aoti_strbuf_puts(k, "      for (int64_t j = 0; j < m; ++j) {\n");
  for (int32_t i = 0, t = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor && !((zero_mask >> t++) & 1)) put_load(k, p, &p->ops[i], "        ", "j");
  put_store(k, p);
}

/* The one inner loop when every inner stride is known: operands of stride 0 loaded once. */
static void put_known_inner(aoti_strbuf *k, const pointwise *p) {
  aoti_strbuf_puts(k, "    {\n");
  for (int32_t i = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor && p->ops[i].inner == 0) put_load(k, p, &p->ops[i], "      ", "0");
  aoti_strbuf_puts(k, "      for (int64_t j = 0; j < m; ++j) {\n");
  for (int32_t i = 0; i < p->num_ops; ++i) {
    if (!p->ops[i].tensor || p->ops[i].inner == 0) continue;
    char index[32];
    snprintf(index, sizeof index, p->ops[i].inner == 1 ? "j" : "j * %" PRId64, p->ops[i].inner);
    put_load(k, p, &p->ops[i], "        ", index);
  }
  put_store(k, p);
  aoti_strbuf_puts(k, "    }\n  }\n}\n\n");
}

/* The kernel function of a pointwise node: loops over its share of the output's rows. The innermost
 * loop is the one its operands' strides need when the compiler knows them (static shapes, and most
 * dynamic ones); else it is specialised for unit and zero strides so the common cases vectorise,
 * with a general strided loop last, picked per row. Needs at least one tensor operand. */
static aoti_status put_pointwise_kernel(cg_ctx *c, const pointwise *p, const char *fn, int32_t rank) {
  aoti_strbuf *k = &c->kernels;
  put_kernel_signature(c, p, fn);
  aoti_status st = put_named_scalars(k, p);
  if (st != AOTI_OK) return st;
  put_row_setup(k, rank, p);
  if (inner_strides_known(p)) {
    put_known_inner(k, p);
    return AOTI_OK;
  }
  int32_t tensors = 0;
  for (int32_t i = 0; i < p->num_ops; ++i) tensors += p->ops[i].tensor != NULL;
  for (int32_t mask = 0; mask < (1 << tensors); ++mask) put_inner_variant(k, p, mask);
  aoti_strbuf_puts(k, "    } else {\n      for (int64_t j = 0; j < m; ++j) {\n");
  for (int32_t i = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor) {
      char index[16];
      snprintf(index, sizeof index, "j * %c_inner", p->ops[i].letter);
      put_load(k, p, &p->ops[i], "        ", index);
    }
  put_store(k, p);
  aoti_strbuf_puts(k, "    }\n  }\n}\n\n");
  return AOTI_OK;
}

/* The operands `a`, `b`, `c`: tensors or numbers; at least one tensor. */
static aoti_status gather_operands(pointwise *p) {
  const aoti_node *n = p->n;
  bool any_tensor = false;
  for (int32_t i = 0; i < p->num_ops; ++i) {
    operand *op = &p->ops[i];
    *op = (operand){(char)('a' + i), NULL, 0.0, -1};
    if (i < n->num_args && n->args[i].kind == AOTI_ARG_TENSOR)
      op->tensor = n->args[i].tensor;
    else if (i >= n->num_args || !aoti_pass_arg_number(&n->args[i], &op->number))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): operand %d is neither a "
                            "tensor nor a constant number", n->name, n->target, i);
    any_tensor = any_tensor || op->tensor;
  }
  if (!any_tensor)
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
static int32_t iteration_space(cg_ctx *c, const aoti_value *out, const pointwise *p, const aoti_sx **dims,
                               const aoti_sx *(*strides)[AOTI_MAX_RANK]) {
  bool flat = true;
  for (int32_t i = 0; i < p->num_ops; ++i) flat = flat && (!p->ops[i].tensor || same_dims(p->ops[i].tensor, out));
  if (flat) {
    dims[0] = aoti_value_numel(c->g, out);
    for (int32_t i = 0; i < p->num_ops; ++i) strides[i][0] = aoti_sx_const(c->g, 1);
    return 1;
  }
  for (int32_t d = 0; d < out->rank; ++d) dims[d] = out->dims[d];
  for (int32_t i = 0; i < p->num_ops; ++i)
    if (p->ops[i].tensor) aoti_pass_broadcast_strides(c->g, p->ops[i].tensor, out->rank, dims, strides[i]);
  return out->rank;
}

/* The node's expression for its computation type (see base_expr), in p->expr. */
static aoti_status choose_expr(cg_ctx *c, pointwise *p) {
  aoti_status st = AOTI_OK;
  const char *expr = base_expr(p, &st);
  if (!expr) return st;
  p->expr = p->compute == AOTI_DTYPE_FLOAT64 ? to_double_math(c, expr) : expr;
  return AOTI_OK;
}

/* The kernel's name: k<id>_<node name>. */
static aoti_status kernel_name(const aoti_node *n, aoti_strbuf *fn) {
  aoti_strbuf_appendf(fn, "k%d_", n->id);
  cg_put_ident(fn, "", n->name);
  if (!fn->failed) return AOTI_OK;
  aoti_strbuf_free(fn);
  return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory generating node '%s'", n->name);
}

/* A fill: every element from its flat index `i` and the node's constants; reads no tensor. */
static aoti_status emit_fill(cg_ctx *c, pointwise *p) {
  const aoti_node *n = p->n;
  const aoti_value *out = n->outputs[0];
  aoti_strbuf fn = AOTI_STRBUF_INIT;
  aoti_status st = choose_expr(c, p);
  if (st == AOTI_OK) st = kernel_name(n, &fn);
  if (st != AOTI_OK) return st;
  const char *otype = cg_ctype(out->dtype);
  aoti_strbuf *k = &c->kernels;
  aoti_strbuf_appendf(k, "/* %s (%s): out[i] = %s, computed as %s */\n", aoti_pass_op_name(n), n->target, p->expr,
                      cg_ctype(p->compute));
  aoti_strbuf signature = AOTI_STRBUF_INIT;
  aoti_strbuf_appendf(&signature, "void %s(int64_t numel, %s *restrict out)", fn.data, otype);
  cg_put_node_fn(c, signature.data);
  aoti_strbuf_free(&signature);
  st = put_named_scalars(k, p);
  if (st == AOTI_OK) {
    aoti_strbuf_appendf(k, "  for (int64_t i = 0; i < numel; ++i) out[i] = (%s)%s;\n}\n\n", otype, p->expr);
    cg_open_node(c, n);
    aoti_strbuf_appendf(&c->run, "    %s(%s, %s);\n  }\n", fn.data, cg_sx(c, aoti_value_numel(c->g, out)),
                        c->value_c[out->id]);
  }
  aoti_strbuf_free(&fn);
  return st;
}

static aoti_status emit_pointwise(cg_ctx *c, const aoti_node *n) {
  pointwise p = {.n = n, .num_ops = operand_count(n->op->lowering)};
  p.compute = compute_dtype(n, p.num_ops);
  if (n->op->lowering == AOTI_LOWER_FILL) return emit_fill(c, &p);
  aoti_status st = gather_operands(&p);
  if (st == AOTI_OK) st = choose_expr(c, &p);
  if (st != AOTI_OK) return st;
  c->uses[CG_KERNEL_MATH] = true; /* the expression may call math.c's functions */
  const aoti_value *out = n->outputs[0];
  const aoti_sx *dims[AOTI_MAX_RANK], *strides[3][AOTI_MAX_RANK];
  const int32_t rank = iteration_space(c, out, &p, dims, strides);
  for (int32_t i = 0; i < p.num_ops; ++i)
    if (p.ops[i].tensor && !aoti_sx_is_const(strides[i][rank - 1], &p.ops[i].inner)) p.ops[i].inner = -1;
  aoti_strbuf fn = AOTI_STRBUF_INIT;
  st = kernel_name(n, &fn);
  if (st == AOTI_OK) st = put_pointwise_kernel(c, &p, fn.data, rank);
  if (st != AOTI_OK) {
    aoti_strbuf_free(&fn);
    return st;
  }
  cg_open_node(c, n);
  cg_put_int_array(c, "n", rank, dims);
  for (int32_t i = 0; i < p.num_ops; ++i) {
    if (!p.ops[i].tensor) continue;
    char name[16];
    snprintf(name, sizeof name, "%c_stride", p.ops[i].letter);
    cg_put_int_array(c, name, rank, strides[i]);
  }
  aoti_strbuf_appendf(&c->run, "    %s_task task = {n", fn.data);
  for (int32_t i = 0; i < p.num_ops; ++i)
    if (p.ops[i].tensor) aoti_strbuf_appendf(&c->run, ", %s, %c_stride", c->value_c[p.ops[i].tensor->id], p.ops[i].letter);
  /* units: elements of a flat nest, else rows of n[rank - 1] elements */
  aoti_strbuf_appendf(&c->run, ", %s};\n    aoti_pointwise_run(threads, ", c->value_c[out->id]);
  if (rank == 1) {
    aoti_strbuf_puts(&c->run, "n[0], 1");
  } else {
    for (int32_t d = 0; d + 1 < rank; ++d) aoti_strbuf_appendf(&c->run, "%sn[%d]", d ? " * " : "", d);
    aoti_strbuf_appendf(&c->run, ", n[%d]", rank - 1);
  }
  aoti_strbuf_appendf(&c->run, ", %s, &task);\n  }\n", fn.data);
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
    case AOTI_LOWER_BINARY:
    case AOTI_LOWER_TERNARY:
    case AOTI_LOWER_FILL: return emit_pointwise(c, n);
    case AOTI_LOWER_CONV: return cg_emit_conv(c, n);
    case AOTI_LOWER_SHAPE: return cg_emit_shape(c, n);
    case AOTI_LOWER_REDUCE: return cg_emit_reduce(c, n);
    case AOTI_LOWER_NN: return cg_emit_nn(c, n);
    case AOTI_LOWER_DECOMPOSE: break;
  }
  return aoti_error_set(AOTI_ERROR_INTERNAL, "node '%s': unchecked lowering", n->name);
}
