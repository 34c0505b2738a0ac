// test_kernels.cc — the kernel templates (GEMM with its epilogue, convolution, pooling, batched matmul,
// attention, softmax, layer norm, strided copy) against naive double-precision loops written here,
// on every build of them the CPU can run (kernels_under_test.h: generic, AVX2+FMA, AVX-512) and split into 1 to 4
// thread ranges (run in reverse order, so overlapping or order-dependent ranges show).
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen_test_util.h"  // RandomFloats
#include "kernels_under_test.h"
#include "passes/passes.h"  // aoti_gemm_pack_a_panels, aoti_gemm_pack_b_panels

using aoti_test::RandomFloats;

namespace {

enum Act { kNone, kRelu, kRelu6, kHardswish, kSilu, kGelu, kGeluTanh, kSigmoid, kActCount };

// PyTorch's activation formulas, in double.
double Activate(int act, double v) {
  switch (act) {
    case kRelu: return v < 0 ? 0 : v;
    case kRelu6: return v < 0 ? 0 : v > 6 ? 6 : v;
    case kHardswish: return v * (v + 3 < 0 ? 0 : v + 3 > 6 ? 6 : v + 3) / 6;
    case kSilu: return v / (1 + std::exp(-v));
    case kGelu: return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
    case kGeluTanh: return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
    case kSigmoid: return 1 / (1 + std::exp(-v));
    default: return v;
  }
}

// The builds of the kernels this CPU can run; the others are skipped.
const aoti_test_kernels *Variant(const std::string &name) {
  if (name == "generic") return &aoti_test_kernels_generic;
#ifdef AOTI_KERNELS_X86
  if (name == "avx2" && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return &aoti_test_kernels_avx2;
  if (name == "avx512" && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma"))
    return &aoti_test_kernels_avx512;
#endif
  return nullptr;
}

class Kernels : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    k_ = Variant(GetParam());
    if (!k_) GTEST_SKIP() << "this CPU cannot run the " << GetParam() << " build";
  }
  const aoti_test_kernels *k_ = nullptr;
};

//===----------------------------------------------------------------------===//
// GEMM
//===----------------------------------------------------------------------===//

struct GemmCase {
  int64_t m, n, k;
  bool trans_a, trans_b;
  float alpha, beta;
};

struct GemmEpilogue {
  int bias = 0;  // 0 none, 1 per row, 2 per column
  bool residual = false;
  int act = kNone;
};

// Runs one product (with threads 1..4) and compares every element of C, the padding past n
// included (it must be left alone), with a double-precision loop.
void CheckGemm(const aoti_test_kernels *kern, const GemmCase &gc, const GemmEpilogue &ge = {},
               int64_t ldc_pad = 5) {
  SCOPED_TRACE(testing::Message() << gc.m << "x" << gc.n << "x" << gc.k << " ta=" << gc.trans_a << " tb="
                                  << gc.trans_b << " alpha=" << gc.alpha << " beta=" << gc.beta
                                  << " bias=" << ge.bias << " residual=" << ge.residual << " act=" << ge.act);
  // Stored shapes: A is m x k (or k x m when transposed), B is k x n (or n x k); padded rows
  // check that the leading dimensions are honoured.
  const int64_t lda = (gc.trans_a ? gc.m : gc.k) + 3, ldb = (gc.trans_b ? gc.k : gc.n) + 2;
  const int64_t ldc = gc.n + ldc_pad;
  const std::vector<float> a = RandomFloats(size_t((gc.trans_a ? gc.k : gc.m) * lda), 1);
  const std::vector<float> b = RandomFloats(size_t((gc.trans_b ? gc.n : gc.k) * ldb), 2);
  std::vector<float> c0 = RandomFloats(size_t(gc.m * ldc), 3);
  if (gc.beta == 0.0f)  // beta 0 must not read C
    for (int64_t i = 0; i < gc.m; ++i)
      for (int64_t j = 0; j < gc.n; ++j) c0[size_t(i * ldc + j)] = NAN;
  const std::vector<float> bias = RandomFloats(size_t(ge.bias == 1 ? gc.m : gc.n), 4);
  const std::vector<float> residual = RandomFloats(size_t(gc.m * ldc), 5);
  const aoti_test_epilogue ep = {ge.bias ? bias.data() : nullptr, ge.bias == 1,
                                 ge.residual ? residual.data() : nullptr, ge.act};
  const bool with_ep = ge.bias || ge.residual || ge.act != kNone;

  std::vector<double> expected(c0.begin(), c0.end());
  for (int64_t i = 0; i < gc.m; ++i)
    for (int64_t j = 0; j < gc.n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < gc.k; ++p) {
        const float av = gc.trans_a ? a[size_t(p * lda + i)] : a[size_t(i * lda + p)];
        const float bv = gc.trans_b ? b[size_t(j * ldb + p)] : b[size_t(p * ldb + j)];
        acc += double(av) * double(bv);
      }
      double v = double(gc.alpha) * acc + (gc.beta == 0.0f ? 0.0 : double(gc.beta) * c0[size_t(i * ldc + j)]);
      if (ge.bias) v += bias[size_t(ge.bias == 1 ? i : j)];
      if (ge.residual) v += residual[size_t(i * ldc + j)];
      expected[size_t(i * ldc + j)] = Activate(ge.act, v);
    }
  const double tol = 2e-6 * double(gc.k + 4) * (std::fabs(gc.alpha) + std::fabs(gc.beta) + 1.0);
  // op(B) as the compiler prepacks a weight (untransposed A only, as codegen uses it)
  std::vector<float> b_dense(size_t(gc.k * gc.n));
  for (int64_t p = 0; p < gc.k; ++p)
    for (int64_t j = 0; j < gc.n; ++j)
      b_dense[size_t(p * gc.n + j)] = gc.trans_b ? b[size_t(j * ldb + p)] : b[size_t(p * ldb + j)];
  std::vector<float> b_panels(size_t((gc.n + kern->gemm_nr - 1) / kern->gemm_nr * kern->gemm_nr * gc.k));
  aoti_gemm_pack_b_panels(kern->gemm_nr, gc.k, gc.n, b_dense.data(), b_panels.data());
  for (int32_t run = 0; run < (gc.trans_a ? 4 : 8); ++run) {
    const int32_t threads = run % 4 + 1;
    const bool panels = run >= 4;
    SCOPED_TRACE(testing::Message() << "threads " << threads << (panels ? " B panels" : ""));
    std::vector<float> c = c0;
    if (panels)
      kern->sgemm_panels(threads, gc.m, gc.n, gc.k, gc.alpha, a.data(), lda, b_panels.data(), gc.beta, c.data(), ldc,
                         with_ep ? &ep : nullptr);
    else
      kern->sgemm(threads, gc.trans_a, gc.trans_b, gc.m, gc.n, gc.k, gc.alpha, a.data(), lda, b.data(), ldb,
                  gc.beta, c.data(), ldc, with_ep ? &ep : nullptr);
    for (int64_t i = 0; i < gc.m; ++i)
      for (int64_t j = 0; j < ldc; ++j) {
        const size_t at = size_t(i * ldc + j);
        if (j >= gc.n)
          ASSERT_EQ(c[at], c0[at]) << "wrote the padding at " << i << "," << j;
        else
          ASSERT_NEAR(c[at], expected[at], tol) << "at " << i << "," << j;
      }
  }
}

