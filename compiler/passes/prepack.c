/* prepack.c — weights rearranged at compile time for the kernel variant that will use them
 * (aoti_pass_prepack, passes.h).
 *
 * Today: 3x3, stride-1, dilation-1, ungrouped, non-transposed 2-D convolutions with a float32
 * constant weight and 3 to AOTI_WINOGRAD_MAX_IN_CHANNELS input channels switch to
 * AOTI_CONV_VARIANT_WINOGRAD (templates/kernels/winograd.c): their weight argument becomes a new
 * AOTI_CONSTANT_FOLDED constant "<weight fqn>.winograd" holding U = G w G^T in the kernel's layout
 * [out_channels / 32 panels][36][in_channels][32] (G and the layout are documented in winograd.c). A
 * weight several convolutions share is transformed once. Runs before fold_constants, whose
 * unused-constant sweep drops the original weights nothing reads any more. Deterministic: the
 * transform is computed in double in a fixed order and rounded once. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

/* Which convolutions switch: every one the transform applies to with WINOGRAD_MIN_IN_CHANNELS to
 * AOTI_WINOGRAD_MAX_IN_CHANNELS input channels (winograd.c's V scratch holds at least one vector
 * of tiles for that many). Measured on one Zen 5 core (thread CPU time, best of 2-3 rounds, the
 * machine shared) against conv.c's im2col GEMM with compile-time A panels (aoti_conv2d_panels),
 * 3x3 pad 1, output HxW, channels C->O, im2col time / Winograd time, batch 1: 56x56 64->64 3.9x,
 * 28x28 128->128 4.5x, 14x14 256->256 4.2x, 7x7 512->512 2.0x, 8x8 256->256 2.4x, 4x4 512->512
 * 1.3x, 2x2 512->512 1.4x, 56x56 16->16 3.0x, 56x56 3->16 1.8x, 56x56 1->8 0.8x; batch 8: 56x56
 * 64->64 2.9x, 28x28 128->128 3.6x, 14x14 256->256 3.9x, 7x7 512->512 4.9x. Winograd wins even
 * where most of each 4x4 tile is padding (7x7, 2x2) and its weights are 4x bigger (memory-bound
 * there; u is prefetched), except with a single input channel. Command: a driver that includes
 * math.c, gemm.c, conv.c and winograd.c as models paste them (gcc -O3 -march=native) and times
 * aoti_conv2d_panels against aoti_conv2d_winograd per shape, bias + residual + relu epilogue. */
enum { WINOGRAD_MIN_IN_CHANNELS = 3 };

/* F(4x4, 3x3)'s filter transform G (Lavin & Gray 2015, points 0, 1, -1, 2, -2, infinity). */
static const double kWinogradG[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
};

int64_t aoti_winograd_weights_floats(int64_t out_channels, int64_t in_channels) {
  const int64_t panels = (out_channels + AOTI_WINOGRAD_PANEL - 1) / AOTI_WINOGRAD_PANEL;
  return 36 * panels * in_channels * AOTI_WINOGRAD_PANEL;
}

void aoti_winograd_transform_weights(int64_t out_channels, int64_t in_channels, const float *w, float *u) {
  const int64_t panels = (out_channels + AOTI_WINOGRAD_PANEL - 1) / AOTI_WINOGRAD_PANEL;
  const int64_t kstride = in_channels * AOTI_WINOGRAD_PANEL; /* between positions k of a panel */
  memset(u, 0, (size_t)(36 * panels * kstride) * sizeof *u); /* the last panel's columns past out_channels */
  for (int64_t o = 0; o < out_channels; ++o)
    for (int64_t c = 0; c < in_channels; ++c) {
      const float *g = w + (o * in_channels + c) * 9;
      double gg[6][3]; /* G g */
      for (int i = 0; i < 6; ++i)
        for (int s = 0; s < 3; ++s)
          gg[i][s] = kWinogradG[i][0] * g[s] + kWinogradG[i][1] * g[3 + s] + kWinogradG[i][2] * g[6 + s];
      float *uc = u + (o / AOTI_WINOGRAD_PANEL * 36 * in_channels + c) * AOTI_WINOGRAD_PANEL + o % AOTI_WINOGRAD_PANEL;
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j) /* [panel][k][c][lane] */
          uc[(i * 6 + j) * kstride] =
              (float)(gg[i][0] * kWinogradG[j][0] + gg[i][1] * kWinogradG[j][1] + gg[i][2] * kWinogradG[j][2]);
    }
}

static bool const_int(const aoti_arg *a, int64_t *out) { return a->kind != AOTI_ARG_NONE && aoti_arg_get_int(a, out); }

/* Whether every item of constant int list argument `a` equals `want` (an empty list counts as the
 * schema's default, which is `want` for stride and dilation). */
