// Tests of the graph (compiler/ir/ir.c): the arena, building a graph, constants, metadata,
// numel, use replacement, dead-node removal and verification.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "ir/ir.h"
}

namespace {

struct GraphDeleter {
  void operator()(aoti_graph *g) const { aoti_graph_destroy(g); }
};
using GraphPtr = std::unique_ptr<aoti_graph, GraphDeleter>;

TEST(Arena, AllocationsAreAlignedZeroedAndDistinct) {
  GraphPtr g(aoti_graph_create());
  ASSERT_TRUE(g);
  std::vector<unsigned char *> blocks;
  // Small and chunk-sized requests, plus blocks larger than a chunk (constants can be megabytes).
  for (size_t size : {1u, 7u, 64u, 100u, 5000u, 70000u, 3u << 20, 0u, 65u}) {
    auto *p = static_cast<unsigned char *>(aoti_graph_alloc(g.get(), size));
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << size;
    for (size_t i = 0; i < size; i++) ASSERT_EQ(p[i], 0) << "byte " << i << " of " << size;
    std::memset(p, 0xAB, size);  // would corrupt a neighbour if blocks overlapped
    blocks.push_back(p);
  }
  for (int i = 0; i < 5000; i++) ASSERT_NE(aoti_graph_alloc(g.get(), 24), nullptr);
  EXPECT_EQ(blocks[1][6], 0xAB);
  EXPECT_EQ(aoti_graph_alloc(g.get(), SIZE_MAX), nullptr);  // too large: NULL, not a wrapped size
  EXPECT_EQ(aoti_graph_alloc(g.get(), SIZE_MAX - 100), nullptr);
  const char *s = aoti_graph_strdup(g.get(), "fc1.weight");
  EXPECT_STREQ(s, "fc1.weight");
}

// Builds Linear(4, 3) -> ReLU over x: [s0, 4], plus a dead branch sigmoid(x) -> neg.
class SmallGraph : public ::testing::Test {
 protected:
  void SetUp() override {
    g = aoti_graph_create();
    ASSERT_NE(g, nullptr);
    s0 = aoti_graph_add_symbol(g, "s0", 1, 1024);
    const aoti_sx *xd[2] = {aoti_sx_sym(g, s0), aoti_sx_const(g, 4)};
    x = aoti_graph_add_value(g, "x", AOTI_DTYPE_FLOAT32, 2, xd);
    aoti_graph_add_input(g, x);
    const aoti_sx *wd[2] = {aoti_sx_const(g, 3), aoti_sx_const(g, 4)};
    w = aoti_graph_add_value(g, "p_fc_weight", AOTI_DTYPE_FLOAT32, 2, wd);
    for (int i = 0; i < 12; i++) weights[i] = 0.5f * (float)i;
    wc = aoti_graph_add_constant(g, "fc.weight", w, weights, sizeof weights, AOTI_CONSTANT_PARAMETER);
    const aoti_sx *yd[2] = {aoti_sx_sym(g, s0), aoti_sx_const(g, 3)};
    lin = aoti_graph_add_node(g, "torch.ops.aten.linear.default", "linear");
    aoti_node_add_named(g, lin, "input", aoti_arg_tensor(x));
    aoti_node_add_named(g, lin, "weight", aoti_arg_tensor(w));
    y = aoti_graph_add_value(g, "linear", AOTI_DTYPE_FLOAT32, 2, yd);
    aoti_node_add_output(g, lin, y);
    dead1 = aoti_graph_add_node(g, "torch.ops.aten.sigmoid.default", "sigmoid");
    aoti_node_add_named(g, dead1, "self", aoti_arg_tensor(x));
    d1 = aoti_graph_add_value(g, "sigmoid", AOTI_DTYPE_FLOAT32, 2, xd);
    aoti_node_add_output(g, dead1, d1);
    relu = aoti_graph_add_node(g, "torch.ops.aten.relu.default", "relu");
    aoti_node_add_named(g, relu, "self", aoti_arg_tensor(y));
    z = aoti_graph_add_value(g, "relu", AOTI_DTYPE_FLOAT32, 2, yd);
    aoti_node_add_output(g, relu, z);
    dead2 = aoti_graph_add_node(g, "torch.ops.aten.neg.default", "neg");
    aoti_node_add_named(g, dead2, "self", aoti_arg_tensor(d1));
    d2 = aoti_graph_add_value(g, "neg", AOTI_DTYPE_FLOAT32, 2, xd);
    aoti_node_add_output(g, dead2, d2);
    aoti_graph_add_output(g, "output0", z);
  }
  void TearDown() override { aoti_graph_destroy(g); }

