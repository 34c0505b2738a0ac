/* ops.c — the op table (one row per supported ATen overload) and aoti_ops_bind, which matches a
 * graph's raw nodes against it: arguments placed by schema name and defaults filled, argument
 * types checked and normalised, then declared output dtypes and shapes checked against the row's
 * shape function.
 *
 * Declarations are facts copied from PyTorch: the schema strings of torch 2.15.0's registered ops
 * (`torch.ops.aten.<op>.<overload>._schema`), which torchgen generates from
 * aten/src/ATen/native/native_functions.yaml (pytorch/pytorch), written here in that file's
 * `func:` form (namespace dropped, overload kept in the name where the yaml has one).
 * The rows live in one file per family of ops (ops_core.c, ops_pointwise.c, ops_conv.c,
 * ops_shape.c, ops_nn.c), each with its shape functions; this file puts them together.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops/ops_private.h"
#include "util/strbuf.h"

/* The families of the table, in lookup order (ops_private.h). A target appears in one family. */
static const aoti_op_family *const kFamilies[] = {
    &aoti_ops_family_core, &aoti_ops_family_pointwise, &aoti_ops_family_conv,
    &aoti_ops_family_shape, &aoti_ops_family_nn,
};
enum { NUM_FAMILIES = sizeof kFamilies / sizeof kFamilies[0], MAX_OUTPUTS = 64 }; /* a Tensor[] return (unbind) may have many */

size_t aoti_op_count(void) {
  size_t n = 0;
  for (size_t f = 0; f < NUM_FAMILIES; f++) n += kFamilies[f]->count;
  return n;
}

const aoti_op *aoti_op_at(size_t index) {
  for (size_t f = 0; f < NUM_FAMILIES; f++) {
    if (index < kFamilies[f]->count) return &kFamilies[f]->rows[index];
    index -= kFamilies[f]->count;
  }
  return NULL;
}

/* The row's position in the whole table, or SIZE_MAX when `op` is not a row. */
static size_t op_index(const aoti_op *op) {
  size_t base = 0;
  for (size_t f = 0; f < NUM_FAMILIES; f++) {
    const aoti_op_family *family = kFamilies[f];
    if (family->count && op >= family->rows && op < family->rows + family->count)
      return base + (size_t)(op - family->rows);
    base += family->count;
  }
  return SIZE_MAX;
}

const aoti_op *aoti_op_find(const char *target) {
  for (size_t f = 0; f < NUM_FAMILIES; f++)
    for (size_t i = 0; i < kFamilies[f]->count; i++)
      if (strcmp(kFamilies[f]->rows[i].target, target) == 0) return &kFamilies[f]->rows[i];
  return NULL;
}

//===----------------------------------------------------------------------===//
// Parsed schemas: once per process
//===----------------------------------------------------------------------===//

static aoti_schema *g_schemas;  /* aoti_op_count() entries, kept for the process */
static bool *g_schema_ok;
static pthread_once_t g_schemas_once = PTHREAD_ONCE_INIT;

/* The overload is the target's last component ("torch.ops.aten.add.Tensor" -> "Tensor"). */
static void parse_all_schemas(void) {
  const size_t count = aoti_op_count();
  g_schemas = calloc(count + 1, sizeof *g_schemas);
  g_schema_ok = calloc(count + 1, sizeof *g_schema_ok);
  if (!g_schemas || !g_schema_ok) return; /* every lookup then reports the schema missing */
  for (size_t i = 0; i < count; i++) {
    const aoti_op *op = aoti_op_at(i);
    const char *overload = strrchr(op->target, '.') + 1;
    g_schema_ok[i] = aoti_schema_parse(op->declaration, overload, &g_schemas[i]) == AOTI_OK;
  }
}

