/* symexpr.c — symbolic integer expressions: construction with simplification and hash-consing,
 * parsing of torch.export's two spellings, evaluation, bounds, and printing as C or text.
 *
 * Canonical form (what makes pointer equality mean value equality for polynomials):
 *   atom = SYM | FLOORDIV | MOD | MIN | MAX        (opaque to the polynomial layer)
 *   mono = atom | MUL(atom, mono)                  atoms sorted by sx_compare
 *   term = CONST | mono | MUL(CONST c, mono)        c not 0 or 1
 *   sum  = term | ADD(term, sum)                    monos sorted by sx_compare, constant last,
 *                                                   like terms combined, zero terms dropped
 * Sums and products are expanded into this polynomial form by add and mul, so 2*s0 + s1,
 * s1 + s0*2 and s0 + s1 + s0 all give one pointer. FLOORDIV/MOD/MIN/MAX fold constants, drop
 * identities and use the symbols' ranges where that decides the result.
 *
 * All nodes are built by sx_intern, which returns the existing node for an identical
 * (kind, value, sym, a, b). Allocation failure makes the constructors return NULL (and marks the
 * graph, see ir_private.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ir/ir.h"
#include "ir/ir_private.h"

//===----------------------------------------------------------------------===//
// Hash-consing
//===----------------------------------------------------------------------===//

static uint64_t sx_hash(aoti_sx_kind kind, int64_t value, int32_t sym, const aoti_sx *a, const aoti_sx *b) {
  uint64_t h = 1469598103934665603ull;
  uint64_t parts[5] = {(uint64_t)kind, (uint64_t)value, (uint64_t)(uint32_t)sym, (uint64_t)(uintptr_t)a,
                       (uint64_t)(uintptr_t)b};
  for (int i = 0; i < 5; i++) {
    h ^= parts[i];
    h *= 1099511628211ull;
    h ^= h >> 29;
  }
  return h;
}

static bool sx_same(const aoti_sx *e, aoti_sx_kind kind, int64_t value, int32_t sym, const aoti_sx *a,
                    const aoti_sx *b) {
  return e->kind == kind && e->value == value && e->sym == sym && e->a == a && e->b == b;
}

static bool sx_table_grow(ir_private *p) {
  size_t capacity = p->sx_capacity ? p->sx_capacity * 2 : 256;
  const aoti_sx **slots = calloc(capacity, sizeof *slots);
  if (!slots) return false;
  for (size_t i = 0; i < p->sx_capacity; i++) {
    const aoti_sx *e = p->sx_slots[i];
    if (!e) continue;
    size_t at = sx_hash(e->kind, e->value, e->sym, e->a, e->b) & (capacity - 1);
    while (slots[at]) at = (at + 1) & (capacity - 1);
    slots[at] = e;
  }
  free(p->sx_slots);
  p->sx_slots = slots;
  p->sx_capacity = capacity;
  return true;
}

void ir_sx_table_free(ir_private *p) {
  free(p->sx_slots);
  p->sx_slots = NULL;
  p->sx_capacity = p->sx_count = 0;
}

/* The unique node with these fields. Only called with canonical operands. */
static const aoti_sx *sx_intern(aoti_graph *g, aoti_sx_kind kind, int64_t value, int32_t sym, const aoti_sx *a,
                                const aoti_sx *b) {
  ir_private *p = ir_private_of(g);
  if ((p->sx_count + 1) * 2 > p->sx_capacity && !sx_table_grow(p)) {
    p->out_of_memory = true;
    return NULL;
  }
  size_t mask = p->sx_capacity - 1;
  size_t at = sx_hash(kind, value, sym, a, b) & mask;
  for (; p->sx_slots[at]; at = (at + 1) & mask)
    if (sx_same(p->sx_slots[at], kind, value, sym, a, b)) return p->sx_slots[at];
  aoti_sx *e = aoti_graph_alloc(g, sizeof *e);
  if (!e) {
    p->out_of_memory = true;
    return NULL;
  }
  e->kind = kind;
  e->value = value;
  e->sym = sym;
  e->a = a;
  e->b = b;
  p->sx_slots[at] = e;
  p->sx_count++;
  return e;
}

