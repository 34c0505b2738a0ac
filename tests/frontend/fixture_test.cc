// Reads every fixture written by real PyTorch (tests/fixtures/torch-<version>/) and checks the
// graph against independent facts: the symbols and inputs torch.export was given, the node list
// of the file's own JSON (read here with jansson), and the constants' bytes by recomputing the
// modules' outputs from them and comparing with the outputs PyTorch eager saved beside each file.
#include <gtest/gtest.h>
#include <jansson.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "test_util.h"

using namespace aoti_test;

namespace {

class Fixture : public ::testing::TestWithParam<std::string> {
 protected:
  std::string Path(const std::string &file) const { return FixturePath(GetParam(), file); }
  bool IsPt2() const {
    auto [major, minor] = ParseVersion(GetParam());
    return major > 2 || minor >= 8;
  }
  void Read(const std::string &file, Graph &out) {
    aoti_status status = aoti_frontend_read(Path(file).c_str(), nullptr, &out.g);
    ASSERT_EQ(status, AOTI_OK) << file << ": " << aoti_last_error();
    ASSERT_NE(out.g, nullptr);
    ASSERT_EQ(aoti_graph_verify(out.g), AOTI_OK) << aoti_last_error();
  }
};

// Targets of the nodes that compute tensors, in file order, read straight from the JSON.
std::vector<std::string> TensorNodeTargets(const std::string &ep_path) {
  std::string entry = ZipFindEntry(ep_path, "models/model.json");
  if (entry.empty()) entry = "serialized_exported_program.json";
  std::string text = ZipRead(ep_path, entry);
  json_error_t error;
  json_t *root = json_loadb(text.data(), text.size(), JSON_DECODE_ANY, &error);
  std::vector<std::string> targets;
  if (!root) return targets;
  json_t *nodes =
      json_object_get(json_object_get(json_object_get(root, "graph_module"), "graph"), "nodes");
  size_t i;
  json_t *node;
  json_array_foreach(nodes, i, node) {
    json_t *outputs = json_object_get(node, "outputs");
    bool tensor = false;
    size_t j;
    json_t *out;
    json_array_foreach(outputs, j, out) {
      json_t *t = json_object_get(out, "as_tensor"), *ts = json_object_get(out, "as_tensors");
      tensor = tensor || (t && !json_is_null(t)) || (ts && !json_is_null(ts));
    }
    if (tensor) targets.push_back(json_string_value(json_object_get(node, "target")));
  }
  json_decref(root);
  return targets;
}

std::vector<std::string> GraphTargets(const aoti_graph *g) {
  std::vector<std::string> targets;
  for (int32_t i = 0; i < g->num_nodes; i++) targets.push_back(g->nodes[i]->target);
  return targets;
}

void ExpectClose(const std::vector<float> &got, const std::vector<float> &want, const char *what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); i++)
    ASSERT_NEAR(got[i], want[i], 1e-5 + 1e-5 * std::fabs(want[i])) << what << " element " << i;
}

// Name of the first user input in the file's signature, read straight from the JSON (torch 2.3+
// names placeholders after forward()'s arguments, "x"; older releases wrote "l_x_", "arg0_1").
std::string UserInputName(const std::string &ep_path) {
  std::string entry = ZipFindEntry(ep_path, "models/model.json");
  if (entry.empty()) entry = "serialized_exported_program.json";
  std::string text = ZipRead(ep_path, entry);
  json_t *root = json_loadb(text.data(), text.size(), 0, nullptr);
  json_t *specs = json_object_get(
      json_object_get(json_object_get(root, "graph_module"), "signature"), "input_specs");
  std::string name;
  size_t i;
  json_t *spec;
  json_array_foreach(specs, i, spec) {
    json_t *user = json_object_get(spec, "user_input");
    if (!user || json_is_null(user)) continue;
    json_t *tensor = json_object_get(json_object_get(user, "arg"), "as_tensor");
    name = json_string_value(json_object_get(tensor, "name"));
    break;
  }
  json_decref(root);
  return name;
}

