// test_math.cc — templates/kernels/math.c's float32 functions, run through the loop generated
// pointwise code has (math_under_test.c: the generic build without FMA and the -march=native one),
// against double-precision libm: a sweep of every 257th float bit pattern (every exponent, both
// signs, subnormals, inf and NaN) held to the error bounds math.c states, and PyTorch's special
// values bit for bit (-0.0 included).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "math_under_test.h"

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

// The spacing of floats at |r|: 2^-149 among subnormals, 2^104 from 2^127 on.
double UlpOf(double r) {
  const double a = std::fabs(r);
  if (a < std::ldexp(1.0, -126)) return std::ldexp(1.0, -149);
  if (a >= std::ldexp(1.0, 127)) return std::ldexp(1.0, 104);
  int e = 0;
  std::frexp(a, &e);  // a = m 2^e, m in [0.5, 1)
  return std::ldexp(1.0, e - 24);
}

// |y - ref| in units of (ulp of ref + slack). inf counts as 2^128, one ulp past FLT_MAX, and so
// does an exact value beyond it (which rounds to inf or FLT_MAX).
double Error(float y, double ref, double slack) {
  const double big = std::ldexp(1.0, 128);
  const double yd = std::isinf(y) ? std::copysign(big, y) : y;
  const double rd = std::fabs(ref) > big ? std::copysign(big, ref) : ref;
  return std::fabs(yd - rd) / (UlpOf(rd) + slack);
}

// The exact functions, in double, written without the cancellations of PyTorch's formulas.
double Sigmoid(double x) { return 1 / (1 + std::exp(-x)); }
double Silu(double x) { return x / (1 + std::exp(-x)); }
double GeluErf(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
double GeluTanhArg(double x) { return -2 * std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x); }
double GeluTanh(double x) { return x / (1 + std::exp(GeluTanhArg(x))); }  // x/2 (1 + tanh(-arg / 2))

// Error allowed besides the ulps, as math.c states it.
// sigmoid and silu: results below FLT_MIN may be 0 where e^-x overflows (as in PyTorch's formula).
double FlushSlack(double x, double) { return std::fmax(1.0, std::fabs(x)) * std::ldexp(1.0, -126); }
// gelu (erf): 1 + erf(x / sqrt 2) cancels for x < 0, so erf's absolute error scaled by x / 2.
double GeluErfSlack(double x, double) { return std::fabs(x) * std::ldexp(1.0, -24); }
// gelu (tanh): the exponent's rounding, relative to the result, grows with the exponent.
double GeluTanhSlack(double x, double ref) {
  return std::fabs(ref) * std::fabs(GeluTanhArg(x)) * std::ldexp(1.0, -22) + FlushSlack(x, ref);
}

struct Function {
  aoti_test_math_fn fn;
  const char *name;
  double (*exact)(double);
  double (*slack)(double x, double ref);  // nullptr: none
  double max_error;                        // in ulps (with the slack)
};

// math.c's stated bounds.
const Function kFunctions[] = {
    {AOTI_TEST_EXP, "exp", [](double x) { return std::exp(x); }, nullptr, 1.1},
    {AOTI_TEST_LOG, "log", [](double x) { return std::log(x); }, nullptr, 1.0},
    {AOTI_TEST_TANH, "tanh", [](double x) { return std::tanh(x); }, nullptr, 1.2},
    {AOTI_TEST_ERF, "erf", [](double x) { return std::erf(x); }, nullptr, 2.0},
    {AOTI_TEST_SIGMOID, "sigmoid", Sigmoid, FlushSlack, 3.0},
    {AOTI_TEST_SILU, "silu", Silu, FlushSlack, 3.0},
    {AOTI_TEST_GELU_ERF, "gelu_erf", GeluErf, GeluErfSlack, 2.0},
    {AOTI_TEST_GELU_TANH, "gelu_tanh", GeluTanh, GeluTanhSlack, 2.5},
};

const aoti_test_math *Build(const std::string &name) {
  return name == "native" ? &aoti_test_math_native : &aoti_test_math_generic;
}

class MathSweep : public testing::TestWithParam<std::tuple<std::string, int>> {};

// Every 257th bit pattern (257 is odd, so the low mantissa bits take every value), in blocks
// through the build's loop.
TEST_P(MathSweep, WithinStatedError) {
  const aoti_test_math *m = Build(std::get<0>(GetParam()));
  const Function &f = kFunctions[std::get<1>(GetParam())];
  constexpr uint64_t kStep = 257, kBlock = 1 << 16;
  std::vector<float> x(kBlock), y(kBlock);
  double worst = 0;
  float worst_x = 0, worst_y = 0;
  int64_t nan_mismatches = 0;
  for (uint64_t bits = 0; bits < (uint64_t(1) << 32);) {
    int64_t n = 0;
    for (; n < int64_t(kBlock) && bits < (uint64_t(1) << 32); ++n, bits += kStep) {
      const uint32_t u = uint32_t(bits);
      std::memcpy(&x[n], &u, sizeof u);
    }
    m->loops[f.fn](x.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      const double exact = f.exact(x[i]);
      if (std::isnan(exact) || std::isnan(y[i])) {
        if (std::isnan(exact) != std::isnan(y[i]) && nan_mismatches++ == 0)
          ADD_FAILURE() << f.name << "(" << x[i] << ") = " << y[i] << ", expected " << exact;
        continue;
      }
      const double e = Error(y[i], exact, f.slack ? f.slack(x[i], exact) : 0.0);
      if (e > worst) worst = e, worst_x = x[i], worst_y = y[i];
    }
  }
  EXPECT_EQ(nan_mismatches, 0);
  EXPECT_LE(worst, f.max_error) << f.name << "(" << std::hexfloat << worst_x << ") = " << worst_y << ", exact "
                                << f.exact(worst_x);
  RecordProperty("max_error_ulp", std::to_string(worst));
}

