/* schema.c — aoti_schema_parse: reads an operator declaration in native_functions.yaml syntax,
 *
 *     addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar beta=1, Scalar alpha=1) -> Tensor
 *     transpose.int(Tensor(a) self, int dim0, int dim1) -> Tensor(a)
 *
 * into argument names, types, kwarg-only flags and defaults. Grammar (the subset the op table's
 * declarations and their near relatives use):
 *   decl    := name ['.' overload] '(' [param (',' param)*] ')' '->' returns
 *   param   := '*' | type name ['=' default]
 *   type    := base ['(' alias ')'] ['?'] ['[' [N] ']'] ['?']    alias annotations are ignored
 *   returns := type [name] | '(' [type [name] (',' type [name])*] ')'
 *   default := None | True | False | number | 'str' | "str" | [number, ...] | contiguous_format ...
 * The schema owns everything it points to (malloc'd); aoti_schema_free releases it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ops/ops.h"
#include "util/scan.h"

typedef struct schema_parser {
  const char *decl;
  const char *at;
  aoti_status status;
} schema_parser;

static bool schema_fail(schema_parser *p, const char *what) {
  if (p->status == AOTI_OK)
    p->status = aoti_error_set(AOTI_ERROR_FORMAT, "cannot parse operator schema '%s' at position %d ('%c'): %s",
                               p->decl, (int)(p->at - p->decl), *p->at ? *p->at : ' ', what);
  return false;
}

static void skip_blank(schema_parser *p) { aoti_scan_skip_space(&p->at); }

static bool take(schema_parser *p, const char *token) { return aoti_scan_token(&p->at, token); }

static bool need(schema_parser *p, const char *token) {
  if (take(p, token)) return true;
  char what[48];
  snprintf(what, sizeof what, "expected '%s'", token);
  return schema_fail(p, what);
}

/* A malloc'd, NUL-terminated copy of n bytes of s; NULL (error set) when out of memory. */
static char *copy_text(schema_parser *p, const char *s, size_t n) {
  char *copy = malloc(n + 1);
  if (!copy) {
    p->status = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory parsing schema '%s'", p->decl);
    return NULL;
  }
  memcpy(copy, s, n);
  copy[n] = '\0';
  return copy;
}

/* A malloc'd copy of the identifier at p->at, or NULL (error set) when none is there. */
static char *take_ident(schema_parser *p, const char *what) {
  skip_blank(p);
  size_t n = 0;
  while (isalnum((unsigned char)p->at[n]) || p->at[n] == '_') n++;
  if (n == 0 || isdigit((unsigned char)p->at[0])) {
    schema_fail(p, what);
    return NULL;
  }
  char *s = copy_text(p, p->at, n);
  p->at += n;
  return s;
}

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

typedef struct base_type {
  const char *name;
  aoti_schema_type scalar; /* the type itself */
  aoti_schema_type list;   /* T[] (or the scalar type again when T[] is unsupported) */
  bool has_list;
} base_type;

static const base_type kBaseTypes[] = {
    {"Tensor", AOTI_SCHEMA_TENSOR, AOTI_SCHEMA_TENSOR_LIST, true},
    {"SymInt", AOTI_SCHEMA_SYMINT, AOTI_SCHEMA_SYMINT_LIST, true},
    {"int", AOTI_SCHEMA_INT, AOTI_SCHEMA_INT_LIST, true},
    {"float", AOTI_SCHEMA_FLOAT, AOTI_SCHEMA_FLOAT_LIST, true},
    {"bool", AOTI_SCHEMA_BOOL, AOTI_SCHEMA_BOOL_LIST, true},
    {"Scalar", AOTI_SCHEMA_SCALAR, AOTI_SCHEMA_SCALAR, false},
    {"str", AOTI_SCHEMA_STR, AOTI_SCHEMA_STR, false},
    {"ScalarType", AOTI_SCHEMA_SCALAR_TYPE, AOTI_SCHEMA_SCALAR_TYPE, false},
    {"Layout", AOTI_SCHEMA_LAYOUT, AOTI_SCHEMA_LAYOUT, false},
    {"MemoryFormat", AOTI_SCHEMA_MEMORY_FORMAT, AOTI_SCHEMA_MEMORY_FORMAT, false},
    {"Device", AOTI_SCHEMA_DEVICE, AOTI_SCHEMA_DEVICE, false},
};

