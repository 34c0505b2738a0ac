/* internal.h — the runtime's private structures and the functions its files share (not installed).
 *
 * package.c owns aoti_package (the open zip and its model list), extract.c the private temporary
 * folder a model's library is written to, threads.c the runners' thread pools, metadata.c the metadata table, model.c aoti_model (load,
 * unload, the call spec), checks.c the input checks and symbol solving, run.c running.
 */
#ifndef AOTI_RUNTIME_INTERNAL_H
#define AOTI_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aoti/abi.h"
#include "aoti/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Packages (package.c)
//===----------------------------------------------------------------------===//

struct aoti_package {
  char *path;   /* as given to aoti_package_open, for messages */
  char *prefix; /* "<stem>/", taken from the first entry */
  struct zip *zip;
  pthread_mutex_t lock; /* a zip handle is not thread-safe: every read holds it */
  size_t num_models;
  char **model_names;
};

/* "<prefix>data/aotinductor/<model>/<file>", malloc'ed; NULL when out of memory. */
char *aoti_package_entry_name(const aoti_package *package, const char *model, const char *file);

/* Whether `entry` exists. Call with package->lock held. */
bool aoti_package_has_entry(const aoti_package *package, const char *entry);

/* Reads the whole of `entry` into a new buffer of at least `alignment` bytes alignment (a power
 * of two, >= sizeof(void*)), with one extra NUL byte after the data, which the caller frees with
 * free(). Call with package->lock held. A missing entry is AOTI_ERROR_NOT_FOUND. */
aoti_status aoti_package_read_entry(aoti_package *package, const char *entry, size_t alignment,
                                    void **out_data, uint64_t *out_size);

/* Streams `entry` into the open file descriptor `fd`. Call with package->lock held. */
aoti_status aoti_package_copy_entry(aoti_package *package, const char *entry, int fd);

//===----------------------------------------------------------------------===//
// Extracting a model's library (extract.c)
//===----------------------------------------------------------------------===//

typedef struct aoti_extracted {
  char *dir;  /* the private folder, made by mkdtemp under $TMPDIR (default /tmp) */
  char *file; /* "<dir>/model.so" */
} aoti_extracted;

/* Writes `entry` of `package` to a new private folder (mode 0700). On failure nothing is left on
 * disk and *out is untouched. Call with package->lock held. */
aoti_status aoti_extract_entry(aoti_package *package, const char *entry, aoti_extracted *out);

/* Removes the file and the folder, and frees the paths. Safe on a zeroed struct. */
void aoti_extracted_remove(aoti_extracted *extracted);

//===----------------------------------------------------------------------===//
// Metadata (metadata.c)
//===----------------------------------------------------------------------===//

typedef struct aoti_metadata {
  size_t count;
  char **keys;
  char **values;
} aoti_metadata;

/* Parses a JSON object of string values; `entry` names it in messages. */
aoti_status aoti_metadata_parse(const char *json, size_t len, const char *entry,
                                aoti_metadata *out);
void aoti_metadata_free(aoti_metadata *metadata);

//===----------------------------------------------------------------------===//
// Models (model.c, checks.c, run.c)
//===----------------------------------------------------------------------===//

//===----------------------------------------------------------------------===//
// Threads (threads.c)
//===----------------------------------------------------------------------===//

typedef struct aoti_thread_pool aoti_thread_pool;

/* Starts count - 1 workers (none for 1; the caller of parallel_for is thread 0) and allocates
 * scratch_bytes of scratch for each thread. */
aoti_status aoti_thread_pool_create(int32_t count, uint64_t scratch_bytes, aoti_thread_pool **out_pool);
/* Stops and joins the workers and frees the pool. NULL is ignored. */
void aoti_thread_pool_destroy(aoti_thread_pool *pool);
/* What run_args.threads points to; lives as long as the pool. */
const aoti_abi_threads *aoti_thread_pool_abi(const aoti_thread_pool *pool);
/* The thread count aoti_model_options.num_threads = 0 stands for: the online CPUs. */
int32_t aoti_threads_default(void);

/* Where a symbol's value was first learnt, to name it when another dim disagrees (checks.c). */
typedef struct aoti_symbol_binding {
  int32_t input; /* -1 while unbound */
  int32_t dim;
} aoti_symbol_binding;

/* What one run works out before it touches the caller's outputs; sized for the model at load
 * (run.c), so that running allocates nothing. */
typedef struct aoti_run_plan {
  int64_t *symbols;                /* num_symbols */
  aoti_symbol_binding *bindings;   /* num_symbols, aoti_inputs_solve's scratch */
  int64_t (*sizes)[AOTI_MAX_RANK]; /* num_outputs */
  uint64_t *nbytes;                /* num_outputs */
  void **output_data;              /* num_outputs */
  const void **input_data;         /* num_inputs */
} aoti_run_plan;

aoti_status aoti_run_plan_alloc(const aoti_abi_model *abi, aoti_run_plan *out_plan);
void aoti_run_plan_free(aoti_run_plan *plan); /* safe on a zeroed plan */

/* One run's plan, scratch arena and threads; a run holds its runner from start to end. */
typedef struct aoti_runner {
  aoti_run_plan plan;
  void *arena;
  uint64_t capacity;
  aoti_thread_pool *pool;
  bool busy;
} aoti_runner;

struct aoti_model {
  char *name;
  aoti_extracted extracted;
  void *library; /* dlopen handle */
  const aoti_abi_model *abi;
  const void **constants; /* abi->num_constants buffers, AOTI_ABI_ALIGNMENT-aligned */
  aoti_metadata metadata;
  bool check_inputs;
  int32_t num_runners;
  aoti_runner *runners;
  pthread_mutex_t runners_lock;
  pthread_cond_t runner_freed;
};

/* Checks the library's table (counts, ranks, pointers, dtypes); `name` is the model's name. */
aoti_status aoti_abi_validate(const aoti_abi_model *abi, const char *name);

/* Solves the symbols from the input sizes into out_symbols (abi->num_symbols values); with
 * `check`, also checks every input against the spec (see aoti_model_run). The caller has checked
 * that num_inputs matches. */
aoti_status aoti_inputs_solve(const aoti_model *model, const aoti_tensor *inputs, bool check,
                              int64_t *out_symbols, aoti_symbol_binding *bindings);

/* For the test: the folder a loaded model's library was extracted to. */
const char *aoti_model_extracted_dir(const aoti_model *model);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_RUNTIME_INTERNAL_H */
