/* pass_util.h — helpers shared by the passes and codegen (internal to compiler/passes and
 * compiler/codegen; not part of the passes.h contract).
 *
 * Owns: making bound nodes for rewrites, placing new nodes in topological order, unique names,
 * the layout of copy/view ops (which input element each output element reads) and the alias
 * relation of view ops. None of these keep state; all act on one graph (not thread-safe, as a
 * graph isn't).
 */
#ifndef AOTI_PASS_UTIL_H
#define AOTI_PASS_UTIL_H

#include "ir/ir.h"
#include "ops/ops.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Removes constants that no node argument and no graph output refers to, from the constant list
 * and the value list, renumbering indices and ids (passes/fold.c). */
aoti_status aoti_pass_drop_unused_constants(aoti_graph *g);

/* The schema name of a bound node's op ("addmm", "view"), or "" when unbound. */
const char *aoti_pass_op_name(const aoti_node *n);

/* Whether n is a convolution (conv1d, conv2d, convolution). */
bool aoti_pass_is_conv(const aoti_node *n);

/* Number of uses of `v`: each occurrence among bound node arguments (tensor lists included) and
 * each graph output. `out_user` (may be NULL) gets the last node reading v, or NULL. */
int32_t aoti_pass_count_uses(const aoti_graph *g, const aoti_value *v, aoti_node **out_user);

/* `base`, or `base_<k>` for the smallest k >= 1 that no value or node of `g` uses yet. The string
 * lives in the graph. NULL when out of memory. */
const char *aoti_pass_unique_name(aoti_graph *g, const char *base);

/* A new AOTI_CONSTANT_FOLDED constant holding a copy of `nbytes` at `data`, with fqn `stem`
 * (its first `stem_len` bytes) followed by `suffix`, and a value of that name (made unique by
 * aoti_pass_unique_name) of `dtype` and `dims`. NULL when out of memory. */
aoti_value *aoti_pass_add_folded_constant(aoti_graph *g, const char *stem, size_t stem_len, const char *suffix,
                                          aoti_dtype dtype, int32_t rank, const aoti_sx *const *dims,
                                          const void *data, size_t nbytes);

/* Appends a bound node for `target`: `args` are the first `num_given` schema arguments in schema
 * order (kind AOTI_ARG_NONE for "use the default" is not allowed: pass fewer instead), the rest
 * take their schema defaults. Its single output is a new value whose dtype and shape the row's
 * shape function computes, named uniquely after `name_base`. The node goes at the end of the list:
 * place it with aoti_pass_move_tail. AOTI_ERROR_INTERNAL naming the target when the table lacks
 * the op or a required argument. */
aoti_status aoti_pass_add_bound_node(aoti_graph *g, const char *target, const char *name_base,
                                     const aoti_arg *args, int32_t num_given,
                                     aoti_value **out_value);

/* aoti_pass_add_bound_node for a rewrite of `original`: the new node is named
 * "<original>_<op>" (made unique), e.g. "linear_addmm", so messages still point at the node the
 * user wrote. */
aoti_status aoti_pass_add_rewrite(aoti_graph *g, const aoti_node *original, const char *target,
                                  const char *op, const aoti_arg *args, int32_t num_args,
                                  aoti_value **out_value);

/* A rewrite of `original` viewing `x` as `dims` (aten.view). */
aoti_status aoti_pass_add_view(aoti_graph *g, const aoti_node *original, aoti_value *x, int32_t rank,
                               const aoti_sx *const *dims, aoti_value **out_value);

/* A decomposition of an AOTI_LOWER_DECOMPOSE op: adds bound nodes (aoti_pass_add_rewrite) and
 * writes, per output of `n`, the value that replaces it (NULL for an output nothing uses). */
typedef aoti_status (*aoti_decompose_fn)(aoti_graph *g, const aoti_node *n, aoti_value **out_values);

typedef struct aoti_decompose_rule {
  const char *op; /* the op's name, without namespace and overload ("linear") */
  aoti_decompose_fn fn;
} aoti_decompose_rule;

/* The rules of each family (passes/decompose_<family>.c), looked up by decompose.c. */
typedef struct aoti_decompose_rules {
  const aoti_decompose_rule *rules;
  size_t count;
} aoti_decompose_rules;
extern const aoti_decompose_rules aoti_decompose_pointwise;
extern const aoti_decompose_rules aoti_decompose_conv;
extern const aoti_decompose_rules aoti_decompose_shape;
extern const aoti_decompose_rules aoti_decompose_nn;

/* Moves nodes [first, num_nodes) to position `pos` (< first), keeping their order and shifting
 * nodes [pos, first) after them, then renumbers node ids. */
void aoti_pass_move_tail(aoti_graph *g, int32_t first, int32_t pos);

/* Row-major strides (elements) of a contiguous value, as expressions. */
void aoti_pass_contiguous_strides(aoti_graph *g, const aoti_value *v, const aoti_sx **out_strides);

/* For a bound AOTI_LOWER_COPY node (t, transpose, permute, expand, clone, ...): per dimension of
 * its output, the stride (elements) in its contiguous input tensor argument that the output walks,
 * so output[i..] = input[sum i_d * stride_d]. AOTI_ERROR_UNSUPPORTED naming the node for copy ops
 * it does not know. */
aoti_status aoti_pass_copy_strides(aoti_graph *g, const aoti_node *n, const aoti_sx **out_strides);

/* Strides that broadcast contiguous `v` to `out_rank` dims `out_dims` (numpy rules: dims aligned
 * right, missing and size-1 dims get stride 0). */
void aoti_pass_broadcast_strides(aoti_graph *g, const aoti_value *v, int32_t out_rank,
                                 const aoti_sx *const *out_dims, const aoti_sx **out_strides);

/* The first tensor argument of a bound node (the `self` of layout ops), or NULL. */
aoti_value *aoti_pass_first_tensor(const aoti_node *n);

/* True when `n` is a bound AOTI_LOWER_VIEW node: its output shares its input's bytes. */
bool aoti_pass_is_alias(const aoti_node *n);

/* The value whose storage `v` shares: follows alias nodes back to a value that owns bytes. */
aoti_value *aoti_pass_alias_root(aoti_value *v);

/* The numeric value of a Scalar/int/float/bool argument; false for anything else. */
bool aoti_pass_arg_number(const aoti_arg *a, double *out_value);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_PASS_UTIL_H */
