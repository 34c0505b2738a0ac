/* ops_conv.c — the conv family of the op table: convolution, pooling, batch norm.
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c), printed
 * from torch 2.15's torch.ops.aten.<op>.<overload>._schema.
 *
 * Output sizes follow PyTorch's formulas (aten/src/ATen/native/ConvUtils.h conv_output_size,
 * aten/src/ATen/native/Pool.h pooling_output_shape, AdaptiveAvgPoolKernel's start/end index):
 *   conv:  (in + 2*pad - dil*(k-1) - 1) // stride + 1
 *   pool:  the same, with stride-1 added to the numerator in ceil_mode, and in ceil_mode the last
 *          window dropped when it starts in the right padding: min(out, ceil((in + pad) / stride)).
 * Spatial sizes may be symbolic (floor divisions over the input's dims); kernel, stride, padding
 * and dilation must be constants. */
#include <string.h>

#include "error.h"
#include "ops/ops_private.h"

#define CONV_MAX_SPATIAL 2

/* Item d of an int[N] / SymInt[N] argument as a constant: a list of one item (or a single int)
 * applies to every dim; an empty list (max_pool2d's stride=[]) or None gives `fallback`. */
static bool list_item(const aoti_arg *a, int32_t d, int64_t fallback, int64_t *out) {
  if (a->kind == AOTI_ARG_NONE || (a->kind == AOTI_ARG_LIST && a->count == 0)) {
    *out = fallback;
    return true;
  }
  if (a->kind == AOTI_ARG_LIST) return aoti_arg_get_int(&a->list[a->count == 1 ? 0 : d], out);
  return aoti_arg_get_int(a, out);
}

/* The spatial geometry of a convolution or pooling node, all constants. */
typedef struct window {
  int32_t spatial; /* number of spatial dims: 1 or 2 */
  int64_t kernel[CONV_MAX_SPATIAL], stride[CONV_MAX_SPATIAL], pad[CONV_MAX_SPATIAL], dil[CONV_MAX_SPATIAL];
  bool ceil_mode;
} window;

/* Reads argument `index` (kernel, stride, padding or dilation) into `out`; stride falls back to
 * the kernel size when the list is empty. */
static aoti_status read_list(const aoti_node *n, int index, const char *what, const window *w,
                             int64_t fallback_is_kernel, int64_t fallback, int64_t *out) {
  for (int32_t d = 0; d < w->spatial; ++d) {
    const int64_t fb = fallback_is_kernel ? w->kernel[d] : fallback;
    if (index >= n->num_args || !list_item(&n->args[index], d, fb, &out[d]))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %s must be constant integers", n->name,
                            n->target, what);
  }
  return AOTI_OK;
}

static aoti_status check_window(const aoti_node *n, const window *w) {
  for (int32_t d = 0; d < w->spatial; ++d)
    if (w->kernel[d] < 1 || w->stride[d] < 1 || w->dil[d] < 1 || w->pad[d] < 0)
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): invalid window (kernel %lld, stride %lld, "
                            "padding %lld, dilation %lld)", n->name, n->target, (long long)w->kernel[d],
                            (long long)w->stride[d], (long long)w->pad[d], (long long)w->dil[d]);
  return AOTI_OK;
}

/* Output size of one spatial dim (see the top of the file). */
static const aoti_sx *window_out_size(aoti_graph *g, const aoti_sx *in, const window *w, int32_t d) {
  const int64_t span = w->dil[d] * (w->kernel[d] - 1) + 1;
  const int64_t extra = w->ceil_mode ? w->stride[d] - 1 : 0;
  const aoti_sx *s = aoti_sx_const(g, w->stride[d]);
  const aoti_sx *num = aoti_sx_add(g, in, aoti_sx_const(g, 2 * w->pad[d] - span + extra));
  const aoti_sx *out = aoti_sx_add(g, aoti_sx_floordiv(g, num, s), aoti_sx_const(g, 1));
  if (!w->ceil_mode) return out;
  const aoti_sx *last = aoti_sx_floordiv(g, aoti_sx_add(g, in, aoti_sx_const(g, w->pad[d] + w->stride[d] - 1)), s);
  return aoti_sx_min(g, out, last);
}

