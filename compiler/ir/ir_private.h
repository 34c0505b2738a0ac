/* ir_private.h — what ir.c and symexpr.c share behind aoti_graph.arena: the arena's chunk list,
 * the hash-consing table of symbolic expressions and a sticky out-of-memory flag.
 *
 * Private to compiler/ir: nothing outside this folder includes it. Not thread-safe (a graph isn't).
 */
#ifndef AOTI_IR_PRIVATE_H
#define AOTI_IR_PRIVATE_H

#include "ir/ir.h"

typedef struct ir_chunk ir_chunk;

typedef struct ir_private {
  ir_chunk *current;  /* chunk small allocations come from; head of the chunk list */
  /* Hash-consing table of aoti_sx (open addressing, power-of-two capacity, malloc'd). */
  const aoti_sx **sx_slots;
  size_t sx_capacity;
  size_t sx_count;
  /* Set when an allocation of a function that cannot return a status failed; verify reports it. */
  bool out_of_memory;
} ir_private;

static inline ir_private *ir_private_of(const aoti_graph *g) { return (ir_private *)g->arena; }

/* Releases the hash-consing table (the expressions themselves live in the arena). */
void ir_sx_table_free(ir_private *p);

#endif /* AOTI_IR_PRIVATE_H */
