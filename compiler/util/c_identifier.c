/* c_identifier.c — C identifiers (c_identifier.h). Characters are tested as ASCII, not with
 * <ctype.h>, so the result never depends on the locale. */
#include "util/c_identifier.h"

#include <stdlib.h>
#include <string.h>

static bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '_';
}

bool aoti_is_c_identifier(const char *s) {
  if (!s || !*s || is_ascii_digit(*s)) return false;
  for (; *s; s++)
    if (!is_identifier_char(*s)) return false;
  return true;
}

char *aoti_c_identifier(const char *raw, size_t len, const char *digit_prefix) {
  bool prefixed = digit_prefix && (len == 0 || is_ascii_digit(raw[0]));
  size_t prefix_len = prefixed ? strlen(digit_prefix) : 0;
  char *id = malloc(prefix_len + len + 1);
  if (!id) return NULL;
  if (prefixed) memcpy(id, digit_prefix, prefix_len);
  for (size_t i = 0; i < len; i++) id[prefix_len + i] = is_identifier_char(raw[i]) ? raw[i] : '_';
  id[prefix_len + len] = '\0';
  return id;
}
