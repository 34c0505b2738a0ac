/* weights.c — weights and constants payloads (torch.save zips and raw storage files) as tables of
 * strided views, and their contiguous materialisation (see weights.h). */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "frontend/weights.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "frontend/json.h"
#include "frontend/unpickle.h"

typedef struct storage {
  char *entry; /* the zip entry it was read from */
  char *bytes;
  size_t nbytes;
} storage;

struct aoti_tensor_table {
  char *label;
  int32_t count, capacity;
  aoti_stored_tensor *tensors; /* fqn strings owned by the table */
  int32_t num_storages, storage_capacity;
  storage *storages;
};

static aoti_status table_oom(const char *label) {
  return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "%s: out of memory", label);
}

static aoti_status table_create(const char *label, aoti_tensor_table **out_table) {
  aoti_tensor_table *table = calloc(1, sizeof *table);
  char *copy = strdup(label);
  if (!table || !copy) {
    free(table);
    free(copy);
    return table_oom(label);
  }
  table->label = copy;
  *out_table = table;
  return AOTI_OK;
}

void aoti_tensor_table_destroy(aoti_tensor_table *table) {
  if (!table) return;
  for (int32_t i = 0; i < table->count; i++) free((char *)table->tensors[i].fqn);
  for (int32_t i = 0; i < table->num_storages; i++) {
    free(table->storages[i].entry);
    free(table->storages[i].bytes);
  }
  free(table->tensors);
  free(table->storages);
  free(table->label);
  free(table);
}

const char *aoti_tensor_table_label(const aoti_tensor_table *table) { return table->label; }

const aoti_stored_tensor *aoti_tensor_table_find(const aoti_tensor_table *table, const char *fqn) {
  for (int32_t i = 0; i < table->count; i++)
    if (strcmp(table->tensors[i].fqn, fqn) == 0) return &table->tensors[i];
  return NULL;
}

/* Index of the storage read from `entry`, or -1. */
static int32_t find_storage(const aoti_tensor_table *table, const char *entry) {
  for (int32_t i = 0; i < table->num_storages; i++)
    if (strcmp(table->storages[i].entry, entry) == 0) return i;
  return -1;
}

/* Reads `entry` of `zip` as a new storage unless it was read already; *out_index is its index. */
static aoti_status load_storage(aoti_tensor_table *table, aoti_zip *zip, const char *entry,
                                int32_t *out_index) {
  int32_t index = find_storage(table, entry);
  if (index >= 0) {
    *out_index = index;
    return AOTI_OK;
  }
  if (table->num_storages == table->storage_capacity) {
    int32_t capacity = table->storage_capacity ? 2 * table->storage_capacity : 8;
    storage *grown = realloc(table->storages, (size_t)capacity * sizeof *grown);
    if (!grown) return table_oom(table->label);
    table->storages = grown;
    table->storage_capacity = capacity;
  }
  storage s = {0};
  aoti_status status = aoti_zip_read(zip, entry, &s.bytes, &s.nbytes);
  if (status != AOTI_OK) return status;
  s.entry = strdup(entry);
  if (!s.entry) {
    free(s.bytes);
    return table_oom(table->label);
  }
  table->storages[table->num_storages] = s;
  *out_index = table->num_storages++;
  return AOTI_OK;
}

/* Appends `tensor`, taking a copy of `fqn`. */
static aoti_status add_tensor(aoti_tensor_table *table, const char *fqn,
                              const aoti_stored_tensor *tensor) {
  if (aoti_tensor_table_find(table, fqn))
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: '%s' appears twice", table->label, fqn);
  if (table->count == table->capacity) {
    int32_t capacity = table->capacity ? 2 * table->capacity : 16;
    aoti_stored_tensor *grown = realloc(table->tensors, (size_t)capacity * sizeof *grown);
    if (!grown) return table_oom(table->label);
    table->tensors = grown;
    table->capacity = capacity;
  }
  char *copy = strdup(fqn);
  if (!copy) return table_oom(table->label);
  table->tensors[table->count] = *tensor;
  table->tensors[table->count].fqn = copy;
  table->count++;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// torch.save zips
//===----------------------------------------------------------------------===//

static aoti_status add_pickled(aoti_tensor_table *table, aoti_zip *zip,
                               const aoti_pickled_tensor *p) {
  char entry[512];
  if ((size_t)snprintf(entry, sizeof entry, "data/%s", p->storage_key) >= sizeof entry)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: '%s': storage key too long", table->label,
                          p->name);
  aoti_stored_tensor t = {.dtype = p->dtype, .rank = p->rank, .storage_offset = p->storage_offset};
  memcpy(t.sizes, p->sizes, sizeof t.sizes);
  memcpy(t.strides, p->strides, sizeof t.strides);
  aoti_status status = load_storage(table, zip, entry, &t.storage);
  if (status != AOTI_OK) return aoti_error_prefix(status, "%s: '%s'", table->label, p->name);
  if (table->storages[t.storage].nbytes < (uint64_t)p->storage_nbytes)
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "%s: '%s': storage '%s' has %zu bytes, the pickle "
                          "says %lld",
                          table->label, p->name, entry, table->storages[t.storage].nbytes,
                          (long long)p->storage_nbytes);
  return add_tensor(table, p->name, &t);
}

