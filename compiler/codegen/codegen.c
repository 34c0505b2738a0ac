/* codegen.c — aoti_codegen_c: assembles the model source (prelude with the ABI headers, math.c and
 * the kernels' interface, per-node functions, tables, run(), the exported entry) and the result
 * with the package's constant list; aoti_codegen_kernels_source: the kernels' own source, built
 * once per target and linked into every model. The parts are written by codegen_nodes.c and
 * codegen_abi.c.
 *
 * Determinism: everything is emitted in graph order (symbols, inputs, constants, nodes, outputs);
 * no addresses, times or hash orders reach the text. */
#include "codegen/codegen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aoti/abi.h"
#include "codegen/codegen_internal.h"
#include "passes/pass_util.h"
#include "util/c_identifier.h"

#ifndef AOTI_CODEGEN_VERSION
#define AOTI_CODEGEN_VERSION "unknown"
#endif

void aoti_codegen_options_init(aoti_codegen_options *options) { memset(options, 0, sizeof *options); }

static const char *sx_with_names(cg_ctx *c, const aoti_sx *e, const char *const *names) {
  int n = aoti_sx_to_c(c->g, e, names, NULL, 0);
  char *text = aoti_graph_alloc(c->g, (size_t)n + 1);
  if (!text) {
    c->oom = true;
    return "0";
  }
  aoti_sx_to_c(c->g, e, names, text, (size_t)n + 1);
  return text;
}

const char *cg_sx(cg_ctx *c, const aoti_sx *e) { return sx_with_names(c, e, c->sym_c); }
const char *cg_sx_named(cg_ctx *c, const aoti_sx *e) { return sx_with_names(c, e, c->sym_names); }

static const char *buf_to_graph(cg_ctx *c, aoti_strbuf *b) {
  const char *s = b->failed ? NULL : aoti_graph_strdup(c->g, b->data);
  if (!s) c->oom = true;
  aoti_strbuf_free(b);
  return s ? s : "oom";
}

/* Symbol locals are "sym_<name>", with "_<index>" added when two names sanitise alike. */
static void name_symbols(cg_ctx *c) {
  for (int32_t s = 0; s < c->g->num_symbols; ++s) {
    c->sym_names[s] = c->g->symbols[s].name;
    aoti_strbuf b = AOTI_STRBUF_INIT;
    cg_put_ident(&b, "sym_", c->g->symbols[s].name);
    for (int32_t t = 0; t < s && !b.failed; ++t)
      if (strcmp(c->sym_c[t], b.data) == 0) {
        aoti_strbuf_appendf(&b, "_%d", s);
        break;
      }
    c->sym_c[s] = buf_to_graph(c, &b);
  }
}

static void mark_needed_arg(const aoti_arg *a, bool *needed) {
  if (a->kind == AOTI_ARG_TENSOR && a->tensor) needed[a->tensor->id] = true;
  if (a->kind == AOTI_ARG_TENSORS) /* cat's and index's tensor lists */
    for (int32_t k = 0; k < a->count; ++k) mark_needed_arg(&a->list[k], needed);
}

/* Values run() refers to get a pointer variable "v<id>_<name>". */
static void name_values(cg_ctx *c) {
  aoti_graph *g = c->g;
  bool *needed = calloc((size_t)g->num_values + 1, sizeof *needed);
  if (!needed) {
    c->oom = true;
    return;
  }
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    for (int32_t k = 0; k < g->nodes[i]->num_args; ++k) mark_needed_arg(&g->nodes[i]->args[k], needed);
    for (int32_t k = 0; k < g->nodes[i]->num_outputs; ++k) needed[g->nodes[i]->outputs[k]->id] = true;
  }
  for (int32_t o = 0; o < g->num_outputs; ++o) needed[g->outputs[o].value->id] = true;
  for (int32_t v = 0; v < g->num_values; ++v) {
    if (!needed[v]) continue;
    aoti_strbuf b = AOTI_STRBUF_INIT;
    aoti_strbuf_appendf(&b, "v%d_", v);
    cg_put_ident(&b, "", g->values[v]->name);
    c->value_c[v] = buf_to_graph(c, &b);
  }
  free(needed);
}

