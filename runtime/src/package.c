/* package.c — opening a .pt2 package (a zip, read with libzip), listing its models and reading its
 * entries for model loads. The layout is the one compiler/package/package.h writes. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "error.h"
#include "internal.h"

#define AOTI_MODELS_FOLDER "data/aotinductor/"
#define AOTI_COPY_CHUNK (1 << 16)

static aoti_status open_error(const char *path, int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  aoti_status status;
  switch (code) {
    case ZIP_ER_NOENT:
      status = aoti_error_set(AOTI_ERROR_NOT_FOUND, "cannot open package '%s': no such file", path);
      break;
    case ZIP_ER_OPEN:
    case ZIP_ER_READ:
    case ZIP_ER_SEEK:
      status = aoti_error_set(AOTI_ERROR_IO, "cannot open package '%s': %s", path,
                              zip_error_strerror(&error));
      break;
    case ZIP_ER_MEMORY:
      status = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "cannot open package '%s': %s", path,
                              zip_error_strerror(&error));
      break;
    default:
      status = aoti_error_set(AOTI_ERROR_FORMAT, "%s is not a .pt2 package: %s", path,
                              zip_error_strerror(&error));
      break;
  }
  zip_error_fini(&error);
  return status;
}

static void free_models(aoti_package *package) {
  for (size_t i = 0; i < package->num_models; i++) free(package->model_names[i]);
  free(package->model_names);
  package->model_names = NULL;
  package->num_models = 0;
}

void aoti_package_close(aoti_package *package) {
  if (!package) return;
  if (package->zip) zip_discard(package->zip); /* read-only: nothing to write back */
  pthread_mutex_destroy(&package->lock);
  free_models(package);
  free(package->prefix);
  free(package->path);
  free(package);
}

/* The prefix is everything up to the first '/' of the first entry, as PyTorch's readers do. */
static aoti_status read_prefix(aoti_package *package) {
  if (zip_get_num_entries(package->zip, 0) <= 0)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s is not a .pt2 package: the zip is empty",
                          package->path);
  const char *first = zip_get_name(package->zip, 0, 0);
  const char *slash = first ? strchr(first, '/') : NULL;
  if (!slash || slash == first)
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "%s is not a .pt2 package: its first entry '%s' is not inside a folder",
                          package->path, first ? first : "");
  size_t len = (size_t)(slash - first) + 1;
  package->prefix = malloc(len + 1);
  if (!package->prefix) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  memcpy(package->prefix, first, len);
  package->prefix[len] = '\0';
  return AOTI_OK;
}

static aoti_status check_archive_format(aoti_package *package) {
  char *entry = malloc(strlen(package->prefix) + sizeof "archive_format");
  if (!entry) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  strcpy(entry, package->prefix);
  strcat(entry, "archive_format");
  void *data = NULL;
  uint64_t size = 0;
  aoti_status status = aoti_package_read_entry(package, entry, sizeof(void *), &data, &size);
  if (status == AOTI_ERROR_NOT_FOUND) {
    status = aoti_error_set(AOTI_ERROR_FORMAT, "%s is not a .pt2 package: it has no entry '%s'",
                            package->path, entry);
  } else if (status == AOTI_OK) {
    char *text = data;
    while (size > 0 && (text[size - 1] == '\n' || text[size - 1] == '\r')) text[--size] = '\0';
    if (strcmp(text, "pt2") != 0)
      status = aoti_error_set(AOTI_ERROR_FORMAT,
                              "%s is not a .pt2 package: '%s' holds '%.40s', expected 'pt2'",
                              package->path, entry, text);
  }
  free(data);
  free(entry);
  return status;
}

/* The model named by `entry` when it is "<prefix>data/aotinductor/<m>/<m>.so", else NULL. */
static char *model_of_entry(const aoti_package *package, const char *entry) {
  size_t prefix_len = strlen(package->prefix);
  if (strncmp(entry, package->prefix, prefix_len) != 0) return NULL;
  entry += prefix_len;
  if (strncmp(entry, AOTI_MODELS_FOLDER, strlen(AOTI_MODELS_FOLDER)) != 0) return NULL;
  const char *model = entry + strlen(AOTI_MODELS_FOLDER);
  const char *slash = strchr(model, '/');
  if (!slash || slash == model) return NULL;
  size_t len = (size_t)(slash - model);
  const char *file = slash + 1;
  if (strncmp(file, model, len) != 0 || strcmp(file + len, ".so") != 0) return NULL;
  char *name = malloc(len + 1);
  if (name) {
    memcpy(name, model, len);
    name[len] = '\0';
  }
  return name;
}

static aoti_status list_models(aoti_package *package) {
  zip_int64_t num_entries = zip_get_num_entries(package->zip, 0);
  package->model_names = calloc((size_t)num_entries, sizeof(char *));
  if (!package->model_names) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  for (zip_int64_t i = 0; i < num_entries; i++) {
    const char *entry = zip_get_name(package->zip, (zip_uint64_t)i, 0);
    if (!entry) continue;
    char *model = model_of_entry(package, entry);
    if (model) package->model_names[package->num_models++] = model;
  }
  return AOTI_OK;
}

aoti_status aoti_package_open(const char *path, aoti_package **out_package) {
  if (!path || !out_package)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "aoti_package_open: NULL argument");
  aoti_package *package = calloc(1, sizeof *package);
  if (!package) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  pthread_mutex_init(&package->lock, NULL);
  package->path = strdup(path);
  if (!package->path) {
    aoti_package_close(package);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  /* Plain ZIP_RDONLY: ZIP_CHECKCONS refuses valid zips written with data descriptors. */
  int code = 0;
  package->zip = zip_open(path, ZIP_RDONLY, &code);
  aoti_status status = package->zip ? AOTI_OK : open_error(path, code);
  if (status == AOTI_OK) status = read_prefix(package);
  if (status == AOTI_OK) status = check_archive_format(package);
  if (status == AOTI_OK) status = list_models(package);
  if (status != AOTI_OK) {
    aoti_package_close(package);
    return status;
  }
  *out_package = package;
  return AOTI_OK;
}

