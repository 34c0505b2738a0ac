// Helpers shared by the frontend tests (see test_util.h).
#include "test_util.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace aoti_test {

std::vector<std::string> FixtureVersions() {
  std::vector<std::string> versions;
  std::error_code ec;
  for (const auto &entry : std::filesystem::directory_iterator(AOTI_FIXTURES_DIR, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("torch-", 0) == 0 &&
        std::filesystem::exists(entry.path() / "mlp.ep"))
      versions.push_back(name.substr(6));
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

std::string FixturePath(const std::string &version, const std::string &file) {
  return std::string(AOTI_FIXTURES_DIR) + "/torch-" + version + "/" + file;
}

std::pair<int, int> ParseVersion(const std::string &version) {
  int major = 0, minor = 0;
  sscanf(version.c_str(), "%d.%d", &major, &minor);
  return {major, minor};
}

std::string TempPath(const std::string &name) {
  const ::testing::TestInfo *info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
  std::replace(test.begin(), test.end(), '/', '_');
  std::string dir = std::string(AOTI_TEST_TMP_DIR) + "/" + test;
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::filesystem::remove(path);
  return path;
}

static zip_t *OpenZip(const std::string &path, int flags) {
  int error = 0;
  zip_t *za = zip_open(path.c_str(), flags, &error);
  if (!za) throw std::runtime_error("libzip cannot open " + path);
  return za;
}

std::vector<std::string> ZipEntries(const std::string &path) {
  zip_t *za = OpenZip(path, ZIP_RDONLY);
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++)
    names.push_back(zip_get_name(za, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW));
  zip_discard(za);
  return names;
}

std::string ZipFindEntry(const std::string &path, const std::string &name) {
  for (const std::string &entry : ZipEntries(path)) {
    if (entry == name) return entry;
    // "<root>/<name>" with a root folder of one component
    size_t slash = entry.find('/');
    if (slash != std::string::npos && entry.substr(slash + 1) == name) return entry;
  }
  return "";
}

std::string ZipRead(const std::string &path, const std::string &stored_name) {
  zip_t *za = OpenZip(path, ZIP_RDONLY);
  zip_stat_t st;
  std::string data;
  if (zip_stat(za, stored_name.c_str(), 0, &st) == 0) {
    data.resize(st.size);
    zip_file_t *f = zip_fopen(za, stored_name.c_str(), 0);
    if (f) {
      zip_fread(f, data.data(), st.size);
      zip_fclose(f);
    }
  }
  zip_discard(za);
  return data;
}

void ZipReplace(const std::string &path, const std::string &stored_name, const std::string &data) {
  zip_t *za = OpenZip(path, 0);
  zip_int64_t index = zip_name_locate(za, stored_name.c_str(), 0);
  void *copy = malloc(data.size() ? data.size() : 1);
  memcpy(copy, data.data(), data.size());
  zip_source_t *src = zip_source_buffer(za, copy, data.size(), 1);
  if (index < 0 || !src || zip_file_replace(za, static_cast<zip_uint64_t>(index), src, 0) != 0)
    throw std::runtime_error("cannot replace " + stored_name);
  if (zip_close(za) != 0) throw std::runtime_error("cannot write " + path);
}

void ZipDelete(const std::string &path, const std::string &stored_name) {
  zip_t *za = OpenZip(path, 0);
  zip_int64_t index = zip_name_locate(za, stored_name.c_str(), 0);
  if (index < 0 || zip_delete(za, static_cast<zip_uint64_t>(index)) != 0)
    throw std::runtime_error("cannot delete " + stored_name);
  if (zip_close(za) != 0) throw std::runtime_error("cannot write " + path);
}

void ZipCreate(const std::string &path,
               const std::vector<std::pair<std::string, std::string>> &entries) {
  zip_t *za = OpenZip(path, ZIP_CREATE | ZIP_TRUNCATE);
  for (const auto &[name, data] : entries) {
    void *copy = malloc(data.size() ? data.size() : 1);
    memcpy(copy, data.data(), data.size());
    zip_source_t *src = zip_source_buffer(za, copy, data.size(), 1);
    if (!src || zip_file_add(za, name.c_str(), src, ZIP_FL_OVERWRITE) < 0)
      throw std::runtime_error("cannot add " + name);
  }
  if (zip_close(za) != 0) throw std::runtime_error("cannot write " + path);
}

// The value of `key` in a .npy header dict such as "{'descr': '<f4', 'fortran_order': False,
// 'shape': (8, 10), }".
static std::string HeaderField(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) throw std::runtime_error("npy header lacks " + key);
  at = header.find(':', at) + 1;
  while (header[at] == ' ') at++;
  size_t end = header[at] == '(' ? header.find(')', at) + 1
                                 : header.find_first_of(
                                       ",}", header[at] == '\'' ? header.find('\'', at + 1) : at);
  return header.substr(at, end - at);
}

