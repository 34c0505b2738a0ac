/* wrapper.c — writes a model's typed C wrapper from templates/wrapper.h.in and wrapper.c.in
 * (wrapper.h).
 *
 * The templates hold the fixed text with @KEY@ placeholders; this file computes what goes into
 * them from the graph: C names for the model's inputs, outputs and dynamic sizes, size macros,
 * the run function's parameters and body, and the descriptive comment.
 *
 * Names: every name from the exported program becomes a C identifier (other characters become
 * '_', keywords get a trailing '_', clashes get a numeric suffix). A symbol is named after its
 * first use as a whole dimension of an input, "<input>_size<d>" (s0 as dim 0 of x: x_size0), so
 * the run function's size arguments say what they are; the exported name is kept in comments.
 *
 * Thread-compatible: separate calls may run at once.
 */
#define _POSIX_C_SOURCE 200809L

#include "wrapper/wrapper.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "util/c_identifier.h"
#include "util/strbuf.h"

/* The templates, embedded by aoti_embed_files (compiler/wrapper/CMakeLists.txt). */
extern const char aoti_wrapper_tpl_wrapper_h_in[];
extern const char aoti_wrapper_tpl_wrapper_c_in[];

#ifndef AOTI_VERSION_STRING
#define AOTI_VERSION_STRING "unknown"
#endif

/* The example in the header comment uses this size, clamped into the symbol's range. */
#define EXAMPLE_SIZE 8

//===----------------------------------------------------------------------===//
// Text pieces
//===----------------------------------------------------------------------===//

/* Text from the exported program inside a C comment: no comment end, no line breaks. */
static void sb_comment_text(aoti_strbuf *b, const char *s) {
  for (; *s; s++) {
    char c = (*s == '\n' || *s == '\r') ? ' ' : *s;
    aoti_strbuf_append(b, &c, 1);
    if (s[0] == '*' && s[1] == '/') aoti_strbuf_puts(b, " ");
  }
}

//===----------------------------------------------------------------------===//
// C names
//===----------------------------------------------------------------------===//

static const char *const kCKeywords[] = {
    "auto", "bool", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "false", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "true", "typedef", "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex",
    "_Imaginary", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "NULL",
    /* the run function's own parameter */
    "m"};

/* Identifiers already given out in one wrapper, to keep them unique. */
typedef struct name_set {
  int32_t count;
  char **names;
} name_set;

static bool name_taken(const name_set *set, const char *s) {
  for (size_t i = 0; i < sizeof kCKeywords / sizeof kCKeywords[0]; i++)
    if (strcmp(kCKeywords[i], s) == 0) return true;
  for (int32_t i = 0; i < set->count; i++)
    if (strcmp(set->names[i], s) == 0) return true;
  return false;
}

/* `raw` as a new C identifier unique in `set` (which keeps it; freed with name_set_free).
 * Returns NULL when out of memory. */
static const char *name_make(name_set *set, const char *raw) {
  char *base = aoti_c_identifier(raw, strlen(raw), "t_");
  size_t size = base ? strlen(base) + 32 : 0;
  char *name = base ? malloc(size) : NULL;
  char **grown = realloc(set->names, (size_t)(set->count + 1) * sizeof *grown);
  if (grown) set->names = grown;
  if (!base || !name || !grown) {
    free(base);
    free(name);
    return NULL;
  }
  strcpy(name, base);
  if (name_taken(set, name)) snprintf(name, size, "%s_", base);
  for (int suffix = 1; name_taken(set, name); suffix++) snprintf(name, size, "%s_%d", base, suffix);
  free(base);
  set->names[set->count++] = name;
  return name;
}

static void name_set_free(name_set *set) {
  for (int32_t i = 0; i < set->count; i++) free(set->names[i]);
  free(set->names);
}

static void sb_upper(aoti_strbuf *b, const char *s) {
  for (; *s; s++) {
    char c = (char)toupper((unsigned char)*s);
    aoti_strbuf_append(b, &c, 1);
  }
}

