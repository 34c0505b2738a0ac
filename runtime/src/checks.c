/* checks.c — what the runtime checks: a model library's ABI table once at load, and the inputs
 * of every run against the model's symbolic shapes (solving the symbols on the way). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"

//===----------------------------------------------------------------------===//
// The library's table
//===----------------------------------------------------------------------===//

static aoti_status table_error(const char *model, const char *what, int32_t index,
                               const char *name, const char *problem) {
  return aoti_error_set(AOTI_ERROR_FORMAT, "model '%s': invalid library table: %s #%d ('%s') %s",
                        model, what, index, name ? name : "(null)", problem);
}

#define AOTI_STRINGIFY(x) #x
#define AOTI_STRING(x) AOTI_STRINGIFY(x)

static bool known_dtype(int32_t dtype) { return aoti_dtype_size((aoti_dtype)dtype) != 0; }

static aoti_status validate_tensor(const aoti_abi_model *abi, const aoti_abi_tensor *tensor,
                                   const char *model, const char *what, int32_t index) {
  if (!tensor->name) return table_error(model, what, index, NULL, "has no name");
  if (!known_dtype(tensor->dtype)) return table_error(model, what, index, tensor->name, "has an unknown dtype");
  if (tensor->rank < 0 || tensor->rank > AOTI_MAX_RANK)
    return table_error(model, what, index, tensor->name, "has a rank outside 0.." AOTI_STRING(AOTI_MAX_RANK));
  if (tensor->rank > 0 && !tensor->dims)
    return table_error(model, what, index, tensor->name, "has no dims");
  bool is_input = strcmp(what, "input") == 0;
  for (int32_t d = 0; d < tensor->rank; d++) {
    const aoti_abi_dim *dim = &tensor->dims[d];
    if (!dim->expr) return table_error(model, what, index, tensor->name, "has a dim without expr");
    bool symbolic = dim->symbol >= 0;
    bool computed = dim->symbol == AOTI_ABI_DIM_COMPUTED && !is_input;
    if (dim->symbol >= abi->num_symbols || (!symbolic && dim->symbol != AOTI_ABI_DIM_STATIC && !computed))
      return table_error(model, what, index, tensor->name, "has a dim with an invalid symbol");
    if (symbolic && dim->coeff == 0)
      return table_error(model, what, index, tensor->name, "has a symbolic dim with coeff 0");
  }
  return AOTI_OK;
}

static bool symbol_used_by_inputs(const aoti_abi_model *abi, int32_t symbol) {
  for (int32_t i = 0; i < abi->num_inputs; i++)
    for (int32_t d = 0; d < abi->inputs[i].rank; d++)
      if (abi->inputs[i].dims[d].symbol == symbol) return true;
  return false;
}

static aoti_status validate_symbols(const aoti_abi_model *abi, const char *model) {
  for (int32_t s = 0; s < abi->num_symbols; s++) {
    const aoti_abi_symbol *symbol = &abi->symbols[s];
    if (!symbol->name) return table_error(model, "symbol", s, NULL, "has no name");
    if (symbol->min > symbol->max)
      return table_error(model, "symbol", s, symbol->name, "has min > max");
    /* The runtime learns symbols only from input sizes. */
    if (!symbol_used_by_inputs(abi, s))
      return table_error(model, "symbol", s, symbol->name, "is used by no input dim");
  }
  return AOTI_OK;
}

static aoti_status validate_constants(const aoti_abi_model *abi, const char *model) {
  for (int32_t c = 0; c < abi->num_constants; c++) {
    const aoti_abi_constant *constant = &abi->constants[c];
    if (!constant->fqn || !constant->entry)
      return table_error(model, "constant", c, constant->fqn, "has no fqn or entry");
    if (!known_dtype(constant->dtype))
      return table_error(model, "constant", c, constant->fqn, "has an unknown dtype");
    if (constant->rank < 0 || constant->rank > AOTI_MAX_RANK || (constant->rank > 0 && !constant->sizes))
      return table_error(model, "constant", c, constant->fqn, "has an invalid rank or no sizes");
  }
  return AOTI_OK;
}

