// test_functionalize.cc — the functionalize pass (compiler/passes/functionalize.c) on hand-built
// graphs: in-place ops become their functional ops and later uses see the new value; writes
// through slice/select views are scattered back into the base; in-place writes into inputs and
// through unsupported views fail with messages naming the node. The rewritten graphs are also
// compiled and run against references computed here.
#include <string>
#include <vector>

#include "codegen_test_util.h"

namespace aoti_test {
namespace {

aoti_arg T(aoti_value *v) { return aoti_arg_tensor(v); }

const aoti_node *ProducerOf(const aoti_value *v) { return v->producer; }

std::vector<float> CompileAndRun(aoti_graph *g, const std::string &stem, const std::vector<float> &x) {
  Result r = Generate(g);
  if (!r) return {};
  Library lib;
  if (!lib.Load(*r, stem)) return {};
  RunResult run = RunModel(lib.abi(), *r, {}, {x.data()});
  EXPECT_EQ(run.status, 0) << run.error;
  return run.outputs.empty() ? std::vector<float>{} : run.outputs[0];
}

// y = 2x; relu_(y); out = y + 1: the add must read relu's result.
TEST(Functionalize, LaterUsesReadTheNewValue) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(3)});
  aoti_value *y = b.Node("torch.ops.aten.mul.Scalar", "mul", {{"self", T(x)}, {"other", aoti_arg_float(2.0)}},
                         {b.C(2), b.C(3)});
  aoti_value *r = b.Node("torch.ops.aten.relu_.default", "relu_", {{"self", T(y)}}, {b.C(2), b.C(3)});
  (void)r;
  aoti_value *out = b.Node("torch.ops.aten.add.Scalar", "add", {{"self", T(y)}, {"other", aoti_arg_float(1.0)}},
                           {b.C(2), b.C(3)});
  b.Output("output0", out);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_pass_functionalize(b.g()), AOTI_OK) << aoti_last_error();
  const aoti_node *add = ProducerOf(b.g()->outputs[0].value);
  ASSERT_NE(add, nullptr);
  const aoti_node *relu = ProducerOf(add->args[0].tensor);
  ASSERT_NE(relu, nullptr);
  EXPECT_STREQ(relu->target, "torch.ops.aten.relu.default");
  EXPECT_EQ(relu->args[0].tensor, y);  // relu still reads the value it replaced
}

TEST(Functionalize, LaterUsesRunLikeEager) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(3)});
  aoti_value *y = b.Node("torch.ops.aten.mul.Scalar", "mul", {{"self", T(x)}, {"other", aoti_arg_float(2.0)}},
                         {b.C(2), b.C(3)});
  b.Node("torch.ops.aten.relu_.default", "relu_", {{"self", T(y)}}, {b.C(2), b.C(3)});
  aoti_value *out = b.Node("torch.ops.aten.add.Scalar", "add", {{"self", T(y)}, {"other", aoti_arg_float(1.0)}},
                           {b.C(2), b.C(3)});
  b.Output("output0", out);
  const std::vector<float> xs = RandomFloats(6, 3);
  std::vector<float> want;
  for (float v : xs) want.push_back((2 * v < 0 ? 0.0f : 2 * v) + 1.0f);
  ExpectNear(CompileAndRun(b.g(), "functionalize_relu", xs), want, 1e-6f);
}

