/* metadata.c — a model's metadata: the JSON object of string keys and values that the package
 * holds in `<model>_metadata.json`, read with jansson. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"

void aoti_metadata_free(aoti_metadata *metadata) {
  for (size_t i = 0; i < metadata->count; i++) {
    free(metadata->keys[i]);
    free(metadata->values[i]);
  }
  free(metadata->keys);
  free(metadata->values);
  metadata->keys = NULL;
  metadata->values = NULL;
  metadata->count = 0;
}

static aoti_status copy_pairs(json_t *object, const char *entry, aoti_metadata *metadata) {
  size_t count = json_object_size(object);
  metadata->keys = calloc(count ? count : 1, sizeof(char *));
  metadata->values = calloc(count ? count : 1, sizeof(char *));
  if (!metadata->keys || !metadata->values)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  const char *key;
  json_t *value;
  json_object_foreach(object, key, value) {
    if (!json_is_string(value))
      return aoti_error_set(AOTI_ERROR_FORMAT, "%s: the value of '%s' is not a string", entry, key);
    size_t i = metadata->count;
    metadata->keys[i] = strdup(key);
    metadata->values[i] = strdup(json_string_value(value));
    metadata->count++; /* counted before the check so that free releases a half-made pair */
    if (!metadata->keys[i] || !metadata->values[i])
      return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  return AOTI_OK;
}

aoti_status aoti_metadata_parse(const char *json, size_t len, const char *entry,
                                aoti_metadata *out) {
  json_error_t error;
  json_t *root = json_loadb(json, len, 0, &error);
  if (!root)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: invalid JSON at line %d: %s", entry, error.line,
                          error.text);
  aoti_metadata metadata = {0, NULL, NULL};
  aoti_status status = json_is_object(root)
                           ? copy_pairs(root, entry, &metadata)
                           : aoti_error_set(AOTI_ERROR_FORMAT, "%s: expected a JSON object", entry);
  json_decref(root);
  if (status != AOTI_OK) {
    aoti_metadata_free(&metadata);
    return status;
  }
  *out = metadata;
  return AOTI_OK;
}
