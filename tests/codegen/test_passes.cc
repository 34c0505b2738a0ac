// test_passes.cc — the passes on hand-built graphs: what decomposition and folding leave in the
// graph, and memory plans (reuse, and no two live values overlapping) checked at several sizes.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "codegen_test_util.h"

extern "C" {
#include "aoti/runtime.h"
}

namespace aoti_test {
namespace {

aoti_arg T(aoti_value *v) { return aoti_arg_tensor(v); }

std::vector<std::string> Targets(const aoti_graph *g) {
  std::vector<std::string> out;
  for (int32_t i = 0; i < g->num_nodes; ++i) out.push_back(g->nodes[i]->target);
  return out;
}

TEST(Passes, LinearOnRank3DecomposesAndFoldsTheTranspose) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 16);
  aoti_value *x = b.Input("x", {b.C(2), s0, b.C(3)});
  aoti_value *w = b.Constant("lin.weight", {4, 3}, RandomFloats(12, 1));
  aoti_value *y = b.Node("torch.ops.aten.linear.default", "linear", {{"input", T(x)}, {"weight", T(w)}},
                         {b.C(2), s0, b.C(4)});
  b.Output("output0", y);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_pass_decompose(b.g()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(Targets(b.g()), (std::vector<std::string>{"torch.ops.aten.view.default", "torch.ops.aten.t.default",
                                                       "torch.ops.aten.mm.default", "torch.ops.aten.view.default"}));
  ASSERT_EQ(aoti_pass_fold_constants(b.g()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(Targets(b.g()), (std::vector<std::string>{"torch.ops.aten.view.default", "torch.ops.aten.mm.default",
                                                       "torch.ops.aten.view.default"}));
  ASSERT_EQ(b.g()->num_constants, 1);
  EXPECT_STREQ(b.g()->constants[0].fqn, "lin.weight.t");
  EXPECT_EQ(b.g()->constants[0].kind, AOTI_CONSTANT_FOLDED);
  // The graph output keeps its shape.
  const aoti_value *out = b.g()->outputs[0].value;
  ASSERT_EQ(out->rank, 3);
  EXPECT_EQ(out->dims[1], s0);
}

// A permute of a rank-3 constant folds to the permuted elements (checked against index arithmetic).
TEST(Passes, PermuteOfAConstantFoldsToThePermutedElements) {
  GraphBuilder b;
  std::vector<float> values(2 * 3 * 5);
  for (size_t i = 0; i < values.size(); ++i) values[i] = float(i);
  aoti_value *c = b.Constant("c", {2, 3, 5}, values);
  aoti_value *p = b.Node("torch.ops.aten.permute.default", "permute", {{"self", T(c)}, {"dims", b.Ints({2, 0, 1})}},
                         {b.C(5), b.C(2), b.C(3)});
  b.Output("output0", p);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_pass_fold_constants(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(b.g()->num_constants, 1);
  const aoti_constant &folded = b.g()->constants[0];
  EXPECT_STREQ(folded.fqn, "c.permute");
  ASSERT_EQ(folded.nbytes, values.size() * sizeof(float));
  const float *got = static_cast<const float *>(folded.data);
  for (int k = 0; k < 5; ++k)
    for (int i = 0; i < 2; ++i)
      for (int j = 0; j < 3; ++j) EXPECT_EQ(got[(k * 2 + i) * 3 + j], values[size_t((i * 3 + j) * 5 + k)]);
}

TEST(Passes, LinearOnRank3RunsLikeLoops) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 16);
  aoti_value *x = b.Input("x", {b.C(2), s0, b.C(3)});
  const std::vector<float> ws = RandomFloats(12, 1), bs = RandomFloats(4, 2);
  aoti_value *w = b.Constant("lin.weight", {4, 3}, ws);
  aoti_value *bias = b.Constant("lin.bias", {4}, bs);
  aoti_value *y = b.Node("torch.ops.aten.linear.default", "linear",
                         {{"input", T(x)}, {"weight", T(w)}, {"bias", T(bias)}}, {b.C(2), s0, b.C(4)});
  aoti_value *f = b.Node("torch.ops.aten.flatten.using_ints", "flatten",
                         {{"self", T(y)}, {"start_dim", aoti_arg_int(1)}},
                         {b.C(2), aoti_sx_mul(b.g(), s0, b.C(4))});
  const aoti_sx *flat = aoti_sx_mul(b.g(), s0, b.C(8));
  aoti_value *rs = b.Node("torch.ops.aten.reshape.default", "reshape", {{"self", T(f)}, {"shape", b.Sizes({flat})}},
                          {flat});
  aoti_value *un = b.Node("torch.ops.aten.unsqueeze.default", "unsqueeze", {{"self", T(rs)}, {"dim", aoti_arg_int(0)}},
                          {b.C(1), flat});
  b.Output("output0", f);
  b.Output("output1", un);
  Result r = Generate(b.g());
  ASSERT_TRUE(r);
  for (int32_t i = 0; i < b.g()->num_nodes; ++i)
    EXPECT_NE(b.g()->nodes[i]->op->lowering, AOTI_LOWER_DECOMPOSE) << b.g()->nodes[i]->target;
  Library lib;
  ASSERT_TRUE(lib.Load(*r, "Passes_LinearOnRank3RunsLikeLoops"));
  const int64_t n = 5;
  const std::vector<float> xs = RandomFloats(size_t(2 * n * 3), 3);
  RunResult out = RunModel(lib.abi(), *r, {n}, {xs.data()});
  ASSERT_EQ(out.status, 0) << out.error;
  EXPECT_EQ(out.output_sizes[0], (std::vector<int64_t>{2, n * 4}));
  std::vector<float> want;
  for (int64_t row = 0; row < 2 * n; ++row)
    for (int j = 0; j < 4; ++j) {
      double acc = bs[size_t(j)];
      for (int k = 0; k < 3; ++k) acc += double(xs[size_t(row * 3 + k)]) * ws[size_t(j * 3 + k)];
      want.push_back(float(acc));
    }
  ExpectNear(out.outputs[0], want, 1e-5f);
  EXPECT_EQ(out.output_sizes[1], (std::vector<int64_t>{1, n * 8}));
  ExpectNear(out.outputs[1], want, 1e-5f);
}

TEST(Passes, AliasViewsDropsShapePreservingViews) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 8);
  aoti_value *x = b.Input("x", {s0, b.C(3)});
  aoti_value *d = b.Node("torch.ops.aten.detach.default", "detach", {{"self", T(x)}}, {s0, b.C(3)});
  aoti_value *v = b.Node("torch.ops.aten.view.default", "view", {{"self", T(d)}, {"size", b.Sizes({s0, b.C(3)})}},
                         {s0, b.C(3)});
  aoti_value *r = b.Node("torch.ops.aten.relu.default", "relu", {{"self", T(v)}}, {s0, b.C(3)});
  b.Output("output0", r);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_pass_alias_views(b.g()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(Targets(b.g()), (std::vector<std::string>{"torch.ops.aten.relu.default"}));
  EXPECT_EQ(b.g()->nodes[0]->args[0].tensor, x);
}

// Independent lifetime analysis: [producer index, last reader index] of each planned value,
// following views back to the value that owns the bytes.
struct Interval {
  int32_t first, last;
  const aoti_value *value;
};

const aoti_value *Owner(const aoti_value *v) {
  while (v->producer && v->producer->op && v->producer->op->lowering == AOTI_LOWER_VIEW)
    for (int32_t i = 0; i < v->producer->num_args; ++i)
      if (v->producer->args[i].kind == AOTI_ARG_TENSOR) {
        v = v->producer->args[i].tensor;
        break;
      }
  return v;
}

void ExpectNoLiveOverlap(aoti_graph *g, const aoti_memory_plan &plan, const std::vector<int64_t> &syms) {
  std::map<const aoti_value *, Interval> live;
  for (int32_t i = 0; i < g->num_values; ++i) {
    const aoti_value *v = g->values[i];
    if (!plan.offsets[v->id]) continue;
    const aoti_value *o = Owner(v);
    live.emplace(o, Interval{o->producer->id, o->producer->id, o});
  }
  for (int32_t i = 0; i < g->num_nodes; ++i)
    for (int32_t k = 0; k < g->nodes[i]->num_args; ++k)
      if (g->nodes[i]->args[k].kind == AOTI_ARG_TENSOR) {
        auto it = live.find(Owner(g->nodes[i]->args[k].tensor));
        if (it != live.end()) it->second.last = std::max(it->second.last, i);
      }
  const int64_t arena = aoti_sx_eval(plan.arena_bytes, syms.data());
  EXPECT_EQ(arena % 64, 0);
  for (const auto &[va, a] : live) {
    const int64_t off_a = aoti_sx_eval(plan.offsets[va->id], syms.data());
    const int64_t end_a = off_a + aoti_sx_eval(aoti_value_numel(g, va), syms.data()) * 4;
    EXPECT_EQ(off_a % 64, 0) << va->name;
    EXPECT_LE(end_a, arena) << va->name;
    for (const auto &[vb, bb] : live) {
      if (va == vb || a.last < bb.first || bb.last < a.first) continue;  // not live together
      const int64_t off_b = aoti_sx_eval(plan.offsets[vb->id], syms.data());
      const int64_t end_b = off_b + aoti_sx_eval(aoti_value_numel(g, vb), syms.data()) * 4;
      EXPECT_TRUE(end_a <= off_b || end_b <= off_a)
          << va->name << " [" << off_a << "," << end_a << ") overlaps " << vb->name << " [" << off_b << ","
          << end_b << ") at s0=" << syms[0];
    }
  }
}

TEST(Passes, MemoryPlanReusesSpaceInASixLayerChain) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 4096);
  aoti_value *v = b.Input("x", {s0, b.C(33)});
  const char *ops[] = {"relu", "sigmoid", "relu", "sigmoid", "relu", "sigmoid"};
  for (int i = 0; i < 6; ++i) {
    const std::string target = std::string("torch.ops.aten.") + ops[i] + ".default";
    const std::string name = std::string(ops[i]) + "_" + std::to_string(i);
    v = b.Node(target.c_str(), name.c_str(), {{"self", T(v)}}, {s0, b.C(33)});
  }
  b.Output("output0", v);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), nullptr, nullptr), AOTI_OK) << aoti_last_error();
  aoti_memory_plan plan{};
  ASSERT_EQ(aoti_pass_plan_memory(b.g(), &plan), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(plan.num_values, b.g()->num_values);
  int planned = 0;
  for (int32_t i = 0; i < b.g()->num_values; ++i) planned += plan.offsets[i] != nullptr;
  EXPECT_EQ(planned, 5);  // five intermediates; the input and the output are caller buffers
  for (int64_t s : {1, 7, 4096}) {
    const std::vector<int64_t> syms = {s};
    const int64_t one = (s * 33 * 4 + 63) / 64 * 64;
    EXPECT_LT(aoti_sx_eval(plan.arena_bytes, syms.data()), 5 * one);
    EXPECT_EQ(aoti_sx_eval(plan.arena_bytes, syms.data()), 2 * one);  // a chain needs two slots
    ExpectNoLiveOverlap(b.g(), plan, syms);
  }
}

