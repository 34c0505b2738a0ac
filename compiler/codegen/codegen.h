/* codegen.h — turns a bound, passed graph into the C source of a model library.
 *
 * The source carries aoti/types.h, aoti/abi.h, math.c and the kernels' interface (kernels.h, from
 * templates/) and exports aoti_model_entry_v1 (aoti/abi.h); a library is that source's object
 * linked with the object of aoti_codegen_kernels_source (the same for every model, so aotic builds
 * it once per target: compiler/build), and needs only libc and libm. The same graph and options
 * always give the same bytes.
 *
 *     aoti_codegen_result *r = NULL;
 *     if (aoti_codegen_c(g, "model", NULL, &r) == AOTI_OK) { ... r->source, r->constants ... }
 *     aoti_codegen_result_destroy(r);
 */
#ifndef AOTI_CODEGEN_H
#define AOTI_CODEGEN_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_codegen_options {
  int32_t reserved; /* nothing yet; the struct exists so options can be added without API breaks */
} aoti_codegen_options;

void aoti_codegen_options_init(aoti_codegen_options *options);

/* One weight as the package stores it, in the model's constant order (aoti_abi_model.constants). */
typedef struct aoti_codegen_constant {
  const char *fqn;
  const char *entry; /* "weight_<i>": package entry name, relative to the model's folder */
  const void *data;  /* borrowed from the graph */
  size_t nbytes;
} aoti_codegen_constant;

typedef struct aoti_codegen_result {
  char *source; /* NUL-terminated C source */
  size_t source_len;
  int32_t num_constants;
  aoti_codegen_constant *constants;
  uint64_t arena_bytes_at_max; /* arena size with every symbol at its max, for messages/metadata */
  char *arena_bytes_expr;      /* the arena size as a C expression over symbol names */
} aoti_codegen_result;

/* Generates the source of model `name` (a C identifier). The graph must be bound and passed; its
 * constants must outlive the result. The caller owns *out_result. */
aoti_status aoti_codegen_c(aoti_graph *g, const char *name, const aoti_codegen_options *options,
                           aoti_codegen_result **out_result);

void aoti_codegen_result_destroy(aoti_codegen_result *result);

/* The source of the kernels every model library links (every kernel file of templates/kernels after kernels.h):
 * malloc'd, NUL-terminated, NULL when out of memory; the same bytes for a given aotic. Its
 * kernels follow the target through the compiler's predefined macros, so it is built with the
 * model's own compiler, target and flags. */
char *aoti_codegen_kernels_source(void);

/* The target's GEMM tile (AOTI_GEMM_MR rows x AOTI_GEMM_NR columns, templates/kernels/gemm.c),
 * which the layout of prepacked weights follows (passes/prepack_gemm.c): gemm.c picks it from the
 * compiler's predefined macros, so aotic asks the compiler. The probe is a source (malloc'd, NULL
 * when out of memory) to run through aoti_build_preprocess with the model's build options;
 * aoti_codegen_gemm_tile_read finds the tile in the preprocessed text. */
char *aoti_codegen_gemm_tile_probe(void);
aoti_status aoti_codegen_gemm_tile_read(const char *preprocessed, int32_t *out_mr, int32_t *out_nr);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_CODEGEN_H */
