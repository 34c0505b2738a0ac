/* decompose_pointwise.c — decompositions of the pointwise family's AOTI_LOWER_DECOMPOSE ops
 * (ops_pointwise.c) into ops that have a lowering (pass_util.h: aoti_decompose_rule):
 *   dropout / dropout_ in inference (train=False): the input itself (p is ignored);
 *   contiguous: the input itself, since every value codegen sees is contiguous. */
#include "error.h"
#include "passes/pass_util.h"

/* The input, unchanged: no node is added. */
static aoti_status decompose_identity(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  (void)g;
  aoti_value *x = aoti_pass_first_tensor(n);
  if (!x) return aoti_error_set(AOTI_ERROR_FORMAT, "node '%s' (%s): needs a tensor input", n->name, n->target);
  out_values[0] = x;
  return AOTI_OK;
}

/* dropout(input, p, train): an identity when not training; training draws random masks, which a
 * compiled inference model does not do. */
static aoti_status decompose_dropout(aoti_graph *g, const aoti_node *n, aoti_value **out_values) {
  if (n->num_args > 2 && n->args[2].kind == AOTI_ARG_BOOL && n->args[2].b)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "node '%s' (%s): train=True is not supported (random "
                          "dropout); export the model in eval mode", n->name, n->target);
  return decompose_identity(g, n, out_values);
}

static const aoti_decompose_rule kRules[] = {
    {"dropout", decompose_dropout},
    {"dropout_", decompose_dropout},
    {"contiguous", decompose_identity},
};

const aoti_decompose_rules aoti_decompose_pointwise = {kRules, sizeof kRules / sizeof kRules[0]};