static bool array_ok(int32_t count, const void *array) { return count >= 0 && (count == 0 || array); }

aoti_status aoti_abi_validate(const aoti_abi_model *abi, const char *model) {
  if (!array_ok(abi->num_symbols, abi->symbols) || !array_ok(abi->num_inputs, abi->inputs) ||
      !array_ok(abi->num_outputs, abi->outputs) || !array_ok(abi->num_constants, abi->constants))
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "model '%s': invalid library table: a negative count or a NULL array",
                          model);
  if (!abi->output_sizes || !abi->arena_size || !abi->run)
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "model '%s': invalid library table: a NULL function pointer", model);
  for (int32_t i = 0; i < abi->num_inputs; i++) {
    aoti_status status = validate_tensor(abi, &abi->inputs[i], model, "input", i);
    if (status != AOTI_OK) return status;
  }
  for (int32_t i = 0; i < abi->num_outputs; i++) {
    aoti_status status = validate_tensor(abi, &abi->outputs[i], model, "output", i);
    if (status != AOTI_OK) return status;
  }
  aoti_status status = validate_symbols(abi, model);
  if (status == AOTI_OK) status = validate_constants(abi, model);
  return status;
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

typedef struct input_context {
  const aoti_model *model;
  const aoti_abi_tensor *spec;
  int32_t index;
} input_context;

static aoti_status input_error(const input_context *in, int32_t dim, const char *fmt, ...)
    AOTI_PRINTF(3, 4);

/* "model 'm': input 'x' (#0) dim 1: <message>" (without " dim" when dim < 0). */
static aoti_status input_error(const input_context *in, int32_t dim, const char *fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  char where[32] = "";
  if (dim >= 0) snprintf(where, sizeof where, " dim %d", dim);
  return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "model '%s': input '%s' (#%d)%s: %s",
                        in->model->name, in->spec->name, in->index, where, message);
}

static void format_bound(int64_t value, char *out, size_t size) {
  if (value == INT64_MAX) snprintf(out, size, "inf");
  else snprintf(out, size, "%" PRId64, value);
}

/* Solves dim `d`'s symbol from its size; with `check`, checks divisibility, range and agreement
 * with the dims that bound the symbol before. */
static aoti_status solve_dim(const input_context *in, int32_t d, int64_t size, bool check,
                             int64_t *symbols, aoti_symbol_binding *bindings) {
  const aoti_abi_dim *dim = &in->spec->dims[d];
  const aoti_abi_symbol *symbol = &in->model->abi->symbols[dim->symbol];
  int64_t rest = size - dim->offset;
  int64_t value = rest / dim->coeff;
  aoti_symbol_binding *bound = &bindings[dim->symbol];
  if (!check) {
    if (bound->input < 0) symbols[dim->symbol] = value;
    bound->input = in->index;
    return AOTI_OK;
  }
  if (rest % dim->coeff != 0)
    return input_error(in, d, "size %" PRId64 " is not of the form %s", size, dim->expr);
  if (value < symbol->min || value > symbol->max) {
    char min[24], max[24];
    format_bound(symbol->min, min, sizeof min);
    format_bound(symbol->max, max, sizeof max);
    if (dim->coeff == 1 && dim->offset == 0)
      return input_error(in, d, "size %" PRId64 " is outside the range of %s (%s..%s)", size,
                         symbol->name, min, max);
    return input_error(in, d, "size %" PRId64 " (= %s) gives %s = %" PRId64
                       ", outside its range (%s..%s)", size, dim->expr, symbol->name, value, min, max);
  }
  if (bound->input >= 0 && symbols[dim->symbol] != value) {
    const aoti_abi_tensor *first = &in->model->abi->inputs[bound->input];
    return input_error(in, d, "size %" PRId64 " gives %s = %" PRId64 ", but input '%s' (#%d) dim %d "
                       "gave %s = %" PRId64, size, symbol->name, value, first->name, bound->input,
                       bound->dim, symbol->name, symbols[dim->symbol]);
  }
  if (bound->input < 0) {
    symbols[dim->symbol] = value;
    bound->input = in->index;
    bound->dim = d;
  }
  return AOTI_OK;
}