static const char *c_type_of(aoti_dtype dtype) {
  switch (dtype) {
    case AOTI_DTYPE_FLOAT32: return "float";
    case AOTI_DTYPE_FLOAT64: return "double";
    case AOTI_DTYPE_INT64: return "int64_t";
    case AOTI_DTYPE_INT32: return "int32_t";
    case AOTI_DTYPE_INT16: return "int16_t";
    case AOTI_DTYPE_INT8: return "int8_t";
    case AOTI_DTYPE_UINT8: return "uint8_t";
    case AOTI_DTYPE_BOOL: return "bool";
    case AOTI_DTYPE_FLOAT16:
    case AOTI_DTYPE_BFLOAT16: return "uint16_t"; /* raw 16-bit floating-point bits */
    default: return NULL;
  }
}

//===----------------------------------------------------------------------===//
// What the wrapper is made of
//===----------------------------------------------------------------------===//

/* One input or output as the wrapper sees it. */
typedef struct tensor_info {
  const aoti_value *value;
  const char *exported_name; /* the input's name or the graph output's name */
  const char *c_name;
  const char *c_type;
} tensor_info;

typedef struct wrapper_model {
  const aoti_graph *g;
  const char *name;
  const char *package_file;
  name_set names;
  const char **sym_names;       /* per graph symbol: its C name */
  const char **sym_macro_names; /* per graph symbol: "(int64_t)(x_size0)", for macro bodies */
  int32_t num_params;           /* symbols used by inputs: the run function's size arguments */
  int32_t *params;              /* their graph indices, in order of first use */
  tensor_info *inputs, *outputs;
} wrapper_model;

static bool sx_mentions(const aoti_sx *e, int32_t sym) {
  if (!e) return false;
  if (e->kind == AOTI_SX_SYM) return e->sym == sym;
  return sx_mentions(e->a, sym) || sx_mentions(e->b, sym);
}

static void model_free(wrapper_model *m) {
  if (m->sym_macro_names)
    for (int32_t i = 0; i < m->g->num_symbols; i++) free((char *)m->sym_macro_names[i]);
  free(m->sym_macro_names);
  free(m->sym_names);
  free(m->params);
  free(m->inputs);
  free(m->outputs);
  name_set_free(&m->names);
}

static aoti_status oom(void) {
  return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "wrapper: out of memory");
}

/* Names each symbol after its first use as a whole input dimension, else by its own name; lists
 * the symbols inputs use as the run function's size parameters. */
static aoti_status name_symbols(wrapper_model *m) {
  const aoti_graph *g = m->g;
  int32_t ns = g->num_symbols;
  m->sym_names = calloc((size_t)ns + 1, sizeof *m->sym_names);
  m->sym_macro_names = calloc((size_t)ns + 1, sizeof *m->sym_macro_names);
  m->params = calloc((size_t)ns + 1, sizeof *m->params);
  if (!m->sym_names || !m->sym_macro_names || !m->params) return oom();
  for (int32_t i = 0; i < g->num_inputs; i++) {
    const aoti_value *v = g->inputs[i];
    for (int32_t d = 0; d < v->rank; d++) {
      const aoti_sx *e = v->dims[d];
      if (e->kind != AOTI_SX_SYM || m->sym_names[e->sym]) continue;
      char raw[256];
      snprintf(raw, sizeof raw, "%s_size%d", m->inputs[i].c_name, (int)d);
      if (!(m->sym_names[e->sym] = name_make(&m->names, raw))) return oom();
    }
  }
  for (int32_t s = 0; s < ns; s++)
    if (!m->sym_names[s] && !(m->sym_names[s] = name_make(&m->names, g->symbols[s].name)))
      return oom();
  /* Parameters: symbols in the order inputs first mention them. */
  for (int32_t i = 0; i < g->num_inputs; i++)
    for (int32_t d = 0; d < g->inputs[i]->rank; d++)
      for (int32_t s = 0; s < ns; s++) {
        if (!sx_mentions(g->inputs[i]->dims[d], s)) continue;
        bool listed = false;
        for (int32_t p = 0; p < m->num_params; p++) listed |= m->params[p] == s;
        if (!listed) m->params[m->num_params++] = s;
      }
  for (int32_t s = 0; s < ns; s++) {
    size_t len = strlen(m->sym_names[s]) + 16;
    char *macro = malloc(len);
    if (!macro) return oom();
    snprintf(macro, len, "(int64_t)(%s)", m->sym_names[s]);
    m->sym_macro_names[s] = macro;
  }
  return AOTI_OK;
}