/* The graph output whose buffer holds the storage of alias root `root`, or -1. */
static int32_t output_holding(const aoti_graph *g, aoti_value *root) {
  if (root->kind != AOTI_VALUE_INTERMEDIATE) return -1;
  for (int32_t o = 0; o < g->num_outputs; ++o)
    if (aoti_pass_alias_root(g->outputs[o].value) == root) return o;
  return -1;
}

const char *cg_ctype(aoti_dtype dtype) {
  switch (dtype) {
    case AOTI_DTYPE_UINT8: return "uint8_t";
    case AOTI_DTYPE_INT8: return "int8_t";
    case AOTI_DTYPE_INT16: return "int16_t";
    case AOTI_DTYPE_INT32: return "int32_t";
    case AOTI_DTYPE_INT64: return "int64_t";
    case AOTI_DTYPE_FLOAT16:
    case AOTI_DTYPE_BFLOAT16: return "uint16_t";
    case AOTI_DTYPE_FLOAT32: return "float";
    case AOTI_DTYPE_FLOAT64: return "double";
    case AOTI_DTYPE_BOOL: return "_Bool";
    default: return "unsigned char";
  }
}

static void put_value_pointer(cg_ctx *c, aoti_value *v) {
  aoti_value *root = aoti_pass_alias_root(v);
  const char *type = cg_ctype(v->dtype);
  const int32_t holder = output_holding(c->g, root);
  /* Inputs and constants are declared const in the ABI; nodes only ever write their own outputs. */
  aoti_strbuf_appendf(&c->run, "  %s *const %s = (%s *)", type, c->value_c[v->id], type);
  if (root->kind == AOTI_VALUE_INPUT)
    aoti_strbuf_appendf(&c->run, "args->inputs[%d];\n", root->index);
  else if (root->kind == AOTI_VALUE_CONSTANT)
    aoti_strbuf_appendf(&c->run, "args->constants[%d];\n", root->index);
  else if (holder >= 0)
    aoti_strbuf_appendf(&c->run, "args->outputs[%d];\n", holder);
  else
    aoti_strbuf_appendf(&c->run, "(arena + %s);\n", cg_sx(c, c->plan.offsets[v->id]));
  /* Some pointers are only there for aliases, which need no code. */
  aoti_strbuf_appendf(&c->run, "  (void)%s;\n", c->value_c[v->id]);
}

/* Outputs whose bytes live elsewhere (an input, a constant, another output) are copied last. */
static void put_output_copies(cg_ctx *c) {
  for (int32_t o = 0; o < c->g->num_outputs; ++o) {
    aoti_value *v = c->g->outputs[o].value;
    if (output_holding(c->g, aoti_pass_alias_root(v)) == o) continue;
    const aoti_sx *bytes = aoti_sx_mul(c->g, aoti_value_numel(c->g, v),
                                       aoti_sx_const(c->g, (int64_t)aoti_dtype_size(v->dtype)));
    aoti_strbuf_appendf(&c->run, "  memcpy(args->outputs[%d], %s, (size_t)(%s));\n", o, c->value_c[v->id],
                        cg_sx(c, bytes));
  }
}

/* About how long node functions `fns` take to compile, in bytes of plain code: a call into math.c
 * is inlined into a vectorised loop and costs as much as a few thousand bytes of other code. */
static int64_t node_fn_cost(const aoti_strbuf *fns) {
  int64_t cost = (int64_t)fns->len;
  for (const char *p = fns->data; p && (p = strstr(p, "aoti_")) != NULL; p += 5) cost += 3000;
  return cost;
}

