/* unpickle.h — the subset of Python's pickle format that torch.save writes for a dict of tensors
 * (private to the frontend).
 *
 * torch.save(obj) writes a zip whose data.pkl (pickle protocol 2) describes `obj`; tensor bytes
 * live in the zip's data/<key> entries and are referenced through persistent ids
 * ('storage', torch.FloatStorage, '<key>', 'cpu', numel). See docs/torch-export-format.md §1(a).
 * Only the opcodes and globals needed for that are accepted: anything else is
 * AOTI_ERROR_UNSUPPORTED naming it. Malformed input (truncation, a bad memo index, stack
 * underflow) is AOTI_ERROR_FORMAT naming the opcode and its byte offset. Reentrant.
 */
#ifndef AOTI_FRONTEND_UNPICKLE_H
#define AOTI_FRONTEND_UNPICKLE_H

#include <stddef.h>
#include <stdint.h>

#include "aoti/runtime.h"
#include "aoti/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One tensor of the pickled dict: a strided view of a storage, counted in elements. */
typedef struct aoti_pickled_tensor {
  char *name; /* the dict key: a state_dict or constants FQN */
  aoti_dtype dtype;
  int32_t rank;
  int64_t sizes[AOTI_MAX_RANK];
  int64_t strides[AOTI_MAX_RANK];
  int64_t storage_offset;
  char *storage_key;      /* the storage's bytes are entry "data/<storage_key>" */
  int64_t storage_nbytes; /* from the persistent id: numel times the element size */
} aoti_pickled_tensor;

typedef struct aoti_pickled_dict {
  int32_t count;
  aoti_pickled_tensor *tensors; /* in the dict's order */
} aoti_pickled_dict;

/* Unpickles `data` (a data.pkl) that must hold a dict (or OrderedDict) of str -> tensor. On
 * success fills *out_dict, which the caller releases with aoti_pickled_dict_free. */
aoti_status aoti_unpickle_tensor_dict(const void *data, size_t size, aoti_pickled_dict *out_dict);

void aoti_pickled_dict_free(aoti_pickled_dict *dict);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_FRONTEND_UNPICKLE_H */
