/* emit_reduce.c — the C code of AOTI_LOWER_REDUCE nodes (rows in ops/ops_shape.c): sum, mean,
 * amax/amin, max/min with indices, argmax/argmin, any/all, var/std over dims, and cumsum.
 *
 * Each node gets a generated function: loops over the kept dims (outer) and the reduced dims
 * (inner), read with the input's strides; a trailing block of reduced dims is merged into one
 * unit-stride loop so the common reductions (last dim, H*W) vectorise. Sums of floating values
 * accumulate in double (closer to PyTorch's cascaded float sums than a plain float loop), of
 * integers and bools in int64; max/min keep NaN (the first one wins), indices are those of the
 * first extreme, as PyTorch's CPU kernels give. */
#include <stdio.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "ops/ops_shape.h"
#include "passes/pass_util.h"

typedef enum reduce_kind {
  REDUCE_SUM,
  REDUCE_MEAN,
  REDUCE_MAX,
  REDUCE_MIN,
  REDUCE_MAX_INDEX, /* max.dim: values and indices */
  REDUCE_MIN_INDEX,
  REDUCE_ARGMAX,
  REDUCE_ARGMIN,
  REDUCE_ANY,
  REDUCE_ALL,
  REDUCE_VAR,
  REDUCE_STD,
} reduce_kind;

/* The op's reduction and where its dims and keepdim arguments are (-1: reduce everything). */
typedef struct reduce_op {
  const char *name;
  reduce_kind kind;
  int dims_at;
} reduce_op;

static const reduce_op kReduceOps[] = {
    {"sum", REDUCE_SUM, 1},       {"mean", REDUCE_MEAN, 1},     {"amax", REDUCE_MAX, 1},
    {"amin", REDUCE_MIN, 1},      {"max", REDUCE_MAX_INDEX, 1}, {"min", REDUCE_MIN_INDEX, 1},
    {"argmax", REDUCE_ARGMAX, 1}, {"argmin", REDUCE_ARGMIN, 1}, {"any", REDUCE_ANY, 1},
    {"all", REDUCE_ALL, 1},       {"var", REDUCE_VAR, 1},       {"std", REDUCE_STD, 1},
};

static aoti_status unsupported(const aoti_node *n, const char *what) {
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %s", n->name, n->target, what);
}

static bool is_float(aoti_dtype t) { return t == AOTI_DTYPE_FLOAT32 || t == AOTI_DTYPE_FLOAT64; }

static bool is_lowered_dtype(aoti_dtype t) {
  return is_float(t) || t == AOTI_DTYPE_INT64 || t == AOTI_DTYPE_INT32 || t == AOTI_DTYPE_INT16 ||
         t == AOTI_DTYPE_INT8 || t == AOTI_DTYPE_UINT8 || t == AOTI_DTYPE_BOOL;
}

/* The kernel function's name: "k<node id>_<node name>". */
static bool function_name(const aoti_node *n, aoti_strbuf *fn) {
  aoti_strbuf_appendf(fn, "k%d_", n->id);
  cg_put_ident(fn, "", n->name);
  return !fn->failed;
}

/* Loop dims of a reduction: kept (outer) and reduced (inner) sizes and input strides. */
typedef struct loops {
  int32_t num_kept, num_reduced;
  const aoti_sx *kept[AOTI_MAX_RANK], *kept_strides[AOTI_MAX_RANK];
  const aoti_sx *reduced[AOTI_MAX_RANK], *reduced_strides[AOTI_MAX_RANK];
  bool unit_inner; /* the innermost reduced loop has stride 1 */
} loops;