const aoti_schema *aoti_op_schema(const aoti_op *op) {
  size_t i = op_index(op);
  if (i == SIZE_MAX) return NULL;
  pthread_once(&g_schemas_once, parse_all_schemas);
  return g_schema_ok && g_schema_ok[i] ? &g_schemas[i] : NULL;
}
const aoti_arg *aoti_op_arg(const aoti_node *n, const char *name) {
  const aoti_schema *schema = n->op ? aoti_op_schema(n->op) : NULL;
  for (int32_t i = 0; schema && i < schema->num_args && i < n->num_args; i++)
    if (strcmp(schema->args[i].name, name) == 0) return &n->args[i];
  return NULL;
}

//===----------------------------------------------------------------------===//
// Unsupported targets
//===----------------------------------------------------------------------===//

/* Whether an earlier node than `upto` has the same unknown target (it was listed already). */
static bool listed_before(const aoti_graph *g, int32_t upto, const char *target) {
  for (int32_t i = 0; i < upto; i++)
    if (strcmp(g->nodes[i]->target, target) == 0) return true;
  return false;
}

/* AOTI_OK when every node's target has a row; otherwise one message listing every unknown target
 * once, in order of first use, with the names of all nodes using it. */
static aoti_status check_supported(const aoti_graph *g) {
  int32_t unknown = 0;
  for (int32_t i = 0; i < g->num_nodes; i++)
    if (!aoti_op_find(g->nodes[i]->target) && !listed_before(g, i, g->nodes[i]->target)) unknown++;
  if (unknown == 0) return AOTI_OK;
  aoti_strbuf t = AOTI_STRBUF_INIT;
  aoti_strbuf_appendf(&t, "unsupported ops (%d): ", unknown);
  bool first = true;
  for (int32_t i = 0; i < g->num_nodes; i++) {
    const char *target = g->nodes[i]->target;
    if (aoti_op_find(target) || listed_before(g, i, target)) continue;
    aoti_strbuf_appendf(&t, "%s%s (nodes: ", first ? "" : "; ", target);
    first = false;
    const char *sep = "";
    for (int32_t j = i; j < g->num_nodes; j++) {
      if (strcmp(g->nodes[j]->target, target) != 0) continue;
      aoti_strbuf_appendf(&t, "%s%s", sep, g->nodes[j]->name);
      sep = ", ";
    }
    aoti_strbuf_puts(&t, ")");
  }
  aoti_status st = t.failed ? aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory listing unsupported ops")
                            : aoti_error_set(AOTI_ERROR_UNSUPPORTED, "%s", t.data);
  aoti_strbuf_free(&t);
  return st;
}

//===----------------------------------------------------------------------===//
// Argument binding
//===----------------------------------------------------------------------===//

static const char *arg_kind_name(aoti_arg_kind kind) {
  switch (kind) {
    case AOTI_ARG_NONE: return "None";
    case AOTI_ARG_TENSOR: return "a tensor";
    case AOTI_ARG_TENSORS: return "a tensor list";
    case AOTI_ARG_INT: return "an int";
    case AOTI_ARG_SYMINT: return "a SymInt";
    case AOTI_ARG_FLOAT: return "a float";
    case AOTI_ARG_BOOL: return "a bool";
    case AOTI_ARG_STRING: return "a string";
    case AOTI_ARG_SCALAR_TYPE: return "a ScalarType";
    case AOTI_ARG_LAYOUT: return "a Layout";
    case AOTI_ARG_MEMORY_FORMAT: return "a MemoryFormat";
    case AOTI_ARG_DEVICE: return "a Device";
    case AOTI_ARG_LIST: return "a list";
  }
  return "an unknown kind";
}