  aoti_graph *g = nullptr;
  int32_t s0 = -1;
  float weights[12];
  aoti_value *x, *w, *y, *z, *d1, *d2;
  aoti_constant *wc;
  aoti_node *lin, *dead1, *relu, *dead2;
};

TEST_F(SmallGraph, BuildsWhatWasAdded) {
  ASSERT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(g->num_symbols, 1);
  EXPECT_EQ(aoti_graph_find_symbol(g, "s0"), s0);
  EXPECT_EQ(aoti_graph_find_symbol(g, "s1"), -1);
  EXPECT_EQ(g->num_values, 6);
  EXPECT_EQ(aoti_graph_find_value(g, "relu"), z);
  EXPECT_EQ(aoti_graph_find_value(g, "nope"), nullptr);
  EXPECT_EQ(x->kind, AOTI_VALUE_INPUT);
  EXPECT_EQ(x->index, 0);
  EXPECT_EQ(w->kind, AOTI_VALUE_CONSTANT);
  EXPECT_EQ(y->kind, AOTI_VALUE_INTERMEDIATE);
  EXPECT_EQ(y->index, -1);
  EXPECT_EQ(y->producer, lin);
  ASSERT_EQ(lin->num_named, 2);
  EXPECT_STREQ(lin->named[1].name, "weight");
  EXPECT_EQ(lin->named[1].arg.tensor, w);
  EXPECT_STREQ(lin->target, "torch.ops.aten.linear.default");
  EXPECT_EQ(g->num_nodes, 4);
  for (int32_t i = 0; i < g->num_nodes; i++) EXPECT_EQ(g->nodes[i]->id, i);
  EXPECT_STREQ(g->outputs[0].name, "output0");
}

TEST_F(SmallGraph, ConstantDataIsCopied) {
  float original[12];
  std::memcpy(original, weights, sizeof weights);
  std::memset(weights, 0, sizeof weights);  // the caller's buffer may go away
  ASSERT_EQ(wc->nbytes, sizeof weights);
  EXPECT_EQ(std::memcmp(wc->data, original, sizeof original), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(wc->data) % 64, 0u);
  EXPECT_STREQ(wc->fqn, "fc.weight");
  EXPECT_EQ(wc->value, w);
  // Without data the bytes are zeroed.
  const aoti_sx *bd[1] = {aoti_sx_const(g, 1000000)};
  aoti_value *big = aoti_graph_add_value(g, "b_big", AOTI_DTYPE_FLOAT32, 1, bd);
  aoti_constant *bc = aoti_graph_add_constant(g, "big", big, nullptr, 4000000, AOTI_CONSTANT_BUFFER);
  ASSERT_NE(bc, nullptr);
  const unsigned char *bytes = static_cast<const unsigned char *>(bc->data);
  for (size_t i = 0; i < bc->nbytes; i += 4093) ASSERT_EQ(bytes[i], 0);
  EXPECT_EQ(big->index, 1);
  EXPECT_EQ(g->num_constants, 2);
}

TEST_F(SmallGraph, MetaAndMutations) {
  EXPECT_EQ(aoti_graph_get_meta(g, "torch_version"), nullptr);
  aoti_graph_set_meta(g, "torch_version", "2.15.0");
  aoti_graph_set_meta(g, "source_format", "pt2");
  aoti_graph_set_meta(g, "torch_version", "2.8.0");
  EXPECT_STREQ(aoti_graph_get_meta(g, "torch_version"), "2.8.0");
  EXPECT_STREQ(aoti_graph_get_meta(g, "source_format"), "pt2");
  EXPECT_EQ(g->num_meta, 2);
  aoti_graph_add_mutation(g, "running_mean", y);
  ASSERT_EQ(g->num_mutations, 1);
  EXPECT_STREQ(g->mutations[0].buffer_name, "running_mean");
}

TEST_F(SmallGraph, NumelIsTheProductOfDims) {
  const aoti_sx *n = aoti_value_numel(g, x);
  EXPECT_EQ(n, aoti_sx_mul(g, aoti_sx_const(g, 4), aoti_sx_sym(g, s0)));
  EXPECT_EQ(aoti_value_numel(g, w), aoti_sx_const(g, 12));
  aoti_value *scalar = aoti_graph_add_value(g, "scalar", AOTI_DTYPE_FLOAT32, 0, nullptr);
  EXPECT_EQ(aoti_value_numel(g, scalar), aoti_sx_const(g, 1));
}

TEST_F(SmallGraph, RemoveDeadNodesKeepsWhatOutputsNeed) {
  aoti_graph_remove_dead_nodes(g);
  ASSERT_EQ(g->num_nodes, 2);
  EXPECT_EQ(g->nodes[0], lin);
  EXPECT_EQ(g->nodes[1], relu);
  EXPECT_EQ(relu->id, 1);
  EXPECT_EQ(aoti_graph_find_value(g, "sigmoid"), nullptr);
  EXPECT_EQ(aoti_graph_find_value(g, "neg"), nullptr);
  EXPECT_EQ(g->num_values, 4);
  ASSERT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
  // Nothing more to remove the second time.
  aoti_graph_remove_dead_nodes(g);
  EXPECT_EQ(g->num_nodes, 2);
}

TEST_F(SmallGraph, RemoveDeadNodesDropsMutationsOfRemovedValues) {
  aoti_graph_add_mutation(g, "kept", y);       // y feeds the output: its node stays
  aoti_graph_add_mutation(g, "dropped", d1);   // only the mutation uses d1: its node goes
  aoti_graph_remove_dead_nodes(g);
  ASSERT_EQ(g->num_mutations, 1);
  EXPECT_STREQ(g->mutations[0].buffer_name, "kept");
  EXPECT_EQ(g->mutations[0].value, y);
  EXPECT_EQ(g->values[y->id], y);
  ASSERT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
}

TEST_F(SmallGraph, RemoveDeadNodesUsesBoundArgsOnceBound) {
  // A bound relu whose args point at the sigmoid output keeps sigmoid alive, whatever the raw
  // arguments say.
  static const aoti_op *const fake_op = reinterpret_cast<const aoti_op *>(&fake_op);
  relu->op = fake_op;
  relu->num_args = 1;
  relu->args = static_cast<aoti_arg *>(aoti_graph_alloc(g, sizeof(aoti_arg)));
  relu->args[0] = aoti_arg_tensor(d1);
  aoti_graph_remove_dead_nodes(g);
  ASSERT_EQ(g->num_nodes, 2);
  EXPECT_EQ(g->nodes[0], dead1);
  EXPECT_EQ(g->nodes[1], relu);
}

TEST_F(SmallGraph, ReplaceUsesRewritesArgumentsAndOutputs) {
  aoti_graph_replace_uses(g, y, x);
  EXPECT_EQ(relu->named[0].arg.tensor, x);
  aoti_graph_replace_uses(g, z, y);
  EXPECT_EQ(g->outputs[0].value, y);
  aoti_graph_remove_dead_nodes(g);  // relu is now unused
  ASSERT_EQ(g->num_nodes, 1);
  EXPECT_EQ(g->nodes[0], lin);
  EXPECT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
}

TEST_F(SmallGraph, ListArgumentsAreCopiedAndVisited) {
  aoti_arg items[2] = {aoti_arg_tensor(y), aoti_arg_tensor(d1)};
  aoti_node *cat = aoti_graph_add_node(g, "torch.ops.aten.cat.default", "cat");
  aoti_node_add_named(g, cat, "tensors", aoti_arg_list(g, AOTI_ARG_TENSORS, items, 2));
  items[0] = aoti_arg_none();  // the node holds its own copy
  aoti_node_add_named(g, cat, "dim", aoti_arg_int(1));
  const aoti_sx *cd[2] = {aoti_sx_sym(g, s0), aoti_sx_const(g, 7)};
  aoti_value *out = aoti_graph_add_value(g, "cat", AOTI_DTYPE_FLOAT32, 2, cd);
  aoti_node_add_output(g, cat, out);
  aoti_graph_add_output(g, "output1", out);
  EXPECT_EQ(cat->named[0].arg.list[0].tensor, y);
  aoti_graph_remove_dead_nodes(g);
  EXPECT_EQ(g->num_nodes, 4);  // sigmoid stays: cat uses it through the list; neg goes
  EXPECT_EQ(aoti_graph_find_value(g, "neg"), nullptr);
  aoti_graph_replace_uses(g, d1, x);
  EXPECT_EQ(cat->named[0].arg.list[1].tensor, x);
  EXPECT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
}

TEST_F(SmallGraph, ArgIntAcceptsConstantSymInts) {
  int64_t v = 0;
  aoti_arg a = aoti_arg_symint(aoti_sx_const(g, 9));
  EXPECT_TRUE(aoti_arg_get_int(&a, &v));
  EXPECT_EQ(v, 9);
  a = aoti_arg_symint(aoti_sx_sym(g, s0));
  EXPECT_FALSE(aoti_arg_get_int(&a, &v));
  a = aoti_arg_float(1.5);
  EXPECT_FALSE(aoti_arg_get_int(&a, &v));
  a = aoti_arg_int(-3);
  EXPECT_TRUE(aoti_arg_get_int(&a, &v));
  EXPECT_EQ(v, -3);
  aoti_arg s = aoti_arg_string(g, "none");
  EXPECT_STREQ(s.s, "none");
}

// Expects verify to fail with AOTI_ERROR_INTERNAL and a message containing each of `words`.
void expect_verify_error(const aoti_graph *g, std::vector<std::string> words) {
  ASSERT_EQ(aoti_graph_verify(g), AOTI_ERROR_INTERNAL);
  std::string msg = aoti_last_error();
  for (const std::string &w : words) EXPECT_NE(msg.find(w), std::string::npos) << msg;
}

TEST_F(SmallGraph, VerifyCatchesUseBeforeDefinition) {
  // Swap linear and relu: relu now reads 'linear' before it is computed.
  std::swap(g->nodes[0], g->nodes[2]);
  g->nodes[0]->id = 0;
  g->nodes[2]->id = 2;
  expect_verify_error(g, {"'relu'", "'linear'", "not defined before"});
}

TEST_F(SmallGraph, VerifyCatchesBrokenIdsAndOutputs) {
  relu->id = 7;
  expect_verify_error(g, {"'relu'", "id 7", "position 2"});
  relu->id = 2;
  ASSERT_EQ(aoti_graph_verify(g), AOTI_OK);
  z->producer = lin;
  expect_verify_error(g, {"'relu'", "output 0"});
  z->producer = relu;
  aoti_value *stray = aoti_graph_add_value(g, "stray", AOTI_DTYPE_FLOAT32, 0, nullptr);
  aoti_graph_add_output(g, "output1", stray);  // produced by nobody
  expect_verify_error(g, {"graph output 'output1'"});
}

TEST_F(SmallGraph, VerifyCatchesDuplicateNamesAndBadSymbols) {
  const aoti_sx *bad[1] = {aoti_sx_sym(g, 5)};
  aoti_graph_add_value(g, "bad_dims", AOTI_DTYPE_FLOAT32, 1, bad);
  expect_verify_error(g, {"'bad_dims'", "unknown symbol"});
  g->num_values--;
  aoti_graph_add_value(g, "relu", AOTI_DTYPE_FLOAT32, 0, nullptr);
  expect_verify_error(g, {"two values are named 'relu'"});
  g->num_values--;
  ASSERT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
  aoti_graph_add_node(g, "torch.ops.aten.relu.default", "linear");
  expect_verify_error(g, {"two nodes are named 'linear'"});
}

TEST_F(SmallGraph, DumpListsEverything) {
  char *text = nullptr;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  ASSERT_NE(f, nullptr);
  aoti_graph_dump(g, f);
  fclose(f);
  std::string dump(text, len);
  free(text);
  for (const char *want : {"symbol s0 in [1, 1024]", "input 0 %x: float32[s0, 4]", "fc.weight",
                           "torch.ops.aten.linear.default(input=%x, weight=%p_fc_weight)", "output output0 = %relu"})
    EXPECT_NE(dump.find(want), std::string::npos) << want << "\n" << dump;
}

TEST(Graph, EmptyGraphVerifiesAndDestroysCleanly) {
  GraphPtr g(aoti_graph_create());
  ASSERT_TRUE(g);
  EXPECT_EQ(aoti_graph_verify(g.get()), AOTI_OK);
  aoti_graph_remove_dead_nodes(g.get());
  EXPECT_EQ(g->num_nodes, 0);
  aoti_graph_destroy(nullptr);
}

}  // namespace
