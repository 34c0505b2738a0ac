/* math.c — the float32 transcendental functions of generated models (templates/kernels, embedded
 * into aotic and pasted first into each model source that has a pointwise node or a GEMM):
 * aoti_expf, aoti_logf, aoti_tanhf, aoti_erff and the activations built on them (aoti_sigmoidf,
 * aoti_siluf, aoti_gelu_erff, aoti_gelu_tanhf), used by the pointwise expressions
 * (compiler/ops/ops_pointwise.c, compiler/codegen/codegen_nodes.c) and, lane by lane, by gemm.c's
 * vector epilogues, so a pointwise loop and a fused epilogue compute the same values.
 *
 * Why not libm: a call to expf or tanhf keeps a loop scalar. These are written without branches
 * (selects, bit casts through memcpy, polynomials) and always inlined, so GCC and clang vectorise
 * the loops that call them at -O3 (ymm/zmm lanes with -march=native). Each computes every path
 * and selects, so special values come from the selects, not from branches:
 *   NaN propagates; exp(-inf) = 0, exp(inf) = inf; log(0) = -inf, log(x < 0) = NaN,
 *   log(inf) = inf; tanh(+-inf) = +-1, erf(+-inf) = +-1; tanh and erf keep -0.0.
 *
 * Accuracy against double-precision libm, in ulps of the exact result (the spacing of floats
 * there; subnormal spacing for subnormal results): the largest error over all 2^32 floats with
 * FMA (-march=native, Zen 5) / over every 17th float without (the generic target), and in
 * brackets the bound tests/codegen/test_math.cc holds every 257th float of both builds to:
 *   aoti_expf   1.06 / 1.02 [1.1]      aoti_logf   0.84 / 0.92 [1.0]
 *   aoti_tanhf  1.06 / 1.08 [1.2]      aoti_erff   1.23 / 1.75 [2.0]
 *   aoti_sigmoidf, aoti_siluf 2.48 / 2.3 [3.0]; results below FLT_MIN may be 0 where e^-x
 *     overflows, as in PyTorch's 1 / (1 + e^-x)
 *   aoti_gelu_erff 0.82 ulp plus |x| 2^-24 [2.0] (PyTorch's formula: 1 + erf cancels for x < 0)
 *   aoti_gelu_tanhf 1.98 ulp plus |y| |2u| 2^-22 [2.5] (the rounding of the exponent 2u)
 * The polynomial coefficients are near-minimax fits (Chebyshev, mpmath.chebyfit) of the stated
 * functions on the stated intervals, computed for this file.
 *
 * The double forms at the end are libm formulas: float64 computations keep libm (codegen maps
 * each float function of an expression to its double form). */

#if defined(__GNUC__)
#define AOTI_MATH_INLINE static inline __attribute__((always_inline))
#else
#define AOTI_MATH_INLINE static inline
#endif
/* a * b + c with one rounding where the target has FMA (vfmadd in vector loops), else two. */
#if defined(__FMA__) || defined(__FP_FAST_FMAF)
#define AOTI_FMAF(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define AOTI_FMAF(a, b, c) ((a) * (b) + (c))
#endif

AOTI_MATH_INLINE uint32_t aoti_float_bits(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  return u;
}
AOTI_MATH_INLINE float aoti_bits_float(uint32_t u) {
  float x;
  memcpy(&x, &u, sizeof x);
  return x;
}
/* c ? a : b through the bits. The functions select only this way: with a ternary, compilers turn
 * a select whose side is a constant (a clamped input, a special value) into a branch around the
 * computation it makes unneeded, and the loop stays scalar (GCC without FMA, for one). */
AOTI_MATH_INLINE float aoti_selectf(int c, float a, float b) {
  const uint32_t mask = 0u - (uint32_t)c;
  return aoti_bits_float((aoti_float_bits(a) & mask) | (aoti_float_bits(b) & ~mask));
}

/* e^x: x = k ln 2 + r with |r| <= ln 2 / 2 (k by adding 1.5 * 2^23, which rounds to an integer
 * in the low mantissa bits; ln 2 in two parts, the first exact in k * ln2_hi), e^r = 1 + r +
 * r^2 q(r) with q a degree-4 fit of (e^r - 1 - r) / r^2, then times 2^k as two factors 2^(k/2)
 * and 2^(k - k/2) so that results near FLT_MAX and subnormal results (x down to -103.97) come
 * out right with one rounding. x is clamped to [-104, 89] first: e^x is 0 and inf beyond. */
