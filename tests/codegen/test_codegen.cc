// test_codegen.cc — end to end through passes and codegen: small graphs built by hand, bound,
// passed, generated, compiled with the system compiler, loaded and run through the ABI, compared
// with references computed here in plain loops.
#include <cmath>
#include <cstring>
#include <string>

#include "codegen_test_util.h"

extern "C" {
#include "aoti/runtime.h"
}

namespace aoti_test {
namespace {

aoti_arg T(aoti_value *v) { return aoti_arg_tensor(v); }

std::string TestStem() {
  const auto *info = testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "_" + info->name();
}

// Linear(10,16) -> ReLU -> Linear(16,1) -> Sigmoid with a dynamic batch s0 in 1..1024.
struct MlpWeights {
  std::vector<float> w1 = RandomFloats(16 * 10, 11), b1 = RandomFloats(16, 12);
  std::vector<float> w2 = RandomFloats(1 * 16, 13), b2 = RandomFloats(1, 14);
};

void BuildMlp(GraphBuilder &b, const MlpWeights &m) {
  const aoti_sx *s0 = b.Sym("s0", 1, 1024);
  aoti_value *x = b.Input("x", {s0, b.C(10)});
  aoti_value *w1 = b.Constant("fc1.weight", {16, 10}, m.w1), *b1 = b.Constant("fc1.bias", {16}, m.b1);
  aoti_value *w2 = b.Constant("fc2.weight", {1, 16}, m.w2), *b2 = b.Constant("fc2.bias", {1}, m.b2);
  aoti_value *h = b.Node("torch.ops.aten.linear.default", "linear",
                         {{"input", T(x)}, {"weight", T(w1)}, {"bias", T(b1)}}, {s0, b.C(16)});
  aoti_value *r = b.Node("torch.ops.aten.relu.default", "relu", {{"self", T(h)}}, {s0, b.C(16)});
  aoti_value *h2 = b.Node("torch.ops.aten.linear.default", "linear_1",
                          {{"input", T(r)}, {"weight", T(w2)}, {"bias", T(b2)}}, {s0, b.C(1)});
  aoti_value *y = b.Node("torch.ops.aten.sigmoid.default", "sigmoid", {{"self", T(h2)}}, {s0, b.C(1)});
  b.Output("output0", y);
}

std::vector<float> MlpReference(const MlpWeights &m, const std::vector<float> &x, int64_t batch) {
  std::vector<float> y(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) {
    double out = m.b2[0];
    for (int j = 0; j < 16; ++j) {
      double h = m.b1[size_t(j)];
      for (int k = 0; k < 10; ++k) h += double(x[size_t(i * 10 + k)]) * m.w1[size_t(j * 10 + k)];
      out += (h > 0 ? h : 0.0) * m.w2[size_t(j)];
    }
    y[size_t(i)] = float(1.0 / (1.0 + std::exp(-out)));
  }
  return y;
}

const aoti_abi_constant *FindConstant(const aoti_abi_model *abi, const char *fqn) {
  for (int32_t i = 0; i < abi->num_constants; ++i)
    if (std::strcmp(abi->constants[i].fqn, fqn) == 0) return &abi->constants[i];
  return nullptr;
}

TEST(Codegen, MlpTableAndRunsAtBatch1_8_1024) {
  MlpWeights m;
  GraphBuilder b;
  BuildMlp(b, m);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, TestStem()));
  const aoti_abi_model *abi = lib.abi();
  EXPECT_STREQ(abi->name, "model");
  ASSERT_EQ(abi->num_symbols, 1);
  EXPECT_STREQ(abi->symbols[0].name, "s0");
  EXPECT_EQ(abi->symbols[0].min, 1);
  EXPECT_EQ(abi->symbols[0].max, 1024);
  ASSERT_EQ(abi->num_inputs, 1);
  EXPECT_STREQ(abi->inputs[0].name, "x");
  EXPECT_EQ(abi->inputs[0].dtype, AOTI_DTYPE_FLOAT32);
  ASSERT_EQ(abi->inputs[0].rank, 2);
  EXPECT_EQ(abi->inputs[0].dims[0].symbol, 0);
  EXPECT_EQ(abi->inputs[0].dims[0].coeff, 1);
  EXPECT_EQ(abi->inputs[0].dims[0].offset, 0);
  EXPECT_STREQ(abi->inputs[0].dims[0].expr, "s0");
  EXPECT_EQ(abi->inputs[0].dims[1].symbol, AOTI_ABI_DIM_STATIC);
  EXPECT_EQ(abi->inputs[0].dims[1].offset, 10);
  ASSERT_EQ(abi->num_outputs, 1);
  EXPECT_STREQ(abi->outputs[0].name, "output0");
  ASSERT_EQ(abi->outputs[0].rank, 2);
  EXPECT_EQ(abi->outputs[0].dims[0].symbol, 0);
  EXPECT_EQ(abi->outputs[0].dims[1].symbol, AOTI_ABI_DIM_STATIC);
  EXPECT_EQ(abi->outputs[0].dims[1].offset, 1);