static aoti_status emit_run(cg_ctx *c) {
  cg_emit_symbol_locals(c, &c->run, "args->symbols");
  aoti_strbuf_puts(&c->run, "  unsigned char *const arena = (unsigned char *)args->arena;\n  (void)arena;\n");
  aoti_strbuf_puts(&c->run, "  const aoti_abi_threads *const threads = args->threads;\n  (void)threads;\n");
  for (int32_t v = 0; v < c->g->num_values; ++v)
    if (c->value_c[v]) put_value_pointer(c, c->g->values[v]);
  for (int32_t i = 0; i < c->g->num_nodes; ++i) {
    aoti_status st = cg_emit_node(c, c->g->nodes[i]);
    if (st != AOTI_OK) return st;
    /* The node's functions go to the part with less to compile so far, so both take about the
     * same time; part 2 also holds run(), whose calls cost about a quarter as much per byte as
     * the node functions' loops (gcc -O3 on GPT-2 and ViT-B/16). */
    const int64_t cost = node_fn_cost(&c->kernels);
    const int which = c->node_fns_cost[0] <= c->node_fns_cost[1] + (int64_t)c->run.len / 4 ? 0 : 1;
    c->node_fns_cost[which] += cost;
    aoti_strbuf *part = &c->node_fns[which];
    if (c->kernels.len) aoti_strbuf_append(part, c->kernels.data, c->kernels.len);
    c->kernels.len = 0;
    if (c->kernels.data) c->kernels.data[0] = '\0';
  }
  put_output_copies(c);
  return AOTI_OK;
}

/* abi.h without its include of types.h, which the source carries just before it. */
static void put_abi_header(aoti_strbuf *out) {
  static const char include_line[] = "#include \"aoti/types.h\"\n";
  const char *at = strstr(aoti_tpl_abi_h, include_line);
  if (!at) {
    aoti_strbuf_puts(out, aoti_tpl_abi_h);
    return;
  }
  aoti_strbuf_appendf(out, "%.*s", (int)(at - aoti_tpl_abi_h), aoti_tpl_abi_h);
  aoti_strbuf_puts(out, at + sizeof include_line - 1);
}

extern const char aoti_tpl_kernels_h[], aoti_tpl_math_c[], aoti_tpl_gemm_c[], aoti_tpl_copy_c[], aoti_tpl_conv_c[],
    aoti_tpl_winograd_c[], aoti_tpl_pool_c[], aoti_tpl_shape_c[], aoti_tpl_reduce_c[], aoti_tpl_nn_c[];

static const char *const kKernelTexts[CG_KERNEL_COUNT] = {
    [CG_KERNEL_MATH] = aoti_tpl_math_c,     [CG_KERNEL_GEMM] = aoti_tpl_gemm_c,
    [CG_KERNEL_COPY] = aoti_tpl_copy_c,     [CG_KERNEL_CONV] = aoti_tpl_conv_c,
    [CG_KERNEL_WINOGRAD] = aoti_tpl_winograd_c,
    [CG_KERNEL_POOL] = aoti_tpl_pool_c,     [CG_KERNEL_SHAPE] = aoti_tpl_shape_c,
    [CG_KERNEL_REDUCE] = aoti_tpl_reduce_c, [CG_KERNEL_NN] = aoti_tpl_nn_c,
};

/* The ABI headers (types.h, abi.h) and the libc headers every source needs. */
static void put_headers(aoti_strbuf *out) {
  aoti_strbuf_puts(out, aoti_tpl_types_h);
  aoti_strbuf_puts(out, "\n");
  put_abi_header(out);
  aoti_strbuf_puts(out, "\n#include <math.h>\n#include <string.h>\n\n"
                        "#define AOTI_MAX_U64(a, b) ((uint64_t)(a) > (uint64_t)(b) ? (uint64_t)(a) : (uint64_t)(b))\n\n");
}

/* The probe ends with this word and the tile's macros, which the preprocessor expands. */
#define GEMM_TILE_MARKER "aoti_gemm_tile"

char *aoti_codegen_gemm_tile_probe(void) {
  aoti_strbuf b = AOTI_STRBUF_INIT;
  put_headers(&b);
  aoti_strbuf_puts(&b, aoti_tpl_kernels_h);
  aoti_strbuf_puts(&b, "\n" GEMM_TILE_MARKER " AOTI_GEMM_MR AOTI_VL AOTI_GEMM_NV\n");
  if (!b.failed) return b.data; /* the caller frees it */
  aoti_strbuf_free(&b);
  return NULL;
}

