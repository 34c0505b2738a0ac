// test_fold_batchnorm.cc — the fold_batchnorm pass (passes/fold_batchnorm.c) on programs torch
// exported (tests/fixtures/ops/conv, tools/op_cases/conv.py): which batch norms fold, the folded
// constants' names, and their values against w * gamma / sqrt(var + eps) computed here from the
// original constants. (That the folded model matches PyTorch is the op cases' CTest.)
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>

extern "C" {
#include "frontend/frontend.h"
#include "ops/ops.h"
#include "passes/pass_util.h"
#include "passes/passes.h"
}

namespace {

struct GraphDeleter {
  void operator()(aoti_graph *g) const { aoti_graph_destroy(g); }
};
using GraphPtr = std::unique_ptr<aoti_graph, GraphDeleter>;

GraphPtr LoadBound(const char *name) {
  const std::string path = std::string(AOTI_FIXTURES_DIR) + "/ops/conv/" + name + ".ep";
  aoti_graph *raw = nullptr;
  if (aoti_frontend_read(path.c_str(), nullptr, &raw) != AOTI_OK) return nullptr;
  GraphPtr g(raw);
  if (aoti_ops_bind(g.get()) != AOTI_OK || aoti_pass_decompose(g.get()) != AOTI_OK) return nullptr;
  return g;
}

int CountOps(const aoti_graph *g, const std::string &op) {
  int count = 0;
  for (int32_t i = 0; i < g->num_nodes; ++i) count += op == aoti_pass_op_name(g->nodes[i]);
  return count;
}

const aoti_constant *FindConstant(const aoti_graph *g, const std::string &fqn) {
  for (int32_t i = 0; i < g->num_constants; ++i)
    if (fqn == g->constants[i].fqn) return &g->constants[i];
  return nullptr;
}

// Both forms: batch_norm (as exported) and _native_batch_norm_legit_no_training (core ATen).
class FoldBatchNorm : public testing::TestWithParam<std::pair<const char *, const char *>> {};

TEST_P(FoldBatchNorm, FoldsIntoTheConvolutionWithPyTorchsFormula) {
  GraphPtr g = LoadBound(GetParam().first);
  ASSERT_NE(g, nullptr) << aoti_last_error();
  const std::string norm = GetParam().second;
  ASSERT_EQ(CountOps(g.get(), norm), 1);
  // Originals, copied before the pass (it adds constants, which may move the array).
  const aoti_constant *w0 = FindConstant(g.get(), "conv.weight"), *b0 = FindConstant(g.get(), "conv.bias");
  const aoti_constant *gamma = FindConstant(g.get(), "bn.weight"), *beta = FindConstant(g.get(), "bn.bias");
  const aoti_constant *mean = FindConstant(g.get(), "bn.running_mean"), *var = FindConstant(g.get(), "bn.running_var");
  ASSERT_TRUE(w0 && b0 && gamma && beta && mean && var);
  const std::vector<float> w(static_cast<const float *>(w0->data),
                             static_cast<const float *>(w0->data) + w0->nbytes / sizeof(float));
  const std::vector<float> b(static_cast<const float *>(b0->data), static_cast<const float *>(b0->data) + 8);
  const std::vector<float> ga(static_cast<const float *>(gamma->data), static_cast<const float *>(gamma->data) + 8);
  const std::vector<float> be(static_cast<const float *>(beta->data), static_cast<const float *>(beta->data) + 8);
  const std::vector<float> mu(static_cast<const float *>(mean->data), static_cast<const float *>(mean->data) + 8);
  const std::vector<float> va(static_cast<const float *>(var->data), static_cast<const float *>(var->data) + 8);

  ASSERT_EQ(aoti_pass_fold_batchnorm(g.get()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(CountOps(g.get(), norm), 0);
  const aoti_constant *wf = FindConstant(g.get(), "conv.weight_bn_folded");
  const aoti_constant *bf = FindConstant(g.get(), "conv.bias_bn_folded");
  ASSERT_TRUE(wf && bf);
  EXPECT_EQ(wf->kind, AOTI_CONSTANT_FOLDED);
  ASSERT_EQ(wf->nbytes, w.size() * sizeof(float));
  ASSERT_EQ(bf->nbytes, 8 * sizeof(float));
  const size_t per = w.size() / 8;
  for (size_t o = 0; o < 8; ++o) {
    const double scale = ga[o] / std::sqrt(double(va[o]) + 1e-5);
    for (size_t k = 0; k < per; ++k)
      EXPECT_NEAR(static_cast<const float *>(wf->data)[o * per + k], w[o * per + k] * scale, 1e-6) << o << "," << k;
    EXPECT_NEAR(static_cast<const float *>(bf->data)[o], (b[o] - mu[o]) * scale + be[o], 1e-6) << o;
  }
  // The convolution now reads the folded constants.
  for (int32_t i = 0; i < g->num_nodes; ++i) {
    const aoti_node *n = g->nodes[i];
    if (std::string(aoti_pass_op_name(n)) != "conv2d" && std::string(aoti_pass_op_name(n)) != "convolution") continue;
    EXPECT_EQ(n->args[1].tensor, wf->value);
    EXPECT_EQ(n->args[2].tensor, bf->value);
  }
}

INSTANTIATE_TEST_SUITE_P(BothForms, FoldBatchNorm,
                         testing::Values(std::make_pair("conv_bn_fold", "batch_norm"),
                                         std::make_pair("conv_bn_fold_core", "_native_batch_norm_legit_no_training")));

TEST(FoldBatchNormPass, KeepsANormWhoseConvolutionOutputIsUsedElsewhere) {
  for (const char *name : {"conv_bn_no_fold", "conv_bn_no_fold_core"}) {
    GraphPtr g = LoadBound(name);
    ASSERT_NE(g, nullptr) << aoti_last_error();
    const int32_t nodes = g->num_nodes, constants = g->num_constants;
    ASSERT_EQ(aoti_pass_fold_batchnorm(g.get()), AOTI_OK) << aoti_last_error();
    EXPECT_EQ(g->num_nodes, nodes) << name;
    EXPECT_EQ(g->num_constants, constants) << name;
  }
}

TEST(FoldBatchNormPass, LeavesANormWithoutConvolutionAlone) {
  GraphPtr g = LoadBound("batch_norm2d");
  ASSERT_NE(g, nullptr) << aoti_last_error();
  ASSERT_EQ(aoti_pass_fold_batchnorm(g.get()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(CountOps(g.get(), "batch_norm"), 1);
}

}  // namespace