  // Freezing stored the transposed weights; the originals are gone.
  ASSERT_EQ(abi->num_constants, r->num_constants);
  EXPECT_EQ(abi->num_constants, 4);
  EXPECT_EQ(FindConstant(abi, "fc1.weight"), nullptr);
  const aoti_abi_constant *w1t = FindConstant(abi, "fc1.weight.t");
  ASSERT_NE(w1t, nullptr);
  ASSERT_EQ(w1t->rank, 2);
  EXPECT_EQ(w1t->sizes[0], 10);
  EXPECT_EQ(w1t->sizes[1], 16);
  EXPECT_EQ(w1t->nbytes, 160u * sizeof(float));
  for (int32_t i = 0; i < abi->num_constants; ++i) {
    EXPECT_EQ("weight_" + std::to_string(i), abi->constants[i].entry);
    EXPECT_STREQ(abi->constants[i].entry, r->constants[i].entry);
    EXPECT_STREQ(abi->constants[i].fqn, r->constants[i].fqn);
    EXPECT_EQ(abi->constants[i].nbytes, r->constants[i].nbytes);
    if (abi->constants[i].fqn == std::string("fc1.weight.t")) {
      const float *data = static_cast<const float *>(r->constants[i].data);
      for (int k = 0; k < 10; ++k)
        for (int j = 0; j < 16; ++j) ASSERT_EQ(data[k * 16 + j], m.w1[size_t(j * 10 + k)]);
    }
  }
  EXPECT_EQ(r->arena_bytes_at_max, abi->arena_size(std::vector<int64_t>{1024}.data()));

  for (int64_t batch : {1, 8, 1024}) {
    SCOPED_TRACE(batch);
    const std::vector<float> x = RandomFloats(size_t(batch * 10), uint32_t(batch));
    RunResult out = RunModel(abi, *r, {batch}, {x.data()});
    ASSERT_EQ(out.status, 0) << out.error;
    EXPECT_EQ(out.output_sizes[0], (std::vector<int64_t>{batch, 1}));
    ExpectNear(out.outputs[0], MlpReference(m, x, batch), 1e-5f);
  }
}

TEST(Codegen, SameGraphGivesSameBytes) {
  MlpWeights m;
  GraphBuilder b1, b2;
  BuildMlp(b1, m);
  BuildMlp(b2, m);
  Result r1 = Generate(b1.g()), r2 = Generate(b2.g());
  ASSERT_TRUE(r1 && r2);
  ASSERT_EQ(r1->source_len, r2->source_len);
  EXPECT_EQ(std::string(r1->source, r1->source_len), std::string(r2->source, r2->source_len));
  EXPECT_EQ(std::strlen(r1->source), r1->source_len);
  EXPECT_STREQ(r1->arena_bytes_expr, r2->arena_bytes_expr);
}

