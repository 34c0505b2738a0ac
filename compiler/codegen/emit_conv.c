/* emit_conv.c — the C code of AOTI_LOWER_CONV nodes (rows in ops/ops_conv.c): convolutions
 * (conv1d, conv2d, convolution) call aoti_conv2d (aoti_conv2d_winograd for the Winograd variant,
 * winograd.c), inference batch norms aoti_batch_norm, and
 * pools aoti_max_pool2d / aoti_avg_pool2d / aoti_adaptive_avg_pool2d (templates/kernels/conv.c,
 * pool.c). Each node fills a constant shape struct from its (possibly symbolic) dims and makes
 * one call. float32 only. */
#include <stdio.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "passes/pass_util.h"

static aoti_status unsupported(const aoti_node *n, const char *what) {
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %s", n->name, n->target, what);
}

static aoti_status check_float(const aoti_node *n, const aoti_value *v) {
  if (!v || v->dtype == AOTI_DTYPE_FLOAT32) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): value '%s' has dtype %s; only float32 is "
                        "supported", n->name, n->target, v->name, aoti_dtype_name(v->dtype));
}

/* Item d of a constant int list argument (one item applies to all dims; empty/None: fallback). */
static bool list_item(const aoti_node *n, int i, int32_t d, int64_t fallback, int64_t *out) {
  if (i >= n->num_args) return false;
  const aoti_arg *a = &n->args[i];
  if (a->kind == AOTI_ARG_NONE || (a->kind == AOTI_ARG_LIST && a->count == 0)) {
    *out = fallback;
    return true;
  }
  if (a->kind == AOTI_ARG_LIST) return aoti_arg_get_int(&a->list[a->count == 1 ? 0 : d], out);
  return aoti_arg_get_int(a, out);
}

/* Reads `count` (1 or 2) spatial values of list argument i into out[2] (height first), with
 * `fallback` for an empty list; a 1-D list fills the width and sets the height to `neutral`. */
static aoti_status read_pair(const aoti_node *n, int i, int32_t count, int64_t fallback, int64_t neutral,
                             const char *what, int64_t *out) {
  out[0] = neutral;
  for (int32_t d = 0; d < count; ++d)
    if (!list_item(n, i, d, fallback, &out[2 - count + d])) {
      char msg[96];
      snprintf(msg, sizeof msg, "%s must be constant integers", what);
      return unsupported(n, msg);
    }
  return AOTI_OK;
}

static void put_i64(cg_ctx *c, int64_t v) { aoti_strbuf_appendf(&c->run, "%lld, ", (long long)v); }
static void put_sx(cg_ctx *c, const aoti_sx *e) { aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, e)); }

/* The product of dims [from, to) of v. */
static const aoti_sx *dims_product(cg_ctx *c, const aoti_value *v, int32_t from, int32_t to) {
  const aoti_sx *p = aoti_sx_const(c->g, 1);
  for (int32_t d = from; d < to; ++d) p = aoti_sx_mul(c->g, p, v->dims[d]);
  return p;
}

static const char *ptr_or_null(cg_ctx *c, const aoti_value *v) { return v ? c->value_c[v->id] : "NULL"; }

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

