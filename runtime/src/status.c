/* status.c — status names and the per-thread error message. */
#include <stdio.h>
#include <string.h>

#include "error.h"

/* Long enough for a message that lists every unsupported op of a large graph. */
#define AOTI_ERROR_CAPACITY 8192

static _Thread_local char g_message[AOTI_ERROR_CAPACITY];

const char *aoti_last_error(void) { return g_message; }

const char *aoti_status_name(aoti_status status) {
  switch (status) {
    case AOTI_OK: return "AOTI_OK";
    case AOTI_ERROR_INVALID_ARGUMENT: return "AOTI_ERROR_INVALID_ARGUMENT";
    case AOTI_ERROR_NOT_FOUND: return "AOTI_ERROR_NOT_FOUND";
    case AOTI_ERROR_IO: return "AOTI_ERROR_IO";
    case AOTI_ERROR_FORMAT: return "AOTI_ERROR_FORMAT";
    case AOTI_ERROR_VERSION: return "AOTI_ERROR_VERSION";
    case AOTI_ERROR_UNSUPPORTED: return "AOTI_ERROR_UNSUPPORTED";
    case AOTI_ERROR_OUT_OF_MEMORY: return "AOTI_ERROR_OUT_OF_MEMORY";
    case AOTI_ERROR_INTERNAL: return "AOTI_ERROR_INTERNAL";
  }
  return "AOTI_ERROR_UNKNOWN";
}

aoti_status aoti_error_setv(aoti_status status, const char *fmt, va_list ap) {
  vsnprintf(g_message, sizeof g_message, fmt, ap);
  return status;
}

aoti_status aoti_error_set(aoti_status status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  aoti_error_setv(status, fmt, ap);
  va_end(ap);
  return status;
}

aoti_status aoti_error_prefix(aoti_status status, const char *fmt, ...) {
  char prefix[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  char old[AOTI_ERROR_CAPACITY];
  memcpy(old, g_message, sizeof old);
  snprintf(g_message, sizeof g_message, "%s: %s", prefix, old);
  return status;
}

void aoti_error_clear(void) { g_message[0] = '\0'; }