static aoti_status describe_tensor(wrapper_model *m, const aoti_value *v, const char *exported,
                                   const char *role, tensor_info *out) {
  const char *c_type = c_type_of(v->dtype);
  if (!c_type)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED,
                          "wrapper for model '%s': %s '%s' has dtype %s, which the wrapper has no C "
                          "type for",
                          m->name, role, exported, aoti_dtype_name(v->dtype));
  const char *c_name = name_make(&m->names, exported);
  if (!c_name) return oom();
  *out = (tensor_info){v, exported, c_name, c_type};
  return AOTI_OK;
}

static aoti_status model_init(wrapper_model *m, const aoti_graph *g, const char *name,
                              const char *package_file) {
  memset(m, 0, sizeof *m);
  m->g = g;
  m->name = name;
  m->package_file = package_file;
  m->inputs = calloc((size_t)g->num_inputs + 1, sizeof *m->inputs);
  m->outputs = calloc((size_t)g->num_outputs + 1, sizeof *m->outputs);
  if (!m->inputs || !m->outputs) return oom();
  aoti_status st = AOTI_OK;
  for (int32_t i = 0; i < g->num_inputs && st == AOTI_OK; i++)
    st = describe_tensor(m, g->inputs[i], g->inputs[i]->name, "input", &m->inputs[i]);
  for (int32_t i = 0; i < g->num_outputs && st == AOTI_OK; i++)
    st = describe_tensor(m, g->outputs[i].value, g->outputs[i].name, "output", &m->outputs[i]);
  if (st == AOTI_OK) st = name_symbols(m);
  return st;
}

//===----------------------------------------------------------------------===//
// Generated pieces
//===----------------------------------------------------------------------===//

static void sb_sx(aoti_strbuf *b, const wrapper_model *m, const aoti_sx *e,
                  const char *const *names) {
  int n = aoti_sx_to_c(m->g, e, names, NULL, 0);
  if (n < 0) {
    b->failed = true;
    return;
  }
  char *text = malloc((size_t)n + 1);
  if (!text) {
    b->failed = true;
    return;
  }
  aoti_sx_to_c(m->g, e, names, text, (size_t)n + 1);
  aoti_strbuf_puts(b, text);
  free(text);
}

/* "float32[x_size0, 10]" with wrapper names, or with the graph's own names when `names` is NULL. */
static void sb_shape(aoti_strbuf *b, const wrapper_model *m, const aoti_value *v,
                     const char *const *names) {
  aoti_strbuf_appendf(b, "%s[", aoti_dtype_name(v->dtype));
  for (int32_t d = 0; d < v->rank; d++) {
    if (d) aoti_strbuf_puts(b, ", ");
    if (names) {
      sb_sx(b, m, v->dims[d], names);
    } else {
      char text[256];
      aoti_sx_to_string(m->g, v->dims[d], text, sizeof text);
      sb_comment_text(b, text);
    }
  }
  aoti_strbuf_puts(b, "]");
}

static bool shape_uses_symbols(const aoti_value *v) {
  for (int32_t d = 0; d < v->rank; d++)
    if (!aoti_sx_is_const(v->dims[d], NULL)) return true;
  return false;
}