const aoti_sx *aoti_sx_const(aoti_graph *g, int64_t value) {
  return sx_intern(g, AOTI_SX_CONST, value, 0, NULL, NULL);
}

const aoti_sx *aoti_sx_sym(aoti_graph *g, int32_t sym) { return sx_intern(g, AOTI_SX_SYM, 0, sym, NULL, NULL); }

bool aoti_sx_is_const(const aoti_sx *e, int64_t *out_value) {
  if (!e || e->kind != AOTI_SX_CONST) return false;
  if (out_value) *out_value = e->value;
  return true;
}

/* A total order on expressions that does not depend on addresses, so canonical forms (and the
 * text printed from them) are the same from run to run. */
static int sx_compare(const aoti_sx *x, const aoti_sx *y) {
  if (x == y) return 0;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  switch (x->kind) {
    case AOTI_SX_CONST: return x->value < y->value ? -1 : 1;
    case AOTI_SX_SYM: return x->sym < y->sym ? -1 : x->sym > y->sym;
    default: {
      int c = sx_compare(x->a, y->a);
      return c ? c : sx_compare(x->b, y->b);
    }
  }
}

//===----------------------------------------------------------------------===//
// Polynomial layer: sums of coefficient * monomial
//===----------------------------------------------------------------------===//

typedef struct poly_term {
  int64_t coef;
  const aoti_sx *mono; /* NULL for the constant term */
} poly_term;

typedef struct poly {
  poly_term *terms;
  int32_t count;
  int32_t capacity;
  bool failed; /* an allocation failed */
} poly;

static void poly_push(poly *p, int64_t coef, const aoti_sx *mono) {
  if (p->failed) return;
  if (p->count == p->capacity) {
    int32_t capacity = p->capacity ? p->capacity * 2 : 8;
    poly_term *bigger = realloc(p->terms, (size_t)capacity * sizeof *bigger);
    if (!bigger) {
      p->failed = true;
      return;
    }
    p->terms = bigger;
    p->capacity = capacity;
  }
  p->terms[p->count++] = (poly_term){coef, mono};
}

static void poly_free(poly *p) { free(p->terms); }

/* Appends the terms of canonical `e`, each multiplied by `scale`. */
static void poly_add_expr(poly *p, const aoti_sx *e, int64_t scale) {
  for (; e->kind == AOTI_SX_ADD; e = e->b) poly_add_expr(p, e->a, scale);
  if (e->kind == AOTI_SX_CONST)
    poly_push(p, e->value * scale, NULL);
  else if (e->kind == AOTI_SX_MUL && e->a->kind == AOTI_SX_CONST)
    poly_push(p, e->a->value * scale, e->b);
  else
    poly_push(p, scale, e);
}

static int term_compare(const void *x, const void *y) {
  const poly_term *s = x, *t = y;
  if (s->mono == t->mono) return 0;
  if (!s->mono) return 1; /* constant last */
  if (!t->mono) return -1;
  return sx_compare(s->mono, t->mono);
}

static const aoti_sx *build_term(aoti_graph *g, int64_t coef, const aoti_sx *mono) {
  if (!mono) return aoti_sx_const(g, coef);
  if (coef == 1) return mono;
  const aoti_sx *c = aoti_sx_const(g, coef);
  return c ? sx_intern(g, AOTI_SX_MUL, 0, 0, c, mono) : NULL;
}

/* The canonical sum of `p` (sorted, like terms combined, zeros dropped). Frees nothing. */
static const aoti_sx *poly_build(aoti_graph *g, poly *p) {
  if (p->failed) {
    ir_private_of(g)->out_of_memory = true;
    return NULL;
  }
  qsort(p->terms, (size_t)p->count, sizeof *p->terms, term_compare);
  int32_t n = 0;
  for (int32_t i = 0; i < p->count; i++) {
    if (n > 0 && p->terms[n - 1].mono == p->terms[i].mono)
      p->terms[n - 1].coef += p->terms[i].coef;
    else
      p->terms[n++] = p->terms[i];
    if (p->terms[n - 1].coef == 0) n--;
  }
  if (n == 0) return aoti_sx_const(g, 0);
  const aoti_sx *sum = build_term(g, p->terms[n - 1].coef, p->terms[n - 1].mono);
  for (int32_t i = n - 2; i >= 0 && sum; i--) {
    const aoti_sx *term = build_term(g, p->terms[i].coef, p->terms[i].mono);
    sum = term ? sx_intern(g, AOTI_SX_ADD, 0, 0, term, sum) : NULL;
  }
  return sum;
}