static aoti_status emit_convolution(cg_ctx *c, const aoti_node *n) {
  const bool convolution = strcmp(aoti_pass_op_name(n), "convolution") == 0;
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *w = aoti_node_tensor_arg(n, 1), *bias = aoti_node_tensor_arg(n, 2), *out = n->outputs[0];
  aoti_status st = check_float(n, x);
  if (st == AOTI_OK) st = check_float(n, w);
  if (st == AOTI_OK) st = check_float(n, bias);
  if (st != AOTI_OK) return st;
  if (convolution && n->args[6].kind == AOTI_ARG_BOOL && n->args[6].b)
    return unsupported(n, "transposed convolution is not supported");
  const bool winograd = n->variant == AOTI_CONV_VARIANT_WINOGRAD; /* w holds U [36][C][O] (passes/prepack.c) */
  /* w holds A panels [panels][C / groups][kernel...][MR] (passes/prepack_gemm.c) */
  const bool panels = n->variant == AOTI_CONV_VARIANT_A_PANELS;
  const int32_t spatial = winograd ? 2 : w->rank - (panels ? 3 : 2);
  if (spatial < 1 || spatial > 2) return unsupported(n, "only 1-D and 2-D convolutions are supported");
  int64_t kernel[2] = {winograd ? 3 : 1, winograd ? 3 : 1}, stride[2], pad[2] = {0, 0}, dil[2], groups = 1;
  for (int32_t d = 0; !winograd && d < spatial; ++d) aoti_sx_is_const(w->dims[2 + d], &kernel[2 - spatial + d]);
  st = read_pair(n, 3, spatial, 1, 1, "strides", stride);
  if (st == AOTI_OK) st = read_pair(n, 5, spatial, 1, 1, "dilations", dil);
  if (st == AOTI_OK && n->args[4].kind == AOTI_ARG_STRING) {
    if (strcmp(n->args[4].s, "same") == 0) /* the smaller half before, as PyTorch pads */
      for (int32_t d = 0; d < 2; ++d) pad[d] = dil[d] * (kernel[d] - 1) / 2;
  } else if (st == AOTI_OK) {
    st = read_pair(n, 4, spatial, 0, 0, "paddings", pad);
  }
  if (st == AOTI_OK && !aoti_arg_get_int(&n->args[convolution ? 8 : 6], &groups))
    st = unsupported(n, "groups must be a constant integer");
  if (st != AOTI_OK) return st;
  if (convolution) {
    const aoti_arg *op = &n->args[7];
    for (int32_t d = 0; op->kind == AOTI_ARG_LIST && d < op->count; ++d) {
      int64_t v = 0;
      if (!aoti_arg_get_int(&op->list[d], &v) || v != 0) return unsupported(n, "output_padding must be 0");
    }
  }
  int64_t in_channels = 0;
  const int32_t ch = x->rank - spatial - 1; /* the channel dim: 0 unbatched, 1 batched */
  if (!aoti_sx_is_const(x->dims[ch], &in_channels) || groups < 1 || in_channels % groups != 0)
    return unsupported(n, "the input channels must be a constant multiple of groups");
  cg_open_node(c, n);
  aoti_strbuf_puts(&c->run, "    const aoti_conv_shape p = {");
  put_sx(c, dims_product(c, x, 0, ch));
  put_sx(c, x->dims[ch]);
  put_sx(c, spatial == 2 ? x->dims[ch + 1] : aoti_sx_const(c->g, 1));
  put_sx(c, x->dims[x->rank - 1]);
  put_sx(c, out->dims[ch]);
  put_sx(c, spatial == 2 ? out->dims[ch + 1] : aoti_sx_const(c->g, 1));
  put_sx(c, out->dims[out->rank - 1]);
  const int64_t geometry[] = {kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], dil[0], dil[1]};
  for (size_t i = 0; i < sizeof geometry / sizeof geometry[0]; ++i) put_i64(c, geometry[i]);
  aoti_strbuf_appendf(&c->run, "%lld};\n", (long long)groups);
  cg_put_epilogue(c, n, bias, true);
  if (panels) cg_put_tile_check(c, "AOTI_GEMM_MR", w->dims[w->rank - 1]);
  aoti_strbuf_appendf(&c->run, "    %s(threads, &p, %s, %s, &ep, %s);\n  }\n",
                      winograd ? "aoti_conv2d_winograd" : panels ? "aoti_conv2d_panels" : "aoti_conv2d",
                      c->value_c[x->id], c->value_c[w->id], c->value_c[out->id]);
  c->uses[CG_KERNEL_GEMM] = true;
  c->uses[CG_KERNEL_CONV] = true;
  if (winograd) c->uses[CG_KERNEL_WINOGRAD] = true;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Batch norm (inference)
//===----------------------------------------------------------------------===//

/* batch_norm(input, weight?, bias?, running_mean?, running_var?, training, momentum, eps, cudnn),
 * native_batch_norm(input, weight?, bias?, mean?, var?, training, momentum, eps) and
 * _native_batch_norm_legit_no_training(input, weight?, bias?, mean, var, momentum, eps). Only
 * output 0 is computed: the saved statistics of inference are empty. */