// The dynamic batch: one symbol 1..1024 (torch 2.2 wrote min_val 2 for Dim(min=1): it still
// specialised sizes 0 and 1), and one input float32 [batch, 10].
void ExpectBatchInput(const aoti_graph *g, const std::string &ep_path) {
  ASSERT_EQ(g->num_symbols, 1);
  bool torch_2_2 = ep_path.find("/torch-2.2/") != std::string::npos;
  EXPECT_EQ(g->symbols[0].min, torch_2_2 ? 2 : 1);
  EXPECT_EQ(g->symbols[0].max, 1024);
  ASSERT_EQ(g->num_inputs, 1);
  const aoti_value *x = g->inputs[0];
  EXPECT_EQ(x->name, UserInputName(ep_path));
  EXPECT_EQ(x->dtype, AOTI_DTYPE_FLOAT32);
  EXPECT_EQ(x->kind, AOTI_VALUE_INPUT);
  ASSERT_EQ(x->rank, 2);
  EXPECT_EQ(x->dims[0], aoti_sx_sym(const_cast<aoti_graph *>(g), 0));
  int64_t features = 0;
  EXPECT_TRUE(aoti_sx_is_const(x->dims[1], &features));
  EXPECT_EQ(features, 10);
}

void ExpectConstant(const aoti_graph *g, const char *fqn, aoti_constant_kind kind,
                    std::vector<int64_t> sizes) {
  const aoti_constant *c = FindConstant(g, fqn);
  ASSERT_NE(c, nullptr) << fqn;
  EXPECT_EQ(c->kind, kind) << fqn;
  EXPECT_EQ(c->value->kind, AOTI_VALUE_CONSTANT) << fqn;
  EXPECT_EQ(c->value->dtype, AOTI_DTYPE_FLOAT32) << fqn;
  ASSERT_EQ(c->value->rank, static_cast<int32_t>(sizes.size())) << fqn;
  size_t numel = 1;
  for (size_t d = 0; d < sizes.size(); d++) {
    int64_t dim = -1;
    EXPECT_TRUE(aoti_sx_is_const(c->value->dims[d], &dim));
    EXPECT_EQ(dim, sizes[d]) << fqn << " dim " << d;
    numel *= static_cast<size_t>(sizes[d]);
  }
  EXPECT_EQ(c->nbytes, numel * sizeof(float)) << fqn;
}

void ExpectSingleOutput(const aoti_graph *g, int64_t features) {
  ASSERT_EQ(g->num_outputs, 1);
  EXPECT_STREQ(g->outputs[0].name, "output0");
  const aoti_value *y = g->outputs[0].value;
  ASSERT_NE(y->producer, nullptr);
  EXPECT_EQ(y->producer, g->nodes[g->num_nodes - 1]);
  ASSERT_EQ(y->rank, 2);
  int64_t dim = 0;
  EXPECT_TRUE(aoti_sx_is_const(y->dims[1], &dim));
  EXPECT_EQ(dim, features);
}

std::vector<float> Sigmoid(std::vector<float> v) {
  for (float &f : v) f = 1.0f / (1.0f + std::exp(-f));
  return v;
}

std::vector<float> Relu(std::vector<float> v) {
  for (float &f : v) f = f > 0 ? f : 0;
  return v;
}

// Recomputes the MLP from the graph's constants for every saved case.
void ExpectMlpMatchesEager(const aoti_graph *g, const std::string &npz, int cases) {
  std::vector<float> w1 = ConstantFloats(g, "fc1.weight"), b1 = ConstantFloats(g, "fc1.bias");
  std::vector<float> w2 = ConstantFloats(g, "fc2.weight"), b2 = ConstantFloats(g, "fc2.bias");
  for (int k = 0; k < cases; k++) {
    std::string c = "case" + std::to_string(k);
    Array x = NpzArray(npz, c + ".input0"), y = NpzArray(npz, c + ".output0");
    int64_t batch = x.shape[0];
    std::vector<float> h = Relu(Linear(x.data, batch, 10, w1, &b1, 16));
    ExpectClose(Sigmoid(Linear(h, batch, 16, w2, &b2, 1)), y.data, c.c_str());
  }
}

