/* json.c — jansson-based decoding helpers: parsing with the bare-token fix-up, typed getters with
 * located messages, enum and union decoding (see json.h). */
#include "frontend/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

static void format_into(const jpath *path, char *buf, size_t size, size_t *used) {
  if (!path) return;
  format_into(path->parent, buf, size, used);
  int n;
  if (path->key)
    n = snprintf(buf + *used, size - *used, "%s%s", *used ? "." : "", path->key);
  else
    n = snprintf(buf + *used, size - *used, "[%lld]", (long long)path->index);
  if (n > 0) *used = *used + (size_t)n < size ? *used + (size_t)n : size - 1;
}

void jpath_format(const jpath *path, char *buf, size_t size) {
  if (size == 0) return;
  buf[0] = '\0';
  size_t used = 0;
  format_into(path, buf, size, &used);
  if (used == 0) snprintf(buf, size, "(root)");
}

/* Sets a message "<path>: <what>" and returns `status`. */
static aoti_status located(aoti_status status, const jpath *path, const char *what,
                           const char *detail) {
  char where[512];
  jpath_format(path, where, sizeof where);
  return aoti_error_set(status, "%s: %s%s", where, what, detail ? detail : "");
}

static const char *type_name(const json_t *value) {
  switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
  }
  return "something else";
}

