/* archive.c — zip access on libzip for the frontend: opening files and in-memory payloads,
 * removing the root folder PyTorch's writer adds, reading entries with CRC checks. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "frontend/archive.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "error.h"

struct aoti_zip {
  zip_t *za;
  char *label;
  size_t prefix_len; /* length of the common root folder, '/' included; 0 when none */
};

/* The root folder every entry shares ("model/", "archive/"), or 0 when the entries do not all
 * share one (legacy export zips have none). */
static size_t common_root_length(zip_t *za) {
  zip_int64_t n = zip_get_num_entries(za, 0);
  if (n <= 0) return 0;
  const char *first = zip_get_name(za, 0, ZIP_FL_ENC_RAW);
  const char *slash = first ? strchr(first, '/') : NULL;
  if (!slash) return 0;
  size_t len = (size_t)(slash - first) + 1;
  for (zip_int64_t i = 1; i < n; i++) {
    const char *name = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
    if (!name || strncmp(name, first, len) != 0) return 0;
  }
  return len;
}

static aoti_status wrap(zip_t *za, const char *label, aoti_zip **out_zip) {
  aoti_zip *zip = calloc(1, sizeof *zip);
  char *copy = strdup(label);
  if (!zip || !copy) {
    free(zip);
    free(copy);
    zip_discard(za);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory opening '%s'", label);
  }
  zip->za = za;
  zip->label = copy;
  zip->prefix_len = common_root_length(za);
  *out_zip = zip;
  return AOTI_OK;
}

static aoti_status open_error(const char *label, zip_error_t *error) {
  int code = zip_error_code_zip(error);
  aoti_status status = AOTI_ERROR_FORMAT;
  if (code == ZIP_ER_NOENT)
    status = AOTI_ERROR_NOT_FOUND;
  else if (code == ZIP_ER_OPEN || code == ZIP_ER_READ || code == ZIP_ER_SEEK)
    status = AOTI_ERROR_IO;
  else if (code == ZIP_ER_MEMORY)
    status = AOTI_ERROR_OUT_OF_MEMORY;
  aoti_status result = aoti_error_set(status, "'%s': cannot open as a zip archive: %s", label,
                                      zip_error_strerror(error));
  zip_error_fini(error);
  return result;
}

aoti_status aoti_zip_open_file(const char *path, aoti_zip **out_zip) {
  int code = 0;
  zip_t *za = zip_open(path, ZIP_RDONLY, &code);
  if (!za) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    return open_error(path, &error);
  }
  return wrap(za, path, out_zip);
}

aoti_status aoti_zip_open_buffer(void *data, size_t size, const char *label, aoti_zip **out_zip) {
  zip_error_t error;
  zip_error_init(&error);
  /* freep = 1: libzip frees `data` with the source. */
  zip_source_t *source = zip_source_buffer_create(data, size, 1, &error);
  if (!source) {
    free(data);
    return open_error(label, &error);
  }
  zip_t *za = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (!za) {
    zip_source_free(source);
    return open_error(label, &error);
  }
  zip_error_fini(&error);
  return wrap(za, label, out_zip);
}

void aoti_zip_close(aoti_zip *zip) {
  if (!zip) return;
  zip_discard(zip->za); /* read-only: nothing to write back */
  free(zip->label);
  free(zip);
}

const char *aoti_zip_label(const aoti_zip *zip) { return zip->label; }

int64_t aoti_zip_num_entries(const aoti_zip *zip) { return zip_get_num_entries(zip->za, 0); }

const char *aoti_zip_entry_name(const aoti_zip *zip, int64_t index) {
  const char *name = zip_get_name(zip->za, (zip_uint64_t)index, ZIP_FL_ENC_RAW);
  if (!name || strlen(name) < zip->prefix_len) return NULL;
  return name + zip->prefix_len;
}

