/* program.c — decoding an ExportedProgram JSON document into the IR (see program.h).
 *
 * Field names and encodings follow torch/_export/serde/schema.py and serialize.py, summarised in
 * docs/torch-export-format.md §2. */
#include "frontend/program.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "frontend/json.h"

typedef struct named_sx {
  const char *name; /* points into the JSON document */
  const aoti_sx *expr;
} named_sx;

typedef struct program_reader {
  aoti_graph *g;
  const json_t *tensor_values;  /* graph.tensor_values */
  const json_t *sym_int_values; /* graph.sym_int_values, or NULL */
  aoti_program_payloads payloads;
  bool payload_error; /* the failure is about a payload, and its message names it */
  /* Symbolic ints computed from skipped sym_size nodes that sym_int_values does not list. */
  named_sx *syms;
  int32_t num_syms, sym_capacity;
} program_reader;

/* A message "<path>: <text>" with the given status. */
static aoti_status fail_at(aoti_status status, const jpath *path, const char *fmt, ...)
    AOTI_PRINTF(3, 4);
static aoti_status fail_at(aoti_status status, const jpath *path, const char *fmt, ...) {
  char where[512], what[1024];
  jpath_format(path, where, sizeof where);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return aoti_error_set(status, "%s: %s", where, what);
}

static aoti_status out_of_memory(void) {
  return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory building the graph");
}

//===----------------------------------------------------------------------===//
// Enums (schema numbering, docs/torch-export-format.md §2.6)
//===----------------------------------------------------------------------===//

static const char *const kScalarTypeNames[] = {"BYTE", "CHAR",  "SHORT",  "INT",  "LONG",
                                               "HALF", "FLOAT", "DOUBLE", "BOOL", "BFLOAT16"};
static const int64_t kScalarTypeValues[] = {1, 2, 3, 4, 5, 6, 7, 8, 12, 13};
static const char *const kLayoutNames[] = {"Unknown",   "SparseCoo", "SparseCsr", "SparseCsc",
                                           "SparseBsr", "SparseBsc", "_mkldnn",   "Strided"};
static const int64_t kLayoutValues[] = {0, 1, 2, 3, 4, 5, 6, 7};
static const char *const kMemoryFormatNames[] = {"Unknown", "ContiguousFormat", "ChannelsLast",
                                                 "ChannelsLast3d", "PreserveFormat"};