static const char *schema_type_name(aoti_schema_type type) {
  static const char *const kNames[] = {
      [AOTI_SCHEMA_TENSOR] = "Tensor",        [AOTI_SCHEMA_TENSOR_LIST] = "Tensor[]",
      [AOTI_SCHEMA_OPT_TENSOR_LIST] = "Tensor?[]", [AOTI_SCHEMA_INT] = "int",
      [AOTI_SCHEMA_SYMINT] = "SymInt",        [AOTI_SCHEMA_INT_LIST] = "int[]",
      [AOTI_SCHEMA_SYMINT_LIST] = "SymInt[]", [AOTI_SCHEMA_FLOAT] = "float",
      [AOTI_SCHEMA_FLOAT_LIST] = "float[]",   [AOTI_SCHEMA_BOOL] = "bool",
      [AOTI_SCHEMA_BOOL_LIST] = "bool[]",     [AOTI_SCHEMA_SCALAR] = "Scalar",
      [AOTI_SCHEMA_STR] = "str",              [AOTI_SCHEMA_SCALAR_TYPE] = "ScalarType",
      [AOTI_SCHEMA_LAYOUT] = "Layout",        [AOTI_SCHEMA_MEMORY_FORMAT] = "MemoryFormat",
      [AOTI_SCHEMA_DEVICE] = "Device",
  };
  return kNames[type];
}

/* What binding one argument needs for its messages and allocations. */
typedef struct bind_ctx {
  aoti_graph *g;
  const aoti_node *n;
  const aoti_schema_arg *param;
  bool numbers_for_tensors; /* a pointwise op: a Tensor operand may be given as a number */
} bind_ctx;

static aoti_status wrong_kind(const bind_ctx *c, const aoti_arg *got) {
  return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): argument '%s' must be %s%s, got %s", c->n->name,
                        c->n->target, c->param->name, schema_type_name(c->param->type),
                        c->param->optional ? " or None" : "", arg_kind_name(got->kind));
}

/* One scalar item as the schema's element type wants it; false when its kind does not fit. */
static bool normalise_item(bind_ctx *c, aoti_schema_type element, const aoti_arg *in, aoti_arg *out) {
  int64_t v;
  switch (element) {
    case AOTI_SCHEMA_INT:
      if (!aoti_arg_get_int(in, &v) || (in->kind != AOTI_ARG_INT && in->kind != AOTI_ARG_SYMINT)) return false;
      *out = aoti_arg_int(v);
      return true;
    case AOTI_SCHEMA_SYMINT:
      if (in->kind == AOTI_ARG_INT) *out = aoti_arg_symint(aoti_sx_const(c->g, in->i));
      else if (in->kind == AOTI_ARG_SYMINT) *out = *in;
      else return false;
      return out->sx != NULL;
    case AOTI_SCHEMA_FLOAT:
      if (in->kind == AOTI_ARG_INT) *out = aoti_arg_float((double)in->i);
      else if (in->kind == AOTI_ARG_FLOAT) *out = *in;
      else return false;
      return true;
    case AOTI_SCHEMA_BOOL: *out = *in; return in->kind == AOTI_ARG_BOOL;
    case AOTI_SCHEMA_SCALAR:
      *out = *in;
      if (in->kind == AOTI_ARG_SYMINT && aoti_arg_get_int(in, &v)) *out = aoti_arg_int(v);
      /* A symbolic SymInt stays one (arange(seq)); readers needing a number reject it. */
      return out->kind == AOTI_ARG_INT || out->kind == AOTI_ARG_FLOAT || out->kind == AOTI_ARG_BOOL ||
             out->kind == AOTI_ARG_SYMINT;
    case AOTI_SCHEMA_STR: *out = *in; return in->kind == AOTI_ARG_STRING;
    case AOTI_SCHEMA_SCALAR_TYPE:
    case AOTI_SCHEMA_LAYOUT:
    case AOTI_SCHEMA_MEMORY_FORMAT: {
      /* Enums may come as their own kind or as a plain int of the same numbering. */
      static const aoti_arg_kind kEnumKind[] = {[AOTI_SCHEMA_SCALAR_TYPE] = AOTI_ARG_SCALAR_TYPE,
                                                [AOTI_SCHEMA_LAYOUT] = AOTI_ARG_LAYOUT,
                                                [AOTI_SCHEMA_MEMORY_FORMAT] = AOTI_ARG_MEMORY_FORMAT};
      if (in->kind != kEnumKind[element] && in->kind != AOTI_ARG_INT) return false;
      *out = (aoti_arg){.kind = kEnumKind[element], .i = in->i};
      return true;
    }
    case AOTI_SCHEMA_DEVICE: *out = *in; return in->kind == AOTI_ARG_DEVICE;
    case AOTI_SCHEMA_TENSOR: *out = *in; return in->kind == AOTI_ARG_TENSOR && in->tensor;
    default: return false;
  }
}

