// npz_test.cc — the .npz/.npy reader of aoti-run (runtime/tools/npz.c), on files built here
// byte by byte following NumPy's format description.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "npz.h"
#include "test_package.h"

using namespace aoti_test;

namespace {

template <typename T>
std::string Raw(const std::vector<T> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T));
}

TEST(Npz, ReadsArraysOfSeveralDtypes) {
  std::string path = TestFile(".npz");
  std::vector<float> f = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  std::vector<int64_t> i = {-1, 2, 1LL << 40};
  WriteZip(path, {{"case0.input0.npy", Npy("<f4", "(2, 3)", Raw(f))},
                  {"case0.input1.npy", Npy("<i8", "(3,)", Raw(i))},
                  {"flag.npy", Npy("|b1", "()", std::string("\x01", 1))},
                  {"empty.npy", Npy("<f8", "(0, 5)", "", false, 2)}});
  npz_file file;
  ASSERT_EQ(npz_read(path.c_str(), &file), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(file.count, 4u);
  const npz_array *a = npz_find(&file, "case0.input0");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->dtype, AOTI_DTYPE_FLOAT32);
  EXPECT_EQ(a->rank, 2);
  EXPECT_EQ(a->sizes[0], 2);
  EXPECT_EQ(a->sizes[1], 3);
  ASSERT_EQ(a->nbytes, 24u);
  EXPECT_EQ(std::memcmp(a->data, f.data(), 24), 0);
  const npz_array *b = npz_find(&file, "case0.input1");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->dtype, AOTI_DTYPE_INT64);
  EXPECT_EQ(b->rank, 1);
  EXPECT_EQ(static_cast<const int64_t *>(b->data)[2], 1LL << 40);
  const npz_array *flag = npz_find(&file, "flag");
  ASSERT_NE(flag, nullptr);
  EXPECT_EQ(flag->dtype, AOTI_DTYPE_BOOL);
  EXPECT_EQ(flag->rank, 0);
  EXPECT_EQ(static_cast<const uint8_t *>(flag->data)[0], 1);
  const npz_array *empty = npz_find(&file, "empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->dtype, AOTI_DTYPE_FLOAT64);
  EXPECT_EQ(empty->sizes[0], 0);
  EXPECT_EQ(empty->nbytes, 0u);
  EXPECT_EQ(npz_find(&file, "case1.input0"), nullptr);
  npz_free(&file);
}

// Parses `bytes` as an .npy, expecting `status` and exactly `message`.
void ExpectNpyError(const std::string &bytes, aoti_status status, const std::string &message) {
  npz_array array;
  EXPECT_EQ(npy_parse("a", bytes.data(), bytes.size(), &array), status);
  EXPECT_EQ(aoti_last_error(), message);
}

TEST(Npz, RefusesFortranOrder) {
  ExpectNpyError(Npy("<f4", "(2, 2)", std::string(16, '\0'), true), AOTI_ERROR_UNSUPPORTED,
                 "npy 'a': Fortran-order arrays are not supported (save a C-order copy)");
}

TEST(Npz, RefusesUnknownDtypes) {
  ExpectNpyError(Npy(">f4", "(1,)", std::string(4, '\0')), AOTI_ERROR_UNSUPPORTED,
                 "npy 'a': dtype '>f4' is not supported");
  ExpectNpyError(Npy("<c8", "(1,)", std::string(8, '\0')), AOTI_ERROR_UNSUPPORTED,
                 "npy 'a': dtype '<c8' is not supported");
}

TEST(Npz, RefusesDataOfTheWrongLength) {
  ExpectNpyError(Npy("<i4", "(3,)", std::string(8, '\0')), AOTI_ERROR_FORMAT,
                 "npy 'a': holds 8 bytes of data, its shape needs 12");
}