aoti_status aoti_codegen_gemm_tile_read(const char *preprocessed, int32_t *out_mr, int32_t *out_nr) {
  const char *line = NULL;
  for (const char *p = strstr(preprocessed, GEMM_TILE_MARKER); p; p = strstr(p + 1, GEMM_TILE_MARKER))
    if (p == preprocessed || p[-1] == '\n') line = p;
  int mr = 0, vl = 0, nv = 0;
  if (!line || sscanf(line + strlen(GEMM_TILE_MARKER), "%d %d %d", &mr, &vl, &nv) != 3 || mr < 1 || vl < 1 ||
      nv < 1 || mr > 64 || vl * nv > 256)
    return aoti_error_set(AOTI_ERROR_INTERNAL, "cannot read the GEMM tile of the target from the preprocessed "
                          "kernels (a line '" GEMM_TILE_MARKER " MR VL NV' was expected)");
  *out_mr = mr;
  *out_nr = vl * nv;
  return AOTI_OK;
}

/* The model's source starts with the headers, math.c (always inlined into pointwise loops, so it
 * is the model's own code) and the kernels' interface; the kernels themselves are another object
 * (aoti_codegen_kernels_source). */
static void put_prelude(cg_ctx *c, aoti_strbuf *out) {
  aoti_strbuf_puts(out, "/* Model ");
  cg_put_ident(out, "", c->model);
  aoti_strbuf_puts(out,
                   ": generated by aotic " AOTI_CODEGEN_VERSION ". Do not edit.\n"
                   " * The ABI headers, math.c and kernels.h below are copied from aotic's templates; "
                   "the library links the kernels' object (aoti_codegen_kernels_source). */\n\n");
  put_headers(out);
  if (c->uses[CG_KERNEL_MATH]) {
    aoti_strbuf_puts(out, aoti_tpl_math_c);
    aoti_strbuf_puts(out, "\n");
  }
  aoti_strbuf_puts(out, aoti_tpl_kernels_h);
  /* Node functions are called once per run: inlining them into run() (the pointwise ones are
   * passed to aoti_pointwise_run, which the compiler sees through) only makes run() slow to
   * compile. */
  aoti_strbuf_puts(out, "\n#if defined(__GNUC__)\n#define AOTI_NODE_FN __attribute__((visibility(\"hidden\"), noinline))\n"
                        "#else\n#define AOTI_NODE_FN\n#endif\n\n");
}

char *aoti_codegen_kernels_source(void) {
  aoti_strbuf b = AOTI_STRBUF_INIT;
  aoti_strbuf_puts(&b, "/* The kernels of models generated by aotic " AOTI_CODEGEN_VERSION
                       ", copied from its templates. Do not edit. */\n\n");
  put_headers(&b);
  aoti_strbuf_puts(&b, aoti_tpl_kernels_h);
  for (int k = 0; k < CG_KERNEL_COUNT; ++k) {
    aoti_strbuf_puts(&b, "\n");
    aoti_strbuf_puts(&b, kKernelTexts[k]);
  }
  if (!b.failed) return b.data; /* the caller frees it */
  aoti_strbuf_free(&b);
  return NULL;
}

/* The per-thread scratch macro each kernel file that uses aoti_abi_threads scratch defines. */
static const char *const kKernelScratch[CG_KERNEL_COUNT] = {
    [CG_KERNEL_GEMM] = "AOTI_GEMM_THREAD_SCRATCH",
    [CG_KERNEL_CONV] = "AOTI_CONV_DIRECT_THREAD_SCRATCH",
    [CG_KERNEL_WINOGRAD] = "AOTI_WINOGRAD_THREAD_SCRATCH",
    [CG_KERNEL_NN] = "AOTI_NN_THREAD_SCRATCH",
};

/* thread_scratch_bytes: the largest need of the kernels the model carries,
 * AOTI_MAX_U64(a, AOTI_MAX_U64(b, 0)). */