TEST(Codegen, AddmmWithBetaAlphaAndBetaZero) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 64);
  aoti_value *x = b.Input("x", {s0, b.C(3)});
  aoti_value *m2 = b.Input("m2", {b.C(3), b.C(5)});
  aoti_value *c = b.Input("c", {s0, b.C(5)});
  const std::vector<float> bias = RandomFloats(5, 3);
  aoti_value *bv = b.Constant("bias", {5}, bias);
  aoti_value *y = b.Node("torch.ops.aten.addmm.default", "addmm",
                         {{"self", T(bv)}, {"mat1", T(x)}, {"mat2", T(m2)}, {"beta", aoti_arg_float(0.5)},
                          {"alpha", aoti_arg_float(2.0)}},
                         {s0, b.C(5)});
  aoti_value *z = b.Node("torch.ops.aten.addmm.default", "addmm_1",
                         {{"self", T(c)}, {"mat1", T(x)}, {"mat2", T(m2)}, {"beta", aoti_arg_int(0)}},
                         {s0, b.C(5)});
  b.Output("output0", y);
  b.Output("output1", z);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, TestStem()));
  const int64_t n = 7;
  const std::vector<float> xs = RandomFloats(n * 3, 1), ms = RandomFloats(15, 2);
  const std::vector<float> cs(n * 5, NAN);  // beta = 0: ignored, NaNs included
  RunResult out = RunModel(lib.abi(), *r, {n}, {xs.data(), ms.data(), cs.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  std::vector<float> want0(n * 5), want1(n * 5);
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < 5; ++j) {
      double acc = 0;
      for (int k = 0; k < 3; ++k) acc += double(xs[size_t(i * 3 + k)]) * ms[size_t(k * 5 + j)];
      want0[size_t(i * 5 + j)] = float(0.5 * bias[size_t(j)] + 2.0 * acc);
      want1[size_t(i * 5 + j)] = float(acc);
    }
  ExpectNear(out.outputs[0], want0, 1e-5f);
  ExpectNear(out.outputs[1], want1, 1e-5f);
}

TEST(Codegen, BroadcastingAddAndMul) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 100);
  aoti_value *x = b.Input("x", {s0, b.C(1), b.C(4)});
  aoti_value *y = b.Input("y", {b.C(3), b.C(1)});
  const std::vector<float> ws = RandomFloats(4, 9);
  aoti_value *w = b.Constant("w", {4}, ws);
  // z = x + 2 * y   (size-1 dims on both sides), then z * w (rank difference)
  aoti_value *z = b.Node("torch.ops.aten.add.Tensor", "add",
                         {{"self", T(x)}, {"other", T(y)}, {"alpha", aoti_arg_float(2.0)}},
                         {s0, b.C(3), b.C(4)});
  aoti_value *p = b.Node("torch.ops.aten.mul.Tensor", "mul", {{"self", T(z)}, {"other", T(w)}},
                         {s0, b.C(3), b.C(4)});
  b.Output("output0", p);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, TestStem()));
  for (int64_t n : {1, 5}) {
    const std::vector<float> xs = RandomFloats(size_t(n * 4), 4), ys = RandomFloats(3, 5);
    RunResult out = RunModel(lib.abi(), *r, {n}, {xs.data(), ys.data()});
    ASSERT_EQ(out.status, 0) << out.error;
    std::vector<float> want;
    for (int64_t i = 0; i < n; ++i)
      for (int j = 0; j < 3; ++j)
        for (int k = 0; k < 4; ++k)
          want.push_back((xs[size_t(i * 4 + k)] + 2.0f * ys[size_t(j)]) * ws[size_t(k)]);
    ExpectNear(out.outputs[0], want, 1e-6f);
  }
}

