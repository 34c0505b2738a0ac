/* decompose_shape.c — decompositions of the shape family's AOTI_LOWER_DECOMPOSE ops (ops_shape.c)
 * into ops that have a lowering (pass_util.h: aoti_decompose_rule). */
#include "passes/pass_util.h"

const aoti_decompose_rules aoti_decompose_shape = {NULL, 0};