static zip_int64_t locate(const aoti_zip *zip, const char *name) {
  zip_int64_t n = zip_get_num_entries(zip->za, 0);
  for (zip_int64_t i = 0; i < n; i++) {
    const char *entry = aoti_zip_entry_name(zip, i);
    if (entry && strcmp(entry, name) == 0) return i;
  }
  return -1;
}

bool aoti_zip_has(const aoti_zip *zip, const char *name) { return locate(zip, name) >= 0; }

static aoti_status read_index(aoti_zip *zip, zip_int64_t index, const char *name, char **out_data,
                              size_t *out_size) {
  zip_stat_t st;
  if (zip_stat_index(zip->za, (zip_uint64_t)index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    return aoti_error_set(AOTI_ERROR_FORMAT, "'%s': entry '%s': cannot read its size: %s",
                          zip->label, name, zip_strerror(zip->za));
  if (st.size >= SIZE_MAX)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "'%s': entry '%s' is too large", zip->label,
                          name);
  char *data = malloc((size_t)st.size + 1);
  if (!data)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "'%s': entry '%s': out of memory (%llu bytes)",
                          zip->label, name, (unsigned long long)st.size);
  zip_file_t *file = zip_fopen_index(zip->za, (zip_uint64_t)index, 0);
  if (!file) {
    free(data);
    return aoti_error_set(AOTI_ERROR_FORMAT, "'%s': entry '%s': %s", zip->label, name,
                          zip_strerror(zip->za));
  }
  /* Reading the whole entry makes libzip check its CRC at the end. */
  zip_uint64_t done = 0;
  while (done < st.size) {
    zip_int64_t got = zip_fread(file, data + done, st.size - done);
    if (got <= 0) {
      aoti_status status =
          aoti_error_set(AOTI_ERROR_FORMAT, "'%s': entry '%s': %s after %llu of %llu bytes",
                         zip->label, name, got < 0 ? zip_file_strerror(file) : "unexpected end",
                         (unsigned long long)done, (unsigned long long)st.size);
      zip_fclose(file);
      free(data);
      return status;
    }
    done += (zip_uint64_t)got;
  }
  /* One more read detects trailing data and triggers the CRC check on some libzip versions. */
  char extra;
  zip_int64_t tail = zip_fread(file, &extra, 1);
  if (tail != 0) {
    aoti_status status =
        aoti_error_set(AOTI_ERROR_FORMAT, "'%s': entry '%s': %s", zip->label, name,
                       tail < 0 ? zip_file_strerror(file) : "more data than its recorded size");
    zip_fclose(file);
    free(data);
    return status;
  }
  zip_fclose(file);
  data[st.size] = '\0';
  *out_data = data;
  *out_size = (size_t)st.size;
  return AOTI_OK;
}

aoti_status aoti_zip_read(aoti_zip *zip, const char *name, char **out_data, size_t *out_size) {
  zip_int64_t index = locate(zip, name);
  if (index < 0)
    return aoti_error_set(AOTI_ERROR_NOT_FOUND, "'%s' has no entry '%s'", zip->label, name);
  return read_index(zip, index, name, out_data, out_size);
}

aoti_status aoti_zip_read_text(aoti_zip *zip, const char *name, char **out_text) {
  char *text = NULL;
  size_t size = 0;
  aoti_status status = aoti_zip_read(zip, name, &text, &size);
  if (status != AOTI_OK) return status;
  while (size > 0 && isspace((unsigned char)text[size - 1])) text[--size] = '\0';
  *out_text = text;
  return AOTI_OK;
}

aoti_status aoti_zip_check_little_endian(aoti_zip *zip) {
  if (!aoti_zip_has(zip, "byteorder")) return AOTI_OK;
  char *order = NULL;
  aoti_status status = aoti_zip_read_text(zip, "byteorder", &order);
  if (status != AOTI_OK) return status;
  if (strcmp(order, "little") != 0)
    status = aoti_error_set(AOTI_ERROR_UNSUPPORTED,
                            "'%s': byte order '%s' (only little-endian archives are supported)",
                            aoti_zip_label(zip), order);
  free(order);
  return status;
}
