/* program.h — ExportedProgram JSON to IR (private to the frontend; exposed for tests).
 *
 * Decodes the document torch.export writes (models/<name>.json or
 * serialized_exported_program.json; docs/torch-export-format.md §2) into a new graph: symbols from
 * range_constraints, user inputs, constants (bytes taken from the payload tables), raw nodes,
 * outputs and buffer mutations, plus the meta keys "torch_version", "schema_version", "in_spec"
 * and "out_spec".
 *
 * Symbolic ints: nodes that only compute symbolic ints (torch.ops.aten.sym_size.int,
 * _operator.mul over sizes...) are not emitted. An argument naming such a value
 * ({"as_sym_int": {"as_name": "mul"}}) becomes an AOTI_ARG_SYMINT holding its size expression,
 * taken from graph.sym_int_values, or for sym_size.int from the dimension of its input. Runtime
 * assertions (_assert_scalar, sym_constrain_range*, _assert_tensor_metadata, _assert_async) are
 * dropped too: the symbols' ranges and the runtime's input checks enforce them.
 *
 * Messages name the JSON path of the bad field ("graph_module.graph.nodes[2].inputs[0].arg") and,
 * for nodes, their name and target. Reentrant.
 */
#ifndef AOTI_FRONTEND_PROGRAM_H
#define AOTI_FRONTEND_PROGRAM_H

#include <stddef.h>

#include "frontend/weights.h"
#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where the program's constants are read from; either table may be NULL (no such payload), and
 * then the matching `*_searched` text says what was looked for ("'m.ep' has no
 * data/weights/model.pt"), for messages. */
typedef struct aoti_program_payloads {
  const aoti_tensor_table *state_dict; /* parameters and persistent buffers */
  const aoti_tensor_table *constants;  /* non-persistent buffers and lifted tensor constants */
  const char *state_dict_searched;
  const char *constants_searched;
} aoti_program_payloads;

/* The schema majors this reader was tested with; others are AOTI_ERROR_VERSION. */
#define AOTI_PROGRAM_MIN_SCHEMA_MAJOR 1
#define AOTI_PROGRAM_MAX_SCHEMA_MAJOR 8

/* Reads the JSON document `text` (`size` bytes) into a new graph owned by the caller. `label`
 * ("model.ep: models/model.json", or NULL) is put in front of messages about the document;
 * messages about a payload name the payload instead. `payloads` may be NULL. On failure
 * *out_graph is untouched and nothing leaks. */
aoti_status aoti_program_read_json(const char *text, size_t size, const char *label,
                                   const aoti_program_payloads *payloads, aoti_graph **out_graph);

#ifdef __cplusplus
}
#endif

#endif /* AOTI_FRONTEND_PROGRAM_H */
