/* sxparse.c — aoti_sx_parse: reads a size expression in either spelling torch.export writes.
 *
 *   str(expr) (older writers):  s0   2*s0 + 1   (s0//2)   s0*s1   Max(1, s0)   Mod(s0, 2)
 *                               floor(s0/2)   s0**2   -s0 + 4
 *   sympy.srepr (current writers, see docs/torch-export-format.md section 2.5):
 *       Symbol('s0', integer=True, positive=True)   Integer(2)   Mul(Integer(2), Symbol(...))
 *       Add(...)   FloorDiv(a, b)   Mod(a, b)   PythonMod(a, b)   CleanDiv(a, b)   Max(...)   Min(...)
 *       Pow(x, Integer(n))
 *
 * One recursive-descent grammar covers both (srepr is just function-call syntax):
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '//' | '%' | '/') unary)*        '/' only directly inside floor()
 *   unary   := '-' unary | '+' unary | power                  (as in Python, -s0**2 is -(s0**2))
 *   power   := primary ('**' integer)?
 *   primary := integer | name | name '(' arguments ')' | '(' sum ')'
 * Keyword arguments inside Symbol(...) (integer=True, ...) are skipped.
 *
 * True division is accepted only as floor(x/y), and only where floor(...) of it equals an
 * integer expression plus x//y: at most one '/', as the last operation of a term added with '+'.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ir/ir.h"
#include "util/scan.h"

typedef struct parser {
  aoti_graph *g;
  const char *text;
  const char *at;
  aoti_status status; /* first error; parsing stops there */
  bool floor_arg;     /* directly inside floor(...): '/' allowed */
  int slashes;        /* '/' seen in the current floor argument */
} parser;

enum { MAX_CALL_ARGS = 64 };

static const aoti_sx *fail(parser *p, const char *what) {
  if (p->status == AOTI_OK)
    p->status = aoti_error_set(AOTI_ERROR_FORMAT, "cannot parse size expression '%s' at position %d: %s",
                               p->text, (int)(p->at - p->text), what);
  return NULL;
}

/* The constructors return NULL only when memory ran out. */
static const aoti_sx *checked(parser *p, const aoti_sx *e) {
  if (!e && p->status == AOTI_OK)
    p->status = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory parsing size expression '%s'", p->text);
  return e;
}

static void skip_space(parser *p) { aoti_scan_skip_space(&p->at); }

/* Consumes `token` (after spaces) when it is next. */
static bool accept(parser *p, const char *token) { return aoti_scan_token(&p->at, token); }

static bool expect(parser *p, const char *token) {
  if (accept(p, token)) return true;
  char what[64];
  snprintf(what, sizeof what, "expected '%s'", token);
  fail(p, what);
  return false;
}

static bool is_name_char(char c, bool first) {
  return isalpha((unsigned char)c) || c == '_' || (!first && isdigit((unsigned char)c));
}

/* Reads a name into buf; false when none is next. */
static bool read_name(parser *p, char *buf, size_t size) {
  skip_space(p);
  size_t n = 0;
  if (!is_name_char(*p->at, true)) return false;
  while (is_name_char(p->at[n], n == 0)) n++;
  if (n >= size) {
    fail(p, "name too long");
    return false;
  }
  memcpy(buf, p->at, n);
  buf[n] = '\0';
  p->at += n;
  return true;
}

static bool read_integer(parser *p, int64_t *out_value) {
  skip_space(p);
  if (!isdigit((unsigned char)*p->at)) {
    fail(p, "expected an integer");
    return false;
  }
  int64_t v = 0;
  for (; isdigit((unsigned char)*p->at); p->at++) {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, *p->at - '0', &v)) {
      fail(p, "integer out of range");
      return false;
    }
  }
  *out_value = v;
  return true;
}

static const aoti_sx *parse_sum(parser *p);

/* A parenthesized or argument sub-expression: floor()'s '/' permission does not reach into it. */
static const aoti_sx *parse_nested(parser *p) {
  bool floor_arg = p->floor_arg;
  p->floor_arg = false;
  const aoti_sx *e = parse_sum(p);
  p->floor_arg = floor_arg;
  return e;
}

