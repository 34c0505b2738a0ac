// Tests of the JSON decoding (compiler/frontend/json.c, program.c) on small hand-written
// ExportedProgram documents: the three union encodings torch has used, bare Infinity/NaN tokens,
// enum names, schema versions, symbolic sizes and located error messages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

extern "C" {
#include "frontend/json.h"
#include "frontend/program.h"
}

namespace {

enum class Encoding { kSingleKey, kTypeValue, kAllKeys };

// A union value in the given encoding. The all-keys form lists the other members as null, as
// torch 2.1/2.2 did.
std::string U(Encoding e, const std::string &key, const std::string &value) {
  switch (e) {
    case Encoding::kSingleKey: return "{\"" + key + "\": " + value + "}";
    case Encoding::kTypeValue: return "{\"$type\": \"" + key + "\", \"$value\": " + value + "}";
    case Encoding::kAllKeys: {
      std::string s = "{";
      for (const char *k : {"as_none", "as_tensor", "as_int", "as_float", "as_ints", "as_expr",
                            "user_input", "user_output", "as_name", "as_sym_int", "as_device",
                            "as_scalar_type", "as_bool", "as_string"}) {
        if (key == k) continue;
        s += "\"" + std::string(k) + "\": null, ";
      }
      return s + "\"" + key + "\": " + value + "}";
    }
  }
  return "";
}

std::string Meta(Encoding e, const std::string &dtype, const std::string &dim0, int dim1) {
  return "{\"dtype\": " + dtype + ", \"sizes\": [" + dim0 + ", " +
         U(e, "as_int", std::to_string(dim1)) +
         "], \"requires_grad\": false, \"device\": {\"type\": \"cpu\", \"index\": null}, "
         "\"strides\": [], \"storage_offset\": " +
         U(e, "as_int", "0") + ", \"layout\": 7}";
}

// x: float32[s0, 3] -> leaky_relu(x, negative_slope) -> y -> view(y, [sym_size(y, 0), 3], ...)
// -> z. sym_int_values is left empty so the sym_size node must be resolved from y's dims.
// `slope` is spliced in as written (to test bare tokens).
std::string Program(Encoding e, const std::string &slope, const std::string &schema,
                    const std::string &dtype = "7") {
  std::string s0 =
      U(e, "as_expr",
        "{\"expr_str\": \"Symbol('s0', integer=True, positive=True)\", \"hint\": null}");
  auto T = [&](const char *name) {
    return U(e, "as_tensor", std::string("{\"name\": \"") + name + "\"}");
  };
  return std::string("{\"schema_version\": ") + schema +
         ", \"torch_version\": \"9.9.9\", "
         "\"range_constraints\": {\"s0\": {\"min_val\": 2, \"max_val\": 4611686018427387905}}, "
         "\"graph_module\": {\"graph\": {\"inputs\": [], \"outputs\": [], \"nodes\": ["
         "{\"target\": \"torch.ops.aten.leaky_relu.default\", \"inputs\": ["
         "{\"name\": \"self\", \"arg\": " +
         T("x") +
         ", \"kind\": 1}, "
         "{\"name\": \"negative_slope\", \"arg\": " +
         U(e, "as_float", slope) +
         "}], "
         "\"outputs\": [" +
         T("y") +
         "], \"metadata\": {\"stack_trace\": \"x = NaN + Infinity \\\" -Infinity\"}}, "
         "{\"target\": \"torch.ops.aten.sym_size.int\", \"inputs\": ["
         "{\"name\": \"self\", \"arg\": " +
         T("y") + "}, {\"name\": \"dim\", \"arg\": " + U(e, "as_int", "0") +
         "}], "
         "\"outputs\": [" +
         U(e, "as_sym_int", U(e, "as_name", "\"sym_size_int\"")) +
         "]}, "
         "{\"target\": \"torch.ops.aten.view.default\", \"name\": \"view_node\", \"inputs\": ["
         "{\"name\": \"self\", \"arg\": " +
         T("y") +
         "}, "
         "{\"name\": \"size\", \"arg\": {\"as_sym_ints\": [" +
         U(e, "as_name", "\"sym_size_int\"") + ", " + U(e, "as_int", "3") +
         "]}}, "
         "{\"name\": \"device\", \"arg\": " +
         U(e, "as_device", "{\"type\": \"cpu\", \"index\": 0}") +
         "}, "
         "{\"name\": \"dtype\", \"arg\": " +
         U(e, "as_scalar_type", "\"FLOAT\"") +
         "}, "
         "{\"name\": \"flag\", \"arg\": " +
         U(e, "as_bool", "true") +
         "}, "
         "{\"name\": \"mode\", \"arg\": " +
         U(e, "as_string", "\"tanh\"") +
         "}, "
         "{\"name\": \"nothing\", \"arg\": " +
         U(e, "as_none", "[]") +
         "}], "
         "\"outputs\": [" +
         T("z") +
         "]}], "
         "\"tensor_values\": {\"x\": " +
         Meta(e, dtype, s0, 3) + ", \"y\": " + Meta(e, dtype, s0, 3) +
         ", \"z\": " + Meta(e, dtype, s0, 3) +
         "}, "
         "\"sym_int_values\": {}}, "
         "\"signature\": {\"input_specs\": [" +
         U(e, "user_input", "{\"arg\": " + T("x") + "}") +
         "], "
         "\"output_specs\": [" +
         U(e, "user_output", "{\"arg\": " + T("z") + "}") +
         "]}, "
         "\"module_call_graph\": [{\"fqn\": \"\", \"signature\": {\"inputs\": [], \"outputs\": [], "
         "\"in_spec\": \"in NaN Infinity\", \"out_spec\": \"out\"}}]}}";
}

struct Read {
  aoti_graph *g = nullptr;
  aoti_status status;
  explicit Read(const std::string &doc)
      : status(aoti_program_read_json(doc.data(), doc.size(), "doc.json", nullptr, &g)) {}
  ~Read() { aoti_graph_destroy(g); }
};

void ExpectProgram(const aoti_graph *g, double slope) {
  ASSERT_EQ(g->num_symbols, 1);
  EXPECT_STREQ(g->symbols[0].name, "s0");
  EXPECT_EQ(g->symbols[0].min, 2);
  EXPECT_EQ(g->symbols[0].max, INT64_MAX);  // above 2^62: unbounded
  ASSERT_EQ(g->num_inputs, 1);
  EXPECT_STREQ(g->inputs[0]->name, "x");
  EXPECT_EQ(g->inputs[0]->dims[0], aoti_sx_sym(const_cast<aoti_graph *>(g), 0));
  ASSERT_EQ(g->num_nodes, 2);  // sym_size.int is resolved, not emitted
  const aoti_node *leaky = g->nodes[0];
  EXPECT_STREQ(leaky->target, "torch.ops.aten.leaky_relu.default");
  EXPECT_STREQ(leaky->name, "y");  // no "name" in the node: its first output's
  ASSERT_EQ(leaky->num_named, 2);
  EXPECT_EQ(leaky->named[0].arg.kind, AOTI_ARG_TENSOR);
  EXPECT_EQ(leaky->named[0].arg.tensor, g->inputs[0]);
  EXPECT_EQ(leaky->named[1].arg.kind, AOTI_ARG_FLOAT);
  if (std::isnan(slope))
    EXPECT_TRUE(std::isnan(leaky->named[1].arg.f));
  else
    EXPECT_EQ(leaky->named[1].arg.f, slope);
  const aoti_node *view = g->nodes[1];
  EXPECT_STREQ(view->name, "view_node");
  ASSERT_EQ(view->num_named, 7);
  const aoti_arg &size = view->named[1].arg;
  ASSERT_EQ(size.kind, AOTI_ARG_LIST);
  ASSERT_EQ(size.count, 2);
  EXPECT_EQ(size.list[0].kind, AOTI_ARG_SYMINT);
  EXPECT_EQ(size.list[0].sx, g->inputs[0]->dims[0]);  // the size of y's dim 0: s0
  EXPECT_EQ(size.list[1].kind, AOTI_ARG_INT);
  EXPECT_EQ(size.list[1].i, 3);
  EXPECT_EQ(view->named[2].arg.kind, AOTI_ARG_DEVICE);
  EXPECT_STREQ(view->named[2].arg.s, "cpu");
  EXPECT_EQ(view->named[2].arg.i, 0);
  EXPECT_EQ(view->named[3].arg.kind, AOTI_ARG_SCALAR_TYPE);
  EXPECT_EQ(view->named[3].arg.i, AOTI_DTYPE_FLOAT32);
  EXPECT_EQ(view->named[4].arg.kind, AOTI_ARG_BOOL);
  EXPECT_TRUE(view->named[4].arg.b);
  EXPECT_EQ(view->named[5].arg.kind, AOTI_ARG_STRING);
  EXPECT_STREQ(view->named[5].arg.s, "tanh");
  EXPECT_EQ(view->named[6].arg.kind, AOTI_ARG_NONE);
  ASSERT_EQ(g->num_outputs, 1);
  EXPECT_STREQ(g->outputs[0].value->name, "z");
  EXPECT_STREQ(aoti_graph_get_meta(g, "in_spec"), "in NaN Infinity");
  EXPECT_STREQ(aoti_graph_get_meta(g, "torch_version"), "9.9.9");
}

const char *kSchema = "{\"major\": 8, \"minor\": 20}";

TEST(ProgramJson, SingleKeyUnions) {
  Read r(Program(Encoding::kSingleKey, "0.25", kSchema));
  ASSERT_EQ(r.status, AOTI_OK) << aoti_last_error();
  ExpectProgram(r.g, 0.25);
  EXPECT_STREQ(aoti_graph_get_meta(r.g, "schema_version"), "8.20");
}

TEST(ProgramJson, TypeValueUnions) {
  Read r(Program(Encoding::kTypeValue, "0.25", "{\"major\": 4, \"minor\": 0}"));
  ASSERT_EQ(r.status, AOTI_OK) << aoti_last_error();
  ExpectProgram(r.g, 0.25);
}

TEST(ProgramJson, AllKeysUnionsAndPlainIntSchema) {
  Read r(Program(Encoding::kAllKeys, "0.25", "2"));
  ASSERT_EQ(r.status, AOTI_OK) << aoti_last_error();
  ExpectProgram(r.g, 0.25);
  EXPECT_STREQ(aoti_graph_get_meta(r.g, "schema_version"), "2");
}

TEST(ProgramJson, BareInfinityAndNaNTokens) {
  for (const auto &[token, value] :
       std::initializer_list<std::pair<const char *, double>>{{"-Infinity", -INFINITY},
                                                              {"Infinity", INFINITY},
                                                              {"NaN", NAN},
                                                              {"\"-Infinity\"", -INFINITY},
                                                              {"\"NaN\"", NAN}}) {
    Read r(Program(Encoding::kSingleKey, token, kSchema));
    ASSERT_EQ(r.status, AOTI_OK) << token << ": " << aoti_last_error();
    ExpectProgram(r.g, value);
  }
}

TEST(ProgramJson, EnumNamesForDtype) {
  Read r(Program(Encoding::kSingleKey, "1.0", kSchema, "\"FLOAT\""));
  ASSERT_EQ(r.status, AOTI_OK) << aoti_last_error();
  EXPECT_EQ(r.g->inputs[0]->dtype, AOTI_DTYPE_FLOAT32);
}

TEST(ProgramJson, UnsupportedDtypeIsNamed) {
  Read r(Program(Encoding::kSingleKey, "1.0", kSchema, "10"));  // COMPLEXFLOAT
  EXPECT_EQ(r.status, AOTI_ERROR_UNSUPPORTED);
  EXPECT_NE(std::string(aoti_last_error()).find("tensor_values.x.dtype"), std::string::npos)
      << aoti_last_error();
  EXPECT_EQ(r.g, nullptr);
}

TEST(ProgramJson, SchemaMajorTooNew) {
  Read r(Program(Encoding::kSingleKey, "1.0", "{\"major\": 9, \"minor\": 1}"));
  EXPECT_EQ(r.status, AOTI_ERROR_VERSION);
  EXPECT_NE(std::string(aoti_last_error()).find("9.1"), std::string::npos) << aoti_last_error();
  EXPECT_NE(std::string(aoti_last_error()).find("1 to 8"), std::string::npos) << aoti_last_error();
}

TEST(ProgramJson, SyntaxErrorGivesLineAndColumn) {
  std::string doc = "{\"schema_version\": 2,\n  \"graph_module\": [1, 2,, 3]}";
  Read r(doc);
  EXPECT_EQ(r.status, AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find("line 2"), std::string::npos) << aoti_last_error();
  EXPECT_NE(std::string(aoti_last_error()).find("column"), std::string::npos);
}

TEST(ProgramJson, WrongTypeIsLocated) {
  std::string doc = Program(Encoding::kSingleKey, "\"fast\"", kSchema);
  Read r(doc);
  EXPECT_EQ(r.status, AOTI_ERROR_FORMAT);
  std::string msg = aoti_last_error();
  EXPECT_EQ(msg.rfind("doc.json: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("graph_module.graph.nodes[0].inputs[1].arg.as_float"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("leaky_relu"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fast"), std::string::npos) << msg;
}

TEST(ProgramJson, UnknownTensorIsLocated) {
  std::string doc = Program(Encoding::kSingleKey, "1.0", kSchema);
  size_t at = doc.find("{\"name\": \"y\"}]");  // the view's input "self": y -> w (undefined)
  at = doc.find(
      "{\"name\": \"self\", \"arg\": {\"as_tensor\": {\"name\": \"y\"}}}, {\"name\": \"size\"");
  ASSERT_NE(at, std::string::npos);
  doc.replace(doc.find("\"y\"", at + 20), 3, "\"w\"");
  Read r(doc);
  EXPECT_EQ(r.status, AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find("'w'"), std::string::npos) << aoti_last_error();
  EXPECT_NE(std::string(aoti_last_error()).find("view_node"), std::string::npos)
      << aoti_last_error();
}

TEST(ProgramJson, UnsupportedSpecs) {
  std::string doc = Program(Encoding::kSingleKey, "1.0", kSchema);
  std::string user_output = "{\"user_output\": {\"arg\": {\"as_tensor\": {\"name\": \"z\"}}}}";
  size_t at = doc.find(user_output);
  ASSERT_NE(at, std::string::npos);
  doc.replace(
      at, user_output.size(),
      "{\"gradient_to_parameter\": {\"arg\": {\"name\": \"z\"}, \"parameter_name\": \"w\"}}");
  Read r(doc);
  EXPECT_EQ(r.status, AOTI_ERROR_UNSUPPORTED);
  EXPECT_NE(std::string(aoti_last_error()).find("gradient_to_parameter"), std::string::npos);
}

TEST(ProgramJson, MissingWeightPayload) {
  std::string doc = Program(Encoding::kSingleKey, "1.0", kSchema);
  std::string input = "{\"user_input\": {\"arg\": {\"as_tensor\": {\"name\": \"x\"}}}}";
  size_t at = doc.find(input);
  ASSERT_NE(at, std::string::npos);
  doc.replace(at, 0,
              "{\"parameter\": {\"arg\": {\"name\": \"w\"}, \"parameter_name\": \"layer.w\"}}, ");
  doc.replace(doc.find("\"tensor_values\": {") + 18, 0,
              "\"w\": {\"dtype\": 7, \"sizes\": [{\"as_int\": 2}]}, ");
  Read r(doc);
  EXPECT_EQ(r.status, AOTI_ERROR_NOT_FOUND);
  EXPECT_NE(std::string(aoti_last_error()).find("layer.w"), std::string::npos) << aoti_last_error();
  EXPECT_NE(std::string(aoti_last_error()).find("state dict"), std::string::npos);
  EXPECT_NE(std::string(aoti_last_error()).find("no state dict payload"), std::string::npos);
}

TEST(JsonHelpers, UnionWithTwoMembersSet) {
  json_t *v = json_loads("{\"as_int\": 1, \"as_float\": 2.0}", 0, nullptr);
  const char *key;
  json_t *member;
  jpath root = JPATH_KEY(nullptr, "arg");
  EXPECT_EQ(aoti_json_union(v, &root, &key, &member), AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find("arg: "), std::string::npos) << aoti_last_error();
  json_decref(v);
}

TEST(JsonHelpers, QuotedTokensInsideStringsAreKept) {
  const char *text = "{\"a\": \"NaN \\\\\\\" Infinity\", \"b\": [NaN, -Infinity]}";
  json_t *root = nullptr;
  ASSERT_EQ(aoti_json_parse(text, strlen(text), &root), AOTI_OK) << aoti_last_error();
  EXPECT_STREQ(json_string_value(json_object_get(root, "a")), "NaN \\\" Infinity");
  double f = 0;
  jpath at = JPATH_KEY(nullptr, "b");
  EXPECT_EQ(aoti_json_float(json_array_get(json_object_get(root, "b"), 1), &at, &f), AOTI_OK);
  EXPECT_EQ(f, -INFINITY);
  json_decref(root);
}

}  // namespace
