/* cg_syntax.c — C syntax appended to the text codegen writes (codegen_internal.h): string
 * literals, identifiers, floats. */
#define _POSIX_C_SOURCE 200809L /* strnlen */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codegen/codegen_internal.h"
#include "util/c_identifier.h"

void cg_put_literal(aoti_strbuf *b, const char *s) {
  aoti_strbuf_puts(b, "\"");
  aoti_strbuf_c_string(b, s);
  aoti_strbuf_puts(b, "\"");
}

void cg_put_ident(aoti_strbuf *b, const char *prefix, const char *name) {
  enum { MAX_NAME_CHARS = 40 };
  /* No digit prefix: every caller's own prefix comes first, or the name follows other text. */
  char *part = aoti_c_identifier(name, strnlen(name, MAX_NAME_CHARS), NULL);
  if (!part) {
    b->failed = true;
    return;
  }
  aoti_strbuf_appendf(b, "%s%s", prefix, part);
  free(part);
}

void cg_put_float(aoti_strbuf *b, double x) {
  if (isnan(x))
    aoti_strbuf_puts(b, "NAN");
  else if (isinf(x))
    aoti_strbuf_puts(b, x > 0 ? "INFINITY" : "(-INFINITY)");
  else
    aoti_strbuf_appendf(b, "(float)(%.17g)", x);
}