// Every m, n, k of {1, 2, 3, 7, 16, 33, 64, 100, 257} at least once against each of the others,
// with each transpose pair: edge tiles, the skinny rows, several K blocks.
TEST_P(Kernels, SgemmMatchesReferenceOverShapes) {
  const int64_t sizes[] = {1, 2, 3, 7, 16, 33, 64, 100, 257};
  const int count = int(sizeof sizes / sizeof sizes[0]);
  for (int s = 0; s < count; ++s)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        const int64_t m = sizes[s], n = sizes[(s + 3) % count], k = sizes[(s * 5 + 2) % count];
        CheckGemm(k_, {m, n, k, ta != 0, tb != 0, 1.0f, 0.0f});
        CheckGemm(k_, {n, k, m, ta != 0, tb != 0, 1.0f, 0.0f});
        CheckGemm(k_, {k, m, n, ta != 0, tb != 0, 1.0f, 0.0f});
      }
}

// Beyond one block in every direction: M past MC, N past NC, K past KC.
TEST_P(Kernels, SgemmMatchesReferenceOverBlocks) {
  CheckGemm(k_, {200, 1100, 40, false, false, 1.0f, 0.0f});
  CheckGemm(k_, {5, 1040, 300, false, true, 1.0f, 0.0f});
  CheckGemm(k_, {300, 40, 600, true, false, 1.0f, 0.5f});
  CheckGemm(k_, {2, 3000, 100, false, true, 1.0f, 0.0f});   // skinny rows split over threads
  for (int64_t m = 5; m <= 14; ++m)  // at most MR rows: B read in place, but a last narrow panel
    for (int ta = 0; ta < 2; ++ta) CheckGemm(k_, {m, 1030 + m, 300, ta != 0, false, 1.0f, m % 2 ? 0.0f : 0.5f});
  CheckGemm(k_, {4, 2100, 70, false, false, 1.0f, 1.0f});
}

TEST_P(Kernels, SgemmMatchesReferenceWithAlphaBeta) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      CheckGemm(k_, {7, 13, 5, ta != 0, tb != 0, 0.5f, 2.0f});
      CheckGemm(k_, {65, 33, 17, ta != 0, tb != 0, -1.5f, 1.0f});
      CheckGemm(k_, {2, 100, 33, ta != 0, tb != 0, 2.0f, -1.0f});
      CheckGemm(k_, {9, 4, 0, ta != 0, tb != 0, 1.0f, 3.0f});      // k 0: C = beta * C
      CheckGemm(k_, {16, 33, 7, ta != 0, tb != 0, 0.0f, 0.5f});    // alpha 0
      CheckGemm(k_, {3, 64, 100, ta != 0, tb != 0, 1.0f, 0.0f});   // beta 0 over NaNs
    }
}

// Each activation, with a bias per row or per column and a residual, on packed and skinny
// products and on k 0 (the epilogue alone).
TEST_P(Kernels, SgemmMatchesReferenceWithEpilogue) {
  const GemmCase cases[] = {{33, 100, 64, false, false, 1.0f, 0.0f},
                            {3, 70, 40, false, true, 1.0f, 0.0f},
                            {2, 64, 16, false, false, 0.5f, 1.0f},
                            {64, 50, 300, false, false, 1.0f, 0.5f},  // over two K blocks, split
                            {3, 2000, 64, false, false, 1.0f, 0.0f},  // skinny, split
                            {30, 70, 600, false, false, 1.0f, 0.0f},  // full tiles straight into C over 3 K blocks
                            {20, 9, 0, true, false, 1.0f, 1.0f}};
  for (const GemmCase &gc : cases)
    for (int act = 0; act < kActCount; ++act) {
      CheckGemm(k_, gc, {1, act == kRelu, act});
      CheckGemm(k_, gc, {2, act != kRelu, act});
    }
  CheckGemm(k_, cases[0], {0, true, kNone});
}

// A matrix-vector product into a contiguous column (ldc 1: a linear layer with one output), whose
// rows are finished several at a time: every activation, a bias per column (one value) or per
// row, a residual, beta, and row counts around the tile height.
TEST_P(Kernels, GemvIntoContiguousColumnWithEpilogue) {
  for (int64_t m : {1, 13, 14, 15, 100})
    for (int act = 0; act < kActCount; ++act) {
      CheckGemm(k_, {m, 1, 37, false, true, 1.0f, 0.0f}, {2, act == kRelu, act}, 0);
      CheckGemm(k_, {m, 1, 37, false, true, 0.5f, 0.5f}, {1, act != kRelu, act}, 0);
      CheckGemm(k_, {m, 1, 16, false, false, 1.0f, 0.0f}, {0, true, act}, 0);
    }
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t batch, in_c, in_h, in_w, out_c, kh, kw, stride, pad, dil, groups;
};