static void sb_tensor_lines(aoti_strbuf *b, const wrapper_model *m, const tensor_info *t,
                            int32_t count) {
  for (int32_t i = 0; i < count; i++) {
    aoti_strbuf_appendf(b, " *   %-10s ", t[i].c_name);
    sb_shape(b, m, t[i].value, m->sym_names);
    if (shape_uses_symbols(t[i].value)) {
      aoti_strbuf_puts(b, "   (exported as ");
      sb_shape(b, m, t[i].value, NULL);
      aoti_strbuf_puts(b, ")");
    }
    if (strcmp(t[i].c_name, t[i].exported_name) != 0) {
      aoti_strbuf_puts(b, "   name in the program: ");
      sb_comment_text(b, t[i].exported_name);
    }
    aoti_strbuf_puts(b, "\n");
  }
}

static void sb_range(aoti_strbuf *b, const aoti_symbol *s) {
  if (s->max == INT64_MAX)
    aoti_strbuf_appendf(b, "%lld..(unbounded)", (long long)s->min);
  else
    aoti_strbuf_appendf(b, "%lld..%lld", (long long)s->min, (long long)s->max);
}

static const char *meta_or(const aoti_graph *g, const char *key, const char *fallback) {
  const char *v = aoti_graph_get_meta(g, key);
  return v && v[0] ? v : fallback;
}

static void make_description(aoti_strbuf *b, const wrapper_model *m) {
  const aoti_graph *g = m->g;
  aoti_strbuf_puts(b, " * Compiled from ");
  sb_comment_text(b, meta_or(g, "source_file", "an exported program"));
  aoti_strbuf_puts(b, " (torch ");
  sb_comment_text(b, meta_or(g, "torch_version", "version unknown"));
  aoti_strbuf_puts(b, ") into the package ");
  sb_comment_text(b, m->package_file);
  aoti_strbuf_puts(b, ".\n *\n * Inputs (const buffers, contiguous row-major):\n");
  sb_tensor_lines(b, m, m->inputs, g->num_inputs);
  aoti_strbuf_puts(b, " * Outputs (buffers the caller provides):\n");
  sb_tensor_lines(b, m, m->outputs, g->num_outputs);
  if (m->num_params == 0) {
    aoti_strbuf_puts(b, " * Every size is static: the run function takes no size arguments.");
    return;
  }
  aoti_strbuf_puts(b, " * Dynamic sizes (the run function's size arguments, with their ranges):\n");
  for (int32_t p = 0; p < m->num_params; p++) {
    const aoti_symbol *s = &g->symbols[m->params[p]];
    aoti_strbuf_appendf(b, " *   %-10s ", m->sym_names[m->params[p]]);
    sb_range(b, s);
    aoti_strbuf_puts(b, "   (symbol ");
    sb_comment_text(b, s->name);
    aoti_strbuf_puts(b, " of the exported program)");
    if (p + 1 < m->num_params) aoti_strbuf_puts(b, "\n");
  }
}

static void sb_macro_args(aoti_strbuf *b, const wrapper_model *m, const char *const *names) {
  for (int32_t p = 0; p < m->num_params; p++)
    aoti_strbuf_appendf(b, "%s%s", p ? ", " : "", names[m->params[p]]);
}

static int64_t example_size(const aoti_symbol *s) {
  int64_t v = EXAMPLE_SIZE;
  if (v < s->min) v = s->min;
  if (v > s->max) v = s->max;
  return v;
}

