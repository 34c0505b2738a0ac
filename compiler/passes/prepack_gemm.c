/* prepack_gemm.c — constant GEMM operands packed at compile time into the panel layouts of
 * templates/kernels/gemm.c for the target's tile (aoti_pass_prepack_gemm, passes.h), so that no
 * weight is repacked at run time.
 *
 * - mm / addmm with a constant float32 op(B) (a linear layer's weight once fold_constants has
 *   folded its transpose) and more than one column: B becomes B panels, a new folded constant
 *   "<fqn>.panels" of dims [ceil(N / NR), K, NR]; variant AOTI_MM_VARIANT_B_PANELS.
 * - convolutions on the GEMM path (not Winograd, not depthwise) with a constant float32 weight:
 *   per group, the [O / groups][C / groups * kernel] weight matrix becomes A panels, groups one
 *   after another, a new folded constant "<fqn>.panels" of dims [groups * ceil(O / groups / MR),
 *   C / groups, kernel..., MR] (the weight's own kernel dims kept, which codegen reads);
 *   variant AOTI_CONV_VARIANT_A_PANELS.
 * A constant shared by several nodes is packed once; originals left unused are dropped.
 * Panels zero-pad the last rows/columns (at most MR - 1 rows or NR - 1 columns per matrix). */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

void aoti_gemm_pack_a_panels(int32_t mr, int64_t groups, int64_t m, int64_t k, const float *a, float *dst) {
  for (int64_t g = 0; g < groups; ++g, a += m * k)
    for (int64_t i0 = 0; i0 < m; i0 += mr, dst += k * mr)
      for (int64_t p = 0; p < k; ++p)
        for (int32_t r = 0; r < mr; ++r) dst[p * mr + r] = i0 + r < m ? a[(i0 + r) * k + p] : 0.0f;
}

void aoti_gemm_pack_b_panels(int32_t nr, int64_t k, int64_t n, const float *b, float *dst) {
  for (int64_t j0 = 0; j0 < n; j0 += nr, dst += k * nr)
    for (int64_t p = 0; p < k; ++p)
      for (int32_t c = 0; c < nr; ++c) dst[p * nr + c] = j0 + c < n ? b[p * n + j0 + c] : 0.0f;
}

static int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

/* The constant float32 value with constant dims that argument `a` holds, or NULL. */
static const aoti_value *constant_arg(const aoti_arg *a) {
  if (a->kind != AOTI_ARG_TENSOR || !a->tensor) return NULL;
  const aoti_value *v = a->tensor;
  if (v->kind != AOTI_VALUE_CONSTANT || v->dtype != AOTI_DTYPE_FLOAT32) return NULL;
  for (int32_t d = 0; d < v->rank; ++d)
    if (!aoti_sx_is_const(v->dims[d], NULL)) return NULL;
  return v;
}

static int64_t dim_of(const aoti_value *v, int32_t d) {
  int64_t x = 0;
  aoti_sx_is_const(v->dims[d], &x);
  return x;
}

/* What a node's packed operand is. */
typedef struct packing {
  int32_t arg;       /* the argument index of the operand */
  int32_t variant;   /* the node's variant once packed */
  bool a_side;       /* A panels (convolution weights) rather than B panels */
  int64_t groups;    /* A: matrices one after another */
} packing;

/* Whether mm/addmm node `n` gets B panels. */
static bool mm_packing(const aoti_node *n, packing *out) {
  const char *op = aoti_pass_op_name(n);
  const bool addmm = strcmp(op, "addmm") == 0;
  if ((!addmm && strcmp(op, "mm") != 0) || n->variant != 0) return false;
  const int32_t b_arg = addmm ? 2 : 1;
  const aoti_value *a = aoti_node_tensor_arg(n, b_arg - 1), *b = constant_arg(&n->args[b_arg]);
  if (!a || !b || a->dtype != AOTI_DTYPE_FLOAT32 || b->rank != 2 || n->outputs[0]->dtype != AOTI_DTYPE_FLOAT32 ||
      dim_of(b, 1) < 2) /* one column is a matrix-vector product: nothing to pack */
    return false;
  *out = (packing){b_arg, AOTI_MM_VARIANT_B_PANELS, false, 1};
  return true;
}

/* Whether convolution node `n` gets A panels: the GEMM path of conv.c (depthwise convolutions and
 * Winograd's have their own kernels), not transposed. */
