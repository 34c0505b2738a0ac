/* emit_nn.c — the C code of AOTI_LOWER_NN nodes (rows in ops/ops_nn.c): layer norm, softmax and
 * log-softmax, batched matmul (bmm, baddbmm) and fused scaled-dot-product attention, as calls of
 * the kernels in templates/kernels/nn.c. Every value is contiguous; float32 only (an attention
 * mask may also be bool). */
#include <math.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "ops/ops.h"
#include "passes/pass_util.h"

static aoti_status unsupported(const aoti_node *n, const char *why) {
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %s", n->name, n->target, why);
}

static aoti_status check_float(const aoti_node *n, const aoti_value *v) {
  if (v->dtype == AOTI_DTYPE_FLOAT32) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): value '%s' has dtype %s; only float32 is "
                        "supported", n->name, n->target, v->name, aoti_dtype_name(v->dtype));
}

/* The inputs (tensor arguments up to `num_tensor_args`) and outputs are float32. */
static aoti_status check_floats(const aoti_node *n, int32_t num_tensor_args) {
  aoti_status st = AOTI_OK;
  for (int32_t i = 0; i < num_tensor_args && st == AOTI_OK; ++i)
    if (aoti_node_tensor_arg(n, i)) st = check_float(n, aoti_node_tensor_arg(n, i));
  for (int32_t k = 0; k < n->num_outputs && st == AOTI_OK; ++k) st = check_float(n, n->outputs[k]);
  return st;
}

static double number_arg(const aoti_node *n, int32_t i, double fallback) {
  double x = fallback;
  if (i < n->num_args) aoti_pass_arg_number(&n->args[i], &x);
  return x;
}

static bool bool_arg(const aoti_node *n, int32_t i) {
  return i < n->num_args && n->args[i].kind == AOTI_ARG_BOOL && n->args[i].b;
}

/* The C pointer of a tensor argument, or "NULL". */
static const char *ptr_or_null(cg_ctx *c, const aoti_value *v) { return v ? c->value_c[v->id] : "NULL"; }

/* The product of dims [from, to) of `v`. */
static const aoti_sx *dims_product(cg_ctx *c, const aoti_value *v, int32_t from, int32_t to) {
  const aoti_sx *p = aoti_sx_const(c->g, 1);
  for (int32_t d = from; d < to; ++d) p = aoti_sx_mul(c->g, p, v->dims[d]);
  return p;
}

/* layer_norm(input, normalized_shape, weight, bias, eps) and native_layer_norm (which also writes
 * mean and rstd): rows are the leading dims, each normalized over the trailing ones. */
static aoti_status emit_layer_norm(cg_ctx *c, const aoti_node *n) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *w = aoti_node_tensor_arg(n, 2), *b = aoti_node_tensor_arg(n, 3);
  aoti_status st = check_floats(n, 4);
  if (st != AOTI_OK) return st;
  const int32_t first = x->rank - n->args[1].count;
  const bool stats = n->num_outputs == 3;
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    aoti_layer_norm(threads, %s, ", cg_sx(c, dims_product(c, x, 0, first)));
  aoti_strbuf_appendf(&c->run, "%s, %s, %s, %s, ", cg_sx(c, dims_product(c, x, first, x->rank)), c->value_c[x->id],
                      ptr_or_null(c, w), ptr_or_null(c, b));
  cg_put_float(&c->run, (float)number_arg(n, 4, 1e-5));
  aoti_strbuf_appendf(&c->run, ", %s, %s, %s);\n  }\n", c->value_c[n->outputs[0]->id],
                      stats ? c->value_c[n->outputs[1]->id] : "NULL", stats ? c->value_c[n->outputs[2]->id] : "NULL");
  c->uses[CG_KERNEL_NN] = c->uses[CG_KERNEL_GEMM] = true;
  return AOTI_OK;
}

/* softmax.int / log_softmax.int (dtype None or float32) and _softmax / _log_softmax
 * (half_to_float false): [outer, n, inner] around the softmax dim. */