// Checks aoti_conv2d (threads 1..4) against a naive loop, with a bias, a residual and `act`, and
// with no epilogue.
void CheckConv(const aoti_test_kernels *kern, const ConvCase &cc, int act = kRelu) {
  SCOPED_TRACE(testing::Message() << "batch " << cc.batch << " in " << cc.in_c << "x" << cc.in_h << "x" << cc.in_w
                                  << " out " << cc.out_c << " kernel " << cc.kh << "x" << cc.kw << " stride "
                                  << cc.stride << " pad " << cc.pad << " dil " << cc.dil << " groups " << cc.groups);
  const int64_t pad_h = cc.in_h == 1 ? 0 : cc.pad;  // 1-D: the height is 1, unpadded
  const int64_t out_h = (cc.in_h + 2 * pad_h - cc.dil * (cc.kh - 1) - 1) / cc.stride + 1;
  const int64_t out_w = (cc.in_w + 2 * cc.pad - cc.dil * (cc.kw - 1) - 1) / cc.stride + 1;
  const aoti_test_conv_shape p = {cc.batch, cc.in_c, cc.in_h, cc.in_w, cc.out_c, out_h, out_w, cc.kh, cc.kw,
                                  cc.stride, cc.stride, pad_h, cc.pad, cc.dil, cc.dil, cc.groups};
  const int64_t cin_g = cc.in_c / cc.groups, cout_g = cc.out_c / cc.groups;
  const size_t out_size = size_t(cc.batch * cc.out_c * out_h * out_w);
  const std::vector<float> x = RandomFloats(size_t(cc.batch * cc.in_c * cc.in_h * cc.in_w), 11);
  const std::vector<float> w = RandomFloats(size_t(cc.out_c * cin_g * cc.kh * cc.kw), 12);
  const std::vector<float> bias = RandomFloats(size_t(cc.out_c), 13);
  const std::vector<float> residual = RandomFloats(out_size, 14);
  std::vector<double> plain(out_size);
  for (int64_t b = 0; b < cc.batch; ++b)
    for (int64_t oc = 0; oc < cc.out_c; ++oc)
      for (int64_t oy = 0; oy < out_h; ++oy)
        for (int64_t ox = 0; ox < out_w; ++ox) {
          double acc = 0.0;
          for (int64_t ic = 0; ic < cin_g; ++ic)
            for (int64_t ky = 0; ky < cc.kh; ++ky)
              for (int64_t kx = 0; kx < cc.kw; ++kx) {
                const int64_t iy = oy * cc.stride - pad_h + ky * cc.dil, ix = ox * cc.stride - cc.pad + kx * cc.dil;
                if (iy < 0 || iy >= cc.in_h || ix < 0 || ix >= cc.in_w) continue;
                const int64_t c = (oc / cout_g) * cin_g + ic;
                acc += double(x[size_t(((b * cc.in_c + c) * cc.in_h + iy) * cc.in_w + ix)]) *
                       double(w[size_t(((oc * cin_g + ic) * cc.kh + ky) * cc.kw + kx)]);
              }
          plain[size_t(((b * cc.out_c + oc) * out_h + oy) * out_w + ox)] = acc;
        }
  const double tol = 2e-6 * double(cin_g * cc.kh * cc.kw + 4);
  const aoti_test_epilogue none = {nullptr, 1, nullptr, kNone};
  const aoti_test_epilogue fused = {bias.data(), 1, residual.data(), act};
  // the weights as the compiler prepacks them for GEMM-path (not depthwise) convolutions
  const bool depthwise = cin_g == 1 && cc.groups > 1;
  const int64_t depth = cin_g * cc.kh * cc.kw, rows = (cout_g + kern->gemm_mr - 1) / kern->gemm_mr * kern->gemm_mr;
  std::vector<float> w_panels(size_t(cc.groups * rows * depth));
  aoti_gemm_pack_a_panels(kern->gemm_mr, cc.groups, cout_g, depth, w.data(), w_panels.data());
  for (int32_t run = 0; run < (depthwise ? 4 : 8); ++run)
    for (const aoti_test_epilogue *ep : {&none, &fused}) {
      const int32_t threads = run % 4 + 1;
      const bool panels = run >= 4;
      SCOPED_TRACE(testing::Message() << "threads " << threads << (ep == &fused ? " with epilogue" : "")
                                      << (panels ? " A panels" : ""));
      std::vector<float> out(out_size + 1, -7.0f);
      if (panels)
        kern->conv2d_panels(threads, &p, x.data(), w_panels.data(), ep, out.data());
      else
        kern->conv2d(threads, &p, x.data(), w.data(), ep, out.data());
      for (size_t i = 0; i < out_size; ++i) {
        const double channel_bias = bias[i / size_t(out_h * out_w) % size_t(cc.out_c)];
        const double want = ep == &fused ? Activate(act, plain[i] + channel_bias + residual[i]) : plain[i];
        ASSERT_NEAR(out[i], want, tol) << "at " << i;
      }
      ASSERT_EQ(out[out_size], -7.0f) << "wrote past the end";
    }
}

TEST_P(Kernels, Conv2dMatchesReference) {
  const ConvCase cases[] = {
      // batch, in_c, h, w, out_c, kh, kw, stride, pad, dil, groups
      {1, 3, 9, 11, 5, 3, 3, 1, 1, 1, 1},     // 3x3, padded
      {2, 4, 8, 8, 6, 1, 1, 1, 0, 1, 1},      // pointwise: a plain GEMM
      {1, 4, 8, 8, 6, 1, 1, 2, 0, 1, 1},      // 1x1 stride 2
      {1, 6, 13, 10, 8, 3, 3, 2, 1, 1, 2},    // groups 2, stride 2
      {2, 8, 12, 12, 8, 3, 3, 1, 1, 1, 8},    // depthwise
      {1, 8, 12, 11, 8, 3, 3, 2, 1, 1, 8},    // depthwise, stride 2
      {1, 4, 11, 11, 4, 5, 5, 1, 2, 1, 4},    // depthwise 5x5
      {1, 3, 11, 13, 3, 3, 3, 3, 1, 1, 3},    // depthwise, stride 3
      {1, 4, 9, 70, 4, 3, 3, 2, 1, 1, 4},     // depthwise, stride 2, rows of several vectors
      {1, 2, 8, 75, 2, 5, 5, 2, 2, 1, 2},     // depthwise 5x5, stride 2, odd width
      {1, 2, 6, 72, 4, 3, 3, 2, 0, 2, 2},     // depthwise, stride 2, dilation 2, multiplier 2
      {1, 4, 10, 40, 4, 3, 3, 1, 2, 2, 4},    // depthwise, dilation 2, rows of several vectors
      {1, 2, 20, 6, 2, 17, 3, 1, 8, 1, 2},    // depthwise, a kernel taller than the register path takes
      {1, 4, 12, 12, 8, 5, 5, 2, 2, 1, 4},    // depthwise with channel multiplier 2
      {1, 5, 10, 10, 7, 3, 3, 1, 2, 2, 1},    // dilation 2
      {1, 3, 30, 30, 16, 7, 7, 2, 2, 1, 1},   // 7x7 stride 2, as resnet's stem
      {1, 5, 9, 9, 4, 5, 5, 1, 0, 1, 1},      // 5x5 unpadded
      {1, 40, 7, 7, 70, 3, 3, 1, 1, 1, 1},    // rows over an NR panel boundary, K over one block
      {2, 3, 1, 20, 4, 1, 3, 1, 1, 1, 1},     // 1-D
      {1, 4, 1, 17, 6, 1, 5, 2, 2, 2, 2},     // 1-D, stride, dilation, groups
  };
  for (const ConvCase &cc : cases) CheckConv(k_, cc);
}