static void put_thread_scratch(const cg_ctx *c, aoti_strbuf *out) {
  int open = 0;
  for (int k = 0; k < CG_KERNEL_COUNT; ++k) {
    if (!c->uses[k] || !kKernelScratch[k]) continue;
    aoti_strbuf_appendf(out, "AOTI_MAX_U64(%s, ", kKernelScratch[k]);
    open++;
  }
  aoti_strbuf_puts(out, "0");
  for (int i = 0; i < open; ++i) aoti_strbuf_puts(out, ")");
}

static void put_model_table(cg_ctx *c, aoti_strbuf *out) {
  aoti_strbuf_puts(out, "static const aoti_abi_model model_table = {\n  AOTI_ABI_VERSION,\n  ");
  cg_put_literal(out, c->model);
  aoti_strbuf_puts(out, ",\n  \"" AOTI_CODEGEN_VERSION "\",\n");
  aoti_strbuf_appendf(out, "  %d, %s,\n", c->g->num_symbols, c->g->num_symbols ? "model_symbols" : "NULL");
  aoti_strbuf_appendf(out, "  %d, %s,\n", c->g->num_inputs, c->g->num_inputs ? "model_inputs" : "NULL");
  aoti_strbuf_appendf(out, "  %d, %s,\n", c->g->num_outputs, c->g->num_outputs ? "model_outputs" : "NULL");
  aoti_strbuf_appendf(out, "  %d, %s,\n  ", c->g->num_constants, c->g->num_constants ? "model_constants" : "NULL");
  put_thread_scratch(c, out);
  aoti_strbuf_puts(out, ",\n");
  aoti_strbuf_puts(out,
                   "  model_output_sizes,\n  model_arena_size,\n  model_run,\n};\n\n"
                   "#if defined(__GNUC__)\n__attribute__((visibility(\"default\")))\n#endif\n"
                   "const aoti_abi_model *aoti_model_entry_v1(void);\n"
                   "const aoti_abi_model *aoti_model_entry_v1(void) { return &model_table; }\n");
}

void cg_put_node_fn(cg_ctx *c, const char *signature) {
  if (!signature) {
    c->oom = true;
    return;
  }
  aoti_strbuf_appendf(&c->decls, "AOTI_NODE_FN %s;\n", signature);
  aoti_strbuf_appendf(&c->kernels, "AOTI_NODE_FN %s {\n", signature);
}

/* The source in two parts, so that two compilers can build it at once (compiler/build): each
 * holds about half of the per-node functions, part 2 also the tables and run(), which calls them;
 * both see the prelude and the node functions' declarations. Without AOTI_MODEL_PART it is one
 * object. */
static aoti_status assemble(cg_ctx *c, aoti_strbuf *out) {
  aoti_status st = emit_run(c);
  if (st != AOTI_OK) return st;
  put_prelude(c, out);
  aoti_strbuf_puts(out, c->decls.data ? c->decls.data : "");
  aoti_strbuf_puts(out, "\n#if !defined(AOTI_MODEL_PART) || AOTI_MODEL_PART == 1\n\n");
  aoti_strbuf_puts(out, c->node_fns[0].data ? c->node_fns[0].data : "");
  aoti_strbuf_puts(out, "#endif /* part 1 */\n#if !defined(AOTI_MODEL_PART) || AOTI_MODEL_PART == 2\n\n");
  aoti_strbuf_puts(out, c->node_fns[1].data ? c->node_fns[1].data : "");
  st = cg_emit_tables(c, out);
  if (st != AOTI_OK) return st;
  aoti_strbuf_puts(out, "static int32_t model_run(const aoti_abi_run_args *args) {\n");
  aoti_strbuf_puts(out, c->run.data ? c->run.data : "");
  aoti_strbuf_puts(out, "  return 0;\n}\n\n");
  put_model_table(c, out);
  aoti_strbuf_puts(out, "#endif /* part 2 */\n");
  if (c->oom || out->failed || c->decls.failed || c->kernels.failed || c->node_fns[0].failed ||
      c->node_fns[1].failed || c->run.failed)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory generating model '%s'", c->model);
  return AOTI_OK;
}

