/* emit_reduce.c — the C code of AOTI_LOWER_REDUCE nodes: reductions over dims (sum, mean, amax, ...) (rows in ops/ops_*.c). */
#include "codegen/codegen_internal.h"

aoti_status cg_emit_reduce(cg_ctx *c, const aoti_node *n) {
  (void)c;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no C lowering for op '%s' yet", n->name,
                        n->target);
}