size_t aoti_package_model_count(const aoti_package *package) {
  return package ? package->num_models : 0;
}

const char *aoti_package_model_name(const aoti_package *package, size_t index) {
  if (!package || index >= package->num_models) return NULL;
  return package->model_names[index];
}

char *aoti_package_entry_name(const aoti_package *package, const char *model, const char *file) {
  size_t len = strlen(package->prefix) + strlen(AOTI_MODELS_FOLDER) + strlen(model) + 1 +
               strlen(file) + 1;
  char *entry = malloc(len);
  if (entry) {
    strcpy(entry, package->prefix);
    strcat(entry, AOTI_MODELS_FOLDER);
    strcat(entry, model);
    strcat(entry, "/");
    strcat(entry, file);
  }
  return entry;
}

bool aoti_package_has_entry(const aoti_package *package, const char *entry) {
  return zip_name_locate(package->zip, entry, 0) >= 0;
}

/* Opens `entry`, giving its size. */
static aoti_status open_entry(aoti_package *package, const char *entry, zip_file_t **out_file,
                              uint64_t *out_size) {
  zip_int64_t index = zip_name_locate(package->zip, entry, 0);
  if (index < 0)
    return aoti_error_set(AOTI_ERROR_NOT_FOUND, "%s: no entry '%s'", package->path, entry);
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(package->zip, (zip_uint64_t)index, 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE))
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: cannot read the size of entry '%s': %s",
                          package->path, entry, zip_strerror(package->zip));
  zip_file_t *file = zip_fopen_index(package->zip, (zip_uint64_t)index, 0);
  if (!file)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: cannot open entry '%s': %s", package->path,
                          entry, zip_strerror(package->zip));
  *out_file = file;
  *out_size = stat.size;
  return AOTI_OK;
}

/* Reads exactly `size` bytes of `file` into `data`. */
static aoti_status read_exactly(aoti_package *package, const char *entry, zip_file_t *file,
                                char *data, uint64_t size) {
  uint64_t done = 0;
  while (done < size) {
    zip_int64_t n = zip_fread(file, data + done, size - done);
    if (n < 0)
      return aoti_error_set(AOTI_ERROR_FORMAT, "%s: cannot read entry '%s': %s", package->path,
                            entry, zip_file_strerror(file));
    if (n == 0)
      return aoti_error_set(AOTI_ERROR_FORMAT,
                            "%s: entry '%s' ends after %llu of its %llu bytes", package->path,
                            entry, (unsigned long long)done, (unsigned long long)size);
    done += (uint64_t)n;
  }
  return AOTI_OK;
}

/* Reads past the end of `file`: libzip checks the entry's CRC only when it reaches the end. */
static aoti_status check_end(aoti_package *package, const char *entry, zip_file_t *file) {
  char extra;
  if (zip_fread(file, &extra, 1) < 0)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: cannot read entry '%s': %s", package->path,
                          entry, zip_file_strerror(file));
  return AOTI_OK;
}

aoti_status aoti_package_read_entry(aoti_package *package, const char *entry, size_t alignment,
                                    void **out_data, uint64_t *out_size) {
  zip_file_t *file = NULL;
  uint64_t size = 0;
  aoti_status status = open_entry(package, entry, &file, &size);
  if (status != AOTI_OK) return status;
  /* aligned_alloc wants a multiple of the alignment; +1 for the NUL after text entries. */
  uint64_t capacity = (size + 1 + alignment - 1) / alignment * alignment;
  char *data = capacity > size && capacity <= SIZE_MAX ? aligned_alloc(alignment, (size_t)capacity)
                                                       : NULL;
  if (!data) {
    zip_fclose(file);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "%s: cannot allocate %llu bytes for entry '%s'",
                          package->path, (unsigned long long)size, entry);
  }
  status = read_exactly(package, entry, file, data, size);
  if (status == AOTI_OK) status = check_end(package, entry, file);
  zip_fclose(file);
  if (status != AOTI_OK) {
    free(data);
    return status;
  }
  data[size] = '\0';
  *out_data = data;
  *out_size = size;
  return AOTI_OK;
}

static aoti_status write_all(int fd, const char *data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return aoti_error_set(AOTI_ERROR_IO, "write failed: %s", strerror(errno));
    data += n;
    len -= (size_t)n;
  }
  return AOTI_OK;
}

aoti_status aoti_package_copy_entry(aoti_package *package, const char *entry, int fd) {
  zip_file_t *file = NULL;
  uint64_t size = 0;
  aoti_status status = open_entry(package, entry, &file, &size);
  if (status != AOTI_OK) return status;
  char *chunk = malloc(AOTI_COPY_CHUNK);
  if (!chunk) status = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  for (uint64_t done = 0; status == AOTI_OK && done < size;) {
    uint64_t want = size - done < AOTI_COPY_CHUNK ? size - done : AOTI_COPY_CHUNK;
    status = read_exactly(package, entry, file, chunk, want);
    if (status == AOTI_OK) status = write_all(fd, chunk, (size_t)want);
    done += want;
  }
  if (status == AOTI_OK) status = check_end(package, entry, file);
  free(chunk);
  zip_fclose(file);
  return status;
}
