/* aoti/types.h — element types shared by the compiler, the runtime and compiled models.
 *
 * The numbering of aoti_dtype follows the ScalarType enum of the torch.export schema
 * (pytorch/pytorch: torch/_export/serde/schema.py, see docs/formats.md), so a dtype read
 * from an exported program needs no translation. It is part of the model ABI: never renumber.
 *
 * This header is copied verbatim into every generated model source, so it uses only
 * <stdint.h> and <stddef.h>.
 */
#ifndef AOTI_TYPES_H
#define AOTI_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aoti_dtype {
  AOTI_DTYPE_INVALID = 0,
  AOTI_DTYPE_UINT8 = 1,
  AOTI_DTYPE_INT8 = 2,
  AOTI_DTYPE_INT16 = 3,
  AOTI_DTYPE_INT32 = 4,
  AOTI_DTYPE_INT64 = 5,
  AOTI_DTYPE_FLOAT16 = 6,
  AOTI_DTYPE_FLOAT32 = 7,
  AOTI_DTYPE_FLOAT64 = 8,
  AOTI_DTYPE_BOOL = 12,
  AOTI_DTYPE_BFLOAT16 = 13,
} aoti_dtype;

/* The most dimensions a tensor may have anywhere in AOTI. */
#define AOTI_MAX_RANK 8

/* Bytes per element of `dtype`; 0 for AOTI_DTYPE_INVALID and unknown values. */
static inline size_t aoti_dtype_size(aoti_dtype dtype) {
  switch (dtype) {
    case AOTI_DTYPE_UINT8:
    case AOTI_DTYPE_INT8:
    case AOTI_DTYPE_BOOL: return 1;
    case AOTI_DTYPE_INT16:
    case AOTI_DTYPE_FLOAT16:
    case AOTI_DTYPE_BFLOAT16: return 2;
    case AOTI_DTYPE_INT32:
    case AOTI_DTYPE_FLOAT32: return 4;
    case AOTI_DTYPE_INT64:
    case AOTI_DTYPE_FLOAT64: return 8;
    default: return 0;
  }
}

/* PyTorch's spelling of `dtype` ("float32", "int64", ...); "invalid" for unknown values. */
static inline const char *aoti_dtype_name(aoti_dtype dtype) {
  switch (dtype) {
    case AOTI_DTYPE_UINT8: return "uint8";
    case AOTI_DTYPE_INT8: return "int8";
    case AOTI_DTYPE_INT16: return "int16";
    case AOTI_DTYPE_INT32: return "int32";
    case AOTI_DTYPE_INT64: return "int64";
    case AOTI_DTYPE_FLOAT16: return "float16";
    case AOTI_DTYPE_FLOAT32: return "float32";
    case AOTI_DTYPE_FLOAT64: return "float64";
    case AOTI_DTYPE_BOOL: return "bool";
    case AOTI_DTYPE_BFLOAT16: return "bfloat16";
    default: return "invalid";
  }
}

#ifdef __cplusplus
}
#endif

#endif /* AOTI_TYPES_H */