static aoti_status read_torch_save(aoti_tensor_table *table, aoti_zip *zip) {
  aoti_status status = aoti_zip_check_little_endian(zip);
  if (status != AOTI_OK) return status;
  char *pickle = NULL;
  size_t size = 0;
  status = aoti_zip_read(zip, "data.pkl", &pickle, &size);
  if (status != AOTI_OK) return status;
  aoti_pickled_dict dict = {0};
  status = aoti_unpickle_tensor_dict(pickle, size, &dict);
  free(pickle);
  if (status != AOTI_OK) return aoti_error_prefix(status, "%s", table->label);
  for (int32_t i = 0; i < dict.count && status == AOTI_OK; i++)
    status = add_pickled(table, zip, &dict.tensors[i]);
  aoti_pickled_dict_free(&dict);
  return status;
}

aoti_status aoti_tensor_table_from_torch_save(void *data, size_t size, const char *label,
                                              aoti_tensor_table **out_table) {
  aoti_zip *zip = NULL;
  aoti_status status = aoti_zip_open_buffer(data, size, label, &zip);
  if (status != AOTI_OK) return status;
  aoti_tensor_table *table = NULL;
  status = table_create(label, &table);
  if (status == AOTI_OK) status = read_torch_save(table, zip);
  aoti_zip_close(zip);
  if (status != AOTI_OK) {
    aoti_tensor_table_destroy(table);
    return status;
  }
  *out_table = table;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Raw storages with a config (torch 2.9+)
//===----------------------------------------------------------------------===//

/* A SymInt that must be concrete: {"as_int": n} in any union encoding, or a plain integer
 * (older storage_offset). */
static aoti_status concrete_int(const json_t *value, const jpath *path, int64_t *out_value) {
  if (json_is_integer(value)) return aoti_json_int(value, path, out_value);
  const char *key;
  json_t *member;
  aoti_status status = aoti_json_union(value, path, &key, &member);
  if (status != AOTI_OK) return status;
  jpath at = JPATH_KEY(path, key);
  if (strcmp(key, "as_int") != 0) {
    char where[256];
    jpath_format(&at, where, sizeof where);
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: a stored tensor must have concrete sizes", where);
  }
  return aoti_json_int(member, &at, out_value);
}

static aoti_status int_list(const json_t *list, const jpath *path, int64_t *out_values,
                            int32_t *out_count) {
  aoti_status status = aoti_json_array(list, path);
  if (status != AOTI_OK) return status;
  size_t count = json_array_size(list);
  if (count > AOTI_MAX_RANK) {
    char where[256];
    jpath_format(path, where, sizeof where);
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "%s: rank %zu (at most %d)", where, count,
                          AOTI_MAX_RANK);
  }
  for (size_t i = 0; i < count && status == AOTI_OK; i++) {
    jpath item = JPATH_INDEX(path, i);
    status = concrete_int(json_array_get(list, i), &item, &out_values[i]);
  }
  *out_count = (int32_t)count;
  return status;
}