/* Atoms of a monomial (NULL: none), appended to a malloc'd array. */
static int32_t mono_atoms(const aoti_sx *mono, const aoti_sx ***atoms, int32_t count, int32_t *capacity) {
  while (mono) {
    const aoti_sx *atom = mono->kind == AOTI_SX_MUL ? mono->a : mono;
    if (count == *capacity) {
      *capacity = *capacity ? *capacity * 2 : 8;
      const aoti_sx **bigger = realloc(*atoms, (size_t)*capacity * sizeof *bigger);
      if (!bigger) return -1;
      *atoms = bigger;
    }
    (*atoms)[count++] = atom;
    mono = mono->kind == AOTI_SX_MUL ? mono->b : NULL;
  }
  return count;
}

static int atom_compare(const void *x, const void *y) {
  return sx_compare(*(const aoti_sx *const *)x, *(const aoti_sx *const *)y);
}

/* The canonical monomial x*y of two monomials (either may be NULL for 1). */
static const aoti_sx *mono_mul(aoti_graph *g, const aoti_sx *x, const aoti_sx *y) {
  if (!x) return y;
  if (!y) return x;
  const aoti_sx **atoms = NULL;
  int32_t capacity = 0;
  int32_t n = mono_atoms(x, &atoms, 0, &capacity);
  if (n >= 0) n = mono_atoms(y, &atoms, n, &capacity);
  if (n < 0) {
    free(atoms);
    ir_private_of(g)->out_of_memory = true;
    return NULL;
  }
  qsort(atoms, (size_t)n, sizeof *atoms, atom_compare);
  const aoti_sx *mono = atoms[n - 1];
  for (int32_t i = n - 2; i >= 0 && mono; i--) mono = sx_intern(g, AOTI_SX_MUL, 0, 0, atoms[i], mono);
  free(atoms);
  return mono;
}

/* x / y for monomials when y's atoms are a sub-multiset of x's; *out_ok says whether they were. */
static const aoti_sx *mono_div(aoti_graph *g, const aoti_sx *x, const aoti_sx *y, bool *out_ok) {
  *out_ok = false;
  const aoti_sx **xs = NULL, **ys = NULL;
  int32_t xcap = 0, ycap = 0;
  int32_t nx = mono_atoms(x, &xs, 0, &xcap), ny = mono_atoms(y, &ys, 0, &ycap);
  const aoti_sx *result = NULL;
  if (nx >= 0 && ny >= 0) {
    /* Both lists are sorted: walk them together, keeping x's atoms that y does not consume. */
    int32_t kept = 0, j = 0;
    for (int32_t i = 0; i < nx; i++) {
      if (j < ny && xs[i] == ys[j])
        j++;
      else
        xs[kept++] = xs[i];
    }
    if (j == ny) {
      *out_ok = true;
      for (int32_t i = kept - 1; i >= 0; i--)
        result = result ? sx_intern(g, AOTI_SX_MUL, 0, 0, xs[i], result) : xs[i];
    }
  }
  free(xs);
  free(ys);
  return result;
}

const aoti_sx *aoti_sx_add(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (!a || !b) return NULL;
  poly p = {0};
  poly_add_expr(&p, a, 1);
  poly_add_expr(&p, b, 1);
  const aoti_sx *sum = poly_build(g, &p);
  poly_free(&p);
  return sum;
}

const aoti_sx *aoti_sx_sub(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (!a || !b) return NULL;
  poly p = {0};
  poly_add_expr(&p, a, 1);
  poly_add_expr(&p, b, -1);
  const aoti_sx *sum = poly_build(g, &p);
  poly_free(&p);
  return sum;
}

