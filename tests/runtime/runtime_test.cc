// runtime_test.cc — loading the fake model from a package and running it: results against the
// reference computed here, caller- and runtime-allocated outputs, the call spec, metadata,
// concurrency, and what unload and close leave behind.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "aoti/runtime.h"
#include "internal.h"
#include "test_package.h"

using namespace aoti_test;

namespace {

class RuntimeTest : public testing::Test {
 protected:
  void SetUp() override {
    tmpdir_ = UseFreshTmpDir();
    path_ = TestFile(".pt2");
    WritePackage(path_, PackageSpec{"model", "pt2", {FakeModel()}});
    ASSERT_EQ(aoti_package_open(path_.c_str(), &package_), AOTI_OK) << aoti_last_error();
  }
  void TearDown() override {
    aoti_model_unload(model_);
    aoti_package_close(package_);
  }
  void Load(int32_t num_runners = 1, bool check_inputs = true, int32_t num_threads = 1) {
    aoti_model_options options;
    aoti_model_options_init(&options);
    options.num_runners = num_runners;
    options.num_threads = num_threads;
    options.check_inputs = check_inputs;
    ASSERT_EQ(aoti_model_load(package_, "model", &options, &model_), AOTI_OK) << aoti_last_error();
  }

  std::string tmpdir_, path_;
  aoti_package *package_ = nullptr;
  aoti_model *model_ = nullptr;
};

// Inputs for batch n, owning their data.
struct Inputs {
  explicit Inputs(int64_t n, int seed = 0) : x(MakeX(n, seed)), e(MakeE(n, seed)) {
    int64_t x_sizes[2] = {n, 4};
    int64_t e_sizes[1] = {2 * n + 1};
    aoti_tensor_init(&tensors[0], AOTI_DTYPE_FLOAT32, 2, x_sizes, x.data());
    aoti_tensor_init(&tensors[1], AOTI_DTYPE_FLOAT32, 1, e_sizes, e.data());
  }
  std::vector<float> x, e;
  aoti_tensor tensors[2];
};

std::vector<float> Values(const aoti_tensor &t) {
  const float *data = static_cast<const float *>(t.data);
  return std::vector<float>(data, data + aoti_tensor_numel(&t));
}

void ExpectValues(const std::vector<float> &got, const std::vector<float> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); i++) EXPECT_FLOAT_EQ(got[i], want[i]) << "element " << i;
}

TEST_F(RuntimeTest, ListsModelsInPackageOrder) {
  std::string path = TestFile(".two.pt2");
  WritePackage(path, PackageSpec{"two", "pt2", {FakeModel("zeta"), FakeModel("alpha")}});
  aoti_package *package = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_package_model_count(package), 2u);
  EXPECT_STREQ(aoti_package_model_name(package, 0), "zeta");
  EXPECT_STREQ(aoti_package_model_name(package, 1), "alpha");
  EXPECT_EQ(aoti_package_model_name(package, 2), nullptr);
  aoti_model *model = nullptr;
  ASSERT_EQ(aoti_model_load(package, "alpha", nullptr, &model), AOTI_OK) << aoti_last_error();
  EXPECT_STREQ(aoti_model_name(model), "alpha");
  aoti_model_unload(model);
  aoti_package_close(package);
}

TEST_F(RuntimeTest, RunsIntoCallerBuffers) {
  Load();
  Inputs in(3);
  std::vector<float> y(12, -1.0f), f(7, -1.0f);
  aoti_tensor outputs[2];
  int64_t y_sizes[2] = {3, 4}, f_sizes[1] = {7};
  aoti_tensor_init(&outputs[0], AOTI_DTYPE_FLOAT32, 2, y_sizes, y.data());
  aoti_tensor_init(&outputs[1], AOTI_DTYPE_FLOAT32, 1, f_sizes, f.data());
  ASSERT_EQ(aoti_model_run(model_, in.tensors, 2, outputs, 2), AOTI_OK) << aoti_last_error();
  ExpectValues(y, ReferenceY(in.x));
  ExpectValues(f, ReferenceF(in.e));
  EXPECT_EQ(outputs[0].data, y.data());
  EXPECT_EQ(outputs[0].rank, 2);
  EXPECT_EQ(outputs[0].sizes[0], 3);
  EXPECT_EQ(outputs[0].strides[0], 4);
  EXPECT_EQ(outputs[0].strides[1], 1);
}

