/* ops_shape.c — the shape family of the op table: cat, slice, select, index, embedding, pad, roll, reductions.
 * Rows and their shape functions; declarations are facts copied from PyTorch (see ops.c). */
#include "ops/ops_private.h"

const aoti_op_family aoti_ops_family_shape = {"shape", NULL, 0};