const aoti_sx *aoti_sx_mul(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (!a || !b) return NULL;
  poly pa = {0}, pb = {0}, product = {0};
  poly_add_expr(&pa, a, 1);
  poly_add_expr(&pb, b, 1);
  for (int32_t i = 0; i < pa.count && !pa.failed && !pb.failed; i++) {
    for (int32_t j = 0; j < pb.count; j++) {
      const aoti_sx *mono = mono_mul(g, pa.terms[i].mono, pb.terms[j].mono);
      if (!mono && pa.terms[i].mono) product.failed = true;
      poly_push(&product, pa.terms[i].coef * pb.terms[j].coef, mono);
    }
  }
  product.failed |= pa.failed || pb.failed;
  const aoti_sx *result = poly_build(g, &product);
  poly_free(&pa);
  poly_free(&pb);
  poly_free(&product);
  return result;
}

//===----------------------------------------------------------------------===//
// Division, modulo, min, max
//===----------------------------------------------------------------------===//

/* Python's // and % on int64 (b != 0). */
static int64_t floordiv_i64(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0 - (uint64_t)a); /* INT64_MIN // -1 wraps instead of trapping */
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

static int64_t mod_i64(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

/* Splits `a` by constant c: *out_quotient gets the sum of the terms whose coefficient c divides,
 * divided by c; *out_rest the other terms. floor(a / c) = quotient + floor(rest / c). */
static bool split_by_const(aoti_graph *g, const aoti_sx *a, int64_t c, const aoti_sx **out_quotient,
                           const aoti_sx **out_rest) {
  poly p = {0}, quotient = {0}, rest = {0};
  poly_add_expr(&p, a, 1);
  for (int32_t i = 0; i < p.count; i++) {
    if (p.terms[i].coef % c == 0)
      poly_push(&quotient, p.terms[i].coef / c, p.terms[i].mono);
    else
      poly_push(&rest, p.terms[i].coef, p.terms[i].mono);
  }
  quotient.failed |= p.failed;
  *out_quotient = poly_build(g, &quotient);
  *out_rest = poly_build(g, &rest);
  poly_free(&p);
  poly_free(&quotient);
  poly_free(&rest);
  return *out_quotient && *out_rest;
}

/* a / b when b is a single term (coefficient * monomial) dividing every term of a exactly and b
 * cannot be 0; NULL otherwise. */
static const aoti_sx *exact_quotient(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  int64_t bmin, bmax;
  aoti_sx_bounds(g, b, &bmin, &bmax);
  if (bmin <= 0 && bmax >= 0) return NULL;
  poly pa = {0}, pb = {0}, quotient = {0};
  poly_add_expr(&pa, a, 1);
  poly_add_expr(&pb, b, 1);
  bool ok = !pa.failed && !pb.failed && pb.count == 1 && pb.terms[0].mono && pb.terms[0].coef != 0;
  for (int32_t i = 0; ok && i < pa.count; i++) {
    bool divides = false;
    const aoti_sx *mono = pa.terms[i].mono ? mono_div(g, pa.terms[i].mono, pb.terms[0].mono, &divides) : NULL;
    ok = divides && pa.terms[i].coef % pb.terms[0].coef == 0;
    if (ok) poly_push(&quotient, pa.terms[i].coef / pb.terms[0].coef, mono);
  }
  const aoti_sx *result = ok ? poly_build(g, &quotient) : NULL;
  poly_free(&pa);
  poly_free(&pb);
  poly_free(&quotient);
  return result;
}

static const aoti_sx *floordiv_by_const(aoti_graph *g, const aoti_sx *a, const aoti_sx *b, int64_t c) {
  int64_t amin, amax;
  aoti_sx_bounds(g, a, &amin, &amax);
  if (c > 0 && amin >= 0 && amax < c) return aoti_sx_const(g, 0);
  /* (x // m) // c == x // (m * c) for positive m and c. */
  int64_t m;
  if (c > 0 && a->kind == AOTI_SX_FLOORDIV && aoti_sx_is_const(a->b, &m) && m > 0 && m <= INT64_MAX / c)
    return aoti_sx_floordiv(g, a->a, aoti_sx_const(g, m * c));
  const aoti_sx *quotient, *rest;
  if (!split_by_const(g, a, c, &quotient, &rest)) return NULL;
  if (!aoti_sx_is_const(quotient, &m) || m != 0) return aoti_sx_add(g, quotient, aoti_sx_floordiv(g, rest, b));
  return sx_intern(g, AOTI_SX_FLOORDIV, 0, 0, a, b);
}

const aoti_sx *aoti_sx_floordiv(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (!a || !b) return NULL;
  int64_t x, y;
  bool a_const = aoti_sx_is_const(a, &x), b_const = aoti_sx_is_const(b, &y);
  if (b_const && y == 0) return sx_intern(g, AOTI_SX_FLOORDIV, 0, 0, a, b); /* left for eval to meet */
  if (a_const && b_const) return aoti_sx_const(g, floordiv_i64(x, y));
  if (b_const && y == 1) return a;
  if (a_const && x == 0) return a;
  if (b_const) return floordiv_by_const(g, a, b, y);
  const aoti_sx *exact = exact_quotient(g, a, b);
  return exact ? exact : sx_intern(g, AOTI_SX_FLOORDIV, 0, 0, a, b);
}

const aoti_sx *aoti_sx_mod(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) {
  if (!a || !b) return NULL;
  int64_t x, y;
  bool a_const = aoti_sx_is_const(a, &x), b_const = aoti_sx_is_const(b, &y);
  if (b_const && y == 0) return sx_intern(g, AOTI_SX_MOD, 0, 0, a, b);
  if (a_const && b_const) return aoti_sx_const(g, mod_i64(x, y));
  if ((b_const && (y == 1 || y == -1)) || (a_const && x == 0)) return aoti_sx_const(g, 0);
  if (b_const) {
    /* Terms that are multiples of y do not change a mod y. */
    const aoti_sx *quotient, *rest;
    if (!split_by_const(g, a, y, &quotient, &rest)) return NULL;
    if (aoti_sx_is_const(rest, &x)) return aoti_sx_const(g, mod_i64(x, y));
    int64_t rmin, rmax;
    aoti_sx_bounds(g, rest, &rmin, &rmax);
    if (y > 0 && rmin >= 0 && rmax < y) return rest;
    return sx_intern(g, AOTI_SX_MOD, 0, 0, rest, b);
  }
  if (exact_quotient(g, a, b)) return aoti_sx_const(g, 0);
  return sx_intern(g, AOTI_SX_MOD, 0, 0, a, b);
}

/* Min (want_max false) or Max of a and b: folded when the ranges decide it, otherwise a node with
 * its (commutative) operands in canonical order. */
static const aoti_sx *min_or_max(aoti_graph *g, const aoti_sx *a, const aoti_sx *b, bool want_max) {
  if (!a || !b) return NULL;
  if (a == b) return a;
  int64_t amin, amax, bmin, bmax;
  aoti_sx_bounds(g, a, &amin, &amax);
  aoti_sx_bounds(g, b, &bmin, &bmax);
  if (amax <= bmin) return want_max ? b : a;
  if (bmax <= amin) return want_max ? a : b;
  /* The operands' ranges overlap, but their difference may still have one sign (250880*s against
   * 188160*s): decide on it, so that maxima of sizes do not nest and grow. */
  const aoti_sx *d = aoti_sx_sub(g, a, b);
  if (d) {
    int64_t dmin, dmax;
    aoti_sx_bounds(g, d, &dmin, &dmax);
    if (dmin >= 0) return want_max ? a : b;
    if (dmax <= 0) return want_max ? b : a;
  }
  if (sx_compare(a, b) > 0) {
    const aoti_sx *t = a;
    a = b;
    b = t;
  }
  return sx_intern(g, want_max ? AOTI_SX_MAX : AOTI_SX_MIN, 0, 0, a, b);
}

const aoti_sx *aoti_sx_min(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) { return min_or_max(g, a, b, false); }
const aoti_sx *aoti_sx_max(aoti_graph *g, const aoti_sx *a, const aoti_sx *b) { return min_or_max(g, a, b, true); }

//===----------------------------------------------------------------------===//
// Evaluation and bounds
//===----------------------------------------------------------------------===//

int64_t aoti_sx_eval(const aoti_sx *e, const int64_t *syms) {
  if (e->kind == AOTI_SX_CONST) return e->value;
  if (e->kind == AOTI_SX_SYM) return syms[e->sym];
  int64_t a = aoti_sx_eval(e->a, syms), b = aoti_sx_eval(e->b, syms);
  switch (e->kind) {
    /* Unsigned arithmetic: sizes never overflow in practice, and wrapping is defined. */
    case AOTI_SX_ADD: return (int64_t)((uint64_t)a + (uint64_t)b);
    case AOTI_SX_MUL: return (int64_t)((uint64_t)a * (uint64_t)b);
    case AOTI_SX_FLOORDIV: return b == 0 ? 0 : floordiv_i64(a, b);
    case AOTI_SX_MOD: return b == 0 ? 0 : mod_i64(a, b);
    case AOTI_SX_MIN: return a < b ? a : b;
    case AOTI_SX_MAX: return a > b ? a : b;
    default: return 0;
  }
}

static int64_t sat_add(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_add_overflow(a, b, &r)) return r;
  return a > 0 ? INT64_MAX : INT64_MIN;
}

