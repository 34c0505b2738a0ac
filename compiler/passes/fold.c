/* fold.c — freezing: layout ops (views and copies such as t, permute, expand) whose tensor inputs
 * are all constants run at compile time; their results become AOTI_CONSTANT_FOLDED constants named
 * "<input fqn>.<op>", so e.g. linear's transposed weight is stored transposed and the GEMM reads
 * it contiguously. Constants no node and no output uses any more are dropped afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

static bool all_dims_const(const aoti_value *v, int64_t *out_sizes) {
  for (int32_t d = 0; d < v->rank; ++d)
    if (!aoti_sx_is_const(v->dims[d], &out_sizes[d])) return false;
  return true;
}

static bool foldable(const aoti_node *n) {
  if (!n->op || n->num_outputs != 1) return false;
  if (n->op->lowering != AOTI_LOWER_VIEW && n->op->lowering != AOTI_LOWER_COPY) return false;
  bool has_tensor = false;
  for (int32_t i = 0; i < n->num_args; ++i) {
    if (n->args[i].kind == AOTI_ARG_TENSORS) return false;
    if (n->args[i].kind != AOTI_ARG_TENSOR) continue;
    if (n->args[i].tensor->kind != AOTI_VALUE_CONSTANT) return false;
    has_tensor = true;
  }
  int64_t sizes[AOTI_MAX_RANK];
  return has_tensor && all_dims_const(n->outputs[0], sizes) &&
         aoti_dtype_size(n->outputs[0]->dtype) > 0;
}

/* dst[j] = src[j * stride] for j < n, elements of `elem` bytes: one loop per element size, so
 * that big weights (a linear layer's transpose) cost a load and a store per element. */
static void strided_row(size_t elem, int64_t n, const unsigned char *src, int64_t stride, unsigned char *dst) {
#define AOTI_STRIDED_ROW(T)                                                          \
  for (int64_t j = 0; j < n; ++j) memcpy(dst + j * (int64_t)sizeof(T), src + j * stride * (int64_t)sizeof(T), sizeof(T))
  switch (elem) {
    case 1: AOTI_STRIDED_ROW(uint8_t); break;
    case 2: AOTI_STRIDED_ROW(uint16_t); break;
    case 4: AOTI_STRIDED_ROW(uint32_t); break;
    case 8: AOTI_STRIDED_ROW(uint64_t); break;
    default:
      for (int64_t j = 0; j < n; ++j) memcpy(dst + (size_t)j * elem, src + (size_t)(j * stride) * elem, elem);
  }
#undef AOTI_STRIDED_ROW
}

/* Copies the elements of a strided view of `src` (element size `elem`) into contiguous `dst`, row
 * by row of the innermost dimension. */
static void strided_copy_bytes(int32_t rank, const int64_t *sizes, const int64_t *strides,
                               size_t elem, const unsigned char *src, unsigned char *dst) {
  if (rank == 0) {
    memcpy(dst, src, elem);
    return;
  }
  int64_t rows = 1;
  for (int32_t d = 0; d + 1 < rank; ++d) rows *= sizes[d];
  const int64_t inner = sizes[rank - 1];
  int64_t index[AOTI_MAX_RANK] = {0};
  for (int64_t r = 0; r < rows; ++r) {
    int64_t offset = 0;
    for (int32_t d = 0; d + 1 < rank; ++d) offset += index[d] * strides[d];
    strided_row(elem, inner, src + (size_t)offset * elem, strides[rank - 1], dst + (size_t)(r * inner) * elem);
    for (int32_t d = rank - 2; d >= 0 && ++index[d] == sizes[d]; --d) index[d] = 0;
  }
}