Array NpzArray(const std::string &npz_path, const std::string &name) {
  std::string npy = ZipRead(npz_path, name + ".npy");
  if (npy.size() < 10 || npy.compare(0, 6, "\x93NUMPY") != 0)
    throw std::runtime_error(name + " is not in " + npz_path);
  size_t header_len, header_start;
  if (npy[6] == 1) {
    header_len = static_cast<uint8_t>(npy[8]) | (static_cast<uint8_t>(npy[9]) << 8);
    header_start = 10;
  } else {
    header_len = 0;
    for (int i = 3; i >= 0; i--) header_len = (header_len << 8) | static_cast<uint8_t>(npy[8 + i]);
    header_start = 12;
  }
  std::string header = npy.substr(header_start, header_len);
  Array a;
  a.descr = HeaderField(header, "descr");
  a.descr = a.descr.substr(1, a.descr.size() - 2);
  std::string shape = HeaderField(header, "shape");
  int64_t numel = 1;
  for (size_t i = 1; i < shape.size();) {
    size_t end = shape.find_first_of(",)", i);
    std::string item = shape.substr(i, end - i);
    if (item.find_first_not_of(' ') != std::string::npos) {
      a.shape.push_back(std::stoll(item));
      numel *= a.shape.back();
    }
    i = end + 1;
  }
  if (header.find("'fortran_order': False") == std::string::npos || a.descr != "<f4")
    throw std::runtime_error(name + ": only C-order float32 arrays are read here");
  a.data.resize(static_cast<size_t>(numel));
  memcpy(a.data.data(), npy.data() + header_start + header_len, a.data.size() * sizeof(float));
  return a;
}

const aoti_constant *FindConstant(const aoti_graph *g, const char *fqn) {
  for (int32_t i = 0; i < g->num_constants; i++)
    if (strcmp(g->constants[i].fqn, fqn) == 0) return &g->constants[i];
  return nullptr;
}

std::vector<float> ConstantFloats(const aoti_graph *g, const char *fqn) {
  const aoti_constant *c = FindConstant(g, fqn);
  if (!c) throw std::runtime_error(std::string("no constant ") + fqn);
  std::vector<float> v(c->nbytes / sizeof(float));
  memcpy(v.data(), c->data, c->nbytes);
  return v;
}

std::vector<float> Linear(const std::vector<float> &x, int64_t batch, int64_t in,
                          const std::vector<float> &w, const std::vector<float> *b, int64_t out) {
  std::vector<float> y(static_cast<size_t>(batch * out));
  for (int64_t n = 0; n < batch; n++)
    for (int64_t o = 0; o < out; o++) {
      double acc = b ? (*b)[o] : 0.0;
      for (int64_t i = 0; i < in; i++) acc += double(x[n * in + i]) * w[o * in + i];
      y[n * out + o] = static_cast<float>(acc);
    }
  return y;
}

}  // namespace aoti_test