void ExpectMeta(const aoti_graph *g, const char *file, bool pt2) {
  EXPECT_STREQ(aoti_graph_get_meta(g, "source_file"), file);
  EXPECT_STREQ(aoti_graph_get_meta(g, "source_format"), pt2 ? "pt2" : "legacy-zip");
  const char *schema = aoti_graph_get_meta(g, "schema_version");
  ASSERT_NE(schema, nullptr);
  EXPECT_TRUE(schema[0] >= '1' && schema[0] <= '8') << schema;
}

TEST_P(Fixture, Mlp) {
  Graph graph;
  ASSERT_NO_FATAL_FAILURE(Read("mlp.ep", graph));
  const aoti_graph *g = graph.g;
  ExpectBatchInput(g, Path("mlp.ep"));
  if (GetParam() == "2.15") EXPECT_STREQ(g->inputs[0]->name, "x");
  ASSERT_EQ(g->num_constants, 4);
  ExpectConstant(g, "fc1.weight", AOTI_CONSTANT_PARAMETER, {16, 10});
  ExpectConstant(g, "fc1.bias", AOTI_CONSTANT_PARAMETER, {16});
  ExpectConstant(g, "fc2.weight", AOTI_CONSTANT_PARAMETER, {1, 16});
  ExpectConstant(g, "fc2.bias", AOTI_CONSTANT_PARAMETER, {1});
  EXPECT_EQ(GraphTargets(g), TensorNodeTargets(Path("mlp.ep")));
  if (GetParam() == "2.15") {
    std::vector<std::string> expected = {
        "torch.ops.aten.linear.default", "torch.ops.aten.relu.default",
        "torch.ops.aten.linear.default", "torch.ops.aten.sigmoid.default"};
    EXPECT_EQ(GraphTargets(g), expected);
  }
  ExpectSingleOutput(g, 1);
  ExpectMeta(g, "mlp.ep", IsPt2());
  EXPECT_NE(aoti_graph_get_meta(g, "in_spec"), nullptr);
  ExpectMlpMatchesEager(g, Path("mlp.samples.npz"), 2);
}

TEST_P(Fixture, MlpCore) {
  Graph graph;
  ASSERT_NO_FATAL_FAILURE(Read("mlp_core.ep", graph));
  const aoti_graph *g = graph.g;
  ExpectBatchInput(g, Path("mlp_core.ep"));
  ASSERT_EQ(g->num_constants, 4);
  ExpectConstant(g, "fc1.weight", AOTI_CONSTANT_PARAMETER, {16, 10});
  EXPECT_EQ(GraphTargets(g), TensorNodeTargets(Path("mlp_core.ep")));
  if (GetParam() == "2.15") {
    std::vector<std::string> expected = {
        "torch.ops.aten.permute.default", "torch.ops.aten.addmm.default",
        "torch.ops.aten.relu.default",    "torch.ops.aten.permute.default",
        "torch.ops.aten.addmm.default",   "torch.ops.aten.sigmoid.default"};
    EXPECT_EQ(GraphTargets(g), expected);
    // permute(p_fc1_weight, dims=[1, 0])
    const aoti_node *permute = g->nodes[0];
    ASSERT_EQ(permute->num_named, 2);
    EXPECT_STREQ(permute->named[0].name, "self");
    EXPECT_EQ(permute->named[0].arg.kind, AOTI_ARG_TENSOR);
    EXPECT_EQ(permute->named[0].arg.tensor, FindConstant(g, "fc1.weight")->value);
    EXPECT_STREQ(permute->named[1].name, "dims");
    ASSERT_EQ(permute->named[1].arg.kind, AOTI_ARG_LIST);
    ASSERT_EQ(permute->named[1].arg.count, 2);
    EXPECT_EQ(permute->named[1].arg.list[0].i, 1);
    EXPECT_EQ(permute->named[1].arg.list[1].i, 0);
  }
  ExpectSingleOutput(g, 1);
  ExpectMlpMatchesEager(g, Path("mlp_core.samples.npz"), 2);
}

