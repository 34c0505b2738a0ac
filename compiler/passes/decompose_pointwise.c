/* decompose_pointwise.c — decompositions of the pointwise family's AOTI_LOWER_DECOMPOSE ops (ops_pointwise.c)
 * into ops that have a lowering (pass_util.h: aoti_decompose_rule). */
#include "passes/pass_util.h"

const aoti_decompose_rules aoti_decompose_pointwise = {NULL, 0};
