// codegen_test_util.cc — see codegen_test_util.h.
#include "codegen_test_util.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

#include "test_common.h"

extern "C" {
#include "aoti/runtime.h"
#include "build/build.h"
}

namespace aoti_test {

Result Generate(aoti_graph *g, const char *name) {
  aoti_status st = aoti_ops_bind(g);
  EXPECT_EQ(st, AOTI_OK) << "bind: " << aoti_last_error();
  if (st != AOTI_OK) return nullptr;
  st = aoti_passes_run(g, nullptr, nullptr);
  EXPECT_EQ(st, AOTI_OK) << "passes: " << aoti_last_error();
  if (st != AOTI_OK) return nullptr;
  aoti_codegen_result *r = nullptr;
  st = aoti_codegen_c(g, name, nullptr, &r);
  EXPECT_EQ(st, AOTI_OK) << "codegen: " << aoti_last_error();
  return Result(r);
}

Library::~Library() {
  if (handle_) dlclose(handle_);
}

bool Library::Load(const aoti_codegen_result &r, const std::string &stem) {
  const std::string base = std::string(AOTI_TEST_TMP_DIR) + "/" + stem;
  WriteFile(base + ".c", std::string(r.source, r.source_len));
  // Built as aotic builds it (the kernels' object from a cache the test processes share), for the
  // compiler's baseline target, warnings as errors.
  aoti_build_options options;
  aoti_build_options_init(&options);
  options.target = "generic";
  options.cflags = "-Wall -Wextra -Werror";
  const std::string cache = std::string(AOTI_TEST_TMP_DIR) + "/kernel-cache";
  options.kernel_cache = cache.c_str();
  options.parts = 2;
  char *kernels = aoti_codegen_kernels_source();
  void *so = nullptr;
  size_t so_len = 0;
  const aoti_status st = kernels ? aoti_build_shared_library(r.source, r.source_len, kernels, "model", &options,
                                                             &so, &so_len)
                                 : AOTI_ERROR_OUT_OF_MEMORY;
  free(kernels);
  if (st != AOTI_OK) {
    ADD_FAILURE() << "building " << base << ".c failed:\n" << aoti_last_error();
    return false;
  }
  WriteFile(base + ".so", std::string(static_cast<const char *>(so), so_len));
  free(so);
  handle_ = dlopen((base + ".so").c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    ADD_FAILURE() << "dlopen: " << dlerror();
    return false;
  }
  auto entry = reinterpret_cast<aoti_abi_entry_fn>(dlsym(handle_, AOTI_ABI_ENTRY_SYMBOL));
  if (!entry) {
    ADD_FAILURE() << "no " << AOTI_ABI_ENTRY_SYMBOL << " in " << base << ".so";
    return false;
  }
  abi_ = entry();
  EXPECT_EQ(abi_->abi_version, uint32_t(AOTI_ABI_VERSION));
  return true;
}

namespace {
/* The `count` ranges of aoti/abi.h's static partition (ctx points to count), run on the calling
 * thread last to first: a kernel whose ranges overlap or depend on their order shows. */
void SerialParallelFor(void *ctx, int64_t n, aoti_abi_task_fn fn, void *task) {
  const int32_t count = *static_cast<const int32_t *>(ctx);
  for (int32_t i = count - 1; i >= 0; --i) {
    const int64_t begin = n * i / count, end = n * (i + 1) / count;
    if (begin < end) fn(task, i, begin, end);
  }
}
}  // namespace

RunResult RunModel(const aoti_abi_model *abi, const aoti_codegen_result &r, const std::vector<int64_t> &symbols,
              const std::vector<const float *> &inputs, int32_t threads) {
  RunResult out;
  std::vector<void *> output_ptrs;
  for (int32_t o = 0; o < abi->num_outputs; ++o) {
    std::vector<int64_t> sizes(size_t(abi->outputs[o].rank) + 1);
    abi->output_sizes(symbols.data(), o, sizes.data());
    sizes.resize(size_t(abi->outputs[o].rank));
    int64_t numel = 1;
    for (int64_t s : sizes) numel *= s;
    out.outputs.emplace_back(size_t(numel), NAN);
    out.output_sizes.push_back(sizes);
  }
  for (auto &o : out.outputs) output_ptrs.push_back(o.data());
  std::vector<const void *> constants;
  for (int32_t i = 0; i < r.num_constants; ++i) constants.push_back(r.constants[i].data);
  const uint64_t arena_bytes = abi->arena_size(symbols.data());
  void *arena = arena_bytes ? std::aligned_alloc(64, size_t(arena_bytes)) : nullptr;
  for (uint64_t i = 0; i + sizeof(float) <= arena_bytes; i += sizeof(float))
    reinterpret_cast<float *>(arena)[i / sizeof(float)] = NAN;
  std::vector<const void *> input_ptrs(inputs.begin(), inputs.end());
  char error[256] = "";
  const uint64_t scratch_bytes = (abi->thread_scratch_bytes + 63) / 64 * 64;
  void *scratch = scratch_bytes ? std::aligned_alloc(64, size_t(scratch_bytes * uint64_t(threads))) : nullptr;
  const aoti_abi_threads th = {threads, scratch, scratch_bytes, &threads, SerialParallelFor};
  aoti_abi_run_args args = {symbols.data(), input_ptrs.data(), output_ptrs.data(), constants.data(),
                            arena, &th, error, sizeof error};
  out.status = abi->run(&args);
  out.error = error;
  std::free(arena);
  std::free(scratch);
  return out;
}

std::vector<float> RandomFloats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v) x = dist(rng);
  return v;
}

void ExpectNear(const std::vector<float> &got, const std::vector<float> &want, float tol) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const float scale = std::fmax(1.0f, std::fabs(want[i]));
    ASSERT_NEAR(got[i], want[i], tol * scale) << "element " << i;
  }
}

}  // namespace aoti_test
