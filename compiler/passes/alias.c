/* alias.c — the alias pass. Every AOTI_LOWER_VIEW node (view, _unsafe_view, squeeze, unsqueeze,
 * alias, detach) has a contiguous input here, so its output is an alias: the same bytes under
 * another shape. Memory planning gives an alias its root's storage (aoti_pass_alias_root) and
 * codegen emits nothing for it. This pass removes the views that do not even change the shape
 * (alias, detach, a view to the same sizes) by using their input directly. */
#include "passes/pass_util.h"
#include "passes/passes.h"

static bool same_shape(const aoti_value *a, const aoti_value *b) {
  if (a->rank != b->rank || a->dtype != b->dtype) return false;
  for (int32_t d = 0; d < a->rank; ++d)
    if (a->dims[d] != b->dims[d]) return false; /* expressions are hash-consed */
  return true;
}

aoti_status aoti_pass_alias_views(aoti_graph *g) {
  bool changed = false;
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    aoti_node *n = g->nodes[i];
    if (!aoti_pass_is_alias(n)) continue;
    aoti_value *in = aoti_pass_first_tensor(n);
    if (!same_shape(in, n->outputs[0])) continue;
    aoti_graph_replace_uses(g, n->outputs[0], in);
    changed = true;
  }
  if (changed) aoti_graph_remove_dead_nodes(g);
  return aoti_graph_verify(g);
}