static void make_example(aoti_strbuf *b, const wrapper_model *m, const char *upper) {
  const char *n = m->name;
  aoti_strbuf_appendf(b, " *     #include \"%s.h\"\n", n);
  aoti_strbuf_appendf(b, " *     %s_model *m = NULL;\n", n);
  aoti_strbuf_appendf(b, " *     if (%s_open(NULL, NULL, &m) != AOTI_OK) {\n", n);
  aoti_strbuf_puts(
      b, " *       fprintf(stderr, \"%s\\n\", aoti_last_error());\n *       return 1;\n *     }\n");
  for (int32_t p = 0; p < m->num_params; p++)
    aoti_strbuf_appendf(b, " *     int64_t %s = %lld;\n", m->sym_names[m->params[p]],
                        (long long)example_size(&m->g->symbols[m->params[p]]));
  const tensor_info *lists[2] = {m->inputs, m->outputs};
  int32_t counts[2] = {m->g->num_inputs, m->g->num_outputs};
  for (int k = 0; k < 2; k++)
    for (int32_t i = 0; i < counts[k]; i++) {
      const tensor_info *t = &lists[k][i];
      aoti_strbuf_appendf(b, " *     %s *%s = calloc(%s_", t->c_type, t->c_name, upper);
      sb_upper(b, t->c_name);
      aoti_strbuf_puts(b, "_NUMEL(");
      sb_macro_args(b, m, m->sym_names);
      aoti_strbuf_appendf(b, "), sizeof *%s);%s\n", t->c_name,
                          k == 0 ? "  // fill with the input" : "");
    }
  aoti_strbuf_appendf(b, " *     if (%s_run(m", n);
  for (int32_t p = 0; p < m->num_params; p++)
    aoti_strbuf_appendf(b, ", %s", m->sym_names[m->params[p]]);
  for (int k = 0; k < 2; k++)
    for (int32_t i = 0; i < counts[k]; i++) aoti_strbuf_appendf(b, ", %s", lists[k][i].c_name);
  aoti_strbuf_puts(b, ") != AOTI_OK)\n *       fprintf(stderr, \"%s\\n\", aoti_last_error());\n");
  aoti_strbuf_appendf(b, " *     %s_close(m);", n);
}

static void make_tensor_macros(aoti_strbuf *b, const wrapper_model *m, const char *upper,
                               const tensor_info *t, const char *role) {
  aoti_strbuf_appendf(b, "/* %s %s: ", role, t->c_name);
  sb_shape(b, m, t->value, m->sym_names);
  aoti_strbuf_puts(b, " */\n");
  aoti_strbuf_appendf(b, "#define %s_", upper);
  sb_upper(b, t->c_name);
  aoti_strbuf_appendf(b, "_RANK %d\n#define %s_", (int)t->value->rank, upper);
  sb_upper(b, t->c_name);
  aoti_strbuf_puts(b, "_NUMEL(");
  sb_macro_args(b, m, m->sym_names);
  aoti_strbuf_puts(b, ") ");
  if (t->value->rank == 0) {
    aoti_strbuf_puts(b, "((int64_t)1)\n");
    return;
  }
  /* Symbols are cast to int64_t in the expressions, so the product never overflows an int. */
  aoti_strbuf_puts(b, "((int64_t)1");
  for (int32_t d = 0; d < t->value->rank; d++) {
    aoti_strbuf_puts(b, " * (");
    sb_sx(b, m, t->value->dims[d], m->sym_macro_names);
    aoti_strbuf_puts(b, ")");
  }
  aoti_strbuf_puts(b, ")\n");
}

static void make_macros(aoti_strbuf *b, const wrapper_model *m, const char *upper) {
  if (m->num_params) aoti_strbuf_puts(b, "/* Ranges of the dynamic sizes (inclusive). */\n");
  for (int32_t p = 0; p < m->num_params; p++) {
    const aoti_symbol *s = &m->g->symbols[m->params[p]];
    aoti_strbuf_appendf(b, "#define %s_", upper);
    sb_upper(b, m->sym_names[m->params[p]]);
    aoti_strbuf_appendf(b, "_MIN %lld /* symbol ", (long long)s->min);
    sb_comment_text(b, s->name);
    aoti_strbuf_appendf(b, " */\n#define %s_", upper);
    sb_upper(b, m->sym_names[m->params[p]]);
    if (s->max == INT64_MAX)
      aoti_strbuf_puts(b, "_MAX INT64_MAX\n");
    else
      aoti_strbuf_appendf(b, "_MAX %lld\n", (long long)s->max);
  }
  if (m->num_params) aoti_strbuf_puts(b, "\n");
  for (int32_t i = 0; i < m->g->num_inputs; i++)
    make_tensor_macros(b, m, upper, &m->inputs[i], "Input");
  for (int32_t i = 0; i < m->g->num_outputs; i++)
    make_tensor_macros(b, m, upper, &m->outputs[i], "Output");
}