TEST_P(Fixture, Static) {
  Graph graph;
  ASSERT_NO_FATAL_FAILURE(Read("static.ep", graph));
  const aoti_graph *g = graph.g;
  EXPECT_EQ(g->num_symbols, 0);
  ASSERT_EQ(g->num_inputs, 1);
  EXPECT_EQ(g->inputs[0]->name, UserInputName(Path("static.ep")));
  ASSERT_EQ(g->inputs[0]->rank, 2);
  int64_t batch = 0;
  EXPECT_TRUE(aoti_sx_is_const(g->inputs[0]->dims[0], &batch));
  EXPECT_EQ(batch, 4);
  EXPECT_EQ(GraphTargets(g), TensorNodeTargets(Path("static.ep")));
  ExpectSingleOutput(g, 1);
  ExpectMlpMatchesEager(g, Path("static.samples.npz"), 1);
}

TEST_P(Fixture, SameWeightsInEveryMlpFile) {
  // mlp.ep, mlp_core.ep and static.ep were exported from one seeded module: each file stores its
  // own copy of the weights, and the three reads must agree byte for byte.
  Graph mlp, core, fixed;
  ASSERT_NO_FATAL_FAILURE(Read("mlp.ep", mlp));
  ASSERT_NO_FATAL_FAILURE(Read("mlp_core.ep", core));
  ASSERT_NO_FATAL_FAILURE(Read("static.ep", fixed));
  for (const char *fqn : {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}) {
    const aoti_constant *a = FindConstant(mlp.g, fqn), *b = FindConstant(core.g, fqn),
                        *c = FindConstant(fixed.g, fqn);
    ASSERT_TRUE(a && b && c) << fqn;
    ASSERT_EQ(a->nbytes, b->nbytes);
    ASSERT_EQ(a->nbytes, c->nbytes);
    EXPECT_EQ(memcmp(a->data, b->data, a->nbytes), 0) << fqn;
    EXPECT_EQ(memcmp(a->data, c->data, a->nbytes), 0) << fqn;
  }
}

TEST_P(Fixture, Buffers) {
  Graph graph;
  ASSERT_NO_FATAL_FAILURE(Read("buffers.ep", graph));
  const aoti_graph *g = graph.g;
  ExpectBatchInput(g, Path("buffers.ep"));
  ASSERT_EQ(g->num_constants, 5);
  ExpectConstant(g, "fc.weight", AOTI_CONSTANT_PARAMETER, {16, 10});
  ExpectConstant(g, "fc.bias", AOTI_CONSTANT_PARAMETER, {16});
  ExpectConstant(g, "buf", AOTI_CONSTANT_BUFFER, {16});  // persistent: state dict
  // torch 2.2 lifted the non-persistent buffer and the tensor attribute as plain buffers (its
  // signature has no "persistent" flag nor tensor_constant specs, and it names the attribute
  // "L__self___const_tensor"); later releases put both in the constants payload.
  const char *const_fqn = "const_tensor";
  if (GetParam() == "2.2") {
    const_fqn = "L__self___const_tensor";
    ExpectConstant(g, "scale", AOTI_CONSTANT_BUFFER, {16});
    ExpectConstant(g, const_fqn, AOTI_CONSTANT_BUFFER, {16});
  } else {
    ExpectConstant(g, "scale", AOTI_CONSTANT_TENSOR, {16});    // non-persistent buffer
    ExpectConstant(g, const_fqn, AOTI_CONSTANT_TENSOR, {16});  // lifted tensor constant
  }
  EXPECT_EQ(GraphTargets(g), TensorNodeTargets(Path("buffers.ep")));
  ExpectSingleOutput(g, 16);
  std::vector<float> w = ConstantFloats(g, "fc.weight"), b = ConstantFloats(g, "fc.bias");
  std::vector<float> buf = ConstantFloats(g, "buf"), scale = ConstantFloats(g, "scale"),
                     k = ConstantFloats(g, const_fqn);
  std::string npz = Path("buffers.samples.npz");
  for (int c = 0; c < 2; c++) {
    std::string name = "case" + std::to_string(c);
    Array x = NpzArray(npz, name + ".input0"), y = NpzArray(npz, name + ".output0");
    int64_t batch = x.shape[0];
    std::vector<float> h = Linear(x.data, batch, 10, w, &b, 16);
    for (int64_t i = 0; i < batch * 16; i++) {
      float v = h[i] + buf[i % 16];
      h[i] = (v > 0 ? v : 0) * scale[i % 16] + k[i % 16];
    }
    ExpectClose(h, y.data, name.c_str());
  }
}