static aoti_status emit_batch_norm(cg_ctx *c, const aoti_node *n) {
  const bool no_training = strcmp(aoti_pass_op_name(n), "_native_batch_norm_legit_no_training") == 0;
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *out = n->outputs[0];
  const aoti_value *weight = aoti_node_tensor_arg(n, 1), *bias = aoti_node_tensor_arg(n, 2), *mean = aoti_node_tensor_arg(n, 3), *var = aoti_node_tensor_arg(n, 4);
  if (!no_training && n->args[5].kind == AOTI_ARG_BOOL && n->args[5].b)
    return unsupported(n, "training=True is not supported (inference only)");
  if (!mean || !var) return unsupported(n, "running statistics are required in inference");
  const aoti_value *checked[] = {x, weight, bias, mean, var, out};
  for (size_t i = 0; i < sizeof checked / sizeof checked[0]; ++i) {
    aoti_status st = check_float(n, checked[i]);
    if (st != AOTI_OK) return st;
  }
  const int eps_index = no_training ? 6 : 7;
  double eps = 1e-5;
  if (!aoti_pass_arg_number(&n->args[eps_index], &eps)) return unsupported(n, "eps must be a number");
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    aoti_batch_norm(%s, %s, %s, %s, %s, %s, %s, %s, ", cg_sx(c, x->dims[0]),
                      cg_sx(c, x->dims[1]), cg_sx(c, dims_product(c, x, 2, x->rank)), c->value_c[x->id],
                      ptr_or_null(c, weight), ptr_or_null(c, bias), c->value_c[mean->id], c->value_c[var->id]);
  cg_put_float(&c->run, eps);
  aoti_strbuf_appendf(&c->run, ", %s);\n  }\n", c->value_c[out->id]);
  c->uses[CG_KERNEL_CONV] = true;
  c->uses[CG_KERNEL_GEMM] = true; /* conv.c calls aoti_sgemm */
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/* Whether any node argument or graph output reads `v`. */
static bool value_used(const aoti_graph *g, const aoti_value *v) {
  for (int32_t o = 0; o < g->num_outputs; ++o)
    if (g->outputs[o].value == v) return true;
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    const aoti_node *m = g->nodes[i];
    for (int32_t a = 0; a < m->num_args; ++a) {
      const aoti_arg *arg = &m->args[a];
      if (arg->kind == AOTI_ARG_TENSOR && arg->tensor == v) return true;
      for (int32_t k = 0; arg->kind == AOTI_ARG_TENSORS && k < arg->count; ++k)
        if (arg->list[k].tensor == v) return true;
    }
  }
  return false;
}

/* pool.c, and the gemm.c and conv.c it needs (vectors, threads, conv.c's bands of padded rows). */
static void use_pool_kernels(cg_ctx *c) {
  c->uses[CG_KERNEL_POOL] = true;
  c->uses[CG_KERNEL_CONV] = true;
  c->uses[CG_KERNEL_GEMM] = true;
}

/* `const aoti_pool_shape p = {...};` for pooling x into out with the given window. */
static void put_pool_shape(cg_ctx *c, const aoti_value *x, const aoti_value *out, const int64_t *kernel,
                           const int64_t *stride, const int64_t *pad, const int64_t *dil) {
  aoti_strbuf_puts(&c->run, "    const aoti_pool_shape p = {");
  put_sx(c, dims_product(c, x, 0, x->rank - 2));
  put_sx(c, x->dims[x->rank - 2]);
  put_sx(c, x->dims[x->rank - 1]);
  put_sx(c, out->dims[out->rank - 2]);
  put_sx(c, out->dims[out->rank - 1]);
  const int64_t geometry[] = {kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], dil[0]};
  for (size_t i = 0; i < sizeof geometry / sizeof geometry[0]; ++i) put_i64(c, geometry[i]);
  aoti_strbuf_appendf(&c->run, "%lld};\n", (long long)dil[1]);
}

/* kernel_size, stride (empty: the kernel), padding and (max pools) dilation. */
static aoti_status pool_window(const aoti_node *n, bool has_dilation, int64_t *kernel, int64_t *stride, int64_t *pad,
                               int64_t *dil) {
  aoti_status st = read_pair(n, 1, 2, 1, 1, "kernel sizes", kernel);
  for (int32_t d = 0; st == AOTI_OK && d < 2; ++d)
    if (!list_item(n, 2, d, kernel[d], &stride[d])) st = unsupported(n, "strides must be constant integers");
  if (st == AOTI_OK) st = read_pair(n, 3, 2, 0, 0, "paddings", pad);
  dil[0] = dil[1] = 1;
  if (st == AOTI_OK && has_dilation) st = read_pair(n, 4, 2, 1, 1, "dilations", dil);
  return st;
}