static aoti_status check_header(const input_context *in, const aoti_tensor *t) {
  if (t->dtype != (aoti_dtype)in->spec->dtype)
    return input_error(in, -1, "expected dtype %s, got %s", aoti_dtype_name((aoti_dtype)in->spec->dtype),
                       aoti_dtype_name(t->dtype));
  if (t->rank != in->spec->rank)
    return input_error(in, -1, "expected rank %d, got %d", in->spec->rank, t->rank);
  return AOTI_OK;
}

static aoti_status check_static_dims(const input_context *in, const aoti_tensor *t) {
  for (int32_t d = 0; d < t->rank; d++) {
    const aoti_abi_dim *dim = &in->spec->dims[d];
    if (dim->symbol == AOTI_ABI_DIM_STATIC && t->sizes[d] != dim->offset)
      return input_error(in, d, "expected %" PRId64 ", got %" PRId64, dim->offset, t->sizes[d]);
  }
  return AOTI_OK;
}

/* Contiguous row-major; dims of size 1 may have any stride, and an empty tensor any strides. */
static aoti_status check_layout(const input_context *in, const aoti_tensor *t) {
  int64_t numel = 1;
  for (int32_t d = 0; d < t->rank; d++) {
    if (t->sizes[d] < 0) return input_error(in, d, "negative size %" PRId64, t->sizes[d]);
    if (__builtin_mul_overflow(numel, t->sizes[d], &numel))
      return input_error(in, -1, "the number of elements overflows int64");
  }
  uint64_t needed;
  if (__builtin_mul_overflow((uint64_t)numel, aoti_dtype_size(t->dtype), &needed) || needed > SIZE_MAX)
    return input_error(in, -1, "the byte size overflows size_t");
  if (numel == 0) return AOTI_OK;
  int64_t expected = 1;
  for (int32_t d = t->rank - 1; d >= 0; d--) {
    if (t->sizes[d] != 1 && t->strides[d] != expected)
      return input_error(in, d, "stride %" PRId64 " is not contiguous (expected %" PRId64
                         "): pass a contiguous copy", t->strides[d], expected);
    expected *= t->sizes[d];
  }
  if (t->nbytes < needed)
    return input_error(in, -1, "nbytes %zu is less than the %" PRIu64 " bytes its sizes need",
                       t->nbytes, needed);
  if (!t->data) return input_error(in, -1, "data is NULL");
  return AOTI_OK;
}

static aoti_status solve_input(const input_context *in, const aoti_tensor *t, bool check,
                               int64_t *symbols, aoti_symbol_binding *bindings) {
  aoti_status status = check ? check_header(in, t) : AOTI_OK;
  if (status == AOTI_OK && check) status = check_static_dims(in, t);
  for (int32_t d = 0; status == AOTI_OK && d < in->spec->rank; d++)
    if (in->spec->dims[d].symbol >= 0) status = solve_dim(in, d, t->sizes[d], check, symbols, bindings);
  if (status == AOTI_OK && check) status = check_layout(in, t);
  return status;
}

aoti_status aoti_inputs_solve(const aoti_model *model, const aoti_tensor *inputs, bool check,
                              int64_t *out_symbols, aoti_symbol_binding *bindings) {
  const aoti_abi_model *abi = model->abi;
  for (int32_t s = 0; s < abi->num_symbols; s++) bindings[s] = (aoti_symbol_binding){-1, -1};
  aoti_status status = AOTI_OK;
  for (int32_t i = 0; status == AOTI_OK && i < abi->num_inputs; i++) {
    input_context in = {model, &abi->inputs[i], i};
    status = solve_input(&in, &inputs[i], check, out_symbols, bindings);
  }
  return status;
}