static int64_t sat_mul(int64_t a, int64_t b) {
  int64_t r;
  if (!__builtin_mul_overflow(a, b, &r)) return r;
  return (a > 0) == (b > 0) ? INT64_MAX : INT64_MIN;
}

/* Smallest and largest of four corner values. */
static void corners(const int64_t v[4], int64_t *out_min, int64_t *out_max) {
  *out_min = *out_max = v[0];
  for (int i = 1; i < 4; i++) {
    if (v[i] < *out_min) *out_min = v[i];
    if (v[i] > *out_max) *out_max = v[i];
  }
}

static void mod_bounds(int64_t amin, int64_t amax, int64_t bmin, int64_t bmax, int64_t *lo, int64_t *hi) {
  if (bmin > 0) {
    /* Result in [0, b-1]; a already inside that range passes through unchanged. */
    *lo = 0;
    *hi = bmax - 1;
    if (amin >= 0 && amax < bmin) {
      *lo = amin;
      *hi = amax;
    }
  } else if (bmax < 0) {
    *lo = bmin + 1;
    *hi = 0;
  } else {
    *lo = INT64_MIN;
    *hi = INT64_MAX;
  }
}

void aoti_sx_bounds(const aoti_graph *g, const aoti_sx *e, int64_t *out_min, int64_t *out_max) {
  if (e->kind == AOTI_SX_CONST) {
    *out_min = *out_max = e->value;
    return;
  }
  if (e->kind == AOTI_SX_SYM) {
    bool known = e->sym >= 0 && e->sym < g->num_symbols; /* verify reports unknown ones */
    *out_min = known ? g->symbols[e->sym].min : INT64_MIN;
    *out_max = known ? g->symbols[e->sym].max : INT64_MAX;
    return;
  }
  int64_t al, ah, bl, bh;
  aoti_sx_bounds(g, e->a, &al, &ah);
  aoti_sx_bounds(g, e->b, &bl, &bh);
  switch (e->kind) {
    case AOTI_SX_ADD:
      *out_min = sat_add(al, bl);
      *out_max = sat_add(ah, bh);
      return;
    case AOTI_SX_MUL: {
      int64_t v[4] = {sat_mul(al, bl), sat_mul(al, bh), sat_mul(ah, bl), sat_mul(ah, bh)};
      corners(v, out_min, out_max);
      return;
    }
    case AOTI_SX_FLOORDIV:
      if (bl > 0 || bh < 0) {
        /* floor(a / b) is monotonic in each operand when b keeps its sign: the corners bound it. */
        int64_t v[4] = {floordiv_i64(al, bl), floordiv_i64(al, bh), floordiv_i64(ah, bl), floordiv_i64(ah, bh)};
        corners(v, out_min, out_max);
      } else {
        *out_min = INT64_MIN;
        *out_max = INT64_MAX;
      }
      return;
    case AOTI_SX_MOD: mod_bounds(al, ah, bl, bh, out_min, out_max); return;
    case AOTI_SX_MIN:
      *out_min = al < bl ? al : bl;
      *out_max = ah < bh ? ah : bh;
      return;
    case AOTI_SX_MAX:
      *out_min = al > bl ? al : bl;
      *out_max = ah > bh ? ah : bh;
      return;
    default: *out_min = INT64_MIN; *out_max = INT64_MAX; return;
  }
}

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

