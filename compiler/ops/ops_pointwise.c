/* ops_pointwise.c — the pointwise family of the op table: activations, arithmetic with tensors
 * and scalars, comparisons, logical and bitwise ops, where/masked_fill, casts, fills and
 * generators (full, *_like, arange), dropout/contiguous (identities, decomposed).
 *
 * Rows and their shape functions. Declarations are facts copied from PyTorch 2.15
 * (torch.ops.aten.<op>.<overload>._schema, namespace dropped). In-place variants (relu_, add_,
 * masked_fill_, fill_ ...) compute the same value as the functional op; the functionalize pass
 * rewires later uses of the mutated input. Expressions: see aoti_op.pointwise (ops.h); the
 * dtype-dependent forms (integer division, remainder, gelu's tanh form, clamp's optional bounds)
 * are chosen by codegen (codegen_nodes.c) from the op's name. Output dtypes follow torch's
 * result_type (aoti_ops_result_type). */
#include <math.h>
#include <string.h>

#include "ops/ops_private.h"

typedef const aoti_sx *dims_out[AOTI_MAX_RANK];

/* The `dtype` argument when given, else `fallback`. */
static aoti_dtype dtype_arg(const aoti_node *n, aoti_dtype fallback) {
  const aoti_arg *a = aoti_op_arg(n, "dtype");
  return a && a->kind == AOTI_ARG_SCALAR_TYPE ? (aoti_dtype)a->i : fallback;
}

static aoti_status emit_shape(aoti_dtype dtype, int32_t rank, const aoti_sx *const *dims, aoti_dtype *out_dtypes,
                              int32_t *out_ranks, dims_out *out_dims) {
  aoti_ops_set_output(0, dtype, rank, dims, out_dtypes, out_ranks, out_dims);
  return AOTI_OK;
}

/* Comparisons and logical ops: the broadcast shape, bool. */
static aoti_status shape_compare(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 dims_out *out_dims) {
  return aoti_ops_broadcast_shape(g, n, 2, AOTI_DTYPE_BOOL, out_dtypes, out_ranks, out_dims);
}

/* where(condition, self, other): the three broadcast, self and other's result type. */
static aoti_status shape_where(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                               dims_out *out_dims) {
  return aoti_ops_broadcast_shape(g, n, 3, aoti_ops_result_type(&n->args[1], 2), out_dtypes, out_ranks, out_dims);
}

/* masked_fill(self, mask, value): self and mask broadcast, self's dtype. */
static aoti_status shape_masked_fill(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                     dims_out *out_dims) {
  return aoti_ops_broadcast_shape(g, n, 2, n->args[0].tensor->dtype, out_dtypes, out_ranks, out_dims);
}

/* div with rounding_mode: None is true division (float); trunc/floor keep the result type. */
static aoti_status shape_div_mode(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                  dims_out *out_dims) {
  const aoti_arg *mode = aoti_op_arg(n, "rounding_mode");
  if (!mode || mode->kind == AOTI_ARG_NONE) return aoti_shape_broadcast_div(g, n, out_dtypes, out_ranks, out_dims);
  return aoti_shape_broadcast(g, n, out_dtypes, out_ranks, out_dims);
}

/* Casts (_to_copy, to.*): self's shape, the `dtype` argument (self's dtype when absent). */
static aoti_status shape_cast(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              dims_out *out_dims) {
  (void)g;
  const aoti_value *self = n->args[0].tensor;
  return emit_shape(dtype_arg(n, self->dtype), self->rank, self->dims, out_dtypes, out_ranks, out_dims);
}

/* type_as(self, other): self's shape, other's dtype. */
static aoti_status shape_type_as(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                 dims_out *out_dims) {
  (void)g;
  const aoti_value *self = n->args[0].tensor;
  return emit_shape(n->args[1].tensor->dtype, self->rank, self->dims, out_dtypes, out_ranks, out_dims);
}

/* The `size` list argument (SymInt[]) into dims. */
static aoti_status size_dims(const aoti_node *n, const aoti_arg *size, int32_t *out_rank, const aoti_sx **dims) {
  if (!size || size->kind != AOTI_ARG_LIST || size->count > AOTI_MAX_RANK)
    return aoti_ops_node_error(n, "size must be a list of at most %d sizes", AOTI_MAX_RANK);
  for (int32_t d = 0; d < size->count; d++) {
    int64_t v = 0;
    if (aoti_sx_is_const(size->list[d].sx, &v) && v < 0)
      return aoti_ops_node_error(n, "size %lld at dim %d is negative", (long long)v, d);
    dims[d] = size->list[d].sx;
  }
  *out_rank = size->count;
  return AOTI_OK;
}

