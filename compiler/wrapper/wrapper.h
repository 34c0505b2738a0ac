/* wrapper.h — writes a model's typed C wrapper (<name>.h and <name>.c) from templates/.
 *
 * The wrapper gives a user functions over plain typed buffers for the model's named inputs and
 * outputs, with its dynamic sizes as arguments, size macros, and readable comments:
 *
 *     #include "model.h"
 *     model_model *m;
 *     model_open("model.pt2", NULL, &m);
 *     float y[MODEL_OUTPUT0_NUMEL(8)];
 *     model_run(m, 8, x, y);       // x: MODEL_X_NUMEL(8) floats
 *     model_close(m);
 *
 * It calls only the public runtime API (aoti/runtime.h).
 */
#ifndef AOTI_WRAPPER_H
#define AOTI_WRAPPER_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes <out_dir>/<name>.h and <out_dir>/<name>.c for the model `name` compiled from `g` (bound
 * and passed: the inputs, outputs and symbols are what the package's model has). `package_file`
 * is the package's file name, recorded in comments; `arena_bytes_max` the scratch arena one run
 * needs at the symbols' maxima (UINT64_MAX when a range is unbounded), recorded as a macro. Files are written to temporary names and
 * renamed, so a failure leaves neither behind. */
aoti_status aoti_wrapper_write(const aoti_graph *g, const char *name, const char *package_file,
                               uint64_t arena_bytes_max, const char *out_dir);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_WRAPPER_H */