// Depthwise convolutions (conv.c's direct path) over every row width from 1 to 40, which puts
// rows narrower than a vector, whole vectors and ragged tails under each window; relu6 as the
// fused activation (mobilenet's).
TEST_P(Kernels, DepthwiseConvMatchesReferenceOverWidths) {
  const int64_t windows[][2] = {{3, 1}, {3, 2}, {5, 1}, {5, 2}};  // kernel, stride
  for (const auto &win : windows)
    for (int64_t pad = 0; pad <= 2; ++pad)
      for (int64_t dil = 1; dil <= 2; ++dil)
        for (int64_t multiplier = 1; multiplier <= 2; ++multiplier)
          for (int64_t width = 1; width <= 40; ++width) {
            const int64_t reach = dil * (win[0] - 1) + 1, height = 9;
            if (width + 2 * pad < reach || height + 2 * pad < reach) continue;
            CheckConv(k_, {1, 3, height, width, 3 * multiplier, win[0], win[0], win[1], pad, dil, 3}, kRelu6);
            if (HasFatalFailure()) return;
          }
}

// Depthwise convolutions that conv.c's bands of padded rows cannot hold (rows too wide for the
// scratch, windows of more than 64 taps), which take its fallback, and a band of one row.
TEST_P(Kernels, DepthwiseConvMatchesReferenceWithoutBands) {
  CheckConv(k_, {1, 2, 3, 24000, 2, 3, 3, 1, 1, 1, 2}, kRelu6);
  CheckConv(k_, {1, 2, 4, 17001, 2, 3, 3, 2, 1, 1, 2}, kRelu6);
  CheckConv(k_, {1, 2, 12, 14, 4, 9, 9, 1, 4, 1, 2}, kRelu6);
  CheckConv(k_, {1, 2, 3, 17000, 2, 3, 3, 1, 1, 1, 2}, kRelu6);  // one row per band
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

struct PoolCase {
  int64_t planes, in_h, in_w, kh, kw, stride, pad, dil;
  bool ceil_mode;
};

// PyTorch's pooling_output_shape: the last window must start inside the input or the left padding.
int64_t PoolOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dil, bool ceil_mode) {
  const int64_t span = in + 2 * pad - dil * (kernel - 1) - 1;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

aoti_test_pool_shape PoolShape(const PoolCase &pc) {
  return {pc.planes, pc.in_h, pc.in_w,
          PoolOutputSize(pc.in_h, pc.kh, pc.stride, pc.pad, pc.dil, pc.ceil_mode),
          PoolOutputSize(pc.in_w, pc.kw, pc.stride, pc.pad, pc.dil, pc.ceil_mode),
          pc.kh, pc.kw, pc.stride, pc.stride, pc.pad, pc.pad, pc.dil, pc.dil};
}

// Max pooling (threads 1..4, with and without indices) against PyTorch's rule written out here: over
// the window's positions inside the input, a value replaces the maximum when greater or NaN. With
// `nans`, every 7th input is NaN; the values are all negative, so a padding that counted would win.
void CheckMaxPool(const aoti_test_kernels *kern, const PoolCase &pc, bool nans) {
  const aoti_test_pool_shape p = PoolShape(pc);
  SCOPED_TRACE(testing::Message() << pc.planes << "x" << pc.in_h << "x" << pc.in_w << " kernel " << pc.kh << "x"
                                  << pc.kw << " stride " << pc.stride << " pad " << pc.pad << " dil " << pc.dil
                                  << " ceil " << pc.ceil_mode << " nans " << nans);
  std::vector<float> x = RandomFloats(size_t(pc.planes * pc.in_h * pc.in_w), 21);
  for (size_t i = 0; i < x.size(); ++i) x[i] = nans && i % 7 == 3 ? NAN : -2.0f - std::fabs(x[i]);
  const size_t out_size = size_t(pc.planes * p.out_h * p.out_w);
  std::vector<float> want(out_size);
  std::vector<int64_t> want_index(out_size);
  for (int64_t c = 0; c < pc.planes; ++c)
    for (int64_t oy = 0; oy < p.out_h; ++oy)
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        float best = -INFINITY;
        int64_t best_index = -1;
        for (int64_t ky = 0; ky < pc.kh; ++ky)
          for (int64_t kx = 0; kx < pc.kw; ++kx) {
            const int64_t iy = oy * pc.stride - pc.pad + ky * pc.dil, ix = ox * pc.stride - pc.pad + kx * pc.dil;
            if (iy < 0 || iy >= pc.in_h || ix < 0 || ix >= pc.in_w) continue;
            const float v = x[size_t((c * pc.in_h + iy) * pc.in_w + ix)];
            if (best_index < 0 || v > best || std::isnan(v)) best = v, best_index = iy * pc.in_w + ix;
          }
        want[size_t((c * p.out_h + oy) * p.out_w + ox)] = best;
        want_index[size_t((c * p.out_h + oy) * p.out_w + ox)] = best_index;
      }
  for (int32_t threads = 1; threads <= 4; ++threads)
    for (bool with_indices : {false, true}) {
      SCOPED_TRACE(testing::Message() << "threads " << threads << (with_indices ? " with indices" : ""));
      std::vector<float> out(out_size + 1, -7.0f);
      std::vector<int64_t> indices(out_size, -1);
      kern->max_pool2d(threads, &p, x.data(), out.data(), with_indices ? indices.data() : nullptr);
      for (size_t i = 0; i < out_size; ++i) {
        if (std::isnan(want[i]))
          ASSERT_TRUE(std::isnan(out[i])) << "at " << i << ": " << out[i];
        else
          ASSERT_EQ(out[i], want[i]) << "at " << i;
        if (with_indices) ASSERT_EQ(indices[i], want_index[i]) << "at " << i;
      }
      ASSERT_EQ(out[out_size], -7.0f) << "wrote past the end";
    }
}

