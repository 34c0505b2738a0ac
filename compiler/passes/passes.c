/* passes.c — the pass pipeline: decompose, fold constants, alias views, drop dead nodes, with a
 * graph check after each (aoti_passes_run). */
#include "passes/passes.h"

#include <string.h>

#include "error.h"

static int32_t count_folded(const aoti_graph *g) {
  int32_t count = 0;
  for (int32_t i = 0; i < g->num_constants; ++i)
    count += g->constants[i].kind == AOTI_CONSTANT_FOLDED;
  return count;
}

void aoti_pass_options_init(aoti_pass_options *options) { memset(options, 0, sizeof *options); }

aoti_status aoti_passes_run(aoti_graph *g, const aoti_pass_options *options, aoti_pass_stats *stats) {
  const int32_t nodes_before = g->num_nodes, folded_before = count_folded(g);
  aoti_status st = aoti_pass_functionalize(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass functionalize");
  st = aoti_pass_decompose(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass decompose");
  st = aoti_pass_fold_batchnorm(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass fold_batchnorm");
  st = aoti_pass_prepack(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass prepack");
  st = aoti_pass_fold_constants(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass fold_constants");
  st = aoti_pass_prepack_gemm(g, options);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass prepack_gemm");
  st = aoti_pass_alias_views(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass alias_views");
  st = aoti_pass_fuse_epilogues(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "pass fuse_epilogues");
  aoti_graph_remove_dead_nodes(g);
  st = aoti_graph_verify(g);
  if (st != AOTI_OK) return aoti_error_prefix(st, "dead-node removal");
  if (stats) {
    stats->nodes_before = nodes_before;
    stats->nodes_after = g->num_nodes;
    stats->constants_folded = count_folded(g) - folded_before;
  }
  return AOTI_OK;
}
