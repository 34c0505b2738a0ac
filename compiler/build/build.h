/* build.h — compiles a generated model source into a shared library with the system C compiler.
 *
 *     void *so = NULL; size_t so_len = 0;
 *     aoti_build_options opt; aoti_build_options_init(&opt);
 *     char *kernels = aoti_codegen_kernels_source();
 *     if (aoti_build_shared_library(src, src_len, kernels, "model", &opt, &so, &so_len) != AOTI_OK) ...
 *     free(so); free(kernels);
 *
 * The model's source and the kernels' source (the same for every model) are two objects linked
 * into the library. The kernels' object is kept in a cache folder, one file per compiler, flags,
 * target and kernels, so only the first build for a target compiles them; on that first build
 * both objects compile at once. Works in a private temporary folder (removed afterwards, also on
 * failure) with fixed relative file names, so the same source and compiler give the same bytes,
 * from the cache or not. A compiler failure is reported with the command line and the compiler's
 * own messages.
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
  /* Where compiled kernels are kept: a folder (made when missing), "none" (compile them in the
   * temporary folder on every build), or NULL: $AOTI_KERNEL_CACHE, else
   * $XDG_CACHE_HOME/aoti/kernels, else $HOME/.cache/aoti/kernels. Entries are checked on use
   * (a damaged one is built again, with a warning); a folder that cannot be written costs a
   * warning and the next build's compile, not the build. Safe for processes building at once. */
  const char *kernel_cache;
  /* 2: the source is a generated model written in two parts (AOTI_MODEL_PART 1 and 2, see
   * compiler/codegen), compiled at once as two objects; else (0, 1) it is one object. */
  int parts;
  bool keep_temps;     /* leave the temporary folder and say where (for debugging) */
  bool verbose;        /* print the command line to stderr */
} aoti_build_options;

void aoti_build_options_init(aoti_build_options *options);

/* Builds `source` linked with the object of `kernels` (NUL-terminated; NULL when `source` is
 * self-contained) into a shared library; *out_bytes (malloc'd, caller frees) holds the .so.
 * `name` names the files in the temporary folder ("kernels" is taken). */
aoti_status aoti_build_shared_library(const char *source, size_t source_len, const char *kernels,
                                      const char *name, const aoti_build_options *options,
                                      void **out_bytes, size_t *out_len);

/* Runs only the preprocessor on `source` (NUL-terminated) with the flags a library would be built
 * with (same compiler, target and cflags), so the text sees the target's predefined macros
 * (__AVX512F__, ...); *out_text (malloc'd, NUL-terminated, caller frees) is the output without
 * line markers. keep_temps is ignored (the folder always goes). */
aoti_status aoti_build_preprocess(const char *source, const aoti_build_options *options, char **out_text);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_BUILD_H */
