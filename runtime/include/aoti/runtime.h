/* aoti/runtime.h — load and run models compiled by aotic, without PyTorch.
 *
 * A package (.pt2) holds one or more compiled models by name. Open the package, load a model from
 * it, ask the model what it takes (its call spec), run it on plain tensors, then let go of both.
 *
 *     aoti_package *pkg = NULL;
 *     aoti_model *model = NULL;
 *     if (aoti_package_open("model.pt2", &pkg) != AOTI_OK ||
 *         aoti_model_load(pkg, "model", NULL, &model) != AOTI_OK) {
 *       fprintf(stderr, "%s\n", aoti_last_error());
 *       ...
 *     }
 *     int64_t in_sizes[2] = {8, 10};
 *     aoti_tensor in, out;
 *     aoti_tensor_init(&in, AOTI_DTYPE_FLOAT32, 2, in_sizes, x_data);
 *     aoti_tensor_init(&out, AOTI_DTYPE_FLOAT32, 0, NULL, NULL);   // runtime allocates
 *     if (aoti_model_run(model, &in, 1, &out, 1) != AOTI_OK) { ... aoti_last_error() ... }
 *     ... out.sizes, out.data ...
 *     free(out.data);
 *     aoti_model_unload(model);
 *     aoti_package_close(pkg);
 *
 * Errors: every function that can fail returns an aoti_status; on failure a message naming what
 * went wrong and where is kept for the calling thread and read with aoti_last_error(). No function
 * aborts or exits on bad input, and a failed call leaves its out-parameters and the handles it was
 * given as they were.
 *
 * Thread safety: an aoti_package is safe to use from several threads (loads lock it). An
 * aoti_model may be run from several threads at once; each call takes one of the model's runners
 * (scratch arenas), waiting when all are busy (aoti_model_options.num_runners). Loading,
 * unloading and closing must not race with other calls on the same handle.
 *
 * Lifetimes: a model keeps what it needs from its package; the package may be closed before its
 * models are unloaded. Strings returned by query functions live as long as the handle they came
 * from.
 */
#ifndef AOTI_RUNTIME_H
#define AOTI_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoti/types.h"

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

typedef enum aoti_status {
  AOTI_OK = 0,
  AOTI_ERROR_INVALID_ARGUMENT, /* a NULL handle, a bad option, a tensor that does not fit */
  AOTI_ERROR_NOT_FOUND,        /* no such file, model, entry or symbol */
  AOTI_ERROR_IO,               /* reading, writing or extracting failed */
  AOTI_ERROR_FORMAT,           /* a file is corrupt or not what it claims to be */
  AOTI_ERROR_VERSION,          /* a schema, archive or ABI version this build does not know */
  AOTI_ERROR_UNSUPPORTED,      /* valid input that this build cannot handle (e.g. an unknown op) */
  AOTI_ERROR_OUT_OF_MEMORY,
  AOTI_ERROR_INTERNAL,         /* a bug in AOTI: please report it with the message */
} aoti_status;

/* The message of the last failed call on this thread ("" if none). Valid until the next call. */
const char *aoti_last_error(void);

/* The enum's name, e.g. "AOTI_ERROR_NOT_FOUND". */
const char *aoti_status_name(aoti_status status);

/* The runtime's version, "MAJOR.MINOR.PATCH". */
const char *aoti_version(void);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/* A tensor the caller describes. Strides count elements; the compiled models read and write
 * contiguous row-major data, so inputs must be contiguous (size-1 dimensions may have any stride).
 * `nbytes` is the capacity of `data`: for inputs it is checked against the sizes, for outputs
 * it bounds what the runtime may write. */
typedef struct aoti_tensor {
  void *data;
  size_t nbytes;
  aoti_dtype dtype;
  int32_t rank;
  int64_t sizes[AOTI_MAX_RANK];
  int64_t strides[AOTI_MAX_RANK];
} aoti_tensor;

/* Fills `t` as a contiguous tensor over `data` (which may be NULL for an output the runtime is to
 * allocate); nbytes is set from the sizes. `rank` may be 0 (a scalar) and `sizes` NULL then. */
void aoti_tensor_init(aoti_tensor *t, aoti_dtype dtype, int32_t rank, const int64_t *sizes,
                      void *data);

/* Number of elements (1 for rank 0). */
int64_t aoti_tensor_numel(const aoti_tensor *t);

//===----------------------------------------------------------------------===//
// Packages
//===----------------------------------------------------------------------===//

typedef struct aoti_package aoti_package;