/* The symbol `name`, which started at `start` (where an error points). */
static const aoti_sx *symbol_named(parser *p, const char *name, const char *start) {
  int32_t sym = aoti_graph_find_symbol(p->g, name);
  if (sym < 0) {
    p->at = start;
    char what[160];
    snprintf(what, sizeof what, "unknown symbol '%s'", name);
    return fail(p, what);
  }
  return checked(p, aoti_sx_sym(p->g, sym));
}

/* Symbol('name', key=value, ...): the keywords (integer=True, positive=True) are assumptions that
 * the range constraints already carry. */
static const aoti_sx *parse_srepr_symbol(parser *p) {
  skip_space(p);
  char quote = *p->at;
  if (quote != '\'' && quote != '"') return fail(p, "expected a quoted symbol name");
  const char *start = ++p->at;
  const char *end = strchr(start, quote);
  if (!end) return fail(p, "unterminated symbol name");
  char name[128];
  if ((size_t)(end - start) >= sizeof name) return fail(p, "symbol name too long");
  memcpy(name, start, (size_t)(end - start));
  name[end - start] = '\0';
  p->at = end + 1;
  int depth = 0;
  for (skip_space(p); *p->at && (depth > 0 || *p->at != ')'); p->at++) {
    if (*p->at == '(') depth++;
    if (*p->at == ')') depth--;
  }
  if (!expect(p, ")")) return NULL;
  return symbol_named(p, name, start);
}

/* Comma-separated arguments up to ')'; returns their number or -1. */
static int parse_args(parser *p, const aoti_sx **args) {
  int n = 0;
  if (accept(p, ")")) return 0;
  do {
    if (n == MAX_CALL_ARGS) {
      fail(p, "too many arguments");
      return -1;
    }
    if (!(args[n++] = parse_nested(p))) return -1;
  } while (accept(p, ","));
  return expect(p, ")") ? n : -1;
}

typedef const aoti_sx *(*sx_binary_fn)(aoti_graph *, const aoti_sx *, const aoti_sx *);

/* Left fold of an n-ary call (Add, Mul, Max, Min) or check of a binary one. */
static const aoti_sx *fold_args(parser *p, const aoti_sx **args, int n, int want, sx_binary_fn fn) {
  if (n < 1 || (want && n != want)) return fail(p, want == 2 ? "expected two arguments" : "expected arguments");
  const aoti_sx *e = args[0];
  for (int i = 1; i < n && e; i++) e = checked(p, fn(p->g, e, args[i]));
  return e;
}

static const aoti_sx *power(parser *p, const aoti_sx *base, int64_t exponent) {
  if (exponent < 0 || exponent > 64) return fail(p, "unsupported exponent");
  const aoti_sx *e = checked(p, aoti_sx_const(p->g, 1));
  for (int64_t i = 0; i < exponent && e; i++) e = checked(p, aoti_sx_mul(p->g, e, base));
  return e;
}

static const aoti_sx *parse_floor(parser *p) {
  bool floor_arg = p->floor_arg;
  int slashes = p->slashes;
  p->floor_arg = true;
  p->slashes = 0;
  const aoti_sx *e = parse_sum(p);
  if (e && p->slashes > 1) e = fail(p, "floor() of more than one division is not supported");
  p->floor_arg = floor_arg;
  p->slashes = slashes;
  return e && expect(p, ")") ? e : NULL;
}

/* name(...): srepr constructors and the functions str(expr) writes. */
static const aoti_sx *parse_call(parser *p, const char *name) {
  if (strcmp(name, "Symbol") == 0) return parse_srepr_symbol(p);
  if (strcmp(name, "floor") == 0) return parse_floor(p);
  if (strcmp(name, "Integer") == 0) {
    bool negative = accept(p, "-");
    int64_t v;
    if (!read_integer(p, &v) || !expect(p, ")")) return NULL;
    return checked(p, aoti_sx_const(p->g, negative ? -v : v));
  }
  const aoti_sx *args[MAX_CALL_ARGS];
  int n = parse_args(p, args);
  if (n < 0) return NULL;
  if (strcmp(name, "Add") == 0) return fold_args(p, args, n, 0, aoti_sx_add);
  if (strcmp(name, "Mul") == 0) return fold_args(p, args, n, 0, aoti_sx_mul);
  if (strcmp(name, "Max") == 0) return fold_args(p, args, n, 0, aoti_sx_max);
  if (strcmp(name, "Min") == 0) return fold_args(p, args, n, 0, aoti_sx_min);
  /* CleanDiv is an exact FloorDiv; PythonMod is Python's %, which is what Mod means here. */
  if (strcmp(name, "FloorDiv") == 0 || strcmp(name, "CleanDiv") == 0)
    return fold_args(p, args, n, 2, aoti_sx_floordiv);
  if (strcmp(name, "Mod") == 0 || strcmp(name, "PythonMod") == 0) return fold_args(p, args, n, 2, aoti_sx_mod);
  if (strcmp(name, "Pow") == 0) {
    int64_t exponent;
    if (n != 2 || !aoti_sx_is_const(args[1], &exponent)) return fail(p, "Pow needs a constant exponent");
    return power(p, args[0], exponent);
  }
  char what[160];
  snprintf(what, sizeof what, "unknown function '%s'", name);
  return fail(p, what);
}

