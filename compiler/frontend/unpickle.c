/* unpickle.c — a small pickle-protocol-2 interpreter for torch.save's data.pkl (see unpickle.h).
 *
 * Opcode meanings follow CPython's Lib/pickletools.py; the tensor-rebuilding globals follow
 * torch/_utils.py (_rebuild_tensor_v2/_v3, _rebuild_parameter) and the persistent ids written by
 * torch/serialization.py (_save's persistent_id). Every object lives in one arena freed at the end;
 * the resulting tensors are copied out. */
#define _POSIX_C_SOURCE 200809L /* strdup */

#include "frontend/unpickle.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

//===----------------------------------------------------------------------===//
// Arena
//===----------------------------------------------------------------------===//

typedef struct arena_block {
  struct arena_block *next;
  size_t used, capacity;
  max_align_t data[];
} arena_block;

typedef struct arena {
  arena_block *head;
} arena;

static void *arena_alloc(arena *a, size_t size) {
  size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
  arena_block *b = a->head;
  if (!b || b->capacity - b->used < size) {
    size_t capacity = size > 16384 ? size : 16384;
    b = malloc(sizeof *b + capacity);
    if (!b) return NULL;
    b->next = a->head;
    b->used = 0;
    b->capacity = capacity;
    a->head = b;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  memset(p, 0, size);
  return p;
}

static void arena_free(arena *a) {
  while (a->head) {
    arena_block *next = a->head->next;
    free(a->head);
    a->head = next;
  }
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

typedef enum pv_kind {
  PV_MARK,
  PV_NONE,
  PV_BOOL,
  PV_INT,
  PV_FLOAT,
  PV_STRING,
  PV_TUPLE,
  PV_LIST,
  PV_DICT, /* items are key, value, key, value... */
  PV_GLOBAL,
  PV_STORAGE,
  PV_TENSOR,
} pv_kind;

typedef enum global_kind {
  G_ORDERED_DICT,
  G_REBUILD_TENSOR_V2,
  G_REBUILD_TENSOR_V3,
  G_REBUILD_PARAMETER,
  G_REBUILD_PARAMETER_WITH_STATE,
  G_STORAGE_CLASS, /* dtype INVALID: torch.UntypedStorage (numel counts bytes) */
  G_DTYPE,
} global_kind;

typedef struct pv {
  pv_kind kind;
  int64_t i; /* INT, BOOL; STORAGE: nbytes */
  double f;
  const char *s; /* STRING (NUL-terminated); STORAGE: key */
  struct pv **items;
  int32_t count, capacity;
  global_kind global;
  aoti_dtype dtype;            /* GLOBAL storage class or dtype; STORAGE, TENSOR */
  aoti_pickled_tensor *tensor; /* TENSOR; name and storage_key point into the arena */
} pv;

typedef struct global_entry {
  const char *module, *name;
  global_kind kind;
  aoti_dtype dtype;
} global_entry;

static const global_entry kGlobals[] = {
    {"collections", "OrderedDict", G_ORDERED_DICT, AOTI_DTYPE_INVALID},
    {"torch._utils", "_rebuild_tensor_v2", G_REBUILD_TENSOR_V2, AOTI_DTYPE_INVALID},
    {"torch._utils", "_rebuild_tensor_v3", G_REBUILD_TENSOR_V3, AOTI_DTYPE_INVALID},
    {"torch._utils", "_rebuild_parameter", G_REBUILD_PARAMETER, AOTI_DTYPE_INVALID},
    {"torch._utils", "_rebuild_parameter_with_state", G_REBUILD_PARAMETER_WITH_STATE,
     AOTI_DTYPE_INVALID},
    {"torch", "FloatStorage", G_STORAGE_CLASS, AOTI_DTYPE_FLOAT32},
    {"torch", "DoubleStorage", G_STORAGE_CLASS, AOTI_DTYPE_FLOAT64},
    {"torch", "HalfStorage", G_STORAGE_CLASS, AOTI_DTYPE_FLOAT16},
    {"torch", "BFloat16Storage", G_STORAGE_CLASS, AOTI_DTYPE_BFLOAT16},
    {"torch", "LongStorage", G_STORAGE_CLASS, AOTI_DTYPE_INT64},
    {"torch", "IntStorage", G_STORAGE_CLASS, AOTI_DTYPE_INT32},
    {"torch", "ShortStorage", G_STORAGE_CLASS, AOTI_DTYPE_INT16},
    {"torch", "CharStorage", G_STORAGE_CLASS, AOTI_DTYPE_INT8},
    {"torch", "ByteStorage", G_STORAGE_CLASS, AOTI_DTYPE_UINT8},
    {"torch", "BoolStorage", G_STORAGE_CLASS, AOTI_DTYPE_BOOL},
    {"torch", "UntypedStorage", G_STORAGE_CLASS, AOTI_DTYPE_INVALID},
    {"torch.storage", "UntypedStorage", G_STORAGE_CLASS, AOTI_DTYPE_INVALID},
    {"torch", "float32", G_DTYPE, AOTI_DTYPE_FLOAT32},
    {"torch", "float64", G_DTYPE, AOTI_DTYPE_FLOAT64},
    {"torch", "float16", G_DTYPE, AOTI_DTYPE_FLOAT16},
    {"torch", "bfloat16", G_DTYPE, AOTI_DTYPE_BFLOAT16},
    {"torch", "int64", G_DTYPE, AOTI_DTYPE_INT64},
    {"torch", "int32", G_DTYPE, AOTI_DTYPE_INT32},
    {"torch", "int16", G_DTYPE, AOTI_DTYPE_INT16},
    {"torch", "int8", G_DTYPE, AOTI_DTYPE_INT8},
    {"torch", "uint8", G_DTYPE, AOTI_DTYPE_UINT8},
    {"torch", "bool", G_DTYPE, AOTI_DTYPE_BOOL},
};

//===----------------------------------------------------------------------===//
// Interpreter state
//===----------------------------------------------------------------------===//

typedef struct unpickler {
  const unsigned char *data;
  size_t size, pos;
  size_t op_offset; /* where the current opcode starts, for messages */
  unsigned char op;
  arena arena;
  pv **stack;
  size_t depth, stack_capacity;
  pv **memo;
  size_t memo_capacity, memo_count; /* memo_count: entries set, MEMOIZE's index (len(memo)) */
} unpickler;

static aoti_status fail(unpickler *u, aoti_status status, const char *what) {
  return aoti_error_set(status, "data.pkl: offset %zu: opcode 0x%02x: %s", u->op_offset, u->op,
                        what);
}

static aoti_status oom(unpickler *u) { return fail(u, AOTI_ERROR_OUT_OF_MEMORY, "out of memory"); }

static pv *new_value(unpickler *u, pv_kind kind) {
  pv *v = arena_alloc(&u->arena, sizeof *v);
  if (v) v->kind = kind;
  return v;
}

static aoti_status push(unpickler *u, pv *v) {
  if (!v) return oom(u);
  if (u->depth == u->stack_capacity) {
    size_t capacity = u->stack_capacity ? 2 * u->stack_capacity : 64;
    pv **grown = realloc(u->stack, capacity * sizeof *grown);
    if (!grown) return oom(u);
    u->stack = grown;
    u->stack_capacity = capacity;
  }
  u->stack[u->depth++] = v;
  return AOTI_OK;
}

static aoti_status pop(unpickler *u, pv **out_value) {
  if (u->depth == 0 || u->stack[u->depth - 1]->kind == PV_MARK)
    return fail(u, AOTI_ERROR_FORMAT, "stack underflow");
  *out_value = u->stack[--u->depth];
  return AOTI_OK;
}

static aoti_status top(unpickler *u, pv **out_value) {
  if (u->depth == 0 || u->stack[u->depth - 1]->kind == PV_MARK)
    return fail(u, AOTI_ERROR_FORMAT, "stack underflow");
  *out_value = u->stack[u->depth - 1];
  return AOTI_OK;
}

/* Position of the topmost MARK; its items are stack[mark + 1 .. depth). */
static aoti_status find_mark(unpickler *u, size_t *out_mark) {
  for (size_t i = u->depth; i > 0; i--) {
    if (u->stack[i - 1]->kind == PV_MARK) {
      *out_mark = i - 1;
      return AOTI_OK;
    }
  }
  return fail(u, AOTI_ERROR_FORMAT, "no MARK on the stack");
}

static aoti_status append_item(unpickler *u, pv *container, pv *item) {
  if (container->count == container->capacity) {
    int32_t capacity = container->capacity ? 2 * container->capacity : 8;
    pv **grown = arena_alloc(&u->arena, (size_t)capacity * sizeof *grown);
    if (!grown) return oom(u);
    if (container->count) memcpy(grown, container->items, (size_t)container->count * sizeof *grown);
    container->items = grown;
    container->capacity = capacity;
  }
  container->items[container->count++] = item;
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// Reading operands
//===----------------------------------------------------------------------===//

static aoti_status take(unpickler *u, size_t n, const unsigned char **out_bytes) {
  if (u->size - u->pos < n) return fail(u, AOTI_ERROR_FORMAT, "truncated operand");
  *out_bytes = u->data + u->pos;
  u->pos += n;
  return AOTI_OK;
}

/* An unsigned little-endian integer of n bytes (n <= 8). */
static aoti_status take_uint(unpickler *u, size_t n, uint64_t *out_value) {
  const unsigned char *b = NULL;
  aoti_status status = take(u, n, &b);
  if (status != AOTI_OK) return status;
  uint64_t v = 0;
  for (size_t i = n; i > 0; i--) v = (v << 8) | b[i - 1];
  *out_value = v;
  return AOTI_OK;
}

/* A text line ending in '\n' (GLOBAL's operands), copied into the arena without the newline. */
static aoti_status take_line(unpickler *u, const char **out_line) {
  const unsigned char *start = u->data + u->pos;
  const unsigned char *end = memchr(start, '\n', u->size - u->pos);
  if (!end) return fail(u, AOTI_ERROR_FORMAT, "truncated operand (no newline)");
  size_t len = (size_t)(end - start);
  char *line = arena_alloc(&u->arena, len + 1);
  if (!line) return oom(u);
  memcpy(line, start, len);
  u->pos += len + 1;
  *out_line = line;
  return AOTI_OK;
}

static aoti_status push_int(unpickler *u, int64_t value) {
  pv *v = new_value(u, PV_INT);
  if (v) v->i = value;
  return push(u, v);
}

static aoti_status push_string(unpickler *u, size_t length_bytes) {
  uint64_t len;
  const unsigned char *bytes = NULL;
  aoti_status status = take_uint(u, length_bytes, &len);
  if (status == AOTI_OK && len > u->size) status = fail(u, AOTI_ERROR_FORMAT, "truncated operand");
  if (status == AOTI_OK) status = take(u, (size_t)len, &bytes);
  if (status != AOTI_OK) return status;
  pv *v = new_value(u, PV_STRING);
  char *s = arena_alloc(&u->arena, (size_t)len + 1);
  if (!v || !s) return oom(u);
  memcpy(s, bytes, (size_t)len);
  v->s = s;
  return push(u, v);
}

//===----------------------------------------------------------------------===//
// Memo
//===----------------------------------------------------------------------===//

static aoti_status memo_put(unpickler *u, uint64_t index) {
  pv *v;
  aoti_status status = top(u, &v);
  if (status != AOTI_OK) return status;
  /* A pickle cannot memoize more objects than it has bytes. */
  if (index >= u->size) return fail(u, AOTI_ERROR_FORMAT, "memo index out of range");
  if (index >= u->memo_capacity) {
    size_t capacity = u->memo_capacity ? u->memo_capacity : 64;
    while (capacity <= index) capacity *= 2;
    pv **grown = realloc(u->memo, capacity * sizeof *grown);
    if (!grown) return oom(u);
    memset(grown + u->memo_capacity, 0, (capacity - u->memo_capacity) * sizeof *grown);
    u->memo = grown;
    u->memo_capacity = capacity;
  }
  if (!u->memo[index]) u->memo_count++;
  u->memo[index] = v;
  return AOTI_OK;
}

static aoti_status memo_get(unpickler *u, uint64_t index) {
  if (index >= u->memo_capacity || !u->memo[index])
    return fail(u, AOTI_ERROR_FORMAT, "memo index not set");
  return push(u, u->memo[index]);
}

//===----------------------------------------------------------------------===//
// Globals and calls
//===----------------------------------------------------------------------===//

static aoti_status push_global(unpickler *u, const char *module, const char *name) {
  for (size_t i = 0; i < sizeof kGlobals / sizeof kGlobals[0]; i++) {
    if (strcmp(kGlobals[i].module, module) == 0 && strcmp(kGlobals[i].name, name) == 0) {
      pv *v = new_value(u, PV_GLOBAL);
      if (v) {
        v->global = kGlobals[i].kind;
        v->dtype = kGlobals[i].dtype;
        v->s = name;
      }
      return push(u, v);
    }
  }
  char what[512];
  snprintf(what, sizeof what, "unsupported global %s.%s", module, name);
  return fail(u, AOTI_ERROR_UNSUPPORTED, what);
}

static bool is_global(const pv *v, global_kind kind) {
  return v->kind == PV_GLOBAL && v->global == kind;
}

/* persistent_load(('storage', StorageClass, key, location, numel)) */
static aoti_status load_persistent(unpickler *u, pv *pid) {
  if (pid->kind != PV_TUPLE || pid->count != 5 || pid->items[0]->kind != PV_STRING ||
      strcmp(pid->items[0]->s, "storage") != 0 || !is_global(pid->items[1], G_STORAGE_CLASS) ||
      pid->items[2]->kind != PV_STRING || pid->items[4]->kind != PV_INT || pid->items[4]->i < 0)
    return fail(u, AOTI_ERROR_FORMAT,
                "persistent id is not ('storage', StorageClass, key, location, numel)");
  aoti_dtype dtype = pid->items[1]->dtype;
  int64_t numel = pid->items[4]->i;
  size_t element = dtype == AOTI_DTYPE_INVALID ? 1 : aoti_dtype_size(dtype);
  if (numel > INT64_MAX / (int64_t)element)
    return fail(u, AOTI_ERROR_FORMAT, "storage size overflows");
  pv *storage = new_value(u, PV_STORAGE);
  if (!storage) return oom(u);
  storage->dtype = dtype;
  storage->s = pid->items[2]->s;
  storage->i = numel * (int64_t)element;
  return push(u, storage);
}

static aoti_status int_tuple(unpickler *u, const pv *tuple, int64_t *out_values, const char *what) {
  if (tuple->kind != PV_TUPLE) {
    char message[128];
    snprintf(message, sizeof message, "tensor %s is not a tuple", what);
    return fail(u, AOTI_ERROR_FORMAT, message);
  }
  if (tuple->count > AOTI_MAX_RANK) {
    char message[128];
    snprintf(message, sizeof message, "tensor of rank %d: at most %d dimensions are supported",
             tuple->count, AOTI_MAX_RANK);
    return fail(u, AOTI_ERROR_UNSUPPORTED, message);
  }
  for (int32_t i = 0; i < tuple->count; i++) {
    if (tuple->items[i]->kind != PV_INT) {
      char message[128];
      snprintf(message, sizeof message, "tensor %s has a non-integer item", what);
      return fail(u, AOTI_ERROR_FORMAT, message);
    }
    out_values[i] = tuple->items[i]->i;
  }
  return AOTI_OK;
}

/* _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata]) and
 * _rebuild_tensor_v3(..., hooks, dtype[, metadata]). */
static aoti_status rebuild_tensor(unpickler *u, const pv *args, bool v3) {
  int32_t min_args = v3 ? 7 : 6;
  if (args->count < min_args || args->count > min_args + 1)
    return fail(u, AOTI_ERROR_FORMAT, "wrong number of arguments to _rebuild_tensor");
  const pv *storage = args->items[0];
  if (storage->kind != PV_STORAGE || args->items[1]->kind != PV_INT)
    return fail(u, AOTI_ERROR_FORMAT, "_rebuild_tensor without a storage and an offset");
  aoti_dtype dtype = storage->dtype;
  if (v3) {
    if (!is_global(args->items[6], G_DTYPE))
      return fail(u, AOTI_ERROR_FORMAT, "_rebuild_tensor_v3 without a dtype");
    dtype = args->items[6]->dtype;
  }
  if (dtype == AOTI_DTYPE_INVALID)
    return fail(u, AOTI_ERROR_FORMAT, "_rebuild_tensor_v2 of an untyped storage");
  const pv *sizes = args->items[2], *strides = args->items[3];
  aoti_pickled_tensor *t = arena_alloc(&u->arena, sizeof *t);
  if (!t) return oom(u);
  aoti_status status = int_tuple(u, sizes, t->sizes, "size");
  if (status == AOTI_OK) status = int_tuple(u, strides, t->strides, "stride");
  if (status != AOTI_OK) return status;
  if (sizes->count != strides->count)
    return fail(u, AOTI_ERROR_FORMAT, "tensor size and stride differ in length");
  t->dtype = dtype;
  t->rank = sizes->count;
  t->storage_offset = args->items[1]->i;
  t->storage_key = (char *)storage->s;
  t->storage_nbytes = storage->i;
  pv *v = new_value(u, PV_TENSOR);
  if (!v) return oom(u);
  v->tensor = t;
  v->dtype = dtype;
  return push(u, v);
}

static aoti_status reduce(unpickler *u) {
  pv *args, *callable;
  aoti_status status = pop(u, &args);
  if (status == AOTI_OK) status = pop(u, &callable);
  if (status != AOTI_OK) return status;
  if (args->kind != PV_TUPLE) return fail(u, AOTI_ERROR_FORMAT, "REDUCE arguments are not a tuple");
  if (callable->kind != PV_GLOBAL) return fail(u, AOTI_ERROR_FORMAT, "REDUCE of a non-callable");
  switch (callable->global) {
    case G_ORDERED_DICT: return push(u, new_value(u, PV_DICT));
    case G_REBUILD_TENSOR_V2: return rebuild_tensor(u, args, false);
    case G_REBUILD_TENSOR_V3: return rebuild_tensor(u, args, true);
    case G_REBUILD_PARAMETER:
    case G_REBUILD_PARAMETER_WITH_STATE:
      /* (tensor, requires_grad, hooks[, state]): a Parameter is its tensor here. */
      if (args->count < 1 || args->items[0]->kind != PV_TENSOR)
        return fail(u, AOTI_ERROR_FORMAT, "_rebuild_parameter without a tensor");
      return push(u, args->items[0]);
    case G_STORAGE_CLASS:
    case G_DTYPE: break;
  }
  char what[128];
  snprintf(what, sizeof what, "calling %s is not supported", callable->s);
  return fail(u, AOTI_ERROR_UNSUPPORTED, what);
}

//===----------------------------------------------------------------------===//
// Containers
//===----------------------------------------------------------------------===//

/* Pops the items above the topmost MARK, and the MARK, into a new tuple. */
static aoti_status pop_to_tuple(unpickler *u, pv **out_tuple) {
  size_t mark;
  aoti_status status = find_mark(u, &mark);
  if (status != AOTI_OK) return status;
  pv *tuple = new_value(u, PV_TUPLE);
  if (!tuple) return oom(u);
  for (size_t i = mark + 1; i < u->depth && status == AOTI_OK; i++)
    status = append_item(u, tuple, u->stack[i]);
  u->depth = mark;
  *out_tuple = tuple;
  return status;
}

static aoti_status tuple_of_top(unpickler *u, int32_t n) {
  if (u->depth < (size_t)n) return fail(u, AOTI_ERROR_FORMAT, "stack underflow");
  pv *tuple = new_value(u, PV_TUPLE);
  if (!tuple) return oom(u);
  for (size_t i = u->depth - (size_t)n; i < u->depth; i++) {
    if (u->stack[i]->kind == PV_MARK) return fail(u, AOTI_ERROR_FORMAT, "stack underflow");
    aoti_status status = append_item(u, tuple, u->stack[i]);
    if (status != AOTI_OK) return status;
  }
  u->depth -= (size_t)n;
  return push(u, tuple);
}

/* SETITEM/SETITEMS/APPEND/APPENDS: adds `items` (pairs for dicts) to the container on top. */
static aoti_status extend(unpickler *u, pv_kind expected, pv *const *items, size_t count) {
  pv *container;
  aoti_status status = top(u, &container);
  if (status != AOTI_OK) return status;
  if (container->kind != expected)
    return fail(u, AOTI_ERROR_FORMAT,
                expected == PV_DICT ? "setting items of a non-dict" : "appending to a non-list");
  if (expected == PV_DICT && count % 2 != 0)
    return fail(u, AOTI_ERROR_FORMAT, "odd number of items for a dict");
  for (size_t i = 0; i < count && status == AOTI_OK; i++)
    status = append_item(u, container, items[i]);
  return status;
}

static aoti_status extend_from_mark(unpickler *u, pv_kind expected) {
  size_t mark;
  aoti_status status = find_mark(u, &mark);
  if (status != AOTI_OK) return status;
  size_t first = mark + 1, count = u->depth - first;
  u->depth = mark;
  status = extend(u, expected, u->stack + first, count);
  return status;
}

static aoti_status extend_from_top(unpickler *u, pv_kind expected, size_t count) {
  if (u->depth < count + 1) return fail(u, AOTI_ERROR_FORMAT, "stack underflow");
  for (size_t i = u->depth - count; i < u->depth; i++)
    if (u->stack[i]->kind == PV_MARK) return fail(u, AOTI_ERROR_FORMAT, "stack underflow");
  u->depth -= count;
  return extend(u, expected, u->stack + u->depth, count);
}

/* BUILD: sets an object's state. Only the states torch.save leaves on dicts (OrderedDict's
 * _metadata) and tensors are expected; they do not matter for the weights' bytes. */
static aoti_status build(unpickler *u) {
  pv *state, *object;
  aoti_status status = pop(u, &state);
  if (status == AOTI_OK) status = top(u, &object);
  if (status != AOTI_OK) return status;
  if (object->kind != PV_DICT && object->kind != PV_TENSOR)
    return fail(u, AOTI_ERROR_UNSUPPORTED, "BUILD of an object other than a dict or tensor");
  return AOTI_OK;
}

//===----------------------------------------------------------------------===//
// The loop
//===----------------------------------------------------------------------===//

/* Executes one opcode; sets *out_done at STOP. */
static aoti_status step(unpickler *u, bool *out_done) {
  uint64_t n;
  const unsigned char *b = NULL;
  aoti_status status;
  pv *v, *w;
  switch (u->op) {
    case 0x80: /* PROTO */
      status = take_uint(u, 1, &n);
      if (status == AOTI_OK && n > 5) return fail(u, AOTI_ERROR_UNSUPPORTED, "pickle protocol > 5");
      return status;
    case 0x95: /* FRAME: a length hint only */ return take(u, 8, &b);
    case '.': /* STOP */ *out_done = true; return AOTI_OK;
    case '(': /* MARK */ return push(u, new_value(u, PV_MARK));
    case '}': /* EMPTY_DICT */ return push(u, new_value(u, PV_DICT));
    case ']': /* EMPTY_LIST */ return push(u, new_value(u, PV_LIST));
    case ')': /* EMPTY_TUPLE */ return push(u, new_value(u, PV_TUPLE));
    case 'N': /* NONE */ return push(u, new_value(u, PV_NONE));
    case 0x88: /* NEWTRUE */
    case 0x89: /* NEWFALSE */
      v = new_value(u, PV_BOOL);
      if (v) v->i = u->op == 0x88;
      return push(u, v);
    case 'J': /* BININT: signed 32-bit */
      status = take_uint(u, 4, &n);
      return status != AOTI_OK ? status : push_int(u, (int64_t)(int32_t)(uint32_t)n);
    case 'K': /* BININT1 */
      status = take_uint(u, 1, &n);
      return status != AOTI_OK ? status : push_int(u, (int64_t)n);
    case 'M': /* BININT2 */
      status = take_uint(u, 2, &n);
      return status != AOTI_OK ? status : push_int(u, (int64_t)n);
    case 0x8a: { /* LONG1: n-byte two's complement, little-endian */
      status = take_uint(u, 1, &n);
      if (status != AOTI_OK) return status;
      if (n > 8) return fail(u, AOTI_ERROR_UNSUPPORTED, "integer wider than 64 bits");
      size_t width = (size_t)n;
      status = take_uint(u, width, &n);
      if (status != AOTI_OK) return status;
      if (width > 0 && width < 8 && (n >> (8 * width - 1)) & 1) n |= ~UINT64_C(0) << (8 * width);
      return push_int(u, (int64_t)n);
    }
    case 'G': { /* BINFLOAT: big-endian double */
      status = take(u, 8, &b);
      if (status != AOTI_OK) return status;
      uint64_t bits = 0;
      for (int i = 0; i < 8; i++) bits = (bits << 8) | b[i];
      v = new_value(u, PV_FLOAT);
      if (v) memcpy(&v->f, &bits, sizeof v->f);
      return push(u, v);
    }
    case 'X': /* BINUNICODE */ return push_string(u, 4);
    case 0x8c: /* SHORT_BINUNICODE */ return push_string(u, 1);
    case 0x8d: /* BINUNICODE8 */ return push_string(u, 8);
    case 'c': { /* GLOBAL "module\nname\n" */
      const char *module, *name;
      status = take_line(u, &module);
      if (status == AOTI_OK) status = take_line(u, &name);
      return status != AOTI_OK ? status : push_global(u, module, name);
    }
    case 0x93: /* STACK_GLOBAL */
      status = pop(u, &w);
      if (status == AOTI_OK) status = pop(u, &v);
      if (status != AOTI_OK) return status;
      if (v->kind != PV_STRING || w->kind != PV_STRING)
        return fail(u, AOTI_ERROR_FORMAT, "STACK_GLOBAL of non-strings");
      return push_global(u, v->s, w->s);
    case 'q': /* BINPUT */
      status = take_uint(u, 1, &n);
      return status != AOTI_OK ? status : memo_put(u, n);
    case 'r': /* LONG_BINPUT */
      status = take_uint(u, 4, &n);
      return status != AOTI_OK ? status : memo_put(u, n);
    case 0x94: /* MEMOIZE */ return memo_put(u, u->memo_count);
    case 'h': /* BINGET */
      status = take_uint(u, 1, &n);
      return status != AOTI_OK ? status : memo_get(u, n);
    case 'j': /* LONG_BINGET */
      status = take_uint(u, 4, &n);
      return status != AOTI_OK ? status : memo_get(u, n);
    case 't': /* TUPLE */
      status = pop_to_tuple(u, &v);
      return status != AOTI_OK ? status : push(u, v);
    case 0x85: /* TUPLE1 */ return tuple_of_top(u, 1);
    case 0x86: /* TUPLE2 */ return tuple_of_top(u, 2);
    case 0x87: /* TUPLE3 */ return tuple_of_top(u, 3);
    case 'Q': /* BINPERSID */
      status = pop(u, &v);
      return status != AOTI_OK ? status : load_persistent(u, v);
    case 'R': /* REDUCE */ return reduce(u);
    case 'b': /* BUILD */ return build(u);
    case 's': /* SETITEM */ return extend_from_top(u, PV_DICT, 2);
    case 'u': /* SETITEMS */ return extend_from_mark(u, PV_DICT);
    case 'a': /* APPEND */ return extend_from_top(u, PV_LIST, 1);
    case 'e': /* APPENDS */ return extend_from_mark(u, PV_LIST);
    default: break;
  }
  return fail(u, AOTI_ERROR_UNSUPPORTED, "unsupported opcode");
}

/* Copies the dict `d` of str -> tensor out of the arena. */
static aoti_status export_dict(unpickler *u, const pv *d, aoti_pickled_dict *out_dict) {
  if (d->kind != PV_DICT)
    return aoti_error_set(AOTI_ERROR_FORMAT, "data.pkl: the pickled object is not a dict");
  int32_t count = d->count / 2;
  aoti_pickled_tensor *tensors = calloc(count ? (size_t)count : 1, sizeof *tensors);
  if (!tensors) return oom(u);
  aoti_status status = AOTI_OK;
  int32_t done = 0;
  for (; done < count; done++) {
    const pv *key = d->items[2 * done], *value = d->items[2 * done + 1];
    if (key->kind != PV_STRING) {
      status = aoti_error_set(AOTI_ERROR_FORMAT, "data.pkl: a dict key is not a string");
      break;
    }
    if (value->kind != PV_TENSOR) {
      status = aoti_error_set(AOTI_ERROR_UNSUPPORTED, "data.pkl: '%s' is not a tensor", key->s);
      break;
    }
    tensors[done] = *value->tensor;
    tensors[done].name = strdup(key->s);
    tensors[done].storage_key = strdup(value->tensor->storage_key);
    if (!tensors[done].name || !tensors[done].storage_key) {
      done++;
      status = oom(u);
      break;
    }
  }
  if (status != AOTI_OK) {
    aoti_pickled_dict partial = {done, tensors};
    aoti_pickled_dict_free(&partial);
    return status;
  }
  out_dict->count = count;
  out_dict->tensors = tensors;
  return AOTI_OK;
}

aoti_status aoti_unpickle_tensor_dict(const void *data, size_t size, aoti_pickled_dict *out_dict) {
  unpickler u = {.data = data, .size = size};
  aoti_status status = AOTI_OK;
  bool done = false;
  while (status == AOTI_OK && !done) {
    if (u.pos >= u.size) {
      status =
          aoti_error_set(AOTI_ERROR_FORMAT, "data.pkl: truncated at offset %zu (no STOP)", u.pos);
      break;
    }
    u.op_offset = u.pos;
    u.op = u.data[u.pos++];
    status = step(&u, &done);
  }
  if (status == AOTI_OK) {
    if (u.depth != 1)
      status =
          aoti_error_set(AOTI_ERROR_FORMAT, "data.pkl: %zu objects on the stack at STOP", u.depth);
    else
      status = export_dict(&u, u.stack[0], out_dict);
  }
  free(u.stack);
  free(u.memo);
  arena_free(&u.arena);
  return status;
}

void aoti_pickled_dict_free(aoti_pickled_dict *dict) {
  if (!dict) return;
  for (int32_t i = 0; i < dict->count; i++) {
    free(dict->tensors[i].name);
    free(dict->tensors[i].storage_key);
  }
  free(dict->tensors);
  dict->tensors = NULL;
  dict->count = 0;
}
