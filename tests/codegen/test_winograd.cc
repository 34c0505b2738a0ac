// test_winograd.cc — 3x3 stride-1 convolutions by Winograd F(4x4, 3x3): the kernel
// (templates/kernels/winograd.c) fed by the compile-time weight transform (passes/prepack.c)
// against a direct convolution computed here in double, and the prepack pass through codegen
// (which convolutions switch variant, the transformed constant replacing the weight, outputs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "codegen_test_util.h"
#include "winograd_under_test.h"

extern "C" {
#include "passes/pass_util.h"
}

namespace {

using aoti_test::Dims;
using aoti_test::GraphBuilder;
using aoti_test::RandomFloats;

struct Conv {
  int64_t batch, in_c, h, w, out_c, pad, kernel = 3, stride = 1, groups = 1;
  int64_t OutH() const { return (h + 2 * pad - kernel) / stride + 1; }
  int64_t OutW() const { return (w + 2 * pad - kernel) / stride + 1; }
};

// The direct convolution in double, without epilogue: out and, per element, the sum of |terms|
// (the scale float32 rounding errors grow with).
void Reference(const Conv &p, const std::vector<float> &x, const std::vector<float> &wt, std::vector<double> &out,
               std::vector<double> &scale) {
  const int64_t oh = p.OutH(), ow = p.OutW(), cin_g = p.in_c / p.groups, cout_g = p.out_c / p.groups;
  out.assign(size_t(p.batch * p.out_c * oh * ow), 0.0);
  scale.assign(out.size(), 0.0);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t o = 0; o < p.out_c; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xo = 0; xo < ow; ++xo) {
          const size_t at = size_t(((b * p.out_c + o) * oh + y) * ow + xo);
          double sum = 0.0, abs_sum = 0.0;
          for (int64_t c = 0; c < cin_g; ++c)
            for (int64_t ky = 0; ky < p.kernel; ++ky)
              for (int64_t kx = 0; kx < p.kernel; ++kx) {
                const int64_t iy = y * p.stride - p.pad + ky, ix = xo * p.stride - p.pad + kx;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                const int64_t ic = o / cout_g * cin_g + c;
                const double term = double(wt[size_t(((o * cin_g + c) * p.kernel + ky) * p.kernel + kx)]) *
                                    x[size_t(((b * p.in_c + ic) * p.h + iy) * p.w + ix)];
                sum += term;
                abs_sum += std::fabs(term);
              }
          out[at] = sum;
          scale[at] = abs_sum;
        }
}

// Winograd's float32 error relative to the sum of |terms| (Lavin & Gray's F(4x4, 3x3) transforms
// amplify rounding by at most a few hundred ulps of that scale).
constexpr double kRelTol = 1e-5;

