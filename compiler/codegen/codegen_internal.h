/* codegen_internal.h — what the files of compiler/codegen share: C-syntax appenders, the
 * generation context, and the emitters of each part of the model source (internal; the contract
 * is codegen.h). Not thread-safe per context; contexts are independent. */
#ifndef AOTI_CODEGEN_INTERNAL_H
#define AOTI_CODEGEN_INTERNAL_H


#include "error.h"
#include "ir/ir.h"
#include "passes/passes.h"
#include "util/strbuf.h"

/* The files of templates/ embedded into this library (CMakeLists.txt, cmake/AOTIEmbed.cmake). */
extern const char aoti_tpl_types_h[];
extern const char aoti_tpl_abi_h[];

/* The kernel files of templates/kernels/ a model may carry. Only those its nodes use are copied
 * into its source, in this order (so a kernel may call the ones before it). */
typedef enum cg_kernel {
  CG_KERNEL_MATH,      /* math.c: float32 exp, log, tanh, erf, activations (pointwise loops, gemm.c) */
  CG_KERNEL_GEMM,      /* gemm.c */
  CG_KERNEL_COPY,      /* copy.c: strided copies */
  CG_KERNEL_CONV,      /* conv.c: convolutions (may use gemm) */
  CG_KERNEL_WINOGRAD,  /* winograd.c: 3x3 stride-1 convolutions (uses gemm and conv) */
  CG_KERNEL_POOL,      /* pool.c: max/avg/adaptive pooling */
  CG_KERNEL_SHAPE,     /* shape.c: cat, gather, index, pad, roll */
  CG_KERNEL_REDUCE,    /* reduce.c: sum/mean/amax over dims */
  CG_KERNEL_NN,        /* nn.c: layer norm, softmax, attention, batched matmul (may use gemm) */
  CG_KERNEL_COUNT
} cg_kernel;

/* Text being generated goes into aoti_strbuf (util/strbuf.h); these append C syntax to it. */
/* Appends `s` as a C string literal (quotes added, everything unusual escaped). */
void cg_put_literal(aoti_strbuf *b, const char *s);
/* Appends a C identifier made of `prefix`, and `name` with every other character turned into '_'
 * (truncated, so identifiers stay readable; callers make them unique with the prefix). */
void cg_put_ident(aoti_strbuf *b, const char *prefix, const char *name);
/* Appends `x` as a C float expression that reads back exactly. */
void cg_put_float(aoti_strbuf *b, double x);

typedef struct cg_ctx {
  aoti_graph *g;
  const char *model;           /* the model's name */
  aoti_memory_plan plan;
  const char **sym_c;          /* per symbol: the C local holding it in generated functions */
  const char **sym_names;      /* per symbol: its name, for expressions in tables and messages */
  const char **value_c;        /* per value id: the C pointer variable in run(), or NULL */
  aoti_strbuf decls;           /* per-node functions' task types and prototypes (both parts) */
  aoti_strbuf kernels;         /* the current node's functions (cg_put_node_fn) */
  aoti_strbuf node_fns[2];     /* every node's functions, in parts 1 and 2 of the source (codegen.c) */
  int64_t node_fns_cost[2];    /* their estimated compile cost (node_fn_cost) */
  aoti_strbuf run;             /* the body of run() */
  bool uses[CG_KERNEL_COUNT];  /* which template kernels run() calls (only those are emitted) */
  bool oom;
} cg_ctx;

/* Starts per-node function `signature` ("void k3_add(void *task, ...)") in c->kernels, its body
 * to follow, and declares it in c->decls: part 2 of the source (run()) calls what part 1 defines
 * (AOTI_MODEL_PART, codegen.c). */
void cg_put_node_fn(cg_ctx *c, const char *signature);

/* The C element type of `dtype` in generated code ("float", "int64_t", "_Bool", ...; float16 and
 * bfloat16 as their raw bits, "uint16_t"). */
const char *cg_ctype(aoti_dtype dtype);

/* An expression as C over the symbol locals (sym_c), in the graph's arena ("0" if out of memory). */
const char *cg_sx(cg_ctx *c, const aoti_sx *e);
/* An expression as C over the symbol names, for messages and tables. */
const char *cg_sx_named(cg_ctx *c, const aoti_sx *e);

/* Checks that codegen can lower every node (bound, a lowering it knows, float32 tensors only):
 * AOTI_ERROR_UNSUPPORTED naming the first node that cannot be, and why. */
aoti_status cg_check_nodes(cg_ctx *c);
/* Appends the code of node `n` to c->run (and its helper function, if any, to c->kernels). */
aoti_status cg_emit_node(cg_ctx *c, const aoti_node *n);

/* Opens node `n`'s block in c->run ("  {" and a comment naming the node and op); the emitter closes it with "  }\n". */
void cg_open_node(cg_ctx *c, const aoti_node *n);

/* Appends to c->run `    const aoti_epilogue ep = {...};` for node n: `bias` (NULL: none) per row
 * of the kernel's output or per column, and n's fused residual and activation (passes/fuse.c). */
void cg_put_epilogue(cg_ctx *c, const aoti_node *n, const aoti_value *bias, bool bias_per_row);

/* Appends to c->run a static assertion that gemm.c's `macro` (AOTI_GEMM_MR / AOTI_GEMM_NR) equals
 * `tile`, the size a prepacked weight was packed for (a build with other flags fails clearly). */
void cg_put_tile_check(cg_ctx *c, const char *macro, const aoti_sx *tile);

/* Appends to c->run `    const int64_t <name>[rank] = {e0, e1, ...};` over the symbol locals. */
void cg_put_int_array(cg_ctx *c, const char *name, int32_t rank, const aoti_sx *const *exprs);

/* Appends to c->run, inside a node's block, a contiguous copy into `out` of the elements of `src`
 * (a C pointer expression of out's element type) read from element `offset` (NULL: 0) with
 * `strides` (in elements) over out's shape: permutes, expands, slices. */
void cg_put_copy(cg_ctx *c, const aoti_value *out, const char *src, const aoti_sx *offset,
                 const aoti_sx *const *strides);

/* The code of each family's lowering (codegen/emit_<family>.c): appends node `n` to c->run (and
 * helper functions to c->kernels), marking the template kernels it calls in c->uses. Each
 * dispatches on the op's name and returns AOTI_ERROR_UNSUPPORTED, naming the node, for what it
 * cannot lower (a dtype, an argument value). */
aoti_status cg_emit_conv(cg_ctx *c, const aoti_node *n);
aoti_status cg_emit_shape(cg_ctx *c, const aoti_node *n);
aoti_status cg_emit_reduce(cg_ctx *c, const aoti_node *n);
aoti_status cg_emit_nn(cg_ctx *c, const aoti_node *n);

/* Appends the model's constant tables (symbols, inputs, outputs, constants) and the
 * output_sizes / arena_size functions to `out`. AOTI_ERROR_UNSUPPORTED for an input dim that is not
 * affine in one symbol, or a constant with a symbolic size. */
aoti_status cg_emit_tables(cg_ctx *c, aoti_strbuf *out);
/* Appends `const int64_t <sym_c> = <array>[i];` for every symbol (marked used). */
void cg_emit_symbol_locals(cg_ctx *c, aoti_strbuf *out, const char *array);

#endif /* AOTI_CODEGEN_INTERNAL_H */
