/* npz.c — reading NumPy .npz/.npy sample files (see npz.h). The .npy layout: the magic
 * "\x93NUMPY", a major and a minor version byte, the header length (2 bytes little-endian in 1.0,
 * 4 bytes in 2.0/3.0), then a Python dict literal with 'descr', 'fortran_order' and 'shape', then
 * the raw data (numpy/lib/format.py). */
#define _POSIX_C_SOURCE 200809L

#include "npz.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "error.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGNMENT 64

//===----------------------------------------------------------------------===//
// The header dict
//===----------------------------------------------------------------------===//

typedef struct header_parser {
  const char *name; /* the array, for messages */
  const char *start;
  const char *p;
  const char *end;
} header_parser;

typedef struct npy_header {
  char descr[16];
  bool have_descr, have_order, have_shape;
  bool fortran_order;
  int32_t rank;
  int64_t sizes[AOTI_MAX_RANK];
} npy_header;

static aoti_status header_error(const header_parser *hp, const char *what) {
  return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': bad header: %s at offset %td", hp->name, what,
                        hp->p - hp->start);
}

static void skip_space(header_parser *hp) {
  while (hp->p < hp->end && isspace((unsigned char)*hp->p)) hp->p++;
}

static bool take(header_parser *hp, char c) {
  skip_space(hp);
  if (hp->p < hp->end && *hp->p == c) {
    hp->p++;
    return true;
  }
  return false;
}

/* A quoted Python string without escapes (numpy's keys and descrs have none). */
static aoti_status parse_string(header_parser *hp, char *out, size_t size) {
  skip_space(hp);
  if (hp->p >= hp->end || (*hp->p != '\'' && *hp->p != '"')) return header_error(hp, "expected a string");
  char quote = *hp->p++;
  const char *start = hp->p;
  while (hp->p < hp->end && *hp->p != quote) hp->p++;
  if (hp->p >= hp->end) return header_error(hp, "unterminated string");
  size_t len = (size_t)(hp->p - start);
  hp->p++;
  if (len >= size) return header_error(hp, "string too long");
  memcpy(out, start, len);
  out[len] = '\0';
  return AOTI_OK;
}

static aoti_status parse_bool(header_parser *hp, bool *out) {
  skip_space(hp);
  size_t left = (size_t)(hp->end - hp->p);
  if (left >= 4 && strncmp(hp->p, "True", 4) == 0) {
    hp->p += 4;
    *out = true;
  } else if (left >= 5 && strncmp(hp->p, "False", 5) == 0) {
    hp->p += 5;
    *out = false;
  } else {
    return header_error(hp, "expected True or False");
  }
  return AOTI_OK;
}

/* "()", "(5,)", "(2, 3)", with an optional trailing comma. */
static aoti_status parse_shape(header_parser *hp, npy_header *header) {
  if (!take(hp, '(')) return header_error(hp, "expected '(' for the shape");
  header->rank = 0;
  while (!take(hp, ')')) {
    skip_space(hp);
    if (hp->p >= hp->end || !isdigit((unsigned char)*hp->p)) return header_error(hp, "expected a size");
    if (header->rank == AOTI_MAX_RANK)
      return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "npy '%s': more than %d dimensions", hp->name,
                            AOTI_MAX_RANK);
    int64_t size = 0;
    while (hp->p < hp->end && isdigit((unsigned char)*hp->p)) {
      if (size > (INT64_MAX - 9) / 10) return header_error(hp, "size too large");
      size = size * 10 + (*hp->p++ - '0');
    }
    while (hp->p < hp->end && (*hp->p == 'L')) hp->p++; /* Python 2 longs */
    header->sizes[header->rank++] = size;
    if (!take(hp, ',')) {
      if (!take(hp, ')')) return header_error(hp, "expected ',' or ')' in the shape");
      break;
    }
  }
  return AOTI_OK;
}

static aoti_status parse_entry(header_parser *hp, npy_header *header) {
  char key[32];
  aoti_status status = parse_string(hp, key, sizeof key);
  if (status != AOTI_OK) return status;
  if (!take(hp, ':')) return header_error(hp, "expected ':'");
  if (strcmp(key, "descr") == 0) {
    header->have_descr = true;
    return parse_string(hp, header->descr, sizeof header->descr);
  }
  if (strcmp(key, "fortran_order") == 0) {
    header->have_order = true;
    return parse_bool(hp, &header->fortran_order);
  }
  if (strcmp(key, "shape") == 0) {
    header->have_shape = true;
    return parse_shape(hp, header);
  }
  return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': unknown header key '%s'", hp->name, key);
}

