// test_package.cc — writing test packages and zips by hand (see test_package.h).
#include "test_package.h"

#include <sys/stat.h>
#include <unistd.h>
#include <gtest/gtest.h>
#include <zip.h>

#include <cstdio>

namespace aoti_test {

TestModel FakeModel(const std::string &name, const std::string &library) {
  TestModel model;
  model.name = name;
  model.library_path = library;
  model.entries["weight_0"] = Bytes(kW);
  model.entries["weight_1"] = Bytes(kB);
  model.metadata = R"({"aotic_version": "test", "source_file": "fake.ep"})";
  return model;
}

std::string Bytes(const std::vector<float> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
}

std::string TmpPath(const std::string &name) { return std::string(AOTI_TEST_TMP_DIR) + "/" + name; }

std::string TestFile(const std::string &suffix) {
  const testing::TestInfo *info = testing::UnitTest::GetInstance()->current_test_info();
  return TmpPath(std::string(info->test_suite_name()) + "." + info->name() + suffix);
}

std::string UseFreshTmpDir() {
  std::string dir = TestFile(".tmpdir");
  for (const std::string &name : ListDir(dir)) {
    std::string sub = dir + "/" + name;
    for (const std::string &file : ListDir(sub)) std::remove((sub + "/" + file).c_str());
    rmdir(sub.c_str());
  }
  mkdir(dir.c_str(), 0700);
  setenv("TMPDIR", dir.c_str(), 1);
  return dir;
}

void WriteZip(const std::string &path, const std::vector<std::pair<std::string, std::string>> &entries) {
  std::remove(path.c_str());
  int error = 0;
  zip_t *zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(zip, nullptr) << "zip_open " << path << ": " << error;
  for (const auto &[name, bytes] : entries) {
    // libzip reads the buffers at zip_close: `entries` outlives it.
    zip_source_t *source = zip_source_buffer(zip, bytes.data(), bytes.size(), 0);
    ASSERT_NE(source, nullptr);
    zip_int64_t index = zip_file_add(zip, name.c_str(), source, ZIP_FL_OVERWRITE);
    ASSERT_GE(index, 0) << zip_strerror(zip);
    zip_set_file_compression(zip, static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0);
  }
  ASSERT_EQ(zip_close(zip), 0) << zip_strerror(zip);
}

void WritePackage(const std::string &path, const PackageSpec &spec) {
  std::vector<std::pair<std::string, std::string>> entries;
  const std::string prefix = spec.stem + "/";
  if (spec.archive_format) entries.emplace_back(prefix + "archive_format", *spec.archive_format);
  entries.emplace_back(prefix + "archive_version", "0");
  entries.emplace_back(prefix + "byteorder", "little");
  for (const TestModel &model : spec.models) {
    const std::string folder = prefix + "data/aotinductor/" + model.name + "/";
    entries.emplace_back(folder + model.name + ".so", ReadFile(model.library_path));
    for (const auto &[name, bytes] : model.entries) entries.emplace_back(folder + name, bytes);
    if (model.metadata) entries.emplace_back(folder + model.name + "_metadata.json", *model.metadata);
  }
  WriteZip(path, entries);
}

std::vector<float> ReferenceY(const std::vector<float> &x) {
  std::vector<float> y(x.size());
  for (size_t i = 0; i < x.size(); i++) {
    float xw = x[i] * kW[i % 4];
    y[i] = xw + kB[i % 4];
  }
  return y;
}

std::vector<float> ReferenceF(const std::vector<float> &e) {
  std::vector<float> f(e.size());
  for (size_t i = 0; i < e.size(); i++) f[i] = 2 * e[i];
  return f;
}

std::vector<float> MakeX(int64_t n, int seed) {
  std::vector<float> x(static_cast<size_t>(n) * 4);
  for (size_t i = 0; i < x.size(); i++) x[i] = static_cast<float>((i * 7 + seed * 13) % 23) * 0.25f - 2.0f;
  return x;
}

std::vector<float> MakeE(int64_t n, int seed) {
  std::vector<float> e(static_cast<size_t>(2 * n + 1));
  for (size_t i = 0; i < e.size(); i++) e[i] = static_cast<float>(i) - static_cast<float>(seed);
  return e;
}

std::string Npy(const std::string &descr, const std::string &shape, const std::string &data,
                bool fortran_order, int major_version) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " +
                       (fortran_order ? "True" : "False") + ", 'shape': " + shape + ", }";
  size_t preamble = major_version == 1 ? 10 : 12;
  while ((preamble + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY", 6) + static_cast<char>(major_version) + '\0';
  for (size_t i = 0; i < preamble - 8; i++) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return bytes + header + data;
}

}  // namespace aoti_test
