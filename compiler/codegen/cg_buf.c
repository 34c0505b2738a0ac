/* cg_buf.c — the growable text buffer codegen writes into, and its C-syntax helpers (literals,
 * identifiers, floats). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/codegen_internal.h"

static bool reserve(cg_buf *b, size_t extra) {
  if (b->failed) return false;
  if (b->len + extra + 1 <= b->cap) return true;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1) cap *= 2;
  char *bigger = realloc(b->data, cap);
  if (!bigger) {
    b->failed = true;
    return false;
  }
  b->data = bigger;
  b->cap = cap;
  return true;
}

void cg_printf(cg_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0 || !reserve(b, (size_t)n)) return;
  if ((size_t)n < sizeof small) {
    memcpy(b->data + b->len, small, (size_t)n + 1);
  } else {
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  b->len += (size_t)n;
}

void cg_puts(cg_buf *b, const char *s) {
  size_t n = strlen(s);
  if (!reserve(b, n)) return;
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
}

void cg_put_literal(cg_buf *b, const char *s) {
  cg_puts(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; ++p) {
    if (*p == '"' || *p == '\\')
      cg_printf(b, "\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f || *p == '?') /* '?' so no trigraph can form */
      cg_printf(b, "\\%03o", *p);
    else
      cg_printf(b, "%c", *p);
  }
  cg_puts(b, "\"");
}

void cg_put_ident(cg_buf *b, const char *prefix, const char *name) {
  enum { MAX_NAME_CHARS = 40 };
  char part[MAX_NAME_CHARS + 1];
  size_t n = 0;
  for (const char *p = name; *p && n < MAX_NAME_CHARS; ++p) {
    const char ch = *p;
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    part[n++] = alnum ? ch : '_';
  }
  part[n] = '\0';
  cg_printf(b, "%s%s", prefix, part);
}

void cg_put_float(cg_buf *b, double x) {
  if (isnan(x))
    cg_puts(b, "NAN");
  else if (isinf(x))
    cg_puts(b, x > 0 ? "INFINITY" : "(-INFINITY)");
  else
    cg_printf(b, "(float)(%.17g)", x);
}

void cg_free(cg_buf *b) {
  free(b->data);
  *b = (cg_buf){0};
}