TEST_P(Kernels, MaxPoolMatchesReference) {
  const PoolCase cases[] = {
      // planes, h, w, kh, kw, stride, pad, dil, ceil_mode
      {3, 112, 112, 3, 3, 2, 1, 1, false},  // resnet's stem pool
      {2, 9, 70, 3, 3, 2, 1, 1, true},      // ceil mode, rows of several vectors
      {2, 8, 8, 2, 2, 2, 0, 1, false},      // 2x2
      {2, 7, 9, 2, 2, 2, 0, 1, true},       // 2x2, ceil mode on odd sizes
      {2, 10, 21, 5, 3, 3, 1, 2, true},     // stride 3, dilation 2, a rectangular window
      {1, 6, 5, 4, 4, 1, 2, 1, false},      // an even window, padded by half of it
      {2, 20, 6, 17, 3, 1, 1, 1, false},    // a tall window
      {2, 12, 14, 9, 9, 1, 4, 1, false},    // more taps than conv.c's bands take
      {1, 2, 20000, 3, 3, 2, 1, 1, true},   // wider than the bands hold
  };
  for (const PoolCase &pc : cases)
    for (bool nans : {false, true}) CheckMaxPool(k_, pc, nans);
  // every width from 1 to 40 (narrower than a vector, whole vectors, ragged tails), strides 1 to 3
  for (int64_t stride = 1; stride <= 3; ++stride)
    for (int64_t pad = 0; pad <= 1; ++pad)
      for (int64_t dil = 1; dil <= 2; ++dil)
        for (int64_t width = 1 + 2 * dil - 2 * pad; width <= 40; ++width) {
          if (width < 1) continue;
          CheckMaxPool(k_, {2, 5, width, 3, 3, stride, pad, dil, width % 2 == 1}, width % 3 == 0);
          if (HasFatalFailure()) return;
        }
}

// Average pooling (threads 1..4) against a double-precision sum over the window's positions
// inside the input, divided as PyTorch does: by divisor_override, or by the window clipped to the
// padded input (count_include_pad) or to the input.
void CheckAvgPool(const aoti_test_kernels *kern, const PoolCase &pc, bool count_include_pad, int64_t divisor) {
  const aoti_test_pool_shape p = PoolShape(pc);
  SCOPED_TRACE(testing::Message() << pc.planes << "x" << pc.in_h << "x" << pc.in_w << " kernel " << pc.kh << "x"
                                  << pc.kw << " stride " << pc.stride << " pad " << pc.pad << " ceil "
                                  << pc.ceil_mode << " count_include_pad " << count_include_pad << " divisor "
                                  << divisor);
  const std::vector<float> x = RandomFloats(size_t(pc.planes * pc.in_h * pc.in_w), 22);
  const size_t out_size = size_t(pc.planes * p.out_h * p.out_w);
  std::vector<double> want(out_size);
  for (int64_t c = 0; c < pc.planes; ++c)
    for (int64_t oy = 0; oy < p.out_h; ++oy)
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        const int64_t y0 = oy * pc.stride - pc.pad, x0 = ox * pc.stride - pc.pad;
        const int64_t y1 = std::min(y0 + pc.kh, pc.in_h + pc.pad), x1 = std::min(x0 + pc.kw, pc.in_w + pc.pad);
        double sum = 0.0;
        int64_t inside = 0;
        for (int64_t iy = std::max<int64_t>(y0, 0); iy < std::min(y1, pc.in_h); ++iy)
          for (int64_t ix = std::max<int64_t>(x0, 0); ix < std::min(x1, pc.in_w); ++ix, ++inside)
            sum += x[size_t((c * pc.in_h + iy) * pc.in_w + ix)];
        const int64_t div = divisor ? divisor : count_include_pad ? (y1 - y0) * (x1 - x0) : inside;
        want[size_t((c * p.out_h + oy) * p.out_w + ox)] = sum / double(div);
      }
  for (int32_t threads = 1; threads <= 4; ++threads) {
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    std::vector<float> out(out_size + 1, -7.0f);
    kern->avg_pool2d(threads, &p, count_include_pad, divisor, x.data(), out.data());
    for (size_t i = 0; i < out_size; ++i) ASSERT_NEAR(out[i], want[i], 1e-6 * double(pc.kh * pc.kw)) << "at " << i;
    ASSERT_EQ(out[out_size], -7.0f) << "wrote past the end";
  }
}

TEST_P(Kernels, AvgPoolMatchesReference) {
  const PoolCase cases[] = {
      // planes, h, w, kh, kw, stride, pad, dil (1), ceil_mode
      {3, 56, 56, 2, 2, 2, 0, 1, false},  // densenet's transition
      {2, 17, 35, 3, 3, 1, 1, 1, false},  // inception's branch pool
      {2, 9, 70, 3, 3, 2, 1, 1, true},    // ceil mode: windows past the padding
      {2, 10, 21, 5, 3, 3, 2, 1, true},   // stride 3, a rectangular window
      {1, 3, 20000, 3, 3, 2, 1, 1, false},  // wider than the bands hold
      {1, 12, 14, 9, 9, 1, 4, 1, false},    // more taps than the bands take
  };
  for (const PoolCase &pc : cases)
    for (bool include_pad : {true, false})
      for (int64_t divisor : {0, 5}) CheckAvgPool(k_, pc, include_pad, divisor);
  for (int64_t stride = 1; stride <= 2; ++stride)
    for (int64_t width = 2; width <= 40; ++width) {
      CheckAvgPool(k_, {2, 5, width, 3, 3, stride, 1, 1, width % 2 == 1}, width % 3 != 0, 0);
      if (HasFatalFailure()) return;
    }
}

