// Tests of the op table (compiler/ops): the schema parser on every row's declaration and on
// malformed ones, binding (defaults, normalisation, errors), the unsupported-op message, and shape
// functions including symbolic broadcasting and view with -1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" {
#include "ir/ir.h"
#include "ops/ops.h"
}

namespace {

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The parameters of a declaration split by text alone (an independent reading to compare the
// parser with): "Tensor? bias=None" -> {name "bias", default "None"}, "*" -> {name "*"}.
struct TextParam {
  std::string name, default_text;
  bool has_default = false;
};

std::vector<TextParam> split_params(const std::string &decl) {
  size_t open = decl.find('('), close = decl.find(") ->");
  std::string body = decl.substr(open + 1, close - open - 1);
  std::vector<TextParam> out;
  int depth = 0;
  std::string cur;
  for (size_t i = 0; i <= body.size(); i++) {
    char c = i < body.size() ? body[i] : ',';
    if (c == '(' || c == '[') depth++;
    if (c == ')' || c == ']') depth--;
    if (c == ',' && depth == 0) {
      TextParam p;
      std::string t = trim(cur);
      size_t eq = t.find('=');
      if (eq != std::string::npos) {
        p.has_default = true;
        p.default_text = trim(t.substr(eq + 1));
        t = trim(t.substr(0, eq));
      }
      p.name = t == "*" ? "*" : t.substr(t.find_last_of(' ') + 1);
      if (!t.empty()) out.push_back(p);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

// Whether a parsed default matches its text.
void expect_default_matches(const aoti_arg &a, const std::string &text, const std::string &where) {
  if (text == "None") {
    EXPECT_EQ(a.kind, AOTI_ARG_NONE) << where;
  } else if (text == "True" || text == "False") {
    ASSERT_EQ(a.kind, AOTI_ARG_BOOL) << where;
    EXPECT_EQ(a.b, text == "True") << where;
  } else if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    ASSERT_EQ(a.kind, AOTI_ARG_STRING) << where;
    EXPECT_EQ(std::string(a.s), text.substr(1, text.size() - 2)) << where;
  } else if (a.kind == AOTI_ARG_LIST) {  // "[1, 1]", "[]", or one int repeated for int[N]
    std::vector<int64_t> want;
    std::string items = text.front() == '[' ? text.substr(1, text.size() - 2) : text;
    for (size_t pos = 0; pos < items.size();) {
      size_t comma = items.find(',', pos);
      if (comma == std::string::npos) comma = items.size();
      want.push_back(std::strtoll(items.substr(pos, comma - pos).c_str(), nullptr, 10));
      pos = comma + 1;
    }
    if (text.front() != '[') want.assign(static_cast<size_t>(a.count), want.at(0));
    ASSERT_EQ(a.count, static_cast<int32_t>(want.size())) << where;
    for (int32_t i = 0; i < a.count; ++i) {
      int64_t v = 0;
      ASSERT_TRUE(aoti_arg_get_int(&a.list[i], &v)) << where;
      EXPECT_EQ(v, want[static_cast<size_t>(i)]) << where;
    }
  } else if (a.kind == AOTI_ARG_INT) {
    EXPECT_EQ(a.i, std::strtoll(text.c_str(), nullptr, 10)) << where;
  } else {
    ASSERT_EQ(a.kind, AOTI_ARG_FLOAT) << where;
    EXPECT_EQ(a.f, std::strtod(text.c_str(), nullptr)) << where;
  }
}

TEST(OpTable, EveryRowsDeclarationParsesToItsOwnText) {
  ASSERT_GT(aoti_op_count(), 20u);
  EXPECT_EQ(aoti_op_at(aoti_op_count()), nullptr);
  for (size_t i = 0; i < aoti_op_count(); i++) {
    const aoti_op *op = aoti_op_at(i);
    const aoti_schema *s = aoti_op_schema(op);
    ASSERT_NE(s, nullptr) << op->target << ": " << aoti_last_error();
    EXPECT_EQ(aoti_op_find(op->target), op);
    // The target is torch.ops.aten.<name>.<overload>.
    EXPECT_EQ(std::string(op->target), std::string("torch.ops.aten.") + s->name + "." + s->overload);
    EXPECT_GE(s->num_returns, 1) << op->target;  // multi-output rows (max_pool2d_with_indices, ...)
    EXPECT_NE(op->shape, nullptr) << op->target;
    std::vector<TextParam> params = split_params(op->declaration);
    int32_t k = 0;
    bool kwarg_only = false;
    for (const TextParam &p : params) {
      if (p.name == "*") {
        kwarg_only = true;
        continue;
      }
      ASSERT_LT(k, s->num_args) << op->declaration;
      const aoti_schema_arg &a = s->args[k++];
      std::string where = std::string(op->target) + " arg " + p.name;
      EXPECT_EQ(a.name, p.name) << where;
      EXPECT_EQ(a.kwarg_only, kwarg_only) << where;
      EXPECT_EQ(a.has_default, p.has_default) << where;
      if (a.has_default && p.has_default) expect_default_matches(a.default_value, p.default_text, where);
    }
    EXPECT_EQ(k, s->num_args) << op->declaration;
    bool pointwise = op->lowering == AOTI_LOWER_UNARY || op->lowering == AOTI_LOWER_BINARY ||
                     op->lowering == AOTI_LOWER_TERNARY || op->lowering == AOTI_LOWER_FILL;
    EXPECT_EQ(pointwise, op->pointwise != nullptr) << op->target;
  }
  EXPECT_EQ(aoti_op_find("torch.ops.aten.conv_transpose2d.input"), nullptr);
  EXPECT_EQ(aoti_op_find("torch.ops.aten.add"), nullptr);
}

TEST(Schema, ParsesEveryTypeForm) {
  aoti_schema s;
  const char *decl =
      "foo.bar(Tensor(a!) self, Tensor?[] indices, Tensor[] tensors, int[2] stride=1, SymInt[1]? size=None, "
      "float eps=1e-05, bool flag=True, str reduce=\"mean\", *, ScalarType? dtype=None, Layout? layout=None, "
      "Device? device=None, MemoryFormat memory_format=contiguous_format, int[] dims=[0, -1], Scalar s=-2, "
      "float[] scales=[1.5], SymInt n=3, Tensor? w=None) -> (Tensor(a!) out, Tensor)";
  ASSERT_EQ(aoti_schema_parse(decl, "bar", &s), AOTI_OK) << aoti_last_error();
  EXPECT_STREQ(s.name, "foo");
  EXPECT_STREQ(s.overload, "bar");
  EXPECT_EQ(s.num_returns, 2);
  ASSERT_EQ(s.num_args, 17);
  const aoti_schema_arg *a = s.args;
  EXPECT_EQ(a[0].type, AOTI_SCHEMA_TENSOR);
  EXPECT_FALSE(a[0].optional);
  EXPECT_EQ(a[1].type, AOTI_SCHEMA_OPT_TENSOR_LIST);
  EXPECT_EQ(a[2].type, AOTI_SCHEMA_TENSOR_LIST);
  EXPECT_EQ(a[3].type, AOTI_SCHEMA_INT_LIST);
  EXPECT_EQ(a[3].list_size, 2);
  ASSERT_EQ(a[3].default_value.kind, AOTI_ARG_LIST);  // int[2] stride=1 means [1, 1]
  ASSERT_EQ(a[3].default_value.count, 2);
  EXPECT_EQ(a[3].default_value.list[1].i, 1);
  EXPECT_EQ(a[4].type, AOTI_SCHEMA_SYMINT_LIST);
  EXPECT_TRUE(a[4].optional);
  EXPECT_EQ(a[4].list_size, 1);
  EXPECT_EQ(a[4].default_value.kind, AOTI_ARG_NONE);
  EXPECT_EQ(a[5].type, AOTI_SCHEMA_FLOAT);
  EXPECT_DOUBLE_EQ(a[5].default_value.f, 1e-05);
  EXPECT_EQ(a[6].default_value.kind, AOTI_ARG_BOOL);
  EXPECT_TRUE(a[6].default_value.b);
  EXPECT_EQ(a[7].type, AOTI_SCHEMA_STR);
  EXPECT_STREQ(a[7].default_value.s, "mean");
  EXPECT_FALSE(a[7].kwarg_only);
  EXPECT_TRUE(a[8].kwarg_only);
  EXPECT_EQ(a[8].type, AOTI_SCHEMA_SCALAR_TYPE);
  EXPECT_EQ(a[9].type, AOTI_SCHEMA_LAYOUT);
  EXPECT_EQ(a[10].type, AOTI_SCHEMA_DEVICE);
  EXPECT_EQ(a[11].type, AOTI_SCHEMA_MEMORY_FORMAT);
  EXPECT_EQ(a[11].default_value.kind, AOTI_ARG_MEMORY_FORMAT);
  EXPECT_EQ(a[11].default_value.i, 1);  // ContiguousFormat in the export schema's numbering
  ASSERT_EQ(a[12].default_value.count, 2);
  EXPECT_EQ(a[12].default_value.list[1].i, -1);
  EXPECT_EQ(a[13].type, AOTI_SCHEMA_SCALAR);
  EXPECT_EQ(a[13].default_value.kind, AOTI_ARG_INT);
  EXPECT_EQ(a[13].default_value.i, -2);
  EXPECT_EQ(a[14].type, AOTI_SCHEMA_FLOAT_LIST);
  EXPECT_DOUBLE_EQ(a[14].default_value.list[0].f, 1.5);
  EXPECT_EQ(a[15].type, AOTI_SCHEMA_SYMINT);
  EXPECT_EQ(a[16].type, AOTI_SCHEMA_TENSOR);
  EXPECT_TRUE(a[16].optional);
  aoti_schema_free(&s);

  ASSERT_EQ(aoti_schema_parse("relu(Tensor self) -> Tensor", nullptr, &s), AOTI_OK);
  EXPECT_STREQ(s.overload, "default");
  aoti_schema_free(&s);
  ASSERT_EQ(aoti_schema_parse("_foo() -> ()", "default", &s), AOTI_OK);
  EXPECT_EQ(s.num_args, 0);
  EXPECT_EQ(s.num_returns, 0);
  aoti_schema_free(&s);
}

void expect_schema_error(const char *decl, const char *overload, const char *what) {
  aoti_schema s;
  std::memset(&s, 0x5a, sizeof s);
  aoti_schema before = s;
  EXPECT_EQ(aoti_schema_parse(decl, overload, &s), AOTI_ERROR_FORMAT) << decl;
  EXPECT_EQ(std::memcmp(&s, &before, sizeof s), 0) << "out-parameter written on failure";
  std::string msg = aoti_last_error();
  EXPECT_NE(msg.find(std::string("'") + decl + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(what), std::string::npos) << msg;
  EXPECT_NE(msg.find("position"), std::string::npos) << msg;
}

TEST(Schema, MalformedDeclarationsFailWithPosition) {
  expect_schema_error("addmm(Tensor self", nullptr, "expected ')'");
  expect_schema_error("foo(Tensr x) -> Tensor", nullptr, "unsupported type");
  expect_schema_error("foo(Dimname x) -> Tensor", nullptr, "position 4");
  expect_schema_error("foo(Tensor x=) -> Tensor", nullptr, "expected a default value");
  expect_schema_error("foo(Tensor x) Tensor", nullptr, "expected '->'");
  expect_schema_error("foo(int[] x=3) -> Tensor", nullptr, "fixed size");
  expect_schema_error("foo(Tensor x, Tensor x) -> Tensor", nullptr, "duplicate argument name");
  expect_schema_error("foo.bar(Tensor x) -> Tensor", "baz", "overload differs");
  expect_schema_error("foo(Tensor x, *, *, int y) -> Tensor", nullptr, "second '*'");
  expect_schema_error("foo(Tensor) -> Tensor", nullptr, "expected an argument name");
  expect_schema_error("foo(Scalar[] x) -> Tensor", nullptr, "lists of this type");
  expect_schema_error("foo(int x=Mean) -> Tensor", nullptr, "unknown default value");
  expect_schema_error("foo(str s='abc) -> Tensor", nullptr, "unterminated");
  expect_schema_error("foo(Tensor x) -> Tensor out)", nullptr, "unexpected text");
  expect_schema_error("(Tensor x) -> Tensor", nullptr, "operator name");
}

// A small graph builder for binding tests.
class Bind : public ::testing::Test {
 protected:
  void SetUp() override {
    g = aoti_graph_create();
    s0 = aoti_graph_add_symbol(g, "s0", 1, 1024);
    s1 = aoti_graph_add_symbol(g, "s1", 2, 64);
  }
  void TearDown() override { aoti_graph_destroy(g); }

  const aoti_sx *c(int64_t v) { return aoti_sx_const(g, v); }
  const aoti_sx *sym(int32_t i) { return aoti_sx_sym(g, i); }
  aoti_value *value(const char *name, std::vector<const aoti_sx *> dims, aoti_dtype dtype = AOTI_DTYPE_FLOAT32) {
    return aoti_graph_add_value(g, name, dtype, (int32_t)dims.size(), dims.data());
  }
  aoti_value *input(const char *name, std::vector<const aoti_sx *> dims, aoti_dtype dtype = AOTI_DTYPE_FLOAT32) {
    aoti_value *v = value(name, dims, dtype);
    aoti_graph_add_input(g, v);
    return v;
  }
  aoti_value *param(const char *name, std::vector<const aoti_sx *> dims) {
    aoti_value *v = value(name, dims);
    aoti_graph_add_constant(g, name, v, nullptr, 0, AOTI_CONSTANT_PARAMETER);
    return v;
  }
  // Adds node `name` with raw args and one output declared with `out_dims`.
  aoti_node *node(const char *target, const char *name, std::vector<std::pair<const char *, aoti_arg>> args,
                  std::vector<const aoti_sx *> out_dims, aoti_dtype dtype = AOTI_DTYPE_FLOAT32) {
    aoti_node *n = aoti_graph_add_node(g, target, name);
    for (auto &a : args) aoti_node_add_named(g, n, a.first, a.second);
    aoti_node_add_output(g, n, value(name, out_dims, dtype));
    return n;
  }
  aoti_arg ints(std::vector<int64_t> v) {
    std::vector<aoti_arg> items;
    for (int64_t x : v) items.push_back(aoti_arg_int(x));
    return aoti_arg_list(g, AOTI_ARG_LIST, items.data(), (int32_t)items.size());
  }
  aoti_arg symints(std::vector<const aoti_sx *> v) {
    std::vector<aoti_arg> items;
    for (const aoti_sx *x : v) items.push_back(aoti_arg_symint(x));
    return aoti_arg_list(g, AOTI_ARG_LIST, items.data(), (int32_t)items.size());
  }
  // Binds, expecting failure with `status` and a message containing each of `words`.
  void expect_bind_error(aoti_status status, std::vector<std::string> words) {
    ASSERT_EQ(aoti_ops_bind(g), status);
    std::string msg = aoti_last_error();
    for (const std::string &w : words) EXPECT_NE(msg.find(w), std::string::npos) << "'" << w << "' in: " << msg;
  }

  aoti_graph *g = nullptr;
  int32_t s0 = -1, s1 = -1;
};

TEST_F(Bind, MlpCoreFormFillsDefaults) {
  // As run_decompositions() leaves Linear(10, 16) -> ReLU.
  aoti_value *x = input("x", {sym(s0), c(10)});
  aoti_value *w = param("p_fc1_weight", {c(16), c(10)});
  aoti_value *b = param("p_fc1_bias", {c(16)});
  aoti_node *perm = node("torch.ops.aten.permute.default", "permute",
                         {{"self", aoti_arg_tensor(w)}, {"dims", ints({1, 0})}}, {c(10), c(16)});
  aoti_node *mm = node("torch.ops.aten.addmm.default", "addmm",
                       {{"self", aoti_arg_tensor(b)}, {"mat1", aoti_arg_tensor(x)},
                        {"mat2", aoti_arg_tensor(perm->outputs[0])}},
                       {sym(s0), c(16)});
  aoti_node *relu = node("torch.ops.aten.relu.default", "relu", {{"self", aoti_arg_tensor(mm->outputs[0])}},
                         {sym(s0), c(16)});
  aoti_graph_add_output(g, "output0", relu->outputs[0]);
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(mm->op, aoti_op_find("torch.ops.aten.addmm.default"));
  ASSERT_EQ(mm->num_args, 5);
  EXPECT_EQ(mm->args[0].tensor, b);
  EXPECT_EQ(mm->args[2].tensor, perm->outputs[0]);
  // beta and alpha take their schema default 1, as floats for a float32 op.
  EXPECT_EQ(mm->args[3].kind, AOTI_ARG_FLOAT);
  EXPECT_EQ(mm->args[3].f, 1.0);
  EXPECT_EQ(mm->args[4].kind, AOTI_ARG_FLOAT);
  EXPECT_EQ(mm->args[4].f, 1.0);
  ASSERT_EQ(perm->args[1].kind, AOTI_ARG_LIST);
  ASSERT_EQ(perm->args[1].count, 2);
  EXPECT_EQ(perm->args[1].list[0].i, 1);
  EXPECT_EQ(relu->num_args, 1);
  EXPECT_EQ(aoti_graph_verify(g), AOTI_OK) << aoti_last_error();
}

TEST_F(Bind, LinearWithoutBiasGetsNone) {
  aoti_value *x = input("x", {sym(s0), c(10)});
  aoti_value *w = param("p_weight", {c(16), c(10)});
  aoti_node *lin = node("torch.ops.aten.linear.default", "linear",
                        {{"input", aoti_arg_tensor(x)}, {"weight", aoti_arg_tensor(w)}}, {sym(s0), c(16)});
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(lin->num_args, 3);
  EXPECT_EQ(lin->args[2].kind, AOTI_ARG_NONE);
  EXPECT_EQ(lin->op->lowering, AOTI_LOWER_DECOMPOSE);
}

TEST_F(Bind, ScalarsAndIntsAreNormalised) {
  aoti_value *x = input("x", {sym(s0), c(4)});
  aoti_value *y = input("y", {sym(s0), c(4)});
  aoti_value *i = input("i", {c(4)}, AOTI_DTYPE_INT64);
  aoti_node *add = node("torch.ops.aten.add.Tensor", "add",
                        {{"self", aoti_arg_tensor(x)}, {"other", aoti_arg_tensor(y)}, {"alpha", aoti_arg_int(2)}},
                        {sym(s0), c(4)});
  aoti_node *iadd = node("torch.ops.aten.add.Tensor", "add_1",
                         {{"self", aoti_arg_tensor(i)}, {"other", aoti_arg_tensor(i)}, {"alpha", aoti_arg_int(3)}},
                         {c(4)}, AOTI_DTYPE_INT64);
  // A SymInt list given as plain ints, and an int given as a constant SymInt.
  aoti_node *view = node("torch.ops.aten.view.default", "view",
                         {{"self", aoti_arg_tensor(x)}, {"size", ints({-1, 2, 2})}}, {sym(s0), c(2), c(2)});
  aoti_node *tr = node("torch.ops.aten.transpose.int", "transpose",
                       {{"self", aoti_arg_tensor(x)}, {"dim0", aoti_arg_symint(c(0))}, {"dim1", aoti_arg_int(-1)}},
                       {c(4), sym(s0)});
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(add->args[2].kind, AOTI_ARG_FLOAT);
  EXPECT_EQ(add->args[2].f, 2.0);
  EXPECT_EQ(iadd->args[2].kind, AOTI_ARG_INT);  // an int64 op keeps an int alpha
  EXPECT_EQ(iadd->args[2].i, 3);
  ASSERT_EQ(view->args[1].count, 3);
  EXPECT_EQ(view->args[1].list[0].kind, AOTI_ARG_SYMINT);
  EXPECT_EQ(view->args[1].list[0].sx, c(-1));
  EXPECT_EQ(tr->args[1].kind, AOTI_ARG_INT);
  EXPECT_EQ(tr->args[1].i, 0);
}

TEST_F(Bind, UnsupportedOpsAreListedWithEveryNode) {
  aoti_value *x = input("x", {sym(s0), c(4)});
  aoti_node *relu = node("torch.ops.aten.relu.default", "relu", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(4)});
  node("torch.ops.aten.foo.default", "foo", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(4)});
  node("torch.ops.aten.bar.Tensor", "bar", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(4)});
  node("torch.ops.aten.foo.default", "foo_1", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(4)});
  ASSERT_EQ(aoti_ops_bind(g), AOTI_ERROR_UNSUPPORTED);
  EXPECT_STREQ(aoti_last_error(),
               "unsupported ops (2): torch.ops.aten.foo.default (nodes: foo, foo_1); "
               "torch.ops.aten.bar.Tensor (nodes: bar)");
  EXPECT_EQ(relu->op, nullptr) << "the graph must stay unbound";
  EXPECT_EQ(relu->args, nullptr);
}

TEST_F(Bind, ArgumentErrorsNameNodeOpAndArgument) {
  aoti_value *x = input("x", {sym(s0), c(4)});
  aoti_value *w = param("w", {c(4), c(3)});
  aoti_node *relu = node("torch.ops.aten.relu.default", "relu", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(4)});
  node("torch.ops.aten.addmm.default", "addmm", {{"self", aoti_arg_tensor(x)}, {"mat1", aoti_arg_tensor(x)}},
       {sym(s0), c(3)});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'addmm'", "torch.ops.aten.addmm.default", "missing required", "'mat2'"});
  EXPECT_EQ(relu->op, nullptr) << "an argument error leaves the graph unbound";
  aoti_node_add_named(g, g->nodes[1], "mat2", aoti_arg_tensor(w));
  aoti_node_add_named(g, g->nodes[1], "gamma", aoti_arg_float(2.0));
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'addmm'", "unknown argument 'gamma'"});
}

