// codegen_test_util.h — helpers for the codegen tests: building small graphs the way the frontend
// does (raw nodes with named arguments and declared output shapes, then aoti_ops_bind), compiling
// generated sources with the system compiler, loading them and running them through the ABI.
#ifndef AOTI_CODEGEN_TEST_UTIL_H
#define AOTI_CODEGEN_TEST_UTIL_H

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "aoti/abi.h"
#include "codegen/codegen.h"
#include "ir/ir.h"
#include "ops/ops.h"
#include "passes/passes.h"
}

namespace aoti_test {

using Dims = std::vector<const aoti_sx *>;

// A graph under construction; destroys it at the end of the test.
class GraphBuilder {
 public:
  GraphBuilder() : g_(aoti_graph_create()) {}
  ~GraphBuilder() { aoti_graph_destroy(g_); }
  GraphBuilder(const GraphBuilder &) = delete;
  GraphBuilder &operator=(const GraphBuilder &) = delete;

  aoti_graph *g() { return g_; }
  const aoti_sx *C(int64_t v) { return aoti_sx_const(g_, v); }
  const aoti_sx *Sym(const char *name, int64_t min, int64_t max) {
    return aoti_sx_sym(g_, aoti_graph_add_symbol(g_, name, min, max));
  }
  aoti_value *Input(const char *name, const Dims &dims, aoti_dtype dtype = AOTI_DTYPE_FLOAT32) {
    aoti_value *v = aoti_graph_add_value(g_, name, dtype, int32_t(dims.size()), dims.data());
    aoti_graph_add_input(g_, v);
    return v;
  }
  aoti_value *Constant(const char *fqn, const std::vector<int64_t> &sizes, const std::vector<float> &data) {
    Dims dims;
    for (int64_t s : sizes) dims.push_back(C(s));
    aoti_value *v = aoti_graph_add_value(g_, fqn, AOTI_DTYPE_FLOAT32, int32_t(dims.size()), dims.data());
    aoti_graph_add_constant(g_, fqn, v, data.data(), data.size() * sizeof(float), AOTI_CONSTANT_PARAMETER);
    return v;
  }
  // A raw node with named arguments and one output of the given shape (as an exported program
  // declares it).
  aoti_value *Node(const char *target, const char *name,
                   const std::vector<std::pair<const char *, aoti_arg>> &args, const Dims &out_dims,
                   aoti_dtype dtype = AOTI_DTYPE_FLOAT32) {
    aoti_node *n = aoti_graph_add_node(g_, target, name);
    for (const auto &a : args) aoti_node_add_named(g_, n, a.first, a.second);
    aoti_value *v = aoti_graph_add_value(g_, name, dtype, int32_t(out_dims.size()), out_dims.data());
    aoti_node_add_output(g_, n, v);
    return v;
  }
  void Output(const char *name, aoti_value *v) { aoti_graph_add_output(g_, name, v); }
  aoti_arg Ints(const std::vector<int64_t> &values) {
    std::vector<aoti_arg> items;
    for (int64_t v : values) items.push_back(aoti_arg_int(v));
    return aoti_arg_list(g_, AOTI_ARG_LIST, items.data(), int32_t(items.size()));
  }
  // A SymInt[] argument (every item a SYMINT, as binding gives them).
  aoti_arg Sizes(const Dims &dims) {
    std::vector<aoti_arg> items;
    for (const aoti_sx *d : dims) items.push_back(aoti_arg_symint(d));
    return aoti_arg_list(g_, AOTI_ARG_LIST, items.data(), int32_t(items.size()));
  }

 private:
  aoti_graph *g_;
};

struct ResultDeleter {
  void operator()(aoti_codegen_result *r) const { aoti_codegen_result_destroy(r); }
};
using Result = std::unique_ptr<aoti_codegen_result, ResultDeleter>;

// Binds, runs the passes and generates; fails the test (with the message) on error.
Result Generate(aoti_graph *g, const char *name = "model");

// A generated library, compiled with `cc -O2 -shared -fPIC` into AOTI_TEST_TMP_DIR and dlopen'ed.
class Library {
 public:
  Library() = default;
  ~Library();
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;
  // `stem` names the files (unique per test). Returns false (after a test failure) on error.
  bool Load(const aoti_codegen_result &r, const std::string &stem);
  const aoti_abi_model *abi() const { return abi_; }

 private:
  void *handle_ = nullptr;
  const aoti_abi_model *abi_ = nullptr;
};

// One run: outputs sized by output_sizes, an arena from arena_size (64-aligned, poisoned with
// NaNs so reads of unwritten memory show), constants from the codegen result. `threads`: how many
// ranges parallel kernels are cut into (each with its own scratch), run one after the other in
// reverse order on the calling thread.
struct RunResult {
  int32_t status = -1;
  std::string error;
  std::vector<std::vector<float>> outputs;
  std::vector<std::vector<int64_t>> output_sizes;
};
RunResult RunModel(const aoti_abi_model *abi, const aoti_codegen_result &r, const std::vector<int64_t> &symbols,
              const std::vector<const float *> &inputs, int32_t threads = 1);

std::vector<float> RandomFloats(size_t n, uint32_t seed);
void ExpectNear(const std::vector<float> &got, const std::vector<float> &want, float tol);

}  // namespace aoti_test

#endif  // AOTI_CODEGEN_TEST_UTIL_H