/* The default dtype of a tensor filled with a Scalar: bool, int64 or float32 (torch.full). */
static aoti_dtype scalar_dtype(const aoti_arg *a) {
  if (a && a->kind == AOTI_ARG_BOOL) return AOTI_DTYPE_BOOL;
  if (a && (a->kind == AOTI_ARG_INT || a->kind == AOTI_ARG_SYMINT)) return AOTI_DTYPE_INT64;
  return AOTI_DTYPE_FLOAT32;
}

/* full(size, fill_value, dtype?). */
static aoti_status shape_full(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                              dims_out *out_dims) {
  (void)g;
  int32_t rank = 0;
  const aoti_sx *dims[AOTI_MAX_RANK];
  aoti_status st = size_dims(n, aoti_op_arg(n, "size"), &rank, dims);
  if (st != AOTI_OK) return st;
  return emit_shape(dtype_arg(n, scalar_dtype(aoti_op_arg(n, "fill_value"))), rank, dims, out_dtypes, out_ranks,
                    out_dims);
}

/* full_like / zeros_like / ones_like / fill_.Scalar: self's shape, dtype? or self's. */
static aoti_status shape_fill_like(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                   dims_out *out_dims) {
  return shape_cast(g, n, out_dtypes, out_ranks, out_dims);
}

/* new_zeros / new_ones / new_full(self, size, ..., dtype?): the size, dtype? or self's. */
static aoti_status shape_new_fill(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                  dims_out *out_dims) {
  (void)g;
  int32_t rank = 0;
  const aoti_sx *dims[AOTI_MAX_RANK];
  aoti_status st = size_dims(n, aoti_op_arg(n, "size"), &rank, dims);
  if (st != AOTI_OK) return st;
  return emit_shape(dtype_arg(n, n->args[0].tensor->dtype), rank, dims, out_dtypes, out_ranks, out_dims);
}

/* scalar_tensor(s, dtype?): 0-d, float32 unless told. */
static aoti_status shape_scalar_tensor(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes,
                                       int32_t *out_ranks, dims_out *out_dims) {
  (void)g;
  return emit_shape(dtype_arg(n, AOTI_DTYPE_FLOAT32), 0, NULL, out_dtypes, out_ranks, out_dims);
}

/* One of arange's bounds: a constant number, or a size expression (integer, maybe symbolic). */
typedef struct bound {
  bool is_int;
  double number;
  const aoti_sx *sx; /* integers only */
} bound;

static bool read_bound(aoti_graph *g, const aoti_arg *a, double fallback, bound *out) {
  int64_t v = 0;
  if (!a) {
    *out = (bound){true, fallback, aoti_sx_const(g, (int64_t)fallback)};
    return true;
  }
  switch (a->kind) {
    case AOTI_ARG_INT: *out = (bound){true, (double)a->i, aoti_sx_const(g, a->i)}; return true;
    case AOTI_ARG_SYMINT:
      *out = (bound){true, aoti_sx_is_const(a->sx, &v) ? (double)v : NAN, a->sx};
      return true;
    case AOTI_ARG_FLOAT: *out = (bound){false, a->f, NULL}; return true;
    default: return false;
  }
}

/* arange(start=0, end, step=1, dtype?): ceil((end - start) / step) elements, int64 when every
 * bound is an integer (float32 otherwise). A symbolic end needs integer start and step. */