TEST_F(RuntimeTest, AllocatesOutputsLeftNull) {
  Load();
  for (int64_t n : {1, 5, 1024, 2}) {  // growing, then shrinking, the arena
    Inputs in(n, static_cast<int>(n));
    aoti_tensor outputs[2];
    aoti_tensor_init(&outputs[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
    aoti_tensor_init(&outputs[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
    ASSERT_EQ(aoti_model_run(model_, in.tensors, 2, outputs, 2), AOTI_OK) << aoti_last_error();
    ASSERT_NE(outputs[0].data, nullptr);
    EXPECT_EQ(outputs[0].dtype, AOTI_DTYPE_FLOAT32);
    EXPECT_EQ(outputs[0].sizes[0], n);
    EXPECT_EQ(outputs[0].sizes[1], 4);
    EXPECT_EQ(outputs[0].nbytes, static_cast<size_t>(n * 4 * 4));
    EXPECT_EQ(outputs[1].sizes[0], 2 * n + 1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(outputs[0].data) % 64, 0u);
    ExpectValues(Values(outputs[0]), ReferenceY(in.x));
    ExpectValues(Values(outputs[1]), ReferenceF(in.e));
    free(outputs[0].data);
    free(outputs[1].data);
  }
}

TEST_F(RuntimeTest, RunsWithChecksOff) {
  Load(1, /*check_inputs=*/false);
  Inputs in(6);
  aoti_tensor outputs[2];
  aoti_tensor_init(&outputs[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  aoti_tensor_init(&outputs[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  ASSERT_EQ(aoti_model_run(model_, in.tensors, 2, outputs, 2), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(outputs[1].sizes[0], 13);  // s0 was solved from x although nothing was checked
  ExpectValues(Values(outputs[0]), ReferenceY(in.x));
  ExpectValues(Values(outputs[1]), ReferenceF(in.e));
  free(outputs[0].data);
  free(outputs[1].data);
}

TEST_F(RuntimeTest, OutputShapesWithoutRunning) {
  Load();
  Inputs in(9);
  aoti_tensor outputs[2];
  aoti_tensor_init(&outputs[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  aoti_tensor_init(&outputs[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  ASSERT_EQ(aoti_model_output_shapes(model_, in.tensors, 2, outputs, 2), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(outputs[0].data, nullptr);
  EXPECT_EQ(outputs[0].rank, 2);
  EXPECT_EQ(outputs[0].sizes[0], 9);
  EXPECT_EQ(outputs[0].sizes[1], 4);
  EXPECT_EQ(outputs[1].rank, 1);
  EXPECT_EQ(outputs[1].sizes[0], 19);
  EXPECT_EQ(outputs[1].dtype, AOTI_DTYPE_FLOAT32);

  in.tensors[0].sizes[0] = 0;
  EXPECT_EQ(aoti_model_output_shapes(model_, in.tensors, 2, outputs, 2), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(aoti_last_error()).find("input 'x' (#0) dim 0"), std::string::npos)
      << aoti_last_error();
}

TEST_F(RuntimeTest, DescribesItsCallSpec) {
  Load();
  ASSERT_EQ(aoti_model_num_inputs(model_), 2u);
  ASSERT_EQ(aoti_model_num_outputs(model_), 2u);
  ASSERT_EQ(aoti_model_num_symbols(model_), 1u);
  aoti_tensor_spec spec;
  ASSERT_EQ(aoti_model_input_spec(model_, 1, &spec), AOTI_OK);
  EXPECT_STREQ(spec.name, "e");
  EXPECT_EQ(spec.dtype, AOTI_DTYPE_FLOAT32);
  EXPECT_EQ(spec.rank, 1);
  EXPECT_STREQ(spec.dims[0], "2*s0 + 1");
  ASSERT_EQ(aoti_model_output_spec(model_, 0, &spec), AOTI_OK);
  EXPECT_STREQ(spec.name, "output0");
  EXPECT_STREQ(spec.dims[0], "s0");
  EXPECT_STREQ(spec.dims[1], "4");
  aoti_symbol_spec symbol;
  ASSERT_EQ(aoti_model_symbol_spec(model_, 0, &symbol), AOTI_OK);
  EXPECT_STREQ(symbol.name, "s0");
  EXPECT_EQ(symbol.min, 1);
  EXPECT_EQ(symbol.max, 1024);

  EXPECT_EQ(aoti_model_input_spec(model_, 2, &spec), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "model 'model' has 2 inputs, no input #2");
  EXPECT_EQ(aoti_model_symbol_spec(model_, 1, &symbol), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "model 'model' has 1 symbols, no symbol #1");
}

TEST_F(RuntimeTest, ReadsMetadata) {
  Load();
  ASSERT_EQ(aoti_model_metadata_count(model_), 2u);
  EXPECT_STREQ(aoti_model_metadata(model_, "source_file"), "fake.ep");
  EXPECT_STREQ(aoti_model_metadata(model_, "aotic_version"), "test");
  EXPECT_EQ(aoti_model_metadata(model_, "torch_version"), nullptr);
  const char *key = nullptr, *value = nullptr;
  ASSERT_EQ(aoti_model_metadata_at(model_, 0, &key, &value), AOTI_OK);
  EXPECT_STREQ(key, "aotic_version");
  EXPECT_STREQ(value, "test");
  EXPECT_EQ(aoti_model_metadata_at(model_, 2, &key, &value), AOTI_ERROR_INVALID_ARGUMENT);
}

TEST_F(RuntimeTest, MissingMetadataIsEmpty) {
  std::string path = TestFile(".nometa.pt2");
  TestModel model = FakeModel();
  model.metadata.reset();
  WritePackage(path, PackageSpec{"nometa", "pt2", {model}});
  aoti_package *package = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  aoti_model *loaded = nullptr;
  ASSERT_EQ(aoti_model_load(package, "model", nullptr, &loaded), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(aoti_model_metadata_count(loaded), 0u);
  EXPECT_EQ(aoti_model_metadata(loaded, "aotic_version"), nullptr);
  aoti_model_unload(loaded);
  aoti_package_close(package);
}

TEST_F(RuntimeTest, RunsAfterThePackageIsClosed) {
  Load();
  aoti_package_close(package_);
  package_ = nullptr;
  Inputs in(4);
  aoti_tensor outputs[2];
  aoti_tensor_init(&outputs[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  aoti_tensor_init(&outputs[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  ASSERT_EQ(aoti_model_run(model_, in.tensors, 2, outputs, 2), AOTI_OK) << aoti_last_error();
  ExpectValues(Values(outputs[0]), ReferenceY(in.x));
  free(outputs[0].data);
  free(outputs[1].data);
}

TEST_F(RuntimeTest, RunsFromEightThreadsWithTwoRunnersOfThreeThreads) {
  Load(/*num_runners=*/2, /*check_inputs=*/true, /*num_threads=*/3);
  std::vector<int> failures(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; t++) {
    threads.emplace_back([this, t, &failures] {
      for (int iteration = 0; iteration < 25; iteration++) {
        int64_t n = 1 + (t * 37 + iteration * 11) % 300;  // arenas of different sizes
        Inputs in(n, t + iteration);
        aoti_tensor outputs[2];
        aoti_tensor_init(&outputs[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
        aoti_tensor_init(&outputs[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
        if (aoti_model_run(model_, in.tensors, 2, outputs, 2) != AOTI_OK) {
          failures[t]++;
          continue;
        }
        if (Values(outputs[0]) != ReferenceY(in.x) || Values(outputs[1]) != ReferenceF(in.e))
          failures[t]++;
        free(outputs[0].data);
        free(outputs[1].data);
      }
    });
  }
  for (std::thread &thread : threads) thread.join();
  for (int t = 0; t < 8; t++) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST_F(RuntimeTest, UnloadRemovesTheExtractedFolder) {
  Load();
  std::string dir = aoti_model_extracted_dir(model_);
  EXPECT_EQ(dir.rfind(tmpdir_ + "/aoti-", 0), 0u) << dir;
  struct stat st;
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"model.so"});
  aoti_model_unload(model_);
  model_ = nullptr;
  EXPECT_NE(stat(dir.c_str(), &st), 0);
  EXPECT_TRUE(ListDir(tmpdir_).empty());
}

TEST_F(RuntimeTest, TwoLoadsGetTwoFolders) {
  Load();
  aoti_model *second = nullptr;
  ASSERT_EQ(aoti_model_load(package_, "model", nullptr, &second), AOTI_OK) << aoti_last_error();
  EXPECT_STRNE(aoti_model_extracted_dir(model_), aoti_model_extracted_dir(second));
  EXPECT_EQ(ListDir(tmpdir_).size(), 2u);
  aoti_model_unload(second);
  EXPECT_EQ(ListDir(tmpdir_).size(), 1u);
}

TEST(Tensor, InitAndNumel) {
  float data[6];
  int64_t sizes[3] = {2, 1, 3};
  aoti_tensor t;
  aoti_tensor_init(&t, AOTI_DTYPE_FLOAT32, 3, sizes, data);
  EXPECT_EQ(aoti_tensor_numel(&t), 6);
  EXPECT_EQ(t.nbytes, 24u);
  EXPECT_EQ(t.strides[0], 3);
  EXPECT_EQ(t.strides[1], 3);
  EXPECT_EQ(t.strides[2], 1);
  aoti_tensor_init(&t, AOTI_DTYPE_INT64, 0, nullptr, data);
  EXPECT_EQ(aoti_tensor_numel(&t), 1);
  EXPECT_EQ(t.nbytes, 8u);
}

TEST(Version, MatchesTheProject) {
  EXPECT_STREQ(aoti_version(), AOTI_EXPECTED_VERSION);
  aoti_model_options options;
  aoti_model_options_init(&options);
  EXPECT_EQ(options.num_runners, 1);
  EXPECT_TRUE(options.check_inputs);
}

}  // namespace
