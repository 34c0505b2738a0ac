/* codegen_abi.c — the model's description tables in the generated source (aoti/abi.h): symbols,
 * inputs and outputs with their dims, constants, and the output_sizes / arena_size functions. */
#include <stdio.h>

#include "aoti/abi.h"
#include "codegen/codegen_internal.h"

/* size = coeff * symbol + offset, symbol AOTI_ABI_DIM_STATIC when constant. */
typedef struct affine {
  int32_t symbol;
  int64_t coeff, offset;
} affine;

static bool combine(affine x, affine y, affine *out) {
  if (x.symbol >= 0 && y.symbol >= 0 && x.symbol != y.symbol) return false;
  out->symbol = x.symbol >= 0 ? x.symbol : y.symbol;
  out->coeff = x.coeff + y.coeff;
  out->offset = x.offset + y.offset;
  return true;
}

static bool affine_of(const aoti_sx *e, affine *out) {
  affine x, y;
  int64_t k = 0;
  switch (e->kind) {
    case AOTI_SX_CONST: *out = (affine){AOTI_ABI_DIM_STATIC, 0, e->value}; return true;
    case AOTI_SX_SYM: *out = (affine){e->sym, 1, 0}; return true;
    case AOTI_SX_ADD: return affine_of(e->a, &x) && affine_of(e->b, &y) && combine(x, y, out);
    case AOTI_SX_MUL:
      if (aoti_sx_is_const(e->a, &k) && affine_of(e->b, &x)) {
      } else if (aoti_sx_is_const(e->b, &k) && affine_of(e->a, &x)) {
      } else {
        return false;
      }
      *out = (affine){x.symbol, x.coeff * k, x.offset * k};
      return true;
    default: return false;
  }
}

/* An affine dim with a zero coefficient is static. */
static bool affine_dim(const aoti_sx *e, affine *out) {
  if (!affine_of(e, out)) return false;
  if (out->coeff == 0) out->symbol = AOTI_ABI_DIM_STATIC;
  return true;
}

static void put_i64(aoti_strbuf *b, int64_t v) {
  if (v == INT64_MIN)
    aoti_strbuf_puts(b, "INT64_MIN");
  else
    aoti_strbuf_appendf(b, "%lldLL", (long long)v);
}

static void put_dims_table(cg_ctx *c, aoti_strbuf *out, const char *table, const aoti_value *v, const affine *dims) {
  if (v->rank == 0) return;
  aoti_strbuf_appendf(out, "static const aoti_abi_dim %s[%d] = {\n", table, v->rank);
  for (int32_t d = 0; d < v->rank; ++d) {
    aoti_strbuf_appendf(out, "  {%d, ", dims[d].symbol);
    put_i64(out, dims[d].coeff);
    aoti_strbuf_puts(out, ", ");
    put_i64(out, dims[d].offset);
    aoti_strbuf_puts(out, ", ");
    cg_put_literal(out, cg_sx_named(c, v->dims[d]));
    aoti_strbuf_puts(out, "},\n");
  }
  aoti_strbuf_puts(out, "};\n");
}

static aoti_status put_input_dims(cg_ctx *c, aoti_strbuf *out, int32_t i) {
  const aoti_value *v = c->g->inputs[i];
  affine dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d < v->rank; ++d)
    if (!affine_dim(v->dims[d], &dims[d]))
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "input '%s' dim %d is %s: input sizes must be "
                            "a constant or coeff*symbol+offset", v->name, d, cg_sx_named(c, v->dims[d]));
  char table[32];
  snprintf(table, sizeof table, "input%d_dims", i);
  put_dims_table(c, out, table, v, dims);
  return AOTI_OK;
}

static void put_output_dims(cg_ctx *c, aoti_strbuf *out, int32_t i) {
  const aoti_value *v = c->g->outputs[i].value;
  affine dims[AOTI_MAX_RANK];
  for (int32_t d = 0; d < v->rank; ++d)
    if (!affine_dim(v->dims[d], &dims[d])) dims[d] = (affine){AOTI_ABI_DIM_COMPUTED, 0, 0};
  char table[32];
  snprintf(table, sizeof table, "output%d_dims", i);
  put_dims_table(c, out, table, v, dims);
}

static void put_tensor_row(aoti_strbuf *out, const char *name, const aoti_value *v, const char *dims_prefix,
                           int32_t i) {
  aoti_strbuf_puts(out, "  {");
  cg_put_literal(out, name);
  aoti_strbuf_appendf(out, ", %d, %d, ", (int)v->dtype, v->rank);
  if (v->rank)
    aoti_strbuf_appendf(out, "%s%d_dims},\n", dims_prefix, i);
  else
    aoti_strbuf_puts(out, "NULL},\n");
}

static void put_symbols(cg_ctx *c, aoti_strbuf *out) {
  if (c->g->num_symbols == 0) return;
  aoti_strbuf_appendf(out, "static const aoti_abi_symbol model_symbols[%d] = {\n", c->g->num_symbols);
  for (int32_t s = 0; s < c->g->num_symbols; ++s) {
    aoti_strbuf_puts(out, "  {");
    cg_put_literal(out, c->g->symbols[s].name);
    aoti_strbuf_puts(out, ", ");
    put_i64(out, c->g->symbols[s].min);
    aoti_strbuf_puts(out, ", ");
    put_i64(out, c->g->symbols[s].max);
    aoti_strbuf_puts(out, "},\n");
  }
  aoti_strbuf_puts(out, "};\n\n");
}

