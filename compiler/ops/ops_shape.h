/* ops_shape.h — facts about the shape family's ops (ops_shape.c) that its decompositions
 * (passes/decompose_shape.c) and emitters (codegen/emit_shape.c, emit_reduce.c) need too: where a
 * slice starts, how a dim argument wraps. Pure functions of a bound node; no state. */
#ifndef AOTI_OPS_SHAPE_H
#define AOTI_OPS_SHAPE_H

#include "ops/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* PyTorch's dim wrapping: dim in [-rank, rank-1] (a 0-d tensor accepts 0 and -1). False when out
 * of range. */
bool aoti_shape_wrap_dim(int64_t dim, int32_t rank, int32_t *out_dim);

/* The first element and the length of slice [start, end) of a dim of `size` with `step` > 0, as
 * PyTorch clamps them: negative bounds count from the end, then both are clamped to [0, size];
 * `start`/`end` NULL mean 0 / size. False when a bound's sign depends on the symbols (the sign
 * decides the formula) or the step is not a positive constant. */
bool aoti_shape_slice_range(aoti_graph *g, const aoti_sx *size, const aoti_sx *start, const aoti_sx *end,
                            const aoti_sx *step, const aoti_sx **out_start, const aoti_sx **out_length);

/* The dims a reduction node reduces, as a mask over its input's dims: from an int[]/int list
 * argument `dims` (NONE or an empty list mean every dim, as sum/amax/mean do). False for a dim
 * out of range or listed twice. */
bool aoti_shape_reduced_dims(const aoti_arg *dims, int32_t rank, bool *out_mask);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_OPS_SHAPE_H */