TEST_P(Fixture, Strided) {
  Graph graph;
  ASSERT_NO_FATAL_FAILURE(Read("strided.ep", graph));
  const aoti_graph *g = graph.g;
  ExpectBatchInput(g, Path("strided.ep"));
  ASSERT_EQ(g->num_constants, 3);
  ExpectConstant(g, "weight", AOTI_CONSTANT_PARAMETER, {16, 10});
  ExpectConstant(g, "a", AOTI_CONSTANT_BUFFER, {16});
  ExpectConstant(g, "b", AOTI_CONSTANT_BUFFER, {16});
  EXPECT_EQ(GraphTargets(g), TensorNodeTargets(Path("strided.ep")));
  // F.linear(x, weight) + a + b, recomputed from the materialised (contiguous) constants.
  std::vector<float> w = ConstantFloats(g, "weight"), a = ConstantFloats(g, "a"),
                     b = ConstantFloats(g, "b");
  std::string npz = Path("strided.samples.npz");
  for (int c = 0; c < 2; c++) {
    std::string name = "case" + std::to_string(c);
    Array x = NpzArray(npz, name + ".input0"), y = NpzArray(npz, name + ".output0");
    int64_t batch = x.shape[0];
    std::vector<float> h = Linear(x.data, batch, 10, w, nullptr, 16);
    for (int64_t i = 0; i < batch * 16; i++) h[i] += a[i % 16] + b[i % 16];
    ExpectClose(h, y.data, name.c_str());
  }
}

// Raw layout (torch 2.9+): reads the storages and their view parameters straight from the
// archive and checks the materialised constants against them: weight = transpose of a [10, 16]
// storage, a and b = slices of one storage at their offsets.
void ExpectStridedMatchesRawStorage(const std::string &ep, const std::string &config_entry) {
  Graph graph;
  ASSERT_EQ(aoti_frontend_read(ep.c_str(), nullptr, &graph.g), AOTI_OK) << aoti_last_error();
  std::string root = config_entry.substr(0, config_entry.find('/') + 1);
  std::string text = ZipRead(ep, config_entry);
  json_error_t error;
  json_t *root_json = json_loadb(text.data(), text.size(), 0, &error);
  json_t *config = json_object_get(root_json, "config");
  if (!config) json_decref(root_json);
  ASSERT_NE(config, nullptr);
  auto storage_of = [&](const char *fqn, int64_t *offset) {
    json_t *entry = json_object_get(config, fqn);
    json_t *meta = json_object_get(entry, "tensor_meta");
    *offset =
        json_integer_value(json_object_get(json_object_get(meta, "storage_offset"), "as_int"));
    std::string bytes = ZipRead(
        ep, root + "data/weights/" + json_string_value(json_object_get(entry, "path_name")));
    std::vector<float> v(bytes.size() / 4);
    memcpy(v.data(), bytes.data(), v.size() * 4);
    return v;
  };
  int64_t offset = 0;
  std::vector<float> raw = storage_of("weight", &offset);
  ASSERT_EQ(raw.size(), 160u);
  std::vector<float> w = ConstantFloats(graph.g, "weight");
  for (int o = 0; o < 16; o++)
    for (int i = 0; i < 10; i++)
      ASSERT_EQ(w[o * 10 + i], raw[offset + i * 16 + o]) << o << "," << i;
  for (const char *fqn : {"a", "b"}) {
    std::vector<float> base = storage_of(fqn, &offset);
    std::vector<float> got = ConstantFloats(graph.g, fqn);
    ASSERT_LE(offset + 16, static_cast<int64_t>(base.size()));
    EXPECT_EQ(std::vector<float>(base.begin() + offset, base.begin() + offset + 16), got) << fqn;
  }
  json_decref(root_json);
}

