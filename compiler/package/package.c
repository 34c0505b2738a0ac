/* package.c — writes a .pt2 package with libzip (package.h).
 *
 * The writer keeps copies of every model's pieces until finish, then writes all entries in a
 * fixed order: archive_format, archive_version, byteorder, then per model its .so, .c,
 * _metadata.json and weight_<i> entries. Entries are stored (no compression) with a fixed DOS
 * timestamp (1980-01-01 00:00), so the same inputs give the same bytes.
 *
 * Weight data must start at a multiple of AOTI_PACKAGE_ALIGNMENT bytes in the file so a reader can
 * map it in place. libzip (1.7) has no call that returns an entry's data offset, so the writer
 * computes each local header's offset itself: libzip writes entries in index order, each as a
 * 30-byte local header, the name, the local extra fields and the data, with no data descriptor
 * when the source's size is known (a buffer source). A weight entry whose data would not land on
 * the alignment gets a local extra field of the right length, as PyTorch's PyTorchStreamWriter
 * does (id "FB", filled with 'Z': pytorch/pytorch caffe2/serialize/inline_container.cc,
 * getPadding(); see docs/torch-export-format.md). tests/aotic checks the resulting offsets by
 * parsing the written local headers.
 *
 * The file is written as <path>.tmp-<pid>-<n> beside the output and renamed on success; on any
 * failure the temporary file is removed, so no partial package is ever left.
 *
 * A writer is not thread-safe; separate writers may be used from separate threads.
 */
#define _POSIX_C_SOURCE 200809L

#include "package/package.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "error.h"

#define AOTI_PACKAGE_ALIGNMENT 64
/* PyTorch's padding extra field: the bytes 'F','B' read as a little-endian id. */
#define AOTI_PACKAGE_PAD_FIELD_ID 0x4246
#define ZIP_LOCAL_HEADER_SIZE 30
#define ZIP_EXTRA_FIELD_HEADER_SIZE 4
/* 1980-01-01 00:00:00, the earliest DOS date: date = ((1980-1980) << 9) | (1 << 5) | 1. */
#define AOTI_PACKAGE_DOS_TIME 0
#define AOTI_PACKAGE_DOS_DATE 0x21

/* One entry to write: its name relative to the package root and its bytes (owned). */
typedef struct entry {
  char *name;
  void *data;
  size_t len;
  bool aligned; /* data must start at AOTI_PACKAGE_ALIGNMENT */
} entry;

struct aoti_package_writer {
  char *path;
  char *stem;
  int32_t num_models;
  char **model_names;
  size_t num_entries, cap_entries;
  entry *entries;
};

//===----------------------------------------------------------------------===//
// Writer state
//===----------------------------------------------------------------------===//

void aoti_package_writer_abort(aoti_package_writer *w) {
  if (!w) return;
  for (size_t i = 0; i < w->num_entries; i++) {
    free(w->entries[i].name);
    free(w->entries[i].data);
  }
  for (int32_t i = 0; i < w->num_models; i++) free(w->model_names[i]);
  free(w->model_names);
  free(w->entries);
  free(w->stem);
  free(w->path);
  free(w);
}

/* Appends an entry named <stem>/<folder><name>, taking ownership of `data` (freed on failure). */
static aoti_status add_entry(aoti_package_writer *w, const char *folder, const char *name,
                             void *data, size_t len, bool aligned) {
  if (w->num_entries == w->cap_entries) {
    size_t cap = w->cap_entries ? 2 * w->cap_entries : 16;
    entry *grown = realloc(w->entries, cap * sizeof *grown);
    if (!grown) {
      free(data);
      return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
    }
    w->entries = grown;
    w->cap_entries = cap;
  }
  size_t name_len = strlen(w->stem) + 1 + strlen(folder) + strlen(name) + 1;
  char *full = malloc(name_len);
  if (!full) {
    free(data);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  }
  snprintf(full, name_len, "%s/%s%s", w->stem, folder, name);
  w->entries[w->num_entries++] = (entry){full, data, len, aligned};
  return AOTI_OK;
}

static aoti_status add_copy(aoti_package_writer *w, const char *folder, const char *name,
                            const void *data, size_t len, bool aligned) {
  void *copy = malloc(len ? len : 1);
  if (!copy)
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory copying '%s' (%zu bytes)",
                          name, len);
  if (len) memcpy(copy, data, len);
  return add_entry(w, folder, name, copy, len, aligned);
}

static aoti_status add_text(aoti_package_writer *w, const char *name, const char *text) {
  return add_copy(w, "", name, text, strlen(text), false);
}

/* The output file name without folders and without its last extension ("a/b/model.pt2" ->
 * "model"), as PyTorch's PT2 archive writer names the root folder. */
static char *stem_of(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  size_t len = (dot && dot != base) ? (size_t)(dot - base) : strlen(base);
  return strndup(base, len);
}

