/* ops.h — the op table: every ATen op aotic understands, with its schema, shape function and
 * lowering.
 *
 * A row holds the op's schema exactly as PyTorch declares it (aten/src/ATen/native/
 * native_functions.yaml, cited per op), so argument names, order and defaults come from the
 * schema, not guesses. Binding matches a raw node (ir.h) against its row: named arguments go to
 * their schema positions, missing ones take the schema default, and the output shapes the file
 * declares are checked against the row's shape function.
 *
 *     if (aoti_ops_bind(g) != AOTI_OK)      // every unsupported op listed, with the nodes using it
 *       fprintf(stderr, "%s\n", aoti_last_error());
 *
 * The table is constant and may be read from any thread.
 */
#ifndef AOTI_OPS_H
#define AOTI_OPS_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aoti_schema_type {
  AOTI_SCHEMA_TENSOR,
  AOTI_SCHEMA_TENSOR_LIST, /* Tensor[] */
  AOTI_SCHEMA_OPT_TENSOR_LIST, /* Tensor?[] */
  AOTI_SCHEMA_INT,
  AOTI_SCHEMA_SYMINT,
  AOTI_SCHEMA_INT_LIST,    /* int[] / int[N] */
  AOTI_SCHEMA_SYMINT_LIST, /* SymInt[] / SymInt[N] */
  AOTI_SCHEMA_FLOAT,
  AOTI_SCHEMA_FLOAT_LIST,
  AOTI_SCHEMA_BOOL,
  AOTI_SCHEMA_BOOL_LIST,
  AOTI_SCHEMA_SCALAR,      /* int, float or bool */
  AOTI_SCHEMA_STR,
  AOTI_SCHEMA_SCALAR_TYPE,
  AOTI_SCHEMA_LAYOUT,
  AOTI_SCHEMA_MEMORY_FORMAT,
  AOTI_SCHEMA_DEVICE,
} aoti_schema_type;

typedef struct aoti_schema_arg {
  const char *name;
  aoti_schema_type type;
  int32_t list_size;   /* N of int[N], 0 otherwise */
  bool optional;       /* T? */
  bool kwarg_only;     /* after `*` */
  bool has_default;
  aoti_arg default_value; /* valid when has_default; lists point into the schema's own storage */
} aoti_schema_arg;

typedef struct aoti_schema {
  const char *name;     /* "linear" (namespace and overload not included) */
  const char *overload; /* "default", "Tensor", "Scalar", ... */
  int32_t num_args;
  const aoti_schema_arg *args;
  int32_t num_returns;
  bool returns_list; /* the one return is Tensor[] (split, chunk, unbind): a node has one output per item */
} aoti_schema;

/* Parses a native_functions.yaml declaration, e.g.
 * "linear(Tensor input, Tensor weight, Tensor? bias=None) -> Tensor", into `out`, which the caller
 * releases with aoti_schema_free. Errors quote the declaration and the offending character. */
aoti_status aoti_schema_parse(const char *decl, const char *overload, aoti_schema *out);
void aoti_schema_free(aoti_schema *schema);

/* Computes the output values' dtypes and shapes of a bound node from its arguments. Writes one
 * dtype, rank and dims per output. Returns AOTI_ERROR_FORMAT with a message naming the node when
 * its arguments are inconsistent (e.g. mismatched matmul sizes). */
typedef aoti_status (*aoti_shape_fn)(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                     int32_t *out_ranks, const aoti_sx *(*out_dims)[AOTI_MAX_RANK]);

/* How an op reaches C (aoti_op.lowering). Passes rewrite AOTI_LOWER_DECOMPOSE ops into others;
 * codegen emits the rest. */
typedef enum aoti_lowering {
  AOTI_LOWER_DECOMPOSE = 0, /* e.g. linear -> t + addmm; reshape -> view (+ copy) */
  AOTI_LOWER_MATMUL,        /* mm, addmm (and bmm, baddbmm later) */
  AOTI_LOWER_UNARY,         /* elementwise over one tensor: relu, sigmoid, ... (pointwise expr in `a`) */
  AOTI_LOWER_BINARY,        /* broadcasting elementwise: add, sub, mul, div (expr in `a`, `b`, `alpha`) */
  AOTI_LOWER_TERNARY,       /* broadcasting elementwise over three operands: where, masked_fill (`a`, `b`, `c`) */
  AOTI_LOWER_FILL,          /* no tensor read: full, zeros_like, arange, fill_ (expr in the flat index `i`) */
  AOTI_LOWER_VIEW,          /* same bytes, new shape: view, _unsafe_view, unsqueeze, squeeze, alias, detach */
  AOTI_LOWER_COPY,          /* strided copy: permute, t, transpose, expand, clone, contiguous */
  /* Pointwise lowerings beyond UNARY/BINARY (ternary where, fills, casts) go here. */
  /* One lowering per family below; the family's emitter (codegen/emit_<family>.c) dispatches on
   * the op's name. */
  AOTI_LOWER_CONV,          /* ops_conv.c: convolution, pooling, batch norm */
  AOTI_LOWER_SHAPE,         /* ops_shape.c: cat, slice, select, index, embedding, pad, roll */
  AOTI_LOWER_REDUCE,        /* ops_shape.c: sum, mean, amax, ... over dims */
  AOTI_LOWER_NN,            /* ops_nn.c: layer norm, softmax, attention, bmm */
} aoti_lowering;