TEST(Codegen, SubAndDivBroadcast) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 100);
  aoti_value *x = b.Input("x", {s0, b.C(4)});
  aoti_value *y = b.Input("y", {b.C(4)});
  aoti_value *z = b.Input("z", {s0, b.C(1)});
  aoti_value *d = b.Node("torch.ops.aten.sub.Tensor", "sub", {{"self", T(x)}, {"other", T(y)}, {"alpha", aoti_arg_int(3)}},
                         {s0, b.C(4)});
  aoti_value *q = b.Node("torch.ops.aten.div.Tensor", "div", {{"self", T(d)}, {"other", T(z)}}, {s0, b.C(4)});
  b.Output("output0", q);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, TestStem()));
  const int64_t n = 9;
  const std::vector<float> xs = RandomFloats(size_t(n * 4), 1), ys = RandomFloats(4, 2);
  std::vector<float> zs = RandomFloats(size_t(n), 3);
  for (float &f : zs) f += f < 0 ? -0.5f : 0.5f;  // away from zero
  RunResult out = RunModel(lib.abi(), *r, {n}, {xs.data(), ys.data(), zs.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  std::vector<float> want;
  for (int64_t i = 0; i < n; ++i)
    for (int j = 0; j < 4; ++j) want.push_back((xs[size_t(i * 4 + j)] - 3.0f * ys[size_t(j)]) / zs[size_t(i)]);
  ExpectNear(out.outputs[0], want, 1e-6f);
}

TEST(Codegen, PermuteExpandAndTransposeCopies) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 16);
  aoti_value *x = b.Input("x", {b.C(2), b.C(3), s0});
  aoti_value *y = b.Input("y", {b.C(3), b.C(1)});
  aoti_value *q = b.Input("q", {s0, b.C(5)});
  aoti_value *p = b.Node("torch.ops.aten.permute.default", "permute", {{"self", T(x)}, {"dims", b.Ints({2, 0, 1})}},
                         {s0, b.C(2), b.C(3)});
  aoti_value *e = b.Node("torch.ops.aten.expand.default", "expand", {{"self", T(y)}, {"size", b.Sizes({b.C(2), b.C(3), b.C(4)})}},
                         {b.C(2), b.C(3), b.C(4)});
  aoti_value *t = b.Node("torch.ops.aten.t.default", "t", {{"self", T(q)}}, {b.C(5), s0});
  aoti_value *tr = b.Node("torch.ops.aten.transpose.int", "transpose",
                          {{"self", T(x)}, {"dim0", aoti_arg_int(0)}, {"dim1", aoti_arg_int(-1)}},
                          {s0, b.C(3), b.C(2)});
  aoti_value *cl = b.Node("torch.ops.aten.clone.default", "clone", {{"self", T(q)}}, {s0, b.C(5)});
  b.Output("output0", p);
  b.Output("output1", e);
  b.Output("output2", t);
  b.Output("output3", tr);
  b.Output("output4", cl);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, TestStem()));
  const int64_t n = 6;
  const std::vector<float> xs = RandomFloats(size_t(2 * 3 * n), 1), ys = RandomFloats(3, 2),
                           qs = RandomFloats(size_t(n * 5), 3);
  RunResult out = RunModel(lib.abi(), *r, {n}, {xs.data(), ys.data(), qs.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  std::vector<float> want_p, want_e, want_t, want_tr;
  for (int64_t i = 0; i < n; ++i)
    for (int a = 0; a < 2; ++a)
      for (int c = 0; c < 3; ++c) want_p.push_back(xs[size_t((a * 3 + c) * n + i)]);
  for (int a = 0; a < 2; ++a)
    for (int c = 0; c < 3; ++c)
      for (int k = 0; k < 4; ++k) want_e.push_back(ys[size_t(c)]);
  for (int j = 0; j < 5; ++j)
    for (int64_t i = 0; i < n; ++i) want_t.push_back(qs[size_t(i * 5 + j)]);
  EXPECT_EQ(out.outputs[0], want_p);
  EXPECT_EQ(out.outputs[1], want_e);
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 3; ++c)
      for (int a = 0; a < 2; ++a) want_tr.push_back(xs[size_t((a * 3 + c) * n + i)]);
  EXPECT_EQ(out.outputs[2], want_t);
  EXPECT_EQ(out.outputs[3], want_tr);
  EXPECT_EQ(out.outputs[4], qs);
}

