/* frontend.h — reads a torch.export file into the IR.
 *
 * Every layout torch.export.save writes is accepted (docs/formats.md): the legacy zip of
 * torch 2.1–2.7 (serialized_exported_program.json with torch.save'd state dict and constants, named
 * .json or .pt) and the PT2 archive of 2.8+ (models/<name>.json with weights pickled in model.pt or
 * stored raw as weight_N with a weights config). The result is a graph with its symbols and ranges,
 * user inputs, constants (parameters, buffers, lifted constants, with their bytes made contiguous),
 * raw nodes (target and named arguments; see ir.h) and outputs. Buffer mutations are recorded.
 *
 *     aoti_graph *g = NULL;
 *     if (aoti_frontend_read("model.ep", NULL, &g) != AOTI_OK) fprintf(stderr, "%s\n", aoti_last_error());
 *
 * Errors name the file and the entry (and, in JSON, the path to the bad field). On failure
 * *out_graph is left untouched and nothing leaks. Thread-compatible: separate calls may run at
 * once.
 */
#ifndef AOTI_FRONTEND_H
#define AOTI_FRONTEND_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aoti_frontend_options {
  /* Which program of a PT2 archive to read ("model" is what torch.export.save writes). NULL
   * means "model", or the only one when there is exactly one. */
  const char *program_name;
} aoti_frontend_options;

void aoti_frontend_options_init(aoti_frontend_options *options);

/* Reads `path` into a new graph owned by the caller (aoti_graph_destroy). `options` may be NULL. */
aoti_status aoti_frontend_read(const char *path, const aoti_frontend_options *options,
                               aoti_graph **out_graph);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_FRONTEND_H */