static aoti_status parse_header(const char *name, const char *text, size_t len, npy_header *out) {
  header_parser hp = {name, text, text, text + len};
  npy_header header;
  memset(&header, 0, sizeof header);
  if (!take(&hp, '{')) return header_error(&hp, "expected '{'");
  while (!take(&hp, '}')) {
    aoti_status status = parse_entry(&hp, &header);
    if (status != AOTI_OK) return status;
    if (!take(&hp, ',')) {
      if (!take(&hp, '}')) return header_error(&hp, "expected ',' or '}'");
      break;
    }
  }
  if (!header.have_descr || !header.have_order || !header.have_shape)
    return aoti_error_set(AOTI_ERROR_FORMAT,
                          "npy '%s': the header lacks one of 'descr', 'fortran_order', 'shape'", name);
  *out = header;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Arrays
//===----------------------------------------------------------------------===//

static aoti_dtype dtype_of_descr(const char *descr) {
  static const struct {
    const char *descr;
    aoti_dtype dtype;
  } table[] = {
      {"<f2", AOTI_DTYPE_FLOAT16}, {"<f4", AOTI_DTYPE_FLOAT32}, {"<f8", AOTI_DTYPE_FLOAT64},
      {"<i2", AOTI_DTYPE_INT16},   {"<i4", AOTI_DTYPE_INT32},   {"<i8", AOTI_DTYPE_INT64},
      {"|i1", AOTI_DTYPE_INT8},    {"|u1", AOTI_DTYPE_UINT8},   {"|b1", AOTI_DTYPE_BOOL},
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp(descr, table[i].descr) == 0) return table[i].dtype;
  return AOTI_DTYPE_INVALID;
}

void npz_array_free(npz_array *array) {
  if (!array) return;
  free(array->name);
  free(array->data);
  memset(array, 0, sizeof *array);
}

/* Reads the magic, version and header length; gives where the header text starts. */
static aoti_status parse_preamble(const char *name, const unsigned char *bytes, size_t len,
                                  size_t *out_header_start, size_t *out_header_len) {
  if (len < NPY_MAGIC_LEN + 4 || memcmp(bytes, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': not a .npy file (no \\x93NUMPY magic)", name);
  unsigned major = bytes[6];
  size_t start, header_len;
  if (major == 1) {
    header_len = (size_t)bytes[8] | (size_t)bytes[9] << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12) return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': truncated header", name);
    header_len = (size_t)bytes[8] | (size_t)bytes[9] << 8 | (size_t)bytes[10] << 16 |
                 (size_t)bytes[11] << 24;
    start = 12;
  } else {
    return aoti_error_set(AOTI_ERROR_VERSION, "npy '%s': format version %u.%u is not supported",
                          name, major, bytes[7]);
  }
  if (header_len > len - start)
    return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': the header runs past the end of the file", name);
  *out_header_start = start;
  *out_header_len = header_len;
  return AOTI_OK;
}

static aoti_status check_header(const char *name, const npy_header *header, uint64_t *out_nbytes,
                                aoti_dtype *out_dtype) {
  aoti_dtype dtype = dtype_of_descr(header->descr);
  if (dtype == AOTI_DTYPE_INVALID)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED, "npy '%s': dtype '%s' is not supported", name,
                          header->descr);
  if (header->fortran_order)
    return aoti_error_set(AOTI_ERROR_UNSUPPORTED,
                          "npy '%s': Fortran-order arrays are not supported (save a C-order copy)",
                          name);
  uint64_t nbytes = aoti_dtype_size(dtype);
  for (int32_t d = 0; d < header->rank; d++)
    if (__builtin_mul_overflow(nbytes, (uint64_t)header->sizes[d], &nbytes))
      return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': the shape is too large", name);
  *out_nbytes = nbytes;
  *out_dtype = dtype;
  return AOTI_OK;
}

aoti_status npy_parse(const char *name, const void *bytes, size_t len, npz_array *out_array) {
  size_t start = 0, header_len = 0;
  aoti_status status = parse_preamble(name, bytes, len, &start, &header_len);
  npy_header header;
  if (status == AOTI_OK) status = parse_header(name, (const char *)bytes + start, header_len, &header);
  uint64_t nbytes = 0;
  aoti_dtype dtype = AOTI_DTYPE_INVALID;
  if (status == AOTI_OK) status = check_header(name, &header, &nbytes, &dtype);
  if (status != AOTI_OK) return status;
  size_t data_len = len - start - header_len;
  if (data_len != nbytes)
    return aoti_error_set(AOTI_ERROR_FORMAT, "npy '%s': holds %zu bytes of data, its shape needs %llu",
                          name, data_len, (unsigned long long)nbytes);
  npz_array array;
  memset(&array, 0, sizeof array);
  array.name = strdup(name);
  size_t capacity = (nbytes + NPY_ALIGNMENT - 1) / NPY_ALIGNMENT * NPY_ALIGNMENT;
  array.data = nbytes ? aligned_alloc(NPY_ALIGNMENT, capacity) : NULL;
  if (!array.name || (nbytes && !array.data)) {
    npz_array_free(&array);
    return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "npy '%s': out of memory", name);
  }
  if (nbytes) memcpy(array.data, (const char *)bytes + start + header_len, nbytes);
  array.nbytes = nbytes;
  array.dtype = dtype;
  array.rank = header.rank;
  memcpy(array.sizes, header.sizes, sizeof array.sizes);
  *out_array = array;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

void npz_free(npz_file *file) {
  if (!file) return;
  for (size_t i = 0; i < file->count; i++) npz_array_free(&file->arrays[i]);
  free(file->arrays);
  file->arrays = NULL;
  file->count = 0;
}

const npz_array *npz_find(const npz_file *file, const char *name) {
  for (size_t i = 0; i < file->count; i++)
    if (strcmp(file->arrays[i].name, name) == 0) return &file->arrays[i];
  return NULL;
}

static aoti_status zip_failure(const char *path, const char *entry, const char *reason) {
  if (entry) return aoti_error_set(AOTI_ERROR_FORMAT, "%s: cannot read '%s': %s", path, entry, reason);
  return aoti_error_set(AOTI_ERROR_FORMAT, "%s is not a .npz file: %s", path, reason);
}

/* Reads entry `index` (an .npy) into `out_array`, named without its ".npy". */
static aoti_status read_member(const char *path, zip_t *zip, zip_uint64_t index, npz_array *out_array) {
  const char *entry = zip_get_name(zip, index, 0);
  if (!entry) return zip_failure(path, NULL, zip_strerror(zip));
  size_t name_len = strlen(entry);
  if (name_len < 4 || strcmp(entry + name_len - 4, ".npy") != 0)
    return aoti_error_set(AOTI_ERROR_FORMAT, "%s: entry '%s' is not a .npy file", path, entry);
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(zip, index, 0, &stat) != 0) return zip_failure(path, entry, zip_strerror(zip));
  zip_file_t *member = zip_fopen_index(zip, index, 0);
  if (!member) return zip_failure(path, entry, zip_strerror(zip));
  char *bytes = malloc(stat.size + 1);
  aoti_status status = bytes ? AOTI_OK : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  if (status == AOTI_OK) {
    zip_int64_t n = zip_fread(member, bytes, stat.size);
    if (n < 0 || (zip_uint64_t)n != stat.size)
      status = zip_failure(path, entry, n < 0 ? zip_file_strerror(member) : "the entry is truncated");
  }
  zip_fclose(member);
  if (status == AOTI_OK) {
    char *name = strndup(entry, name_len - 4);
    status = name ? npy_parse(name, bytes, stat.size, out_array)
                  : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
    if (status != AOTI_OK) aoti_error_prefix(status, "%s", path);
    free(name);
  }
  free(bytes);
  return status;
}

aoti_status npz_read(const char *path, npz_file *out_file) {
  int code = 0;
  zip_t *zip = zip_open(path, ZIP_RDONLY, &code);
  if (!zip) {
    if (code == ZIP_ER_NOENT)
      return aoti_error_set(AOTI_ERROR_NOT_FOUND, "cannot open '%s': no such file", path);
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    aoti_status status = zip_failure(path, NULL, zip_error_strerror(&error));
    zip_error_fini(&error);
    return status;
  }
  zip_int64_t count = zip_get_num_entries(zip, 0);
  npz_file file = {0, calloc(count > 0 ? (size_t)count : 1, sizeof(npz_array))};
  aoti_status status = file.arrays ? AOTI_OK : aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory");
  for (zip_int64_t i = 0; status == AOTI_OK && i < count; i++) {
    status = read_member(path, zip, (zip_uint64_t)i, &file.arrays[i]);
    if (status == AOTI_OK) file.count++;
  }
  zip_discard(zip);
  if (status != AOTI_OK) {
    npz_free(&file);
    return status;
  }
  *out_file = file;
  return AOTI_OK;
}
