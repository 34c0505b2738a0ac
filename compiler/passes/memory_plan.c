/* memory_plan.c — memory planning: every intermediate value that owns bytes gets an offset in one
 * arena, with space reused by lifetime (greedy slots).
 *
 * A value's storage is its alias root's (aoti_pass_alias_root). Roots that are user inputs or
 * constants live in caller/constant buffers, and a root that any graph output aliases lives in
 * that output's buffer, so none of these are planned. The rest are placed in slots: walking the
 * nodes in order, a node's new roots take a slot whose last reader ran before this node (one of
 * the same size if there is one, else the first whose size bounds order against the value's), or a
 * new slot. A slot's size is the largest of its values' sizes, each rounded up to
 * AOTI_ABI_ALIGNMENT; slot offsets are running sums. All sizes
 * and offsets are expressions over the symbols, so the plan holds for every size in range. */
#include <stdlib.h>

#include "aoti/abi.h"
#include "error.h"
#include "passes/pass_util.h"
#include "passes/passes.h"

typedef struct slot {
  const aoti_sx *size;
  int32_t last_use; /* node index of the last reader of the value now in the slot */
} slot;

typedef struct plan_state {
  aoti_value **root;     /* per value id */
  int32_t *last_use;     /* per root value id: last node reading it or an alias of it */
  bool *in_output;       /* per root value id: a graph output aliases it */
  int32_t *slot_of;      /* per root value id, -1 when not planned */
  slot *slots;
  int32_t num_slots;
} plan_state;

static void mark_reads(plan_state *s, const aoti_arg *a, int32_t node_index) {
  if (a->kind == AOTI_ARG_TENSOR && a->tensor) {
    const int32_t r = s->root[a->tensor->id]->id;
    if (s->last_use[r] < node_index) s->last_use[r] = node_index;
  }
  if (a->kind == AOTI_ARG_TENSORS)
    for (int32_t k = 0; k < a->count; ++k) mark_reads(s, &a->list[k], node_index);
}

static void analyse_lifetimes(const aoti_graph *g, plan_state *s) {
  for (int32_t v = 0; v < g->num_values; ++v) {
    s->root[v] = aoti_pass_alias_root(g->values[v]);
    s->last_use[v] = g->values[v]->producer ? g->values[v]->producer->id : -1;
    s->slot_of[v] = -1;
  }
  for (int32_t i = 0; i < g->num_nodes; ++i)
    for (int32_t k = 0; k < g->nodes[i]->num_args; ++k) mark_reads(s, &g->nodes[i]->args[k], i);
  for (int32_t o = 0; o < g->num_outputs; ++o) s->in_output[s->root[g->outputs[o].value->id]->id] = true;
}

static const aoti_sx *aligned_bytes(aoti_graph *g, const aoti_value *v) {
  const aoti_sx *bytes = aoti_sx_mul(g, aoti_value_numel(g, v),
                                     aoti_sx_const(g, (int64_t)aoti_dtype_size(v->dtype)));
  const aoti_sx *align = aoti_sx_const(g, AOTI_ABI_ALIGNMENT);
  return aoti_sx_mul(g, aoti_sx_floordiv(g, aoti_sx_add(g, bytes, aoti_sx_const(g, AOTI_ABI_ALIGNMENT - 1)), align), align);
}

/* Whether a >= b for every symbol value in range (by the bounds of a - b). */
static bool provably_ge(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (a == b) return true;
  const aoti_sx *d = aoti_sx_sub(g, a, b);
  int64_t lo = 0, hi = 0;
  if (!d) return false;
  aoti_sx_bounds(g, d, &lo, &hi);
  return lo >= 0;
}

/* A free slot for `size`: one of the same size, else the first that holds it or that it holds
 * (the slot then grows to it). Slots are never sized max(a, b) of sizes no bound orders: such
 * maxima nest through the running offsets and the expressions grow with every slot. */
static int32_t pick_slot(aoti_graph *g, plan_state *s, const aoti_sx *size, int32_t node_index) {
  int32_t fitting = -1;
  for (int32_t k = 0; k < s->num_slots; ++k) {
    if (s->slots[k].last_use >= node_index) continue;
    if (s->slots[k].size == size) return k;
    if (fitting < 0 && (provably_ge(g, s->slots[k].size, size) || provably_ge(g, size, s->slots[k].size)))
      fitting = k;
  }
  return fitting;
}

static void place_root(aoti_graph *g, plan_state *s, aoti_value *v, int32_t node_index) {
  const aoti_sx *size = aligned_bytes(g, v);
  int32_t k = pick_slot(g, s, size, node_index);
  if (k < 0) {
    k = s->num_slots++;
    s->slots[k].size = size;
  } else if (s->slots[k].size != size && !provably_ge(g, s->slots[k].size, size)) {
    s->slots[k].size = size; /* pick_slot checked size >= the slot's */
  }
  s->slots[k].last_use = s->last_use[v->id];
  s->slot_of[v->id] = k;
}

static bool is_planned_root(const plan_state *s, const aoti_value *v) {
  return v->kind == AOTI_VALUE_INTERMEDIATE && s->root[v->id] == v && !s->in_output[v->id];
}

static bool write_plan(aoti_graph *g, plan_state *s, aoti_memory_plan *plan) {
  const aoti_sx **slot_offsets = aoti_graph_alloc(g, sizeof(aoti_sx *) * (size_t)(s->num_slots + 1));
  if (!slot_offsets) return false;
  const aoti_sx *offset = aoti_sx_const(g, 0);
  for (int32_t k = 0; k < s->num_slots; ++k) {
    slot_offsets[k] = offset;
    offset = aoti_sx_add(g, offset, s->slots[k].size);
  }
  plan->num_values = g->num_values;
  plan->arena_bytes = offset;
  for (int32_t v = 0; v < g->num_values; ++v) {
    const int32_t k = s->slot_of[s->root[v]->id];
    plan->offsets[v] = k >= 0 ? slot_offsets[k] : NULL;
  }
  return true;
}

aoti_status aoti_pass_plan_memory(aoti_graph *g, aoti_memory_plan *out_plan) {
  const size_t n = (size_t)g->num_values + 1;
  plan_state s = {calloc(n, sizeof(aoti_value *)), calloc(n, sizeof(int32_t)), calloc(n, sizeof(bool)),
                  calloc(n, sizeof(int32_t)), calloc(n, sizeof(slot)), 0};
  const aoti_sx **offsets = aoti_graph_alloc(g, sizeof(aoti_sx *) * n);
  aoti_status st = AOTI_OK;
  if (!s.root || !s.last_use || !s.in_output || !s.slot_of || !s.slots || !offsets) {
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory planning %d values", g->num_values);
  } else {
    analyse_lifetimes(g, &s);
    for (int32_t i = 0; i < g->num_nodes; ++i)
      for (int32_t k = 0; k < g->nodes[i]->num_outputs; ++k)
        if (is_planned_root(&s, g->nodes[i]->outputs[k])) place_root(g, &s, g->nodes[i]->outputs[k], i);
    aoti_memory_plan plan = {0, offsets, NULL};
    if (!write_plan(g, &s, &plan))
      st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory planning %d values", g->num_values);
    else /* reports an allocation that failed inside the expression builders */
      st = aoti_graph_verify(g);
    if (st == AOTI_OK) *out_plan = plan;
  }
  free(s.root);
  free(s.last_use);
  free(s.in_output);
  free(s.slot_of);
  free(s.slots);
  return st;
}