TEST_F(Bind, ArgumentKindsAreChecked) {
  aoti_value *x = input("x", {sym(s0), c(4)});
  node("torch.ops.aten.unsqueeze.default", "unsqueeze", {{"self", aoti_arg_tensor(x)}, {"dim", aoti_arg_tensor(x)}},
       {sym(s0), c(1), c(4)});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'unsqueeze'", "argument 'dim' must be int", "got a tensor"});
  g->nodes[0]->named[1].arg = aoti_arg_symint(sym(s0));  // a symbolic dim cannot be an int
  expect_bind_error(AOTI_ERROR_FORMAT, {"argument 'dim' must be int", "got a SymInt"});
  g->nodes[0]->named[1].arg = aoti_arg_int(1);
  g->nodes[0]->named[0].arg = aoti_arg_none();
  expect_bind_error(AOTI_ERROR_FORMAT, {"argument 'self' must be Tensor, got None"});
  g->nodes[0]->named[0].arg = aoti_arg_tensor(x);
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
}

TEST_F(Bind, SymbolicBroadcasting) {
  aoti_value *x = input("x", {sym(s0), c(1)});
  aoti_value *y = input("y", {c(1), sym(s1)});
  aoti_value *z = input("z", {sym(s1)});
  aoti_node *mul = node("torch.ops.aten.mul.Tensor", "mul", {{"self", aoti_arg_tensor(x)}, {"other", aoti_arg_tensor(y)}},
                        {sym(s0), sym(s1)});
  node("torch.ops.aten.sub.Tensor", "sub",
       {{"self", aoti_arg_tensor(mul->outputs[0])}, {"other", aoti_arg_tensor(z)}}, {sym(s0), sym(s1)});
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
  // s0 against s1 does not broadcast.
  node("torch.ops.aten.add.Tensor", "add", {{"self", aoti_arg_tensor(z)}, {"other", aoti_arg_tensor(x)}},
       {sym(s0), sym(s1)});
  g->nodes[2]->named[1].arg = aoti_arg_tensor(value("w", {sym(s0)}));
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'add'", "do not broadcast", "s1", "s0"});
}

