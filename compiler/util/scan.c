/* scan.c — the token reading of scan.h. */
#include "util/scan.h"

#include <ctype.h>
#include <string.h>

void aoti_scan_skip_space(const char **at) {
  while (isspace((unsigned char)**at)) (*at)++;
}

bool aoti_scan_token(const char **at, const char *token) {
  aoti_scan_skip_space(at);
  size_t n = strlen(token);
  if (strncmp(*at, token, n) != 0) return false;
  *at += n;
  return true;
}