static void split_loops(aoti_graph *g, const aoti_value *x, const bool *mask, loops *l) {
  const aoti_sx *strides[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(g, x, strides);
  l->num_kept = l->num_reduced = 0;
  /* The trailing reduced dims form one block of stride 1. */
  int32_t tail = x->rank;
  while (tail > 0 && mask[tail - 1]) --tail;
  for (int32_t d = 0; d < tail; ++d) {
    if (mask[d]) {
      l->reduced[l->num_reduced] = x->dims[d];
      l->reduced_strides[l->num_reduced++] = strides[d];
    } else {
      l->kept[l->num_kept] = x->dims[d];
      l->kept_strides[l->num_kept++] = strides[d];
    }
  }
  l->unit_inner = tail < x->rank;
  if (l->unit_inner) {
    const aoti_sx *block = aoti_sx_const(g, 1);
    for (int32_t d = tail; d < x->rank; ++d) block = aoti_sx_mul(g, block, x->dims[d]);
    l->reduced[l->num_reduced] = block;
    l->reduced_strides[l->num_reduced++] = aoti_sx_const(g, 1);
  }
}

static void put_loop(aoti_strbuf *k, const char *var, int32_t i, const char *bound, int indent) {
  aoti_strbuf_appendf(k, "%*sfor (int64_t %s%d = 0; %s%d < %s[%d]; ++%s%d)\n", indent, "", var, i, var, i, bound, i,
                      var, i);
}

/* The accumulator's type, initial value, per-element update and final value of one output. */
static void put_accumulate(aoti_strbuf *k, reduce_kind kind, int indent) {
  const int w = indent;
  switch (kind) {
    case REDUCE_SUM:
    case REDUCE_MEAN: aoti_strbuf_appendf(k, "%*sacc += (acc_t)v;\n", w, ""); break;
    case REDUCE_VAR:
    case REDUCE_STD: aoti_strbuf_appendf(k, "%*s{ const double dv = (double)v - mean; acc += dv * dv; }\n", w, ""); break;
    case REDUCE_MAX:
    case REDUCE_MIN:
      aoti_strbuf_appendf(k, "%*sif (v %s acc || v != v) acc = v;\n", w, "", kind == REDUCE_MAX ? ">" : "<");
      break;
    case REDUCE_MAX_INDEX:
    case REDUCE_MIN_INDEX:
    case REDUCE_ARGMAX:
    case REDUCE_ARGMIN: {
      const bool max = kind == REDUCE_MAX_INDEX || kind == REDUCE_ARGMAX;
      aoti_strbuf_appendf(k, "%*sif (v %s acc || (v != v && acc == acc)) { acc = v; at = r; }\n", w, "",
                          max ? ">" : "<");
      break;
    }
    case REDUCE_ANY: aoti_strbuf_appendf(k, "%*sacc = acc || v != 0;\n", w, ""); break;
    case REDUCE_ALL: aoti_strbuf_appendf(k, "%*sacc = acc && v != 0;\n", w, ""); break;
  }
}

/* The loops over the reduced dims reading `v`, with `body` (one pass). */
static void put_reduced_pass(aoti_strbuf *k, const loops *l, const char *in, reduce_kind kind, bool mean_pass) {
  aoti_strbuf_puts(k, "    int64_t r = 0;\n    (void)r;\n");
  for (int32_t i = 0; i < l->num_reduced; ++i) put_loop(k, "b", i, "rs", 4 + 2 * i);
  const int w = 4 + 2 * l->num_reduced;
  aoti_strbuf_appendf(k, "%*s{\n%*sconst %s v = xb[", w, "", w + 2, "", in);
  for (int32_t i = 0; i < l->num_reduced; ++i) {
    if (i + 1 == l->num_reduced && l->unit_inner)
      aoti_strbuf_appendf(k, "%sb%d", i ? " + " : "", i);
    else
      aoti_strbuf_appendf(k, "%sb%d * rst[%d]", i ? " + " : "", i, i);
  }
  if (l->num_reduced == 0) aoti_strbuf_puts(k, "0");
  aoti_strbuf_puts(k, "];\n");
  if (mean_pass)
    aoti_strbuf_appendf(k, "%*smean += (double)v;\n", w + 2, "");
  else
    put_accumulate(k, kind, w + 2);
  aoti_strbuf_appendf(k, "%*s++r;\n%*s}\n", w + 2, "", w, "");
}

static const char *acc_type(reduce_kind kind, aoti_dtype in) {
  switch (kind) {
    case REDUCE_SUM:
    case REDUCE_MEAN: return is_float(in) ? "double" : "int64_t";
    case REDUCE_VAR:
    case REDUCE_STD: return "double";
    case REDUCE_ANY:
    case REDUCE_ALL: return "_Bool";
    default: return cg_ctype(in);
  }
}

/* The generated function of a reduction over `l`. */
static void put_reduce_kernel(cg_ctx *c, const aoti_node *n, const char *fn, reduce_kind kind, const loops *l,
                              const aoti_value *x, double correction) {
  aoti_strbuf *k = &c->kernels;
  const char *in = cg_ctype(x->dtype), *out = cg_ctype(n->outputs[0]->dtype);
  const bool with_values = kind != REDUCE_ARGMAX && kind != REDUCE_ARGMIN;
  const bool with_index = kind == REDUCE_MAX_INDEX || kind == REDUCE_MIN_INDEX || kind == REDUCE_ARGMAX ||
                          kind == REDUCE_ARGMIN;
  aoti_strbuf_appendf(k, "/* %s (%s) */\n", aoti_pass_op_name(n), n->target);
  aoti_strbuf signature = AOTI_STRBUF_INIT;
  aoti_strbuf_appendf(&signature, "void %s(const %s *restrict x", fn, in);
  if (with_values) aoti_strbuf_appendf(&signature, ", %s *restrict out", out);
  if (with_index) aoti_strbuf_puts(&signature, ", int64_t *restrict out_index");
  aoti_strbuf_puts(&signature, ", const int64_t *ks, const int64_t *kst, const int64_t *rs, const int64_t *rst)");
  cg_put_node_fn(c, signature.data);
  aoti_strbuf_free(&signature);
  aoti_strbuf_appendf(k, "  typedef %s acc_t;\n  int64_t count = 1;\n", acc_type(kind, x->dtype));
  aoti_strbuf_appendf(k, "  for (int32_t i = 0; i < %d; ++i) count *= rs[i];\n  (void)count;\n  (void)ks;\n  (void)kst;\n  (void)rst;\n",
                      l->num_reduced);
  aoti_strbuf_puts(k, "  int64_t o = 0;\n");
  for (int32_t i = 0; i < l->num_kept; ++i) put_loop(k, "a", i, "ks", 2 + 2 * i);
  aoti_strbuf_appendf(k, "  {\n    const %s *xb = x", in);
  for (int32_t i = 0; i < l->num_kept; ++i) aoti_strbuf_appendf(k, " + a%d * kst[%d]", i, i);
  aoti_strbuf_puts(k, ";\n");
  switch (kind) {
    case REDUCE_SUM:
    case REDUCE_MEAN: aoti_strbuf_puts(k, "    acc_t acc = 0;\n"); break;
    case REDUCE_ANY: aoti_strbuf_puts(k, "    acc_t acc = 0;\n"); break;
    case REDUCE_ALL: aoti_strbuf_puts(k, "    acc_t acc = 1;\n"); break;
    case REDUCE_VAR:
    case REDUCE_STD:
      aoti_strbuf_puts(k, "    double mean = 0.0;\n    {\n");
      put_reduced_pass(k, l, in, kind, true);
      aoti_strbuf_puts(k, "    }\n    mean /= (double)count;\n    acc_t acc = 0;\n");
      break;
    default: aoti_strbuf_puts(k, "    acc_t acc = xb[0];\n    int64_t at = 0;\n    (void)at;\n"); break;
  }
  aoti_strbuf_puts(k, "    {\n");
  put_reduced_pass(k, l, in, kind, false);
  aoti_strbuf_puts(k, "    }\n");
  switch (kind) {
    case REDUCE_MEAN: aoti_strbuf_appendf(k, "    out[o] = (%s)((double)acc / (double)count);\n", out); break;
    case REDUCE_VAR:
    case REDUCE_STD: {
      aoti_strbuf_appendf(k, "    const double dof = (double)count - %.17g;\n", correction);
      aoti_strbuf_appendf(k, "    const double var = dof > 0.0 ? acc / dof : (double)NAN;\n    out[o] = (%s)(%s);\n", out,
                          kind == REDUCE_STD ? "sqrt(var)" : "var");
      break;
    }
    default:
      if (with_values) aoti_strbuf_appendf(k, "    out[o] = (%s)acc;\n", out);
      if (with_index) aoti_strbuf_puts(k, "    out_index[o] = at;\n");
      break;
  }
  aoti_strbuf_puts(k, "    ++o;\n  }\n}\n\n");
}

static aoti_status emit_reduction(cg_ctx *c, const aoti_node *n, const reduce_op *op) {
  const aoti_value *x = n->args[0].tensor;
  bool mask[AOTI_MAX_RANK];
  const aoti_arg all = aoti_arg_none();
  /* sum/mean/any/all without dims (their .default overloads) have no dims argument. */
  const aoti_arg *dims = &all;
  const aoti_schema *schema = aoti_op_schema(n->op);
  if (schema && schema->num_args > 1 && strcmp(schema->args[1].name, "dim") == 0) dims = &n->args[op->dims_at];
  if (!aoti_shape_reduced_dims(dims, x->rank, mask)) return unsupported(n, "reduction dims out of range");
  if (!is_lowered_dtype(x->dtype) || !is_lowered_dtype(n->outputs[0]->dtype))
    return unsupported(n, "reductions of this dtype are not lowered");
  double correction = 1.0;
  if (op->kind == REDUCE_VAR || op->kind == REDUCE_STD) {
    if (!is_float(x->dtype)) return unsupported(n, "var/std need a floating input");
    /* .correction: a number or None (1); .dim: bool unbiased. */
    if (n->args[2].kind != AOTI_ARG_NONE && !aoti_pass_arg_number(&n->args[2], &correction))
      return unsupported(n, "correction must be a number");
  }
  loops l;
  split_loops(c->g, x, mask, &l);
  aoti_strbuf fn = AOTI_STRBUF_INIT;
  if (!function_name(n, &fn)) {
    aoti_strbuf_free(&fn);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory generating node '%s'", n->name);
  }
  put_reduce_kernel(c, n, fn.data, op->kind, &l, x, correction);
  const aoti_sx *one = aoti_sx_const(c->g, 1);
  cg_open_node(c, n);
  cg_put_int_array(c, "ks", l.num_kept ? l.num_kept : 1, l.num_kept ? l.kept : &one);
  cg_put_int_array(c, "kst", l.num_kept ? l.num_kept : 1, l.num_kept ? l.kept_strides : &one);
  cg_put_int_array(c, "rs", l.num_reduced ? l.num_reduced : 1, l.num_reduced ? l.reduced : &one);
  cg_put_int_array(c, "rst", l.num_reduced ? l.num_reduced : 1, l.num_reduced ? l.reduced_strides : &one);
  aoti_strbuf_appendf(&c->run, "    %s(%s", fn.data, c->value_c[x->id]);
  for (int32_t k = 0; k < n->num_outputs; ++k) aoti_strbuf_appendf(&c->run, ", %s", c->value_c[n->outputs[k]->id]);
  aoti_strbuf_puts(&c->run, ", ks, kst, rs, rst);\n  }\n");
  aoti_strbuf_free(&fn);
  return AOTI_OK;
}

/* cumsum(self, dim): self as [pre, len, post]; a running sum along len per (pre, post), in double
 * for floating dtypes (PyTorch's CPU accumulate type) and int64 otherwise. */
static aoti_status emit_cumsum(cg_ctx *c, const aoti_node *n) {
  aoti_graph *g = c->g;
  const aoti_value *x = n->args[0].tensor, *out = n->outputs[0];
  int64_t dim64 = 0;
  int32_t dim = 0;
  aoti_arg_get_int(&n->args[1], &dim64);
  if (!aoti_shape_wrap_dim(dim64, x->rank, &dim)) return unsupported(n, "dim out of range");
  if (!is_lowered_dtype(x->dtype) || !is_lowered_dtype(out->dtype)) return unsupported(n, "cumsum of this dtype");
  const aoti_sx *pre = aoti_sx_const(g, 1), *post = aoti_sx_const(g, 1);
  for (int32_t d = 0; d < dim; ++d) pre = aoti_sx_mul(g, pre, x->dims[d]);
  for (int32_t d = dim + 1; d < x->rank; ++d) post = aoti_sx_mul(g, post, x->dims[d]);
  const aoti_sx *len = x->rank ? x->dims[dim] : aoti_sx_const(g, 1);
  const char *acc = is_float(out->dtype) ? "double" : "int64_t";
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    const int64_t pre = %s, len = %s, post = %s;\n", cg_sx(c, pre), cg_sx(c, len),
                      cg_sx(c, post));
  aoti_strbuf_appendf(&c->run,
                      "    for (int64_t p = 0; p < pre; ++p)\n"
                      "      for (int64_t q = 0; q < post; ++q) {\n"
                      "        %s acc = 0;\n"
                      "        for (int64_t i = 0; i < len; ++i) {\n"
                      "          const int64_t at = (p * len + i) * post + q;\n"
                      "          acc += (%s)%s[at];\n"
                      "          %s[at] = (%s)acc;\n"
                      "        }\n"
                      "      }\n  }\n",
                      acc, acc, c->value_c[x->id], c->value_c[out->id], cg_ctype(out->dtype));
  return AOTI_OK;
}

aoti_status cg_emit_reduce(cg_ctx *c, const aoti_node *n) {
  const char *name = aoti_pass_op_name(n);
  if (strcmp(name, "cumsum") == 0) return emit_cumsum(c, n);
  for (size_t i = 0; i < sizeof kReduceOps / sizeof kReduceOps[0]; ++i)
    if (strcmp(kReduceOps[i].name, name) == 0) return emit_reduction(c, n, &kReduceOps[i]);
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no C lowering for op '%s'", n->name, n->target);
}