//===----------------------------------------------------------------------===//
// Batched matmul and attention
//===----------------------------------------------------------------------===//

TEST_P(Kernels, BmmMatchesReference) {
  const int64_t shapes[][4] = {{1, 17, 40, 9}, {5, 7, 33, 20}, {3, 2, 5, 300}};  // batch, m, n, k
  for (const auto &s : shapes) {
    const int64_t batch = s[0], m = s[1], n = s[2], k = s[3];
    const std::vector<float> a = RandomFloats(size_t(batch * m * k), 21), b = RandomFloats(size_t(batch * k * n), 22);
    const std::vector<float> c0 = RandomFloats(size_t(batch * m * n), 23);
    for (int32_t threads = 1; threads <= 4; ++threads) {
      SCOPED_TRACE(testing::Message() << "batch " << batch << " " << m << "x" << n << "x" << k << " threads " << threads);
      std::vector<float> c = c0;
      k_->bmm(threads, batch, m, n, k, 2.0f, a.data(), b.data(), 0.5f, c.data());
      for (int64_t i = 0; i < batch; ++i)
        for (int64_t r = 0; r < m; ++r)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0.0;
            for (int64_t p = 0; p < k; ++p)
              acc += double(a[size_t((i * m + r) * k + p)]) * double(b[size_t((i * k + p) * n + j)]);
            const size_t at = size_t((i * m + r) * n + j);
            ASSERT_NEAR(c[at], 2.0 * acc + 0.5 * c0[at], 1e-5 * double(k + 4));
          }
    }
  }
}

struct AttentionCase {
  int64_t batch0, batch1, l, s, e, ev;
  int mask_kind;  // 0 none, 1 bool, 2 float
  bool causal;
  // 0: [L, S] broadcast over the batch; 1: [batch1, L, S]; 2: [L, 1] broadcast over keys; 3: as 0,
  // attending keys j <= i only (a causal mask given as a tensor)
  int mask_layout = 0;
  bool masked_rows = false;  // every third query row's mask excludes every key
};

// Runs aoti_attention (threads 1..4) on random q, k, v and compares with softmax(scale q k^T +
// mask) v in double, where a row with no attended key is 0 (PyTorch's safe softmax).
void CheckAttention(const aoti_test_kernels *kern, const AttentionCase &ac) {
  SCOPED_TRACE(testing::Message() << "batch " << ac.batch0 << "x" << ac.batch1 << " L" << ac.l << " S" << ac.s << " E"
                                  << ac.e << " Ev" << ac.ev << " mask " << ac.mask_kind << " layout " << ac.mask_layout
                                  << " causal " << ac.causal << " masked rows " << ac.masked_rows);
  const int64_t total = ac.batch0 * ac.batch1, batch[2] = {ac.batch0, ac.batch1};
  const int64_t mask_s = ac.mask_layout == 2 ? 1 : ac.s, heads = ac.mask_layout == 1 ? ac.batch1 : 1;
  const int64_t bstride[2] = {0, ac.mask_layout == 1 ? ac.l * mask_s : 0};
  const int64_t lstride = mask_s, sstride = ac.mask_layout == 2 ? 0 : 1;
  const std::vector<float> q = RandomFloats(size_t(total * ac.l * ac.e), 31);
  const std::vector<float> k = RandomFloats(size_t(total * ac.s * ac.e), 32);
  const std::vector<float> v = RandomFloats(size_t(total * ac.s * ac.ev), 33);
  std::vector<float> fmask = RandomFloats(size_t(heads * ac.l * mask_s), 34);
  std::vector<unsigned char> bmask(fmask.size());
  for (size_t i = 0; i < bmask.size(); ++i) {
    const int64_t row = int64_t(i) / mask_s % ac.l, col = int64_t(i) % mask_s;
    const bool excluded = (ac.masked_rows && row % 3 == 1) || (ac.mask_layout == 3 && col > row);
    bmask[i] = !excluded && (ac.mask_layout == 3 || (i * 7 + 3) % 4 != 0);
    if (excluded || i % 5 == 2) fmask[i] = -INFINITY;  // -inf scores are skipped
  }
  const void *mask = ac.mask_kind == 1 ? static_cast<const void *>(bmask.data()) : fmask.data();
  // A scale that spreads the scores over several units, so the running max moves between key blocks.
  const float scale = 4.0f / std::sqrt(float(ac.e));
  std::vector<double> expected(size_t(total * ac.l * ac.ev), 0.0);
  for (int64_t bi = 0; bi < total; ++bi)
    for (int64_t i = 0; i < ac.l; ++i) {
      std::vector<double> score(size_t(ac.s), -INFINITY);
      double max = -INFINITY;
      for (int64_t j = 0; j < ac.s; ++j) {
        const size_t at = size_t((bi % ac.batch1) * bstride[1] + i * lstride + j * sstride);
        if (ac.causal && j > i) continue;
        if (ac.mask_kind == 1 && !bmask[at]) continue;
        double dot = 0.0;
        for (int64_t c = 0; c < ac.e; ++c)
          dot += double(q[size_t((bi * ac.l + i) * ac.e + c)]) * double(k[size_t((bi * ac.s + j) * ac.e + c)]);
        score[size_t(j)] = dot * scale + (ac.mask_kind == 2 ? fmask[at] : 0.0);
        max = std::max(max, score[size_t(j)]);
      }
      if (max == -INFINITY) continue;  // nothing attended: zeros
      double sum = 0.0;
      for (double &sc : score) sum += sc = std::exp(sc - max);
      for (int64_t j = 0; j < ac.s; ++j)
        for (int64_t c = 0; c < ac.ev; ++c)
          expected[size_t((bi * ac.l + i) * ac.ev + c)] += score[size_t(j)] / sum * v[size_t((bi * ac.s + j) * ac.ev + c)];
    }
  for (int32_t threads = 1; threads <= 4; ++threads) {
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    std::vector<float> out(expected.size() + 1, NAN);
    kern->attention(threads, 2, batch, ac.l, ac.s, ac.e, ac.ev, scale, q.data(), k.data(), v.data(), ac.mask_kind,
                    ac.mask_kind ? mask : nullptr, bstride, lstride, sstride, ac.causal, out.data());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_NEAR(out[i], expected[i], 2e-5) << "at " << i;
    ASSERT_TRUE(std::isnan(out[expected.size()])) << "wrote past the end";
  }
}

