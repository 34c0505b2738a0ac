/* scan.h — reading tokens off text, for aotic's small hand-written parsers (size expressions,
 * operator schemas). Each works on the parser's cursor `*at` into a NUL-terminated string.
 * Thread-safe: no state.
 */
#ifndef AOTI_UTIL_SCAN_H
#define AOTI_UTIL_SCAN_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Moves `*at` past whitespace. */
void aoti_scan_skip_space(const char **at);
/* Skips whitespace, then consumes `token` when it comes next; whether it did. */
bool aoti_scan_token(const char **at, const char *token);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_UTIL_SCAN_H */
