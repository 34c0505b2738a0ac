/* npz.h — a small reader for NumPy's .npz (a zip of .npy files, as numpy.savez writes them) and
 * .npy arrays, for aoti-run's sample files.
 *
 * Supported: .npy format versions 1.0, 2.0 and 3.0, C order ('fortran_order': False), little-endian
 * dtypes '<f2' '<f4' '<f8' '<i2' '<i4' '<i8' '|i1' '|u1' '|b1'. Anything else is refused with a
 * message naming the entry (AOTI_ERROR_UNSUPPORTED or AOTI_ERROR_FORMAT).
 * Format: numpy/lib/format.py (numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
 *
 * Not thread-safe per npz_file; distinct files may be read from distinct threads.
 */
#ifndef AOTI_NPZ_H
#define AOTI_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "aoti/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct npz_array {
  char *name;        /* the entry name without ".npy" */
  aoti_dtype dtype;
  int32_t rank;
  int64_t sizes[AOTI_MAX_RANK];
  void *data;        /* contiguous C-order elements, 64-byte aligned (NULL when nbytes is 0) */
  size_t nbytes;
} npz_array;

typedef struct npz_file {
  size_t count;
  npz_array *arrays; /* in the zip's order */
} npz_file;

/* Parses one .npy file held in `bytes`; `name` becomes the array's name and is used in messages.
 * The caller frees the array with npz_array_free. */
aoti_status npy_parse(const char *name, const void *bytes, size_t len, npz_array *out_array);
void npz_array_free(npz_array *array);

/* Reads every array of the .npz at `path`. The caller frees the file with npz_free. */
aoti_status npz_read(const char *path, npz_file *out_file);
void npz_free(npz_file *file);

/* The array called `name`, or NULL. */
const npz_array *npz_find(const npz_file *file, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_NPZ_H */
