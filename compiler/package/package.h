/* package.h — writes a .pt2 package holding one or more compiled models (with libzip).
 *
 * Layout (docs/formats.md), <stem> being the output file name without its extension, as PyTorch's
 * PT2 archive writer does:
 *
 *   <stem>/archive_format                         "pt2"
 *   <stem>/archive_version                        "0"
 *   <stem>/byteorder                              "little"
 *   <stem>/data/aotinductor/<model>/<model>.so    the compiled library
 *   <stem>/data/aotinductor/<model>/<model>.c     its generated source
 *   <stem>/data/aotinductor/<model>/<model>_metadata.json   string keys and values
 *   <stem>/data/aotinductor/<model>/weight_<i>    one stored entry per constant, data 64-byte aligned
 *
 * Every entry is stored (not deflated), with a fixed timestamp, in a fixed order, so the same
 * inputs give a byte-identical file. The package is written to a temporary name beside the output
 * and renamed at the end: a failed write leaves no file behind.
 *
 *     aoti_package_writer *w = NULL;
 *     aoti_package_writer_create("model.pt2", &w);
 *     aoti_package_writer_add_model(w, &model);      // once per model, names unique
 *     aoti_package_writer_finish(w);                 // writes, renames, frees w (also on failure)
 */
#ifndef AOTI_PACKAGE_WRITER_H
#define AOTI_PACKAGE_WRITER_H

#include <stddef.h>

#include "aoti/runtime.h"
#include "codegen/codegen.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_package_writer aoti_package_writer;

typedef struct aoti_package_model {
  const char *name;
  const void *library; /* the .so bytes */
  size_t library_len;
  const char *source;  /* the generated C */
  size_t source_len;
  int32_t num_metadata;
  const char *const *metadata_keys;
  const char *const *metadata_values;
  int32_t num_constants;
  const aoti_codegen_constant *constants;
} aoti_package_model;

aoti_status aoti_package_writer_create(const char *path, aoti_package_writer **out_writer);
/* Copies what it needs: `model`'s buffers may be freed after the call. */
aoti_status aoti_package_writer_add_model(aoti_package_writer *w, const aoti_package_model *model);
/* Writes the file and frees `w`, whatever the outcome. */
aoti_status aoti_package_writer_finish(aoti_package_writer *w);
/* Frees `w` without writing anything. NULL is ignored. */
void aoti_package_writer_abort(aoti_package_writer *w);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_PACKAGE_WRITER_H */
