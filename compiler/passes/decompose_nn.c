/* decompose_nn.c — decompositions of the nn family's AOTI_LOWER_DECOMPOSE ops (ops_nn.c)
 * into ops that have a lowering (pass_util.h: aoti_decompose_rule). */
#include "passes/pass_util.h"

const aoti_decompose_rules aoti_decompose_nn = {NULL, 0};
