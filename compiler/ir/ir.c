/* ir.c — the graph: its arena, symbols, values, constants, nodes, outputs, metadata, and the
 * whole-graph utilities (dead-node removal, use replacement, verification, dumping).
 *
 * Symbolic expressions live in symexpr.c. Both allocate from the arena defined here.
 *
 * Growable arrays (g->values, n->named, ...) are arena blocks whose capacity is implied by their
 * count: the smallest power of two >= count, at least 4. An array is reallocated when an append
 * finds count at such a capacity, so no capacity field is needed; shrinking a count in place
 * (as dead-node removal does) keeps that rule safe because the real capacity only grows.
 *
 * Functions returning void cannot report running out of memory: they leave the graph unchanged
 * and set a flag that aoti_graph_verify reports.
 */
#include "ir/ir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ir/ir_private.h"

//===----------------------------------------------------------------------===//
// Arena
//===----------------------------------------------------------------------===//

enum {
  IR_ALIGN = 64,
  IR_CHUNK_SIZE = 64 * 1024,
  IR_LARGE_ALLOC = IR_CHUNK_SIZE / 4, /* larger requests get a chunk of their own */
};

/* A chunk is one aligned malloc: this header, padded to IR_ALIGN, then the data. */
struct ir_chunk {
  ir_chunk *next;
  size_t size; /* data bytes */
  size_t used;
};

static size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

static unsigned char *chunk_data(ir_chunk *c) { return (unsigned char *)c + round_up(sizeof *c, IR_ALIGN); }

static ir_chunk *chunk_new(size_t data_size) {
  size_t header = round_up(sizeof(ir_chunk), IR_ALIGN);
  if (data_size > SIZE_MAX - header - IR_ALIGN) return NULL;
  ir_chunk *c = aligned_alloc(IR_ALIGN, round_up(header + data_size, IR_ALIGN));
  if (!c) return NULL;
  c->next = NULL;
  c->size = data_size;
  c->used = 0;
  return c;
}

/* A block of `size` bytes from g's arena, zeroed unless `uninitialised` (for callers that write
 * all of it at once: a weight's copy need not be written twice). */
static void *graph_alloc(aoti_graph *g, size_t size, bool uninitialised) {
  ir_private *p = ir_private_of(g);
  size_t need = round_up(size ? size : 1, IR_ALIGN);
  if (need < size) return NULL; /* overflow */
  if (need > IR_LARGE_ALLOC) {
    /* Its own chunk, linked after the current one so small allocations keep filling that. */
    ir_chunk *big = chunk_new(need);
    if (!big) return NULL;
    big->used = need;
    big->next = p->current->next;
    p->current->next = big;
    if (!uninitialised) memset(chunk_data(big), 0, need);
    return chunk_data(big);
  }
  if (p->current->size - p->current->used < need) {
    ir_chunk *fresh = chunk_new(IR_CHUNK_SIZE);
    if (!fresh) return NULL;
    fresh->next = p->current;
    p->current = fresh;
  }
  unsigned char *out = chunk_data(p->current) + p->current->used;
  p->current->used += need;
  if (!uninitialised) memset(out, 0, need);
  return out;
}

void *aoti_graph_alloc(aoti_graph *g, size_t size) { return graph_alloc(g, size, false); }

const char *aoti_graph_strdup(aoti_graph *g, const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *copy = aoti_graph_alloc(g, n);
  if (copy) memcpy(copy, s, n);
  return copy;
}

/* Makes room for one more element in an arena array holding `count` elements (see top). */
static bool array_reserve(aoti_graph *g, void **array, int32_t count, size_t elem_size) {
  bool full = count == 0 || (count >= 4 && (count & (count - 1)) == 0);
  if (full || !*array) {
    size_t capacity = count < 4 ? 4 : (size_t)count * 2;
    void *bigger = aoti_graph_alloc(g, capacity * elem_size);
    if (!bigger) {
      ir_private_of(g)->out_of_memory = true;
      return false;
    }
    if (count > 0) memcpy(bigger, *array, (size_t)count * elem_size);
    *array = bigger;
  }
  return true;
}

