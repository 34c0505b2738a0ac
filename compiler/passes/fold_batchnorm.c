/* fold_batchnorm.c — freezing: folds an inference batch norm into the convolution that feeds it
 * (aoti_pass_fold_batchnorm, passes.h).
 *
 * A batch norm (batch_norm with training=False, native_batch_norm with training=False, or
 * _native_batch_norm_legit_no_training whose saved statistics nobody reads) folds when its input
 * is the only use of a convolution's output, the convolution's weight (and bias, if any) and the
 * norm's weight, bias and running statistics are constants, all float32. Then, per output
 * channel o, with s = gamma[o] / sqrt(var[o] + eps) (gamma 1 and beta 0 when absent):
 *   w'[o] = w[o] * s,   b'[o] = (b[o] - mean[o]) * s + beta[o]   (b 0 when absent)
 * as torch.nn.utils.fusion.fuse_conv_bn_weights computes them. The convolution takes the new
 * constants (AOTI_CONSTANT_FOLDED, named "<conv>.weight_bn_folded" / "<conv>.bias_bn_folded"
 * after the weight's name) and the norm's users read the convolution's output; the norm dies.
 * Norms that do not fold stay, for codegen's per-channel affine (codegen/emit_conv.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

/* The float32 constant data of tensor argument `a`, or NULL when it is not a float32 constant.
 * An absent (None) argument sets *out_absent. */
static const float *constant_data(const aoti_graph *g, const aoti_arg *a, bool *out_absent) {
  *out_absent = a->kind == AOTI_ARG_NONE;
  if (a->kind != AOTI_ARG_TENSOR || a->tensor->kind != AOTI_VALUE_CONSTANT || a->tensor->dtype != AOTI_DTYPE_FLOAT32)
    return NULL;
  return g->constants[a->tensor->index].data;
}

/* The parts of a foldable (batch norm, convolution) pair. */
typedef struct bn_fold {
  aoti_node *conv;
  const aoti_value *conv_weight;
  const float *w, *b, *gamma, *beta, *mean, *var; /* b, gamma, beta: NULL when absent */
  double eps;
  int64_t channels, per_channel; /* output channels; weight elements per output channel */
} bn_fold;

static bool is_inference_norm(const aoti_graph *g, const aoti_node *n, int *out_eps_index) {
  const char *op = aoti_pass_op_name(n);
  if (strcmp(op, "_native_batch_norm_legit_no_training") == 0) {
    *out_eps_index = 6;
  } else if (strcmp(op, "batch_norm") == 0 || strcmp(op, "native_batch_norm") == 0) {
    if (n->args[5].kind != AOTI_ARG_BOOL || n->args[5].b) return false;
    *out_eps_index = 7;
  } else {
    return false;
  }
  for (int32_t k = 1; k < n->num_outputs; ++k) /* saved statistics must be unused */
    if (aoti_pass_count_uses(g, n->outputs[k], NULL) > 0) return false;
  return true;
}