TEST(FixtureRaw, StridedViewsMatchRawStorage) {
  int raw_layouts = 0;
  for (const std::string &version : FixtureVersions()) {
    std::string ep = FixturePath(version, "strided.ep");
    std::string config_entry = ZipFindEntry(ep, "data/weights/model_weights_config.json");
    if (config_entry.empty()) continue;  // pickled weights: covered by Fixture.Strided
    raw_layouts++;
    SCOPED_TRACE(version);
    ExpectStridedMatchesRawStorage(ep, config_entry);
  }
  EXPECT_GE(raw_layouts, 1) << "no fixture with raw weights (torch 2.9+)";
}

// tests/fixtures/bad/mutation.ep (tools/export_bad_fixtures.py): forward() adds 1 to buffer
// `calls` (int64) and x.sum(0) to buffer `total`, then returns relu(fc(x)). The two
// buffer_mutation specs are recorded with their buffer names and the values that update them;
// they are not graph outputs.
TEST(FixtureBad, MutationsAreRecordedWithTheirBuffers) {
  std::string ep = std::string(AOTI_FIXTURES_DIR) + "/bad/mutation.ep";
  Graph graph;
  ASSERT_EQ(aoti_frontend_read(ep.c_str(), nullptr, &graph.g), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_graph_verify(graph.g), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(graph.g->num_mutations, 2);
  const aoti_buffer_mutation *calls = &graph.g->mutations[0], *total = &graph.g->mutations[1];
  EXPECT_STREQ(calls->buffer_name, "calls");
  EXPECT_STREQ(total->buffer_name, "total");
  EXPECT_EQ(calls->value->dtype, AOTI_DTYPE_INT64);
  EXPECT_EQ(total->value->dtype, AOTI_DTYPE_FLOAT32);
  for (const aoti_buffer_mutation *m : {calls, total}) {
    ASSERT_NE(m->value->producer, nullptr) << m->buffer_name;
    EXPECT_NE(std::string(m->value->producer->target).find("aten.add.Tensor"), std::string::npos)
        << m->buffer_name << ": " << m->value->producer->target;
  }
  // The buffers themselves are constants the updates read.
  EXPECT_NE(FindConstant(graph.g, "calls"), nullptr);
  EXPECT_NE(FindConstant(graph.g, "total"), nullptr);
  ASSERT_EQ(graph.g->num_outputs, 1);
  EXPECT_STREQ(graph.g->outputs[0].value->producer->target, "torch.ops.aten.relu.default");
}

INSTANTIATE_TEST_SUITE_P(Torch, Fixture, ::testing::ValuesIn(FixtureVersions()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           std::string name = "v" + info.param;
                           for (char &c : name)
                             if (c == '.') c = '_';
                           return name;
                         });

}  // namespace