TEST_F(Bind, ViewSolvesMinusOneSymbolically) {
  aoti_value *x = input("x", {sym(s0), c(5), c(2)});
  aoti_node *v1 = node("torch.ops.aten.view.default", "view", {{"self", aoti_arg_tensor(x)}, {"size", ints({-1, 10})}},
                       {sym(s0), c(10)});
  const aoti_sx *two_s0 = aoti_sx_mul(g, c(2), sym(s0));
  node("torch.ops.aten.reshape.default", "reshape",
       {{"self", aoti_arg_tensor(v1->outputs[0])}, {"shape", ints({-1, 5})}}, {two_s0, c(5)});
  node("torch.ops.aten._unsafe_view.default", "_unsafe_view",
       {{"self", aoti_arg_tensor(x)}, {"size", symints({sym(s0), c(-1)})}}, {sym(s0), c(10)});
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
}

TEST_F(Bind, DeclaredShapeMismatchNamesNodeOutputExpectedAndGot) {
  aoti_value *x = input("x", {sym(s0), c(10)});
  node("torch.ops.aten.view.default", "view", {{"self", aoti_arg_tensor(x)}, {"size", ints({-1, 5})}},
       {sym(s0), c(5)});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'view'", "output 0 'view'", "declared float32[s0, 5]",
                                        "gives float32[2*s0, 5]"});
}