aoti_status aoti_package_writer_create(const char *path, aoti_package_writer **out_writer) {
  if (!path || !out_writer)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "package: NULL path or writer argument");
  aoti_package_writer *w = calloc(1, sizeof *w);
  if (!w) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  w->path = strdup(path);
  w->stem = stem_of(path);
  if (!w->path || !w->stem) {
    aoti_package_writer_abort(w);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  }
  if (!w->stem[0]) {
    aoti_package_writer_abort(w);
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                          "package: output path '%s' has no file name", path);
  }
  /* The archive-level entries come first, as PyTorch's writer puts them. */
  aoti_status st = add_text(w, "archive_format", "pt2");
  if (st == AOTI_OK) st = add_text(w, "archive_version", "0");
  if (st == AOTI_OK) st = add_text(w, "byteorder", "little");
  if (st != AOTI_OK) {
    aoti_package_writer_abort(w);
    return st;
  }
  *out_writer = w;
  return AOTI_OK;
}

/* The metadata as a JSON object with sorted keys (jansson escapes the strings). */
static aoti_status metadata_json(const aoti_package_model *m, char **out_text) {
  json_t *obj = json_object();
  if (!obj) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  for (int32_t i = 0; i < m->num_metadata; i++) {
    const char *key = m->metadata_keys[i], *value = m->metadata_values[i];
    if (!key || !value) {
      json_decref(obj);
      return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                            "package: model '%s': metadata entry %d has a NULL key or value",
                            m->name, (int)i);
    }
    if (json_object_set_new(obj, key, json_string(value)) != 0) {
      json_decref(obj);
      return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                            "package: model '%s': metadata '%s' is not valid UTF-8", m->name, key);
    }
  }
  char *text = json_dumps(obj, JSON_SORT_KEYS | JSON_INDENT(2));
  json_decref(obj);
  if (!text) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  *out_text = text;
  return AOTI_OK;
}

static bool is_entry_name(const char *s) {
  return s && s[0] && s[0] != '.' && !strchr(s, '/') && !strchr(s, '\\');
}

static aoti_status check_model(const aoti_package_writer *w, const aoti_package_model *m) {
  if (!m || !is_entry_name(m->name))
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "package: model name '%s' is not valid",
                          m && m->name ? m->name : "(null)");
  for (int32_t i = 0; i < w->num_models; i++)
    if (strcmp(w->model_names[i], m->name) == 0)
      return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                            "package '%s': two models are named '%s'; names must be unique",
                            w->path, m->name);
  if (!m->library || !m->source)
    return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "package: model '%s' has no library or source",
                          m->name);
  for (int32_t i = 0; i < m->num_constants; i++) {
    const aoti_codegen_constant *c = &m->constants[i];
    if (!is_entry_name(c->entry) || (!c->data && c->nbytes))
      return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT,
                            "package: model '%s': constant %d ('%s') has a bad entry name or no data",
                            m->name, (int)i, c->fqn ? c->fqn : "?");
  }
  return AOTI_OK;
}

aoti_status aoti_package_writer_add_model(aoti_package_writer *w, const aoti_package_model *m) {
  if (!w) return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "package: NULL writer");
  aoti_status st = check_model(w, m);
  if (st != AOTI_OK) return st;
  char **names = realloc(w->model_names, (size_t)(w->num_models + 1) * sizeof *names);
  if (!names) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  w->model_names = names;
  if (!(names[w->num_models] = strdup(m->name)))
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
  w->num_models++;

  size_t folder_len = strlen("data/aotinductor/") + strlen(m->name) + 2;
  size_t file_len = strlen(m->name) + sizeof "_metadata.json";
  char *folder = malloc(folder_len), *file = malloc(file_len);
  char *json = NULL;
  if (!folder || !file) {
    st = aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "package: out of memory");
    goto done;
  }
  snprintf(folder, folder_len, "data/aotinductor/%s/", m->name);
  snprintf(file, file_len, "%s.so", m->name);
  st = add_copy(w, folder, file, m->library, m->library_len, false);
  if (st != AOTI_OK) goto done;
  snprintf(file, file_len, "%s.c", m->name);
  st = add_copy(w, folder, file, m->source, m->source_len, false);
  if (st != AOTI_OK) goto done;
  st = metadata_json(m, &json);
  if (st != AOTI_OK) goto done;
  snprintf(file, file_len, "%s_metadata.json", m->name);
  st = add_copy(w, folder, file, json, strlen(json), false);
  if (st != AOTI_OK) goto done;
  for (int32_t i = 0; i < m->num_constants && st == AOTI_OK; i++)
    st = add_copy(w, folder, m->constants[i].entry, m->constants[i].data, m->constants[i].nbytes,
                  true);
done:
  /* A failure leaves entries of this model behind: the writer is then only good for abort. */
  free(json);
  free(folder);
  free(file);
  return st;
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

/* Bytes of padding extra field an entry needs so that its data, after a local header at
 * `header_offset`, starts on the alignment: 0, or at least the 4-byte field header. */
