/* c_identifier.h — C identifiers made from names in an exported program or a file name: the one
 * rule every stage of aotic uses for "a name that is a C identifier" (ASCII letters, digits and
 * '_', not starting with a digit). Thread-safe: no state.
 */
#ifndef AOTI_UTIL_C_IDENTIFIER_H
#define AOTI_UTIL_C_IDENTIFIER_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether `s` is a C identifier (false for NULL and ""). Keywords are not checked. */
bool aoti_is_c_identifier(const char *s);

/* The first `len` bytes of `raw` as a new C identifier (malloc'd; the caller frees it): every byte
 * that is not an ASCII letter, digit or '_' becomes '_'; `digit_prefix` (e.g. "m_") goes in front
 * when `raw` is empty or starts with a digit (NULL: nothing is put in front, for callers adding
 * their own prefix). Returns NULL when out of memory. */
char *aoti_c_identifier(const char *raw, size_t len, const char *digit_prefix);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_UTIL_C_IDENTIFIER_H */
