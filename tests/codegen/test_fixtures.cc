// test_fixtures.cc — exported programs written by real PyTorch (tests/fixtures/torch-2.15),
// through frontend, binding, passes and codegen, compiled and run on the saved sample inputs and
// compared with the outputs PyTorch eager computed (the .samples.npz beside each .ep).
#include <cmath>
#include <string>

#include "codegen_test_util.h"

extern "C" {
#include "aoti/runtime.h"
#include "frontend/frontend.h"
#include "npz.h"
}

namespace aoti_test {
namespace {

struct GraphDeleter {
  void operator()(aoti_graph *g) const { aoti_graph_destroy(g); }
};

// Solves each symbol from the first input dim that uses it (size = coeff * symbol + offset).
std::vector<int64_t> SolveSymbols(const aoti_abi_model *abi, const std::vector<const npz_array *> &inputs) {
  std::vector<int64_t> symbols(size_t(abi->num_symbols), -1);
  for (int32_t i = 0; i < abi->num_inputs; ++i)
    for (int32_t d = 0; d < abi->inputs[i].rank; ++d) {
      const aoti_abi_dim &dim = abi->inputs[i].dims[d];
      if (dim.symbol >= 0 && symbols[size_t(dim.symbol)] < 0)
        symbols[size_t(dim.symbol)] = (inputs[size_t(i)]->sizes[d] - dim.offset) / dim.coeff;
    }
  return symbols;
}

class Fixture : public testing::TestWithParam<const char *> {};

TEST_P(Fixture, RunsLikeEager) {
  const std::string base = std::string(AOTI_FIXTURES_DIR) + "/torch-2.15/" + GetParam();
  aoti_graph *raw = nullptr;
  ASSERT_EQ(aoti_frontend_read((base + ".ep").c_str(), nullptr, &raw), AOTI_OK) << aoti_last_error();
  std::unique_ptr<aoti_graph, GraphDeleter> g(raw);
  Result r = Generate(g.get(), GetParam());
  ASSERT_TRUE(r);
  Library lib;
  ASSERT_TRUE(lib.Load(*r, std::string("Fixture_") + GetParam()));
  const aoti_abi_model *abi = lib.abi();
  npz_file samples{};
  ASSERT_EQ(npz_read((base + ".samples.npz").c_str(), &samples), AOTI_OK) << aoti_last_error();
  int cases = 0;
  for (int k = 0;; ++k) {
    const std::string prefix = "case" + std::to_string(k) + ".";
    std::vector<const npz_array *> inputs;
    std::vector<const float *> input_data;
    for (int32_t i = 0; i < abi->num_inputs; ++i) {
      const npz_array *a = npz_find(&samples, (prefix + "input" + std::to_string(i)).c_str());
      if (!a) break;
      ASSERT_EQ(a->dtype, AOTI_DTYPE_FLOAT32);
      inputs.push_back(a);
      input_data.push_back(static_cast<const float *>(a->data));
    }
    if (inputs.size() != size_t(abi->num_inputs) || (abi->num_inputs == 0 && k > 0)) break;
    SCOPED_TRACE(prefix);
    ++cases;
    RunResult out = RunModel(abi, *r, SolveSymbols(abi, inputs), input_data);
    ASSERT_EQ(out.status, 0) << out.error;
    for (int32_t j = 0; j < abi->num_outputs; ++j) {
      const npz_array *want = npz_find(&samples, (prefix + "output" + std::to_string(j)).c_str());
      ASSERT_NE(want, nullptr);
      ASSERT_EQ(size_t(want->rank), out.output_sizes[size_t(j)].size());
      for (int32_t d = 0; d < want->rank; ++d) EXPECT_EQ(want->sizes[d], out.output_sizes[size_t(j)][size_t(d)]);
      const float *w = static_cast<const float *>(want->data);
      ExpectNear(out.outputs[size_t(j)], std::vector<float>(w, w + want->nbytes / sizeof(float)), 1e-5f);
    }
  }
  npz_free(&samples);
  EXPECT_GT(cases, 0);
}

INSTANTIATE_TEST_SUITE_P(Torch215, Fixture, testing::Values("mlp", "mlp_core", "buffers", "strided", "static"));

}  // namespace
}  // namespace aoti_test
