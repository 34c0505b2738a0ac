/* error.h — setting the per-thread error message (internal to AOTI: the runtime and aotic).
 *
 *     if (!f) return aoti_error_set(AOTI_ERROR_IO, "cannot open '%s': %s", path, strerror(errno));
 *
 * The message is kept per thread and read back with aoti_last_error() (aoti/runtime.h).
 */
#ifndef AOTI_ERROR_H
#define AOTI_ERROR_H

#include <stdarg.h>

#include "aoti/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define AOTI_PRINTF(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#else
#define AOTI_PRINTF(fmt_index, args_index)
#endif

/* Sets this thread's message and returns `status`, so a failure is one statement. */
aoti_status aoti_error_set(aoti_status status, const char *fmt, ...) AOTI_PRINTF(2, 3);
aoti_status aoti_error_setv(aoti_status status, const char *fmt, va_list ap);

/* Puts `prefix: ` in front of this thread's current message (to add where, keeping what), and
 * returns `status`. */
aoti_status aoti_error_prefix(aoti_status status, const char *fmt, ...) AOTI_PRINTF(2, 3);

/* Clears this thread's message. */
void aoti_error_clear(void);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_ERROR_H */
