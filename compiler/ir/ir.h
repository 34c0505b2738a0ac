/* ir.h — the compiler's intermediate representation: a graph of ATen ops over tensors with
 * symbolic shapes.
 *
 * The frontend builds a graph from an exported program; every later stage (op binding, passes,
 * codegen) reads and rewrites it. Nothing downstream of the frontend knows the file format.
 *
 *     aoti_graph *g = aoti_graph_create();
 *     int32_t s0 = aoti_graph_add_symbol(g, "s0", 1, 1024);
 *     const aoti_sx *dims[2] = {aoti_sx_sym(g, s0), aoti_sx_const(g, 10)};
 *     aoti_value *x = aoti_graph_add_value(g, "x", AOTI_DTYPE_FLOAT32, 2, dims);
 *     aoti_graph_add_input(g, x);
 *     ... aoti_graph_add_constant(g, "fc1.weight", w, data, nbytes, AOTI_CONSTANT_PARAMETER) ...
 *     aoti_node *n = aoti_graph_add_node(g, "torch.ops.aten.relu.default", "relu");
 *     aoti_node_add_named(g, n, "self", aoti_arg_tensor(x));
 *     aoti_node_add_output(g, n, y);
 *     aoti_graph_add_output(g, "output0", y);
 *     ...
 *     aoti_graph_destroy(g);
 *
 * Memory: a graph owns everything reachable from it (values, nodes, arguments, expressions,
 * strings, constant data) in one arena; nothing is freed before aoti_graph_destroy. Pointers
 * returned by the functions below stay valid until then. A graph is not thread-safe.
 *
 * Nodes are kept in topological order. A node is first added "raw": its target string
 * ("torch.ops.aten.linear.default") and its arguments by name, as the exported program lists them
 * (arguments left at their schema defaults are absent). Op binding (compiler/ops) then sets `op`
 * and `args`: every schema argument in schema order, defaults filled in.
 */
#ifndef AOTI_IR_H
#define AOTI_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoti/runtime.h"
#include "aoti/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_graph aoti_graph;
typedef struct aoti_op aoti_op; /* an entry of the op table, compiler/ops/ops.h */

//===----------------------------------------------------------------------===//
// Symbolic integer expressions (ir/symexpr.c)
//===----------------------------------------------------------------------===//

/* Sizes are integer expressions over the graph's symbols. Expressions are immutable and
 * hash-consed per graph after simplification (constants folded, sums and products flattened and
 * sorted), so two expressions are equal exactly when their pointers are equal. (Exactly for
 * polynomials, which are kept expanded; FloorDiv/Mod/Min/Max are simplified where constants, exact
 * divisibility or the symbols' ranges decide them, so equal values may rarely differ in form.)
 * The constructors return NULL only when memory runs out, and propagate a NULL operand. */
typedef enum aoti_sx_kind {
  AOTI_SX_CONST,
  AOTI_SX_SYM,
  AOTI_SX_ADD,      /* a + b */
  AOTI_SX_MUL,      /* a * b */
  AOTI_SX_FLOORDIV, /* floor(a / b) */
  AOTI_SX_MOD,      /* a - b * floor(a / b) (Python's %) */
  AOTI_SX_MIN,
  AOTI_SX_MAX,
} aoti_sx_kind;

typedef struct aoti_sx {
  aoti_sx_kind kind;
  int64_t value;           /* AOTI_SX_CONST */
  int32_t sym;             /* AOTI_SX_SYM: index into the graph's symbols */
  const struct aoti_sx *a; /* binary kinds */
  const struct aoti_sx *b;
} aoti_sx;

const aoti_sx *aoti_sx_const(aoti_graph *g, int64_t value);
const aoti_sx *aoti_sx_sym(aoti_graph *g, int32_t sym);
const aoti_sx *aoti_sx_add(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);
const aoti_sx *aoti_sx_sub(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);
const aoti_sx *aoti_sx_mul(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);
const aoti_sx *aoti_sx_floordiv(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);
const aoti_sx *aoti_sx_mod(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);
const aoti_sx *aoti_sx_min(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);
const aoti_sx *aoti_sx_max(aoti_graph *g, const aoti_sx *a, const aoti_sx *b);