static bool conv_packing(const aoti_node *n, packing *out) {
  if (!aoti_pass_is_conv(n) || n->variant != 0) return false;
  const bool convolution = strcmp(aoti_pass_op_name(n), "convolution") == 0;
  const aoti_value *x = aoti_node_tensor_arg(n, 0), *w = constant_arg(&n->args[1]);
  if (!x || !w || x->dtype != AOTI_DTYPE_FLOAT32 || (w->rank != 3 && w->rank != 4)) return false;
  if (convolution && (n->args[6].kind != AOTI_ARG_BOOL || n->args[6].b)) return false;
  int64_t groups = 0;
  if (!aoti_arg_get_int(&n->args[convolution ? 8 : 6], &groups) || groups < 1 || dim_of(w, 0) % groups != 0)
    return false;
  if (dim_of(w, 1) == 1 && groups > 1) return false; /* depthwise: conv.c's direct kernel */
  *out = (packing){1, AOTI_CONV_VARIANT_A_PANELS, true, groups};
  return true;
}

/* The packed copy of `v` as a new folded constant "<fqn>.panels". */
static aoti_status add_panels(aoti_graph *g, const aoti_node *n, const aoti_value *v, const packing *k,
                              const aoti_pass_options *o, aoti_value **out) {
  const aoti_constant *c = &g->constants[v->index];
  const aoti_sx *dims[AOTI_MAX_RANK + 1];
  int32_t rank = 0;
  /* A: `groups` matrices of rows x depth, rows padded to MR; B: K x N, N padded to NR */
  const int64_t rows = k->a_side ? dim_of(v, 0) / k->groups : dim_of(v, 0);
  const int64_t depth = k->a_side ? (int64_t)(c->nbytes / sizeof(float)) / dim_of(v, 0) : dim_of(v, 1);
  const int64_t padded = round_up(k->a_side ? rows : depth, k->a_side ? o->gemm_mr : o->gemm_nr);
  const int64_t count = k->a_side ? k->groups * padded * depth : rows * padded;
  if (k->a_side) { /* [groups * ceil(rows / MR), C / groups, kernel..., MR] */
    dims[rank++] = aoti_sx_const(g, k->groups * padded / o->gemm_mr);
    for (int32_t d = 1; d < v->rank; ++d) dims[rank++] = v->dims[d];
    dims[rank++] = aoti_sx_const(g, o->gemm_mr);
  } else { /* [ceil(N / NR), K, NR] */
    dims[rank++] = aoti_sx_const(g, padded / o->gemm_nr);
    dims[rank++] = v->dims[0];
    dims[rank++] = aoti_sx_const(g, o->gemm_nr);
  }
  float *packed = malloc((size_t)count * sizeof *packed);
  aoti_value *pv = NULL;
  if (packed) {
    if (k->a_side)
      aoti_gemm_pack_a_panels(o->gemm_mr, k->groups, rows, depth, c->data, packed);
    else
      aoti_gemm_pack_b_panels(o->gemm_nr, rows, depth, c->data, packed);
    pv = aoti_pass_add_folded_constant(g, c->fqn, strlen(c->fqn), ".panels", AOTI_DTYPE_FLOAT32, rank, dims, packed,
                                       (size_t)count * sizeof *packed);
  }
  free(packed);
  if (!pv) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory packing the weight of node '%s'", n->name);
  *out = pv;
  return AOTI_OK;
}

aoti_status aoti_pass_prepack_gemm(aoti_graph *g, const aoti_pass_options *options) {
  if (!options || options->gemm_mr < 1 || options->gemm_nr < 1) return AOTI_OK;
  /* Per value id: the packed constant of an operand already packed, A side and B side apart (a
   * matrix could be both). */
  const int32_t num_values = g->num_values;
  aoti_value **packed = calloc(2 * ((size_t)num_values + 1), sizeof *packed);
  if (!packed) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory in pass prepack_gemm");
  aoti_status st = AOTI_OK;
  for (int32_t i = 0; st == AOTI_OK && i < g->num_nodes; ++i) {
    aoti_node *n = g->nodes[i];
    packing k;
    if (!n->op || !(mm_packing(n, &k) || conv_packing(n, &k))) continue;
    const aoti_value *v = n->args[k.arg].tensor;
    aoti_value **slot = &packed[2 * v->id + (k.a_side ? 1 : 0)];
    if (!*slot) st = add_panels(g, n, v, &k, options, slot);
    if (st != AOTI_OK) break;
    n->args[k.arg] = aoti_arg_tensor(*slot);
    n->variant = k.variant;
  }
  free(packed);
  if (st == AOTI_OK) st = aoti_pass_drop_unused_constants(g);
  return st == AOTI_OK ? aoti_graph_verify(g) : st;
}