static aoti_status write_outputs(int32_t count, aoti_dtype dtype, const aoti_value *like, aoti_dtype *out_dtypes,
                                 int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  for (int32_t k = 0; k < count; ++k) {
    out_dtypes[k] = dtype;
    out_ranks[k] = like->rank;
    for (int32_t d = 0; d < like->rank; ++d) out_dims[k][d] = like->dims[d];
  }
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/* Padding of conv2d.padding / conv1d.padding: "valid" is none, "same" pads dil*(k-1) in total,
 * the smaller half before (PyTorch's _convolution_same). Only the leading side matters for the
 * output size of "same": it equals the input's. */
static aoti_status string_padding(const aoti_node *n, const char *mode, window *w, bool *out_same) {
  *out_same = strcmp(mode, "same") == 0;
  if (!*out_same && strcmp(mode, "valid") != 0)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): padding '%s' is not supported", n->name,
                          n->target, mode);
  for (int32_t d = 0; d < w->spatial; ++d) w->pad[d] = *out_same ? w->dil[d] * (w->kernel[d] - 1) / 2 : 0;
  return AOTI_OK;
}

/* conv1d/conv2d(input, weight, bias, stride, padding, dilation, groups) and
 * convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
 * input [N, C, (H,) W] (or unbatched [C, (H,) W]), weight [O, C/groups, (kH,) kW]. */
static aoti_status shape_conv(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *wt = aoti_node_tensor_arg(n, 1);
  const bool convolution = n->num_args == 9;
  if (!x || !wt)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): input and weight must be tensors", n->name, n->target);
  if (convolution && n->args[6].kind == AOTI_ARG_BOOL && n->args[6].b)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): transposed convolution is not supported",
                          n->name, n->target);
  window w = {.spatial = wt->rank - 2};
  if (w.spatial < 1 || w.spatial > CONV_MAX_SPATIAL)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %d-D convolution is not supported (weight "
                          "'%s' has rank %d)", n->name, n->target, w.spatial, wt->name, wt->rank);
  const bool batched = x->rank == wt->rank;
  if (!batched && x->rank != wt->rank - 1)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): input '%s' has rank %d for a weight of rank %d",
                          n->name, n->target, x->name, x->rank, wt->rank);
  for (int32_t d = 0; d < w.spatial; ++d)
    if (!aoti_sx_is_const(wt->dims[2 + d], &w.kernel[d]))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): symbolic kernel size", n->name, n->target);
  aoti_status st = read_list(n, 3, "strides", &w, 0, 1, w.stride);
  if (st == AOTI_OK) st = read_list(n, 5, "dilations", &w, 0, 1, w.dil);
  if (st == AOTI_OK && n->args[4].kind == AOTI_ARG_STRING) {
    bool same = false;
    st = string_padding(n, n->args[4].s, &w, &same);
  } else if (st == AOTI_OK) {
    st = read_list(n, 4, "paddings", &w, 0, 0, w.pad);
  }
  if (st == AOTI_OK) st = check_window(n, &w);
  if (st != AOTI_OK) return st;
  const bool same = n->args[4].kind == AOTI_ARG_STRING && strcmp(n->args[4].s, "same") == 0;
  const int32_t sp0 = x->rank - w.spatial;
  out_dtypes[0] = x->dtype;
  out_ranks[0] = x->rank;
  if (batched) out_dims[0][0] = x->dims[0];
  out_dims[0][sp0 - 1] = wt->dims[0];
  for (int32_t d = 0; d < w.spatial; ++d)
    out_dims[0][sp0 + d] = same ? x->dims[sp0 + d] : window_out_size(g, x->dims[sp0 + d], &w, d);
  if (x->dtype != wt->dtype)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): input '%s' is %s but weight '%s' is %s", n->name,
                          n->target, x->name, aoti_dtype_name(x->dtype), wt->name, aoti_dtype_name(wt->dtype));
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Batch norm (inference)
//===----------------------------------------------------------------------===//

/* batch_norm(input, ...) -> Tensor: the input's shape. Training mode is rejected here, since
 * an inference build has no batch statistics to update. */
