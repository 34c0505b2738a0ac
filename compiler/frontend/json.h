/* json.h — JSON decoding helpers on jansson for the torch.export schema (frontend-private).
 *
 * Every helper takes the location of the value as a jpath (a chain of keys and indices built on
 * the caller's stack) so that messages say where a bad field is:
 * "graph_module.graph.nodes[3].inputs[1].arg: expected an integer, got a string". Callers add the
 * file and entry in front with aoti_error_prefix.
 *
 * Compatibility rules, from docs/torch-export-format.md §2.1:
 * - older torch wrote bare Infinity/-Infinity/NaN tokens, which jansson rejects: aoti_json_parse
 *   rewrites them to the strings "Infinity"/"-Infinity"/"NaN", which newer torch writes, and
 *   aoti_json_float accepts a number or one of those strings;
 * - unions come in three encodings (see aoti_json_union);
 * - enums are integers, or member names in some older writers.
 * All functions are reentrant.
 */
#ifndef AOTI_FRONTEND_JSON_H
#define AOTI_FRONTEND_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoti/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A location inside a document: `key` for an object member, else `index` for an array item. */
typedef struct jpath {
  const struct jpath *parent;
  const char *key;
  int64_t index;
} jpath;

#define JPATH_KEY(parent_, key_) ((jpath){(parent_), (key_), -1})
#define JPATH_INDEX(parent_, index_) ((jpath){(parent_), NULL, (int64_t)(index_)})

/* Writes "a.b[3].c" into buf (truncated to size); "(root)" for the root. */
void jpath_format(const jpath *path, char *buf, size_t size);

/* Parses `size` bytes of `text` into a new object (json_decref it). Syntax errors are
 * AOTI_ERROR_FORMAT with jansson's line, column and reason. */
aoti_status aoti_json_parse(const char *text, size_t size, json_t **out_root);

/* Member `key` of object `obj`: a JSON null counts as missing. Missing and required is
 * AOTI_ERROR_FORMAT; missing and optional gives *out_value = NULL. */
aoti_status aoti_json_member(const json_t *obj, const jpath *path, const char *key, bool required,
                             json_t **out_value);

aoti_status aoti_json_object(const json_t *value, const jpath *path);
aoti_status aoti_json_array(const json_t *value, const jpath *path);
aoti_status aoti_json_int(const json_t *value, const jpath *path, int64_t *out_value);
/* A number, or "Infinity", "-Infinity", "NaN" as strings. */
aoti_status aoti_json_float(const json_t *value, const jpath *path, double *out_value);
aoti_status aoti_json_bool(const json_t *value, const jpath *path, bool *out_value);
/* The string stays owned by `value`. */
aoti_status aoti_json_string(const json_t *value, const jpath *path, const char **out_value);

/* An enum: an integer, or a member name: names[i] stands for values[i], i < count. */
aoti_status aoti_json_enum(const json_t *value, const jpath *path, const char *const *names,
                           const int64_t *values, size_t count, int64_t *out_value);

/* Decodes a union in any of the encodings torch wrote:
 *   {"as_tensor": {...}}                        one key (torch 2.3+)
 *   {"$type": "as_tensor", "$value": {...}}     (3.x/4.x nightlies)
 *   {"as_none": null, "as_tensor": {...}, ...}  every member, inactive ones null (torch 2.1/2.2)
 * *out_value may be JSON null for a one-key object whose value is null. */
aoti_status aoti_json_union(const json_t *value, const jpath *path, const char **out_key,
                            json_t **out_value);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_FRONTEND_JSON_H */
