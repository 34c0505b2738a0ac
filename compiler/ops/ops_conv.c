/* ops_conv.c — the conv family of the op table: convolution, pooling, batch norm.
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c). */
#include "ops/ops_private.h"

const aoti_op_family aoti_ops_family_conv = {"conv", NULL, 0};