// base = x * x; base[:, 1:3][1] = 5 (a select of a slice); output base.
TEST(Functionalize, WritesThroughViewsScatterBack) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(4)});
  aoti_value *base = b.Node("torch.ops.aten.mul.Tensor", "mul", {{"self", T(x)}, {"other", T(x)}}, {b.C(2), b.C(4)});
  aoti_value *s = b.Node("torch.ops.aten.slice.Tensor", "slice",
                         {{"self", T(base)}, {"dim", aoti_arg_int(1)}, {"start", aoti_arg_int(1)},
                          {"end", aoti_arg_int(3)}},
                         {b.C(2), b.C(2)});
  aoti_value *sel = b.Node("torch.ops.aten.select.int", "select",
                           {{"self", T(s)}, {"dim", aoti_arg_int(0)}, {"index", aoti_arg_int(-1)}}, {b.C(2)});
  b.Node("torch.ops.aten.fill_.Scalar", "fill_", {{"self", T(sel)}, {"value", aoti_arg_float(5.0)}}, {b.C(2)});
  b.Output("output0", base);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_pass_functionalize(b.g()), AOTI_OK) << aoti_last_error();
  const aoti_node *outer = ProducerOf(b.g()->outputs[0].value);
  ASSERT_NE(outer, nullptr);
  EXPECT_STREQ(outer->target, "torch.ops.aten.slice_scatter.default");
  EXPECT_EQ(outer->args[0].tensor, base);
  const aoti_node *inner = ProducerOf(outer->args[1].tensor);
  ASSERT_NE(inner, nullptr);
  EXPECT_STREQ(inner->target, "torch.ops.aten.select_scatter.default");
  EXPECT_STREQ(ProducerOf(inner->args[1].tensor)->target, "torch.ops.aten.fill.Scalar");
}

TEST(Functionalize, WritesThroughViewsRunLikeEager) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(4)});
  aoti_value *base = b.Node("torch.ops.aten.mul.Tensor", "mul", {{"self", T(x)}, {"other", T(x)}}, {b.C(2), b.C(4)});
  aoti_value *s = b.Node("torch.ops.aten.slice.Tensor", "slice",
                         {{"self", T(base)}, {"dim", aoti_arg_int(1)}, {"start", aoti_arg_int(1)},
                          {"end", aoti_arg_int(3)}},
                         {b.C(2), b.C(2)});
  aoti_value *sel = b.Node("torch.ops.aten.select.int", "select",
                           {{"self", T(s)}, {"dim", aoti_arg_int(0)}, {"index", aoti_arg_int(-1)}}, {b.C(2)});
  b.Node("torch.ops.aten.fill_.Scalar", "fill_", {{"self", T(sel)}, {"value", aoti_arg_float(5.0)}}, {b.C(2)});
  b.Output("output0", base);
  const std::vector<float> xs = RandomFloats(8, 4);
  std::vector<float> want;
  for (float v : xs) want.push_back(v * v);
  want[4 + 1] = want[4 + 2] = 5.0f;  // row 1 (index -1), columns 1 and 2
  ExpectNear(CompileAndRun(b.g(), "functionalize_views", xs), want, 1e-6f);
}

TEST(Functionalize, InPlaceOnAnInputIsUnsupported) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(3)});
  aoti_value *r = b.Node("torch.ops.aten.relu_.default", "relu_", {{"self", T(x)}}, {b.C(2), b.C(3)});
  b.Output("output0", r);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(aoti_pass_functionalize(b.g()), AOTI_ERROR_UNSUPPORTED);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("relu_"), std::string::npos) << msg;
  EXPECT_NE(msg.find("user input 'x'"), std::string::npos) << msg;
}

TEST(Functionalize, WriteThroughATransposeIsUnsupported) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(3)});
  aoti_value *y = b.Node("torch.ops.aten.mul.Scalar", "mul", {{"self", T(x)}, {"other", aoti_arg_float(2.0)}},
                         {b.C(2), b.C(3)});
  aoti_value *t = b.Node("torch.ops.aten.transpose.int", "transpose",
                         {{"self", T(y)}, {"dim0", aoti_arg_int(0)}, {"dim1", aoti_arg_int(1)}}, {b.C(3), b.C(2)});
  b.Node("torch.ops.aten.relu_.default", "relu_", {{"self", T(t)}}, {b.C(3), b.C(2)});
  b.Output("output0", y);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(aoti_pass_functionalize(b.g()), AOTI_ERROR_UNSUPPORTED);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("'transpose'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("relu_"), std::string::npos) << msg;
}

}  // namespace
}  // namespace aoti_test