static aoti_status emit_max_pool(cg_ctx *c, const aoti_node *n) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *out = n->outputs[0];
  aoti_status st = check_float(n, x);
  int64_t kernel[2], stride[2], pad[2], dil[2];
  if (st == AOTI_OK) st = pool_window(n, true, kernel, stride, pad, dil);
  if (st != AOTI_OK) return st;
  const aoti_value *indices = n->num_outputs > 1 && value_used(c->g, n->outputs[1]) ? n->outputs[1] : NULL;
  cg_open_node(c, n);
  put_pool_shape(c, x, out, kernel, stride, pad, dil);
  aoti_strbuf_appendf(&c->run, "    aoti_max_pool2d(threads, &p, %s, %s, %s);\n  }\n", c->value_c[x->id],
                      c->value_c[out->id], ptr_or_null(c, indices));
  use_pool_kernels(c);
  return AOTI_OK;
}

/* avg_pool2d(self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override?). */
static aoti_status emit_avg_pool(cg_ctx *c, const aoti_node *n) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *out = n->outputs[0];
  aoti_status st = check_float(n, x);
  int64_t kernel[2], stride[2], pad[2], dil[2], divisor = 0;
  if (st == AOTI_OK) st = pool_window(n, false, kernel, stride, pad, dil);
  if (st != AOTI_OK) return st;
  const bool include_pad = n->args[5].kind != AOTI_ARG_BOOL || n->args[5].b;
  if (n->args[6].kind != AOTI_ARG_NONE && (!aoti_arg_get_int(&n->args[6], &divisor) || divisor == 0))
    return unsupported(n, "divisor_override must be a nonzero constant integer");
  cg_open_node(c, n);
  put_pool_shape(c, x, out, kernel, stride, pad, dil);
  aoti_strbuf_appendf(&c->run, "    aoti_avg_pool2d(threads, &p, %d, %lld, %s, %s);\n  }\n", include_pad ? 1 : 0,
                      (long long)divisor, c->value_c[x->id], c->value_c[out->id]);
  use_pool_kernels(c);
  return AOTI_OK;
}

static aoti_status emit_adaptive_avg_pool(cg_ctx *c, const aoti_node *n) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *out = n->outputs[0];
  aoti_status st = check_float(n, x);
  if (st != AOTI_OK) return st;
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    aoti_adaptive_avg_pool2d(%s, %s, %s, %s, %s, %s, %s);\n  }\n",
                      cg_sx(c, dims_product(c, x, 0, x->rank - 2)), cg_sx(c, x->dims[x->rank - 2]),
                      cg_sx(c, x->dims[x->rank - 1]), cg_sx(c, out->dims[out->rank - 2]),
                      cg_sx(c, out->dims[out->rank - 1]), c->value_c[x->id], c->value_c[out->id]);
  use_pool_kernels(c);
  return AOTI_OK;
}

aoti_status cg_emit_conv(cg_ctx *c, const aoti_node *n) {
  const char *op = aoti_pass_op_name(n);
  aoti_status st = check_float(n, n->outputs[0]);
  if (st != AOTI_OK) return st;
  if (aoti_pass_is_conv(n))
    return emit_convolution(c, n);
  if (strcmp(op, "batch_norm") == 0 || strcmp(op, "native_batch_norm") == 0 ||
      strcmp(op, "_native_batch_norm_legit_no_training") == 0)
    return emit_batch_norm(c, n);
  if (strcmp(op, "max_pool2d") == 0 || strcmp(op, "max_pool2d_with_indices") == 0) return emit_max_pool(c, n);
  if (strcmp(op, "avg_pool2d") == 0) return emit_avg_pool(c, n);
  if (strcmp(op, "adaptive_avg_pool2d") == 0 || strcmp(op, "_adaptive_avg_pool2d") == 0)
    return emit_adaptive_avg_pool(c, n);
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no C lowering for op '%s' yet", n->name, n->target);
}
