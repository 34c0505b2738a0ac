/* emit_shape.c — the C code of AOTI_LOWER_SHAPE nodes (rows in ops/ops_shape.c): as_strided
 * copies (what slices, selects and splits decompose into), cat, the scatters, copy, index_select,
 * embedding, gather, advanced indexing, constant padding, roll, flip and repeat. Every input is
 * contiguous here; elements move as raw bytes, so every dtype works. Kernels: templates/kernels/
 * shape.c (and copy.c through cg_put_copy). */
#include <stdio.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "ops/ops_shape.h"
#include "passes/pass_util.h"

static aoti_status unsupported(const aoti_node *n, const char *what) {
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): %s", n->name, n->target, what);
}

static const char *ptr(cg_ctx *c, const aoti_value *v) { return c->value_c[v->id]; }

static const aoti_sx *sx_arg(cg_ctx *c, const aoti_arg *a) {
  if (a->kind == AOTI_ARG_SYMINT) return a->sx;
  if (a->kind == AOTI_ARG_INT) return aoti_sx_const(c->g, a->i);
  return NULL;
}

static bool dim_arg(const aoti_node *n, int i, int32_t rank, int32_t *out_dim) {
  int64_t dim = 0;
  return aoti_arg_get_int(&n->args[i], &dim) && aoti_shape_wrap_dim(dim, rank, out_dim);
}

/* `    aoti_copy_strided(elem, rank, sizes, src + src_offset, src_strides, dst + dst_offset,
 * dst_strides);` with the arrays declared in a block of their own. */
static void put_strided(cg_ctx *c, size_t elem, int32_t rank, const aoti_sx *const *sizes, const char *src,
                        const aoti_sx *src_offset, const aoti_sx *const *src_strides, const char *dst,
                        const aoti_sx *dst_offset, const aoti_sx *const *dst_strides) {
  c->uses[CG_KERNEL_SHAPE] = true;
  aoti_strbuf_puts(&c->run, "    {\n");
  cg_put_int_array(c, "sizes", rank > 0 ? rank : 1, rank > 0 ? sizes : &src_offset);
  cg_put_int_array(c, "src_strides", rank > 0 ? rank : 1, rank > 0 ? src_strides : &src_offset);
  cg_put_int_array(c, "dst_strides", rank > 0 ? rank : 1, rank > 0 ? dst_strides : &src_offset);
  aoti_strbuf_appendf(&c->run, "    aoti_copy_strided(%zu, %d, sizes, %s + (%s), src_strides, %s + (%s), dst_strides);\n",
                      elem, rank, src, cg_sx(c, src_offset), dst, cg_sx(c, dst_offset));
  aoti_strbuf_puts(&c->run, "    }\n");
}

/* out = self, element for element. */
static void put_copy_whole(cg_ctx *c, const aoti_value *out, const aoti_value *self) {
  const aoti_sx *bytes = aoti_sx_mul(c->g, aoti_value_numel(c->g, self),
                                     aoti_sx_const(c->g, (int64_t)aoti_dtype_size(self->dtype)));
  aoti_strbuf_appendf(&c->run, "    memcpy(%s, %s, (size_t)(%s));\n", ptr(c, out), ptr(c, self), cg_sx(c, bytes));
}

/* A literal of `dtype` with the value of Scalar argument `a`. */
static void put_scalar(cg_ctx *c, aoti_dtype dtype, const aoti_arg *a) {
  double x = 0.0;
  aoti_pass_arg_number(a, &x);
  if (dtype == AOTI_DTYPE_FLOAT32 || dtype == AOTI_DTYPE_FLOAT64)
    cg_put_float(&c->run, x);
  else if (dtype == AOTI_DTYPE_BOOL)
    aoti_strbuf_puts(&c->run, x != 0.0 ? "1" : "0");
  else
    aoti_strbuf_appendf(&c->run, "(%s)%lld", cg_ctype(dtype), (long long)x);
}

//===----------------------------------------------------------------------===//
// Strided copies: as_strided, flip, repeat
//===----------------------------------------------------------------------===//