static bool all_items(const aoti_arg *a, int64_t want) {
  if (a->kind != AOTI_ARG_LIST) {
    int64_t v = 0;
    return const_int(a, &v) && v == want;
  }
  for (int32_t k = 0; k < a->count; ++k) {
    int64_t v = 0;
    if (!const_int(&a->list[k], &v) || v != want) return false;
  }
  return true;
}

static bool dim_is(const aoti_value *v, int32_t d, int64_t *out) { return aoti_sx_is_const(v->dims[d], out); }

/* Whether convolution node `n` gets the Winograd variant. */
static bool winograd_eligible(const aoti_node *n) {
  const char *op = aoti_pass_op_name(n);
  const bool convolution = strcmp(op, "convolution") == 0;
  if (!convolution && strcmp(op, "conv2d") != 0) return false;
  if (n->variant != 0 || n->args[1].kind != AOTI_ARG_TENSOR || n->args[0].kind != AOTI_ARG_TENSOR) return false;
  const aoti_value *x = n->args[0].tensor, *w = n->args[1].tensor, *out = n->outputs[0];
  if (w->kind != AOTI_VALUE_CONSTANT || w->dtype != AOTI_DTYPE_FLOAT32 || x->dtype != AOTI_DTYPE_FLOAT32 ||
      out->dtype != AOTI_DTYPE_FLOAT32 || w->rank != 4 || (x->rank != 3 && x->rank != 4))
    return false;
  int64_t o = 0, c = 0, kh = 0, kw = 0, oh = 0, ow = 0, groups = 0;
  if (!dim_is(w, 0, &o) || !dim_is(w, 1, &c) || !dim_is(w, 2, &kh) || !dim_is(w, 3, &kw) || kh != 3 || kw != 3)
    return false;
  if (!dim_is(out, out->rank - 2, &oh) || !dim_is(out, out->rank - 1, &ow)) return false;
  if (o < 1 || c < WINOGRAD_MIN_IN_CHANNELS || c > AOTI_WINOGRAD_MAX_IN_CHANNELS || oh < 1 || ow < 1) return false;
  if (!all_items(&n->args[3], 1) || !all_items(&n->args[5], 1)) return false; /* stride, dilation */
  if (n->args[4].kind == AOTI_ARG_STRING) { /* padding "same" or "valid": symmetric for 3x3 */
    if (strcmp(n->args[4].s, "same") != 0 && strcmp(n->args[4].s, "valid") != 0) return false;
  }
  if (convolution) {
    if (n->args[6].kind != AOTI_ARG_BOOL || n->args[6].b || !all_items(&n->args[7], 0)) return false;
  }
  if (!const_int(&n->args[convolution ? 8 : 6], &groups) || groups != 1) return false;
  return true;
}

/* A new constant holding U for weight `w`, named "<fqn>.winograd". */
static aoti_status add_transformed(aoti_graph *g, const aoti_node *n, const aoti_value *w, aoti_value **out) {
  int64_t o = 0, c = 0;
  dim_is(w, 0, &o);
  dim_is(w, 1, &c);
  const char *fqn = g->constants[w->index].fqn;
  const int64_t floats = aoti_winograd_weights_floats(o, c);
  float *u = malloc((size_t)floats * sizeof *u);
  aoti_value *v = NULL;
  if (u) {
    aoti_winograd_transform_weights(o, c, g->constants[w->index].data, u);
    const aoti_sx *dims[4] = {aoti_sx_const(g, (o + AOTI_WINOGRAD_PANEL - 1) / AOTI_WINOGRAD_PANEL),
                              aoti_sx_const(g, 36), w->dims[1], aoti_sx_const(g, AOTI_WINOGRAD_PANEL)};
    v = aoti_pass_add_folded_constant(g, fqn, strlen(fqn), ".winograd", AOTI_DTYPE_FLOAT32, 4, dims, u,
                                      (size_t)floats * sizeof *u);
  }
  free(u);
  if (!v) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory prepacking the weight of node '%s'", n->name);
  *out = v;
  return AOTI_OK;
}

aoti_status aoti_pass_prepack(aoti_graph *g) {
  /* Per value id: the transformed constant of a weight already transformed (values added by this
   * pass get ids past the original count and are never weights here). */
  const int32_t num_values = g->num_values;
  aoti_value **transformed = calloc((size_t)num_values + 1, sizeof *transformed);
  if (!transformed) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory in pass prepack");
  aoti_status st = AOTI_OK;
  for (int32_t i = 0; st == AOTI_OK && i < g->num_nodes; ++i) {
    aoti_node *n = g->nodes[i];
    if (!n->op || !winograd_eligible(n)) continue;
    const aoti_value *w = n->args[1].tensor;
    if (!transformed[w->id]) st = add_transformed(g, n, w, &transformed[w->id]);
    if (st != AOTI_OK) break;
    n->args[1] = aoti_arg_tensor(transformed[w->id]);
    n->variant = AOTI_CONV_VARIANT_WINOGRAD;
  }
  free(transformed);
  return st == AOTI_OK ? aoti_graph_verify(g) : st;
}
