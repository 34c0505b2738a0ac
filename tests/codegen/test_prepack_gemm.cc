// test_prepack_gemm.cc — weights packed at compile time for the GEMM (passes/prepack_gemm.c): the
// target's tile as aotic learns it from the C compiler, linear and convolution weights switched
// to gemm.c's panels and computing what a double-precision loop computes, the packed originals
// dropped, and a library built for another tile refused with a clear message. (Kernels.* run
// the panel kernels themselves on every vector path.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "codegen_test_util.h"

extern "C" {
#include "build/build.h"
}

namespace {

using aoti_test::GraphBuilder;
using aoti_test::Library;
using aoti_test::RandomFloats;
using aoti_test::Result;

aoti_arg T(aoti_value *v) { return aoti_arg_tensor(v); }

// The GEMM tile aotic would pack for on `target` (nullptr: native).
bool TileOf(const char *target, int32_t *mr, int32_t *nr) {
  aoti_build_options options;
  aoti_build_options_init(&options);
  options.target = target;
  char *probe = aoti_codegen_gemm_tile_probe(), *text = nullptr;
  EXPECT_NE(probe, nullptr);
  aoti_status st = aoti_build_preprocess(probe, &options, &text);
  std::free(probe);
  EXPECT_EQ(st, AOTI_OK) << aoti_last_error();
  if (st == AOTI_OK) st = aoti_codegen_gemm_tile_read(text, mr, nr);
  EXPECT_EQ(st, AOTI_OK) << aoti_last_error();
  std::free(text);
  return st == AOTI_OK;
}

TEST(PrepackGemm, TileFollowsTheTarget) {
  int32_t mr = 0, nr = 0;
  ASSERT_TRUE(TileOf("generic", &mr, &nr));
  EXPECT_EQ(mr, 4);  // gemm.c's portable path: 4-lane vectors, 4 x 8 tiles
  EXPECT_EQ(nr, 8);
#if defined(__x86_64__)
  ASSERT_TRUE(TileOf("x86-64-v3", &mr, &nr));  // AVX2 + FMA
  EXPECT_EQ(mr, 6);
  EXPECT_EQ(nr, 16);
  ASSERT_TRUE(TileOf("x86-64-v4", &mr, &nr));  // AVX-512
  EXPECT_EQ(mr, 14);
  EXPECT_EQ(nr, 32);
#endif
}

TEST(PrepackGemm, ReadRefusesTextWithoutTheTile) {
  int32_t mr = 0, nr = 0;
  EXPECT_EQ(aoti_codegen_gemm_tile_read("int x;\n", &mr, &nr), AOTI_ERROR_INTERNAL);
  EXPECT_NE(std::string(aoti_last_error()).find("GEMM tile"), std::string::npos) << aoti_last_error();
  EXPECT_EQ(aoti_codegen_gemm_tile_read("aoti_gemm_tile AOTI_GEMM_MR 4 2\n", &mr, &nr), AOTI_ERROR_INTERNAL);
}

// x [5, 12] -> linear(W1 [20, 12], b1) -> relu -> linear(W2 [3, 20]); and, beside it,
// image [2, 4, 9, 8] -> conv 3x3 stride 2 pad 1 groups 2 (w [6, 2, 3, 3]).
struct TwoBranches {
  std::vector<float> x = RandomFloats(5 * 12, 1), w1 = RandomFloats(20 * 12, 2), b1 = RandomFloats(20, 3),
                     w2 = RandomFloats(3 * 20, 4), img = RandomFloats(2 * 4 * 9 * 8, 5),
                     wc = RandomFloats(6 * 2 * 3 * 3, 6);

  void Build(GraphBuilder &b) {
    aoti_value *xi = b.Input("x", {b.C(5), b.C(12)});
    aoti_value *ii = b.Input("img", {b.C(2), b.C(4), b.C(9), b.C(8)});
    aoti_value *cw1 = b.Constant("fc1.weight", {20, 12}, w1), *cb1 = b.Constant("fc1.bias", {20}, b1);
    aoti_value *cw2 = b.Constant("fc2.weight", {3, 20}, w2), *cwc = b.Constant("conv.weight", {6, 2, 3, 3}, wc);
    aoti_value *h = b.Node("torch.ops.aten.linear.default", "fc1", {{"input", T(xi)}, {"weight", T(cw1)}, {"bias", T(cb1)}},
                           {b.C(5), b.C(20)});
    aoti_value *r = b.Node("torch.ops.aten.relu.default", "relu", {{"self", T(h)}}, {b.C(5), b.C(20)});
    aoti_value *y = b.Node("torch.ops.aten.linear.default", "fc2", {{"input", T(r)}, {"weight", T(cw2)}},
                           {b.C(5), b.C(3)});
    aoti_value *c = b.Node("torch.ops.aten.conv2d.default", "conv",
                           {{"input", T(ii)}, {"weight", T(cwc)}, {"bias", aoti_arg_none()}, {"stride", b.Ints({2, 2})},
                            {"padding", b.Ints({1, 1})}, {"dilation", b.Ints({1, 1})}, {"groups", aoti_arg_int(2)}},
                           {b.C(2), b.C(6), b.C(5), b.C(4)});
    b.Output("output0", y);
    b.Output("output1", c);
  }

  std::vector<float> Linear() const {
    std::vector<float> out(5 * 3);
    for (int i = 0; i < 5; ++i) {
      double h[20];
      for (int j = 0; j < 20; ++j) {
        double acc = b1[size_t(j)];
        for (int p = 0; p < 12; ++p) acc += double(x[size_t(i * 12 + p)]) * w1[size_t(j * 12 + p)];
        h[j] = acc > 0 ? acc : 0;
      }
      for (int j = 0; j < 3; ++j) {
        double acc = 0;
        for (int p = 0; p < 20; ++p) acc += h[p] * w2[size_t(j * 20 + p)];
        out[size_t(i * 3 + j)] = float(acc);
      }
    }
    return out;
  }