static aoti_schema_type list_element(aoti_schema_type type) {
  switch (type) {
    case AOTI_SCHEMA_INT_LIST: return AOTI_SCHEMA_INT;
    case AOTI_SCHEMA_SYMINT_LIST: return AOTI_SCHEMA_SYMINT;
    case AOTI_SCHEMA_FLOAT_LIST: return AOTI_SCHEMA_FLOAT;
    case AOTI_SCHEMA_BOOL_LIST: return AOTI_SCHEMA_BOOL;
    default: return AOTI_SCHEMA_TENSOR; /* Tensor[] and Tensor?[] */
  }
}

static bool is_list_type(aoti_schema_type type) {
  return type == AOTI_SCHEMA_INT_LIST || type == AOTI_SCHEMA_SYMINT_LIST || type == AOTI_SCHEMA_FLOAT_LIST ||
         type == AOTI_SCHEMA_BOOL_LIST || type == AOTI_SCHEMA_TENSOR_LIST || type == AOTI_SCHEMA_OPT_TENSOR_LIST;
}

/* A list argument, items normalised into a new arena list. A single item given for a fixed-size
 * list (int[2] as 3) stands for that many copies, as in PyTorch. */
static aoti_status bind_list(bind_ctx *c, const aoti_arg *in, aoti_arg *out) {
  const aoti_schema_arg *p = c->param;
  bool tensors = p->type == AOTI_SCHEMA_TENSOR_LIST || p->type == AOTI_SCHEMA_OPT_TENSOR_LIST;
  const aoti_arg *items = in->list;
  int32_t count = in->count;
  if (in->kind != AOTI_ARG_LIST && in->kind != AOTI_ARG_TENSORS) {
    if (tensors || p->list_size <= 0) return wrong_kind(c, in);
    items = in; /* the single item, repeated below */
    count = p->list_size;
  } else if ((in->kind == AOTI_ARG_TENSORS) != tensors && count > 0) {
    return wrong_kind(c, in); /* an empty list's kind says nothing */
  }
  /* int[1] (sum's dim, roll's shifts) only says a single int is accepted: any length goes. For
   * int[N], PyTorch also takes one item (repeated) or none (the op's own default, e.g. a pool's
   * stride = its kernel), as the shape functions and emitters do. */
  if (p->list_size > 1 && count > 1 && count != p->list_size)
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): argument '%s' must have %d items, got %d", c->n->name,
                          c->n->target, p->name, p->list_size, count);
  aoti_arg *list = aoti_graph_alloc(c->g, (size_t)(count > 0 ? count : 1) * sizeof *list);
  if (!list) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory binding node '%s'", c->n->name);
  for (int32_t i = 0; i < count; i++) {
    const aoti_arg *item = items == in ? in : &items[i];
    bool none_ok = p->type == AOTI_SCHEMA_OPT_TENSOR_LIST && item->kind == AOTI_ARG_NONE;
    if (none_ok)
      list[i] = *item;
    else if (!normalise_item(c, list_element(p->type), item, &list[i]))
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): item %d of argument '%s' (%s) is %s", c->n->name,
                            c->n->target, i, p->name, schema_type_name(p->type), arg_kind_name(item->kind));
  }
  *out = (aoti_arg){.kind = tensors ? AOTI_ARG_TENSORS : AOTI_ARG_LIST, .count = count, .list = list};
  return AOTI_OK;
}