/* Opens a .pt2 package written by aotic. The caller owns *out_package and closes it. */
aoti_status aoti_package_open(const char *path, aoti_package **out_package);

/* Frees the package. Models loaded from it stay usable. NULL is ignored. */
void aoti_package_close(aoti_package *package);

/* The names of the models in the package, in package order. */
size_t aoti_package_model_count(const aoti_package *package);
const char *aoti_package_model_name(const aoti_package *package, size_t index);

//===----------------------------------------------------------------------===//
// Models
//===----------------------------------------------------------------------===//

typedef struct aoti_model aoti_model;

typedef struct aoti_model_options {
  /* Runs that may proceed at once, each with its own arena. Default 1. */
  int32_t num_runners;
  /* Check inputs on every run (rank, sizes against the symbolic shapes and ranges, dtype,
   * strides, capacity). Default true; turning it off only saves a few hundred nanoseconds. */
  bool check_inputs;
  /* Threads one run computes on: the calling thread plus num_threads - 1 workers that each
   * runner starts at load and keeps parked between runs. 0 (the default) means one per online
   * CPU; 1 starts no threads. */
  int32_t num_threads;
} aoti_model_options;

void aoti_model_options_init(aoti_model_options *options);

/* Loads model `name` from `package` (extracting its library into a private temporary folder and
 * reading its weights). `options` may be NULL for the defaults. The caller owns *out_model.
 * The folder is made with mkdtemp under $TMPDIR (default /tmp), mode 0700, and removed by
 * aoti_model_unload (and by a failed load). An unknown name is AOTI_ERROR_NOT_FOUND, a library
 * written for another ABI version AOTI_ERROR_VERSION. */
aoti_status aoti_model_load(aoti_package *package, const char *name,
                            const aoti_model_options *options, aoti_model **out_model);

/* Frees the model and removes what its load extracted. NULL is ignored. */
void aoti_model_unload(aoti_model *model);

/* What the model takes and returns: its call spec. */
typedef struct aoti_tensor_spec {
  const char *name;
  aoti_dtype dtype;
  int32_t rank;
  const char *dims[AOTI_MAX_RANK]; /* each size as an expression over symbol names: "s0", "10" */
} aoti_tensor_spec;

typedef struct aoti_symbol_spec {
  const char *name;
  int64_t min; /* inclusive */
  int64_t max; /* inclusive; INT64_MAX when unbounded */
} aoti_symbol_spec;

const char *aoti_model_name(const aoti_model *model);
size_t aoti_model_num_inputs(const aoti_model *model);
size_t aoti_model_num_outputs(const aoti_model *model);
size_t aoti_model_num_symbols(const aoti_model *model);
aoti_status aoti_model_input_spec(const aoti_model *model, size_t index, aoti_tensor_spec *out_spec);
aoti_status aoti_model_output_spec(const aoti_model *model, size_t index, aoti_tensor_spec *out_spec);
aoti_status aoti_model_symbol_spec(const aoti_model *model, size_t index, aoti_symbol_spec *out_spec);

/* The model's metadata (string keys and values, from its package), e.g. "aotic_version",
 * "source_file", "torch_version". *out_value is NULL when the key is absent. */
size_t aoti_model_metadata_count(const aoti_model *model);
aoti_status aoti_model_metadata_at(const aoti_model *model, size_t index, const char **out_key,
                                   const char **out_value);
const char *aoti_model_metadata(const aoti_model *model, const char *key);

/* Sizes of every output for the given input sizes without running: fills each outputs[i]'s dtype,
 * rank, sizes and strides (data and nbytes are left alone). Checks the inputs like run. */
aoti_status aoti_model_output_shapes(aoti_model *model, const aoti_tensor *inputs, size_t num_inputs,
                                     aoti_tensor *outputs, size_t num_outputs);

/* Runs the model. Inputs are checked (unless disabled) and a failure names the input and says what
 * was expected and what was given. For each output whose data is NULL the runtime allocates the
 * buffer with malloc and the caller frees it with free(); otherwise the output's data must hold
 * nbytes >= what the output needs. On success every output's dtype, rank, sizes and strides are
 * set, and an output the runtime allocated (AOTI_ABI_ALIGNMENT-aligned) gets its nbytes. On failure
 * no output buffer is allocated or changed in its description. A failure inside the model's library
 * is AOTI_ERROR_INTERNAL with the library's message. */
aoti_status aoti_model_run(aoti_model *model, const aoti_tensor *inputs, size_t num_inputs,
                           aoti_tensor *outputs, size_t num_outputs);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_RUNTIME_H */