static const int64_t kMemoryFormatValues[] = {0, 1, 2, 3, 4};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A ScalarType that AOTI supports. */
static aoti_status decode_dtype(const json_t *value, const jpath *path, aoti_dtype *out_dtype) {
  int64_t code;
  aoti_status status = aoti_json_enum(value, path, kScalarTypeNames, kScalarTypeValues,
                                      COUNT(kScalarTypeNames), &code);
  if (status != AOTI_OK) return status;
  if (code < 0 || code > 255 || aoti_dtype_size((aoti_dtype)code) == 0)
    return fail_at(AOTI_ERROR_UNSUPPORTED, path, "dtype %lld (schema ScalarType) is not supported",
                   (long long)code);
  *out_dtype = (aoti_dtype)code;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Symbols and sizes
//===----------------------------------------------------------------------===//

/* Bounds of 2^62 or more mean "unbounded": sympy's int_oo or a sentinel near INT64_MAX. */
static int64_t bound_or_unbounded(const json_t *value, int64_t unbounded) {
  if (!value || !json_is_integer(value)) return unbounded;
  json_int_t v = json_integer_value(value);
  if (v >= ((json_int_t)1 << 62) || v <= -((json_int_t)1 << 62)) return unbounded;
  return (int64_t)v;
}

static aoti_status read_symbols(program_reader *r, const json_t *root) {
  json_t *ranges;
  aoti_status status = aoti_json_member(root, NULL, "range_constraints", false, &ranges);
  if (status != AOTI_OK || !ranges) return status;
  jpath at = JPATH_KEY(NULL, "range_constraints");
  status = aoti_json_object(ranges, &at);
  if (status != AOTI_OK) return status;
  const char *name;
  json_t *range;
  json_object_foreach(ranges, name, range) {
    jpath at_range = JPATH_KEY(&at, name);
    status = aoti_json_object(range, &at_range);
    if (status != AOTI_OK) return status;
    int64_t min = bound_or_unbounded(json_object_get(range, "min_val"), 0);
    int64_t max = bound_or_unbounded(json_object_get(range, "max_val"), INT64_MAX);
    if (min > max) return fail_at(AOTI_ERROR_FORMAT, &at_range, "min_val is above max_val");
    if (aoti_graph_find_symbol(r->g, name) >= 0)
      return fail_at(AOTI_ERROR_FORMAT, &at_range, "symbol listed twice");
    if (aoti_graph_add_symbol(r->g, name, min, max) < 0) return out_of_memory();
  }
  return AOTI_OK;
}

static aoti_status parse_expr(program_reader *r, const char *text, const jpath *path,
                              const aoti_sx **out_expr) {
  aoti_status status = aoti_sx_parse(r->g, text, out_expr);
  if (status != AOTI_OK) {
    char where[512];
    jpath_format(path, where, sizeof where);
    return aoti_error_prefix(status, "%s", where);
  }
  return AOTI_OK;
}

/* SymInt = union {as_expr: {expr_str, hint} | as_int: int} (prototypes: as_symbol: str). */
static aoti_status decode_sym_int(program_reader *r, const json_t *value, const jpath *path,
                                  const aoti_sx **out_expr) {
  if (json_is_integer(value)) { /* storage_offset in torch <= 2.2 */
    *out_expr = aoti_sx_const(r->g, (int64_t)json_integer_value(value));
    return AOTI_OK;
  }
  const char *key;
  json_t *member;
  aoti_status status = aoti_json_union(value, path, &key, &member);
  if (status != AOTI_OK) return status;
  jpath at = JPATH_KEY(path, key);
  if (strcmp(key, "as_int") == 0) {
    int64_t v;
    status = aoti_json_int(member, &at, &v);
    if (status == AOTI_OK) *out_expr = aoti_sx_const(r->g, v);
    return status;
  }
  const char *text = NULL;
  if (strcmp(key, "as_expr") == 0) {
    json_t *expr_str;
    status = aoti_json_member(member, &at, "expr_str", true, &expr_str);
    jpath at_str = JPATH_KEY(&at, "expr_str");
    if (status == AOTI_OK) status = aoti_json_string(expr_str, &at_str, &text);
  } else if (strcmp(key, "as_symbol") == 0) {
    status = aoti_json_string(member, &at, &text);
  } else {
    return fail_at(AOTI_ERROR_FORMAT, path, "unknown SymInt member '%s'", key);
  }
  return status != AOTI_OK ? status : parse_expr(r, text, &at, out_expr);
}

//===----------------------------------------------------------------------===//
// Tensor values
//===----------------------------------------------------------------------===//

/* Creates the value `name` from graph.tensor_values. */
static aoti_status create_value(program_reader *r, const char *name, const jpath *use,
                                aoti_value **out_value) {
  jpath tv = JPATH_KEY(NULL, "graph_module.graph.tensor_values");
  jpath at = JPATH_KEY(&tv, name);
  json_t *meta = json_object_get(r->tensor_values, name);
  if (!meta)
    return fail_at(AOTI_ERROR_FORMAT, use, "tensor '%s' is not in graph.tensor_values", name);
  json_t *wrapped = json_object_get(meta, "meta"); /* schema v1: TensorValue {meta} */
  if (wrapped && !json_object_get(meta, "dtype")) meta = wrapped;
  json_t *dtype_json, *sizes;
  aoti_status status = aoti_json_member(meta, &at, "dtype", true, &dtype_json);
  if (status == AOTI_OK) status = aoti_json_member(meta, &at, "sizes", true, &sizes);
  jpath at_dtype = JPATH_KEY(&at, "dtype"), at_sizes = JPATH_KEY(&at, "sizes");
  aoti_dtype dtype = AOTI_DTYPE_INVALID;
  if (status == AOTI_OK) status = decode_dtype(dtype_json, &at_dtype, &dtype);
  if (status == AOTI_OK) status = aoti_json_array(sizes, &at_sizes);
  if (status != AOTI_OK) return status;
  size_t rank = json_array_size(sizes);
  if (rank > AOTI_MAX_RANK)
    return fail_at(AOTI_ERROR_UNSUPPORTED, &at_sizes, "rank %zu (at most %d)", rank, AOTI_MAX_RANK);
  const aoti_sx *dims[AOTI_MAX_RANK];
  for (size_t d = 0; d < rank; d++) {
    jpath at_dim = JPATH_INDEX(&at_sizes, d);
    status = decode_sym_int(r, json_array_get(sizes, d), &at_dim, &dims[d]);
    if (status != AOTI_OK) return status;
  }
  aoti_value *v = aoti_graph_add_value(r->g, name, dtype, (int32_t)rank, dims);
  if (!v) return out_of_memory();
  *out_value = v;
  return AOTI_OK;
}

/* The value named by a TensorArgument ({"name": ...}, or a bare string in very old files) that
 * must already be defined. */
static aoti_status tensor_name(const json_t *arg, const jpath *path, const char **out_name) {
  if (json_is_string(arg)) return aoti_json_string(arg, path, out_name);
  json_t *name;
  aoti_status status = aoti_json_member(arg, path, "name", true, &name);
  jpath at = JPATH_KEY(path, "name");
  return status != AOTI_OK ? status : aoti_json_string(name, &at, out_name);
}

static aoti_status defined_tensor(program_reader *r, const json_t *arg, const jpath *path,
                                  aoti_value **out_value) {
  const char *name;
  aoti_status status = tensor_name(arg, path, &name);
  if (status != AOTI_OK) return status;
  aoti_value *v = aoti_graph_find_value(r->g, name);
  if (!v) return fail_at(AOTI_ERROR_FORMAT, path, "tensor '%s' is used before it is defined", name);
  *out_value = v;
  return AOTI_OK;
}

/* A new value for a TensorArgument that a placeholder or node defines. */
static aoti_status new_tensor(program_reader *r, const json_t *arg, const jpath *path,
                              aoti_value **out_value) {
  const char *name;
  aoti_status status = tensor_name(arg, path, &name);
  if (status != AOTI_OK) return status;
  if (aoti_graph_find_value(r->g, name))
    return fail_at(AOTI_ERROR_FORMAT, path, "tensor '%s' is defined twice", name);
  return create_value(r, name, path, out_value);
}

//===----------------------------------------------------------------------===//
// Symbolic ints named by skipped nodes
//===----------------------------------------------------------------------===//

static aoti_status remember_sym(program_reader *r, const char *name, const aoti_sx *expr) {
  if (r->num_syms == r->sym_capacity) {
    int32_t capacity = r->sym_capacity ? 2 * r->sym_capacity : 8;
    named_sx *grown = realloc(r->syms, (size_t)capacity * sizeof *grown);
    if (!grown) return out_of_memory();
    r->syms = grown;
    r->sym_capacity = capacity;
  }
  r->syms[r->num_syms++] = (named_sx){name, expr};
  return AOTI_OK;
}

/* The expression of the symbolic int `name`. */
static aoti_status named_sym(program_reader *r, const char *name, const jpath *path,
                             const aoti_sx **out_expr) {
  for (int32_t i = 0; i < r->num_syms; i++) {
    if (strcmp(r->syms[i].name, name) == 0) {
      *out_expr = r->syms[i].expr;
      return AOTI_OK;
    }
  }
  json_t *value = r->sym_int_values ? json_object_get(r->sym_int_values, name) : NULL;
  if (!value) return fail_at(AOTI_ERROR_FORMAT, path, "symbolic int '%s' is not defined", name);
  jpath siv = JPATH_KEY(NULL, "graph_module.graph.sym_int_values");
  jpath at = JPATH_KEY(&siv, name);
  aoti_status status = decode_sym_int(r, value, &at, out_expr);
  return status != AOTI_OK ? status : remember_sym(r, name, *out_expr);
}

//===----------------------------------------------------------------------===//
// Arguments
//===----------------------------------------------------------------------===//

static aoti_status convert_arg(program_reader *r, const json_t *value, const jpath *path,
                               aoti_arg *out_arg);

static aoti_arg arg_of(aoti_arg_kind kind, int64_t i) {
  aoti_arg a = aoti_arg_none();
  a.kind = kind;
  a.i = i;
  return a;
}

/* One item of a scalar list, decoded by `kind_key` ("as_int" for as_ints...). */
static aoti_status convert_scalar(program_reader *r, const char *kind_key, const json_t *value,
                                  const jpath *path, aoti_arg *out_arg) {
  aoti_status status;
  if (strcmp(kind_key, "as_int") == 0) {
    int64_t v;
    status = aoti_json_int(value, path, &v);
    *out_arg = aoti_arg_int(v);
  } else if (strcmp(kind_key, "as_float") == 0) {
    double v;
    status = aoti_json_float(value, path, &v);
    *out_arg = aoti_arg_float(v);
  } else if (strcmp(kind_key, "as_bool") == 0) {
    bool v;
    status = aoti_json_bool(value, path, &v);
    *out_arg = aoti_arg_bool(v);
  } else if (strcmp(kind_key, "as_string") == 0) {
    const char *v;
    status = aoti_json_string(value, path, &v);
    if (status == AOTI_OK) *out_arg = aoti_arg_string(r->g, v);
  } else if (strcmp(kind_key, "as_sym_int") == 0 || strcmp(kind_key, "as_sym_float") == 0 ||
             strcmp(kind_key, "as_sym_bool") == 0) {
    /* SymIntArgument = union {as_name | as_int} (and as_float/as_bool for the others) */
    const char *key;
    json_t *member;
    status = aoti_json_union(value, path, &key, &member);
    if (status != AOTI_OK) return status;
    jpath at = JPATH_KEY(path, key);
    if (strcmp(key, "as_name") == 0 && strcmp(kind_key, "as_sym_int") == 0) {
      const char *name;
      const aoti_sx *expr;
      status = aoti_json_string(member, &at, &name);
      if (status == AOTI_OK) status = named_sym(r, name, &at, &expr);
      if (status == AOTI_OK) *out_arg = aoti_arg_symint(expr);
    } else if (strcmp(key, "as_name") == 0) {
      return fail_at(AOTI_ERROR_UNSUPPORTED, path, "symbolic floats and bools are not supported");
    } else {
      return convert_scalar(r, key, member, &at, out_arg);
    }
  } else if (strcmp(kind_key, "as_tensor") == 0) {
    aoti_value *v;
    status = defined_tensor(r, value, path, &v);
    if (status == AOTI_OK) *out_arg = aoti_arg_tensor(v);
  } else if (strcmp(kind_key, "as_none") == 0) {
    *out_arg = aoti_arg_none();
    status = AOTI_OK;
  } else if (strcmp(kind_key, "as_optional_tensor") == 0) {
    return convert_arg(r, value, path, out_arg);
  } else {
    return fail_at(AOTI_ERROR_UNSUPPORTED, path, "argument kind '%s' is not supported", kind_key);
  }
  return status;
}

/* A list argument: `item_key` decodes each item ("as_int"...); kind LIST or TENSORS. */
static aoti_status convert_list(program_reader *r, const char *item_key, aoti_arg_kind kind,
                                const json_t *value, const jpath *path, aoti_arg *out_arg) {
  aoti_status status = aoti_json_array(value, path);
  if (status != AOTI_OK) return status;
  size_t count = json_array_size(value);
  aoti_arg *items = calloc(count ? count : 1, sizeof *items);
  if (!items) return out_of_memory();
  for (size_t i = 0; i < count && status == AOTI_OK; i++) {
    jpath at = JPATH_INDEX(path, i);
    status = convert_scalar(r, item_key, json_array_get(value, i), &at, &items[i]);
  }
  if (status == AOTI_OK) *out_arg = aoti_arg_list(r->g, kind, items, (int32_t)count);
  free(items);
  return status;
}

static aoti_status convert_enum(const json_t *value, const jpath *path, aoti_arg_kind kind,
                                const char *const *names, const int64_t *values, size_t count,
                                aoti_arg *out_arg) {
  int64_t v;
  aoti_status status = aoti_json_enum(value, path, names, values, count, &v);
  if (status == AOTI_OK) *out_arg = arg_of(kind, v);
  return status;
}

static aoti_status convert_device(program_reader *r, const json_t *value, const jpath *path,
                                  aoti_arg *out_arg) {
  json_t *type, *index;
  aoti_status status = aoti_json_member(value, path, "type", true, &type);
  if (status == AOTI_OK) status = aoti_json_member(value, path, "index", false, &index);
  jpath at_type = JPATH_KEY(path, "type"), at_index = JPATH_KEY(path, "index");
  const char *type_name;
  int64_t i = -1;
  if (status == AOTI_OK) status = aoti_json_string(type, &at_type, &type_name);
  if (status == AOTI_OK && index) status = aoti_json_int(index, &at_index, &i);
  if (status != AOTI_OK) return status;
  aoti_arg a = aoti_arg_string(r->g, type_name);
  a.kind = AOTI_ARG_DEVICE;
  a.i = i;
  *out_arg = a;
  return AOTI_OK;
}

/* Argument: a union over the kinds of §2.4 of the format notes. */
static aoti_status convert_arg(program_reader *r, const json_t *value, const jpath *path,
                               aoti_arg *out_arg) {
  const char *key;
  json_t *member;
  aoti_status status = aoti_json_union(value, path, &key, &member);
  if (status != AOTI_OK) return status;
  jpath at = JPATH_KEY(path, key);
  static const struct {
    const char *key, *item_key;
    aoti_arg_kind kind;
  } kLists[] = {
      {"as_tensors", "as_tensor", AOTI_ARG_TENSORS},
      {"as_optional_tensors", "as_optional_tensor", AOTI_ARG_TENSORS},
      {"as_ints", "as_int", AOTI_ARG_LIST},
      {"as_floats", "as_float", AOTI_ARG_LIST},
      {"as_bools", "as_bool", AOTI_ARG_LIST},
      {"as_strings", "as_string", AOTI_ARG_LIST},
      {"as_sym_ints", "as_sym_int", AOTI_ARG_LIST},
      {"as_sym_floats", "as_sym_float", AOTI_ARG_LIST},
      {"as_sym_bools", "as_sym_bool", AOTI_ARG_LIST},
  };
  for (size_t i = 0; i < COUNT(kLists); i++)
    if (strcmp(key, kLists[i].key) == 0)
      return convert_list(r, kLists[i].item_key, kLists[i].kind, member, &at, out_arg);
  if (strcmp(key, "as_scalar_type") == 0) {
    aoti_dtype dtype;
    status = decode_dtype(member, &at, &dtype);
    if (status == AOTI_OK) *out_arg = arg_of(AOTI_ARG_SCALAR_TYPE, dtype);
    return status;
  }
  if (strcmp(key, "as_layout") == 0)
    return convert_enum(member, &at, AOTI_ARG_LAYOUT, kLayoutNames, kLayoutValues,
                        COUNT(kLayoutNames), out_arg);
  if (strcmp(key, "as_memory_format") == 0)
    return convert_enum(member, &at, AOTI_ARG_MEMORY_FORMAT, kMemoryFormatNames,
                        kMemoryFormatValues, COUNT(kMemoryFormatNames), out_arg);
  if (strcmp(key, "as_device") == 0) return convert_device(r, member, &at, out_arg);
  return convert_scalar(r, key, member, &at, out_arg);
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

static bool is_dropped_assertion(const char *target) {
  static const char *const kAssertions[] = {
      "torch.ops.aten._assert_scalar.default",
      "torch.ops.aten._assert_async.msg",
      "torch.ops.aten._assert_tensor_metadata.default",
      "torch.ops.aten.sym_constrain_range.default",
      "torch.ops.aten.sym_constrain_range_for_size.default",
  };
  for (size_t i = 0; i < COUNT(kAssertions); i++)
    if (strcmp(target, kAssertions[i]) == 0) return true;
  return false;
}

/* True when every output of the node is a symbolic scalar (or there is none). */
static bool outputs_only_symbolic(const json_t *outputs) {
  size_t i;
  json_t *out;
  json_array_foreach(outputs, i, out) {
    const char *key;
    json_t *member;
    if (aoti_json_union(out, NULL, &key, &member) != AOTI_OK) return false; /* reported later */
    if (strcmp(key, "as_sym_int") != 0 && strcmp(key, "as_sym_bool") != 0 &&
        strcmp(key, "as_sym_float") != 0)
      return false;
  }
  return true;
}

/* The member of union `value` when its active key is `key`, else NULL (lenient: for probing). */
static json_t *union_member(const json_t *value, const char *key) {
  const char *active;
  json_t *member;
  if (!value || aoti_json_union(value, NULL, &active, &member) != AOTI_OK) return NULL;
  return strcmp(active, key) == 0 ? member : NULL;
}

/* Name of the single as_sym_int {as_name} output of a node, or NULL. */
static const char *sym_output_name(const json_t *outputs) {
  if (json_array_size(outputs) != 1) return NULL;
  json_t *sym = union_member(json_array_get(outputs, 0), "as_sym_int");
  return json_string_value(union_member(sym, "as_name"));
}

/* sym_size.int(self, dim) whose output sym_int_values does not describe: its dimension. */
static aoti_status record_sym_size(program_reader *r, const json_t *node, const jpath *path) {
  json_t *self = NULL, *dim = NULL;
  size_t i;
  json_t *named;
  json_array_foreach(json_object_get(node, "inputs"), i, named) {
    const char *name = json_string_value(json_object_get(named, "name"));
    if (name && strcmp(name, "self") == 0)
      self = union_member(json_object_get(named, "arg"), "as_tensor");
    if (name && strcmp(name, "dim") == 0)
      dim = union_member(json_object_get(named, "arg"), "as_int");
  }
  const char *out_name = sym_output_name(json_object_get(node, "outputs"));
  if (!self || !json_is_integer(dim) || !out_name)
    return fail_at(AOTI_ERROR_FORMAT, path, "sym_size.int without self, dim and one output");
  aoti_value *v;
  aoti_status status = defined_tensor(r, self, path, &v);
  if (status != AOTI_OK) return status;
  int64_t d = (int64_t)json_integer_value(dim);
  if (d < 0) d += v->rank;
  if (d < 0 || d >= v->rank)
    return fail_at(AOTI_ERROR_FORMAT, path, "sym_size.int of dimension %lld of a rank-%d tensor",
                   (long long)json_integer_value(dim), v->rank);
  return remember_sym(r, out_name, v->dims[d]);
}

/* A node computing symbolic ints only: nothing to emit, but a sym_size.int that sym_int_values
 * lacks is resolved here. Other missing names are reported where they are used. */
static aoti_status skip_symbolic_node(program_reader *r, const char *target, const json_t *node,
                                      const jpath *path) {
  if (strcmp(target, "torch.ops.aten.sym_size.int") != 0) return AOTI_OK;
  const char *name = sym_output_name(json_object_get(node, "outputs"));
  if (name && r->sym_int_values && json_object_get(r->sym_int_values, name)) return AOTI_OK;
  return record_sym_size(r, node, path);
}

static aoti_status add_node_outputs(program_reader *r, aoti_node *n, const json_t *outputs,
                                    const jpath *path) {
  size_t i;
  json_t *out;
  json_array_foreach(outputs, i, out) {
    jpath at = JPATH_INDEX(path, i);
    const char *key;
    json_t *member;
    aoti_status status = aoti_json_union(out, &at, &key, &member);
    if (status != AOTI_OK) return status;
    jpath at_member = JPATH_KEY(&at, key);
    if (strcmp(key, "as_none") == 0) continue; /* an absent optional output */
    if (strcmp(key, "as_tensor") == 0) {
      aoti_value *v;
      status = new_tensor(r, member, &at_member, &v);
      if (status != AOTI_OK) return status;
      aoti_node_add_output(r->g, n, v);
    } else if (strcmp(key, "as_tensors") == 0) {
      status = aoti_json_array(member, &at_member);
      size_t j;
      json_t *item;
      json_array_foreach(member, j, item) {
        if (status != AOTI_OK) break;
        jpath at_item = JPATH_INDEX(&at_member, j);
        aoti_value *v;
        status = new_tensor(r, item, &at_item, &v);
        if (status == AOTI_OK) aoti_node_add_output(r->g, n, v);
      }
      if (status != AOTI_OK) return status;
    } else {
      return fail_at(AOTI_ERROR_UNSUPPORTED, &at, "output kind '%s' is not supported", key);
    }
  }
  return AOTI_OK;
}

/* The node's name: "name" (newest schema), else its first output's name, else "node<i>". */
static const char *node_name(const json_t *node, size_t index, char *buf, size_t size) {
  const char *name = json_string_value(json_object_get(node, "name"));
  if (name) return name;
  json_t *tensor = union_member(json_array_get(json_object_get(node, "outputs"), 0), "as_tensor");
  name = json_string_value(json_is_string(tensor) ? tensor : json_object_get(tensor, "name"));
  if (name) return name;
  snprintf(buf, size, "node%zu", index);
  return buf;
}

static aoti_status read_node(program_reader *r, const json_t *node, size_t index,
                             const jpath *path) {
  json_t *target_json, *inputs, *outputs;
  aoti_status status = aoti_json_member(node, path, "target", true, &target_json);
  if (status == AOTI_OK) status = aoti_json_member(node, path, "inputs", true, &inputs);
  if (status == AOTI_OK) status = aoti_json_member(node, path, "outputs", true, &outputs);
  jpath at_target = JPATH_KEY(path, "target"), at_inputs = JPATH_KEY(path, "inputs"),
        at_outputs = JPATH_KEY(path, "outputs");
  const char *target;
  if (status == AOTI_OK) status = aoti_json_string(target_json, &at_target, &target);
  if (status == AOTI_OK) status = aoti_json_array(inputs, &at_inputs);
  if (status == AOTI_OK) status = aoti_json_array(outputs, &at_outputs);
  if (status != AOTI_OK) return status;
  if (is_dropped_assertion(target)) return AOTI_OK;
  if (outputs_only_symbolic(outputs)) return skip_symbolic_node(r, target, node, path);

  char fallback[32];
  const char *name = node_name(node, index, fallback, sizeof fallback);
  aoti_node *n = aoti_graph_add_node(r->g, target, name);
  if (!n) return out_of_memory();
  size_t i;
  json_t *named;
  json_array_foreach(inputs, i, named) {
    jpath at = JPATH_INDEX(&at_inputs, i);
    json_t *arg_name, *arg;
    status = aoti_json_member(named, &at, "name", true, &arg_name);
    if (status == AOTI_OK) status = aoti_json_member(named, &at, "arg", true, &arg);
    jpath at_name = JPATH_KEY(&at, "name"), at_arg = JPATH_KEY(&at, "arg");
    const char *arg_name_text;
    aoti_arg a;
    if (status == AOTI_OK) status = aoti_json_string(arg_name, &at_name, &arg_name_text);
    if (status == AOTI_OK) status = convert_arg(r, arg, &at_arg, &a);
    if (status != AOTI_OK)
      return aoti_error_prefix(status, "node '%s' (%s), argument %zu", name, target, i);
    aoti_node_add_named(r->g, n, arg_name_text, a);
  }
  status = add_node_outputs(r, n, outputs, &at_outputs);
  if (status != AOTI_OK) return aoti_error_prefix(status, "node '%s' (%s)", name, target);
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Signature
//===----------------------------------------------------------------------===//

/* Adds the constant `fqn` (value named by `arg`) with bytes from `table`. */
static aoti_status add_constant(program_reader *r, const json_t *arg, const jpath *path,
                                const char *fqn, aoti_constant_kind kind,
                                const aoti_tensor_table *table, const char *payload_name,
                                const char *searched) {
  aoti_value *v;
  aoti_status status = new_tensor(r, arg, path, &v);
  if (status != AOTI_OK) return status;
  const aoti_stored_tensor *t = table ? aoti_tensor_table_find(table, fqn) : NULL;
  r->payload_error = true;
  if (!t)
    return aoti_error_set(AOTI_ERROR_NOT_FOUND, "constant '%s' is not in the %s (%s)", fqn,
                          payload_name, table ? aoti_tensor_table_label(table) : searched);
  bool same_shape = t->dtype == v->dtype && t->rank == v->rank;
  for (int32_t d = 0; same_shape && d < v->rank; d++) {
    int64_t dim;
    same_shape = aoti_sx_is_const(v->dims[d], &dim) && dim == t->sizes[d];
  }
  if (!same_shape)
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "%s: '%s' has dtype %s and rank %d there, which "
                          "differs from its placeholder '%s' (dtype %s, rank %d) or its sizes",
                          aoti_tensor_table_label(table), fqn, aoti_dtype_name(t->dtype), t->rank,
                          v->name, aoti_dtype_name(v->dtype), v->rank);
  size_t nbytes = aoti_stored_tensor_nbytes(t);
  if (nbytes == SIZE_MAX)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: '%s' is too large",
                          aoti_tensor_table_label(table), fqn);
  aoti_constant *c = aoti_graph_add_constant(r->g, fqn, v, NULL, nbytes, kind);
  if (!c || (nbytes && !c->data)) return out_of_memory();
  status = aoti_tensor_table_copy_contiguous(table, t, c->data);
  if (status == AOTI_OK) r->payload_error = false;
  return status;
}

static aoti_status string_member(const json_t *obj, const jpath *path, const char *key,
                                 const char **out_value) {
  json_t *value;
  aoti_status status = aoti_json_member(obj, path, key, true, &value);
  jpath at = JPATH_KEY(path, key);
  return status != AOTI_OK ? status : aoti_json_string(value, &at, out_value);
}

/* The "as_tensor" member of the Argument union in `member`'s "arg" (at `at_arg`), for user inputs
 * and outputs; `role` ("user input") and `kinds` ("inputs") name them in messages. */
static aoti_status as_tensor_arg(const json_t *member, const jpath *at, const jpath *at_arg,
                                 const char *role, const char *kinds, json_t **out_tensor) {
  json_t *arg, *tensor;
  const char *arg_key;
  aoti_status status = aoti_json_member(member, at, "arg", true, &arg);
  if (status == AOTI_OK) status = aoti_json_union(arg, at_arg, &arg_key, &tensor);
  if (status != AOTI_OK) return status;
  if (strcmp(arg_key, "as_tensor") != 0)
    return fail_at(AOTI_ERROR_UNSUPPORTED, at_arg, "%s of kind '%s': only tensor %s are supported",
                   role, arg_key, kinds);
  *out_tensor = tensor;
  return AOTI_OK;
}

static aoti_status read_input_spec(program_reader *r, const json_t *spec, const jpath *path) {
  const char *key;
  json_t *member, *arg;
  aoti_status status = aoti_json_union(spec, path, &key, &member);
  if (status != AOTI_OK) return status;
  jpath at = JPATH_KEY(path, key), at_arg = JPATH_KEY(&at, "arg");
  const char *fqn;
  if (strcmp(key, "user_input") == 0) {
    json_t *arg_member;
    status = as_tensor_arg(member, &at, &at_arg, "user input", "inputs", &arg_member);
    if (status != AOTI_OK) return status;
    jpath at_tensor = JPATH_KEY(&at_arg, "as_tensor");
    aoti_value *v;
    status = new_tensor(r, arg_member, &at_tensor, &v);
    if (status == AOTI_OK) aoti_graph_add_input(r->g, v);
    return status;
  }
  if (strcmp(key, "parameter") == 0) {
    status = aoti_json_member(member, &at, "arg", true, &arg);
    if (status == AOTI_OK) status = string_member(member, &at, "parameter_name", &fqn);
    return status != AOTI_OK
               ? status
               : add_constant(r, arg, &at_arg, fqn, AOTI_CONSTANT_PARAMETER, r->payloads.state_dict,
                              "state dict", r->payloads.state_dict_searched);
  }
  if (strcmp(key, "buffer") == 0) {
    json_t *persistent;
    status = aoti_json_member(member, &at, "arg", true, &arg);
    if (status == AOTI_OK) status = string_member(member, &at, "buffer_name", &fqn);
    if (status == AOTI_OK) status = aoti_json_member(member, &at, "persistent", false, &persistent);
    if (status != AOTI_OK) return status;
    /* Non-persistent buffers are not in the state dict; torch puts them with the constants.
     * Files without the flag (older schemas) are looked up in both. */
    bool in_constants = persistent ? json_is_false(persistent)
                                   : r->payloads.constants &&
                                         !(r->payloads.state_dict &&
                                           aoti_tensor_table_find(r->payloads.state_dict, fqn)) &&
                                         aoti_tensor_table_find(r->payloads.constants, fqn);
    if (in_constants)
      return add_constant(r, arg, &at_arg, fqn, AOTI_CONSTANT_TENSOR, r->payloads.constants,
                          "constants", r->payloads.constants_searched);
    return add_constant(r, arg, &at_arg, fqn, AOTI_CONSTANT_BUFFER, r->payloads.state_dict,
                        "state dict", r->payloads.state_dict_searched);
  }
  if (strcmp(key, "tensor_constant") == 0) {
    status = aoti_json_member(member, &at, "arg", true, &arg);
    if (status == AOTI_OK) status = string_member(member, &at, "tensor_constant_name", &fqn);
    return status != AOTI_OK
               ? status
               : add_constant(r, arg, &at_arg, fqn, AOTI_CONSTANT_TENSOR, r->payloads.constants,
                              "constants", r->payloads.constants_searched);
  }
  return fail_at(AOTI_ERROR_UNSUPPORTED, path, "input of kind '%s' is not supported", key);
}

static aoti_status read_output_spec(program_reader *r, const json_t *spec, const jpath *path,
                                    int32_t *user_outputs) {
  const char *key;
  json_t *member, *arg;
  aoti_status status = aoti_json_union(spec, path, &key, &member);
  if (status != AOTI_OK) return status;
  jpath at = JPATH_KEY(path, key), at_arg = JPATH_KEY(&at, "arg");
  if (strcmp(key, "user_output") == 0) {
    json_t *arg_member;
    status = as_tensor_arg(member, &at, &at_arg, "output", "outputs", &arg_member);
    if (status != AOTI_OK) return status;
    jpath at_tensor = JPATH_KEY(&at_arg, "as_tensor");
    aoti_value *v;
    status = defined_tensor(r, arg_member, &at_tensor, &v);
    if (status != AOTI_OK) return status;
    char name[32];
    snprintf(name, sizeof name, "output%d", (*user_outputs)++);
    aoti_graph_add_output(r->g, name, v);
    return AOTI_OK;
  }
  if (strcmp(key, "buffer_mutation") == 0) {
    const char *buffer;
    aoti_value *v;
    status = aoti_json_member(member, &at, "arg", true, &arg);
    if (status == AOTI_OK) status = string_member(member, &at, "buffer_name", &buffer);
    if (status == AOTI_OK) status = defined_tensor(r, arg, &at_arg, &v);
    if (status == AOTI_OK) aoti_graph_add_mutation(r->g, buffer, v);
    return status;
  }
  return fail_at(AOTI_ERROR_UNSUPPORTED, path,
                 "output of kind '%s' is not supported (inference programs only)", key);
}

static aoti_status read_specs(program_reader *r, const json_t *signature, const jpath *path,
                              const char *key, bool inputs) {
  json_t *specs;
  aoti_status status = aoti_json_member(signature, path, key, true, &specs);
  jpath at = JPATH_KEY(path, key);
  if (status == AOTI_OK) status = aoti_json_array(specs, &at);
  int32_t user_outputs = 0;
  size_t i;
  json_t *spec;
  json_array_foreach(specs, i, spec) {
    if (status != AOTI_OK) break;
    jpath at_spec = JPATH_INDEX(&at, i);
    status = inputs ? read_input_spec(r, spec, &at_spec)
                    : read_output_spec(r, spec, &at_spec, &user_outputs);
  }
  return status;
}

//===----------------------------------------------------------------------===//
// Top level
//===----------------------------------------------------------------------===//

/* schema_version: {"major", "minor"} or a plain int (torch 2.1/2.2). */
static aoti_status check_schema_version(program_reader *r, const json_t *root) {
  json_t *version;
  aoti_status status = aoti_json_member(root, NULL, "schema_version", true, &version);
  if (status != AOTI_OK) return status;
  jpath at = JPATH_KEY(NULL, "schema_version");
  int64_t major, minor = -1;
  if (json_is_integer(version)) {
    major = (int64_t)json_integer_value(version);
  } else {
    json_t *major_json, *minor_json;
    status = aoti_json_member(version, &at, "major", true, &major_json);
    if (status == AOTI_OK) status = aoti_json_member(version, &at, "minor", false, &minor_json);
    jpath at_major = JPATH_KEY(&at, "major"), at_minor = JPATH_KEY(&at, "minor");
    if (status == AOTI_OK) status = aoti_json_int(major_json, &at_major, &major);
    if (status == AOTI_OK && minor_json) status = aoti_json_int(minor_json, &at_minor, &minor);
    if (status != AOTI_OK) return status;
  }
  char text[64];
  if (minor >= 0)
    snprintf(text, sizeof text, "%lld.%lld", (long long)major, (long long)minor);
  else
    snprintf(text, sizeof text, "%lld", (long long)major);
  if (major < AOTI_PROGRAM_MIN_SCHEMA_MAJOR || major > AOTI_PROGRAM_MAX_SCHEMA_MAJOR)
    return aoti_error_set(AOTI_ERROR_VERSION,
                          "schema_version %s is not supported (supported "
                          "majors: %d to %d)",
                          text, AOTI_PROGRAM_MIN_SCHEMA_MAJOR, AOTI_PROGRAM_MAX_SCHEMA_MAJOR);
  aoti_graph_set_meta(r->g, "schema_version", text);
  return AOTI_OK;
}

/* in_spec/out_spec of the root module_call_graph entry (fqn ""), when present. */
static void read_call_spec(program_reader *r, const json_t *graph_module) {
  size_t i;
  json_t *entry;
  json_array_foreach(json_object_get(graph_module, "module_call_graph"), i, entry) {
    const char *fqn = json_string_value(json_object_get(entry, "fqn"));
    json_t *signature = json_object_get(entry, "signature");
    if (!fqn || fqn[0] != '\0' || !json_is_object(signature)) continue;
    const char *in_spec = json_string_value(json_object_get(signature, "in_spec"));
    const char *out_spec = json_string_value(json_object_get(signature, "out_spec"));
    if (in_spec) aoti_graph_set_meta(r->g, "in_spec", in_spec);
    if (out_spec) aoti_graph_set_meta(r->g, "out_spec", out_spec);
  }
}

static aoti_status read_program(program_reader *r, const json_t *root) {
  aoti_status status = aoti_json_object(root, NULL);
  if (status == AOTI_OK) status = check_schema_version(r, root);
  if (status != AOTI_OK) return status;
  const char *torch_version = json_string_value(json_object_get(root, "torch_version"));
  if (torch_version) aoti_graph_set_meta(r->g, "torch_version", torch_version);

  json_t *graph_module, *graph, *signature, *nodes, *tensor_values, *sym_int_values;
  jpath at_gm = JPATH_KEY(NULL, "graph_module");
  jpath at_graph = JPATH_KEY(&at_gm, "graph"), at_sig = JPATH_KEY(&at_gm, "signature");
  jpath at_nodes = JPATH_KEY(&at_graph, "nodes"), at_tv = JPATH_KEY(&at_graph, "tensor_values");
  status = aoti_json_member(root, NULL, "graph_module", true, &graph_module);
  if (status == AOTI_OK) status = aoti_json_member(graph_module, &at_gm, "graph", true, &graph);
  if (status == AOTI_OK)
    status = aoti_json_member(graph_module, &at_gm, "signature", true, &signature);
  if (status == AOTI_OK) status = aoti_json_member(graph, &at_graph, "nodes", true, &nodes);
  if (status == AOTI_OK)
    status = aoti_json_member(graph, &at_graph, "tensor_values", true, &tensor_values);
  if (status == AOTI_OK)
    status = aoti_json_member(graph, &at_graph, "sym_int_values", false, &sym_int_values);
  if (status == AOTI_OK) status = aoti_json_array(nodes, &at_nodes);
  if (status == AOTI_OK) status = aoti_json_object(tensor_values, &at_tv);
  if (status != AOTI_OK) return status;
  r->tensor_values = tensor_values;
  r->sym_int_values = json_is_object(sym_int_values) ? sym_int_values : NULL;

  status = read_symbols(r, root);
  if (status == AOTI_OK) status = read_specs(r, signature, &at_sig, "input_specs", true);
  size_t i;
  json_t *node;
  json_array_foreach(nodes, i, node) {
    if (status != AOTI_OK) break;
    jpath at_node = JPATH_INDEX(&at_nodes, i);
    status = read_node(r, node, i, &at_node);
  }
  if (status == AOTI_OK) status = read_specs(r, signature, &at_sig, "output_specs", false);
  if (status == AOTI_OK) read_call_spec(r, graph_module);
  return status;
}

aoti_status aoti_program_read_json(const char *text, size_t size, const char *label,
                                   const aoti_program_payloads *payloads, aoti_graph **out_graph) {
  json_t *root = NULL;
  program_reader r = {0};
  if (payloads) r.payloads = *payloads;
  if (!r.payloads.state_dict_searched) r.payloads.state_dict_searched = "no state dict payload";
  if (!r.payloads.constants_searched) r.payloads.constants_searched = "no constants payload";
  aoti_status status = aoti_json_parse(text, size, &root);
  if (status == AOTI_OK) {
    r.g = aoti_graph_create();
    status = r.g ? read_program(&r, root) : out_of_memory();
  }
  free(r.syms);
  json_decref(root);
  if (status != AOTI_OK) {
    aoti_graph_destroy(r.g);
    return label && !r.payload_error ? aoti_error_prefix(status, "%s", label) : status;
  }
  *out_graph = r.g;
  return AOTI_OK;
}