/* snprintf into a buffer that may be too small, keeping the total length needed. */
typedef struct out_buf {
  char *buf;
  size_t size;
  size_t len; /* needed so far */
} out_buf;

static void out_printf(out_buf *o, const char *fmt, ...) AOTI_PRINTF(2, 3);
static void out_printf(out_buf *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = o->len < o->size ? o->size - o->len : 0;
  int n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
  va_end(ap);
  if (n > 0) o->len += (size_t)n;
}

typedef struct printer {
  const aoti_graph *g;
  const char *const *sym_names;
  bool as_c;
} printer;

static void print_sx(const printer *pr, const aoti_sx *e, out_buf *o);

static void print_const(const printer *pr, int64_t v, out_buf *o) {
  if (!pr->as_c)
    out_printf(o, "%lld", (long long)v);
  else if (v == INT64_MIN)
    out_printf(o, "INT64_MIN");
  else if (v < 0)
    out_printf(o, "(-(int64_t)%lld)", -(long long)v);
  else if (v > INT32_MAX)
    out_printf(o, "((int64_t)%lld)", (long long)v);
  else
    out_printf(o, "%lld", (long long)v);
}

/* A term of a sum; `first` says whether it starts the sum (negatives then print "-"). */
static void print_term(const printer *pr, const aoti_sx *t, bool first, out_buf *o) {
  int64_t coef = 1;
  const aoti_sx *mono = t;
  if (t->kind == AOTI_SX_CONST) {
    coef = t->value;
    mono = NULL;
  } else if (t->kind == AOTI_SX_MUL && t->a->kind == AOTI_SX_CONST) {
    coef = t->a->value;
    mono = t->b;
  }
  if (pr->as_c) {
    if (!first) out_printf(o, " + ");
    if (!mono) {
      print_const(pr, coef, o);
    } else if (coef == 1) {
      print_sx(pr, mono, o);
    } else {
      print_const(pr, coef, o);
      out_printf(o, "*");
      print_sx(pr, mono, o);
    }
    return;
  }
  bool negative = coef < 0 && coef != INT64_MIN;
  uint64_t magnitude = negative ? (uint64_t)-coef : (uint64_t)coef;
  out_printf(o, "%s", first ? (negative ? "-" : "") : (negative ? " - " : " + "));
  if (!mono)
    out_printf(o, "%llu", (unsigned long long)magnitude);
  else if (magnitude == 1)
    print_sx(pr, mono, o);
  else {
    out_printf(o, "%llu*", (unsigned long long)magnitude);
    print_sx(pr, mono, o);
  }
}