/* True when `e` is a constant; its value then goes to *out_value (which may be NULL). */
bool aoti_sx_is_const(const aoti_sx *e, int64_t *out_value);

/* Parses a size as torch.export writes it: a plain name or arithmetic ("s0", "2*s0 + 1",
 * "(s0//2)") or sympy's srepr ("Mul(Integer(2), Symbol('s0', integer=True, positive=True))").
 * Symbol names must already be in the graph (aoti_graph_find_symbol); an unknown name is an
 * error. Returns AOTI_OK or AOTI_ERROR_FORMAT with a message quoting `text`. */
aoti_status aoti_sx_parse(aoti_graph *g, const char *text, const aoti_sx **out_expr);

/* Evaluates `e` with symbol values `syms` (one per graph symbol). */
int64_t aoti_sx_eval(const aoti_sx *e, const int64_t *syms);

/* Smallest and largest value of `e` over the symbols' ranges (interval arithmetic: sound, may be
 * loose for expressions that use a symbol twice). */
void aoti_sx_bounds(const aoti_graph *g, const aoti_sx *e, int64_t *out_min, int64_t *out_max);

/* Writes `e` as a C expression of int64_t values into buf (at most size bytes, NUL included).
 * Symbol i is written as sym_names[i]. Returns the length it needed, like snprintf.
 * The expression is self-contained: it needs <stdint.h> (int64_t casts, INT64_MIN) and no helper
 * functions. Floor division and modulo keep Python's floor semantics for negative operands too
 * (C's / and % corrected in place; plain / and % where the dividend is known non-negative and the
 * divisor a positive constant). Operands may be evaluated more than once: symbols must be plain
 * variables or side-effect-free expressions. */
int aoti_sx_to_c(const aoti_graph *g, const aoti_sx *e, const char *const *sym_names, char *buf,
                 size_t size);

/* Like aoti_sx_to_c with the graph's own symbol names, for messages and metadata ("2*s0+1"). */
int aoti_sx_to_string(const aoti_graph *g, const aoti_sx *e, char *buf, size_t size);

//===----------------------------------------------------------------------===//
// Values: tensors in the graph
//===----------------------------------------------------------------------===//

typedef enum aoti_value_kind {
  AOTI_VALUE_INTERMEDIATE = 0, /* produced by a node (or not yet attached) */
  AOTI_VALUE_INPUT,            /* a user input */
  AOTI_VALUE_CONSTANT,         /* a parameter, buffer or lifted constant: data known at compile time */
} aoti_value_kind;

typedef struct aoti_node aoti_node;

typedef struct aoti_value {
  const char *name; /* unique within the graph */
  aoti_dtype dtype;
  int32_t rank;
  const aoti_sx *dims[AOTI_MAX_RANK];
  aoti_value_kind kind;
  int32_t index;      /* position among the graph's inputs or constants, -1 otherwise */
  aoti_node *producer; /* NULL for inputs and constants */
  int32_t id;         /* position in the graph's value list */
} aoti_value;

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

typedef enum aoti_arg_kind {
  AOTI_ARG_NONE = 0,
  AOTI_ARG_TENSOR,      /* .tensor */
  AOTI_ARG_TENSORS,     /* .list of AOTI_ARG_TENSOR, or AOTI_ARG_NONE items for Tensor?[] */
  AOTI_ARG_INT,         /* .i */
  AOTI_ARG_SYMINT,      /* .sx: an int that may be symbolic */
  AOTI_ARG_FLOAT,       /* .f */
  AOTI_ARG_BOOL,        /* .b */
  AOTI_ARG_STRING,      /* .s */
  AOTI_ARG_SCALAR_TYPE, /* .i holds an aoti_dtype */
  AOTI_ARG_LAYOUT,      /* .i, schema Layout numbering */
  AOTI_ARG_MEMORY_FORMAT, /* .i, schema MemoryFormat numbering */
  AOTI_ARG_DEVICE,      /* .s is the type ("cpu"), .i the index or -1 */
  AOTI_ARG_LIST,        /* .list: ints, symints, floats, bools (items carry their own kinds) */
} aoti_arg_kind;

