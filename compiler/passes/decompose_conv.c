/* decompose_conv.c — decompositions of the conv family's AOTI_LOWER_DECOMPOSE ops (ops_conv.c)
 * into ops that have a lowering (pass_util.h: aoti_decompose_rule). */
#include "passes/pass_util.h"

const aoti_decompose_rules aoti_decompose_conv = {NULL, 0};