// Views of inputs and of outputs, an output that is an input, the same value twice, and a view of
// an intermediate read by a later node.
TEST(Codegen, ViewsAndAliasedOutputs) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 32);
  aoti_value *x = b.Input("x", {s0, b.C(6)});
  aoti_value *v = b.Node("torch.ops.aten.view.default", "view", {{"self", T(x)}, {"size", b.Sizes({s0, b.C(2), b.C(3)})}},
                         {s0, b.C(2), b.C(3)});
  aoti_value *r = b.Node("torch.ops.aten.relu.default", "relu", {{"self", T(x)}}, {s0, b.C(6)});
  const aoti_sx *flat = aoti_sx_mul(b.g(), s0, b.C(6));
  aoti_value *rv = b.Node("torch.ops.aten.view.default", "view_1", {{"self", T(r)}, {"size", b.Sizes({flat})}}, {flat});
  aoti_value *s = b.Node("torch.ops.aten.sigmoid.default", "sigmoid", {{"self", T(x)}}, {s0, b.C(6)});
  aoti_value *sv = b.Node("torch.ops.aten.view.default", "view_2", {{"self", T(s)}, {"size", b.Sizes({s0, b.C(3), b.C(2)})}},
                          {s0, b.C(3), b.C(2)});
  aoti_value *m = b.Node("torch.ops.aten.mul.Tensor", "mul", {{"self", T(sv)}, {"other", T(sv)}}, {s0, b.C(3), b.C(2)});
  b.Output("output0", v);
  b.Output("output1", r);
  b.Output("output2", rv);
  b.Output("output3", x);
  b.Output("output4", r);
  b.Output("output5", m);
  Result r_ = Generate(b.g());
  ASSERT_TRUE(r_);
  Library lib;
  ASSERT_TRUE(lib.Load(*r_, TestStem()));
  const int64_t n = 3;
  const std::vector<float> xs = RandomFloats(size_t(n * 6), 8);
  RunResult out = RunModel(lib.abi(), *r_, {n}, {xs.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  std::vector<float> relu, sq;
  for (float f : xs) {
    relu.push_back(f > 0 ? f : 0.0f);
    const float sg = 1.0f / (1.0f + std::exp(-f));
    sq.push_back(sg * sg);
  }
  EXPECT_EQ(out.outputs[0], xs);
  EXPECT_EQ(out.output_sizes[0], (std::vector<int64_t>{n, 2, 3}));
  EXPECT_EQ(out.outputs[1], relu);
  EXPECT_EQ(out.outputs[2], relu);
  EXPECT_EQ(out.output_sizes[2], (std::vector<int64_t>{n * 6}));
  EXPECT_EQ(out.outputs[3], xs);
  EXPECT_EQ(out.outputs[4], relu);
  ExpectNear(out.outputs[5], sq, 1e-6f);
  const aoti_abi_model *abi = lib.abi();
  EXPECT_EQ(abi->outputs[2].dims[0].symbol, 0);
  EXPECT_EQ(abi->outputs[2].dims[0].coeff, 6);
}

// No nodes, no symbols, no arena: outputs that are an input and a constant are copied.
TEST(Codegen, GraphWithoutNodesCopiesInputAndConstant) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(3)});
  const std::vector<float> ks = RandomFloats(4, 5);
  aoti_value *k = b.Constant("k", {4}, ks);
  b.Output("output0", x);
  b.Output("output1", k);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, TestStem()));
  EXPECT_EQ(lib.abi()->num_symbols, 0);
  EXPECT_EQ(lib.abi()->arena_size(nullptr), 0u);
  EXPECT_EQ(r->arena_bytes_at_max, 0u);
  const std::vector<float> xs = RandomFloats(6, 1);
  RunResult out = RunModel(lib.abi(), *r, {}, {xs.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  EXPECT_EQ(out.outputs[0], xs);
  EXPECT_EQ(out.outputs[1], ks);
}

TEST(Codegen, UnsupportedDtypeNamesNodeAndDtype) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(4)}, AOTI_DTYPE_FLOAT16);
  aoti_value *y = b.Node("torch.ops.aten.relu.default", "relu_half", {{"self", T(x)}}, {b.C(4)}, AOTI_DTYPE_FLOAT16);
  b.Output("output0", y);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), nullptr, nullptr), AOTI_OK) << aoti_last_error();
  aoti_codegen_result *r = nullptr;
  EXPECT_EQ(aoti_codegen_c(b.g(), "model", nullptr, &r), AOTI_ERROR_UNSUPPORTED);
  EXPECT_EQ(r, nullptr);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("relu_half"), std::string::npos) << msg;
  EXPECT_NE(msg.find("float16"), std::string::npos) << msg;
}