TEST_F(Bind, DeclaredDtypeMismatchIsReported) {
  aoti_value *x = input("x", {c(3)}, AOTI_DTYPE_INT64);
  node("torch.ops.aten.div.Tensor", "div", {{"self", aoti_arg_tensor(x)}, {"other", aoti_arg_tensor(x)}}, {c(3)},
       AOTI_DTYPE_INT64);
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'div'", "declared int64[3]", "gives float32[3]"});
}

TEST_F(Bind, MatmulSizeChecks) {
  aoti_value *x = input("x", {sym(s0), c(10)});
  aoti_value *w = param("w", {c(11), c(3)});
  node("torch.ops.aten.mm.default", "mm", {{"self", aoti_arg_tensor(x)}, {"mat2", aoti_arg_tensor(w)}},
       {sym(s0), c(3)});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'mm'", "inner sizes", "10 vs 11"});
}

TEST_F(Bind, LinearChecksFeaturesAndBias) {
  aoti_value *x = input("x", {sym(s0), c(10)});
  aoti_value *w = param("w", {c(16), c(10)});
  aoti_value *b = param("b", {c(15)});
  node("torch.ops.aten.linear.default", "linear",
       {{"input", aoti_arg_tensor(x)}, {"weight", aoti_arg_tensor(w)}, {"bias", aoti_arg_tensor(b)}},
       {sym(s0), c(16)});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'linear'", "'b' size 15", "16"});
}