static aoti_status emit_softmax(cg_ctx *c, const aoti_node *n, bool is_log) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  aoti_status st = check_floats(n, 1);
  if (st != AOTI_OK) return st;
  if (n->args[2].kind == AOTI_ARG_BOOL && n->args[2].b) return unsupported(n, "half_to_float=True is not supported");
  int64_t dim = 0;
  aoti_arg_get_int(&n->args[1], &dim);
  if (dim < 0) dim += x->rank > 0 ? x->rank : 1;
  const int32_t d = (int32_t)dim;
  const aoti_sx *len = x->rank > 0 ? x->dims[d] : aoti_sx_const(c->g, 1);
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    aoti_softmax(threads, %s, ", cg_sx(c, dims_product(c, x, 0, x->rank > 0 ? d : 0)));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, len));
  aoti_strbuf_appendf(&c->run, "%s, %s, %s, %d);\n  }\n", cg_sx(c, dims_product(c, x, x->rank > 0 ? d + 1 : 0, x->rank)),
                      c->value_c[x->id], c->value_c[n->outputs[0]->id], is_log ? 1 : 0);
  c->uses[CG_KERNEL_NN] = c->uses[CG_KERNEL_GEMM] = true;
  return AOTI_OK;
}

/* bmm(a, b) and baddbmm(self, a, b, beta, alpha) = beta * self + alpha * a @ b, with self
 * broadcast into the output first and the GEMMs accumulating onto it. */
static aoti_status emit_bmm(cg_ctx *c, const aoti_node *n, bool add) {
  const int32_t first = add ? 1 : 0;
  const aoti_value *a = aoti_node_tensor_arg(n, first), *b = aoti_node_tensor_arg(n, first + 1), *out = n->outputs[0];
  aoti_status st = check_floats(n, first + 2);
  if (st != AOTI_OK) return st;
  const aoti_value *self = add ? aoti_node_tensor_arg(n, 0) : NULL;
  double beta = add ? number_arg(n, 3, 1.0) : 0.0;
  const double alpha = add ? number_arg(n, 4, 1.0) : 1.0;
  cg_open_node(c, n);
  if (self && beta != 0.0) { /* beta 0 ignores self entirely (NaNs included), as torch does */
    const aoti_sx *strides[3];
    aoti_pass_broadcast_strides(c->g, self, 3, out->dims, strides);
    cg_put_copy(c, out, c->value_c[self->id], NULL, strides);
  } else {
    beta = 0.0;
  }
  aoti_strbuf_appendf(&c->run, "    aoti_bmm(threads, %s, ", cg_sx(c, a->dims[0]));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, a->dims[1]));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, b->dims[2]));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, a->dims[2]));
  cg_put_float(&c->run, alpha);
  aoti_strbuf_appendf(&c->run, ", %s, %s, ", c->value_c[a->id], c->value_c[b->id]);
  cg_put_float(&c->run, beta);
  aoti_strbuf_appendf(&c->run, ", %s);\n  }\n", c->value_c[out->id]);
  c->uses[CG_KERNEL_NN] = c->uses[CG_KERNEL_GEMM] = true;
  return AOTI_OK;
}

/* scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal, scale, enable_gqa):
 * query, key and value must share their batch dims; the mask broadcasts to [batch..., L, S]. */
