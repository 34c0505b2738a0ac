// test_kernels.cc — the kernel templates (GEMM with its epilogue, convolution, batched matmul,
// attention, strided copy) against naive double-precision loops written here, on every build of
// them the CPU can run (kernels_under_test.h: generic, AVX2+FMA, AVX-512) and split into 1 to 4
// thread ranges (run in reverse order, so overlapping or order-dependent ranges show).
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "codegen_test_util.h"  // RandomFloats
#include "kernels_under_test.h"

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
void CheckGemm(const aoti_test_kernels *kern, const GemmCase &gc, const GemmEpilogue &ge = {}) {
  SCOPED_TRACE(testing::Message() << gc.m << "x" << gc.n << "x" << gc.k << " ta=" << gc.trans_a << " tb="
                                  << gc.trans_b << " alpha=" << gc.alpha << " beta=" << gc.beta
                                  << " bias=" << ge.bias << " residual=" << ge.residual << " act=" << ge.act);
  // Stored shapes: A is m x k (or k x m when transposed), B is k x n (or n x k); padded rows
  // check that the leading dimensions are honoured.
  const int64_t lda = (gc.trans_a ? gc.m : gc.k) + 3, ldb = (gc.trans_b ? gc.k : gc.n) + 2;
  const int64_t ldc = gc.n + 5;
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
  for (int32_t threads = 1; threads <= 4; ++threads) {
    SCOPED_TRACE(testing::Message() << "threads " << threads);
    std::vector<float> c = c0;
    kern->sgemm(threads, gc.trans_a, gc.trans_b, gc.m, gc.n, gc.k, gc.alpha, a.data(), lda, b.data(), ldb, gc.beta,
                c.data(), ldc, with_ep ? &ep : nullptr);
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
                            {20, 9, 0, true, false, 1.0f, 1.0f}};
  for (const GemmCase &gc : cases)
    for (int act = 0; act < kActCount; ++act) {
      CheckGemm(k_, gc, {1, act == kRelu, act});
      CheckGemm(k_, gc, {2, act != kRelu, act});
    }
  CheckGemm(k_, cases[0], {0, true, kNone});
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

struct ConvCase {
  int64_t batch, in_c, in_h, in_w, out_c, kh, kw, stride, pad, dil, groups;
};

// Checks aoti_conv2d (threads 1..4) against a naive loop, with a bias, a residual and relu, and
// with no epilogue.
void CheckConv(const aoti_test_kernels *kern, const ConvCase &cc) {
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
  const aoti_test_epilogue fused = {bias.data(), 1, residual.data(), kRelu};
  for (int32_t threads = 1; threads <= 4; ++threads)
    for (const aoti_test_epilogue *ep : {&none, &fused}) {
      SCOPED_TRACE(testing::Message() << "threads " << threads << (ep == &fused ? " with epilogue" : ""));
      std::vector<float> out(out_size + 1, -7.0f);
      kern->conv2d(threads, &p, x.data(), w.data(), ep, out.data());
      for (size_t i = 0; i < out_size; ++i) {
        const double channel_bias = bias[i / size_t(out_h * out_w) % size_t(cc.out_c)];
        const double want = ep == &fused ? Activate(kRelu, plain[i] + channel_bias + residual[i]) : plain[i];
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
  int mask_kind;  // 0 none, 1 bool, 2 float: a [L, S] mask broadcast over the batch
  bool causal;
};

TEST_P(Kernels, AttentionMatchesReference) {
  const AttentionCase cases[] = {{2, 3, 5, 7, 16, 8, 0, false},
                                 {1, 2, 9, 9, 37, 37, 0, true},
                                 {2, 1, 4, 6, 8, 5, 1, false},
                                 {1, 3, 6, 6, 33, 12, 2, true}};
  for (const AttentionCase &ac : cases) {
    const int64_t total = ac.batch0 * ac.batch1, batch[2] = {ac.batch0, ac.batch1}, bstride[2] = {0, 0};
    const std::vector<float> q = RandomFloats(size_t(total * ac.l * ac.e), 31);
    const std::vector<float> k = RandomFloats(size_t(total * ac.s * ac.e), 32);
    const std::vector<float> v = RandomFloats(size_t(total * ac.s * ac.ev), 33);
    const std::vector<float> fmask = RandomFloats(size_t(ac.l * ac.s), 34);
    std::vector<unsigned char> bmask(size_t(ac.l * ac.s));
    for (size_t i = 0; i < bmask.size(); ++i) bmask[i] = (i * 7 + 3) % 4 != 0;
    const void *mask = ac.mask_kind == 1 ? static_cast<const void *>(bmask.data()) : fmask.data();
    const float scale = 1.0f / std::sqrt(float(ac.e));
    std::vector<double> expected(size_t(total * ac.l * ac.ev), 0.0);
    for (int64_t bi = 0; bi < total; ++bi)
      for (int64_t i = 0; i < ac.l; ++i) {
        std::vector<double> score(size_t(ac.s), -INFINITY);
        double max = -INFINITY;
        for (int64_t j = 0; j < ac.s; ++j) {
          if (ac.causal && j > i) continue;
          if (ac.mask_kind == 1 && !bmask[size_t(i * ac.s + j)]) continue;
          double dot = 0.0;
          for (int64_t c = 0; c < ac.e; ++c)
            dot += double(q[size_t((bi * ac.l + i) * ac.e + c)]) * double(k[size_t((bi * ac.s + j) * ac.e + c)]);
          score[size_t(j)] = dot * scale + (ac.mask_kind == 2 ? fmask[size_t(i * ac.s + j)] : 0.0);
          max = std::max(max, score[size_t(j)]);
        }
        double sum = 0.0;
        for (double &sc : score) sum += sc = std::exp(sc - max);
        for (int64_t j = 0; j < ac.s; ++j)
          for (int64_t c = 0; c < ac.ev; ++c)
            expected[size_t((bi * ac.l + i) * ac.ev + c)] +=
                score[size_t(j)] / sum * v[size_t((bi * ac.s + j) * ac.ev + c)];
      }
    for (int32_t threads = 1; threads <= 4; ++threads) {
      SCOPED_TRACE(testing::Message() << "case L" << ac.l << " S" << ac.s << " mask " << ac.mask_kind << " causal "
                                      << ac.causal << " threads " << threads);
      std::vector<float> out(expected.size(), NAN);
      k_->attention(threads, 2, batch, ac.l, ac.s, ac.e, ac.ev, scale, q.data(), k.data(), v.data(), ac.mask_kind,
                    ac.mask_kind ? mask : nullptr, bstride, ac.s, 1, ac.causal, out.data());
      for (size_t i = 0; i < out.size(); ++i) ASSERT_NEAR(out[i], expected[i], 1e-5) << "at " << i;
    }
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