// Layout and view ops, each declared with the shape PyTorch documents for it.
TEST_F(Bind, LayoutAndViewOps) {
  aoti_value *x = input("x", {sym(s0), c(3), c(1)});
  aoti_value *m = input("m", {sym(s1), c(7)});
  aoti_value *col = input("col", {c(3), c(1)});
  node("torch.ops.aten.t.default", "t", {{"self", aoti_arg_tensor(m)}}, {c(7), sym(s1)});
  node("torch.ops.aten.permute.default", "permute", {{"self", aoti_arg_tensor(x)}, {"dims", ints({2, 0, 1})}},
       {c(1), sym(s0), c(3)});
  node("torch.ops.aten.transpose.int", "transpose",
       {{"self", aoti_arg_tensor(x)}, {"dim0", aoti_arg_int(0)}, {"dim1", aoti_arg_int(-2)}}, {c(3), sym(s0), c(1)});
  node("torch.ops.aten.expand.default", "expand", {{"self", aoti_arg_tensor(col)}, {"size", symints({sym(s1), c(-1), sym(s0)})}},
       {sym(s1), c(3), sym(s0)});
  node("torch.ops.aten.unsqueeze.default", "unsqueeze", {{"self", aoti_arg_tensor(m)}, {"dim", aoti_arg_int(-1)}},
       {sym(s1), c(7), c(1)});
  node("torch.ops.aten.squeeze.dim", "squeeze", {{"self", aoti_arg_tensor(x)}, {"dim", aoti_arg_int(2)}},
       {sym(s0), c(3)});
  node("torch.ops.aten.squeeze.dim", "squeeze_1", {{"self", aoti_arg_tensor(x)}, {"dim", aoti_arg_int(1)}},
       {sym(s0), c(3), c(1)});  // size 3 is not squeezed
  node("torch.ops.aten.squeeze.dims", "squeeze_2", {{"self", aoti_arg_tensor(x)}, {"dim", ints({1, 2})}},
       {sym(s0), c(3)});
  node("torch.ops.aten.flatten.using_ints", "flatten", {{"self", aoti_arg_tensor(x)}, {"start_dim", aoti_arg_int(1)}},
       {sym(s0), c(3)});
  node("torch.ops.aten.flatten.using_ints", "flatten_1", {{"self", aoti_arg_tensor(x)}},
       {aoti_sx_mul(g, c(3), sym(s0))});
  node("torch.ops.aten.clone.default", "clone", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(3), c(1)});
  node("torch.ops.aten.alias.default", "alias", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(3), c(1)});
  node("torch.ops.aten.detach.default", "detach", {{"self", aoti_arg_tensor(x)}}, {sym(s0), c(3), c(1)});
  node("torch.ops.aten.sigmoid.default", "sigmoid", {{"self", aoti_arg_tensor(m)}}, {sym(s1), c(7)});
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(g->nodes[9]->args[1].i, 0);   // flatten_1 start_dim default
  EXPECT_EQ(g->nodes[9]->args[2].i, -1);  // end_dim default
  EXPECT_EQ(g->nodes[3]->args[2].kind, AOTI_ARG_BOOL);  // expand's implicit=False
  EXPECT_FALSE(g->nodes[3]->args[2].b);
  EXPECT_EQ(g->nodes[10]->args[1].kind, AOTI_ARG_NONE);  // clone's memory_format=None
}