// Pointwise ops over other dtypes: relu of int64, a comparison with an int Scalar (bool), and
// where with a float Scalar, checked against the same arithmetic done here.
TEST(Codegen, PointwiseOverIntAndBoolDtypes) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(6)}, AOTI_DTYPE_INT64);
  aoti_value *y = b.Input("y", {b.C(2), b.C(6)});
  aoti_value *r = b.Node("torch.ops.aten.relu.default", "relu_int", {{"self", T(x)}}, {b.C(6)}, AOTI_DTYPE_INT64);
  aoti_value *big = b.Node("torch.ops.aten.gt.Scalar", "gt", {{"self", T(r)}, {"other", aoti_arg_int(1)}}, {b.C(6)},
                           AOTI_DTYPE_BOOL);
  aoti_value *w = b.Node("torch.ops.aten.where.ScalarOther", "pick",
                         {{"condition", T(big)}, {"self", T(y)}, {"other", aoti_arg_float(-0.5)}}, {b.C(2), b.C(6)});
  b.Output("output0", w);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), nullptr, nullptr), AOTI_OK) << aoti_last_error();
  Result res = Generate(b.g());
  ASSERT_TRUE(res);
  Library lib;
  ASSERT_TRUE(lib.Load(*res, TestStem()));
  const std::vector<int64_t> xs = {-3, 0, 1, 2, 5, -1};
  const std::vector<float> ys = RandomFloats(12, 3);
  RunResult out = RunModel(lib.abi(), *res, {}, {reinterpret_cast<const float *>(xs.data()), ys.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  std::vector<float> want(12);
  for (size_t i = 0; i < 12; ++i) want[i] = std::max<int64_t>(xs[i % 6], 0) > 1 ? ys[i] : -0.5f;
  EXPECT_EQ(out.outputs[0], want);
}

// Pointwise nodes big enough to split over threads (aoti_pointwise_run): a flat unary node cut
// into element ranges and a broadcast binary node cut into rows, run as 1, 2 and 3 ranges (last
// to first) and checked element by element against the same arithmetic done here.
TEST(Codegen, PointwiseNodesSplitOverThreads) {
  const int64_t rows = 97, cols = 1031;  // 100007 elements: above the split threshold, odd ranges
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(rows), b.C(cols)});
  aoti_value *y = b.Input("y", {b.C(cols)});
  aoti_value *t = b.Node("torch.ops.aten.tanh.default", "tanh", {{"self", T(x)}}, {b.C(rows), b.C(cols)});
  aoti_value *s = b.Node("torch.ops.aten.mul.Tensor", "mul", {{"self", T(t)}, {"other", T(y)}}, {b.C(rows), b.C(cols)});
  b.Output("output0", s);
  Result res = Generate(b.g());
  ASSERT_TRUE(res);
  Library lib;
  ASSERT_TRUE(lib.Load(*res, TestStem()));
  const std::vector<float> xs = RandomFloats(size_t(rows * cols), 7), ys = RandomFloats(size_t(cols), 8);
  std::vector<float> want(xs.size());
  for (size_t i = 0; i < want.size(); ++i) want[i] = float(std::tanh(double(xs[i])) * ys[i % size_t(cols)]);
  for (int32_t threads : {1, 2, 3}) {
    SCOPED_TRACE(testing::Message() << threads << " ranges");
    RunResult out = RunModel(lib.abi(), *res, {}, {xs.data(), ys.data()}, threads);
    ASSERT_EQ(out.status, 0) << out.error;
    ExpectNear(out.outputs[0], want, 1e-6f);
  }
}

TEST(Codegen, UnloweredOpNamesNodeAndTarget) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2), b.C(3)});
  aoti_value *w = b.Constant("w", {4, 3}, RandomFloats(12, 1));
  aoti_value *y = b.Node("torch.ops.aten.linear.default", "my_linear", {{"input", T(x)}, {"weight", T(w)}},
                         {b.C(2), b.C(4)});
  b.Output("output0", y);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  aoti_codegen_result *r = nullptr;  // no passes: linear is still there
  EXPECT_EQ(aoti_codegen_c(b.g(), "model", nullptr, &r), AOTI_ERROR_UNSUPPORTED);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("my_linear"), std::string::npos) << msg;
  EXPECT_NE(msg.find("torch.ops.aten.linear.default"), std::string::npos) << msg;
}

TEST(Codegen, NonAffineInputDimIsUnsupported) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 8), *s1 = b.Sym("s1", 1, 8);
  aoti_value *x = b.Input("x", {b.C(2), aoti_sx_mul(b.g(), s0, s1)});
  aoti_value *y = b.Node("torch.ops.aten.relu.default", "relu", {{"self", T(x)}}, {b.C(2), x->dims[1]});
  b.Output("output0", y);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), nullptr, nullptr), AOTI_OK) << aoti_last_error();
  aoti_codegen_result *r = nullptr;
  EXPECT_EQ(aoti_codegen_c(b.g(), "model", nullptr, &r), AOTI_ERROR_UNSUPPORTED);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("input 'x' dim 1"), std::string::npos) << msg;
}

TEST(Codegen, RejectsModelNameThatIsNotAnIdentifier) {
  GraphBuilder b;
  aoti_value *x = b.Input("x", {b.C(2)});
  b.Output("output0", x);
  aoti_codegen_result *r = nullptr;
  EXPECT_EQ(aoti_codegen_c(b.g(), "my-model", nullptr, &r), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(aoti_last_error()).find("my-model"), std::string::npos);
  EXPECT_EQ(r, nullptr);
}

}  // namespace
}  // namespace aoti_test