/* The folded bytes of `n`'s output into `dst` (sized for it). */
static aoti_status evaluate(aoti_graph *g, const aoti_node *n, const aoti_constant *in,
                            unsigned char *dst, size_t nbytes) {
  if (n->op->lowering == AOTI_LOWER_VIEW) {
    if (in->nbytes != nbytes)
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s': view of '%s' changes its size (%zu to "
                            "%zu bytes)", n->name, in->fqn, in->nbytes, nbytes);
    memcpy(dst, in->data, nbytes);
    return AOTI_OK;
  }
  const aoti_value *out = n->outputs[0];
  const aoti_sx *stride_exprs[AOTI_MAX_RANK];
  aoti_status st = aoti_pass_copy_strides(g, n, stride_exprs);
  if (st != AOTI_OK) return st;
  int64_t sizes[AOTI_MAX_RANK], strides[AOTI_MAX_RANK];
  all_dims_const(out, sizes);
  for (int32_t d = 0; d < out->rank; ++d)
    if (!aoti_sx_is_const(stride_exprs[d], &strides[d]))
      return aoti_error_set(AOTI_ERROR_INTERNAL, "node '%s': symbolic stride over constant '%s'",
                            n->name, in->fqn);
  strided_copy_bytes(out->rank, sizes, strides, aoti_dtype_size(out->dtype), in->data, dst);
  return AOTI_OK;
}

static aoti_status fold_node(aoti_graph *g, aoti_node *n) {
  aoti_value *out = n->outputs[0];
  /* A copy: adding the folded constant below may move the constant array. */
  const aoti_constant in_copy = g->constants[aoti_pass_first_tensor(n)->index], *in = &in_copy;
  int64_t sizes[AOTI_MAX_RANK];
  all_dims_const(out, sizes);
  size_t nbytes = aoti_dtype_size(out->dtype);
  for (int32_t d = 0; d < out->rank; ++d) nbytes *= (size_t)sizes[d];
  unsigned char *data = malloc(nbytes ? nbytes : 1);
  if (!data) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory folding node '%s'", n->name);
  aoti_status st = evaluate(g, n, in, data, nbytes);
  if (st == AOTI_OK) {
    char suffix[64]; /* ".<op name>" (op names are short schema names) */
    snprintf(suffix, sizeof suffix, ".%s", aoti_pass_op_name(n));
    aoti_value *v = aoti_pass_add_folded_constant(g, in->fqn, strlen(in->fqn), suffix, out->dtype, out->rank,
                                                  out->dims, data, nbytes);
    if (!v)
      st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory folding node '%s'", n->name);
    else
      aoti_graph_replace_uses(g, out, v);
  }
  free(data);
  return st;
}

static void mark_used_tensors(const aoti_arg *a, bool *used) {
  if (a->kind == AOTI_ARG_TENSOR && a->tensor) used[a->tensor->id] = true;
  if (a->kind == AOTI_ARG_TENSORS)
    for (int32_t k = 0; k < a->count; ++k) mark_used_tensors(&a->list[k], used);
}

aoti_status aoti_pass_drop_unused_constants(aoti_graph *g) {
  bool *used = calloc((size_t)g->num_values + 1, sizeof *used);
  if (!used) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory dropping constants");
  for (int32_t i = 0; i < g->num_nodes; ++i)
    for (int32_t k = 0; k < g->nodes[i]->num_args; ++k) mark_used_tensors(&g->nodes[i]->args[k], used);
  for (int32_t i = 0; i < g->num_outputs; ++i) used[g->outputs[i].value->id] = true;
  for (int32_t i = 0; i < g->num_mutations; ++i) used[g->mutations[i].value->id] = true;
  int32_t kept = 0;
  for (int32_t i = 0; i < g->num_constants; ++i) {
    aoti_constant c = g->constants[i];
    if (!used[c.value->id]) {
      c.value->id = -1; /* marks the value for removal below */
      continue;
    }
    c.value->index = kept;
    g->constants[kept++] = c;
  }
  g->num_constants = kept;
  kept = 0;
  for (int32_t i = 0; i < g->num_values; ++i) {
    if (g->values[i]->id < 0) continue;
    g->values[i]->id = kept;
    g->values[kept++] = g->values[i];
  }
  g->num_values = kept;
  free(used);
  return AOTI_OK;
}

aoti_status aoti_pass_fold_constants(aoti_graph *g) {
  bool folded = false;
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    if (!foldable(g->nodes[i])) continue;
    aoti_status st = fold_node(g, g->nodes[i]);
    if (st != AOTI_OK) return st;
    folded = true;
  }
  if (folded) aoti_graph_remove_dead_nodes(g);
  aoti_status st = aoti_pass_drop_unused_constants(g);
  return st == AOTI_OK ? aoti_graph_verify(g) : st;
}
