/* aoti/abi.h — the contract between the AOTI runtime and a model library written by aotic.
 *
 * A compiled model is a shared library that exports exactly one function,
 *
 *     const aoti_abi_model *aoti_model_entry_v1(void);
 *
 * returning a pointer to a constant table that describes the model (symbols, inputs, outputs,
 * constants) and holds the functions that run it. The runtime reads `abi_version` first and
 * refuses a library whose version it does not know, with a message naming both versions, before
 * it touches any other field.
 *
 * The library never allocates, never prints, never exits, starts no threads and keeps no global
 * mutable state: every buffer it writes is handed to it in aoti_abi_run_args, so several threads
 * may call `run` at once as long as each passes its own arena, outputs and threads. To compute on
 * several cores, run() hands pieces of work to the runtime's threads (aoti_abi_threads).
 *
 * Shapes are symbolic. A model has `num_symbols` integer symbols (the dynamic dimensions of its
 * inputs, e.g. the batch size), each with an inclusive range. Every input dimension is
 * `coeff * symbol + offset` (or the constant `offset` when `symbol` is AOTI_ABI_DIM_STATIC), which
 * is the form torch.export allows for inputs, so the runtime can solve the symbols from the input
 * sizes and check them. Output sizes can be any integer function of the symbols; `output_sizes`
 * computes them.
 *
 * This header is copied verbatim into every generated model source: it depends only on
 * aoti/types.h.
 */
#ifndef AOTI_ABI_H
#define AOTI_ABI_H

#include "aoti/types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bump on any change to the structs below; the runtime refuses other versions.
 * 2: run_args.threads (the runtime's threads, which run() splits its work over) and
 *    thread_scratch_bytes. */
#define AOTI_ABI_VERSION 2
/* The symbol every model library exports. */
#define AOTI_ABI_ENTRY_SYMBOL "aoti_model_entry_v1"
/* Alignment, in bytes, of the arena, the constants and every buffer planned inside the arena. */
#define AOTI_ABI_ALIGNMENT 64

/* A dimension is static when its `symbol` is AOTI_ABI_DIM_STATIC ... */
#define AOTI_ABI_DIM_STATIC (-1)
/* ... and, for outputs only, known just through output_sizes when it is AOTI_ABI_DIM_COMPUTED. */
#define AOTI_ABI_DIM_COMPUTED (-2)

typedef struct aoti_abi_symbol {
  const char *name; /* e.g. "s0"; unique within the model */
  int64_t min;      /* inclusive */
  int64_t max;      /* inclusive; INT64_MAX when unbounded */
} aoti_abi_symbol;

typedef struct aoti_abi_dim {
  int32_t symbol;   /* index into symbols, AOTI_ABI_DIM_STATIC or AOTI_ABI_DIM_COMPUTED */
  int64_t coeff;    /* size = coeff * value(symbol) + offset; coeff is 0 when static */
  int64_t offset;
  const char *expr; /* the size as a C expression over symbol names, for messages: "s0", "2*s0+1", "16" */
} aoti_abi_dim;

typedef struct aoti_abi_tensor {
  const char *name; /* the input's argument name in forward() ("x"), or "output0".. for outputs */
  int32_t dtype;    /* an aoti_dtype */
  int32_t rank;     /* <= AOTI_MAX_RANK */
  const aoti_abi_dim *dims;
} aoti_abi_tensor;

typedef struct aoti_abi_constant {
  const char *fqn;   /* state_dict name, e.g. "fc1.weight" */
  const char *entry; /* package entry holding the bytes, relative to the model's folder */
  int32_t dtype;
  int32_t rank;
  const int64_t *sizes;
  uint64_t nbytes;   /* contiguous, row-major */
} aoti_abi_constant;

/* Work split over threads: handles items [begin, end) of a task of `task`'s making, on thread
 * `thread` (0 .. count-1, the number of its range), whose scratch memory it may use. */
typedef void (*aoti_abi_task_fn)(void *task, int32_t thread, int64_t begin, int64_t end);

/* The threads a run computes on, owned by the runtime. parallel_for(ctx, n, fn, task) cuts
 * [0, n) into `count` contiguous ranges of near-equal size (range i = [n*i/count, n*(i+1)/count);
 * empty ones are skipped), runs fn on each, range 0 on the calling thread and range i always on
 * the same worker (static partitioning keeps a worker on the same data from call to call), and
 * returns when every range is done. It cannot fail. fn must not call parallel_for again.
 * Thread i owns the scratch bytes [scratch + i * scratch_stride, + model.thread_scratch_bytes),
 * AOTI_ABI_ALIGNMENT-aligned, for kernels' packing buffers; they hold garbage between calls. */
typedef struct aoti_abi_threads {
  int32_t count; /* >= 1; with 1, parallel_for just calls fn(task, 0, 0, n) */
  void *scratch;
  uint64_t scratch_stride;
  void *ctx;
  void (*parallel_for)(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task);
} aoti_abi_threads;

typedef struct aoti_abi_run_args {
  const int64_t *symbols;       /* num_symbols values, solved and range-checked by the runtime */
  const void *const *inputs;    /* num_inputs contiguous buffers */
  void *const *outputs;         /* num_outputs contiguous buffers, sized by output_sizes */
  const void *const *constants; /* num_constants buffers, each AOTI_ABI_ALIGNMENT-aligned */
  void *arena;                  /* arena_size(symbols) bytes, AOTI_ABI_ALIGNMENT-aligned */
  const aoti_abi_threads *threads; /* never NULL */
  char *error;                  /* where run writes a message when it fails ... */
  size_t error_size;            /* ... of at most this many bytes, NUL included */
} aoti_abi_run_args;

typedef struct aoti_abi_model {
  uint32_t abi_version;         /* AOTI_ABI_VERSION of the aotic that wrote the library */
  const char *name;             /* the model's name in its package */
  const char *compiler_version; /* aotic's version string */
  int32_t num_symbols;
  const aoti_abi_symbol *symbols;
  int32_t num_inputs;
  const aoti_abi_tensor *inputs;
  int32_t num_outputs;
  const aoti_abi_tensor *outputs;
  int32_t num_constants;
  const aoti_abi_constant *constants;
  /* Scratch bytes each thread needs (aoti_abi_threads.scratch); constant over shapes. */
  uint64_t thread_scratch_bytes;
  /* Writes the sizes of output `index` (outputs[index].rank values) for the given symbols. */
  void (*output_sizes)(const int64_t *symbols, int32_t index, int64_t *out_sizes);
  /* Bytes of scratch memory one run needs for the given symbols (may be 0). */
  uint64_t (*arena_size)(const int64_t *symbols);
  /* Runs the model. Returns 0 on success, nonzero with a message in args->error otherwise. */
  int32_t (*run)(const aoti_abi_run_args *args);
} aoti_abi_model;

typedef const aoti_abi_model *(*aoti_abi_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_ABI_H */
