/* passes.h — graph-to-graph rewrites between op binding and codegen.
 *
 * Each pass takes a bound graph (aoti_ops_bind) and leaves a bound, verified graph. They run in
 * the order aoti_passes_run lists; each is also callable alone for its tests.
 *
 *     aoti_passes_run(g, &stats);   // decompose, fold constants, drop dead nodes, plan memory
 */
#ifndef AOTI_PASSES_H
#define AOTI_PASSES_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Replaces in-place ops (relu_, add_, fill_, ...) by their functional ops, writing views back into
 * their base tensors with slice_scatter/select_scatter (passes/functionalize.c). Runs first. */
aoti_status aoti_pass_functionalize(aoti_graph *g);

/* Rewrites ops with no lowering of their own into ops that have one (e.g. linear -> t + addmm,
 * or whatever the table says), so codegen sees only lowered ops. */
aoti_status aoti_pass_decompose(aoti_graph *g);

/* Freezing: evaluates at compile time every node whose inputs are all constants and that a
 * compile-time evaluator exists for (layout ops such as t/permute/view/expand at least), turning
 * its outputs into AOTI_CONSTANT_FOLDED constants. Constants nobody uses any more are dropped. */
aoti_status aoti_pass_fold_constants(aoti_graph *g);

/* Freezing: folds each inference batch norm whose input is a convolution with constant weight
 * (and bias) used by nothing else into that convolution's weight and bias (new
 * AOTI_CONSTANT_FOLDED constants); the norm is removed (passes/fold_batchnorm.c). Runs after
 * decompose and before fold_constants, which drops the constants left unused. */
aoti_status aoti_pass_fold_batchnorm(aoti_graph *g);

/* The kernel variants of convolution nodes (aoti_node.variant; 0 is the default, conv.c). */
enum {
  AOTI_CONV_VARIANT_WINOGRAD = 1, /* winograd.c; the weight argument holds U = G w G^T */
  AOTI_CONV_VARIANT_A_PANELS = 2, /* conv.c's aoti_conv2d_panels; the weight is gemm.c's A panels */
};
/* The kernel variants of mm / addmm nodes (0: gemm.c's aoti_sgemm_ep). */
enum { AOTI_MM_VARIANT_B_PANELS = 1 }; /* aoti_sgemm_panels_ep; op(B) is gemm.c's B panels */

/* What the passes may assume of the target the model is built for. */
typedef struct aoti_pass_options {
  /* The target's GEMM tile, AOTI_GEMM_MR x AOTI_GEMM_NR of templates/kernels/gemm.c (aotic asks
   * the C compiler: aoti_codegen_gemm_tile_probe). 0: unknown, weights are not prepacked. */
  int32_t gemm_mr, gemm_nr;
} aoti_pass_options;

void aoti_pass_options_init(aoti_pass_options *options);

/* Switches each 3x3, stride-1, ungrouped float32 convolution with a constant weight and 3 to
 * AOTI_WINOGRAD_MAX_IN_CHANNELS input channels (measured: prepack.c) to
 * AOTI_CONV_VARIANT_WINOGRAD, its weight argument replaced by a new folded constant
 * "<weight fqn>.winograd" (passes/prepack.c). Runs after fold_batchnorm and before
 * fold_constants, which drops the weights left unused. */
aoti_status aoti_pass_prepack(aoti_graph *g);

/* U = G w G^T of F(4x4, 3x3) for w [out_channels][in_channels][3][3] into u [panels][36]
 * [in_channels][AOTI_WINOGRAD_PANEL], the output channels in panels of AOTI_WINOGRAD_PANEL
 * (zeros past the last): aoti_winograd_weights_floats(out_channels, in_channels) floats
 * (templates/kernels/winograd.c documents G and the layout, and defines the same panel width). */