/* TensorMeta {dtype, sizes, strides, storage_offset, ...} of a stored tensor. */
static aoti_status stored_meta(const json_t *meta, const jpath *path, aoti_stored_tensor *out) {
  json_t *dtype, *sizes, *strides, *offset;
  aoti_status status = aoti_json_member(meta, path, "dtype", true, &dtype);
  if (status == AOTI_OK) status = aoti_json_member(meta, path, "sizes", true, &sizes);
  if (status == AOTI_OK) status = aoti_json_member(meta, path, "strides", true, &strides);
  if (status == AOTI_OK) status = aoti_json_member(meta, path, "storage_offset", false, &offset);
  if (status != AOTI_OK) return status;
  jpath at_dtype = JPATH_KEY(path, "dtype"), at_sizes = JPATH_KEY(path, "sizes"),
        at_strides = JPATH_KEY(path, "strides"), at_offset = JPATH_KEY(path, "storage_offset");
  int64_t code;
  int32_t num_strides = 0;
  status = aoti_json_int(dtype, &at_dtype, &code);
  if (status == AOTI_OK) status = int_list(sizes, &at_sizes, out->sizes, &out->rank);
  if (status == AOTI_OK) status = int_list(strides, &at_strides, out->strides, &num_strides);
  if (status == AOTI_OK && offset) status = concrete_int(offset, &at_offset, &out->storage_offset);
  if (status != AOTI_OK) return status;
  char where[256];
  jpath_format(path, where, sizeof where);
  if (num_strides != out->rank)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: %d sizes but %d strides", where, out->rank,
                          num_strides);
  if (aoti_dtype_size((aoti_dtype)code) == 0)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "%s: dtype %lld is not supported", where,
                          (long long)code);
  out->dtype = (aoti_dtype)code;
  return AOTI_OK;
}

/* Decodes one config entry {"path_name", "is_param", "use_pickle", "tensor_meta"}. *out_file is
 * NULL for an entry that is not a tensor (a custom object). Messages give the JSON path only. */
static aoti_status decode_raw_entry(const json_t *entry, const jpath *path, const char **out_file,
                                    aoti_stored_tensor *out_tensor) {
  json_t *path_name, *use_pickle, *meta;
  aoti_status status = aoti_json_member(entry, path, "path_name", true, &path_name);
  if (status == AOTI_OK) status = aoti_json_member(entry, path, "use_pickle", false, &use_pickle);
  if (status == AOTI_OK) status = aoti_json_member(entry, path, "tensor_meta", false, &meta);
  if (status != AOTI_OK) return status;
  *out_file = NULL;
  if (!meta) return AOTI_OK;
  char where[256];
  jpath_format(path, where, sizeof where);
  if (use_pickle && json_is_true(use_pickle))
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "%s: a pickled tensor subclass", where);
  jpath at_name = JPATH_KEY(path, "path_name"), at_meta = JPATH_KEY(path, "tensor_meta");
  status = aoti_json_string(path_name, &at_name, out_file);
  if (status == AOTI_OK) status = stored_meta(meta, &at_meta, out_tensor);
  return status;
}

static aoti_status add_raw(aoti_tensor_table *table, aoti_zip *zip, const char *dir,
                           const char *fqn, const json_t *entry, const jpath *path) {
  const char *file = NULL;
  aoti_stored_tensor t = {0};
  aoti_status status = decode_raw_entry(entry, path, &file, &t);
  if (status != AOTI_OK) return aoti_error_prefix(status, "%s", table->label);
  if (!file) return AOTI_OK;
  char name[512];
  if ((size_t)snprintf(name, sizeof name, "%s%s", dir, file) >= sizeof name)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: '%s': path_name too long", table->label, fqn);
  status = load_storage(table, zip, name, &t.storage);
  if (status != AOTI_OK) return aoti_error_prefix(status, "%s: '%s'", table->label, fqn);
  return add_tensor(table, fqn, &t);
}

static aoti_status read_raw(aoti_tensor_table *table, aoti_zip *zip, const char *config_entry,
                            const char *dir) {
  char *text = NULL;
  size_t size = 0;
  aoti_status status = aoti_zip_read(zip, config_entry, &text, &size);
  if (status != AOTI_OK) return status;
  json_t *root = NULL;
  status = aoti_json_parse(text, size, &root);
  free(text);
  json_t *config = NULL;
  jpath at_config = JPATH_KEY(NULL, "config");
  if (status == AOTI_OK) status = aoti_json_member(root, NULL, "config", true, &config);
  if (status == AOTI_OK) status = aoti_json_object(config, &at_config);
  if (status != AOTI_OK) {
    json_decref(root);
    return aoti_error_prefix(status, "%s", table->label);
  }
  const char *fqn;
  json_t *entry;
  json_object_foreach(config, fqn, entry) {
    jpath at = JPATH_KEY(&at_config, fqn);
    status = add_raw(table, zip, dir, fqn, entry, &at);
    if (status != AOTI_OK) break;
  }
  json_decref(root);
  return status;
}