static aoti_status shape_batch_norm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                    const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  (void)g;
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  if (!x || x->rank < 2)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): input must be a tensor of rank >= 2", n->name,
                          n->target);
  return write_outputs(1, x->dtype, x, out_dtypes, out_ranks, out_dims);
}

/* _native_batch_norm_legit_no_training / native_batch_norm -> (out, save_mean, save_invstd): in
 * inference the saved statistics are empty [0] tensors (as PyTorch's meta function gives). */
static aoti_status shape_native_batch_norm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                           int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  aoti_status st = shape_batch_norm(g, n, out_dtypes, out_ranks, out_dims);
  if (st != AOTI_OK) return st;
  for (int32_t k = 1; k < 3; ++k) {
    out_dtypes[k] = out_dtypes[0];
    out_ranks[k] = 1;
    out_dims[k][0] = aoti_sx_const(g, 0);
  }
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

/* max_pool2d(self, kernel_size, stride, padding, dilation, ceil_mode) and
 * avg_pool2d(self, kernel_size, stride, padding, ceil_mode, ...) over the last two dims. */
static aoti_status pool_window(const aoti_node *n, bool has_dilation, window *w) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  if (!x || (x->rank != 3 && x->rank != 4))
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): input must be a 3-D or 4-D tensor", n->name,
                          n->target);
  w->spatial = 2;
  aoti_status st = read_list(n, 1, "kernel sizes", w, 0, 1, w->kernel);
  if (st == AOTI_OK) st = read_list(n, 2, "strides", w, 1, 0, w->stride);
  if (st == AOTI_OK) st = read_list(n, 3, "paddings", w, 0, 0, w->pad);
  if (st == AOTI_OK && has_dilation) st = read_list(n, 4, "dilations", w, 0, 1, w->dil);
  if (st == AOTI_OK && !has_dilation) w->dil[0] = w->dil[1] = 1;
  const int ceil_index = has_dilation ? 5 : 4;
  w->ceil_mode = n->num_args > ceil_index && n->args[ceil_index].kind == AOTI_ARG_BOOL && n->args[ceil_index].b;
  if (st == AOTI_OK) st = check_window(n, w);
  for (int32_t d = 0; st == AOTI_OK && d < 2; ++d)
    if (w->pad[d] * 2 > w->kernel[d])
      st = aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): padding %lld exceeds half the kernel size %lld",
                          n->name, n->target, (long long)w->pad[d], (long long)w->kernel[d]);
  return st;
}

static aoti_status shape_pool(aoti_graph *g, const aoti_node *n, bool has_dilation, int32_t num_outputs,
                              aoti_dtype *out_dtypes, int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  window w = {0};
  aoti_status st = pool_window(n, has_dilation, &w);
  if (st != AOTI_OK) return st;
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  write_outputs(num_outputs, x->dtype, x, out_dtypes, out_ranks, out_dims);
  for (int32_t k = 0; k < num_outputs; ++k)
    for (int32_t d = 0; d < 2; ++d) out_dims[k][x->rank - 2 + d] = window_out_size(g, x->dims[x->rank - 2 + d], &w, d);
  if (num_outputs == 2) out_dtypes[1] = AOTI_DTYPE_INT64; /* the indices */
  return AOTI_OK;
}

static aoti_status shape_max_pool2d(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                    const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  return shape_pool(g, n, true, 1, out_dtypes, out_ranks, out_dims);
}

static aoti_status shape_max_pool2d_with_indices(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                                 int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  return shape_pool(g, n, true, 2, out_dtypes, out_ranks, out_dims);
}

static aoti_status shape_avg_pool2d(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                    const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  return shape_pool(g, n, false, 1, out_dtypes, out_ranks, out_dims);
}