/* Appends one parameter, starting a new line when the current one would pass 100 columns.
 * `line_start` is where column 0 of the current line is in `b` (negative on the first line,
 * whose start "aoti_status <name>_run(" is not in `b`). */
static void sb_param(aoti_strbuf *b, long *line_start, const char *text) {
  if ((long)b->len - *line_start + (long)strlen(text) + 2 > 100) {
    aoti_strbuf_puts(b, ",\n    ");
    *line_start = (long)b->len - 4;
  } else {
    aoti_strbuf_puts(b, ", ");
  }
  aoti_strbuf_puts(b, text);
}

static void make_run_params(aoti_strbuf *b, const wrapper_model *m) {
  char text[512];
  long line_start = -(long)(strlen(m->name) + strlen("aoti_status _run("));
  aoti_strbuf_appendf(b, "%s_model *m", m->name);
  for (int32_t p = 0; p < m->num_params; p++) {
    snprintf(text, sizeof text, "int64_t %s", m->sym_names[m->params[p]]);
    sb_param(b, &line_start, text);
  }
  for (int32_t i = 0; i < m->g->num_inputs; i++) {
    snprintf(text, sizeof text, "const %s *%s", m->inputs[i].c_type, m->inputs[i].c_name);
    sb_param(b, &line_start, text);
  }
  for (int32_t i = 0; i < m->g->num_outputs; i++) {
    snprintf(text, sizeof text, "%s *%s", m->outputs[i].c_type, m->outputs[i].c_name);
    sb_param(b, &line_start, text);
  }
}

/* Declares `<prefix><i>` size arrays and initialises tensors of one kind in `array`. */
static void make_tensor_setup(aoti_strbuf *b, const wrapper_model *m, const tensor_info *t,
                              int32_t count, const char *array, bool is_input) {
  for (int32_t i = 0; i < count; i++) {
    const aoti_value *v = t[i].value;
    if (v->rank > 0) {
      aoti_strbuf_appendf(b, "  const int64_t %s_sizes%d[%d] = {", array, (int)i, (int)v->rank);
      for (int32_t d = 0; d < v->rank; d++) {
        if (d) aoti_strbuf_puts(b, ", ");
        sb_sx(b, m, v->dims[d], m->sym_names);
      }
      aoti_strbuf_puts(b, "};\n");
    }
    aoti_strbuf dtype = AOTI_STRBUF_INIT;
    sb_upper(&dtype, aoti_dtype_name(v->dtype));
    aoti_strbuf_appendf(b, "  aoti_tensor_init(&%s[%d], AOTI_DTYPE_%s, %d, ", array, (int)i,
                        dtype.data ? dtype.data : "INVALID", (int)v->rank);
    aoti_strbuf_free(&dtype);
    if (v->rank > 0)
      aoti_strbuf_appendf(b, "%s_sizes%d, ", array, (int)i);
    else
      aoti_strbuf_puts(b, "NULL, ");
    aoti_strbuf_appendf(b, "%s%s);\n", is_input ? "(void *)" : "", t[i].c_name);
  }
}