typedef struct aoti_arg {
  aoti_arg_kind kind;
  int64_t i;
  double f;
  bool b;
  const char *s;
  const aoti_sx *sx;
  aoti_value *tensor;
  int32_t count;            /* AOTI_ARG_LIST, AOTI_ARG_TENSORS */
  struct aoti_arg *list;
} aoti_arg;

aoti_arg aoti_arg_none(void);
aoti_arg aoti_arg_tensor(aoti_value *v);
aoti_arg aoti_arg_int(int64_t i);
aoti_arg aoti_arg_symint(const aoti_sx *e);
aoti_arg aoti_arg_float(double f);
aoti_arg aoti_arg_bool(bool b);
aoti_arg aoti_arg_string(aoti_graph *g, const char *s);
/* A list of `count` items copied into the graph; kind is AOTI_ARG_LIST or AOTI_ARG_TENSORS. */
aoti_arg aoti_arg_list(aoti_graph *g, aoti_arg_kind kind, const aoti_arg *items, int32_t count);

/* The integer value of an INT/SCALAR_TYPE/.. argument, or of a SYMINT whose expression is
 * constant. Returns false for anything else. */
bool aoti_arg_get_int(const aoti_arg *a, int64_t *out_value);

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

typedef struct aoti_named_arg {
  const char *name; /* the schema argument's name, as the file gives it */
  aoti_arg arg;
} aoti_named_arg;

struct aoti_node {
  const char *name;   /* unique within the graph, e.g. "linear" or "addmm_1" */
  const char *target; /* as written by torch.export: "torch.ops.aten.addmm.default" */
  /* Raw arguments, in file order. */
  int32_t num_named;
  aoti_named_arg *named;
  /* Set by op binding: the op and every schema argument in schema order, defaults filled in. */
  const aoti_op *op;
  int32_t num_args;
  aoti_arg *args;
  /* Outputs, in schema order. */
  int32_t num_outputs;
  aoti_value **outputs;
  int32_t id; /* position in the graph's node list */
  /* Set by the late passes for codegen; zero means nothing fused and the family's default kernel.
   * A fused residual is also appended to `args` (after the schema's), so every pass that walks
   * arguments sees the read. */
  aoti_value *epilogue_residual; /* added to the output before the activation (passes/fuse.c) */
  int32_t epilogue_act;          /* AOTI_ACT_* of templates/kernels/gemm.c, applied last */
  int32_t variant;               /* the family's kernel choice, e.g. AOTI_CONV_VARIANT_* */
};

//===----------------------------------------------------------------------===//
// Graphs
//===----------------------------------------------------------------------===//

typedef enum aoti_constant_kind {
  AOTI_CONSTANT_PARAMETER,
  AOTI_CONSTANT_BUFFER,
  AOTI_CONSTANT_TENSOR, /* a lifted tensor constant, or a non-persistent buffer */
  AOTI_CONSTANT_FOLDED, /* made by a compiler pass */
} aoti_constant_kind;

typedef struct aoti_constant {
  const char *fqn;   /* the state_dict / constants name, e.g. "fc1.weight" */
  aoti_value *value; /* kind AOTI_VALUE_CONSTANT */
  aoti_constant_kind kind;
  void *data;        /* contiguous row-major bytes, owned by the graph */
  size_t nbytes;
} aoti_constant;

typedef struct aoti_symbol {
  const char *name; /* "s0", "s77" */
  int64_t min;      /* inclusive */
  int64_t max;      /* inclusive; INT64_MAX when unbounded */
} aoti_symbol;

typedef struct aoti_graph_output {
  const char *name; /* "output0", ... */
  aoti_value *value;
} aoti_graph_output;

/* A buffer the program mutates (BatchNorm's running stats in training mode). An inference build
 * drops the mutation; the frontend records it so the compiler can say so. */
typedef struct aoti_buffer_mutation {
  const char *buffer_name;
  aoti_value *value;
} aoti_buffer_mutation;

struct aoti_graph {
  void *arena; /* private: the allocator behind everything below */

  int32_t num_symbols;
  aoti_symbol *symbols;

  int32_t num_values;
  aoti_value **values;

  int32_t num_inputs; /* user inputs, in forward() order */
  aoti_value **inputs;

  int32_t num_constants;
  aoti_constant *constants;

  int32_t num_nodes;
  aoti_node **nodes; /* topological order */