static aoti_status type_error(const json_t *value, const jpath *path, const char *expected) {
  char what[128];
  snprintf(what, sizeof what, "expected %s, got %s", expected,
           value ? type_name(value) : "nothing");
  return located(AOTI_ERROR_FORMAT, path, what, NULL);
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

/* Length of a bare Infinity/-Infinity/NaN token at text[i] (outside strings), or 0. */
static size_t bare_token_length(const char *text, size_t size, size_t i) {
  static const char *const tokens[] = {"Infinity", "-Infinity", "NaN"};
  for (size_t t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
    size_t len = strlen(tokens[t]);
    if (i + len <= size && memcmp(text + i, tokens[t], len) == 0) return len;
  }
  return 0;
}

/* Copies `text` with every bare Infinity/-Infinity/NaN token outside strings quoted. Returns NULL
 * (and *out_copied false) when there is none; *out_size is the new length. Each rewrite adds two
 * bytes to a token of at least three, so twice the input always suffices. */
static char *quote_bare_tokens(const char *text, size_t size, size_t *out_size, bool *out_oom) {
  *out_oom = false;
  char *copy = NULL;
  size_t used = 0;
  bool in_string = false;
  for (size_t i = 0; i < size; i++) {
    char c = text[i];
    size_t token = 0;
    if (in_string) {
      if (c == '\\') {
        if (copy) copy[used++] = c;
        i++; /* the escaped character cannot end the string */
        if (i < size && copy) copy[used++] = text[i];
        continue;
      }
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else {
      token = bare_token_length(text, size, i);
    }
    if (token && !copy) {
      copy = malloc(2 * size + 1);
      if (!copy) {
        *out_oom = true;
        return NULL;
      }
      memcpy(copy, text, i);
      used = i;
    }
    if (token) {
      copy[used++] = '"';
      memcpy(copy + used, text + i, token);
      used += token;
      copy[used++] = '"';
      i += token - 1;
    } else if (copy) {
      copy[used++] = c;
    }
  }
  *out_size = used;
  return copy;
}

aoti_status aoti_json_parse(const char *text, size_t size, json_t **out_root) {
  size_t fixed_size = 0;
  bool oom = false;
  char *fixed = quote_bare_tokens(text, size, &fixed_size, &oom);
  if (oom) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory parsing JSON");
  json_error_t error;
  json_t *root = json_loadb(fixed ? fixed : text, fixed ? fixed_size : size, 0, &error);
  free(fixed);
  if (!root)
    return aoti_error_set(AOTI_ERROR_FORMAT, "invalid JSON at line %d, column %d: %s", error.line,
                          error.column, error.text);
  *out_root = root;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Getters
//===----------------------------------------------------------------------===//

aoti_status aoti_json_member(const json_t *obj, const jpath *path, const char *key, bool required,
                             json_t **out_value) {
  if (!json_is_object(obj)) return type_error(obj, path, "an object");
  json_t *value = json_object_get(obj, key);
  if (value && json_is_null(value)) value = NULL;
  if (!value && required) {
    jpath member = JPATH_KEY(path, key);
    return located(AOTI_ERROR_FORMAT, &member, "missing", NULL);
  }
  *out_value = value;
  return AOTI_OK;
}

aoti_status aoti_json_object(const json_t *value, const jpath *path) {
  return json_is_object(value) ? AOTI_OK : type_error(value, path, "an object");
}

aoti_status aoti_json_array(const json_t *value, const jpath *path) {
  return json_is_array(value) ? AOTI_OK : type_error(value, path, "an array");
}

aoti_status aoti_json_int(const json_t *value, const jpath *path, int64_t *out_value) {
  if (!json_is_integer(value)) return type_error(value, path, "an integer");
  *out_value = (int64_t)json_integer_value(value);
  return AOTI_OK;
}

aoti_status aoti_json_float(const json_t *value, const jpath *path, double *out_value) {
  if (json_is_number(value)) {
    *out_value = json_number_value(value);
    return AOTI_OK;
  }
  if (json_is_string(value)) {
    const char *s = json_string_value(value);
    if (strcmp(s, "Infinity") == 0)
      *out_value = INFINITY;
    else if (strcmp(s, "-Infinity") == 0)
      *out_value = -INFINITY;
    else if (strcmp(s, "NaN") == 0)
      *out_value = NAN;
    else
      return located(AOTI_ERROR_FORMAT, path, "expected a number, got the string ", s);
    return AOTI_OK;
  }
  return type_error(value, path, "a number");
}

aoti_status aoti_json_bool(const json_t *value, const jpath *path, bool *out_value) {
  if (!json_is_boolean(value)) return type_error(value, path, "a boolean");
  *out_value = json_is_true(value);
  return AOTI_OK;
}

aoti_status aoti_json_string(const json_t *value, const jpath *path, const char **out_value) {
  if (!json_is_string(value)) return type_error(value, path, "a string");
  *out_value = json_string_value(value);
  return AOTI_OK;
}

aoti_status aoti_json_enum(const json_t *value, const jpath *path, const char *const *names,
                           const int64_t *values, size_t count, int64_t *out_value) {
  if (json_is_integer(value)) {
    *out_value = (int64_t)json_integer_value(value);
    return AOTI_OK;
  }
  if (!json_is_string(value)) return type_error(value, path, "an enum (integer or name)");
  const char *name = json_string_value(value);
  for (size_t i = 0; i < count; i++) {
    if (strcmp(names[i], name) == 0) {
      *out_value = values[i];
      return AOTI_OK;
    }
  }
  return located(AOTI_ERROR_FORMAT, path, "unknown enum member ", name);
}

aoti_status aoti_json_union(const json_t *value, const jpath *path, const char **out_key,
                            json_t **out_value) {
  if (!json_is_object(value)) return type_error(value, path, "a union (an object)");
  json_t *type = json_object_get(value, "$type");
  if (type) {
    if (!json_is_string(type)) {
      jpath at = JPATH_KEY(path, "$type");
      return type_error(type, &at, "a string");
    }
    json_t *member = json_object_get(value, "$value");
    *out_key = json_string_value(type);
    *out_value = member ? member : json_null();
    return AOTI_OK;
  }
  const char *key;
  json_t *member;
  if (json_object_size(value) == 1) {
    json_object_foreach((json_t *)value, key, member) {
      *out_key = key;
      *out_value = member;
    }
    return AOTI_OK;
  }
  const char *active = NULL;
  json_t *active_value = NULL;
  json_object_foreach((json_t *)value, key, member) {
    if (json_is_null(member)) continue;
    if (active) {
      char detail[256];
      snprintf(detail, sizeof detail, "'%s' and '%s'", active, key);
      return located(AOTI_ERROR_FORMAT, path, "a union with more than one member set: ", detail);
    }
    active = key;
    active_value = member;
  }
  if (!active) return located(AOTI_ERROR_FORMAT, path, "a union with no member set", NULL);
  *out_key = active;
  *out_value = active_value;
  return AOTI_OK;
}
