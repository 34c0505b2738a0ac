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
  /* Shift the message right in place (cutting its end if need be) and write the prefix before. */
  size_t prefix_len = strlen(prefix);
  size_t message_len = strlen(g_message);
  size_t room = sizeof g_message - 1 - prefix_len - 2;
  if (message_len > room) message_len = room;
  memmove(g_message + prefix_len + 2, g_message, message_len);
  memcpy(g_message, prefix, prefix_len);
  memcpy(g_message + prefix_len, ": ", 2);
  g_message[prefix_len + 2 + message_len] = '\0';
  return status;
}

void aoti_error_clear(void) { g_message[0] = '\0'; }