AOTI_MATH_INLINE float aoti_expf(float x) {
  x = aoti_selectf(x < -104.0f, -104.0f, x); /* comparisons are false for NaN: it passes through */
  x = aoti_selectf(x > 89.0f, 89.0f, x);
  const float shifter = 12582912.0f;
  const float t = AOTI_FMAF(x, 1.44269504088896341f, shifter);
  const float n = t - shifter;
  const int32_t k = (int32_t)(aoti_float_bits(t) - aoti_float_bits(shifter));
  float r = AOTI_FMAF(n, -0.693145751953125f, x);
  r = AOTI_FMAF(n, -1.42860682030941723e-06f, r);
  float q = AOTI_FMAF(0.00139269268f, r, 0.00836377405f);
  q = AOTI_FMAF(q, r, 0.0416665487f);
  q = AOTI_FMAF(q, r, 0.166665733f);
  q = AOTI_FMAF(q, r, 0.5f);
  const float p = 1.0f + AOTI_FMAF(r * r, q, r);
  const int32_t k1 = k / 2, k2 = k - k1;
  const float s1 = aoti_bits_float((uint32_t)(k1 + 127) << 23), s2 = aoti_bits_float((uint32_t)(k2 + 127) << 23);
  return p * s1 * s2;
}

/* log x: x = 2^e m with m in [sqrt(1/2), sqrt(2)) (subnormals scaled by 2^23 first), f = m - 1
 * exactly, log(1 + f) = f - f^2 / 2 + f^3 P(f) with P a degree-8 fit, plus e ln 2 (ln 2 in two
 * parts: 0.693359375 has 9 significant bits, so e * ln2_hi is exact). */
AOTI_MATH_INLINE float aoti_logf(float x) {
  const int subnormal = x < 1.17549435e-38f;
  const uint32_t u = aoti_float_bits(aoti_selectf(subnormal, x * 8388608.0f, x));
  /* adding 1 - sqrt(1/2) in bits carries into the exponent exactly when m >= sqrt(2) */
  const uint32_t shifted = u + (0x3f800000u - 0x3f3504f3u);
  const float e = (float)((int32_t)(shifted >> 23) - 127 - 23 * subnormal);
  const float f = aoti_bits_float((shifted & 0x007fffffu) + 0x3f3504f3u) - 1.0f;
  float p = AOTI_FMAF(0.0697161183f, f, -0.114797339f);
  p = AOTI_FMAF(p, f, 0.116854198f);
  p = AOTI_FMAF(p, f, -0.124256872f);
  p = AOTI_FMAF(p, f, 0.142490581f);
  p = AOTI_FMAF(p, f, -0.166678026f);
  p = AOTI_FMAF(p, f, 0.200007156f);
  p = AOTI_FMAF(p, f, -0.24999997f);
  p = AOTI_FMAF(p, f, 0.333333313f);
  const float tail = AOTI_FMAF(f * f, AOTI_FMAF(p, f, -0.5f), e * -2.12194440e-4f);
  float r = AOTI_FMAF(e, 0.693359375f, f + tail);
  /* r is finite for every x: 0, inf, NaN and negatives add -inf, inf or NaN to it (a select that
   * dropped r would let GCC compute r under a branch, even through aoti_selectf). */
  const float special = aoti_selectf(x == 0.0f, -INFINITY, aoti_selectf(x < 0.0f, NAN, x));
  return r + aoti_selectf((x > 0.0f) & (x < INFINITY), 0.0f, special);
}

/* tanh x: for |x| < 0.875, x + x^3 P(x^2) with P a degree-6 fit (no cancellation near 0);
 * otherwise sign(x) (1 - 2 / (e^(2|x|) + 1)), where the subtraction loses at most a bit. */
