// no_alloc_test.cc — a run allocates nothing (issue 4: no work at run time the compiler could have
// done): this test binary replaces malloc and its relatives with counting wrappers around glibc's
// own allocator, loads models compiled by aotic (a residual conv block, multi-head attention, the
// MLP with its dynamic batch), runs each once so the runner's arena fits, and then counts the
// allocations of further runs on the same shapes with outputs the caller provides: zero.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "aoti/runtime.h"
#include "npz.h"

extern "C" {
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *p, size_t size);
void *__libc_memalign(size_t alignment, size_t size);
void __libc_free(void *p);
}

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
void Count() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void *malloc(size_t size) {
  Count();
  return __libc_malloc(size);
}
void *calloc(size_t count, size_t size) {
  Count();
  return __libc_calloc(count, size);
}
void *realloc(void *p, size_t size) {
  Count();
  return __libc_realloc(p, size);
}
void *aligned_alloc(size_t alignment, size_t size) {
  Count();
  return __libc_memalign(alignment, size);
}
void *memalign(size_t alignment, size_t size) {
  Count();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void **out, size_t alignment, size_t size) {
  Count();
  void *p = __libc_memalign(alignment, size);
  if (!p) return 12; /* ENOMEM */
  *out = p;
  return 0;
}
void free(void *p) { __libc_free(p); }
}

namespace {

struct Case {
  const char *package;  // compiled by aoti_add_model in tests/runtime/CMakeLists.txt
  const char *samples;
};

// Runs case 0 of the samples `runs` times into caller buffers; returns the allocations counted
// during all but the first run.
long AllocationsOfRepeatedRuns(const Case &c, int32_t num_threads) {
  aoti_package *package = nullptr;
  aoti_model *model = nullptr;
  EXPECT_EQ(aoti_package_open(c.package, &package), AOTI_OK) << aoti_last_error();
  if (!package) return -1;
  aoti_model_options options;
  aoti_model_options_init(&options);
  options.num_threads = num_threads;
  EXPECT_EQ(aoti_model_load(package, aoti_package_model_name(package, 0), &options, &model), AOTI_OK)
      << aoti_last_error();
  npz_file npz = {};
  EXPECT_EQ(npz_read(c.samples, &npz), AOTI_OK) << aoti_last_error();
  std::vector<aoti_tensor> inputs(aoti_model_num_inputs(model)), outputs(aoti_model_num_outputs(model));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const npz_array *a = npz_find(&npz, ("case0.input" + std::to_string(i)).c_str());
    EXPECT_NE(a, nullptr);
    if (a) aoti_tensor_init(&inputs[i], a->dtype, a->rank, a->sizes, a->data);
  }
  EXPECT_EQ(aoti_model_output_shapes(model, inputs.data(), inputs.size(), outputs.data(), outputs.size()),
            AOTI_OK)
      << aoti_last_error();
  std::vector<std::vector<unsigned char>> buffers;
  for (aoti_tensor &out : outputs) {
    buffers.emplace_back(size_t(aoti_tensor_numel(&out)) * 8 + 64);
    out.data = buffers.back().data();
    out.nbytes = buffers.back().size();
  }
  EXPECT_EQ(aoti_model_run(model, inputs.data(), inputs.size(), outputs.data(), outputs.size()), AOTI_OK)
      << aoti_last_error();
  g_allocations = 0;
  g_counting = true;
  for (int run = 0; run < 5; ++run)
    EXPECT_EQ(aoti_model_run(model, inputs.data(), inputs.size(), outputs.data(), outputs.size()), AOTI_OK);
  g_counting = false;
  npz_free(&npz);
  aoti_model_unload(model);
  aoti_package_close(package);
  return g_allocations.load();
}

const Case kCases[] = {
    {RESIDUAL_BLOCK_PT2, RESIDUAL_BLOCK_NPZ},
    {ATTENTION_PT2, ATTENTION_NPZ},
    {MLP_PT2, MLP_NPZ},
};

TEST(NoAllocation, RunsAllocateNothingOnceTheArenaFits) {
  for (const Case &c : kCases)
    for (int32_t threads : {1, 2}) EXPECT_EQ(AllocationsOfRepeatedRuns(c, threads), 0) << c.package << " threads " << threads;
}

// The counter works: a run that leaves its outputs to the runtime allocates them.
TEST(NoAllocation, TheCounterSeesTheRuntimesOwnAllocations) {
  g_allocations = 0;
  g_counting = true;
  void *p = std::malloc(16);
  g_counting = false;
  std::free(p);
  EXPECT_EQ(g_allocations.load(), 1);
}

}  // namespace