static aoti_status emit_sdpa(cg_ctx *c, const aoti_node *n) {
  const aoti_value *q = aoti_node_tensor_arg(n, 0), *k = aoti_node_tensor_arg(n, 1), *v = aoti_node_tensor_arg(n, 2), *mask = aoti_node_tensor_arg(n, 3);
  aoti_status st = check_floats(n, 3);
  if (st != AOTI_OK) return st;
  if (mask && mask->dtype != AOTI_DTYPE_BOOL) st = check_float(n, mask);
  if (st != AOTI_OK) return st;
  if (number_arg(n, 4, 0.0) != 0.0) return unsupported(n, "dropout_p must be 0 for inference");
  const int32_t rank = q->rank, num_batch = rank - 2;
  bool same_batch = k->rank == rank && v->rank == rank;
  for (int32_t d = 0; same_batch && d < num_batch; ++d)
    same_batch = q->dims[d] == k->dims[d] && q->dims[d] == v->dims[d];
  if (!same_batch) return unsupported(n, "query, key and value must have the same batch dims (no broadcast or GQA)");
  if (mask && mask->rank > rank) return unsupported(n, "the attention mask has more dims than the query");
  const aoti_sx *l_len = q->dims[rank - 2], *s_len = k->dims[rank - 2], *e_len = q->dims[rank - 1];
  double scale = 0.0;
  if (n->num_args > 6 && n->args[6].kind != AOTI_ARG_NONE) {
    scale = number_arg(n, 6, 0.0);
  } else {
    int64_t e = 0;
    if (!aoti_sx_is_const(e_len, &e) || e <= 0) return unsupported(n, "the embedding size must be a constant");
    scale = 1.0 / sqrt((double)e);
  }
  cg_open_node(c, n);
  const aoti_sx *mask_strides[AOTI_MAX_RANK];
  if (mask) {
    const aoti_sx *dims[AOTI_MAX_RANK];
    for (int32_t d = 0; d < num_batch; ++d) dims[d] = q->dims[d];
    dims[rank - 2] = l_len;
    dims[rank - 1] = s_len;
    aoti_pass_broadcast_strides(c->g, mask, rank, dims, mask_strides);
  } else {
    for (int32_t d = 0; d < rank; ++d) mask_strides[d] = aoti_sx_const(c->g, 0);
  }
  if (num_batch > 0) {
    cg_put_int_array(c, "batch", num_batch, q->dims);
    cg_put_int_array(c, "mask_bstride", num_batch, mask_strides);
  }
  aoti_strbuf_appendf(&c->run, "    aoti_attention(threads, %d, %s, %s, ", num_batch, num_batch > 0 ? "batch" : "NULL", cg_sx(c, l_len));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, s_len));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, e_len));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, v->dims[rank - 1]));
  cg_put_float(&c->run, (float)scale);
  aoti_strbuf_appendf(&c->run, ", %s, %s, %s, %s, %s, %s, ", c->value_c[q->id], c->value_c[k->id], c->value_c[v->id],
                      !mask ? "AOTI_MASK_NONE" : mask->dtype == AOTI_DTYPE_BOOL ? "AOTI_MASK_BOOL" : "AOTI_MASK_FLOAT",
                      ptr_or_null(c, mask), num_batch > 0 ? "mask_bstride" : "NULL");
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, mask_strides[rank - 2]));
  aoti_strbuf_appendf(&c->run, "%s, %d, %s);\n  }\n", cg_sx(c, mask_strides[rank - 1]), bool_arg(n, 5) ? 1 : 0,
                      c->value_c[n->outputs[0]->id]);
  c->uses[CG_KERNEL_NN] = c->uses[CG_KERNEL_GEMM] = true;
  return AOTI_OK;
}

aoti_status cg_emit_nn(cg_ctx *c, const aoti_node *n) {
  const char *op = aoti_pass_op_name(n);
  if (strcmp(op, "layer_norm") == 0 || strcmp(op, "native_layer_norm") == 0) return emit_layer_norm(c, n);
  if (strcmp(op, "softmax") == 0 || strcmp(op, "_softmax") == 0) return emit_softmax(c, n, false);
  if (strcmp(op, "log_softmax") == 0 || strcmp(op, "_log_softmax") == 0) return emit_softmax(c, n, true);
  if (strcmp(op, "bmm") == 0) return emit_bmm(c, n, false);
  if (strcmp(op, "baddbmm") == 0) return emit_bmm(c, n, true);
  if (strcmp(op, "scaled_dot_product_attention") == 0) return emit_sdpa(c, n);
  return unsupported(n, "no C lowering for this op yet");
}