  int32_t num_outputs;
  aoti_graph_output *outputs;

  int32_t num_mutations;
  aoti_buffer_mutation *mutations;

  /* Facts about where the graph came from, for metadata: "torch_version", "schema_version",
   * "source_format" ("legacy-zip", "pt2"), ... kept as parallel arrays. */
  int32_t num_meta;
  const char **meta_keys;
  const char **meta_values;
};

aoti_graph *aoti_graph_create(void);
void aoti_graph_destroy(aoti_graph *g);

/* Allocation from the graph's arena, zeroed, aligned to 64 bytes. NULL only when out of memory. */
void *aoti_graph_alloc(aoti_graph *g, size_t size);
const char *aoti_graph_strdup(aoti_graph *g, const char *s);

/* Adds a symbol; returns its index. Names must be unique. */
int32_t aoti_graph_add_symbol(aoti_graph *g, const char *name, int64_t min, int64_t max);
/* Index of the symbol called `name`, or -1. */
int32_t aoti_graph_find_symbol(const aoti_graph *g, const char *name);

/* A new tensor value (kind AOTI_VALUE_INTERMEDIATE). `dims` has `rank` entries. */
aoti_value *aoti_graph_add_value(aoti_graph *g, const char *name, aoti_dtype dtype, int32_t rank,
                                 const aoti_sx *const *dims);
/* The value called `name`, or NULL. */
aoti_value *aoti_graph_find_value(const aoti_graph *g, const char *name);

/* Marks `v` as the next user input. */
void aoti_graph_add_input(aoti_graph *g, aoti_value *v);

/* Marks `v` as a constant with the given contiguous bytes (copied into the graph when `data` is
 * not NULL; zeroed otherwise). Returns the constant. */
aoti_constant *aoti_graph_add_constant(aoti_graph *g, const char *fqn, aoti_value *v,
                                       const void *data, size_t nbytes, aoti_constant_kind kind);

/* Appends a raw node (see the overview). */
aoti_node *aoti_graph_add_node(aoti_graph *g, const char *target, const char *name);
void aoti_node_add_named(aoti_graph *g, aoti_node *n, const char *arg_name, aoti_arg arg);
/* Appends `v` to the node's outputs and makes the node its producer. */
void aoti_node_add_output(aoti_graph *g, aoti_node *n, aoti_value *v);

void aoti_graph_add_output(aoti_graph *g, const char *name, aoti_value *v);
void aoti_graph_add_mutation(aoti_graph *g, const char *buffer_name, aoti_value *v);
void aoti_graph_set_meta(aoti_graph *g, const char *key, const char *value);
const char *aoti_graph_get_meta(const aoti_graph *g, const char *key);

/* The tensor of argument `index` of a bound node, or NULL when that argument is absent or not a
 * tensor. */
aoti_value *aoti_node_tensor_arg(const aoti_node *n, int32_t index);

/* Number of elements of `v` as an expression. */
const aoti_sx *aoti_value_numel(aoti_graph *g, const aoti_value *v);

/* Removes nodes whose outputs nobody uses (graph outputs count as uses; a node's uses are its
 * bound `args` once `op` is set, its raw `named` otherwise), drops their output values from
 * g->values and renumbers node and value ids. Buffer mutations do not keep nodes alive: a
 * mutation whose value is removed is dropped from g->mutations too. */
void aoti_graph_remove_dead_nodes(aoti_graph *g);

/* Replaces every use of `from` (in node arguments, raw and bound, graph outputs and buffer
 * mutations) by `to`. */
void aoti_graph_replace_uses(aoti_graph *g, aoti_value *from, aoti_value *to);

/* Checks the invariants (topological order, every argument defined, ids dense, unique names,
 * dims over known symbols); returns AOTI_ERROR_INTERNAL with a message naming the first broken
 * one, or AOTI_ERROR_OUT_OF_MEMORY when an earlier void function (add_input, add_named, ...) could
 * not allocate. For tests and -v builds. */
aoti_status aoti_graph_verify(const aoti_graph *g);

/* Writes a readable listing of the graph (symbols, inputs, constants, nodes, outputs) to `f`
 * (a FILE *, typed void here to keep stdio out of this header). */
void aoti_graph_dump(const aoti_graph *g, void *f);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_IR_H */