static aoti_status emit_as_strided(cg_ctx *c, const aoti_node *n) {
  const aoti_value *self = n->args[0].tensor, *out = n->outputs[0];
  const aoti_sx *strides[AOTI_MAX_RANK];
  for (int32_t d = 0; d < out->rank; ++d) strides[d] = n->args[2].list[d].sx;
  const aoti_sx *offset = n->args[3].kind == AOTI_ARG_NONE ? NULL : sx_arg(c, &n->args[3]);
  cg_open_node(c, n);
  cg_put_copy(c, out, ptr(c, self), offset, strides);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

/* flip: negative strides from the last element of each flipped dim. */
static aoti_status emit_flip(cg_ctx *c, const aoti_node *n) {
  const aoti_value *self = n->args[0].tensor, *out = n->outputs[0];
  bool flipped[AOTI_MAX_RANK];
  if (!aoti_shape_reduced_dims(&n->args[1], self->rank, flipped)) return unsupported(n, "flip dims out of range");
  if (n->args[1].count == 0) memset(flipped, 0, sizeof flipped); /* flip([]) flips nothing */
  const aoti_sx *strides[AOTI_MAX_RANK], *offset = aoti_sx_const(c->g, 0);
  aoti_pass_contiguous_strides(c->g, self, strides);
  for (int32_t d = 0; d < self->rank; ++d) {
    if (!flipped[d]) continue;
    offset = aoti_sx_add(c->g, offset, aoti_sx_mul(c->g, aoti_sx_sub(c->g, self->dims[d], aoti_sx_const(c->g, 1)),
                                                   strides[d]));
    strides[d] = aoti_sx_mul(c->g, strides[d], aoti_sx_const(c->g, -1));
  }
  cg_open_node(c, n);
  cg_put_copy(c, out, ptr(c, self), offset, strides);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

static bool is_const(const aoti_sx *e, int64_t value) {
  int64_t v = 0;
  return aoti_sx_is_const(e, &v) && v == value;
}

/* repeat: the output as [r0, d0, r1, d1, ...] read with strides [0, s0, 0, s1, ...] (pairs with a
 * constant 1 left out). */
static aoti_status emit_repeat(cg_ctx *c, const aoti_node *n) {
  const aoti_value *self = n->args[0].tensor, *out = n->outputs[0];
  const aoti_arg *repeats = &n->args[1];
  const int32_t lead = repeats->count - self->rank;
  const aoti_sx *in_strides[AOTI_MAX_RANK], *sizes[2 * AOTI_MAX_RANK], *src[2 * AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(c->g, self, in_strides);
  int32_t rank = 0;
  for (int32_t d = 0; d < repeats->count; ++d) {
    const aoti_sx *r = repeats->list[d].sx;
    if (!is_const(r, 1)) sizes[rank] = r, src[rank++] = aoti_sx_const(c->g, 0);
    if (d >= lead && !is_const(self->dims[d - lead], 1)) sizes[rank] = self->dims[d - lead], src[rank++] = in_strides[d - lead];
  }
  if (rank > AOTI_MAX_RANK) return unsupported(n, "repeat needs more than 8 loop dims");
  const aoti_sx *dst[2 * AOTI_MAX_RANK], *stride = aoti_sx_const(c->g, 1);
  for (int32_t d = rank - 1; d >= 0; --d) dst[d] = stride, stride = aoti_sx_mul(c->g, stride, sizes[d]);
  const aoti_sx *zero = aoti_sx_const(c->g, 0);
  cg_open_node(c, n);
  put_strided(c, aoti_dtype_size(out->dtype), rank, sizes, ptr(c, self), zero, src, ptr(c, out), zero, dst);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// cat, the scatters, copy
//===----------------------------------------------------------------------===//

/* cat: each input copied into its place along dim. */
static aoti_status emit_cat(cg_ctx *c, const aoti_node *n) {
  const aoti_value *out = n->outputs[0];
  const aoti_arg *list = &n->args[0];
  int32_t dim = 0;
  if (!dim_arg(n, 1, out->rank, &dim)) return unsupported(n, "cat dim out of range");
  const aoti_sx *out_strides[AOTI_MAX_RANK], *offset = aoti_sx_const(c->g, 0);
  aoti_pass_contiguous_strides(c->g, out, out_strides);
  cg_open_node(c, n);
  for (int32_t i = 0; i < list->count; ++i) {
    const aoti_value *t = list->list[i].tensor;
    if (t->rank != out->rank) continue; /* a skipped 1-D empty tensor */
    const aoti_sx *strides[AOTI_MAX_RANK];
    aoti_pass_contiguous_strides(c->g, t, strides);
    put_strided(c, aoti_dtype_size(out->dtype), t->rank, t->dims, ptr(c, t), aoti_sx_const(c->g, 0), strides,
                ptr(c, out), aoti_sx_mul(c->g, offset, out_strides[dim]), out_strides);
    offset = aoti_sx_add(c->g, offset, t->dims[dim]);
  }
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

/* slice_scatter(self, src, dim, start, end, step) / select_scatter(self, src, dim, index): self,
 * with src written over the slice / the selected index. */
static aoti_status emit_scatter(cg_ctx *c, const aoti_node *n, bool select) {
  const aoti_value *self = n->args[0].tensor, *src = n->args[1].tensor, *out = n->outputs[0];
  int32_t dim = 0;
  if (src->dtype != self->dtype) return unsupported(n, "src and self must have the same dtype");
  if (!dim_arg(n, 2, self->rank, &dim)) return unsupported(n, "dim out of range");
  const aoti_sx *strides[AOTI_MAX_RANK], *start = NULL, *length = NULL, *step = aoti_sx_const(c->g, 1);
  aoti_pass_contiguous_strides(c->g, out, strides);
  if (select) {
    start = sx_arg(c, &n->args[3]);
    int64_t lo = 0, hi = 0;
    aoti_sx_bounds(c->g, start, &lo, &hi);
    if (lo < 0 && hi >= 0) return unsupported(n, "an index whose sign depends on the input sizes");
    if (hi < 0) start = aoti_sx_add(c->g, self->dims[dim], start);
  } else {
    step = sx_arg(c, &n->args[5]);
    if (!aoti_shape_slice_range(c->g, self->dims[dim], sx_arg(c, &n->args[3]), sx_arg(c, &n->args[4]), step, &start,
                                &length))
      return unsupported(n, "slice bounds whose sign depends on the input sizes, or a step that is not a positive "
                            "constant");
  }
  const aoti_sx *offset = aoti_sx_mul(c->g, start, strides[dim]);
  const aoti_sx *dst[AOTI_MAX_RANK];
  int32_t rank = 0;
  for (int32_t d = 0; d < self->rank; ++d) {
    if (d == dim && select) continue;
    dst[rank++] = d == dim ? aoti_sx_mul(c->g, strides[d], step) : strides[d];
  }
  if (rank != src->rank) return unsupported(n, "src has the wrong rank");
  const aoti_sx *src_strides[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(c->g, src, src_strides);
  cg_open_node(c, n);
  put_copy_whole(c, out, self);
  put_strided(c, aoti_dtype_size(out->dtype), src->rank, src->dims, ptr(c, src), aoti_sx_const(c->g, 0), src_strides,
              ptr(c, out), offset, dst);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

/* copy(self, src): src broadcast to self's shape. */
static aoti_status emit_copy_op(cg_ctx *c, const aoti_node *n) {
  const aoti_value *src = n->args[1].tensor, *out = n->outputs[0];
  if (src->dtype != out->dtype) return unsupported(n, "copy between dtypes is not supported");
  const aoti_sx *strides[AOTI_MAX_RANK];
  aoti_pass_broadcast_strides(c->g, src, out->rank, out->dims, strides);
  cg_open_node(c, n);
  cg_put_copy(c, out, ptr(c, src), NULL, strides);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Indexing: index_select, embedding, gather, index
//===----------------------------------------------------------------------===//

static aoti_status check_index(const aoti_node *n, const aoti_value *index) {
  if (index->dtype == AOTI_DTYPE_INT64) return AOTI_OK;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): index tensor '%s' is %s; only int64 is lowered",
                        n->name, n->target, index->name, aoti_dtype_name(index->dtype));
}

static const aoti_sx *product(cg_ctx *c, const aoti_value *v, int32_t from, int32_t to) {
  const aoti_sx *p = aoti_sx_const(c->g, 1);
  for (int32_t d = from; d < to; ++d) p = aoti_sx_mul(c->g, p, v->dims[d]);
  return p;
}

static void put_index_rows(cg_ctx *c, const aoti_node *n, const aoti_value *self, int32_t dim,
                           const aoti_value *index) {
  c->uses[CG_KERNEL_SHAPE] = true;
  const aoti_value *out = n->outputs[0];
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    aoti_index_rows(%zu, %s, ", aoti_dtype_size(out->dtype),
                      cg_sx(c, product(c, self, 0, dim)));
  aoti_strbuf_appendf(&c->run, "%s, %s, ", cg_sx(c, aoti_value_numel(c->g, index)), ptr(c, index));
  aoti_strbuf_appendf(&c->run, "%s, ", cg_sx(c, self->rank ? self->dims[dim] : aoti_sx_const(c->g, 1)));
  aoti_strbuf_appendf(&c->run, "%s, %s, %s);\n  }\n", cg_sx(c, product(c, self, dim + 1, self->rank)), ptr(c, self),
                      ptr(c, out));
}

static aoti_status emit_index_select(cg_ctx *c, const aoti_node *n) {
  const aoti_value *self = n->args[0].tensor, *index = n->args[2].tensor;
  int32_t dim = 0;
  if (!dim_arg(n, 1, self->rank, &dim)) return unsupported(n, "dim out of range");
  aoti_status st = check_index(n, index);
  if (st == AOTI_OK) put_index_rows(c, n, self, dim, index);
  return st;
}

/* embedding(weight, indices): rows of weight; padding_idx only matters for gradients. */
static aoti_status emit_embedding(cg_ctx *c, const aoti_node *n) {
  const aoti_value *weight = n->args[0].tensor, *indices = n->args[1].tensor;
  aoti_status st = check_index(n, indices);
  if (st == AOTI_OK) put_index_rows(c, n, weight, 0, indices);
  return st;
}

static aoti_status emit_gather(cg_ctx *c, const aoti_node *n) {
  const aoti_value *self = n->args[0].tensor, *index = n->args[2].tensor, *out = n->outputs[0];
  int32_t dim = 0;
  if (!dim_arg(n, 1, self->rank, &dim) || self->rank == 0) return unsupported(n, "gather of a 0-d tensor");
  aoti_status st = check_index(n, index);
  if (st != AOTI_OK) return st;
  const aoti_sx *strides[AOTI_MAX_RANK];
  aoti_pass_contiguous_strides(c->g, self, strides);
  c->uses[CG_KERNEL_SHAPE] = true;
  cg_open_node(c, n);
  cg_put_int_array(c, "sizes", index->rank, index->dims);
  cg_put_int_array(c, "strides", self->rank, strides);
  aoti_strbuf_appendf(&c->run, "    aoti_gather(%zu, %d, sizes, %d, %s, %s, %s, strides, %s);\n  }\n",
                      aoti_dtype_size(out->dtype), index->rank, dim, ptr(c, index), cg_sx(c, self->dims[dim]),
                      ptr(c, self), ptr(c, out));
  return AOTI_OK;
}

/* index.Tensor: per output dim, the source stride it walks (0 for the broadcast index dims, which
 * are placed as ops_shape.c's shape_index places them), and per index tensor its broadcast
 * strides over the output dims. */
static aoti_status emit_index(cg_ctx *c, const aoti_node *n) {
  aoti_graph *g = c->g;
  const aoti_value *self = n->args[0].tensor, *out = n->outputs[0];
  const aoti_arg *indices = &n->args[1];
  int32_t first = -1, last = -1, num_idx = 0, b_rank = 0;
  const aoti_value *idx[AOTI_MAX_RANK];
  int32_t idx_dim[AOTI_MAX_RANK];
  for (int32_t i = 0; i < indices->count; ++i) {
    if (indices->list[i].kind != AOTI_ARG_TENSOR) continue;
    const aoti_value *t = indices->list[i].tensor;
    aoti_status st = check_index(n, t);
    if (st != AOTI_OK) return st;
    if (first < 0) first = i;
    last = i;
    idx[num_idx] = t;
    idx_dim[num_idx++] = i;
    if (t->rank > b_rank) b_rank = t->rank;
  }
  bool adjacent = true;
  for (int32_t i = first; i <= last; ++i) adjacent = adjacent && indices->list[i].kind == AOTI_ARG_TENSOR;
  const int32_t at = adjacent ? first : 0;
  const aoti_sx *in_strides[AOTI_MAX_RANK], *strides[AOTI_MAX_RANK], *zero = aoti_sx_const(g, 0);
  aoti_pass_contiguous_strides(g, self, in_strides);
  int32_t rank = 0, b_at = 0;
  for (int32_t d = 0; d < self->rank; ++d) {
    if (d == at) {
      b_at = rank;
      for (int32_t k = 0; k < b_rank; ++k) strides[rank++] = zero;
    }
    if (!(d < indices->count && indices->list[d].kind == AOTI_ARG_TENSOR)) strides[rank++] = in_strides[d];
  }
  if (rank != out->rank) return unsupported(n, "index result rank differs from the declared one");
  const aoti_sx *idx_strides[AOTI_MAX_RANK * 8], *sizes[AOTI_MAX_RANK], *steps[AOTI_MAX_RANK];
  for (int32_t t = 0; t < num_idx; ++t) {
    const aoti_sx *b[AOTI_MAX_RANK];
    aoti_pass_broadcast_strides(g, idx[t], b_rank, &out->dims[b_at], b);
    for (int32_t k = 0; k < 8; ++k)
      idx_strides[t * 8 + k] = k >= b_at && k < b_at + b_rank ? b[k - b_at] : zero;
    sizes[t] = self->dims[idx_dim[t]];
    steps[t] = in_strides[idx_dim[t]];
  }
  c->uses[CG_KERNEL_SHAPE] = true;
  cg_open_node(c, n);
  cg_put_int_array(c, "sizes", out->rank ? out->rank : 1, out->rank ? out->dims : &zero);
  cg_put_int_array(c, "strides", out->rank ? out->rank : 1, out->rank ? strides : &zero);
  cg_put_int_array(c, "idx_strides", num_idx * 8, idx_strides);
  cg_put_int_array(c, "idx_size", num_idx, sizes);
  cg_put_int_array(c, "idx_step", num_idx, steps);
  aoti_strbuf_appendf(&c->run, "    const int64_t *const idx[%d] = {", num_idx);
  for (int32_t t = 0; t < num_idx; ++t) aoti_strbuf_appendf(&c->run, "%s%s", t ? ", " : "", ptr(c, idx[t]));
  aoti_strbuf_appendf(&c->run, "};\n    aoti_index(%zu, %d, sizes, %s, strides, %d, idx, idx_strides, idx_size, "
                      "idx_step, %s);\n  }\n", aoti_dtype_size(out->dtype), out->rank, ptr(c, self), num_idx,
                      ptr(c, out));
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// constant_pad_nd, roll
//===----------------------------------------------------------------------===//

/* constant_pad_nd(self, pad, value): out filled with value, then the part of self that survives
 * (negative pads crop) copied to its place. */
static aoti_status emit_constant_pad(cg_ctx *c, const aoti_node *n) {
  aoti_graph *g = c->g;
  const aoti_value *self = n->args[0].tensor, *out = n->outputs[0];
  const aoti_arg *pad = &n->args[1];
  const aoti_sx *zero = aoti_sx_const(g, 0), *in_strides[AOTI_MAX_RANK], *out_strides[AOTI_MAX_RANK];
  const aoti_sx *sizes[AOTI_MAX_RANK], *src_offset = zero, *dst_offset = zero;
  aoti_pass_contiguous_strides(g, self, in_strides);
  aoti_pass_contiguous_strides(g, out, out_strides);
  for (int32_t d = 0; d < self->rank; ++d) {
    const int32_t i = self->rank - 1 - d; /* pad pair index of dim d */
    const aoti_sx *lo = 2 * i < pad->count ? pad->list[2 * i].sx : zero;
    const aoti_sx *hi = 2 * i < pad->count ? pad->list[2 * i + 1].sx : zero;
    const aoti_sx *crop_lo = aoti_sx_max(g, aoti_sx_sub(g, zero, lo), zero);
    const aoti_sx *crop_hi = aoti_sx_max(g, aoti_sx_sub(g, zero, hi), zero);
    sizes[d] = aoti_sx_max(g, aoti_sx_sub(g, aoti_sx_sub(g, self->dims[d], crop_lo), crop_hi), zero);
    src_offset = aoti_sx_add(g, src_offset, aoti_sx_mul(g, crop_lo, in_strides[d]));
    dst_offset = aoti_sx_add(g, dst_offset, aoti_sx_mul(g, aoti_sx_max(g, lo, zero), out_strides[d]));
  }
  cg_open_node(c, n);
  aoti_strbuf_appendf(&c->run, "    for (int64_t i = 0; i < (%s); ++i) %s[i] = ",
                      cg_sx(c, aoti_value_numel(g, out)), ptr(c, out));
  put_scalar(c, out->dtype, &n->args[2]);
  aoti_strbuf_puts(&c->run, ";\n");
  put_strided(c, aoti_dtype_size(out->dtype), self->rank, sizes, ptr(c, self), src_offset, in_strides, ptr(c, out),
              dst_offset, out_strides);
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

/* roll(self, shifts, dims): per rolled dim of size s and shift k (mod s), out[k:] = in[:s-k] and
 * out[:k] = in[s-k:]; one strided copy per combination of halves. dims=[] rolls the flattened
 * tensor. */
static aoti_status emit_roll(cg_ctx *c, const aoti_node *n) {
  aoti_graph *g = c->g;
  const aoti_value *self = n->args[0].tensor, *out = n->outputs[0];
  const aoti_arg *shifts = &n->args[1], *dims = &n->args[2];
  const aoti_sx *sizes[AOTI_MAX_RANK], *strides[AOTI_MAX_RANK], *shift[AOTI_MAX_RANK];
  int32_t rank = self->rank;
  bool rolled[AOTI_MAX_RANK] = {false};
  memcpy(sizes, self->dims, sizeof sizes[0] * (size_t)rank);
  if (dims->count == 0) { /* flattened */
    if (shifts->count != 1) return unsupported(n, "roll without dims takes one shift");
    rank = 1;
    sizes[0] = aoti_value_numel(g, self);
    rolled[0] = true;
    shift[0] = shifts->list[0].sx;
  } else {
    if (dims->count != shifts->count) return unsupported(n, "roll needs as many shifts as dims");
    for (int32_t i = 0; i < dims->count; ++i) {
      int32_t d = 0;
      int64_t dim = 0;
      if (!aoti_arg_get_int(&dims->list[i], &dim) || !aoti_shape_wrap_dim(dim, rank, &d))
        return unsupported(n, "dim out of range");
      if (rolled[d]) return unsupported(n, "roll lists a dim twice");
      rolled[d] = true;
      shift[d] = shifts->list[i].sx;
    }
  }
  const aoti_sx *stride = aoti_sx_const(g, 1);
  for (int32_t d = rank - 1; d >= 0; --d) strides[d] = stride, stride = aoti_sx_mul(g, stride, sizes[d]);
  int32_t num_rolled = 0, which[AOTI_MAX_RANK];
  for (int32_t d = 0; d < rank; ++d)
    if (rolled[d]) which[num_rolled++] = d;
  cg_open_node(c, n);
  for (int32_t combo = 0; combo < (1 << num_rolled); ++combo) {
    const aoti_sx *piece[AOTI_MAX_RANK], *src_offset = aoti_sx_const(g, 0), *dst_offset = aoti_sx_const(g, 0);
    memcpy(piece, sizes, sizeof piece[0] * (size_t)rank);
    for (int32_t r = 0; r < num_rolled; ++r) {
      const int32_t d = which[r];
      const aoti_sx *k = aoti_sx_mod(g, shift[d], sizes[d]), *rest = aoti_sx_sub(g, sizes[d], k);
      if ((combo >> r) & 1) { /* out[:k] = in[s-k:] */
        piece[d] = k;
        src_offset = aoti_sx_add(g, src_offset, aoti_sx_mul(g, rest, strides[d]));
      } else { /* out[k:] = in[:s-k] */
        piece[d] = rest;
        dst_offset = aoti_sx_add(g, dst_offset, aoti_sx_mul(g, k, strides[d]));
      }
    }
    put_strided(c, aoti_dtype_size(out->dtype), rank, piece, ptr(c, self), src_offset, strides, ptr(c, out),
                dst_offset, strides);
  }
  aoti_strbuf_puts(&c->run, "  }\n");
  return AOTI_OK;
}

aoti_status cg_emit_shape(cg_ctx *c, const aoti_node *n) {
  const char *op = aoti_pass_op_name(n);
  if (strcmp(op, "as_strided") == 0) return emit_as_strided(c, n);
  if (strcmp(op, "cat") == 0) return emit_cat(c, n);
  if (strcmp(op, "slice_scatter") == 0) return emit_scatter(c, n, false);
  if (strcmp(op, "select_scatter") == 0) return emit_scatter(c, n, true);
  if (strcmp(op, "copy") == 0) return emit_copy_op(c, n);
  if (strcmp(op, "index_select") == 0) return emit_index_select(c, n);
  if (strcmp(op, "embedding") == 0) return emit_embedding(c, n);
  if (strcmp(op, "gather") == 0) return emit_gather(c, n);
  if (strcmp(op, "index") == 0) return emit_index(c, n);
  if (strcmp(op, "constant_pad_nd") == 0) return emit_constant_pad(c, n);
  if (strcmp(op, "roll") == 0) return emit_roll(c, n);
  if (strcmp(op, "flip") == 0) return emit_flip(c, n);
  if (strcmp(op, "repeat") == 0) return emit_repeat(c, n);
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no C lowering for op '%s'", n->name, n->target);
}
