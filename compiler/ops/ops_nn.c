/* ops_nn.c — the nn family of the op table: layer norm, softmax, attention, batched matmul.
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c). */
#include "ops/ops_private.h"

const aoti_op_family aoti_ops_family_nn = {"nn", NULL, 0};