TEST(Passes, MemoryPlanKeepsLongLivedValuesApart) {
  GraphBuilder b;
  const aoti_sx *s0 = b.Sym("s0", 1, 64);
  aoti_value *x = b.Input("x", {s0, b.C(5)});
  auto unary = [&](const char *op, const char *name, aoti_value *in, const Dims &dims) {
    return b.Node((std::string("torch.ops.aten.") + op + ".default").c_str(), name, {{"self", T(in)}}, dims);
  };
  aoti_value *a = unary("relu", "a", x, {s0, b.C(5)});
  aoti_value *c = unary("sigmoid", "c", a, {s0, b.C(5)});
  aoti_value *cv = b.Node("torch.ops.aten.view.default", "cv", {{"self", T(c)}, {"size", b.Sizes({b.C(5), s0})}},
                          {b.C(5), s0});
  aoti_value *ct = b.Node("torch.ops.aten.t.default", "ct", {{"self", T(cv)}}, {s0, b.C(5)});
  aoti_value *d = b.Node("torch.ops.aten.add.Tensor", "d", {{"self", T(a)}, {"other", T(ct)}}, {s0, b.C(5)});
  aoti_value *e = unary("relu", "e", d, {s0, b.C(5)});
  aoti_value *f = unary("sigmoid", "f", e, {s0, b.C(5)});
  aoti_value *h = b.Node("torch.ops.aten.mul.Tensor", "h", {{"self", T(f)}, {"other", T(a)}}, {s0, b.C(5)});
  b.Output("output0", h);
  ASSERT_EQ(aoti_ops_bind(b.g()), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_passes_run(b.g(), nullptr, nullptr), AOTI_OK) << aoti_last_error();
  aoti_memory_plan plan{};
  ASSERT_EQ(aoti_pass_plan_memory(b.g(), &plan), AOTI_OK) << aoti_last_error();
  for (int64_t s : {1, 3, 64}) ExpectNoLiveOverlap(b.g(), plan, {s});
  // The view shares its source's offset.
  EXPECT_EQ(plan.offsets[c->id], plan.offsets[cv->id]);
}

}  // namespace
}  // namespace aoti_test