static aoti_status put_tensors(cg_ctx *c, aoti_strbuf *out) {
  for (int32_t i = 0; i < c->g->num_inputs; ++i) {
    aoti_status st = put_input_dims(c, out, i);
    if (st != AOTI_OK) return st;
  }
  if (c->g->num_inputs) {
    aoti_strbuf_appendf(out, "static const aoti_abi_tensor model_inputs[%d] = {\n", c->g->num_inputs);
    for (int32_t i = 0; i < c->g->num_inputs; ++i)
      put_tensor_row(out, c->g->inputs[i]->name, c->g->inputs[i], "input", i);
    aoti_strbuf_puts(out, "};\n\n");
  }
  for (int32_t i = 0; i < c->g->num_outputs; ++i) put_output_dims(c, out, i);
  if (c->g->num_outputs) {
    aoti_strbuf_appendf(out, "static const aoti_abi_tensor model_outputs[%d] = {\n", c->g->num_outputs);
    for (int32_t i = 0; i < c->g->num_outputs; ++i)
      put_tensor_row(out, c->g->outputs[i].name, c->g->outputs[i].value, "output", i);
    aoti_strbuf_puts(out, "};\n\n");
  }
  return AOTI_OK;
}

static aoti_status put_constants(cg_ctx *c, aoti_strbuf *out) {
  for (int32_t i = 0; i < c->g->num_constants; ++i) {
    const aoti_value *v = c->g->constants[i].value;
    if (v->rank == 0) continue;
    aoti_strbuf_appendf(out, "static const int64_t constant%d_sizes[%d] = {", i, v->rank);
    for (int32_t d = 0; d < v->rank; ++d) {
      int64_t size = 0;
      if (!aoti_sx_is_const(v->dims[d], &size))
        return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "constant '%s' dim %d is symbolic (%s)",
                              c->g->constants[i].fqn, d, cg_sx_named(c, v->dims[d]));
      aoti_strbuf_appendf(out, "%s", d ? ", " : "");
      put_i64(out, size);
    }
    aoti_strbuf_puts(out, "};\n");
  }
  if (c->g->num_constants == 0) return AOTI_OK;
  aoti_strbuf_appendf(out, "static const aoti_abi_constant model_constants[%d] = {\n", c->g->num_constants);
  for (int32_t i = 0; i < c->g->num_constants; ++i) {
    const aoti_constant *k = &c->g->constants[i];
    aoti_strbuf_puts(out, "  {");
    cg_put_literal(out, k->fqn);
    aoti_strbuf_appendf(out, ", \"weight_%d\", %d, %d, ", i, (int)k->value->dtype, k->value->rank);
    if (k->value->rank)
      aoti_strbuf_appendf(out, "constant%d_sizes, ", i);
    else
      aoti_strbuf_puts(out, "NULL, ");
    aoti_strbuf_appendf(out, "%lluULL},\n", (unsigned long long)k->nbytes);
  }
  aoti_strbuf_puts(out, "};\n\n");
  return AOTI_OK;
}

void cg_emit_symbol_locals(cg_ctx *c, aoti_strbuf *out, const char *array) {
  for (int32_t s = 0; s < c->g->num_symbols; ++s)
    aoti_strbuf_appendf(out, "  const int64_t %s = %s[%d];\n  (void)%s;\n", c->sym_c[s], array, s, c->sym_c[s]);
}

static void put_size_functions(cg_ctx *c, aoti_strbuf *out) {
  aoti_strbuf_puts(out,
                   "static void model_output_sizes(const int64_t *symbols, int32_t index, "
                   "int64_t *out_sizes) {\n  (void)symbols;\n");
  cg_emit_symbol_locals(c, out, "symbols");
  aoti_strbuf_puts(out, "  (void)out_sizes;\n  switch (index) {\n");
  for (int32_t i = 0; i < c->g->num_outputs; ++i) {
    const aoti_value *v = c->g->outputs[i].value;
    aoti_strbuf_appendf(out, "    case %d:\n", i);
    for (int32_t d = 0; d < v->rank; ++d)
      aoti_strbuf_appendf(out, "      out_sizes[%d] = %s;\n", d, cg_sx(c, v->dims[d]));
    aoti_strbuf_puts(out, "      break;\n");
  }
  aoti_strbuf_puts(out, "    default:\n      break;\n  }\n}\n\n");
  aoti_strbuf_puts(out, "static uint64_t model_arena_size(const int64_t *symbols) {\n  (void)symbols;\n");
  cg_emit_symbol_locals(c, out, "symbols");
  aoti_strbuf_appendf(out, "  return (uint64_t)(%s);\n}\n\n", cg_sx(c, c->plan.arena_bytes));
}

aoti_status cg_emit_tables(cg_ctx *c, aoti_strbuf *out) {
  put_symbols(c, out);
  aoti_status st = put_tensors(c, out);
  if (st == AOTI_OK) st = put_constants(c, out);
  if (st == AOTI_OK) put_size_functions(c, out);
  return st;
}
