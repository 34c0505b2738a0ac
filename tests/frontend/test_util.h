// Helpers shared by the frontend tests: fixture discovery, file copies, zip rewriting (libzip),
// NumPy .npz reading, and a reference forward pass on float32 data.
#ifndef AOTI_TESTS_FRONTEND_TEST_UTIL_H
#define AOTI_TESTS_FRONTEND_TEST_UTIL_H

#include <cstdint>
#include <string>
#include <vector>

#include "test_common.h"  // ReadFile, WriteFile

extern "C" {
#include "frontend/frontend.h"
}

namespace aoti_test {

// Folders tests/fixtures/torch-<version> that exist, sorted.
std::vector<std::string> FixtureVersions();
std::string FixturePath(const std::string &version, const std::string &file);
// (major, minor) of "2.15".
std::pair<int, int> ParseVersion(const std::string &version);

// A fresh path under the test's temporary folder.
std::string TempPath(const std::string &name);

// Names of the zip's entries as stored (with any root folder).
std::vector<std::string> ZipEntries(const std::string &path);
// The stored name of the entry whose name is `name` or ends with "/<name>"; "" if none.
std::string ZipFindEntry(const std::string &path, const std::string &name);
std::string ZipRead(const std::string &path, const std::string &stored_name);
// Rewrites or deletes one entry in place (libzip deflates new data).
void ZipReplace(const std::string &path, const std::string &stored_name, const std::string &data);
void ZipDelete(const std::string &path, const std::string &stored_name);
void ZipCreate(const std::string &path,
               const std::vector<std::pair<std::string, std::string>> &entries);

struct Array {
  std::string descr;  // "<f4"
  std::vector<int64_t> shape;
  std::vector<float> data;  // float32 arrays only
};
// Array `name` ("case0.input0") of a .npz written by numpy.savez.
Array NpzArray(const std::string &npz_path, const std::string &name);

// Owns a graph read with aoti_frontend_read.
struct Graph {
  aoti_graph *g = nullptr;
  ~Graph() { aoti_graph_destroy(g); }
};

const aoti_constant *FindConstant(const aoti_graph *g, const char *fqn);
std::vector<float> ConstantFloats(const aoti_graph *g, const char *fqn);

// y = x W^T (+ b) for x [batch, in], W [out, in] row-major.
std::vector<float> Linear(const std::vector<float> &x, int64_t batch, int64_t in,
                          const std::vector<float> &w, const std::vector<float> *b, int64_t out);

}  // namespace aoti_test

#endif  // AOTI_TESTS_FRONTEND_TEST_UTIL_H
