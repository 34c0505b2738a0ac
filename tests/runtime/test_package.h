// test_package.h — what the runtime tests share: writing .pt2 packages and zips by hand (with
// libzip), following the layout of compiler/package/package.h, around the fake model libraries
// of fake_model.c; and the fake model's reference computation.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aoti/runtime.h"
#include "test_common.h"  // ReadFile, WriteFile, ListDir, RunCommand

namespace aoti_test {

// The fake model's constants (fake_model.c reads them from the package).
inline const std::vector<float> kW = {0.5f, -2.0f, 3.0f, 0.25f};
inline const std::vector<float> kB = {1.0f, 0.0f, -1.5f, 10.0f};

struct TestModel {
  std::string name = "model";
  std::string library_path = FAKE_MODEL_SO;   // its bytes become <name>.so
  std::map<std::string, std::string> entries; // more entries in the model's folder
  std::optional<std::string> metadata;        // <name>_metadata.json when set
};

struct PackageSpec {
  std::string stem = "model";
  std::optional<std::string> archive_format = "pt2";
  std::vector<TestModel> models;
};

// The fake model with its two weights and some metadata.
TestModel FakeModel(const std::string &name = "model", const std::string &library = FAKE_MODEL_SO);

std::string Bytes(const std::vector<float> &values);
// A path under this test binary's scratch folder.
std::string TmpPath(const std::string &name);
// A path named after the running test (tests may run in parallel processes), ending in `suffix`.
std::string TestFile(const std::string &suffix);
// A fresh empty folder named after the running test, made the process's TMPDIR, so that what a
// load extracts can be listed.
std::string UseFreshTmpDir();

// Writes a zip of stored entries, in the order given.
void WriteZip(const std::string &path, const std::vector<std::pair<std::string, std::string>> &entries);
void WritePackage(const std::string &path, const PackageSpec &spec);

// The fake model's outputs computed here: y = x * w + b row-wise, f = 2 * e.
std::vector<float> ReferenceY(const std::vector<float> &x);
std::vector<float> ReferenceF(const std::vector<float> &e);

// Inputs for batch n: x [n, 4] and e [2n+1], with values that depend on `seed`.
std::vector<float> MakeX(int64_t n, int seed);
std::vector<float> MakeE(int64_t n, int seed);

// A .npy file, as numpy.save writes it: `shape` is the Python tuple text ("(2, 3)", "()").
std::string Npy(const std::string &descr, const std::string &shape, const std::string &data,
                bool fortran_order = false, int major_version = 1);

}  // namespace aoti_test