std::string SweepName(const testing::TestParamInfo<std::tuple<std::string, int>> &info) {
  return std::get<0>(info.param) + "_" + kFunctions[std::get<1>(info.param)].name;
}

INSTANTIATE_TEST_SUITE_P(Math, MathSweep,
                         testing::Combine(testing::Values("generic", "native"),
                                          testing::Range(0, int(sizeof kFunctions / sizeof kFunctions[0]))),
                         SweepName);

struct Special {
  aoti_test_math_fn fn;
  float x, expected;  // expected NaN: any NaN
};

// torch's results (torch 2.15, CPU, float32) where they follow from the formula; the sign of
// zeros and NaN propagation included.
const Special kSpecials[] = {
    {AOTI_TEST_EXP, kNan, kNan},       {AOTI_TEST_EXP, kInf, kInf},         {AOTI_TEST_EXP, -kInf, 0.0f},
    {AOTI_TEST_EXP, 0.0f, 1.0f},       {AOTI_TEST_EXP, -0.0f, 1.0f},        {AOTI_TEST_EXP, 89.0f, kInf},
    {AOTI_TEST_EXP, -104.0f, 0.0f},    {AOTI_TEST_EXP, -103.9f, 1.401298464e-45f},
    {AOTI_TEST_LOG, kNan, kNan},       {AOTI_TEST_LOG, kInf, kInf},         {AOTI_TEST_LOG, -kInf, kNan},
    {AOTI_TEST_LOG, 0.0f, -kInf},      {AOTI_TEST_LOG, -0.0f, -kInf},       {AOTI_TEST_LOG, -1.0f, kNan},
    {AOTI_TEST_LOG, 1.0f, 0.0f},       {AOTI_TEST_LOG, -1e-45f, kNan},
    {AOTI_TEST_TANH, kNan, kNan},      {AOTI_TEST_TANH, kInf, 1.0f},        {AOTI_TEST_TANH, -kInf, -1.0f},
    {AOTI_TEST_TANH, 0.0f, 0.0f},      {AOTI_TEST_TANH, -0.0f, -0.0f},      {AOTI_TEST_TANH, 1e-30f, 1e-30f},
    {AOTI_TEST_TANH, -1e-30f, -1e-30f}, {AOTI_TEST_TANH, 20.0f, 1.0f},      {AOTI_TEST_TANH, -20.0f, -1.0f},
    {AOTI_TEST_ERF, kNan, kNan},       {AOTI_TEST_ERF, kInf, 1.0f},         {AOTI_TEST_ERF, -kInf, -1.0f},
    {AOTI_TEST_ERF, 0.0f, 0.0f},       {AOTI_TEST_ERF, -0.0f, -0.0f},       {AOTI_TEST_ERF, 5.0f, 1.0f},
    {AOTI_TEST_ERF, -5.0f, -1.0f},
    {AOTI_TEST_SIGMOID, kNan, kNan},   {AOTI_TEST_SIGMOID, kInf, 1.0f},     {AOTI_TEST_SIGMOID, -kInf, 0.0f},
    {AOTI_TEST_SIGMOID, 0.0f, 0.5f},   {AOTI_TEST_SIGMOID, -0.0f, 0.5f},    {AOTI_TEST_SIGMOID, -100.0f, 0.0f},
    {AOTI_TEST_SILU, kNan, kNan},      {AOTI_TEST_SILU, kInf, kInf},        {AOTI_TEST_SILU, -kInf, kNan},
    {AOTI_TEST_SILU, 0.0f, 0.0f},      {AOTI_TEST_SILU, -0.0f, -0.0f},      {AOTI_TEST_SILU, -100.0f, -0.0f},
    {AOTI_TEST_GELU_ERF, kNan, kNan},  {AOTI_TEST_GELU_ERF, -kInf, kNan},   {AOTI_TEST_GELU_ERF, 0.0f, 0.0f},
    {AOTI_TEST_GELU_ERF, -0.0f, -0.0f}, {AOTI_TEST_GELU_ERF, -10.0f, -0.0f},
    {AOTI_TEST_GELU_TANH, kNan, kNan}, {AOTI_TEST_GELU_TANH, kInf, kInf},   {AOTI_TEST_GELU_TANH, -kInf, kNan},
    {AOTI_TEST_GELU_TANH, 0.0f, 0.0f}, {AOTI_TEST_GELU_TANH, -0.0f, -0.0f}, {AOTI_TEST_GELU_TANH, -100.0f, -0.0f},
};

class MathSpecials : public testing::TestWithParam<std::string> {};

TEST_P(MathSpecials, MatchTorchBitForBit) {
  const aoti_test_math *m = Build(GetParam());
  for (const Special &s : kSpecials) {
    float y = 0;
    m->loops[s.fn](&s.x, &y, 1);
    SCOPED_TRACE(testing::Message() << kFunctions[s.fn].name << "(" << s.x << ") = " << y);
    if (std::isnan(s.expected)) {
      EXPECT_TRUE(std::isnan(y));
      continue;
    }
    uint32_t got = 0, want = 0;
    std::memcpy(&got, &y, sizeof got);
    std::memcpy(&want, &s.expected, sizeof want);
    EXPECT_EQ(got, want) << "expected " << s.expected;
  }
}

INSTANTIATE_TEST_SUITE_P(Math, MathSpecials, testing::Values("generic", "native"));

}  // namespace