TEST_F(Bind, DimensionErrors) {
  aoti_value *x = input("x", {sym(s0), c(3)});
  node("torch.ops.aten.permute.default", "permute", {{"self", aoti_arg_tensor(x)}, {"dims", ints({0, 0})}},
       {sym(s0), sym(s0)});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'permute'", "dimension 0 twice"});
  g->nodes[0]->named[1].arg = ints({0, 2});
  expect_bind_error(AOTI_ERROR_FORMAT, {"node 'permute'", "dimension 2 is out of range", "rank 2"});
}

// Cases of tests/ir/op_shapes.txt: output dtypes and shapes computed by PyTorch eager
// (tests/ir/gen_op_shapes.py). Each case is bound with the output declared as PyTorch gave it,
// which must succeed, and again with one size changed, which must fail.
std::vector<std::string> split(const std::string &s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

aoti_dtype dtype_of(const std::string &name) {
  if (name == "f32") return AOTI_DTYPE_FLOAT32;
  if (name == "f64") return AOTI_DTYPE_FLOAT64;
  if (name == "i64") return AOTI_DTYPE_INT64;
  if (name == "i32") return AOTI_DTYPE_INT32;
  if (name == "b") return AOTI_DTYPE_BOOL;
  if (name == "i16") return AOTI_DTYPE_INT16;
  if (name == "i8") return AOTI_DTYPE_INT8;
  if (name == "u8") return AOTI_DTYPE_UINT8;
  ADD_FAILURE() << "unknown dtype " << name;
  return AOTI_DTYPE_INVALID;
}

std::vector<const aoti_sx *> dims_of(aoti_graph *g, const std::string &text) {
  std::vector<const aoti_sx *> dims;
  if (text.empty()) return dims;
  for (const std::string &d : split(text, ',')) dims.push_back(aoti_sx_const(g, std::stoll(d)));
  return dims;
}

aoti_arg arg_of(aoti_graph *g, const std::string &text, const std::vector<aoti_value *> &inputs) {
  if (text[0] == '\'') return aoti_arg_string(g, text.substr(1, text.size() - 2).c_str());
  if (text.rfind("dt:", 0) == 0) {
    aoti_arg a = aoti_arg_int(dtype_of(text.substr(3)));
    a.kind = AOTI_ARG_SCALAR_TYPE;
    return a;
  }
  if (text.rfind("dev:", 0) == 0) {
    aoti_arg a = aoti_arg_string(g, text.substr(4).c_str());
    a.kind = AOTI_ARG_DEVICE;
    a.i = -1;
    return a;
  }
  if (text[0] == 'T' && text != "True") return aoti_arg_tensor(inputs.at(std::stoul(text.substr(1))));
  if (text == "True" || text == "False") return aoti_arg_bool(text == "True");
  if (text == "None") return aoti_arg_none();
  if (text[0] == '[') {  // ints, floats, or tensors and Nones (a Tensor[] / Tensor?[] argument)
    std::vector<std::string> texts = split(text.substr(1, text.size() - 2), ',');
    const bool tensors = !texts.empty() && (texts[0] == "None" || (texts[0][0] == 'T' && texts[0] != "True"));
    std::vector<aoti_arg> items;
    for (const std::string &v : texts) items.push_back(arg_of(g, v, inputs));
    return aoti_arg_list(g, tensors ? AOTI_ARG_TENSORS : AOTI_ARG_LIST, items.data(), (int32_t)items.size());
  }
  if (text.find('.') != std::string::npos) return aoti_arg_float(std::stod(text));
  return aoti_arg_int(std::stoll(text));
}

// The outputs of a case, one string each: fields 4 and 5 separate several outputs with ';'
// ("f32;i64" and "2,3;2,3"); a single 0-d output has empty dims.
std::vector<std::string> outputs_of(const std::string &text) {
  std::vector<std::string> out = split(text, ';');
  if (out.empty()) out.push_back("");
  return out;
}

// Builds the case's graph with the outputs declared as `out_dims` (one string per output);
// returns the bind status.
aoti_status bind_case(const std::vector<std::string> &f, const std::vector<std::string> &out_dims) {
  aoti_graph *g = aoti_graph_create();
  std::vector<aoti_value *> inputs;
  if (f[1] != "-") {
    for (const std::string &spec : split(f[1], ';')) {
      size_t colon = spec.find(':');
      std::vector<const aoti_sx *> dims = dims_of(g, spec.substr(colon + 1));
      std::string name = "in" + std::to_string(inputs.size());
      inputs.push_back(aoti_graph_add_value(g, name.c_str(), dtype_of(spec.substr(0, colon)), (int32_t)dims.size(),
                                            dims.data()));
      aoti_graph_add_input(g, inputs.back());
    }
  }
  std::string target = "torch.ops.aten." + f[0];
  aoti_node *n = aoti_graph_add_node(g, target.c_str(), "node");
  for (const std::string &a : split(f[2], ' ')) {
    size_t eq = a.find('=');
    aoti_node_add_named(g, n, a.substr(0, eq).c_str(), arg_of(g, a.substr(eq + 1), inputs));
  }
  std::vector<std::string> out_dtypes = outputs_of(f[3]);
  for (size_t k = 0; k < out_dims.size(); k++) {
    std::vector<const aoti_sx *> dims = dims_of(g, out_dims[k]);
    std::string name = "out" + std::to_string(k);
    aoti_value *out = aoti_graph_add_value(g, name.c_str(), dtype_of(out_dtypes.at(k)), (int32_t)dims.size(),
                                           dims.data());
    aoti_node_add_output(g, n, out);
  }
  aoti_status st = aoti_ops_bind(g);
  aoti_graph_destroy(g);
  return st;
}

TEST(OpShapes, MatchPyTorchEager) {
  std::ifstream in(AOTI_SOURCE_DIR "/tests/ir/op_shapes.txt");
  ASSERT_TRUE(in.good());
  std::string line;
  int cases = 0;
  std::vector<std::string> covered;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = split(line, '|');
    ASSERT_EQ(f.size(), 5u) << line;
    const std::vector<std::string> outs = outputs_of(f[4]);
    ASSERT_EQ(outs.size(), outputs_of(f[3]).size()) << line;
    EXPECT_EQ(bind_case(f, outs), AOTI_OK) << line << "\n" << aoti_last_error();
    // The same case declared with the last size of one output one larger (or an extra dim for
    // 0-d) must fail, for each output in turn.
    for (size_t k = 0; k < outs.size(); k++) {
      std::vector<std::string> wrong = outs;
      std::vector<std::string> dims = split(outs[k], ',');
      wrong[k] = outs[k].empty() ? "1" : outs[k].substr(0, outs[k].size() - dims.back().size()) +
                                             std::to_string(std::stoll(dims.back()) + 1);
      EXPECT_EQ(bind_case(f, wrong), AOTI_ERROR_FORMAT) << line << " (output " << k << ")";
      EXPECT_NE(std::string(aoti_last_error()).find("node 'node'"), std::string::npos) << aoti_last_error();
    }
    covered.push_back("torch.ops.aten." + f[0]);
    cases++;
  }
  EXPECT_GT(cases, 30);
  for (size_t i = 0; i < aoti_op_count(); i++)
    EXPECT_NE(std::find(covered.begin(), covered.end(), aoti_op_at(i)->target), covered.end())
        << aoti_op_at(i)->target << " has no PyTorch reference case";
}

}  // namespace