enum {
  AOTI_WINOGRAD_PANEL = 32,             /* winograd.c's AOTI_WINOGRAD_PANEL */
  AOTI_WINOGRAD_MAX_IN_CHANNELS = 1024, /* winograd.c's AOTI_WINOGRAD_MAX_IN: more do not switch */
};
int64_t aoti_winograd_weights_floats(int64_t out_channels, int64_t in_channels);
void aoti_winograd_transform_weights(int64_t out_channels, int64_t in_channels, const float *w, float *u);

/* Packs constant GEMM operands for the tile in `options` (nothing when it is unknown): the weights
 * of mm/addmm (op(B), more than one column) become B panels and those of GEMM-path convolutions
 * A panels, new folded constants "<fqn>.panels"; the nodes switch to AOTI_MM_VARIANT_B_PANELS /
 * AOTI_CONV_VARIANT_A_PANELS (passes/prepack_gemm.c). Runs after fold_constants (a linear
 * layer's transposed weight is a constant then) and drops the constants left unused. */
aoti_status aoti_pass_prepack_gemm(aoti_graph *g, const aoti_pass_options *options);

/* gemm.c's panel layouts: `groups` matrices a (each m x k, row-major, one after another) as
 * ceil(m / mr) panels of k x mr each; b (k x n, row-major) as ceil(n / nr) panels of k x nr; zero
 * past the last row / column. */
void aoti_gemm_pack_a_panels(int32_t mr, int64_t groups, int64_t m, int64_t k, const float *a, float *dst);
void aoti_gemm_pack_b_panels(int32_t nr, int64_t k, int64_t n, const float *b, float *dst);

/* The activations a fused epilogue applies (aoti_node.epilogue_act); generated code names them
 * AOTI_ACT_* (templates/kernels/gemm.c, which gives the formulas). */
typedef enum aoti_activation {
  AOTI_ACTIVATION_NONE = 0,
  AOTI_ACTIVATION_RELU,
  AOTI_ACTIVATION_RELU6,
  AOTI_ACTIVATION_HARDSWISH,
  AOTI_ACTIVATION_SILU,
  AOTI_ACTIVATION_GELU,
  AOTI_ACTIVATION_GELU_TANH,
  AOTI_ACTIVATION_SIGMOID,
} aoti_activation;

/* Epilogue fusion: a residual add and an activation after a float32 convolution or matrix
 * product (mm, addmm) become part of that node (aoti_node.epilogue_residual / epilogue_act), which their last node
 * turns into (passes/fuse.c). Runs after alias_views. */
aoti_status aoti_pass_fuse_epilogues(aoti_graph *g);

/* Views that need no data movement (view/reshape/_unsafe_view/squeeze/unsqueeze/flatten of a
 * contiguous value) become aliases: planned by memory planning, not copied by codegen. */
aoti_status aoti_pass_alias_views(aoti_graph *g);

/* Assigns every intermediate value an offset in one arena, reusing space by lifetime. Offsets and
 * the arena size are expressions over the symbols (so one build serves every size in range). */
typedef struct aoti_memory_plan {
  int32_t num_values;           /* = graph num_values */
  const aoti_sx **offsets;      /* per value id: byte offset in the arena, or NULL if not planned */
  const aoti_sx *arena_bytes;   /* total bytes, a multiple of AOTI_ABI_ALIGNMENT */
} aoti_memory_plan;

/* Plans `g`; the plan lives in the graph's arena. Graph outputs and user inputs are not planned
 * (they live in caller buffers), aliases share their source's offset. */
aoti_status aoti_pass_plan_memory(aoti_graph *g, aoti_memory_plan *out_plan);

typedef struct aoti_pass_stats {
  int32_t nodes_before, nodes_after;
  int32_t constants_folded;
} aoti_pass_stats;

/* Runs the passes in order (functionalize, decompose, fold_batchnorm, prepack, fold_constants,
 * prepack_gemm, alias_views, fuse_epilogues, dead-node removal), verifying after each. `options`
 * (NULL: aoti_pass_options_init's) and `stats` may be NULL. (Memory planning is run by codegen.) */
aoti_status aoti_passes_run(aoti_graph *g, const aoti_pass_options *options, aoti_pass_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_PASSES_H */