static aoti_status bind_arg(bind_ctx *c, const aoti_arg *in, aoti_arg *out) {
  if (in->kind == AOTI_ARG_NONE) {
    if (!c->param->optional) return wrong_kind(c, in);
    *out = *in;
    return AOTI_OK;
  }
  if (is_list_type(c->param->type)) return bind_list(c, in, out);
  /* x * 2.0 exports as mul.Tensor(x, 2.0): the number stays, read like a Scalar (a wrapped number
   * in torch's type promotion). */
  if (c->numbers_for_tensors && c->param->type == AOTI_SCHEMA_TENSOR &&
      (in->kind == AOTI_ARG_INT || in->kind == AOTI_ARG_FLOAT || in->kind == AOTI_ARG_BOOL ||
       in->kind == AOTI_ARG_SYMINT)) {
    *out = *in;
    return AOTI_OK;
  }
  return normalise_item(c, c->param->type, in, out) ? AOTI_OK : wrong_kind(c, in);
}

static const aoti_named_arg *find_named(const aoti_node *n, const char *name) {
  for (int32_t i = 0; i < n->num_named; i++)
    if (strcmp(n->named[i].name, name) == 0) return &n->named[i];
  return NULL;
}

/* Every raw argument must name a schema parameter, once. */
static aoti_status check_arg_names(const aoti_node *n, const aoti_op *op, const aoti_schema *s) {
  for (int32_t i = 0; i < n->num_named; i++) {
    const char *name = n->named[i].name;
    bool known = false;
    for (int32_t k = 0; k < s->num_args && !known; k++) known = strcmp(s->args[k].name, name) == 0;
    if (!known)
      return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): unknown argument '%s' (the schema is %s)", n->name,
                            n->target, name, op->declaration);
    for (int32_t j = 0; j < i; j++)
      if (strcmp(n->named[j].name, name) == 0)
        return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): argument '%s' is given twice", n->name,
                              n->target, name);
  }
  return AOTI_OK;
}

/* The dtype of the op's first tensor argument, which decides how Scalars are read. */
static aoti_dtype first_tensor_dtype(const aoti_arg *args, int32_t count) {
  for (int32_t i = 0; i < count; i++)
    if (args[i].kind == AOTI_ARG_TENSOR) return args[i].tensor->dtype;
  return AOTI_DTYPE_INVALID;
}

/* Scalars arrive as int or float; an op over floating tensors gets them as float (so codegen reads
 * .f for alpha/beta), over integer tensors they stay as given. */
static void normalise_scalars(const aoti_schema *s, aoti_arg *args) {
  aoti_dtype dtype = first_tensor_dtype(args, s->num_args);
  bool floating = dtype == AOTI_DTYPE_FLOAT32 || dtype == AOTI_DTYPE_FLOAT64 || dtype == AOTI_DTYPE_FLOAT16 ||
                  dtype == AOTI_DTYPE_BFLOAT16;
  for (int32_t i = 0; i < s->num_args; i++) {
    if (s->args[i].type != AOTI_SCHEMA_SCALAR || !floating) continue;
    if (args[i].kind == AOTI_ARG_INT) args[i] = aoti_arg_float((double)args[i].i);
    if (args[i].kind == AOTI_ARG_BOOL) args[i] = aoti_arg_float(args[i].b ? 1.0 : 0.0);
  }
}

/* The bound argument list of `n` (arena), not yet attached to the node. */
static aoti_status bind_node(aoti_graph *g, aoti_node *n, const aoti_op *op, aoti_arg **out_args) {
  const aoti_schema *s = aoti_op_schema(op);
  if (!s) return aoti_error_set(AOTI_ERROR_INTERNAL, "op table row %s has a declaration that does not parse", op->target);
  aoti_status st = check_arg_names(n, op, s);
  if (st != AOTI_OK) return st;
  aoti_arg *args = aoti_graph_alloc(g, (size_t)(s->num_args > 0 ? s->num_args : 1) * sizeof *args);
  if (!args) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory binding node '%s'", n->name);
  for (int32_t i = 0; i < s->num_args; i++) {
    const bool pointwise = op->lowering == AOTI_LOWER_UNARY || op->lowering == AOTI_LOWER_BINARY ||
                           op->lowering == AOTI_LOWER_TERNARY;
    bind_ctx c = {g, n, &s->args[i], pointwise};
    const aoti_named_arg *given = find_named(n, s->args[i].name);
    if (given)
      st = bind_arg(&c, &given->arg, &args[i]);
    else if (s->args[i].has_default)
      st = bind_arg(&c, &s->args[i].default_value, &args[i]); /* copies default lists into the graph */
    else
      st = aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): missing required argument '%s'", n->name, n->target,
                          s->args[i].name);
    if (st != AOTI_OK) return st;
  }
  normalise_scalars(s, args);
  *out_args = args;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Output checks
