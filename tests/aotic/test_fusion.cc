// test_fusion.cc — epilogue fusion (compiler/passes/fuse.c) seen through `aotic --dump-ir` on the
// fusion op cases (tests/fixtures/ops/fusion, tools/op_cases/fusion.py): which convolutions took
// a residual and an activation, and which look-alikes stayed nodes of their own. That the fused
// programs still compute what PyTorch does is the op tests' job (ctest -L fusion).
#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

using aotic_test::command_result;
using aotic_test::fresh_dir;
using aotic_test::quote;
using aotic_test::run_command;

namespace {

const std::string kCases = std::string(AOTI_FIXTURES_DIR) + "/ops/fusion/";

class FusionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("fusion");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!HasFailure()) aotic_test::remove_tree(dir_);
  }
  // The node lines of the graph aotic compiles for case `name`.
  std::string Nodes(const std::string &name) {
    command_result r = run_command(quote(AOTIC_PATH) + " --dump-ir " + quote(kCases + name + ".ep") + " -o " +
                                       quote(dir_ + "/" + name + ".pt2"),
                                   dir_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string nodes;
    for (size_t at = 0; at < r.err.size();) {
      size_t end = r.err.find('\n', at);
      if (end == std::string::npos) end = r.err.size();
      const std::string line = r.err.substr(at, end - at);
      if (line.rfind("  %", 0) == 0) nodes += line + "\n";
      at = end + 1;
    }
    return nodes;
  }
  std::string dir_;
};

size_t Count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(FusionTest, EachActivationFusesIntoItsConvolution) {
  // passes.h's aoti_activation numbers, as the dump prints them.
  const std::pair<const char *, int> cases[] = {{"relu", 1},      {"relu6", 2}, {"hardtanh06", 2},
                                                {"hardswish", 3}, {"silu", 4},  {"gelu", 5},
                                                {"gelu_tanh", 6}, {"sigmoid", 7}};
  for (const auto &[act, number] : cases)
    for (const std::string form : {"", "_core"}) {
      const std::string name = std::string("conv_") + act + form;
      // Core ATen spells these two out in primitives (add, clamp, mul / sigmoid, mul).
      if (name == "conv_hardswish_core" || name == "conv_silu_core") continue;
      const std::string nodes = Nodes(name);
      EXPECT_EQ(Count(nodes, "\n"), 1u) << name << ": one node left\n" << nodes;
      EXPECT_NE(nodes.find("then activation " + std::to_string(number)), std::string::npos) << name << "\n" << nodes;
    }
}

TEST_F(FusionTest, ResidualAddAndReluFuseWhicheverSideTheConvolutionIs) {
  for (const std::string name : {"conv_add_relu", "conv_add_relu_flipped", "conv_add_relu_core"}) {
    const std::string nodes = Nodes(name);
    EXPECT_EQ(Count(nodes, "\n"), 2u) << name << ": the 3x3 and the shortcut's 1x1 convolutions\n" << nodes;
    EXPECT_EQ(Count(nodes, " + %"), 1u) << name << "\n" << nodes;
    EXPECT_EQ(Count(nodes, "then activation 1"), 1u) << name << "\n" << nodes;
    EXPECT_EQ(nodes.find("aten.add"), std::string::npos) << name << "\n" << nodes;
    EXPECT_EQ(nodes.find("aten.relu"), std::string::npos) << name << "\n" << nodes;
  }
  const std::string nodes = Nodes("conv_add");
  EXPECT_EQ(Count(nodes, " + %"), 1u) << nodes;
  EXPECT_EQ(nodes.find("activation"), std::string::npos) << nodes;
}

TEST_F(FusionTest, LinearLayersTakeTheirActivationAndResidual) {
  // linear becomes (t folded into the weight) addmm, or mm without a bias.
  for (const std::string form : {"", "_core"}) {
    std::string nodes = Nodes("linear_gelu" + form);
    EXPECT_EQ(Count(nodes, "\n"), 1u) << nodes;
    EXPECT_NE(nodes.find("addmm.default"), std::string::npos) << nodes;
    EXPECT_NE(nodes.find("then activation 5"), std::string::npos) << nodes;
    nodes = Nodes("linear_residual_relu" + form);
    EXPECT_EQ(Count(nodes, "\n"), 1u) << nodes;
    EXPECT_EQ(Count(nodes, " + %x"), 1u) << nodes;
    EXPECT_NE(nodes.find("then activation 1"), std::string::npos) << nodes;
    nodes = Nodes("matmul_sigmoid" + form);
    EXPECT_EQ(Count(nodes, "\n"), 1u) << nodes;
    EXPECT_NE(nodes.find("mm.default"), std::string::npos) << nodes;
    EXPECT_NE(nodes.find("then activation 7"), std::string::npos) << nodes;
  }
}

TEST_F(FusionTest, LookAlikesStayNodesOfTheirOwn) {
  std::string nodes = Nodes("conv_used_twice");  // relu(y) + y
  EXPECT_EQ(nodes.find("activation"), std::string::npos) << nodes;
  EXPECT_EQ(nodes.find(" + %"), std::string::npos) << nodes;
  EXPECT_EQ(Count(nodes, "\n"), 3u) << nodes;
  nodes = Nodes("conv_add_alpha");  // add(conv, r, alpha=2)
  EXPECT_EQ(nodes.find(" + %"), std::string::npos) << nodes;
  EXPECT_NE(nodes.find("aten.add"), std::string::npos) << nodes;
  nodes = Nodes("conv_add_broadcast");  // relu(conv + per-channel shift)
  EXPECT_EQ(nodes.find(" + %"), std::string::npos) << nodes;
  EXPECT_EQ(nodes.find("activation"), std::string::npos) << nodes;
  nodes = Nodes("conv_relu_then_add");  // relu(conv) + r: the relu fuses, the add cannot follow it
  EXPECT_NE(nodes.find("then activation 1"), std::string::npos) << nodes;
  EXPECT_EQ(nodes.find(" + %"), std::string::npos) << nodes;
  EXPECT_NE(nodes.find("aten.add"), std::string::npos) << nodes;
}

}  // namespace
