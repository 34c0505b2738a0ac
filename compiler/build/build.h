/* build.h — compiles a generated model source into a shared library with the system C compiler.
 *
 *     void *so = NULL; size_t so_len = 0;
 *     aoti_build_options opt; aoti_build_options_init(&opt);
 *     if (aoti_build_shared_library(src, src_len, "model", &opt, &so, &so_len) != AOTI_OK) ...
 *     free(so);
 *
 * Works in a private temporary folder (removed afterwards, also on failure) with fixed relative
 * file names, so the same source and compiler give the same bytes. A compiler failure is reported
 * with the command line and the compiler's own messages.
 */
#ifndef AOTI_BUILD_H
#define AOTI_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "aoti/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_build_options {
  const char *cc;      /* compiler command; NULL: $CC, else "cc" */
  const char *cflags;  /* extra flags appended after the defaults (-O3 -fPIC -shared ...); may be NULL */
  /* The CPU the library is built for: "native" (NULL means it too: the machine that builds),
   * "generic" (the compiler's baseline, no -march), or any -march value ("x86-64-v3" for AVX2,
   * "x86-64-v4" for AVX-512, "znver4", ...). The kernels pick their vector code from the
   * compiler's predefined macros, so this is the one switch. */
  const char *target;
  bool keep_temps;     /* leave the temporary folder and say where (for debugging) */
  bool verbose;        /* print the command line to stderr */
} aoti_build_options;

void aoti_build_options_init(aoti_build_options *options);

/* Builds `source` into a shared library; *out_bytes (malloc'd, caller frees) holds the .so. */
aoti_status aoti_build_shared_library(const char *source, size_t source_len, const char *name,
                                      const aoti_build_options *options, void **out_bytes,
                                      size_t *out_len);

/* Runs only the preprocessor on `source` (NUL-terminated) with the flags a library would be built
 * with (same compiler, target and cflags), so the text sees the target's predefined macros
 * (__AVX512F__, ...); *out_text (malloc'd, NUL-terminated, caller frees) is the output without
 * line markers. keep_temps is ignored (the folder always goes). */
aoti_status aoti_build_preprocess(const char *source, const aoti_build_options *options, char **out_text);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_BUILD_H */