AOTI_MATH_INLINE float aoti_tanhf(float x) {
  const float ax = fabsf(x), y = x * x;
  float p = AOTI_FMAF(-0.000547585776f, y, 0.00281847315f);
  p = AOTI_FMAF(p, y, -0.00849905796f);
  p = AOTI_FMAF(p, y, 0.0217772964f);
  p = AOTI_FMAF(p, y, -0.0539568625f);
  p = AOTI_FMAF(p, y, 0.133332804f);
  p = AOTI_FMAF(p, y, -0.333333343f);
  const float small = AOTI_FMAF(x * y, p, x);
  const float big = 1.0f - 2.0f / (aoti_expf(2.0f * ax) + 1.0f);
  const float r = aoti_selectf(ax < 0.875f, small, aoti_selectf(x < 0.0f, -big, big));
  return aoti_selectf(x == 0.0f, x, r); /* -0.0 stays -0.0 */
}

/* erf x: for |x| < 0.875, x P(x^2) with P a degree-5 fit (its constant term in two parts);
 * otherwise sign(x) (1 - erfc |x|), erfc x = e^(-x^2 + L(x)) with L a degree-8 fit of
 * log(erfc(x) e^(x^2)) in x - 2.4375 on [0.875, 4] (|x| clamped to 4, where erf rounds to 1). */
AOTI_MATH_INLINE float aoti_erff(float x) {
  const float ax = fabsf(x), y = x * x;
  float p = AOTI_FMAF(-0.000621458516f, y, 0.00503437081f);
  p = AOTI_FMAF(p, y, -0.0267929472f);
  p = AOTI_FMAF(p, y, 0.112824969f);
  p = AOTI_FMAF(p, y, -0.376125544f);
  p = AOTI_FMAF(p, y, 5.16116063e-08f);
  const float small = AOTI_FMAF(x, 1.12837911f, x * p);
  const float c = aoti_selectf(ax > 4.0f, 4.0f, ax), s = c - 2.4375f;
  float l = AOTI_FMAF(1.64111441e-06f, s, -1.41174978e-05f);
  l = AOTI_FMAF(l, s, 8.32569785e-05f);
  l = AOTI_FMAF(l, s, -0.000450271938f);
  l = AOTI_FMAF(l, s, 0.00230132067f);
  l = AOTI_FMAF(l, s, -0.0114166215f);
  l = AOTI_FMAF(l, s, 0.0581940152f);
  l = AOTI_FMAF(l, s, -0.359823376f);
  l = AOTI_FMAF(l, s, -1.53455091f);
  const float big = 1.0f - aoti_expf(AOTI_FMAF(-c, c, l));
  return aoti_selectf(ax < 0.875f, small, aoti_selectf(x < 0.0f, -big, big));
}

/* The activations, with PyTorch's formulas (gelu tanh rewritten, see there). */
AOTI_MATH_INLINE float aoti_sigmoidf(float x) { return 1.0f / (1.0f + aoti_expf(-x)); }
AOTI_MATH_INLINE float aoti_siluf(float x) { return x / (1.0f + aoti_expf(-x)); }
AOTI_MATH_INLINE float aoti_gelu_erff(float x) { return 0.5f * x * (1.0f + aoti_erff(x * 0.70710678118654752f)); }
/* x/2 (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3), as x / (1 + e^(-2u)): the same function
 * with one exp and one division, and no cancellation in 1 + tanh u for negative x. */
AOTI_MATH_INLINE float aoti_gelu_tanhf(float x) {
  return x / (1.0f + aoti_expf(-1.59576912160573071f * (x + 0.044715f * x * x * x)));
}

/* The double forms of the activations (libm), for float64 computations. */
static inline double aoti_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline double aoti_silu(double x) { return x / (1.0 + exp(-x)); }
static inline double aoti_gelu_erf(double x) { return 0.5 * x * (1.0 + erf(x * 0.70710678118654752440)); }
static inline double aoti_gelu_tanh(double x) {
  return 0.5 * x * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)));
}

/* Not math, but carried with it by every pointwise node: */
/* Runs a pointwise kernel's task over `units` units of `unit_elems` elements each: split over the
 * run's threads once there are enough elements to pay for the hand-off (a few microseconds),
 * otherwise whole on the calling thread. */
#define AOTI_POINTWISE_MIN_SPLIT 32768
static inline void aoti_pointwise_run(const aoti_abi_threads *th, int64_t units, int64_t unit_elems,
                                      aoti_abi_task_fn fn, void *task) {
  if (units <= 0) return;
  if (th->count <= 1 || units < 2 || units * unit_elems < AOTI_POINTWISE_MIN_SPLIT)
    fn(task, 0, 0, units);
  else
    th->parallel_for(th->ctx, units, fn, task);
}
