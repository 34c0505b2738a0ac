/* ops_pointwise.c — the pointwise family of the op table: activations, arithmetic with tensors and scalars, comparisons, where, casts.
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c). */
#include "ops/ops_private.h"

const aoti_op_family aoti_ops_family_pointwise = {"pointwise", NULL, 0};
