// test_kernels.cc — the GEMM and strided-copy templates against naive loops written here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "codegen_test_util.h"  // RandomFloats
#include "kernels_under_test.h"

using aoti_test::RandomFloats;

namespace {

struct GemmCase {
  int64_t m, n, k;
  bool trans_a, trans_b;
  float alpha, beta;
};

void CheckGemm(const GemmCase &gc) {
  SCOPED_TRACE(testing::Message() << gc.m << "x" << gc.n << "x" << gc.k << " ta=" << gc.trans_a
                                  << " tb=" << gc.trans_b << " alpha=" << gc.alpha
                                  << " beta=" << gc.beta);
  // Stored shapes: A is m x k (or k x m when transposed), B is k x n (or n x k); padded rows
  // check that the leading dimensions are honoured.
  const int64_t lda = (gc.trans_a ? gc.m : gc.k) + 3, ldb = (gc.trans_b ? gc.k : gc.n) + 2;
  const int64_t ldc = gc.n + 1;
  const std::vector<float> a = RandomFloats(size_t((gc.trans_a ? gc.k : gc.m) * lda), 1);
  const std::vector<float> b = RandomFloats(size_t((gc.trans_b ? gc.n : gc.k) * ldb), 2);
  std::vector<float> c = RandomFloats(size_t(gc.m * ldc), 3);
  std::vector<float> expected = c;
  for (int64_t i = 0; i < gc.m; ++i)
    for (int64_t j = 0; j < gc.n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < gc.k; ++p) {
        const float av = gc.trans_a ? a[p * lda + i] : a[i * lda + p];
        const float bv = gc.trans_b ? b[j * ldb + p] : b[p * ldb + j];
        acc += double(av) * double(bv);
      }
      const double old = gc.beta == 0.0f ? 0.0 : double(gc.beta) * c[i * ldc + j];
      expected[i * ldc + j] = float(old + double(gc.alpha) * acc);
    }
  aoti_test_sgemm(1, gc.trans_a, gc.trans_b, gc.m, gc.n, gc.k, gc.alpha, a.data(), lda, b.data(), ldb,
                  gc.beta, c.data(), ldc);
  for (int64_t i = 0; i < gc.m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const float tol = 1e-5f * float(gc.k + 1);
      ASSERT_NEAR(c[i * ldc + j], expected[i * ldc + j], tol) << "at " << i << "," << j;
    }
}

TEST(GemmKernel, OddSizesAllTransposes) {
  const int64_t sizes[][3] = {{1, 1, 1}, {7, 13, 5}, {65, 33, 17}, {3, 300, 70}, {130, 257, 129}};
  for (const auto &s : sizes)
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) CheckGemm({s[0], s[1], s[2], ta != 0, tb != 0, 1.0f, 0.0f});
}

TEST(GemmKernel, AlphaBeta) {
  CheckGemm({7, 13, 5, false, false, 0.5f, 2.0f});
  CheckGemm({65, 33, 17, true, true, -1.5f, 1.0f});
  CheckGemm({9, 4, 0, false, false, 1.0f, 3.0f});  // k = 0: C = beta * C
}

TEST(GemmKernel, BetaZeroIgnoresNaN) {
  std::vector<float> a = {1, 2}, b = {3, 4};
  std::vector<float> c = {NAN};
  aoti_test_sgemm(1, 0, 0, 1, 1, 2, 1.0f, a.data(), 2, b.data(), 1, 0.0f, c.data(), 1);
  EXPECT_FLOAT_EQ(c[0], 11.0f);
}

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
void CheckCopiesOfElementSize(const std::vector<CopyCase> &cases) {
  std::vector<T> src(4 * 3 * 5 * 2);
  for (size_t i = 0; i < src.size(); ++i) src[i] = T(0x0101010101010101ull * (i + 1));
  for (const CopyCase &c : cases) {
    std::vector<T> expected = NaiveStrided(c.sizes, c.strides, src);
    std::vector<T> got(expected.size() + 1, T(0x5a));
    aoti_test_copy(sizeof(T), int32_t(c.sizes.size()), c.sizes.data(), src.data(), c.strides.data(), got.data());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(got[i], expected[i]) << sizeof(T) << "-byte element " << i;
    EXPECT_EQ(got[expected.size()], T(0x5a)) << "wrote past the end";
  }
}

TEST(CopyKernel, EveryElementSize) {
  const std::vector<CopyCase> cases = {{{5, 4, 3}, {1, 15, 5}}, {{3, 4}, {0, 1}}, {{2, 3}, {3, 2}}};
  CheckCopiesOfElementSize<uint8_t>(cases);
  CheckCopiesOfElementSize<uint16_t>(cases);
  CheckCopiesOfElementSize<uint32_t>(cases);
  CheckCopiesOfElementSize<uint64_t>(cases);
}

TEST(CopyKernel, PermuteExpandAndRank8) {
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
    aoti_test_copy(sizeof(float), int32_t(c.sizes.size()), c.sizes.data(), src.data(), c.strides.data(), got.data());
    for (size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(got[i], expected[i]) << "element " << i;
    EXPECT_EQ(got[expected.size()], -7.0f) << "wrote past the end";
  }
  float scalar = 0.0f;
  aoti_test_copy(sizeof(float), 0, nullptr, src.data() + 3, nullptr, &scalar);
  EXPECT_EQ(scalar, src[3]);
}

}  // namespace