TEST_P(Kernels, AttentionMatchesReference) {
  const AttentionCase cases[] = {{2, 3, 5, 7, 16, 8, 0, false},
                                 {1, 2, 9, 9, 37, 37, 0, true},
                                 {2, 1, 4, 6, 8, 5, 1, false},
                                 {1, 3, 6, 6, 33, 12, 2, true}};
  for (const AttentionCase &ac : cases) CheckAttention(k_, ac);
}

// Sequences that are not multiples of the kernel's query and key blocks (1, 7, 130, 300), head
// dims 8 to 128, every mask kind and layout, causal (as a flag and as a mask), and rows that attend
// no key.
TEST_P(Kernels, AttentionLongSequencesAndMasks) {
  const AttentionCase cases[] = {
      // batch0, batch1, L, S, E, Ev, mask, causal, layout, masked rows
      {1, 1, 1, 1, 8, 8, 0, false},
      {1, 2, 1, 300, 64, 64, 0, false},
      {1, 2, 130, 130, 64, 64, 0, true},
      {2, 2, 300, 7, 8, 16, 1, false},
      {1, 3, 7, 300, 128, 128, 2, false, 1},
      {1, 2, 300, 300, 64, 32, 1, true, 1, true},
      {1, 2, 130, 300, 16, 64, 2, false, 0, true},
      {1, 1, 200, 130, 128, 8, 1, false, 2, true},
      {2, 1, 130, 7, 24, 40, 2, true, 2},
      {1, 1, 7, 1, 8, 8, 1, false, 0, true},
      {1, 2, 300, 300, 64, 64, 1, false, 3},  // key blocks past every row's last key are skipped
      {1, 1, 130, 300, 32, 32, 1, false, 3, true},
      {1, 2, 300, 300, 64, 64, 2, false, 3},
  };
  for (const AttentionCase &ac : cases) CheckAttention(k_, ac);
}

//===----------------------------------------------------------------------===//
// Softmax and layer norm
//===----------------------------------------------------------------------===//

// What float gets of softmax's p = e^(x - max) / sum: x - max rounds to 2^-24 relative, which
// e^ turns into |x - max| * 2^-24 relative error in p (|log p| bounds it), plus a few roundings;
// log-softmax is absolute.
double SoftmaxTolerance(double want, bool is_log) {
  if (is_log) return 1e-5 + 1e-6 * std::fabs(want);
  return std::fabs(want) * (1e-6 + 1.2e-7 * std::fabs(std::log(want)));
}

// Softmax and log-softmax over the middle dim of [outer, n, inner] (threads 1..4) against double,
// on values spread over +-20 with some -inf (which must give exactly 0), and a slice of only -inf
// (NaN, as PyTorch).
void CheckSoftmax(const aoti_test_kernels *kern, int64_t outer, int64_t n, int64_t inner) {
  std::vector<float> x = RandomFloats(size_t(outer * n * inner), 41);
  for (size_t i = 0; i < x.size(); ++i) x[i] = i % 11 == 4 ? -INFINITY : 20.0f * x[i];
  for (int64_t j = 0; j < n; ++j) x[size_t(j * inner)] = -INFINITY;  // slice (0, 0): all -inf
  for (int is_log = 0; is_log < 2; ++is_log) {
    std::vector<double> expected(x.size());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const auto at = [&](int64_t j) { return size_t((o * n + j) * inner + i); };
        double max = -INFINITY, sum = 0.0;
        for (int64_t j = 0; j < n; ++j) max = std::max(max, double(x[at(j)]));
        for (int64_t j = 0; j < n; ++j) sum += std::exp(x[at(j)] - max);
        for (int64_t j = 0; j < n; ++j)
          expected[at(j)] = is_log ? x[at(j)] - max - std::log(sum) : std::exp(x[at(j)] - max) / sum;
      }
    for (int32_t threads = 1; threads <= 4; ++threads) {
      SCOPED_TRACE(testing::Message() << "[" << outer << ", " << n << ", " << inner << "] log " << is_log
                                      << " threads " << threads);
      std::vector<float> out(x.size() + 1, 7.0f);
      kern->softmax(threads, outer, n, inner, x.data(), out.data(), is_log);
      for (size_t i = 0; i < x.size(); ++i) {
        if (i < size_t(n * inner) && i % size_t(inner) == 0)  // slice (0, 0)
          ASSERT_TRUE(std::isnan(out[i])) << "an all -inf slice at " << i;
        else if (std::isinf(expected[i]) || expected[i] == 0.0)
          ASSERT_EQ(out[i], expected[i]) << "at " << i;
        else
          ASSERT_NEAR(out[i], expected[i], SoftmaxTolerance(expected[i], is_log != 0)) << "at " << i;
      }
      ASSERT_EQ(out[x.size()], 7.0f) << "wrote past the end";
    }
  }
}

TEST_P(Kernels, SoftmaxMatchesReference) {
  CheckSoftmax(k_, 3, 1, 1);
  CheckSoftmax(k_, 5, 7, 1);
  CheckSoftmax(k_, 4, 300, 1);
  CheckSoftmax(k_, 70, 257, 1);  // split over the threads
  CheckSoftmax(k_, 3, 17, 5);    // strided slices
  CheckSoftmax(k_, 2, 100003, 1);  // long rows: the sums must keep float precision
}