/* Python floor division and modulo written without helpers, so the generated code needs none:
 * C's truncating / and % corrected by one when the signs differ and the division is inexact. When
 * a is known non-negative and b a positive constant, plain / and % already agree with Python. */
static void print_floordiv_or_mod(const printer *pr, const aoti_sx *e, out_buf *o) {
  int64_t amin, amax, b;
  aoti_sx_bounds(pr->g, e->a, &amin, &amax);
  const char *op = e->kind == AOTI_SX_FLOORDIV ? "/" : "%";
  if (!pr->as_c) {
    if (e->kind == AOTI_SX_FLOORDIV) {
      /* A product divisor needs parentheses: s1//2*s0 would read as (s1//2)*s0. */
      bool wrap = e->b->kind == AOTI_SX_MUL;
      out_printf(o, "(");
      print_sx(pr, e->a, o);
      out_printf(o, wrap ? "//(" : "//");
      print_sx(pr, e->b, o);
      out_printf(o, wrap ? "))" : ")");
    } else {
      out_printf(o, "Mod(");
      print_sx(pr, e->a, o);
      out_printf(o, ", ");
      print_sx(pr, e->b, o);
      out_printf(o, ")");
    }
    return;
  }
  if (aoti_sx_is_const(e->b, &b) && b > 0 && amin >= 0) {
    out_printf(o, "((");
    print_sx(pr, e->a, o);
    out_printf(o, ") %s %lld)", op, (long long)b);
    return;
  }
  /* q = a / b - (a % b != 0 && (a < 0) != (b < 0));  r = a % b + (r0 != 0 && (r0 < 0) != (b < 0) ? b : 0) */
  const aoti_sx *a = e->a, *d = e->b;
  out_printf(o, "((");
  print_sx(pr, a, o);
  out_printf(o, ") %s (", op);
  print_sx(pr, d, o);
  out_printf(o, ") %s ((((", e->kind == AOTI_SX_FLOORDIV ? "-" : "+");
  print_sx(pr, a, o);
  out_printf(o, ") %% (");
  print_sx(pr, d, o);
  out_printf(o, ")) != 0 && ((");
  if (e->kind == AOTI_SX_FLOORDIV)
    print_sx(pr, a, o);
  else {
    out_printf(o, "(");
    print_sx(pr, a, o);
    out_printf(o, ") %% (");
    print_sx(pr, d, o);
    out_printf(o, ")");
  }
  out_printf(o, ") < 0) != ((");
  print_sx(pr, d, o);
  if (e->kind == AOTI_SX_FLOORDIV) {
    out_printf(o, ") < 0)) ? 1 : 0))");
  } else {
    out_printf(o, ") < 0)) ? (");
    print_sx(pr, d, o);
    out_printf(o, ") : 0))");
  }
}

