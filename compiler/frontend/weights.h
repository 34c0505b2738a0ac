/* weights.h — the tensors of a weights or constants payload, by FQN (private to the frontend).
 *
 * A payload is either a torch.save zip holding a pickled dict FQN -> tensor (legacy zips'
 * serialized_state_dict/constants, PT2 archives of torch 2.8), or raw storage files described by a
 * config JSON (PT2 archives of torch 2.9+: data/weights/model_weights_config.json with weight_<i>
 * files). Either way each tensor is a strided view (sizes, strides, storage offset, in elements) of
 * a whole storage, and several tensors may share one storage. See docs/torch-export-format.md
 * §1(a), §1(c).
 *
 * A table owns its storages' bytes. Not thread-safe; separate tables may be used at once.
 */
#ifndef AOTI_FRONTEND_WEIGHTS_H
#define AOTI_FRONTEND_WEIGHTS_H

#include <stddef.h>
#include <stdint.h>

#include "aoti/runtime.h"
#include "aoti/types.h"
#include "frontend/archive.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_stored_tensor {
  const char *fqn;
  aoti_dtype dtype;
  int32_t rank;
  int64_t sizes[AOTI_MAX_RANK];
  int64_t strides[AOTI_MAX_RANK];
  int64_t storage_offset;
  int32_t storage; /* index of the storage it views, in the table */
} aoti_stored_tensor;

typedef struct aoti_tensor_table aoti_tensor_table;

/* Reads a torch.save zip held in memory. Takes ownership of `data` (malloc'ed) in every case.
 * `label` names the payload in messages ("model.ep: data/weights/model.pt"). */
aoti_status aoti_tensor_table_from_torch_save(void *data, size_t size, const char *label,
                                              aoti_tensor_table **out_table);

/* Reads the raw layout: the config JSON at `config_entry` of `zip` and the storage files it names
 * under the folder `dir` ("data/weights/"). */
aoti_status aoti_tensor_table_from_raw(aoti_zip *zip, const char *config_entry, const char *dir,
                                       aoti_tensor_table **out_table);

void aoti_tensor_table_destroy(aoti_tensor_table *table);

/* "model.ep: data/weights/model.pt", for messages. */
const char *aoti_tensor_table_label(const aoti_tensor_table *table);

/* The tensor called `fqn`, or NULL. */
const aoti_stored_tensor *aoti_tensor_table_find(const aoti_tensor_table *table, const char *fqn);

/* Bytes in row-major contiguous order: the product of the sizes times the element size
 * (SIZE_MAX when that overflows). */
size_t aoti_stored_tensor_nbytes(const aoti_stored_tensor *tensor);

/* Writes `tensor`'s elements in row-major contiguous order to `dst` (aoti_stored_tensor_nbytes
 * bytes). A view reaching past its storage is AOTI_ERROR_FORMAT naming the FQN and the payload. */
aoti_status aoti_tensor_table_copy_contiguous(const aoti_tensor_table *table,
                                              const aoti_stored_tensor *tensor, void *dst);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_FRONTEND_WEIGHTS_H */