// Layer norm of [outer, inner] rows (threads 1..4) against double, with and without weight and
// bias, the mean and rstd outputs included; values offset by 10, so a one-pass variance would
// lose digits.
void CheckLayerNorm(const aoti_test_kernels *kern, int64_t outer, int64_t inner, bool affine) {
  std::vector<float> x = RandomFloats(size_t(outer * inner), 51);
  for (float &f : x) f += 10.0f;
  const std::vector<float> w = RandomFloats(size_t(inner), 52), b = RandomFloats(size_t(inner), 53);
  const float eps = 1e-5f;
  for (int32_t threads = 1; threads <= 4; ++threads) {
    SCOPED_TRACE(testing::Message() << "[" << outer << ", " << inner << "] affine " << affine << " threads "
                                    << threads);
    std::vector<float> out(x.size() + 1, 7.0f), mean(static_cast<size_t>(outer)),
        rstd(static_cast<size_t>(outer));
    kern->layer_norm(threads, outer, inner, x.data(), affine ? w.data() : nullptr, affine ? b.data() : nullptr, eps,
                     out.data(), mean.data(), rstd.data());
    for (int64_t r = 0; r < outer; ++r) {
      double m = 0.0, var = 0.0;
      for (int64_t j = 0; j < inner; ++j) m += x[size_t(r * inner + j)];
      m /= double(inner);
      for (int64_t j = 0; j < inner; ++j) var += (x[size_t(r * inner + j)] - m) * (x[size_t(r * inner + j)] - m);
      const double rs = 1.0 / std::sqrt(var / double(inner) + eps);
      ASSERT_NEAR(mean[size_t(r)], m, 1e-6 * std::fabs(m)) << "mean of row " << r;
      ASSERT_NEAR(rstd[size_t(r)], rs, 1e-5 * rs) << "rstd of row " << r;
      for (int64_t j = 0; j < inner; ++j) {
        double y = (x[size_t(r * inner + j)] - m) * rs;
        if (affine) y = y * w[size_t(j)] + b[size_t(j)];
        ASSERT_NEAR(out[size_t(r * inner + j)], y, 1e-5) << "at " << r << "," << j;
      }
    }
    ASSERT_EQ(out[x.size()], 7.0f) << "wrote past the end";
  }
}

TEST_P(Kernels, LayerNormMatchesReference) {
  for (int affine = 0; affine < 2; ++affine) {
    CheckLayerNorm(k_, 3, 1, affine != 0);
    CheckLayerNorm(k_, 4, 7, affine != 0);
    CheckLayerNorm(k_, 5, 256, affine != 0);
    CheckLayerNorm(k_, 70, 771, affine != 0);  // split over the threads
    CheckLayerNorm(k_, 2, 100003, affine != 0);
  }
}

//===----------------------------------------------------------------------===//
// Strided copy
//===----------------------------------------------------------------------===//

// dst = src read with `strides` over `sizes`, by a naive multi-index walk.
template <typename T>
std::vector<T> NaiveStrided(const std::vector<int64_t> &sizes, const std::vector<int64_t> &strides,
                            const std::vector<T> &src) {
  int64_t numel = 1;
  for (int64_t s : sizes) numel *= s;
  std::vector<T> out;
  for (int64_t e = 0; e < numel; ++e) {
    int64_t rest = e, offset = 0;
    for (int d = int(sizes.size()) - 1; d >= 0; --d) {
      offset += (rest % sizes[d]) * strides[d];
      rest /= sizes[d];
    }
    out.push_back(src[size_t(offset)]);
  }
  return out;
}

struct CopyCase {
  std::vector<int64_t> sizes, strides;
};

// Each element size the kernel moves (1, 2, 4, 8 bytes), on values that differ in every byte.
template <typename T>
void CheckCopiesOfElementSize(const aoti_test_kernels *kern, const std::vector<CopyCase> &cases) {
  std::vector<T> src(4 * 3 * 5 * 2);
  for (size_t i = 0; i < src.size(); ++i) src[i] = T(0x0101010101010101ull * (i + 1));
  for (const CopyCase &c : cases) {
    std::vector<T> expected = NaiveStrided(c.sizes, c.strides, src);
    std::vector<T> got(expected.size() + 1, T(0x5a));
    kern->copy(sizeof(T), int32_t(c.sizes.size()), c.sizes.data(), src.data(), c.strides.data(), got.data());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(got[i], expected[i]) << sizeof(T) << "-byte element " << i;
    EXPECT_EQ(got[expected.size()], T(0x5a)) << "wrote past the end";
  }
}

TEST_P(Kernels, CopyEveryElementSize) {
  const std::vector<CopyCase> cases = {{{5, 4, 3}, {1, 15, 5}}, {{3, 4}, {0, 1}}, {{2, 3}, {3, 2}}};
  CheckCopiesOfElementSize<uint8_t>(k_, cases);
  CheckCopiesOfElementSize<uint16_t>(k_, cases);
  CheckCopiesOfElementSize<uint32_t>(k_, cases);
  CheckCopiesOfElementSize<uint64_t>(k_, cases);
}

TEST_P(Kernels, CopyPermuteExpandAndRank8) {
  const std::vector<float> src = RandomFloats(4 * 3 * 5 * 2, 7);
  const CopyCase cases[] = {
      {{5, 4, 3}, {1, 15, 5}},              // permute(2, 0, 1) of 4x3x5 (then one more dim cut)
      {{3, 4}, {1, 3}},                     // t of 4x3
      {{2, 3, 4}, {0, 4, 1}},               // expand of 3x4 to 2x3x4
      {{3, 4}, {1, 0}},                     // expand of 3x1 to 3x4 (inner stride 0)
      {{2, 1, 2, 1, 2, 1, 2, 3}, {60, 0, 30, 0, 15, 0, 5, 1}},  // rank 8
      {{2, 0, 3}, {1, 1, 1}},               // empty
  };
  for (const CopyCase &c : cases) {
    std::vector<float> expected = NaiveStrided(c.sizes, c.strides, src);
    std::vector<float> got(expected.size() + 1, -7.0f);
    k_->copy(sizeof(float), int32_t(c.sizes.size()), c.sizes.data(), src.data(), c.strides.data(), got.data());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(got[i], expected[i]) << "element " << i;
    EXPECT_EQ(got[expected.size()], -7.0f) << "wrote past the end";
  }
  float scalar = 0.0f;
  k_->copy(sizeof(float), 0, nullptr, src.data() + 3, nullptr, &scalar);
  EXPECT_EQ(scalar, src[3]);
}

INSTANTIATE_TEST_SUITE_P(Builds, Kernels, testing::Values("generic", "avx2", "avx512"),
                         [](const testing::TestParamInfo<std::string> &info) { return info.param; });

}  // namespace