aoti_status aoti_tensor_table_from_raw(aoti_zip *zip, const char *config_entry, const char *dir,
                                       aoti_tensor_table **out_table) {
  char label[1024];
  snprintf(label, sizeof label, "%s: %s", aoti_zip_label(zip), config_entry);
  aoti_tensor_table *table = NULL;
  aoti_status status = table_create(label, &table);
  if (status == AOTI_OK) status = read_raw(table, zip, config_entry, dir);
  if (status != AOTI_OK) {
    aoti_tensor_table_destroy(table);
    return status;
  }
  *out_table = table;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Materialisation
//===----------------------------------------------------------------------===//

size_t aoti_stored_tensor_nbytes(const aoti_stored_tensor *tensor) {
  size_t n = aoti_dtype_size(tensor->dtype);
  for (int32_t d = 0; d < tensor->rank; d++) {
    size_t dim = tensor->sizes[d] > 0 ? (size_t)tensor->sizes[d] : 0;
    if (__builtin_mul_overflow(n, dim, &n)) return SIZE_MAX; /* no allocation can succeed */
  }
  return n;
}

/* Checks that every element of the view lies inside a storage of `nbytes` bytes. */
static bool view_in_bounds(const aoti_stored_tensor *t, size_t nbytes) {
  int64_t last = t->storage_offset; /* index of the last element reached */
  if (last < 0) return false;
  for (int32_t d = 0; d < t->rank; d++) {
    if (t->sizes[d] < 0 || t->strides[d] < 0) return false;
    if (t->sizes[d] == 0) return true; /* an empty view reads nothing */
    int64_t reach;
    if (__builtin_mul_overflow(t->sizes[d] - 1, t->strides[d], &reach) ||
        __builtin_add_overflow(last, reach, &last))
      return false;
  }
  uint64_t end; /* one past the last byte */
  if (__builtin_mul_overflow((uint64_t)last + 1, (uint64_t)aoti_dtype_size(t->dtype), &end))
    return false;
  return end <= nbytes;
}

static bool is_contiguous(const aoti_stored_tensor *t) {
  int64_t expected = 1;
  for (int32_t d = t->rank - 1; d >= 0; d--) {
    if (t->sizes[d] != 1 && t->strides[d] != expected) return false;
    expected *= t->sizes[d];
  }
  return true;
}

aoti_status aoti_tensor_table_copy_contiguous(const aoti_tensor_table *table,
                                              const aoti_stored_tensor *tensor, void *dst) {
  const storage *s = &table->storages[tensor->storage];
  size_t total = aoti_stored_tensor_nbytes(tensor);
  if (total == 0) return AOTI_OK;
  /* An empty file stands for a fake tensor; torch's loader makes zeros (_package.py). */
  if (s->nbytes == 0) {
    memset(dst, 0, total);
    return AOTI_OK;
  }
  if (!view_in_bounds(tensor, s->nbytes))
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "%s: '%s' (storage offset %lld) reaches past the end "
                          "of its storage '%s' (%zu bytes)",
                          table->label, tensor->fqn, (long long)tensor->storage_offset, s->entry,
                          s->nbytes);
  size_t element = aoti_dtype_size(tensor->dtype);
  const char *base = s->bytes + (size_t)tensor->storage_offset * element;
  if (is_contiguous(tensor)) {
    memcpy(dst, base, total);
    return AOTI_OK;
  }
  /* Walk the view in row-major order with an odometer over the indices. */
  int64_t index[AOTI_MAX_RANK] = {0};
  char *out = dst;
  for (size_t done = 0; done < total; done += element) {
    int64_t offset = 0;
    for (int32_t d = 0; d < tensor->rank; d++) offset += index[d] * tensor->strides[d];
    memcpy(out + done, base + (size_t)offset * element, element);
    for (int32_t d = tensor->rank - 1; d >= 0; d--) {
      if (++index[d] < tensor->sizes[d]) break;
      index[d] = 0;
    }
  }
  return AOTI_OK;
}