static aoti_status shape_arange(aoti_graph *g, const aoti_node *n, aoti_dtype *out_dtypes, int32_t *out_ranks,
                                dims_out *out_dims) {
  bound start, end, step;
  if (!read_bound(g, aoti_op_arg(n, "start"), 0.0, &start) || !read_bound(g, aoti_op_arg(n, "end"), 0.0, &end) ||
      !read_bound(g, aoti_op_arg(n, "step"), 1.0, &step))
    return aoti_ops_node_error(n, "arange bounds must be numbers");
  const bool ints = start.is_int && end.is_int && step.is_int;
  const aoti_dtype dtype = dtype_arg(n, ints ? AOTI_DTYPE_INT64 : AOTI_DTYPE_FLOAT32);
  const aoti_sx *size = NULL;
  if (!isnan(start.number) && !isnan(end.number) && !isnan(step.number)) {
    if (step.number == 0.0) return aoti_ops_node_error(n, "arange step must be nonzero");
    double count = ceil((end.number - start.number) / step.number);
    size = aoti_sx_const(g, count > 0 ? (int64_t)count : 0);
  } else if (ints && !isnan(start.number) && !isnan(step.number) && step.number > 0) {
    const aoti_sx *s = aoti_sx_const(g, (int64_t)step.number);
    /* ceil((end - start) / step) = floor((end - start + step - 1) / step) */
    const aoti_sx *span = aoti_sx_add(g, aoti_sx_sub(g, end.sx, start.sx), aoti_sx_const(g, (int64_t)step.number - 1));
    size = aoti_sx_max(g, aoti_sx_floordiv(g, span, s), aoti_sx_const(g, 0));
  } else {
    return aoti_ops_node_error(n, "arange with a symbolic bound needs an integer start and a positive "
                               "integer step");
  }
  if (!size) return aoti_error_set(AOTI_ERROR_OUT_OF_MEMORY, "out of memory in node '%s'", n->name);
  return emit_shape(dtype, 1, &size, out_dtypes, out_ranks, out_dims);
}

/* The C expressions below read operands converted to the computation type (ops.h). */
#define UNARY(name, decl, shape, expr) {ATEN name, decl, shape, AOTI_LOWER_UNARY, expr}
#define BINARY(name, decl, shape, expr) {ATEN name, decl, shape, AOTI_LOWER_BINARY, expr}
#define TERNARY(name, decl, shape, expr) {ATEN name, decl, shape, AOTI_LOWER_TERNARY, expr}
#define FILL(name, decl, shape, expr) {ATEN name, decl, shape, AOTI_LOWER_FILL, expr}

#define HARDTANH "(a < min_val ? min_val : a > max_val ? max_val : a)"
/* x * min(max(x + 3, 0), 6) / 6 and min(max(x + 3, 0), 6) / 6 (torch's definitions). */
#define HARDSWISH "(a * (a + 3.0f < 0.0f ? 0.0f : a + 3.0f > 6.0f ? 6.0f : a + 3.0f) / 6.0f)"
#define HARDSIGMOID "((a + 3.0f < 0.0f ? 0.0f : a + 3.0f > 6.0f ? 6.0f : a + 3.0f) / 6.0f)"
/* The float32 transcendental functions are templates/kernels/math.c's (they vectorise; codegen maps
 * them to libm for float64). */
#define SILU "aoti_siluf(a)"
#define SIGMOID "aoti_sigmoidf(a)"
#define REMAINDER "(fmodf(a, b) != 0 && ((b < 0) != (fmodf(a, b) < 0)) ? fmodf(a, b) + b : fmodf(a, b))"
/* gelu, approximate='none': x/2 (1 + erf(x / sqrt 2)); 'tanh' is chosen by codegen. */
#define GELU "aoti_gelu_erff(a)"

