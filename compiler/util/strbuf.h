/* strbuf.h — a growable, NUL-terminated text buffer: what every stage of aotic that writes text
 * (messages, generated C, wrapper sources) appends to.
 *
 *     aoti_strbuf b = AOTI_STRBUF_INIT;
 *     aoti_strbuf_appendf(&b, "%d inputs", n);
 *     aoti_strbuf_puts(&b, "\n");
 *     if (b.failed) ...out of memory...
 *     char *text = aoti_strbuf_take(&b, NULL);   // or aoti_strbuf_free(&b)
 *
 * Appends never fail visibly: running out of memory sets the sticky `failed` flag, after which
 * appends do nothing, so a caller checks once at the end. `data` stays NULL until the first
 * append (even an empty one), then always holds `len` bytes and a terminating NUL.
 *
 * A buffer owns `data` until aoti_strbuf_take or aoti_strbuf_free. Not thread-safe per buffer;
 * separate buffers are independent.
 */
#ifndef AOTI_UTIL_STRBUF_H
#define AOTI_UTIL_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h" /* AOTI_PRINTF */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_strbuf {
  char *data; /* NULL until the first append */
  size_t len; /* bytes in data, not counting the NUL */
  size_t cap; /* bytes allocated at data */
  bool failed; /* out of memory (or an encoding error in a format): later appends do nothing */
} aoti_strbuf;

#define AOTI_STRBUF_INIT {NULL, 0, 0, false}

/* An empty buffer (the same as AOTI_STRBUF_INIT). */
void aoti_strbuf_init(aoti_strbuf *b);
/* Appends `n` bytes of `s` (which need not be NUL-terminated). */
void aoti_strbuf_append(aoti_strbuf *b, const char *s, size_t n);
/* Appends the string `s`. */
void aoti_strbuf_puts(aoti_strbuf *b, const char *s);
/* Appends printf-style formatted text. */
void aoti_strbuf_appendf(aoti_strbuf *b, const char *fmt, ...) AOTI_PRINTF(2, 3);
void aoti_strbuf_vappendf(aoti_strbuf *b, const char *fmt, va_list ap);
/* Appends the inside of a C string literal holding `s` (no quotes): '"' and '\\' escaped, every
 * byte outside printable ASCII and '?' (so no trigraph can form) as a three-digit octal escape. */
void aoti_strbuf_c_string(aoti_strbuf *b, const char *s);
/* Hands the text to the caller (who frees it) and leaves `b` empty; `*out_len` (if not NULL) gets
 * its length. An empty buffer gives "". Returns NULL, freeing the text, when `b` failed or the
 * empty string cannot be allocated. */
char *aoti_strbuf_take(aoti_strbuf *b, size_t *out_len);
/* Frees the text and leaves `b` empty (and not failed). */
void aoti_strbuf_free(aoti_strbuf *b);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_UTIL_STRBUF_H */
