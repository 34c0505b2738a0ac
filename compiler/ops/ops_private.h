/* ops_private.h — what ops.c (table, binding) and shapes.c (shape functions) share. Private to
 * compiler/ops.
 */
#ifndef AOTI_OPS_PRIVATE_H
#define AOTI_OPS_PRIVATE_H

#include "error.h"
#include "ops/ops.h"

#define ATEN "torch.ops.aten."

/* A family of rows, one file each (ops_<family>.c): the rows and their shape functions. */
typedef struct aoti_op_family {
  const char *name;
  const aoti_op *rows;
  size_t count;
} aoti_op_family;

extern const aoti_op_family aoti_ops_family_core;      /* ops_core.c: matmul, layout, views, first pointwise */
extern const aoti_op_family aoti_ops_family_pointwise; /* ops_pointwise.c: activations, arithmetic, comparisons, where, casts */
extern const aoti_op_family aoti_ops_family_conv;      /* ops_conv.c: convolution, pooling, batch norm */
extern const aoti_op_family aoti_ops_family_shape;     /* ops_shape.c: cat, slice, select, index, embedding, pad, roll, reductions */
extern const aoti_op_family aoti_ops_family_nn;        /* ops_nn.c: layer norm, softmax, attention, bmm */

/* Shape functions of the table's rows (see aoti_shape_fn). They read the bound arguments
 * (n->args in schema order) and write output 0. */
aoti_status aoti_shape_linear(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_addmm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                             const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_mm(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                          const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_t(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                         const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_permute(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                               const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_transpose(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_view(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                            const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_same(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                            const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_same_float(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                  const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_broadcast(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_broadcast_div(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                     int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_expand(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_unsqueeze(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_squeeze_dim(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                   const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_squeeze_dims(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                    const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);
aoti_status aoti_shape_flatten(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                               const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);

/* AOTI_ERROR_FORMAT "node '<name>' (<target>): <message>". */
aoti_status aoti_ops_node_error(const aoti_node *n, const char *fmt, ...) AOTI_PRINTF(2, 3);

/* Output 0 of dtype `dtype` with the broadcast shape of the tensors among the node's first `count`
 * arguments (numbers are skipped; at least one tensor). */
aoti_status aoti_ops_broadcast_shape(aoti_graph *g, const aoti_node *n, int32_t count, aoti_dtype dtype,
                                     aoti_dtype *out_dtypes, int32_t *out_ranks,
                                     const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);

/* Writes output k of a shape function: its dtype, rank and dims. */
void aoti_ops_set_output(int32_t k, aoti_dtype dtype, int32_t rank, const aoti_sx *const *dims,
                         aoti_dtype *out_dtypes, int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);

/* True when sizes a and b certainly differ: both constant and unequal, or their ranges do not
 * meet (what a shape function may reject). */
bool aoti_ops_dims_differ(const aoti_graph *g, const aoti_sx *a, const aoti_sx *b);

/* True when `e` is the constant 1 (a broadcastable size). */
bool aoti_ops_is_one(const aoti_sx *e);

/* Whether two size expressions can differ for some symbol values in range: false when they are the
 * same expression or agree on a spread of sample points (forms the simplifier does not unify). */
bool aoti_ops_dims_may_differ(const aoti_graph *g, const aoti_sx *a, const aoti_sx *b);

#endif /* AOTI_OPS_PRIVATE_H */