//===----------------------------------------------------------------------===//

/* "float32[s0, 10]" for messages. */
static void describe(const aoti_graph *g, aoti_dtype dtype, int32_t rank, const aoti_sx *const *dims, char *buf,
                     size_t size) {
  size_t len = (size_t)snprintf(buf, size, "%s[", aoti_dtype_name(dtype));
  for (int32_t d = 0; d < rank && len < size; d++) {
    if (d) len += (size_t)snprintf(buf + len, size - len, ", ");
    if (len < size) len += (size_t)aoti_sx_to_string(g, dims[d], buf + len, size - len);
  }
  if (len < size) snprintf(buf + len, size - len, "]");
}

static aoti_status check_outputs(aoti_graph *g, const aoti_node *n) {
  const aoti_schema *s = aoti_op_schema(n->op);
  if (n->num_outputs != s->num_returns && !(s->returns_list && n->num_outputs > 0))
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): declares %d outputs, the op returns %d", n->name,
                          n->target, n->num_outputs, s->num_returns);
  if (n->num_outputs > MAX_OUTPUTS)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): ops with more than %d outputs are not supported",
                          n->name, n->target, MAX_OUTPUTS);
  aoti_dtype dtypes[MAX_OUTPUTS];
  int32_t ranks[MAX_OUTPUTS];
  const aoti_sx *dims[MAX_OUTPUTS][AOTI_MAX_RANK];
  aoti_status st = n->op->shape(g, n, dtypes, ranks, dims);
  if (st != AOTI_OK) return st;
  for (int32_t k = 0; k < n->num_outputs; k++) {
    const aoti_value *v = n->outputs[k];
    bool same = v->dtype == dtypes[k] && v->rank == ranks[k];
    for (int32_t d = 0; same && d < v->rank; d++) same = !aoti_ops_dims_may_differ(g, v->dims[d], dims[k][d]);
    if (same) continue;
    char declared[256], computed[256];
    describe(g, v->dtype, v->rank, v->dims, declared, sizeof declared);
    describe(g, dtypes[k], ranks[k], dims[k], computed, sizeof computed);
    return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): output %d '%s' is declared %s but the op gives %s",
                          n->name, n->target, k, v->name, declared, computed);
  }
  return AOTI_OK;
}

aoti_status aoti_ops_bind(aoti_graph *g) {
  aoti_status st = check_supported(g);
  if (st != AOTI_OK) return st;
  /* Bind everything before attaching anything, so an argument error leaves the graph unbound. */
  aoti_arg **bound = calloc((size_t)g->num_nodes + 1, sizeof *bound);
  if (!bound) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory binding ops");
  for (int32_t i = 0; i < g->num_nodes && st == AOTI_OK; i++)
    st = bind_node(g, g->nodes[i], aoti_op_find(g->nodes[i]->target), &bound[i]);
  for (int32_t i = 0; i < g->num_nodes && st == AOTI_OK; i++) {
    aoti_node *n = g->nodes[i];
    n->op = aoti_op_find(n->target);
    n->num_args = aoti_op_schema(n->op)->num_args;
    n->args = bound[i];
  }
  free(bound);
  for (int32_t i = 0; i < g->num_nodes && st == AOTI_OK; i++) st = check_outputs(g, g->nodes[i]);
  return st;
}