/* Skips an alias annotation such as (a), (a!), (a -> *). */
static bool skip_alias(schema_parser *p) {
  if (!take(p, "(")) return true;
  const char *close = strchr(p->at, ')');
  if (!close) return schema_fail(p, "unterminated alias annotation");
  p->at = close + 1;
  return true;
}

/* Reads a type into arg->type, list_size and optional. */
static bool parse_type(schema_parser *p, aoti_schema_arg *arg) {
  const char *start = (skip_blank(p), p->at);
  char *name = take_ident(p, "expected a type");
  if (!name) return false;
  const base_type *base = NULL;
  for (size_t i = 0; i < sizeof kBaseTypes / sizeof kBaseTypes[0]; i++)
    if (strcmp(name, kBaseTypes[i].name) == 0) base = &kBaseTypes[i];
  free(name);
  if (!base) {
    p->at = start;
    return schema_fail(p, "unsupported type");
  }
  if (!skip_alias(p)) return false;
  bool element_optional = take(p, "?");
  arg->type = base->scalar;
  if (take(p, "[")) {
    if (!base->has_list) return schema_fail(p, "lists of this type are not supported");
    skip_blank(p);
    if (isdigit((unsigned char)*p->at)) arg->list_size = (int32_t)strtol(p->at, (char **)&p->at, 10);
    if (!need(p, "]")) return false;
    if (element_optional && base->scalar != AOTI_SCHEMA_TENSOR)
      return schema_fail(p, "only Tensor?[] may have optional elements");
    arg->type = element_optional ? AOTI_SCHEMA_OPT_TENSOR_LIST : base->list;
    arg->optional = take(p, "?");
  } else {
    arg->optional = element_optional;
  }
  return true;
}

static bool type_is_list(aoti_schema_type t) {
  return t == AOTI_SCHEMA_INT_LIST || t == AOTI_SCHEMA_SYMINT_LIST || t == AOTI_SCHEMA_FLOAT_LIST ||
         t == AOTI_SCHEMA_BOOL_LIST || t == AOTI_SCHEMA_TENSOR_LIST || t == AOTI_SCHEMA_OPT_TENSOR_LIST;
}

//===----------------------------------------------------------------------===//
// Defaults
//===----------------------------------------------------------------------===//

/* A number: int unless it has a fraction or exponent, or the type is float. */
static bool parse_number(schema_parser *p, aoti_schema_type type, aoti_arg *out) {
  skip_blank(p);
  const char *start = p->at;
  char *end = NULL;
  errno = 0;
  double f = strtod(start, &end);
  if (end == start || errno == ERANGE) return schema_fail(p, "expected a default value");
  bool integral = strcspn(start, ".eEin") >= (size_t)(end - start); /* no '.', exponent, inf or nan */
  if (integral && type != AOTI_SCHEMA_FLOAT && type != AOTI_SCHEMA_FLOAT_LIST) {
    *out = aoti_arg_int(strtoll(start, NULL, 10));
  } else {
    *out = aoti_arg_float(f);
  }
  p->at = end;
  return true;
}

/* Named constants that appear as defaults: MemoryFormat names use the export schema numbering
 * (docs/torch-export-format.md section 2.6). */
static bool parse_named_default(schema_parser *p, aoti_arg *out) {
  static const struct {
    const char *name;
    aoti_arg_kind kind;
    int64_t value;
  } kNamed[] = {
      {"contiguous_format", AOTI_ARG_MEMORY_FORMAT, 1},
      {"channels_last", AOTI_ARG_MEMORY_FORMAT, 2},
      {"preserve_format", AOTI_ARG_MEMORY_FORMAT, 4},
  };
  const char *start = (skip_blank(p), p->at);
  char *name = take_ident(p, "expected a default value");
  if (!name) return false;
  bool found = true;
  if (strcmp(name, "None") == 0)
    *out = aoti_arg_none();
  else if (strcmp(name, "True") == 0 || strcmp(name, "False") == 0)
    *out = aoti_arg_bool(name[0] == 'T');
  else {
    found = false;
    for (size_t i = 0; i < sizeof kNamed / sizeof kNamed[0]; i++) {
      if (strcmp(name, kNamed[i].name) == 0) {
        *out = (aoti_arg){.kind = kNamed[i].kind, .i = kNamed[i].value};
        found = true;
      }
    }
  }
  free(name);
  if (!found) {
    p->at = start;
    return schema_fail(p, "unknown default value");
  }
  return true;
}

