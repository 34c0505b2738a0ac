// checks_test.cc — every input check of aoti_model_run (status and message), the output capacity
// check, and that a failed run leaves the caller's outputs as they were.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "aoti/runtime.h"
#include "test_package.h"

using namespace aoti_test;

namespace {

class ChecksTest : public testing::Test {
 protected:
  void SetUp() override {
    UseFreshTmpDir();
    std::string path = TestFile(".pt2");
    WritePackage(path, PackageSpec{"model", "pt2", {FakeModel()}});
    ASSERT_EQ(aoti_package_open(path.c_str(), &package_), AOTI_OK) << aoti_last_error();
    ASSERT_EQ(aoti_model_load(package_, "model", nullptr, &model_), AOTI_OK) << aoti_last_error();
    x_ = MakeX(2, 0);
    e_ = MakeE(2, 0);
    int64_t x_sizes[2] = {2, 4}, e_sizes[1] = {5};
    aoti_tensor_init(&in_[0], AOTI_DTYPE_FLOAT32, 2, x_sizes, x_.data());
    aoti_tensor_init(&in_[1], AOTI_DTYPE_FLOAT32, 1, e_sizes, e_.data());
    aoti_tensor_init(&out_[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
    aoti_tensor_init(&out_[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  }
  void TearDown() override {
    aoti_model_unload(model_);
    aoti_package_close(package_);
  }
  // Runs and expects an invalid-argument failure with exactly `message`, outputs untouched.
  void ExpectRunError(const std::string &message) {
    aoti_tensor before[2] = {out_[0], out_[1]};
    EXPECT_EQ(aoti_model_run(model_, in_, 2, out_, 2), AOTI_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(aoti_last_error(), message);
    EXPECT_EQ(std::memcmp(before, out_, sizeof before), 0) << "the outputs were changed";
  }

  aoti_package *package_ = nullptr;
  aoti_model *model_ = nullptr;
  std::vector<float> x_, e_;
  aoti_tensor in_[2], out_[2];
};

TEST_F(ChecksTest, WellFormedInputsRun) {
  ASSERT_EQ(aoti_model_run(model_, in_, 2, out_, 2), AOTI_OK) << aoti_last_error();
  free(out_[0].data);
  free(out_[1].data);
}

TEST_F(ChecksTest, InputCount) {
  EXPECT_EQ(aoti_model_run(model_, in_, 1, out_, 2), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "model 'model': expected 2 inputs, got 1");
  EXPECT_EQ(aoti_model_run(model_, in_, 2, out_, 3), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "model 'model': expected 2 outputs, got 3");
}

TEST_F(ChecksTest, Dtype) {
  in_[0].dtype = AOTI_DTYPE_INT64;
  ExpectRunError("model 'model': input 'x' (#0): expected dtype float32, got int64");
}

TEST_F(ChecksTest, Rank) {
  in_[0].rank = 3;
  in_[0].sizes[2] = 1;
  ExpectRunError("model 'model': input 'x' (#0): expected rank 2, got 3");
}

TEST_F(ChecksTest, StaticDim) {
  in_[0].sizes[1] = 11;
  ExpectRunError("model 'model': input 'x' (#0) dim 1: expected 4, got 11");
}

TEST_F(ChecksTest, SymbolBelowItsRange) {
  in_[0].sizes[0] = 0;
  ExpectRunError("model 'model': input 'x' (#0) dim 0: size 0 is outside the range of s0 (1..1024)");
}

TEST_F(ChecksTest, SymbolAboveItsRange) {
  in_[0].sizes[0] = 2000;
  ExpectRunError("model 'model': input 'x' (#0) dim 0: size 2000 is outside the range of s0 (1..1024)");
}

TEST_F(ChecksTest, AffineDimOutsideTheRange) {
  // e is [2*s0 + 1]: s0 comes from x first, so make x agree and e's own solution fall outside.
  in_[0].sizes[0] = 1;
  in_[0].strides[0] = 4;
  in_[1].sizes[0] = 2 * 1025 + 1;
  ExpectRunError("model 'model': input 'e' (#1) dim 0: size 2051 (= 2*s0 + 1) gives s0 = 1025, "
                 "outside its range (1..1024)");
}

TEST_F(ChecksTest, InconsistentSymbol) {
  in_[1].sizes[0] = 7;  // s0 = 3, but x says 2
  ExpectRunError("model 'model': input 'e' (#1) dim 0: size 7 gives s0 = 3, but input 'x' (#0) "
                 "dim 0 gave s0 = 2");
}

TEST_F(ChecksTest, SizeNotOfTheAffineForm) {
  in_[1].sizes[0] = 6;
  ExpectRunError("model 'model': input 'e' (#1) dim 0: size 6 is not of the form 2*s0 + 1");
}

TEST_F(ChecksTest, NonContiguousStrides) {
  in_[0].strides[0] = 1;
  in_[0].strides[1] = 2;  // a transposed view
  ExpectRunError("model 'model': input 'x' (#0) dim 1: stride 2 is not contiguous (expected 1): "
                 "pass a contiguous copy");
}

TEST_F(ChecksTest, SizeOneDimsMayHaveAnyStride) {
  in_[0].sizes[0] = 1;
  in_[0].strides[0] = 12345;
  in_[1].sizes[0] = 3;
  ASSERT_EQ(aoti_model_run(model_, in_, 2, out_, 2), AOTI_OK) << aoti_last_error();
  free(out_[0].data);
  free(out_[1].data);
}

TEST_F(ChecksTest, Capacity) {
  in_[0].nbytes = 31;
  ExpectRunError("model 'model': input 'x' (#0): nbytes 31 is less than the 32 bytes its sizes need");
}

TEST_F(ChecksTest, NullData) {
  in_[1].data = nullptr;
  ExpectRunError("model 'model': input 'e' (#1): data is NULL");
}

TEST_F(ChecksTest, OutputBufferTooSmall) {
  std::vector<float> f(4);  // output1 needs 5 floats
  int64_t f_sizes[1] = {4};
  aoti_tensor_init(&out_[1], AOTI_DTYPE_FLOAT32, 1, f_sizes, f.data());
  ExpectRunError("model 'model': output 'output1' (#1) needs 20 bytes, its buffer holds 16");
  EXPECT_EQ(out_[0].data, nullptr);  // nothing was allocated for output0 (valgrind sees no leak)
}

TEST(RunFailure, LibraryMessageIsReported) {
  UseFreshTmpDir();
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"model", "pt2", {FakeModel("model", FAKE_MODEL_FAIL_SO)}});
  aoti_package *package = nullptr;
  aoti_model *model = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_model_load(package, "model", nullptr, &model), AOTI_OK) << aoti_last_error();
  std::vector<float> x = MakeX(3, 0), e = MakeE(3, 0);
  aoti_tensor in[2], out[2];
  int64_t x_sizes[2] = {3, 4}, e_sizes[1] = {7};
  aoti_tensor_init(&in[0], AOTI_DTYPE_FLOAT32, 2, x_sizes, x.data());
  aoti_tensor_init(&in[1], AOTI_DTYPE_FLOAT32, 1, e_sizes, e.data());
  aoti_tensor_init(&out[0], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  aoti_tensor_init(&out[1], AOTI_DTYPE_INVALID, 0, nullptr, nullptr);
  EXPECT_EQ(aoti_model_run(model, in, 2, out, 2), AOTI_ERROR_INTERNAL);
  EXPECT_STREQ(aoti_last_error(), "model 'model': run failed: injected failure for s0=3");
  EXPECT_EQ(out[0].data, nullptr);  // what the call allocated was freed
  EXPECT_EQ(out[1].data, nullptr);
  aoti_model_unload(model);
  aoti_package_close(package);
}

}  // namespace