/* adaptive_avg_pool2d(self [.., H, W], output_size [oH, oW]) -> [.., oH, oW]. */
static aoti_status shape_adaptive_avg_pool2d(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                             int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]) {
  const aoti_value *x = aoti_node_tensor_arg(n, 0);
  const aoti_arg *size = &n->args[1];
  if (!x || (x->rank != 3 && x->rank != 4))
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): input must be a 3-D or 4-D tensor", n->name,
                          n->target);
  if (size->kind != AOTI_ARG_LIST || (size->count != 1 && size->count != 2))
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): output_size must list 1 or 2 sizes", n->name,
                          n->target);
  write_outputs(1, x->dtype, x, out_dtypes, out_ranks, out_dims);
  for (int32_t d = 0; d < 2; ++d) {
    const aoti_arg *item = &size->list[size->count == 1 ? 0 : d];
    int64_t v = 0;
    if (item->kind == AOTI_ARG_SYMINT && item->sx)
      out_dims[0][x->rank - 2 + d] = item->sx;
    else if (aoti_arg_get_int(item, &v))
      out_dims[0][x->rank - 2 + d] = aoti_sx_const(g, v);
    else
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): output_size must be integers", n->name, n->target);
  }
  return AOTI_OK;
}

static const aoti_op kRows[] = {
    {ATEN "conv2d.default",
     "conv2d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], SymInt[2] padding=[0, 0], "
     "SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor",
     shape_conv, AOTI_LOWER_CONV, NULL},
    {ATEN "conv2d.padding",
     "conv2d.padding(Tensor input, Tensor weight, Tensor? bias=None, SymInt[2] stride=[1, 1], str padding=\"valid\", "
     "SymInt[2] dilation=[1, 1], SymInt groups=1) -> Tensor",
     shape_conv, AOTI_LOWER_CONV, NULL},
    {ATEN "conv1d.default",
     "conv1d(Tensor input, Tensor weight, Tensor? bias=None, SymInt[1] stride=[1], SymInt[1] padding=[0], "
     "SymInt[1] dilation=[1], SymInt groups=1) -> Tensor",
     shape_conv, AOTI_LOWER_CONV, NULL},
    {ATEN "convolution.default",
     "convolution(Tensor input, Tensor weight, Tensor? bias, SymInt[] stride, SymInt[] padding, SymInt[] dilation, "
     "bool transposed, SymInt[] output_padding, SymInt groups) -> Tensor",
     shape_conv, AOTI_LOWER_CONV, NULL},
    {ATEN "batch_norm.default",
     "batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, "
     "bool training, float momentum, float eps, bool cudnn_enabled) -> Tensor",
     shape_batch_norm, AOTI_LOWER_CONV, NULL},
    {ATEN "_native_batch_norm_legit_no_training.default",
     "_native_batch_norm_legit_no_training(Tensor input, Tensor? weight, Tensor? bias, Tensor running_mean, "
     "Tensor running_var, float momentum, float eps) -> (Tensor, Tensor, Tensor)",
     shape_native_batch_norm, AOTI_LOWER_CONV, NULL},
    {ATEN "native_batch_norm.default",
     "native_batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, "
     "bool training, float momentum, float eps) -> (Tensor, Tensor, Tensor)",
     shape_native_batch_norm, AOTI_LOWER_CONV, NULL},
    {ATEN "max_pool2d.default",
     "max_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, "
     "bool ceil_mode=False) -> Tensor",
     shape_max_pool2d, AOTI_LOWER_CONV, NULL},
    {ATEN "max_pool2d_with_indices.default",
     "max_pool2d_with_indices(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, "
     "int[2] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)",
     shape_max_pool2d_with_indices, AOTI_LOWER_CONV, NULL},
    {ATEN "avg_pool2d.default",
     "avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, bool ceil_mode=False, "
     "bool count_include_pad=True, int? divisor_override=None) -> Tensor",
     shape_avg_pool2d, AOTI_LOWER_CONV, NULL},
    {ATEN "adaptive_avg_pool2d.default", "adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor",
     shape_adaptive_avg_pool2d, AOTI_LOWER_CONV, NULL},
    {ATEN "_adaptive_avg_pool2d.default", "_adaptive_avg_pool2d(Tensor self, SymInt[2] output_size) -> Tensor",
     shape_adaptive_avg_pool2d, AOTI_LOWER_CONV, NULL},
};

const aoti_op_family aoti_ops_family_conv = {"conv", kRows, sizeof kRows / sizeof kRows[0]};