static bool parse_string_default(schema_parser *p, aoti_arg *out) {
  char quote = *p->at++;
  const char *close = strchr(p->at, quote);
  if (!close) return schema_fail(p, "unterminated string default");
  char *s = copy_text(p, p->at, (size_t)(close - p->at));
  if (!s) return false;
  *out = (aoti_arg){.kind = AOTI_ARG_STRING, .s = s};
  p->at = close + 1;
  return true;
}

/* [a, b, ...] of numbers or booleans, into a malloc'd list. */
static bool parse_list_default(schema_parser *p, aoti_schema_type type, aoti_arg *out) {
  aoti_arg items[AOTI_MAX_RANK * 2];
  int32_t n = 0;
  if (!take(p, "]")) {
    do {
      if (n == (int32_t)(sizeof items / sizeof items[0])) return schema_fail(p, "default list too long");
      skip_blank(p);
      bool ok = isalpha((unsigned char)*p->at) ? parse_named_default(p, &items[n]) : parse_number(p, type, &items[n]);
      if (!ok) return false;
      n++;
    } while (take(p, ","));
    if (!need(p, "]")) return false;
  }
  aoti_arg *list = malloc((size_t)(n ? n : 1) * sizeof *list);
  if (!list) {
    p->status = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory parsing schema '%s'", p->decl);
    return false;
  }
  memcpy(list, items, (size_t)n * sizeof *list);
  *out = (aoti_arg){.kind = AOTI_ARG_LIST, .count = n, .list = list};
  return true;
}

/* An int[N] default written as one number means N copies of it (native_functions.yaml:
 * "int[2] stride=1"). */
static bool expand_scalar_list_default(schema_parser *p, aoti_schema_arg *arg) {
  if (!type_is_list(arg->type) || arg->default_value.kind == AOTI_ARG_LIST || arg->default_value.kind == AOTI_ARG_NONE)
    return true;
  if (arg->list_size <= 0) return schema_fail(p, "a list default needs [...] unless the list has a fixed size");
  aoti_arg *list = malloc((size_t)arg->list_size * sizeof *list);
  if (!list) {
    p->status = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory parsing schema '%s'", p->decl);
    return false;
  }
  for (int32_t i = 0; i < arg->list_size; i++) list[i] = arg->default_value;
  arg->default_value = (aoti_arg){.kind = AOTI_ARG_LIST, .count = arg->list_size, .list = list};
  return true;
}

static bool parse_default(schema_parser *p, aoti_schema_arg *arg) {
  skip_blank(p);
  bool ok;
  if (take(p, "["))
    ok = parse_list_default(p, arg->type, &arg->default_value);
  else if (*p->at == '\'' || *p->at == '"')
    ok = parse_string_default(p, &arg->default_value);
  else if (isalpha((unsigned char)*p->at))
    ok = parse_named_default(p, &arg->default_value);
  else
    ok = parse_number(p, arg->type, &arg->default_value);
  arg->has_default = ok;
  return ok && expand_scalar_list_default(p, arg);
}

//===----------------------------------------------------------------------===//
// Declarations
//===----------------------------------------------------------------------===//

static void free_arg_storage(aoti_schema_arg *a) {
  free((char *)a->name);
  if (a->has_default && a->default_value.kind == AOTI_ARG_STRING) free((char *)a->default_value.s);
  if (a->has_default && a->default_value.kind == AOTI_ARG_LIST) free(a->default_value.list);
}