  std::vector<float> Conv() const {
    std::vector<float> out(2 * 6 * 5 * 4);
    for (int n = 0; n < 2; ++n)
      for (int o = 0; o < 6; ++o)
        for (int oy = 0; oy < 5; ++oy)
          for (int ox = 0; ox < 4; ++ox) {
            double acc = 0;
            for (int c = 0; c < 2; ++c)
              for (int ky = 0; ky < 3; ++ky)
                for (int kx = 0; kx < 3; ++kx) {
                  const int iy = oy * 2 - 1 + ky, ix = ox * 2 - 1 + kx, ic = (o / 3) * 2 + c;
                  if (iy < 0 || iy >= 9 || ix < 0 || ix >= 8) continue;
                  acc += double(img[size_t(((n * 4 + ic) * 9 + iy) * 8 + ix)]) * wc[size_t(((o * 2 + c) * 3 + ky) * 3 + kx)];
                }
            out[size_t(((n * 6 + o) * 5 + oy) * 4 + ox)] = float(acc);
          }
    return out;
  }
};

bool HasConstant(const aoti_graph *g, const char *fqn) {
  for (int32_t i = 0; i < g->num_constants; ++i)
    if (std::strcmp(g->constants[i].fqn, fqn) == 0) return true;
  return false;
}

const aoti_node *NodeNamed(const aoti_graph *g, const char *name) {
  for (int32_t i = 0; i < g->num_nodes; ++i)
    if (std::strcmp(g->nodes[i]->name, name) == 0) return g->nodes[i];
  return nullptr;
}

// Builds `m` into `b`, binds it and runs the passes with weights packed for the portable 4 x 8
// tile (gemm.c's path with no -march, which Library builds).
void PassForGenericTile(GraphBuilder &b, TwoBranches &m) {
  aoti_pass_options options;
  aoti_pass_options_init(&options);
  ASSERT_TRUE(TileOf("generic", &options.gemm_mr, &options.gemm_nr));
  m.Build(b);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), &options, nullptr), AOTI_OK) << aoti_last_error();
}

// Packed for the tile the test library is built for, the model computes what the loops above
// compute; the originals are gone from the constants.
TEST(PrepackGemm, LinearAndGroupedConvolutionRunFromPanels) {
  GraphBuilder b;
  TwoBranches m;
  ASSERT_NO_FATAL_FAILURE(PassForGenericTile(b, m));
  for (const char *packed : {"fc1.weight.t.panels", "fc2.weight.t.panels", "conv.weight.panels"})
    EXPECT_TRUE(HasConstant(b.g(), packed)) << packed;
  for (const char *gone : {"fc1.weight", "fc2.weight", "conv.weight", "fc1.weight.t"})
    EXPECT_FALSE(HasConstant(b.g(), gone)) << gone;
  const aoti_node *conv = NodeNamed(b.g(), "conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->variant, AOTI_CONV_VARIANT_A_PANELS);
  aoti_codegen_result *raw = nullptr;
  ASSERT_EQ(aoti_codegen_c(b.g(), "model", nullptr, &raw), AOTI_OK) << aoti_last_error();
  Result r(raw);
  const std::string source(r->source, r->source_len);
  EXPECT_NE(source.find("aoti_sgemm_panels_ep(threads"), std::string::npos);
  EXPECT_NE(source.find("aoti_conv2d_panels(threads"), std::string::npos);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, "prepack_gemm_two_branches"));
  aoti_test::RunResult out = aoti_test::RunModel(lib.abi(), *r, {}, {m.x.data(), m.img.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  aoti_test::ExpectNear(out.outputs[0], m.Linear(), 1e-4f);
  aoti_test::ExpectNear(out.outputs[1], m.Conv(), 1e-4f);
}

// Without a tile (a caller that does not know the target) nothing is packed.
TEST(PrepackGemm, NoTileNoPacking) {
  GraphBuilder b;
  TwoBranches m;
  m.Build(b);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), nullptr, nullptr), AOTI_OK) << aoti_last_error();
  EXPECT_FALSE(HasConstant(b.g(), "conv.weight.panels"));
  EXPECT_TRUE(HasConstant(b.g(), "conv.weight"));
}

#if defined(__x86_64__)
// Weights packed for the portable 4 x 8 tile, the source built for AVX2 (6 x 16): the build
// stops at the generated static assertion, which says what happened.
TEST(PrepackGemm, BuildForAnotherTileFailsClearly) {
  GraphBuilder b;
  TwoBranches m;
  ASSERT_NO_FATAL_FAILURE(PassForGenericTile(b, m));
  aoti_codegen_result *raw = nullptr;
  ASSERT_EQ(aoti_codegen_c(b.g(), "model", nullptr, &raw), AOTI_OK) << aoti_last_error();
  Result r(raw);
  aoti_build_options build;
  aoti_build_options_init(&build);
  build.target = "x86-64-v3";
  build.kernel_cache = "none";
  void *so = nullptr;
  size_t so_len = 0;
  char *kernels = aoti_codegen_kernels_source();
  ASSERT_NE(kernels, nullptr);
  const aoti_status st = aoti_build_shared_library(r->source, r->source_len, kernels, "model", &build, &so, &so_len);
  free(kernels);
  ASSERT_NE(st, AOTI_OK);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("weights packed for another GEMM tile"), std::string::npos) << msg;
}
#endif

}  // namespace