static uint64_t arena_at_max(const aoti_graph *g, const aoti_sx *arena) {
  int64_t *syms = calloc((size_t)g->num_symbols + 1, sizeof *syms);
  if (!syms) return UINT64_MAX;
  bool unbounded = false;
  for (int32_t s = 0; s < g->num_symbols; ++s) {
    syms[s] = g->symbols[s].max;
    unbounded = unbounded || g->symbols[s].max == INT64_MAX;
  }
  const int64_t bytes = unbounded ? -1 : aoti_sx_eval(arena, syms);
  free(syms);
  return bytes < 0 ? UINT64_MAX : (uint64_t)bytes;
}

static aoti_codegen_result *make_result(cg_ctx *c, aoti_strbuf *source) {
  const aoti_graph *g = c->g;
  enum { ENTRY_SIZE = 32 }; /* "weight_" + a size_t + NUL */
  const size_t n = (size_t)g->num_constants;
  aoti_codegen_result *r = calloc(1, sizeof *r);
  aoti_codegen_constant *constants = malloc(n * (sizeof *constants + ENTRY_SIZE) + 1);
  const char *arena_expr = cg_sx_named(c, c->plan.arena_bytes);
  char *arena_copy = malloc(strlen(arena_expr) + 1);
  if (!r || !constants || !arena_copy || c->oom) {
    free(r);
    free(constants);
    free(arena_copy);
    return NULL;
  }
  char *entries = (char *)(constants + n);
  for (size_t i = 0; i < n; ++i) {
    snprintf(entries + i * ENTRY_SIZE, ENTRY_SIZE, "weight_%zu", i);
    constants[i] = (aoti_codegen_constant){g->constants[i].fqn, entries + i * ENTRY_SIZE,
                                           g->constants[i].data, g->constants[i].nbytes};
  }
  strcpy(arena_copy, arena_expr);
  r->source = aoti_strbuf_take(source, &r->source_len); /* ownership moved to the result */
  r->num_constants = g->num_constants;
  r->constants = constants;
  r->arena_bytes_at_max = arena_at_max(g, c->plan.arena_bytes);
  r->arena_bytes_expr = arena_copy;
  return r;
}

aoti_status aoti_codegen_c(aoti_graph *g, const char *name, const aoti_codegen_options *options,
                           aoti_codegen_result **out_result) {
  (void)options; /* no options yet */
  if (!g || !out_result || !aoti_is_c_identifier(name))
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "codegen: need a graph, a result pointer and "
                          "a model name that is a C identifier (got '%s')", name ? name : "(null)");
  cg_ctx c = {.g = g, .model = name};
  aoti_status st = cg_check_nodes(&c);
  if (st == AOTI_OK) st = aoti_pass_plan_memory(g, &c.plan);
  if (st != AOTI_OK) return st;
  c.sym_c = aoti_graph_alloc(g, sizeof(char *) * (size_t)(g->num_symbols + 1));
  c.sym_names = aoti_graph_alloc(g, sizeof(char *) * (size_t)(g->num_symbols + 1));
  c.value_c = aoti_graph_alloc(g, sizeof(char *) * (size_t)(g->num_values + 1));
  if (!c.sym_c || !c.sym_names || !c.value_c)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory generating model '%s'", name);
  name_symbols(&c);
  name_values(&c);
  aoti_strbuf source = AOTI_STRBUF_INIT;
  st = assemble(&c, &source);
  aoti_codegen_result *r = NULL;
  if (st == AOTI_OK && !(r = make_result(&c, &source)))
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory generating model '%s'", name);
  aoti_strbuf_free(&source);
  aoti_strbuf_free(&c.decls);
  aoti_strbuf_free(&c.kernels);
  aoti_strbuf_free(&c.node_fns[0]);
  aoti_strbuf_free(&c.node_fns[1]);
  aoti_strbuf_free(&c.run);
  if (st == AOTI_OK) *out_result = r;
  return st;
}

void aoti_codegen_result_destroy(aoti_codegen_result *result) {
  if (!result) return;
  free(result->source);
  free(result->constants); /* entry names live in the same block */
  free(result->arena_bytes_expr);
  free(result);
}