void aoti_schema_free(aoti_schema *schema) {
  if (!schema) return;
  for (int32_t i = 0; i < schema->num_args; i++) free_arg_storage((aoti_schema_arg *)&schema->args[i]);
  free((aoti_schema_arg *)schema->args);
  free((char *)schema->name);
  free((char *)schema->overload);
  memset(schema, 0, sizeof *schema);
}

static bool parse_param(schema_parser *p, aoti_schema_arg *arg, bool kwarg_only) {
  if (!parse_type(p, arg)) return false;
  arg->kwarg_only = kwarg_only;
  arg->name = take_ident(p, "expected an argument name");
  if (!arg->name) return false;
  return !take(p, "=") || parse_default(p, arg);
}

static bool parse_params(schema_parser *p, aoti_schema *out, aoti_schema_arg *args, int32_t capacity) {
  bool kwarg_only = false;
  if (take(p, ")")) return true;
  do {
    if (take(p, "*")) {
      if (kwarg_only) return schema_fail(p, "second '*'");
      kwarg_only = true;
      continue;
    }
    if (out->num_args == capacity) return schema_fail(p, "too many arguments");
    aoti_schema_arg *arg = &args[out->num_args++];
    if (!parse_param(p, arg, kwarg_only)) return false;
    for (int32_t i = 0; i + 1 < out->num_args; i++)
      if (strcmp(args[i].name, arg->name) == 0) return schema_fail(p, "duplicate argument name");
  } while (take(p, ","));
  return need(p, ")");
}

/* One return: a type and an optional name. Its type goes to *out_type. */
static bool parse_return(schema_parser *p, aoti_schema_type *out_type) {
  aoti_schema_arg ignored = {0};
  if (!parse_type(p, &ignored)) return false;
  *out_type = ignored.type;
  skip_blank(p);
  if (isalpha((unsigned char)*p->at) || *p->at == '_') free(take_ident(p, "expected a return name"));
  return p->status == AOTI_OK;
}

static bool parse_returns(schema_parser *p, aoti_schema *out) {
  if (!need(p, "->")) return false;
  aoti_schema_type type = AOTI_SCHEMA_TENSOR;
  if (!take(p, "(")) {
    out->num_returns = 1;
    if (!parse_return(p, &type)) return false;
    out->returns_list = type == AOTI_SCHEMA_TENSOR_LIST;
    return true;
  }
  if (take(p, ")")) return true;
  do {
    if (!parse_return(p, &type)) return false;
    out->num_returns++;
  } while (take(p, ","));
  return need(p, ")");
}

static bool parse_name(schema_parser *p, aoti_schema *out, const char *overload) {
  char *name = take_ident(p, "expected the operator name");
  if (!name) return false;
  out->name = name;
  char *own_overload = take(p, ".") ? take_ident(p, "expected the overload name") : NULL;
  if (p->status != AOTI_OK) return false;
  if (overload && own_overload && strcmp(overload, own_overload) != 0) {
    free(own_overload);
    return schema_fail(p, "overload differs from the one asked for");
  }
  if (!own_overload) {
    const char *fallback = overload ? overload : "default";
    own_overload = copy_text(p, fallback, strlen(fallback));
  }
  out->overload = own_overload;
  return own_overload != NULL;
}

aoti_status aoti_schema_parse(const char *decl, const char *overload, aoti_schema *out) {
  if (!decl) return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "aoti_schema_parse: no declaration");
  schema_parser p = {decl, decl, AOTI_OK};
  aoti_schema s = {0};
  /* Every parameter has a name and separators; an upper bound sized from the text. */
  int32_t capacity = 1;
  for (const char *c = decl; *c; c++) capacity += *c == ',';
  aoti_schema_arg *args = calloc((size_t)capacity, sizeof *args);
  if (!args) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory parsing schema '%s'", decl);
  s.args = args;
  bool ok = parse_name(&p, &s, overload) && need(&p, "(") && parse_params(&p, &s, args, capacity) &&
            parse_returns(&p, &s);
  skip_blank(&p);
  if (ok && *p.at) ok = schema_fail(&p, "unexpected text after the returns");
  if (!ok) {
    /* An argument that failed halfway is counted, so its name and default are freed too. */
    aoti_schema_free(&s);
    return p.status;
  }
  *out = s;
  return AOTI_OK;
}