TEST(Npz, RefusesBadMagicAndHeaders) {
  ExpectNpyError("PK\x03\x04 not numpy", AOTI_ERROR_FORMAT,
                 "npy 'a': not a .npy file (no \\x93NUMPY magic)");
  std::string bytes = Npy("<f4", "(1,)", std::string(4, '\0'));
  bytes[6] = 9;
  ExpectNpyError(bytes, AOTI_ERROR_VERSION, "npy 'a': format version 9.0 is not supported");
  std::string header = "{'descr': '<f4', 'shape': (1,)}\n";
  std::string no_order = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) +
                         '\0' + header + std::string(4, '\0');
  ExpectNpyError(no_order, AOTI_ERROR_FORMAT,
                 "npy 'a': the header lacks one of 'descr', 'fortran_order', 'shape'");
  std::string broken = "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,)}\n";
  std::string bad_bool = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(broken.size()) +
                         '\0' + broken + std::string(4, '\0');
  npz_array array;
  EXPECT_EQ(npy_parse("a", bad_bool.data(), bad_bool.size(), &array), AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find("expected True or False"), std::string::npos)
      << aoti_last_error();
}

TEST(Npz, ErrorsNameTheFileAndEntry) {
  std::string path = TestFile(".npz");
  WriteZip(path, {{"good.npy", Npy("<f4", "(1,)", std::string(4, '\0'))},
                  {"bad.npy", Npy("<f4", "(2,)", std::string(4, '\0'))}});
  npz_file file;
  EXPECT_EQ(npz_read(path.c_str(), &file), AOTI_ERROR_FORMAT);
  EXPECT_EQ(aoti_last_error(), path + ": npy 'bad': holds 4 bytes of data, its shape needs 8");

  WriteZip(path, {{"notes.txt", "hello"}});
  EXPECT_EQ(npz_read(path.c_str(), &file), AOTI_ERROR_FORMAT);
  EXPECT_EQ(aoti_last_error(), path + ": entry 'notes.txt' is not a .npy file");

  std::string missing = TestFile(".absent.npz");
  EXPECT_EQ(npz_read(missing.c_str(), &file), AOTI_ERROR_NOT_FOUND);
  EXPECT_EQ(aoti_last_error(), "cannot open '" + missing + "': no such file");

  WriteFile(path, "plain text");
  EXPECT_EQ(npz_read(path.c_str(), &file), AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find(path + " is not a .npz file"), std::string::npos)
      << aoti_last_error();
}

// A file written by numpy.savez (the tutorial MLP's samples): Linear(10,16) -> ReLU ->
// Linear(16,1) -> Sigmoid, batch 8, 1 and 1024, so every output lies in (0, 1). Cases 0 and 1
// hold inference.c's inputs, x[i] = ((i mod 17) - 8) / 8.
TEST(Npz, ReadsWhatNumpyWrites) {
  std::string path = std::string(AOTI_SOURCE_DIR) + "/examples/aoti_example/model.samples.npz";
  npz_file file;
  ASSERT_EQ(npz_read(path.c_str(), &file), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(file.count, 6u);
  int64_t batches[3] = {8, 1, 1024};
  for (int k = 0; k < 3; k++) {
    std::string c = "case" + std::to_string(k);
    const npz_array *in = npz_find(&file, (c + ".input0").c_str());
    const npz_array *out = npz_find(&file, (c + ".output0").c_str());
    ASSERT_NE(in, nullptr);
    ASSERT_NE(out, nullptr);
    EXPECT_EQ(in->dtype, AOTI_DTYPE_FLOAT32);
    EXPECT_EQ(in->rank, 2);
    EXPECT_EQ(in->sizes[0], batches[k]);
    EXPECT_EQ(in->sizes[1], 10);
    EXPECT_EQ(in->nbytes, static_cast<size_t>(batches[k] * 10 * 4));
    const float *x = static_cast<const float *>(in->data);
    for (int64_t i = 0; k < 2 && i < batches[k] * 10; i++)
      EXPECT_EQ(x[i], static_cast<float>(i % 17 - 8) / 8.0f) << c << " element " << i;
    EXPECT_EQ(out->rank, 2);
    EXPECT_EQ(out->sizes[0], batches[k]);
    EXPECT_EQ(out->sizes[1], 1);
    const float *p = static_cast<const float *>(out->data);
    for (int64_t i = 0; i < batches[k]; i++) {
      EXPECT_GT(p[i], 0.0f);
      EXPECT_LT(p[i], 1.0f);
    }
  }
  npz_free(&file);
}

}  // namespace
