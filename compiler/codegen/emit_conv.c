/* emit_conv.c — the C code of AOTI_LOWER_CONV nodes: convolution, pooling and batch norm (rows in ops/ops_*.c). */
#include "codegen/codegen_internal.h"

aoti_status cg_emit_conv(cg_ctx *c, const aoti_node *n) {
  (void)c;
  return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s': no C lowering for op '%s' yet", n->name,
                        n->target);
}