#define IR_RESERVE(g, array, count) array_reserve((g), (void **)&(array), (count), sizeof *(array))

aoti_graph *aoti_graph_create(void) {
  aoti_graph *g = calloc(1, sizeof *g);
  ir_private *p = calloc(1, sizeof *p);
  ir_chunk *first = chunk_new(IR_CHUNK_SIZE);
  if (!g || !p || !first) {
    free(g);
    free(p);
    free(first);
    return NULL;
  }
  p->current = first;
  g->arena = p;
  return g;
}

void aoti_graph_destroy(aoti_graph *g) {
  if (!g) return;
  ir_private *p = ir_private_of(g);
  for (ir_chunk *c = p->current, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  ir_sx_table_free(p);
  free(p);
  free(g);
}

//===----------------------------------------------------------------------===//
// Building
//===----------------------------------------------------------------------===//

int32_t aoti_graph_add_symbol(aoti_graph *g, const char *name, int64_t min, int64_t max) {
  if (!IR_RESERVE(g, g->symbols, g->num_symbols)) return -1;
  const char *copy = aoti_graph_strdup(g, name);
  if (!copy) {
    ir_private_of(g)->out_of_memory = true;
    return -1;
  }
  aoti_symbol *s = &g->symbols[g->num_symbols];
  s->name = copy;
  s->min = min;
  s->max = max;
  return g->num_symbols++;
}

int32_t aoti_graph_find_symbol(const aoti_graph *g, const char *name) {
  for (int32_t i = 0; i < g->num_symbols; i++)
    if (strcmp(g->symbols[i].name, name) == 0) return i;
  return -1;
}

aoti_value *aoti_graph_add_value(aoti_graph *g, const char *name, aoti_dtype dtype, int32_t rank,
                                 const aoti_sx *const *dims) {
  if (rank < 0 || rank > AOTI_MAX_RANK) return NULL;
  aoti_value *v = aoti_graph_alloc(g, sizeof *v);
  if (!v || !IR_RESERVE(g, g->values, g->num_values)) return NULL;
  v->name = aoti_graph_strdup(g, name);
  if (!v->name) return NULL;
  v->dtype = dtype;
  v->rank = rank;
  for (int32_t i = 0; i < rank; i++) v->dims[i] = dims[i];
  v->kind = AOTI_VALUE_INTERMEDIATE;
  v->index = -1;
  v->id = g->num_values;
  g->values[g->num_values++] = v;
  return v;
}

aoti_value *aoti_graph_find_value(const aoti_graph *g, const char *name) {
  for (int32_t i = 0; i < g->num_values; i++)
    if (strcmp(g->values[i]->name, name) == 0) return g->values[i];
  return NULL;
}

void aoti_graph_add_input(aoti_graph *g, aoti_value *v) {
  if (!IR_RESERVE(g, g->inputs, g->num_inputs)) return;
  v->kind = AOTI_VALUE_INPUT;
  v->index = g->num_inputs;
  g->inputs[g->num_inputs++] = v;
}

aoti_constant *aoti_graph_add_constant(aoti_graph *g, const char *fqn, aoti_value *v,
                                       const void *data, size_t nbytes, aoti_constant_kind kind) {
  if (!IR_RESERVE(g, g->constants, g->num_constants)) return NULL;
  const char *name = aoti_graph_strdup(g, fqn);
  void *copy = graph_alloc(g, nbytes, data && nbytes); /* large blocks get their own chunk */
  if (!name || !copy) {
    ir_private_of(g)->out_of_memory = true;
    return NULL;
  }
  if (data && nbytes) memcpy(copy, data, nbytes);
  aoti_constant *c = &g->constants[g->num_constants];
  c->fqn = name;
  c->value = v;
  c->kind = kind;
  c->data = copy;
  c->nbytes = nbytes;
  v->kind = AOTI_VALUE_CONSTANT;
  v->index = g->num_constants++;
  return c;
}

aoti_node *aoti_graph_add_node(aoti_graph *g, const char *target, const char *name) {
  aoti_node *n = aoti_graph_alloc(g, sizeof *n);
  if (!n || !IR_RESERVE(g, g->nodes, g->num_nodes)) return NULL;
  n->target = aoti_graph_strdup(g, target);
  n->name = aoti_graph_strdup(g, name);
  if (!n->target || !n->name) {
    ir_private_of(g)->out_of_memory = true;
    return NULL;
  }
  n->id = g->num_nodes;
  g->nodes[g->num_nodes++] = n;
  return n;
}

void aoti_node_add_named(aoti_graph *g, aoti_node *n, const char *arg_name, aoti_arg arg) {
  const char *name = aoti_graph_strdup(g, arg_name);
  if (!name) {
    ir_private_of(g)->out_of_memory = true;
    return;
  }
  if (!IR_RESERVE(g, n->named, n->num_named)) return;
  n->named[n->num_named].name = name;
  n->named[n->num_named].arg = arg;
  n->num_named++;
}

void aoti_node_add_output(aoti_graph *g, aoti_node *n, aoti_value *v) {
  if (!IR_RESERVE(g, n->outputs, n->num_outputs)) return;
  n->outputs[n->num_outputs++] = v;
  v->producer = n;
}

void aoti_graph_add_output(aoti_graph *g, const char *name, aoti_value *v) {
  const char *copy = aoti_graph_strdup(g, name);
  if (!copy) {
    ir_private_of(g)->out_of_memory = true;
    return;
  }
  if (!IR_RESERVE(g, g->outputs, g->num_outputs)) return;
  g->outputs[g->num_outputs].name = copy;
  g->outputs[g->num_outputs].value = v;
  g->num_outputs++;
}

void aoti_graph_add_mutation(aoti_graph *g, const char *buffer_name, aoti_value *v) {
  const char *copy = aoti_graph_strdup(g, buffer_name);
  if (!copy) {
    ir_private_of(g)->out_of_memory = true;
    return;
  }
  if (!IR_RESERVE(g, g->mutations, g->num_mutations)) return;
  g->mutations[g->num_mutations].buffer_name = copy;
  g->mutations[g->num_mutations].value = v;
  g->num_mutations++;
}

void aoti_graph_set_meta(aoti_graph *g, const char *key, const char *value) {
  const char *value_copy = aoti_graph_strdup(g, value);
  if (!value_copy) {
    ir_private_of(g)->out_of_memory = true;
    return;
  }
  for (int32_t i = 0; i < g->num_meta; i++) {
    if (strcmp(g->meta_keys[i], key) == 0) {
      g->meta_values[i] = value_copy;
      return;
    }
  }
  const char *key_copy = aoti_graph_strdup(g, key);
  if (!key_copy) {
    ir_private_of(g)->out_of_memory = true;
    return;
  }
  /* Both arrays always hold num_meta entries, so reserving one keeps them in step. */
  if (!IR_RESERVE(g, g->meta_keys, g->num_meta) || !IR_RESERVE(g, g->meta_values, g->num_meta)) return;
  g->meta_keys[g->num_meta] = key_copy;
  g->meta_values[g->num_meta] = value_copy;
  g->num_meta++;
}

const char *aoti_graph_get_meta(const aoti_graph *g, const char *key) {
  for (int32_t i = 0; i < g->num_meta; i++)
    if (strcmp(g->meta_keys[i], key) == 0) return g->meta_values[i];
  return NULL;
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

aoti_arg aoti_arg_none(void) { return (aoti_arg){.kind = AOTI_ARG_NONE}; }
aoti_arg aoti_arg_tensor(aoti_value *v) { return (aoti_arg){.kind = AOTI_ARG_TENSOR, .tensor = v}; }
aoti_arg aoti_arg_int(int64_t i) { return (aoti_arg){.kind = AOTI_ARG_INT, .i = i}; }
aoti_arg aoti_arg_symint(const aoti_sx *e) { return (aoti_arg){.kind = AOTI_ARG_SYMINT, .sx = e}; }
aoti_arg aoti_arg_float(double f) { return (aoti_arg){.kind = AOTI_ARG_FLOAT, .f = f}; }
aoti_arg aoti_arg_bool(bool b) { return (aoti_arg){.kind = AOTI_ARG_BOOL, .b = b}; }

aoti_arg aoti_arg_string(aoti_graph *g, const char *s) {
  const char *copy = aoti_graph_strdup(g, s);
  if (!copy) ir_private_of(g)->out_of_memory = true;
  return (aoti_arg){.kind = AOTI_ARG_STRING, .s = copy};
}

aoti_arg aoti_arg_list(aoti_graph *g, aoti_arg_kind kind, const aoti_arg *items, int32_t count) {
  aoti_arg out = {.kind = kind, .count = count};
  out.list = aoti_graph_alloc(g, (size_t)(count > 0 ? count : 0) * sizeof *items);
  if (!out.list) {
    ir_private_of(g)->out_of_memory = true;
    out.count = 0;
    return out;
  }
  if (count > 0) memcpy(out.list, items, (size_t)count * sizeof *items);
  return out;
}

bool aoti_arg_get_int(const aoti_arg *a, int64_t *out_value) {
  switch (a->kind) {
    case AOTI_ARG_INT:
    case AOTI_ARG_SCALAR_TYPE:
    case AOTI_ARG_LAYOUT:
    case AOTI_ARG_MEMORY_FORMAT:
      if (out_value) *out_value = a->i;
      return true;
    case AOTI_ARG_SYMINT: return a->sx && aoti_sx_is_const(a->sx, out_value);
    default: return false;
  }
}

//===----------------------------------------------------------------------===//
// Whole-graph utilities
//===----------------------------------------------------------------------===//

aoti_value *aoti_node_tensor_arg(const aoti_node *n, int32_t index) {
  return index >= 0 && index < n->num_args && n->args[index].kind == AOTI_ARG_TENSOR ? n->args[index].tensor : NULL;
}

const aoti_sx *aoti_value_numel(aoti_graph *g, const aoti_value *v) {
  const aoti_sx *n = aoti_sx_const(g, 1);
  for (int32_t i = 0; i < v->rank && n; i++) n = aoti_sx_mul(g, n, v->dims[i]);
  return n;
}

/* The arguments that count for a node: bound ones once op binding ran, raw ones before. */
typedef void (*arg_visitor)(aoti_arg *arg, void *ctx);

static void visit_arg(aoti_arg *arg, arg_visitor visit, void *ctx) {
  visit(arg, ctx);
  if (arg->kind == AOTI_ARG_TENSORS || arg->kind == AOTI_ARG_LIST)
    for (int32_t i = 0; i < arg->count; i++) visit_arg(&arg->list[i], visit, ctx);
}

static void visit_node_args(aoti_node *n, arg_visitor visit, void *ctx) {
  if (n->op) {
    for (int32_t i = 0; i < n->num_args; i++) visit_arg(&n->args[i], visit, ctx);
  } else {
    for (int32_t i = 0; i < n->num_named; i++) visit_arg(&n->named[i].arg, visit, ctx);
  }
}

typedef struct replace_ctx {
  aoti_value *from;
  aoti_value *to;
} replace_ctx;

static void replace_in_arg(aoti_arg *arg, void *ctx) {
  replace_ctx *r = ctx;
  if (arg->kind == AOTI_ARG_TENSOR && arg->tensor == r->from) arg->tensor = r->to;
}

void aoti_graph_replace_uses(aoti_graph *g, aoti_value *from, aoti_value *to) {
  replace_ctx r = {from, to};
  for (int32_t i = 0; i < g->num_nodes; i++) {
    aoti_node *n = g->nodes[i];
    /* Both views of the arguments, so a bound node's raw list stays consistent too. */
    for (int32_t k = 0; k < n->num_args; k++) visit_arg(&n->args[k], replace_in_arg, &r);
    for (int32_t k = 0; k < n->num_named; k++) visit_arg(&n->named[k].arg, replace_in_arg, &r);
  }
  for (int32_t i = 0; i < g->num_outputs; i++)
    if (g->outputs[i].value == from) g->outputs[i].value = to;
  for (int32_t i = 0; i < g->num_mutations; i++)
    if (g->mutations[i].value == from) g->mutations[i].value = to;
}

static void mark_used(aoti_arg *arg, void *ctx) {
  bool *used = ctx;
  if (arg->kind == AOTI_ARG_TENSOR && arg->tensor) used[arg->tensor->id] = true;
}

static bool node_is_live(const aoti_node *n, const bool *used) {
  for (int32_t k = 0; k < n->num_outputs; k++)
    if (used[n->outputs[k]->id]) return true;
  return false;
}

/* Drops the values produced by dead nodes from g->values and renumbers value ids. Mutations that
 * named such a value keep their (now detached) value for messages. */
static void compact_values(aoti_graph *g, const bool *node_dead) {
  int32_t kept = 0;
  for (int32_t i = 0; i < g->num_values; i++) {
    aoti_value *v = g->values[i];
    if (v->producer && node_dead[v->producer->id]) continue;
    v->id = kept;
    g->values[kept++] = v;
  }
  g->num_values = kept;
}

/* Mutations do not keep their producers alive, so a mutation whose value is about to be removed
 * is dropped with it (it would otherwise point at a value no longer in the graph). */
static void drop_dead_mutations(aoti_graph *g, const bool *dead) {
  int32_t kept = 0;
  for (int32_t i = 0; i < g->num_mutations; i++) {
    const aoti_node *p = g->mutations[i].value->producer;
    if (p && dead[p->id]) continue;
    g->mutations[kept++] = g->mutations[i];
  }
  g->num_mutations = kept;
}

void aoti_graph_remove_dead_nodes(aoti_graph *g) {
  bool *used = calloc((size_t)g->num_values + 1, sizeof *used);
  bool *dead = calloc((size_t)g->num_nodes + 1, sizeof *dead);
  if (!used || !dead) {
    free(used);
    free(dead);
    ir_private_of(g)->out_of_memory = true;
    return;
  }
  for (int32_t i = 0; i < g->num_outputs; i++) used[g->outputs[i].value->id] = true;
  /* Reverse topological order: a node's users are all seen before it. */
  for (int32_t i = g->num_nodes - 1; i >= 0; i--) {
    aoti_node *n = g->nodes[i];
    if (node_is_live(n, used))
      visit_node_args(n, mark_used, used);
    else
      dead[i] = true;
  }
  drop_dead_mutations(g, dead);
  compact_values(g, dead);
  int32_t kept = 0;
  for (int32_t i = 0; i < g->num_nodes; i++) {
    if (dead[i]) continue;
    g->nodes[i]->id = kept;
    g->nodes[kept++] = g->nodes[i];
  }
  g->num_nodes = kept;
  free(used);
  free(dead);
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

/* First broken invariant found while walking arguments, as a status with its message. */
typedef struct verify_ctx {
  const aoti_graph *g;
  const aoti_node *node;
  aoti_status status;
} verify_ctx;

static bool value_in_graph(const aoti_graph *g, const aoti_value *v) {
  return v && v->id >= 0 && v->id < g->num_values && g->values[v->id] == v;
}

/* Whether `v` is available before node position `before` (an input, a constant, or the output of
 * an earlier node of this graph). */
static bool value_defined_before(const aoti_graph *g, const aoti_value *v, int32_t before) {
  if (!value_in_graph(g, v)) return false;
  if (v->kind != AOTI_VALUE_INTERMEDIATE) return true;
  const aoti_node *p = v->producer;
  return p && p->id >= 0 && p->id < before && g->nodes[p->id] == p;
}

static bool sx_symbols_valid(const aoti_graph *g, const aoti_sx *e) {
  if (!e) return false;
  switch (e->kind) {
    case AOTI_SX_CONST: return true;
    case AOTI_SX_SYM: return e->sym >= 0 && e->sym < g->num_symbols;
    default: return sx_symbols_valid(g, e->a) && sx_symbols_valid(g, e->b);
  }
}

static void verify_arg(aoti_arg *arg, void *ctx) {
  verify_ctx *v = ctx;
  if (v->status != AOTI_OK) return;
  if (arg->kind == AOTI_ARG_TENSOR && !value_defined_before(v->g, arg->tensor, v->node->id))
    v->status = aoti_error_set(AOTI_ERROR_INTERNAL,
                               "graph check: node '%s' (%s) uses value '%s', which is not defined "
                               "before it",
                               v->node->name, v->node->target, arg->tensor ? arg->tensor->name : "(null)");
  if (arg->kind == AOTI_ARG_SYMINT && !sx_symbols_valid(v->g, arg->sx))
    v->status = aoti_error_set(AOTI_ERROR_INTERNAL,
                               "graph check: node '%s' has a size argument with an unknown symbol",
                               v->node->name);
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name that occurs twice among `count` names (sorted copy: O(n log n)), or NULL.
 * *out_failed is set when the copy could not be made. */
static const char *find_duplicate_name(const char *const *names, int32_t count, bool *out_failed) {
  const char **sorted = malloc(((size_t)count + 1) * sizeof *sorted);
  *out_failed = sorted == NULL;
  if (!sorted) return NULL;
  memcpy(sorted, names, (size_t)count * sizeof *sorted);
  qsort(sorted, (size_t)count, sizeof *sorted, compare_names);
  const char *dup = NULL;
  for (int32_t i = 1; i < count && !dup; i++)
    if (strcmp(sorted[i - 1], sorted[i]) == 0) dup = sorted[i];
  free(sorted);
  return dup;
}

/* Fails when two of the graph's values (or, with `nodes`, two of its nodes) share a name. */
static aoti_status verify_unique_names(const aoti_graph *g, bool nodes) {
  int32_t count = nodes ? g->num_nodes : g->num_values;
  const char **names = malloc(((size_t)count + 1) * sizeof *names);
  if (!names) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "graph check: out of memory");
  for (int32_t i = 0; i < count; i++) names[i] = nodes ? g->nodes[i]->name : g->values[i]->name;
  bool failed = false;
  const char *dup = find_duplicate_name(names, count, &failed);
  aoti_status st = AOTI_OK;
  if (failed)
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "graph check: out of memory");
  else if (dup)
    st = aoti_error_set(AOTI_ERROR_INTERNAL, "graph check: two %s are named '%s'", nodes ? "nodes" : "values", dup);
  free(names);
  return st;
}

static aoti_status verify_values(const aoti_graph *g) {
  for (int32_t i = 0; i < g->num_values; i++) {
    const aoti_value *v = g->values[i];
    if (v->id != i)
      return aoti_error_set(AOTI_ERROR_INTERNAL, "graph check: value '%s' has id %d at position %d",
                            v->name, v->id, i);
    for (int32_t d = 0; d < v->rank; d++)
      if (!sx_symbols_valid(g, v->dims[d]))
        return aoti_error_set(AOTI_ERROR_INTERNAL,
                              "graph check: value '%s' dim %d is missing or uses an unknown symbol",
                              v->name, d);
  }
  aoti_status st = verify_unique_names(g, false);
  if (st != AOTI_OK) return st;
  for (int32_t i = 0; i < g->num_inputs; i++)
    if (g->inputs[i]->kind != AOTI_VALUE_INPUT || g->inputs[i]->index != i ||
        !value_in_graph(g, g->inputs[i]))
      return aoti_error_set(AOTI_ERROR_INTERNAL, "graph check: input %d ('%s') is not marked as input %d",
                            i, g->inputs[i]->name, i);
  for (int32_t i = 0; i < g->num_constants; i++) {
    const aoti_value *v = g->constants[i].value;
    if (!value_in_graph(g, v) || v->kind != AOTI_VALUE_CONSTANT || v->index != i)
      return aoti_error_set(AOTI_ERROR_INTERNAL, "graph check: constant %d ('%s') has no matching value",
                            i, g->constants[i].fqn);
  }
  return AOTI_OK;
}

static aoti_status verify_nodes(const aoti_graph *g) {
  aoti_status st = verify_unique_names(g, true);
  if (st != AOTI_OK) return st;
  for (int32_t i = 0; i < g->num_nodes; i++) {
    aoti_node *n = g->nodes[i];
    if (n->id != i)
      return aoti_error_set(AOTI_ERROR_INTERNAL, "graph check: node '%s' has id %d at position %d",
                            n->name, n->id, i);
    verify_ctx ctx = {g, n, AOTI_OK};
    visit_node_args(n, verify_arg, &ctx);
    if (ctx.status != AOTI_OK) return ctx.status;
    for (int32_t k = 0; k < n->num_outputs; k++) {
      const aoti_value *out = n->outputs[k];
      if (!value_in_graph(g, out) || out->producer != n || out->kind != AOTI_VALUE_INTERMEDIATE)
        return aoti_error_set(AOTI_ERROR_INTERNAL,
                              "graph check: output %d ('%s') of node '%s' is not a value it produces",
                              k, out ? out->name : "(null)", n->name);
    }
  }
  return AOTI_OK;
}

aoti_status aoti_graph_verify(const aoti_graph *g) {
  if (ir_private_of(g)->out_of_memory)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "graph check: an allocation failed while building the graph");
  aoti_status st = verify_values(g);
  if (st == AOTI_OK) st = verify_nodes(g);
  if (st != AOTI_OK) return st;
  for (int32_t i = 0; i < g->num_outputs; i++)
    if (!value_defined_before(g, g->outputs[i].value, g->num_nodes))
      return aoti_error_set(AOTI_ERROR_INTERNAL, "graph check: graph output '%s' is not a defined value",
                            g->outputs[i].name);
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Dump
//===----------------------------------------------------------------------===//

static void dump_sx(const aoti_graph *g, const aoti_sx *e, FILE *f) {
  char small[128];
  int n = aoti_sx_to_string(g, e, small, sizeof small);
  if (n < (int)sizeof small) {
    fputs(small, f);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) return;
  aoti_sx_to_string(g, e, big, (size_t)n + 1);
  fputs(big, f);
  free(big);
}

static void dump_value_type(const aoti_graph *g, const aoti_value *v, FILE *f) {
  fprintf(f, "%s[", aoti_dtype_name(v->dtype));
  for (int32_t d = 0; d < v->rank; d++) {
    if (d) fputs(", ", f);
    dump_sx(g, v->dims[d], f);
  }
  fputs("]", f);
}

static void dump_arg(const aoti_graph *g, const aoti_arg *a, FILE *f) {
  switch (a->kind) {
    case AOTI_ARG_NONE: fputs("None", f); break;
    case AOTI_ARG_TENSOR: fprintf(f, "%%%s", a->tensor ? a->tensor->name : "(null)"); break;
    case AOTI_ARG_INT: fprintf(f, "%lld", (long long)a->i); break;
    case AOTI_ARG_SYMINT: dump_sx(g, a->sx, f); break;
    case AOTI_ARG_FLOAT: fprintf(f, "%g", a->f); break;
    case AOTI_ARG_BOOL: fputs(a->b ? "True" : "False", f); break;
    case AOTI_ARG_STRING: fprintf(f, "\"%s\"", a->s ? a->s : ""); break;
    case AOTI_ARG_SCALAR_TYPE: fprintf(f, "%s", aoti_dtype_name((aoti_dtype)a->i)); break;
    case AOTI_ARG_LAYOUT: fprintf(f, "layout(%lld)", (long long)a->i); break;
    case AOTI_ARG_MEMORY_FORMAT: fprintf(f, "memory_format(%lld)", (long long)a->i); break;
    case AOTI_ARG_DEVICE: fprintf(f, "device(%s, %lld)", a->s ? a->s : "", (long long)a->i); break;
    case AOTI_ARG_TENSORS:
    case AOTI_ARG_LIST:
      fputs("[", f);
      for (int32_t i = 0; i < a->count; i++) {
        if (i) fputs(", ", f);
        dump_arg(g, &a->list[i], f);
      }
      fputs("]", f);
      break;
  }
}

static void dump_node(const aoti_graph *g, const aoti_node *n, FILE *f) {
  fputs("  ", f);
  for (int32_t k = 0; k < n->num_outputs; k++) {
    if (k) fputs(", ", f);
    fprintf(f, "%%%s: ", n->outputs[k]->name);
    dump_value_type(g, n->outputs[k], f);
  }
  fprintf(f, " = %s(", n->target);
  if (n->op) {
    for (int32_t i = 0; i < n->num_args; i++) {
      if (i) fputs(", ", f);
      dump_arg(g, &n->args[i], f);
    }
  } else {
    for (int32_t i = 0; i < n->num_named; i++) {
      if (i) fputs(", ", f);
      fprintf(f, "%s=", n->named[i].name);
      dump_arg(g, &n->named[i].arg, f);
    }
  }
  fprintf(f, ")");
  if (n->epilogue_residual) fprintf(f, " + %%%s", n->epilogue_residual->name);
  if (n->epilogue_act) fprintf(f, " then activation %d", n->epilogue_act);
  if (n->variant) fprintf(f, " variant %d", n->variant);
  fprintf(f, "  # %s\n", n->name);
}

void aoti_graph_dump(const aoti_graph *g, void *file) {
  FILE *f = file;
  for (int32_t i = 0; i < g->num_symbols; i++)
    fprintf(f, "symbol %s in [%lld, %lld]\n", g->symbols[i].name, (long long)g->symbols[i].min,
            (long long)g->symbols[i].max);
  for (int32_t i = 0; i < g->num_inputs; i++) {
    fprintf(f, "input %d %%%s: ", i, g->inputs[i]->name);
    dump_value_type(g, g->inputs[i], f);
    fputs("\n", f);
  }
  for (int32_t i = 0; i < g->num_constants; i++) {
    fprintf(f, "constant %d %%%s (%s, %zu bytes): ", i, g->constants[i].value->name, g->constants[i].fqn,
            g->constants[i].nbytes);
    dump_value_type(g, g->constants[i].value, f);
    fputs("\n", f);
  }
  for (int32_t i = 0; i < g->num_nodes; i++) dump_node(g, g->nodes[i], f);
  for (int32_t i = 0; i < g->num_outputs; i++)
    fprintf(f, "output %s = %%%s\n", g->outputs[i].name, g->outputs[i].value->name);
  for (int32_t i = 0; i < g->num_mutations; i++)
    fprintf(f, "mutation %s <- %%%s\n", g->mutations[i].buffer_name, g->mutations[i].value->name);
  for (int32_t i = 0; i < g->num_meta; i++)
    fprintf(f, "meta %s = %s\n", g->meta_keys[i], g->meta_values[i]);
}