static void print_sx(const printer *pr, const aoti_sx *e, out_buf *o) {
  switch (e->kind) {
    case AOTI_SX_CONST: print_const(pr, e->value, o); return;
    case AOTI_SX_SYM: {
      const char *name = e->sym >= 0 && e->sym < pr->g->num_symbols ? pr->sym_names[e->sym] : "?";
      out_printf(o, "%s", name);
      return;
    }
    case AOTI_SX_ADD:
      out_printf(o, "(");
      print_term(pr, e->a, true, o);
      for (e = e->b; e->kind == AOTI_SX_ADD; e = e->b) print_term(pr, e->a, false, o);
      print_term(pr, e, false, o);
      out_printf(o, ")");
      return;
    case AOTI_SX_MUL:
      if (e->a->kind == AOTI_SX_CONST) {
        print_term(pr, e, true, o);
        return;
      }
      print_sx(pr, e->a, o);
      out_printf(o, "*");
      print_sx(pr, e->b, o);
      return;
    case AOTI_SX_FLOORDIV:
    case AOTI_SX_MOD: print_floordiv_or_mod(pr, e, o); return;
    case AOTI_SX_MIN:
    case AOTI_SX_MAX: {
      bool is_max = e->kind == AOTI_SX_MAX;
      if (!pr->as_c) {
        out_printf(o, "%s(", is_max ? "Max" : "Min");
        print_sx(pr, e->a, o);
        out_printf(o, ", ");
        print_sx(pr, e->b, o);
        out_printf(o, ")");
        return;
      }
      out_printf(o, "((");
      print_sx(pr, e->a, o);
      out_printf(o, ") %s (", is_max ? ">" : "<");
      print_sx(pr, e->b, o);
      out_printf(o, ") ? (");
      print_sx(pr, e->a, o);
      out_printf(o, ") : (");
      print_sx(pr, e->b, o);
      out_printf(o, "))");
      return;
    }
  }
}

/* Writes `e`; a top-level sum prints without its surrounding parentheses. */
static int print_top(const printer *pr, const aoti_sx *e, char *buf, size_t size) {
  out_buf o = {buf, size, 0};
  if (size) buf[0] = '\0';
  if (e->kind == AOTI_SX_ADD && !pr->as_c) {
    print_term(pr, e->a, true, &o);
    for (e = e->b; e->kind == AOTI_SX_ADD; e = e->b) print_term(pr, e->a, false, &o);
    print_term(pr, e, false, &o);
  } else {
    print_sx(pr, e, &o);
  }
  return (int)o.len;
}

int aoti_sx_to_c(const aoti_graph *g, const aoti_sx *e, const char *const *sym_names, char *buf, size_t size) {
  printer pr = {g, sym_names, true};
  return print_top(&pr, e, buf, size);
}

int aoti_sx_to_string(const aoti_graph *g, const aoti_sx *e, char *buf, size_t size) {
  const char **names = malloc(((size_t)g->num_symbols + 1) * sizeof *names);
  if (!names) {
    if (size) buf[0] = '\0';
    return 0;
  }
  for (int32_t i = 0; i < g->num_symbols; i++) names[i] = g->symbols[i].name;
  printer pr = {g, names, false};
  int n = print_top(&pr, e, buf, size);
  free(names);
  return n;
}