static size_t padding_for(uint64_t header_offset, size_t name_len) {
  uint64_t data_offset = header_offset + ZIP_LOCAL_HEADER_SIZE + name_len;
  size_t pad = (size_t)((AOTI_PACKAGE_ALIGNMENT - data_offset % AOTI_PACKAGE_ALIGNMENT) %
                        AOTI_PACKAGE_ALIGNMENT);
  if (pad != 0 && pad < ZIP_EXTRA_FIELD_HEADER_SIZE) pad += AOTI_PACKAGE_ALIGNMENT;
  return pad;
}

static aoti_status zip_failure(zip_t *za, const char *what, const char *entry_name) {
  return aoti_error_set(AOTI_ERROR_IO, "package: %s '%s': %s", what, entry_name,
                        zip_strerror(za));
}

/* Adds entry `e` as the next entry of `za`, whose local header will start at `*offset`; advances
 * *offset past its data. The bytes move to the archive, which frees them when closed or
 * discarded. */
static aoti_status zip_add_entry(zip_t *za, entry *e, uint64_t *offset) {
  /* A larger entry would get a zip64 field in its local header, which the offsets above leave
   * out. */
  if (e->len >= 0xffffffffu)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED,
                          "package: entry '%s' has %zu bytes; entries of 4 GiB or more are not "
                          "supported",
                          e->name, e->len);
  zip_source_t *src = zip_source_buffer(za, e->data, e->len, 1);
  if (!src) return zip_failure(za, "cannot add", e->name);
  e->data = NULL; /* the source owns (and frees) the bytes from here on */
  zip_int64_t index = zip_file_add(za, e->name, src, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(src);
    return zip_failure(za, "cannot add", e->name);
  }
  if (zip_set_file_compression(za, (zip_uint64_t)index, ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_dostime(za, (zip_uint64_t)index, AOTI_PACKAGE_DOS_TIME, AOTI_PACKAGE_DOS_DATE,
                           0) != 0)
    return zip_failure(za, "cannot set up", e->name);
  size_t name_len = strlen(e->name);
  size_t pad = e->aligned ? padding_for(*offset, name_len) : 0;
  if (pad) {
    zip_uint8_t fill[AOTI_PACKAGE_ALIGNMENT + ZIP_EXTRA_FIELD_HEADER_SIZE];
    memset(fill, 'Z', sizeof fill);
    if (zip_file_extra_field_set(za, (zip_uint64_t)index, AOTI_PACKAGE_PAD_FIELD_ID,
                                 ZIP_EXTRA_FIELD_NEW, fill,
                                 (zip_uint16_t)(pad - ZIP_EXTRA_FIELD_HEADER_SIZE),
                                 ZIP_FL_LOCAL) != 0)
      return zip_failure(za, "cannot pad", e->name);
  }
  *offset += ZIP_LOCAL_HEADER_SIZE + name_len + pad + e->len;
  return AOTI_OK;
}

/* Creates an empty file beside `path` with a fresh name (mode 0666 less the umask, like any file
 * the user creates). Returns the malloc'd name, or NULL with errno set. */
static char *create_temp_beside(const char *path) {
  static atomic_uint counter;
  size_t len = strlen(path) + 64;
  char *tmp = malloc(len);
  if (!tmp) return NULL;
  for (int attempt = 0; attempt < 100; attempt++) {
    snprintf(tmp, len, "%s.tmp-%ld-%u", path, (long)getpid(), atomic_fetch_add(&counter, 1));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd >= 0) {
      close(fd);
      return tmp;
    }
    if (errno != EEXIST) break;
  }
  int err = errno;
  free(tmp);
  errno = err;
  return NULL;
}

static aoti_status write_archive(aoti_package_writer *w, const char *tmp) {
  int zerr = 0;
  zip_t *za = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, zerr);
    aoti_status st = aoti_error_set(AOTI_ERROR_IO, "package: cannot create '%s': %s", tmp,
                                    zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return st;
  }
  uint64_t offset = 0;
  aoti_status st = AOTI_OK;
  for (size_t i = 0; i < w->num_entries && st == AOTI_OK; i++)
    st = zip_add_entry(za, &w->entries[i], &offset);
  if (st == AOTI_OK && zip_close(za) != 0) st = zip_failure(za, "cannot write", w->path);
  if (st != AOTI_OK) zip_discard(za);
  return st;
}

aoti_status aoti_package_writer_finish(aoti_package_writer *w) {
  if (!w) return aoti_error_set(AOTI_ERROR_INVALID_ARGUMENT, "package: NULL writer");
  char *tmp = create_temp_beside(w->path);
  if (!tmp) {
    aoti_status st = aoti_error_set(AOTI_ERROR_IO, "cannot create package '%s': %s", w->path,
                                    strerror(errno));
    aoti_package_writer_abort(w);
    return st;
  }
  aoti_status st = write_archive(w, tmp);
  if (st == AOTI_OK && rename(tmp, w->path) != 0)
    st = aoti_error_set(AOTI_ERROR_IO, "cannot rename '%s' to '%s': %s", tmp, w->path,
                        strerror(errno));
  if (st != AOTI_OK) unlink(tmp);
  free(tmp);
  aoti_package_writer_abort(w);
  return st;
}