static void make_run_body(aoti_strbuf *b, const wrapper_model *m) {
  int32_t ni = m->g->num_inputs, no = m->g->num_outputs;
  aoti_strbuf_appendf(b, "  aoti_tensor aoti_inputs[%d];\n", (int)(ni ? ni : 1));
  aoti_strbuf_appendf(b, "  aoti_tensor aoti_outputs[%d];\n", (int)(no ? no : 1));
  make_tensor_setup(b, m, m->inputs, ni, "aoti_inputs", true);
  make_tensor_setup(b, m, m->outputs, no, "aoti_outputs", false);
  aoti_strbuf_appendf(
      b,
      "  /* The runtime checks every size against the model (and names what does not "
      "fit). */\n"
      "  return aoti_model_run(m != NULL ? m->model : NULL, aoti_inputs, %d, aoti_outputs, "
      "%d);\n",
      (int)ni, (int)no);
}

//===----------------------------------------------------------------------===//
// Templates and files
//===----------------------------------------------------------------------===//

typedef struct template_key {
  const char *key;
  const char *value;
} template_key;

/* Copies `tpl` into `out`, replacing each @KEY@ by its value. An unknown key is a bug. */
static aoti_status expand(const char *tpl, const template_key *keys, size_t num_keys,
                          aoti_strbuf *out) {
  const char *p = tpl;
  while (*p) {
    const char *at = strchr(p, '@');
    if (!at) {
      aoti_strbuf_puts(out, p);
      break;
    }
    aoti_strbuf_append(out, p, (size_t)(at - p));
    const char *end = strchr(at + 1, '@');
    size_t key_len = end ? (size_t)(end - at - 1) : 0;
    const char *value = NULL;
    for (size_t k = 0; k < num_keys && end; k++)
      if (strlen(keys[k].key) == key_len && strncmp(keys[k].key, at + 1, key_len) == 0)
        value = keys[k].value;
    if (!value)
      return aoti_error_set(AOTI_ERROR_INTERNAL, "wrapper template: unknown placeholder near '%.20s'",
                            at);
    aoti_strbuf_puts(out, value);
    p = end + 1;
  }
  return out->failed ? oom() : AOTI_OK;
}

static char *path_join(const char *dir, const char *name, const char *ext) {
  size_t len = strlen(dir) + 1 + strlen(name) + strlen(ext) + 1;
  char *path = malloc(len);
  if (path) snprintf(path, len, "%s/%s%s", dir, name, ext);
  return path;
}