static const aoti_op kRows[] = {
    /* Activations. */
    UNARY("relu_.default", "relu_(Tensor(a!) self) -> Tensor(a!)", aoti_shape_same, "(a < 0 ? 0 : a)"),
    UNARY("relu6.default", "relu6(Tensor self) -> Tensor", aoti_shape_same, "(a < 0 ? 0 : a > 6 ? 6 : a)"),
    UNARY("hardtanh.default", "hardtanh(Tensor self, Scalar min_val=-1, Scalar max_val=1) -> Tensor",
          aoti_shape_same, HARDTANH),
    UNARY("hardtanh_.default", "hardtanh_(Tensor(a!) self, Scalar min_val=-1, Scalar max_val=1) -> Tensor(a!)",
          aoti_shape_same, HARDTANH),
    UNARY("hardswish.default", "hardswish(Tensor self) -> Tensor", aoti_shape_same_float, HARDSWISH),
    UNARY("hardswish_.default", "hardswish_(Tensor(a!) self) -> Tensor(a!)", aoti_shape_same_float, HARDSWISH),
    UNARY("hardsigmoid.default", "hardsigmoid(Tensor self) -> Tensor", aoti_shape_same_float, HARDSIGMOID),
    UNARY("hardsigmoid_.default", "hardsigmoid_(Tensor(a!) self) -> Tensor(a!)", aoti_shape_same_float,
          HARDSIGMOID),
    UNARY("silu.default", "silu(Tensor self) -> Tensor", aoti_shape_same_float, SILU),
    UNARY("silu_.default", "silu_(Tensor(a!) self) -> Tensor(a!)", aoti_shape_same_float, SILU),
    UNARY("sigmoid_.default", "sigmoid_(Tensor(a!) self) -> Tensor(a!)", aoti_shape_same_float, SIGMOID),
    UNARY("gelu.default", "gelu(Tensor self, *, str approximate=\"none\") -> Tensor", aoti_shape_same_float, GELU),
    UNARY("gelu_.default", "gelu_(Tensor(a!) self, *, str approximate=\"none\") -> Tensor(a!)",
          aoti_shape_same_float, GELU),
    UNARY("leaky_relu.default", "leaky_relu(Tensor self, Scalar negative_slope=0.01) -> Tensor",
          aoti_shape_same_float, "(a > 0.0f ? a : a * negative_slope)"),
    /* Math. */
    UNARY("tanh.default", "tanh(Tensor self) -> Tensor", aoti_shape_same_float, "aoti_tanhf(a)"),
    UNARY("tanh_.default", "tanh_(Tensor(a!) self) -> Tensor(a!)", aoti_shape_same_float, "aoti_tanhf(a)"),
    UNARY("exp.default", "exp(Tensor self) -> Tensor", aoti_shape_same_float, "aoti_expf(a)"),
    UNARY("log.default", "log(Tensor self) -> Tensor", aoti_shape_same_float, "aoti_logf(a)"),
    UNARY("sqrt.default", "sqrt(Tensor self) -> Tensor", aoti_shape_same_float, "sqrtf(a)"),
    UNARY("rsqrt.default", "rsqrt(Tensor self) -> Tensor", aoti_shape_same_float, "(1.0f / sqrtf(a))"),
    UNARY("erf.default", "erf(Tensor self) -> Tensor", aoti_shape_same_float, "aoti_erff(a)"),
    UNARY("sin.default", "sin(Tensor self) -> Tensor", aoti_shape_same_float, "sinf(a)"),
    UNARY("cos.default", "cos(Tensor self) -> Tensor", aoti_shape_same_float, "cosf(a)"),
    UNARY("reciprocal.default", "reciprocal(Tensor self) -> Tensor", aoti_shape_same_float, "(1.0f / a)"),
    UNARY("neg.default", "neg(Tensor self) -> Tensor", aoti_shape_same, "(-a)"),
    UNARY("abs.default", "abs(Tensor self) -> Tensor", aoti_shape_same, "fabsf(a)"),
    UNARY("floor.default", "floor(Tensor self) -> Tensor", aoti_shape_same, "floorf(a)"),
    UNARY("ceil.default", "ceil(Tensor self) -> Tensor", aoti_shape_same, "ceilf(a)"),
    UNARY("trunc.default", "trunc(Tensor self) -> Tensor", aoti_shape_same, "truncf(a)"),
    /* Half to even, like torch.round: the default rounding mode. */
    UNARY("round.default", "round(Tensor self) -> Tensor", aoti_shape_same, "nearbyintf(a)"),
    UNARY("square.default", "square(Tensor self) -> Tensor", aoti_shape_same, "(a * a)"),
    BINARY("pow.Tensor_Scalar", "pow.Tensor_Scalar(Tensor self, Scalar exponent) -> Tensor", aoti_shape_broadcast,
           "powf(a, b)"),
    BINARY("pow.Tensor_Tensor", "pow.Tensor_Tensor(Tensor self, Tensor exponent) -> Tensor", aoti_shape_broadcast,
           "powf(a, b)"),
    /* Bounds; clamp's optional ones are chosen by codegen. NaN stays NaN (no comparison holds). */
    UNARY("clamp.default", "clamp(Tensor self, Scalar? min=None, Scalar? max=None) -> Tensor", aoti_shape_same,
          "(a < min ? min : a > max ? max : a)"),
    UNARY("clamp_.default", "clamp_(Tensor(a!) self, Scalar? min=None, Scalar? max=None) -> Tensor(a!)",
          aoti_shape_same, "(a < min ? min : a > max ? max : a)"),
    UNARY("clamp_min.default", "clamp_min(Tensor self, Scalar min) -> Tensor", aoti_shape_same, "(a < min ? min : a)"),
    UNARY("clamp_max.default", "clamp_max(Tensor self, Scalar max) -> Tensor", aoti_shape_same, "(a > max ? max : a)"),
    /* Arithmetic (add/sub/mul/div.Tensor are in ops_core.c). */
    BINARY("add.Scalar", "add.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor", aoti_shape_broadcast,
           "(a + alpha * b)"),
    BINARY("sub.Scalar", "sub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor", aoti_shape_broadcast,
           "(a - alpha * b)"),
    BINARY("mul.Scalar", "mul.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast, "(a * b)"),
    BINARY("div.Scalar", "div.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast_div, "(a / b)"),
    BINARY("div.Tensor_mode", "div.Tensor_mode(Tensor self, Tensor other, *, str? rounding_mode) -> Tensor",
           shape_div_mode, "(a / b)"),
    BINARY("div.Scalar_mode", "div.Scalar_mode(Tensor self, Scalar other, *, str? rounding_mode) -> Tensor",
           shape_div_mode, "(a / b)"),
    BINARY("add_.Tensor", "add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
           aoti_shape_broadcast, "(a + alpha * b)"),
    BINARY("add_.Scalar", "add_.Scalar(Tensor(a!) self, Scalar other, Scalar alpha=1) -> Tensor(a!)",
           aoti_shape_broadcast, "(a + alpha * b)"),
    BINARY("sub_.Tensor", "sub_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)",
           aoti_shape_broadcast, "(a - alpha * b)"),
    BINARY("mul_.Tensor", "mul_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)", aoti_shape_broadcast,
           "(a * b)"),
    BINARY("mul_.Scalar", "mul_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)", aoti_shape_broadcast,
           "(a * b)"),
    BINARY("div_.Tensor", "div_.Tensor(Tensor(a!) self, Tensor other) -> Tensor(a!)", aoti_shape_broadcast_div,
           "(a / b)"),
    BINARY("div_.Scalar", "div_.Scalar(Tensor(a!) self, Scalar other) -> Tensor(a!)", aoti_shape_broadcast_div,
           "(a / b)"),
    BINARY("rsub.Scalar", "rsub.Scalar(Tensor self, Scalar other, Scalar alpha=1) -> Tensor", aoti_shape_broadcast,
           "(b - alpha * a)"),
    BINARY("rsub.Tensor", "rsub.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor",
           aoti_shape_broadcast, "(b - alpha * a)"),
    /* fmod/remainder: the float forms (remainder as ATen's CPU kernel: fmod, moved to the divisor's
     * sign); codegen uses % for integers. */
    BINARY("fmod.Scalar", "fmod.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast, "fmodf(a, b)"),
    BINARY("fmod.Tensor", "fmod.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast, "fmodf(a, b)"),
    BINARY("remainder.Scalar", "remainder.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast,
           REMAINDER),
    BINARY("remainder.Tensor", "remainder.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast,
           REMAINDER),
    /* NaN-propagating, like torch.maximum/minimum. */
    BINARY("maximum.default", "maximum(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast,
           "(a != a || a > b ? a : b)"),
    BINARY("minimum.default", "minimum(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast,
           "(a != a || a < b ? a : b)"),
    /* Comparisons: computed in the operands' result type, bool out. */
    BINARY("eq.Tensor", "eq.Tensor(Tensor self, Tensor other) -> Tensor", shape_compare, "(a == b)"),
    BINARY("eq.Scalar", "eq.Scalar(Tensor self, Scalar other) -> Tensor", shape_compare, "(a == b)"),
    BINARY("ne.Tensor", "ne.Tensor(Tensor self, Tensor other) -> Tensor", shape_compare, "(a != b)"),
    BINARY("ne.Scalar", "ne.Scalar(Tensor self, Scalar other) -> Tensor", shape_compare, "(a != b)"),
    BINARY("lt.Tensor", "lt.Tensor(Tensor self, Tensor other) -> Tensor", shape_compare, "(a < b)"),
    BINARY("lt.Scalar", "lt.Scalar(Tensor self, Scalar other) -> Tensor", shape_compare, "(a < b)"),
    BINARY("le.Tensor", "le.Tensor(Tensor self, Tensor other) -> Tensor", shape_compare, "(a <= b)"),
    BINARY("le.Scalar", "le.Scalar(Tensor self, Scalar other) -> Tensor", shape_compare, "(a <= b)"),
    BINARY("gt.Tensor", "gt.Tensor(Tensor self, Tensor other) -> Tensor", shape_compare, "(a > b)"),
    BINARY("gt.Scalar", "gt.Scalar(Tensor self, Scalar other) -> Tensor", shape_compare, "(a > b)"),
    BINARY("ge.Tensor", "ge.Tensor(Tensor self, Tensor other) -> Tensor", shape_compare, "(a >= b)"),
    BINARY("ge.Scalar", "ge.Scalar(Tensor self, Scalar other) -> Tensor", shape_compare, "(a >= b)"),
    /* Logical and bitwise (bitwise_not of bool is chosen by codegen). */
    UNARY("logical_not.default", "logical_not(Tensor self) -> Tensor", shape_compare, "(!a)"),
    BINARY("logical_and.default", "logical_and(Tensor self, Tensor other) -> Tensor", shape_compare,
           "(a != 0 && b != 0)"),
    BINARY("logical_or.default", "logical_or(Tensor self, Tensor other) -> Tensor", shape_compare,
           "(a != 0 || b != 0)"),
    BINARY("logical_xor.default", "logical_xor(Tensor self, Tensor other) -> Tensor", shape_compare,
           "((a != 0) != (b != 0))"),
    BINARY("bitwise_and.Tensor", "bitwise_and.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast,
           "(a & b)"),
    BINARY("bitwise_and.Scalar", "bitwise_and.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast,
           "(a & b)"),
    BINARY("bitwise_or.Tensor", "bitwise_or.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast,
           "(a | b)"),
    BINARY("bitwise_or.Scalar", "bitwise_or.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast,
           "(a | b)"),
    BINARY("bitwise_xor.Tensor", "bitwise_xor.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast,
           "(a ^ b)"),
    UNARY("bitwise_not.default", "bitwise_not(Tensor self) -> Tensor", aoti_shape_same, "(~a)"),
    BINARY("__and__.Tensor", "__and__.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast, "(a & b)"),
    BINARY("__or__.Tensor", "__or__.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast, "(a | b)"),
    BINARY("__xor__.Tensor", "__xor__.Tensor(Tensor self, Tensor other) -> Tensor", aoti_shape_broadcast, "(a ^ b)"),
    BINARY("__and__.Scalar", "__and__.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast, "(a & b)"),
    BINARY("__or__.Scalar", "__or__.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast, "(a | b)"),
    BINARY("__xor__.Scalar", "__xor__.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast, "(a ^ b)"),
    BINARY("bitwise_xor.Scalar", "bitwise_xor.Scalar(Tensor self, Scalar other) -> Tensor", aoti_shape_broadcast,
           "(a ^ b)"),
    /* Selection. */
    TERNARY("where.self", "where.self(Tensor condition, Tensor self, Tensor other) -> Tensor", shape_where,
            "(a ? b : c)"),
    TERNARY("where.ScalarOther", "where.ScalarOther(Tensor condition, Tensor self, Scalar other) -> Tensor",
            shape_where, "(a ? b : c)"),
    TERNARY("where.ScalarSelf", "where.ScalarSelf(Tensor condition, Scalar self, Tensor other) -> Tensor",
            shape_where, "(a ? b : c)"),
    TERNARY("masked_fill.Scalar", "masked_fill.Scalar(Tensor self, Tensor mask, Scalar value) -> Tensor",
            shape_masked_fill, "(b ? c : a)"),
    TERNARY("masked_fill.Tensor", "masked_fill.Tensor(Tensor self, Tensor mask, Tensor value) -> Tensor",
            shape_masked_fill, "(b ? c : a)"),
    TERNARY("masked_fill_.Scalar", "masked_fill_.Scalar(Tensor(a!) self, Tensor mask, Scalar value) -> Tensor(a!)",
            shape_masked_fill, "(b ? c : a)"),
    TERNARY("masked_fill_.Tensor", "masked_fill_.Tensor(Tensor(a!) self, Tensor mask, Tensor value) -> Tensor(a!)",
            shape_masked_fill, "(b ? c : a)"),
    /* Casts: the value converted to the output dtype (C's conversions truncate toward zero and map
     * nonzero to true, as torch does). The device must be the CPU (checked by codegen). */
    UNARY("_to_copy.default",
          "_to_copy(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
          "bool? pin_memory=None, bool non_blocking=False, MemoryFormat? memory_format=None) -> Tensor",
          shape_cast, "a"),
    UNARY("to.dtype",
          "to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False, bool copy=False, "
          "MemoryFormat? memory_format=None) -> Tensor(a)",
          shape_cast, "a"),
    UNARY("to.dtype_layout",
          "to.dtype_layout(Tensor(a) self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
          "bool? pin_memory=None, bool non_blocking=False, bool copy=False, MemoryFormat? memory_format=None) "
          "-> Tensor(a)",
          shape_cast, "a"),
    UNARY("to.device",
          "to.device(Tensor(a) self, Device device, ScalarType dtype, bool non_blocking=False, bool copy=False, "
          "MemoryFormat? memory_format=None) -> Tensor(a)",
          shape_cast, "a"),
    UNARY("type_as.default", "type_as(Tensor self, Tensor other) -> Tensor", shape_type_as, "a"),
    /* Identities in inference (decompose_pointwise.c). */
    {ATEN "dropout.default", "dropout(Tensor input, float p, bool train) -> Tensor", aoti_shape_same,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "dropout_.default", "dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)", aoti_shape_same,
     AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "contiguous.default", "contiguous(Tensor(a) self, *, MemoryFormat memory_format=0) -> Tensor(a)",
     aoti_shape_same, AOTI_LOWER_DECOMPOSE, NULL},
    {ATEN "lift_fresh_copy.default", "lift_fresh_copy(Tensor self) -> Tensor", aoti_shape_same, AOTI_LOWER_COPY,
     NULL},
    /* Fills and generators: `i` is the flat index. */
    FILL("full.default",
         "full(SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, "
         "Device? device=None, bool? pin_memory=None) -> Tensor",
         shape_full, "fill_value"),
    FILL("full_like.default",
         "full_like(Tensor self, Scalar fill_value, *, ScalarType? dtype=None, Layout? layout=None, "
         "Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
         shape_fill_like, "fill_value"),
    FILL("zeros_like.default",
         "zeros_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
         "bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
         shape_fill_like, "0"),
    FILL("ones_like.default",
         "ones_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
         "bool? pin_memory=None, MemoryFormat? memory_format=None) -> Tensor",
         shape_fill_like, "1"),
    FILL("new_zeros.default",
         "new_zeros(Tensor self, SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, "
         "Device? device=None, bool? pin_memory=None) -> Tensor",
         shape_new_fill, "0"),
    FILL("new_ones.default",
         "new_ones(Tensor self, SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, "
         "Device? device=None, bool? pin_memory=None) -> Tensor",
         shape_new_fill, "1"),
    FILL("new_full.default",
         "new_full(Tensor self, SymInt[] size, Scalar fill_value, *, ScalarType? dtype=None, "
         "Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
         shape_new_fill, "fill_value"),
    FILL("zeros.default",
         "zeros(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
         "bool? pin_memory=None) -> Tensor",
         shape_full, "0"),
    FILL("ones.default",
         "ones(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
         "bool? pin_memory=None) -> Tensor",
         shape_full, "1"),
    FILL("scalar_tensor.default",
         "scalar_tensor(Scalar s, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
         "bool? pin_memory=None) -> Tensor",
         shape_scalar_tensor, "s"),
    FILL("fill_.Scalar", "fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", shape_fill_like, "value"),
    FILL("fill.Scalar", "fill.Scalar(Tensor self, Scalar value) -> Tensor", shape_fill_like, "value"),
    FILL("arange.default",
         "arange(Scalar end, *, ScalarType? dtype=None, Layout? layout=None, Device? device=None, "
         "bool? pin_memory=None) -> Tensor",
         shape_arange, "i"),
    FILL("arange.start",
         "arange.start(Scalar start, Scalar end, *, ScalarType? dtype=None, Layout? layout=None, "
         "Device? device=None, bool? pin_memory=None) -> Tensor",
         shape_arange, "(start + i)"),
    FILL("arange.start_step",
         "arange.start_step(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, "
         "Layout? layout=None, Device? device=None, bool? pin_memory=None) -> Tensor",
         shape_arange, "(start + i * step)"),
};

const aoti_op_family aoti_ops_family_pointwise = {"pointwise", kRows, sizeof kRows / sizeof kRows[0]};