/* Whether norm `n` can fold into the convolution feeding it; fills *f. */
static bool match(const aoti_graph *g, const aoti_node *n, bn_fold *f) {
  int eps_index = 0;
  if (!n->op || !is_inference_norm(g, n, &eps_index)) return false;
  const aoti_value *x = n->args[0].kind == AOTI_ARG_TENSOR ? n->args[0].tensor : NULL;
  if (!x || !x->producer || !x->producer->op || !aoti_pass_is_conv(x->producer) || x->dtype != AOTI_DTYPE_FLOAT32) return false;
  if (x->producer->outputs[0] != x || aoti_pass_count_uses(g, x, NULL) != 1) return false;
  f->conv = x->producer;
  bool absent = false, w_absent = false, mean_absent = false, var_absent = false;
  f->w = constant_data(g, &f->conv->args[1], &w_absent);
  f->b = constant_data(g, &f->conv->args[2], &absent);
  if (!f->w || (!f->b && !absent)) return false;
  f->gamma = constant_data(g, &n->args[1], &absent);
  if (!f->gamma && !absent) return false;
  f->beta = constant_data(g, &n->args[2], &absent);
  if (!f->beta && !absent) return false;
  f->mean = constant_data(g, &n->args[3], &mean_absent);
  f->var = constant_data(g, &n->args[4], &var_absent);
  if (!f->mean || !f->var || !aoti_pass_arg_number(&n->args[eps_index], &f->eps)) return false;
  f->conv_weight = f->conv->args[1].tensor;
  const aoti_value *w = f->conv_weight;
  if (!aoti_sx_is_const(w->dims[0], &f->channels) || f->channels <= 0) return false;
  f->per_channel = 1;
  for (int32_t d = 1; d < w->rank; ++d) {
    int64_t size = 0;
    if (!aoti_sx_is_const(w->dims[d], &size)) return false;
    f->per_channel *= size;
  }
  /* The statistics must have one entry per output channel. */
  const aoti_value *stats[] = {n->args[3].tensor, n->args[4].tensor};
  for (size_t i = 0; i < 2; ++i) {
    int64_t size = 0;
    if (stats[i]->rank != 1 || !aoti_sx_is_const(stats[i]->dims[0], &size) || size != f->channels) return false;
  }
  return true;
}

/* A new folded constant with the conv weight's dims [dims[0..rank)), named after the weight. */
static aoti_value *add_folded(aoti_graph *g, const bn_fold *f, const char *suffix, int32_t rank, const float *data) {
  const char *weight_fqn = g->constants[f->conv_weight->index].fqn;
  const size_t len = strlen(weight_fqn);
  const size_t stem = len >= 6 && strcmp(weight_fqn + len - 6, "weight") == 0 ? len - 6 : len;
  const size_t count = (size_t)(rank == 1 ? f->channels : f->channels * f->per_channel);
  return aoti_pass_add_folded_constant(g, weight_fqn, stem, suffix, AOTI_DTYPE_FLOAT32, rank, f->conv_weight->dims,
                                       data, count * sizeof(float));
}

static aoti_status fold(aoti_graph *g, aoti_node *n, const bn_fold *f) {
  const size_t channels = (size_t)f->channels, per = (size_t)f->per_channel;
  float *w = malloc(channels * per * sizeof *w), *b = malloc(channels * sizeof *b);
  aoti_status st = AOTI_OK;
  if (!w || !b) st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory folding node '%s'", n->name);
  for (size_t o = 0; st == AOTI_OK && o < channels; ++o) {
    /* float32 as fuse_conv_bn_weights: rsqrt(var + eps) * gamma */
    const float scale = (1.0f / sqrtf(f->var[o] + (float)f->eps)) * (f->gamma ? f->gamma[o] : 1.0f);
    for (size_t k = 0; k < per; ++k) w[o * per + k] = f->w[o * per + k] * scale;
    b[o] = ((f->b ? f->b[o] : 0.0f) - f->mean[o]) * scale + (f->beta ? f->beta[o] : 0.0f);
  }
  aoti_value *new_w = NULL, *new_b = NULL;
  if (st == AOTI_OK) {
    new_w = add_folded(g, f, "weight_bn_folded", f->conv_weight->rank, w);
    new_b = new_w ? add_folded(g, f, "bias_bn_folded", 1, b) : NULL;
    if (!new_b) st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory folding node '%s'", n->name);
  }
  free(w);
  free(b);
  if (st != AOTI_OK) return st;
  f->conv->args[1] = aoti_arg_tensor(new_w);
  f->conv->args[2] = aoti_arg_tensor(new_b);
  aoti_graph_replace_uses(g, n->outputs[0], f->conv->outputs[0]);
  return AOTI_OK;
}

aoti_status aoti_pass_fold_batchnorm(aoti_graph *g) {
  bool folded = false;
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    bn_fold f = {0};
    if (!match(g, g->nodes[i], &f)) continue;
    aoti_status st = fold(g, g->nodes[i], &f);
    if (st != AOTI_OK) return st;
    folded = true;
  }
  if (folded) aoti_graph_remove_dead_nodes(g);
  return aoti_graph_verify(g);
}