struct aoti_op {
  const char *target;      /* "torch.ops.aten.linear.default" */
  const char *declaration; /* the native_functions.yaml schema string */
  aoti_shape_fn shape;
  aoti_lowering lowering;
  /* For AOTI_LOWER_UNARY / _BINARY / _TERNARY / _FILL: the element's value as a C expression of
   * the operands `a`, `b`, `c` (the first schema arguments, tensors or numbers, converted to the
   * computation type: the output's dtype, or the operands' result type for a bool output), the
   * flat index `i` (fills) and the node's numeric arguments by schema name (`alpha`), e.g.
   * "(a < 0 ? 0 : a)". Float math is written with the float functions: templates/kernels/math.c's
   * (aoti_expf, aoti_tanhf, ...: they vectorise) or libm's (sqrtf); codegen uses the double ones
   * for float64. */
  const char *pointwise;
};

/* PyTorch's result type (torch.result_type) of `count` operands, each a tensor argument or a number
 * (AOTI_ARG_INT, _FLOAT, _BOOL; other kinds are skipped): dimensioned tensors, then 0-d tensors,
 * then numbers, a later group winning only with a higher category (bool < integer < floating);
 * a floating number gives float32. AOTI_DTYPE_INVALID when no operand counts. */
aoti_dtype aoti_ops_result_type(const aoti_arg *operands, int32_t count);

/* The row for a target string, or NULL. */
const aoti_op *aoti_op_find(const char *target);
/* The parsed schema of a row (parsed once, on first use, kept for the process; thread-safe). */
const aoti_schema *aoti_op_schema(const aoti_op *op);

/* The bound argument of node `n` called `name` in its op's schema, or NULL (unbound node, no such
 * argument). */
const aoti_arg *aoti_op_arg(const aoti_node *n, const char *name);

/* All rows, for docs and tests. */
size_t aoti_op_count(void);
const aoti_op *aoti_op_at(size_t index);

/* Binds every node of `g` (see the overview), then checks each node's declared output shapes and
 * dtypes against its shape function. On an unknown target the error lists every unsupported
 * target, each with the names of all nodes using it, and the graph is left unbound; so does an
 * argument error (missing required or unknown argument, wrong kind: AOTI_ERROR_FORMAT naming the
 * node, the target and the argument). A declared output that differs from the shape function's
 * (dtype, rank, or a size that differs for some symbol values in range) is AOTI_ERROR_FORMAT
 * naming the node, the output, what was declared and what the op gives; the graph is then bound.
 *
 * Bound arguments (n->args) are normalised by schema type, so readers see one kind per type:
 *   Tensor -> AOTI_ARG_TENSOR; optional anything -> also AOTI_ARG_NONE;
 *   int -> AOTI_ARG_INT (a constant SymInt is accepted); SymInt -> AOTI_ARG_SYMINT (ints become
 *   constant expressions); int[] -> AOTI_ARG_LIST of AOTI_ARG_INT; SymInt[] -> AOTI_ARG_LIST of
 *   AOTI_ARG_SYMINT (a single int given for int[N] is repeated N times); float -> AOTI_ARG_FLOAT;
 *   Scalar -> AOTI_ARG_FLOAT when the op's first tensor argument is floating, else as given (INT,
 *   FLOAT or BOOL); ScalarType/Layout/MemoryFormat -> their own kinds (plain ints accepted);
 *   Tensor[] / Tensor?[] -> AOTI_ARG_TENSORS.
 * Defaults are copied into the graph. Nodes created later by passes may hold schema defaults
 * as parsed (e.g. Scalar alpha=1 as AOTI_ARG_INT). Not thread-safe for one graph. */
aoti_status aoti_ops_bind(aoti_graph *g);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_OPS_H */
