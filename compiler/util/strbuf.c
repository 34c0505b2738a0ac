/* strbuf.c — the growable text buffer of strbuf.h. */
#include "util/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first allocation; each later one doubles until the text fits. */
enum { INITIAL_CAPACITY = 256 };

void aoti_strbuf_init(aoti_strbuf *b) { *b = (aoti_strbuf)AOTI_STRBUF_INIT; }

/* Makes room for `extra` more bytes and the NUL; false (and `failed` set) when out of memory. */
static bool reserve(aoti_strbuf *b, size_t extra) {
  if (b->failed) return false;
  if (extra > SIZE_MAX - b->len - 1) {
    b->failed = true;
    return false;
  }
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return true;
  size_t cap = b->cap ? b->cap : INITIAL_CAPACITY;
  while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *grown = realloc(b->data, cap);
  if (!grown) {
    b->failed = true;
    return false;
  }
  b->data = grown;
  b->cap = cap;
  return true;
}

void aoti_strbuf_append(aoti_strbuf *b, const char *s, size_t n) {
  if (!reserve(b, n)) return;
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void aoti_strbuf_puts(aoti_strbuf *b, const char *s) { aoti_strbuf_append(b, s, strlen(s)); }

void aoti_strbuf_vappendf(aoti_strbuf *b, const char *fmt, va_list ap) {
  if (b->failed) return;
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0) {
    b->failed = true;
  } else if (reserve(b, (size_t)n)) {
    /* vsnprintf writes the NUL reserve() made room for. */
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
    b->len += (size_t)n;
  }
  va_end(again);
}

void aoti_strbuf_appendf(aoti_strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  aoti_strbuf_vappendf(b, fmt, ap);
  va_end(ap);
}

void aoti_strbuf_c_string(aoti_strbuf *b, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      aoti_strbuf_appendf(b, "\\%c", *p);
    else if (*p < 0x20 || *p >= 0x7f || *p == '?')
      aoti_strbuf_appendf(b, "\\%03o", *p);
    else
      aoti_strbuf_append(b, (const char *)p, 1);
  }
}

char *aoti_strbuf_take(aoti_strbuf *b, size_t *out_len) {
  if (!b->failed && !b->data) aoti_strbuf_append(b, "", 0);
  char *text = b->failed ? NULL : b->data;
  size_t len = b->len;
  if (!text) free(b->data);
  aoti_strbuf_init(b);
  if (text && out_len) *out_len = len;
  return text;
}

void aoti_strbuf_free(aoti_strbuf *b) {
  free(b->data);
  aoti_strbuf_init(b);
}