// The builds of the kernel this CPU can run; the others are skipped.
const aoti_test_winograd *Variant(const std::string &name) {
  if (name == "generic") return &aoti_test_winograd_generic;
#ifdef AOTI_KERNELS_X86
  if (name == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return &aoti_test_winograd_avx2;
  if (name == "avx512" && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return &aoti_test_winograd_avx512;
#endif
  return nullptr;
}

struct KernelCase {
  Conv conv;
  int32_t threads;
};

class WinogradKernel : public testing::TestWithParam<std::tuple<std::string, KernelCase>> {};

TEST_P(WinogradKernel, MatchesDirectConvolutionWithEveryEpilogue) {
  const aoti_test_winograd *k = Variant(std::get<0>(GetParam()));
  if (!k) GTEST_SKIP() << "this CPU cannot run the " << std::get<0>(GetParam()) << " build";
  const Conv p = std::get<1>(GetParam()).conv;
  const std::vector<float> x = RandomFloats(size_t(p.batch * p.in_c * p.h * p.w), 1);
  const std::vector<float> wt = RandomFloats(size_t(p.out_c * p.in_c * 9), 2);
  const std::vector<float> bias = RandomFloats(size_t(p.out_c), 3);
  const size_t out_size = size_t(p.batch * p.out_c * p.OutH() * p.OutW()), plane = size_t(p.OutH() * p.OutW());
  const std::vector<float> residual = RandomFloats(out_size, 4);
  std::vector<float> u(size_t(aoti_winograd_weights_floats(p.out_c, p.in_c)));
  aoti_winograd_transform_weights(p.out_c, p.in_c, wt.data(), u.data());
  std::vector<double> conv, scale;
  Reference(p, x, wt, conv, scale);
  for (int act = 0; act < k->act_count; ++act) {
    const bool with_epilogue = act > 0; // act 0 alone: no bias, no residual
    const float *b = with_epilogue ? bias.data() : nullptr, *r = with_epilogue ? residual.data() : nullptr;
    std::vector<float> got(out_size, std::nanf(""));
    k->conv2d(std::get<1>(GetParam()).threads, p.batch, p.in_c, p.h, p.w, p.out_c, p.pad, x.data(), u.data(), b, r,
              act, got.data());
    double worst = 0.0;
    for (size_t i = 0; i < out_size; ++i) {
      const size_t o = i / plane % size_t(p.out_c);
      const double pre = conv[i] + (b ? b[o] + r[i] : 0.0);
      const double pre_scale = scale[i] + (b ? std::fabs(b[o]) + std::fabs(r[i]) : 0.0);
      // The activations are 1-Lipschitz or close (hardswish: 1.5): compare after them.
      const double expect = k->act(act, float(pre));
      ASSERT_FALSE(std::isnan(got[i])) << "act " << act << " element " << i;
      worst = std::max(worst, std::fabs(got[i] - expect) / (pre_scale + 1e-6));
    }
    EXPECT_LT(worst, kRelTol) << "act " << act;
  }
}

// The kernel's constants that passes/prepack.c and passes.h mirror.
TEST(WinogradKernelConstants, MatchTheCompilerPass) {
  for (const char *name : {"generic", "avx2", "avx512"}) {
    const aoti_test_winograd *k = Variant(name);
    if (!k) continue;
    EXPECT_EQ(k->panel, AOTI_WINOGRAD_PANEL) << name;
    EXPECT_EQ(k->max_in, AOTI_WINOGRAD_MAX_IN_CHANNELS) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, WinogradKernel,
    testing::Combine(
        testing::Values("generic", "avx2", "avx512"),
        testing::Values(KernelCase{{1, 16, 8, 8, 16, 1}, 1},       // whole tiles
                        KernelCase{{2, 3, 7, 9, 5, 1}, 2},         // odd sizes, partial tiles, batch 2
                        KernelCase{{1, 17, 13, 11, 33, 0}, 3},     // no padding, a second panel of 1
                        KernelCase{{2, 8, 5, 6, 4, 2}, 3},         // padding 2 (whole patches outside)
                        KernelCase{{1, 40, 7, 7, 70, 1}, 2},       // 7x7: half of each tile outside
                        KernelCase{{2, 1, 2, 3, 3, 1}, 1},         // one channel, images under a tile
                        KernelCase{{1, 4, 3, 3, 520, 1}, 2},       // 17 panels
                        KernelCase{{3, 32, 20, 20, 32, 1}, 3},     // 75 tiles: two blocks
                        KernelCase{{2, 600, 12, 12, 40, 1}, 2},    // V holds fewer tiles: blocks of 16/24
                        KernelCase{{1, 1024, 4, 4, 8, 1}, 1},      // the most input channels
                        KernelCase{{8, 24, 9, 9, 48, 1}, 2})),     // batch 8, tiles across images
    [](const testing::TestParamInfo<std::tuple<std::string, KernelCase>> &info) {
      const KernelCase &k = std::get<1>(info.param);
      const Conv &c = k.conv;
      return std::get<0>(info.param) + "_B" + std::to_string(c.batch) + "_C" + std::to_string(c.in_c) + "_" +
             std::to_string(c.h) + "x" + std::to_string(c.w) + "_O" + std::to_string(c.out_c) + "_pad" +
             std::to_string(c.pad) + "_threads" + std::to_string(k.threads);
    });

// A graph computing conv2d(x, w, b, ...) with static shapes, w and b random constants.
struct ConvModel {
  Conv p;
  std::vector<float> w, b;
};

aoti_value *BuildConv(GraphBuilder &g, ConvModel &m) {
  const Conv &p = m.p;
  m.w = RandomFloats(size_t(p.out_c * (p.in_c / p.groups) * p.kernel * p.kernel), 5);
  m.b = RandomFloats(size_t(p.out_c), 6);
  aoti_value *x = g.Input("x", {g.C(p.batch), g.C(p.in_c), g.C(p.h), g.C(p.w)});
  aoti_value *w = g.Constant("conv.weight", {p.out_c, p.in_c / p.groups, p.kernel, p.kernel}, m.w);
  aoti_value *b = g.Constant("conv.bias", {p.out_c}, m.b);
  aoti_value *y = g.Node("torch.ops.aten.conv2d.default", "conv2d",
                         {{"input", aoti_arg_tensor(x)},
                          {"weight", aoti_arg_tensor(w)},
                          {"bias", aoti_arg_tensor(b)},
                          {"stride", g.Ints({p.stride, p.stride})},
                          {"padding", g.Ints({p.pad, p.pad})},
                          {"dilation", g.Ints({1, 1})},
                          {"groups", aoti_arg_int(p.groups)}},
                         {g.C(p.batch), g.C(p.out_c), g.C(p.OutH()), g.C(p.OutW())});
  g.Output("output0", y);
  return y;
}

const aoti_node *FindConvNode(const aoti_graph *g) {
  for (int32_t i = 0; i < g->num_nodes; ++i)
    if (std::strcmp(aoti_pass_op_name(g->nodes[i]), "conv2d") == 0) return g->nodes[i];
  return nullptr;
}

struct PassCase {
  const char *name;
  Conv conv;
  bool winograd;
};

class WinogradPass : public testing::TestWithParam<PassCase> {};

TEST_P(WinogradPass, ChoosesTheVariantOnlyWhereItAppliesAndMatchesDirect) {
  ConvModel m{GetParam().conv, {}, {}};
  GraphBuilder g;
  BuildConv(g, m);
  aoti_test::Result r = aoti_test::Generate(g.g());
  ASSERT_TRUE(r);
  const aoti_node *conv = FindConvNode(g.g());
  ASSERT_NE(conv, nullptr);
  const bool winograd = GetParam().winograd;
  EXPECT_EQ(conv->variant, winograd ? AOTI_CONV_VARIANT_WINOGRAD : 0);
  EXPECT_EQ(std::strstr(r->source, "aoti_conv2d_winograd(threads") != nullptr, winograd);
  // The package holds the transformed weight instead of the original, never both.
  std::vector<std::string> fqns;
  for (int32_t i = 0; i < r->num_constants; ++i) fqns.push_back(r->constants[i].fqn);
  const std::vector<std::string> want_fqns =
      winograd ? std::vector<std::string>{"conv.bias", "conv.weight.winograd"}
               : std::vector<std::string>{"conv.weight", "conv.bias"};
  EXPECT_EQ(fqns, want_fqns);

  aoti_test::Library lib;
  ASSERT_TRUE(lib.Load(*r, std::string("WinogradPass_") + GetParam().name));
  const Conv &p = m.p;
  const std::vector<float> x = RandomFloats(size_t(p.batch * p.in_c * p.h * p.w), 7);
  aoti_test::RunResult run = aoti_test::RunModel(lib.abi(), *r, {}, {x.data()});
  ASSERT_EQ(run.status, 0) << run.error;
  std::vector<double> want, scale;
  Reference(p, x, m.w, want, scale);
  ASSERT_EQ(run.outputs[0].size(), want.size());
  const size_t plane = size_t(p.OutH() * p.OutW());
  for (size_t i = 0; i < want.size(); ++i) {
    const float b = m.b[i / plane % size_t(p.out_c)];
    ASSERT_LE(std::fabs(run.outputs[0][i] - (want[i] + b)), kRelTol * (scale[i] + std::fabs(b)) + 1e-6)
        << "element " << i;
  }
}

TEST(WinogradPass, SameInputSameConstantBytes) {
  std::vector<std::vector<unsigned char>> bytes;
  for (int k = 0; k < 2; ++k) {
    ConvModel m{{1, 32, 16, 16, 32, 1}, {}, {}};
    GraphBuilder g;
    BuildConv(g, m);
    aoti_test::Result r = aoti_test::Generate(g.g());
    ASSERT_TRUE(r);
    std::vector<unsigned char> all;
    for (int32_t i = 0; i < r->num_constants; ++i) {
      const auto *data = static_cast<const unsigned char *>(r->constants[i].data);
      all.insert(all.end(), data, data + r->constants[i].nbytes);
    }
    bytes.push_back(all);
  }
  EXPECT_EQ(bytes[0], bytes[1]);
}

INSTANTIATE_TEST_SUITE_P(
    Convs, WinogradPass,
    testing::Values(PassCase{"Eligible", {2, 32, 17, 16, 40, 1}, true},
                    PassCase{"Stride2", {1, 32, 34, 34, 32, 1, 3, 2}, false},
                    PassCase{"Pointwise", {1, 32, 16, 16, 32, 0, 1}, false},
                    PassCase{"Depthwise", {1, 32, 16, 16, 32, 1, 3, 1, 32}, false},
                    PassCase{"FewChannels", {1, 3, 16, 16, 5, 1}, true},
                    PassCase{"OneChannel", {1, 1, 16, 16, 8, 1}, false},
                    PassCase{"SmallImage", {1, 64, 2, 2, 64, 1}, true},
                    PassCase{"MostInputChannels", {1, AOTI_WINOGRAD_MAX_IN_CHANNELS, 4, 4, 2, 1}, true},
                    PassCase{"TooManyInputChannels", {1, AOTI_WINOGRAD_MAX_IN_CHANNELS + 1, 4, 4, 2, 1}, false}),
    [](const testing::TestParamInfo<PassCase> &info) { return std::string(info.param.name); });

}  // namespace