static const aoti_sx *parse_primary(parser *p) {
  skip_space(p);
  if (isdigit((unsigned char)*p->at)) {
    int64_t v;
    return read_integer(p, &v) ? checked(p, aoti_sx_const(p->g, v)) : NULL;
  }
  if (accept(p, "(")) {
    const aoti_sx *e = parse_nested(p);
    return e && expect(p, ")") ? e : NULL;
  }
  char name[128];
  const char *start = p->at;
  if (!read_name(p, name, sizeof name)) return p->status == AOTI_OK ? fail(p, "expected a size expression") : NULL;
  if (accept(p, "(")) return parse_call(p, name);
  return symbol_named(p, name, start);
}

static const aoti_sx *parse_power(parser *p) {
  const aoti_sx *base = parse_primary(p);
  if (!base || !accept(p, "**")) return base;
  int64_t exponent;
  return read_integer(p, &exponent) ? power(p, base, exponent) : NULL;
}

static const aoti_sx *parse_unary(parser *p) {
  if (accept(p, "-")) {
    const aoti_sx *e = parse_unary(p);
    return e ? checked(p, aoti_sx_mul(p->g, aoti_sx_const(p->g, -1), e)) : NULL;
  }
  if (accept(p, "+")) return parse_unary(p);
  return parse_power(p);
}

/* A product; *out_divided says whether it ended with floor()'s '/'. */
static const aoti_sx *parse_product(parser *p, bool *out_divided) {
  *out_divided = false;
  const aoti_sx *e = parse_unary(p);
  while (e) {
    skip_space(p);
    if (*out_divided && (*p->at == '*' || *p->at == '/' || *p->at == '%'))
      return fail(p, "in floor(), '/' must be the last operation of its term");
    sx_binary_fn fn;
    if (accept(p, "//"))
      fn = aoti_sx_floordiv;
    else if (accept(p, "*"))
      fn = aoti_sx_mul;
    else if (accept(p, "%"))
      fn = aoti_sx_mod;
    else if (accept(p, "/")) {
      if (!p->floor_arg) return fail(p, "true division '/' outside floor()");
      fn = aoti_sx_floordiv;
      *out_divided = true;
      p->slashes++;
    } else {
      break;
    }
    const aoti_sx *rhs = parse_unary(p);
    e = rhs ? checked(p, fn(p->g, e, rhs)) : NULL;
  }
  return e;
}

static const aoti_sx *parse_sum(parser *p) {
  bool divided;
  const aoti_sx *e = parse_product(p, &divided);
  while (e) {
    bool minus;
    if (accept(p, "+"))
      minus = false;
    else if (accept(p, "-"))
      minus = true;
    else
      break;
    const aoti_sx *rhs = parse_product(p, &divided);
    if (rhs && divided && minus) return fail(p, "floor() of a subtracted division is not supported");
    e = rhs ? checked(p, minus ? aoti_sx_sub(p->g, e, rhs) : aoti_sx_add(p->g, e, rhs)) : NULL;
  }
  return e;
}

aoti_status aoti_sx_parse(aoti_graph *g, const char *text, const aoti_sx **out_expr) {
  if (!text) return aoti_error_set(AOTI_ERROR_FORMAT, "missing size expression");
  parser p = {.g = g, .text = text, .at = text, .status = AOTI_OK};
  const aoti_sx *e = parse_sum(&p);
  skip_space(&p);
  if (e && *p.at) e = fail(&p, "unexpected text after the expression");
  if (!e) return p.status;
  *out_expr = e;
  return AOTI_OK;
}