/* Writes `text` to a fresh temporary file beside `path`; returns its malloc'd name. */
static aoti_status write_temp(const char *path, const aoti_strbuf *text, char **out_tmp) {
  char *tmp = malloc(strlen(path) + 16);
  if (!tmp) return oom();
  sprintf(tmp, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    aoti_status st = aoti_error_set(AOTI_ERROR_IO, "cannot create '%s': %s", path, strerror(errno));
    free(tmp);
    return st;
  }
  /* Sources are meant to be read by the user's build: the usual mode of a new file. */
  fchmod(fd, 0644);
  FILE *f = fdopen(fd, "wb");
  bool ok = f && fwrite(text->data, 1, text->len, f) == text->len;
  if (f ? fclose(f) != 0 : close(fd) != 0) ok = false;
  if (!ok) {
    aoti_status st = aoti_error_set(AOTI_ERROR_IO, "cannot write '%s': %s", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return st;
  }
  *out_tmp = tmp;
  return AOTI_OK;
}

/* Writes both files under temporary names, then renames both (the header first). */
static aoti_status write_pair(const char *h_path, const aoti_strbuf *h_text, const char *c_path,
                              const aoti_strbuf *c_text) {
  char *h_tmp = NULL, *c_tmp = NULL;
  aoti_status st = write_temp(h_path, h_text, &h_tmp);
  if (st == AOTI_OK) st = write_temp(c_path, c_text, &c_tmp);
  if (st == AOTI_OK && rename(h_tmp, h_path) != 0)
    st = aoti_error_set(AOTI_ERROR_IO, "cannot rename '%s' to '%s': %s", h_tmp, h_path,
                        strerror(errno));
  else if (st == AOTI_OK && rename(c_tmp, c_path) != 0) {
    st = aoti_error_set(AOTI_ERROR_IO, "cannot rename '%s' to '%s': %s", c_tmp, c_path,
                        strerror(errno));
    unlink(h_path);
  }
  if (st != AOTI_OK) {
    if (h_tmp) unlink(h_tmp);
    if (c_tmp) unlink(c_tmp);
  }
  free(h_tmp);
  free(c_tmp);
  return st;
}

aoti_status aoti_wrapper_write(const aoti_graph *g, const char *name, const char *package_file,
                               uint64_t arena_bytes_max, const char *out_dir) {
  if (!g || !package_file || !out_dir)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "wrapper: NULL argument");
  if (!aoti_is_c_identifier(name))
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                          "wrapper: model name '%s' is not a C identifier", name ? name : "(null)");
  wrapper_model m;
  aoti_status st = model_init(&m, g, name, package_file);
  aoti_strbuf upper = AOTI_STRBUF_INIT, desc = AOTI_STRBUF_INIT, example = AOTI_STRBUF_INIT,
              macros = AOTI_STRBUF_INIT, params = AOTI_STRBUF_INIT, body = AOTI_STRBUF_INIT,
              literal = AOTI_STRBUF_INIT, ni = AOTI_STRBUF_INIT, no = AOTI_STRBUF_INIT, arena = AOTI_STRBUF_INIT,
              h_text = AOTI_STRBUF_INIT, c_text = AOTI_STRBUF_INIT;
  char *h_path = NULL, *c_path = NULL;
  if (st == AOTI_OK) {
    sb_upper(&upper, name);
    make_description(&desc, &m);
    make_example(&example, &m, upper.data ? upper.data : "");
    make_macros(&macros, &m, upper.data ? upper.data : "");
    make_run_params(&params, &m);
    make_run_body(&body, &m);
    aoti_strbuf_c_string(&literal, package_file);
    aoti_strbuf_appendf(&ni, "%d", (int)g->num_inputs);
    aoti_strbuf_appendf(&no, "%d", (int)g->num_outputs);
    aoti_strbuf_appendf(&arena, "%lluULL", (unsigned long long)arena_bytes_max);
    aoti_strbuf *all[] = {&upper, &desc, &example, &macros, &params, &body, &literal, &ni, &no, &arena};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
      if (all[i]->failed || !all[i]->data) st = oom();
  }
  if (st == AOTI_OK) {
    const template_key keys[] = {
        {"name", name},           {"NAME", upper.data},
        {"AOTIC_VERSION", AOTI_VERSION_STRING},
        {"DESCRIPTION", desc.data}, {"EXAMPLE", example.data},
        {"MACROS", macros.data},  {"RUN_PARAMS", params.data},
        {"RUN_BODY", body.data},  {"PACKAGE_FILE_LITERAL", literal.data},
        {"NUM_INPUTS", ni.data},  {"NUM_OUTPUTS", no.data},
        {"ARENA_BYTES_MAX", arena.data},
    };
    size_t nk = sizeof keys / sizeof keys[0];
    st = expand(aoti_wrapper_tpl_wrapper_h_in, keys, nk, &h_text);
    if (st == AOTI_OK) st = expand(aoti_wrapper_tpl_wrapper_c_in, keys, nk, &c_text);
  }
  if (st == AOTI_OK) {
    h_path = path_join(out_dir, name, ".h");
    c_path = path_join(out_dir, name, ".c");
    st = (h_path && c_path) ? write_pair(h_path, &h_text, c_path, &c_text) : oom();
  }
  free(h_path);
  free(c_path);
  aoti_strbuf *all[] = {&upper, &desc, &example, &macros, &params, &body,
                        &literal, &ni, &no, &arena, &h_text, &c_text};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) aoti_strbuf_free(all[i]);
  model_free(&m);
  return st;
}
