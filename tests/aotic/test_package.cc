// test_package.cc — compiler/package: the .pt2 writer. Checks the layout through libzip and,
// independently, by walking the local headers of the written file (zip APPNOTE 4.3.7), which is
// where the 64-byte alignment of the weights must hold.
#include <gtest/gtest.h>
#include <zip.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "package/package.h"
#include "test_util.h"

using aotic_test::file_exists;
using aotic_test::list_dir;
using aotic_test::read_file;

namespace {

uint32_t le32(const std::string &s, size_t at) {
  const unsigned char *p = reinterpret_cast<const unsigned char *>(s.data()) + at;
  return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24);
}
uint16_t le16(const std::string &s, size_t at) {
  const unsigned char *p = reinterpret_cast<const unsigned char *>(s.data()) + at;
  return uint16_t(p[0] | (p[1] << 8));
}

struct local_entry {
  std::string name;
  uint16_t flags, method, time, date;
  std::string extra;
  size_t data_offset;
  std::string data;
};

// Walks the local file headers from the start of the file until the central directory.
std::vector<local_entry> read_local_headers(const std::string &file) {
  std::vector<local_entry> entries;
  size_t off = 0;
  while (off + 30 <= file.size() && le32(file, off) == 0x04034b50u) {
    local_entry e;
    e.flags = le16(file, off + 6);
    e.method = le16(file, off + 8);
    e.time = le16(file, off + 10);
    e.date = le16(file, off + 12);
    uint32_t comp_size = le32(file, off + 18);
    uint16_t name_len = le16(file, off + 26), extra_len = le16(file, off + 28);
    e.name = file.substr(off + 30, name_len);
    e.extra = file.substr(off + 30 + name_len, extra_len);
    e.data_offset = off + 30 + name_len + extra_len;
    e.data = file.substr(e.data_offset, comp_size);
    entries.push_back(e);
    off = e.data_offset + comp_size;
    if (e.flags & 0x8) break;  // a data descriptor would follow: sizes above are not reliable
  }
  return entries;
}

// A model with `num_weights` constants of odd sizes, so the padding varies between entries.
struct test_model {
  std::string name, library, source;
  std::vector<std::string> weights, entries, fqns;
  std::vector<aoti_codegen_constant> constants;
  std::vector<const char *> keys{"torch_version", "aotic_version", "note"};
  std::vector<const char *> values{"2.15.0", "0.1.0", "quote \" backslash \\ newline \n end"};
  aoti_package_model model;

  test_model(const std::string &n, int num_weights) : name(n) {
    library = "\x7f" "ELF fake library of " + n;
    source = "/* generated source of " + n + " */\n";
    for (int i = 0; i < num_weights; i++) {
      std::string w(size_t(1 + 37 * i + (i % 3) * 5), '\0');
      for (size_t k = 0; k < w.size(); k++) w[k] = char('a' + (k * 7 + i) % 26);
      weights.push_back(w);
      entries.push_back("weight_" + std::to_string(i));
      fqns.push_back("layer" + std::to_string(i) + ".weight");
    }
    for (int i = 0; i < num_weights; i++)
      constants.push_back({fqns[i].c_str(), entries[i].c_str(), weights[i].data(), weights[i].size()});
    model = {name.c_str(), library.data(), library.size(), source.data(), source.size(),
             int32_t(keys.size()), keys.data(), values.data(), int32_t(constants.size()),
             constants.data()};
  }
};

aoti_status write_package(const std::string &path, std::vector<test_model *> models) {
  aoti_package_writer *w = nullptr;
  aoti_status st = aoti_package_writer_create(path.c_str(), &w);
  if (st != AOTI_OK) return st;
  for (test_model *m : models) {
    st = aoti_package_writer_add_model(w, &m->model);
    if (st != AOTI_OK) {
      aoti_package_writer_abort(w);
      return st;
    }
  }
  return aoti_package_writer_finish(w);
}

class PackageTest : public aotic_test::dir_test {
 protected:
  PackageTest() : dir_test("package") {}
};

TEST_F(PackageTest, LayoutMatchesTheContract) {
  test_model a("alpha", 5), b("beta", 3);
  std::string path = dir_ + "/pkg.pt2";
  ASSERT_EQ(write_package(path, {&a, &b}), AOTI_OK) << aoti_last_error();

  std::vector<std::string> expected = {"pkg/archive_format", "pkg/archive_version", "pkg/byteorder"};
  for (test_model *m : {&a, &b}) {
    std::string folder = "pkg/data/aotinductor/" + m->name + "/";
    expected.push_back(folder + m->name + ".so");
    expected.push_back(folder + m->name + ".c");
    expected.push_back(folder + m->name + "_metadata.json");
    for (const std::string &e : m->entries) expected.push_back(folder + e);
  }
  // Through libzip (the central directory).
  int err = 0;
  zip_t *za = zip_open(path.c_str(), ZIP_RDONLY, &err);
  ASSERT_NE(za, nullptr) << err;
  ASSERT_EQ(zip_get_num_entries(za, 0), zip_int64_t(expected.size()));
  for (size_t i = 0; i < expected.size(); i++) {
    EXPECT_EQ(std::string(zip_get_name(za, i, 0)), expected[i]);
    zip_stat_t st;
    ASSERT_EQ(zip_stat_index(za, i, 0, &st), 0);
    EXPECT_EQ(st.comp_method, ZIP_CM_STORE) << expected[i];
  }
  zip_close(za);

  // Through the local headers, in file order, with contents.
  std::string file = read_file(path);
  std::vector<local_entry> local = read_local_headers(file);
  ASSERT_EQ(local.size(), expected.size());
  EXPECT_EQ(local[0].data, "pt2");
  EXPECT_EQ(local[1].data, "0");
  EXPECT_EQ(local[2].data, "little");
  size_t i = 3;
  for (test_model *m : {&a, &b}) {
    EXPECT_EQ(local[i++].data, m->library);
    EXPECT_EQ(local[i++].data, m->source);
    std::string json = local[i++].data;
    // Keys sorted, strings escaped.
    size_t p_note = json.find("\"note\""), p_aotic = json.find("\"aotic_version\""),
           p_torch = json.find("\"torch_version\"");
    ASSERT_NE(p_note, std::string::npos) << json;
    EXPECT_LT(p_aotic, p_note);
    EXPECT_LT(p_note, p_torch);
    EXPECT_NE(json.find("quote \\\" backslash \\\\ newline \\n end"), std::string::npos) << json;
    for (const std::string &w : m->weights) EXPECT_EQ(local[i++].data, w);
  }
  for (const local_entry &e : local) {
    EXPECT_EQ(e.flags & 0x8, 0) << e.name << ": data descriptor";
    EXPECT_EQ(e.method, 0) << e.name;
    EXPECT_EQ(e.time, 0) << e.name;       // 00:00:00
    EXPECT_EQ(e.date, 0x21) << e.name;    // 1980-01-01
  }
}

TEST_F(PackageTest, EveryWeightStartsOn64Bytes) {
  // Many weights of varied sizes and names of varied lengths exercise every padding case.
  test_model a("m", 40), b("second_model_name", 17);
  std::string path = dir_ + "/aligned.pt2";
  ASSERT_EQ(write_package(path, {&a, &b}), AOTI_OK) << aoti_last_error();
  std::vector<local_entry> local = read_local_headers(read_file(path));
  ASSERT_EQ(local.size(), 3u + 3 + 40 + 3 + 17);
  int weights = 0;
  for (const local_entry &e : local) {
    if (e.name.find("/weight_") == std::string::npos) {
      EXPECT_TRUE(e.extra.empty()) << e.name << " has extra fields";
      continue;
    }
    weights++;
    EXPECT_EQ(e.data_offset % 64, 0u) << e.name << " at " << e.data_offset;
    // Only the padding field: id "FB", its length, then 'Z's.
    if (!e.extra.empty()) {
      ASSERT_GE(e.extra.size(), 4u);
      EXPECT_EQ(e.extra.substr(0, 2), "FB") << e.name;
      EXPECT_EQ(le16(e.extra, 2), e.extra.size() - 4) << e.name;
      EXPECT_EQ(e.extra.substr(4), std::string(e.extra.size() - 4, 'Z')) << e.name;
    }
  }
  EXPECT_EQ(weights, 57);
}

TEST_F(PackageTest, SameInputsGiveIdenticalBytes) {
  test_model a("alpha", 6), b("beta", 2);
  std::string p1 = dir_ + "/same.pt2";
  ASSERT_EQ(write_package(p1, {&a, &b}), AOTI_OK) << aoti_last_error();
  std::string first = read_file(p1);
  sleep(1);  // a different wall-clock second must not show in the file
  ASSERT_EQ(write_package(p1, {&a, &b}), AOTI_OK) << aoti_last_error();
  EXPECT_TRUE(first == read_file(p1));
  // Another folder, same file name: same bytes (the folder is not recorded).
  std::string other = dir_ + "/sub";
  ASSERT_EQ(mkdir(other.c_str(), 0700), 0);
  ASSERT_EQ(write_package(other + "/same.pt2", {&a, &b}), AOTI_OK) << aoti_last_error();
  EXPECT_TRUE(first == read_file(other + "/same.pt2"));
}

TEST_F(PackageTest, MissingFolderLeavesNothing) {
  test_model a("alpha", 2);
  std::string path = dir_ + "/no-such-folder/out.pt2";
  ASSERT_EQ(write_package(path, {&a}), AOTI_ERROR_IO);
  EXPECT_NE(std::string(aoti_last_error()).find(path), std::string::npos) << aoti_last_error();
  EXPECT_FALSE(file_exists(path));
  EXPECT_TRUE(list_dir(dir_).empty());
}

TEST_F(PackageTest, FailedWriteRemovesTheTemporaryFile) {
  // The output path is an existing folder: the write succeeds into the temporary file, the
  // final rename fails, and the temporary file must go.
  test_model a("alpha", 2);
  std::string path = dir_ + "/taken.pt2";
  ASSERT_EQ(mkdir(path.c_str(), 0700), 0);
  ASSERT_EQ(write_package(path, {&a}), AOTI_ERROR_IO);
  EXPECT_NE(std::string(aoti_last_error()).find("taken.pt2"), std::string::npos)
      << aoti_last_error();
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"taken.pt2"});
}

TEST_F(PackageTest, DuplicateModelNamesAreRefused) {
  test_model a("twin", 1), b("twin", 1);
  std::string path = dir_ + "/dup.pt2";
  ASSERT_EQ(write_package(path, {&a, &b}), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(aoti_last_error()).find("'twin'"), std::string::npos) << aoti_last_error();
  EXPECT_FALSE(file_exists(path));
}

TEST_F(PackageTest, BadEntryNameIsRefused) {
  test_model a("alpha", 2);
  a.entries[1] = "../escape";
  a.constants[1].entry = a.entries[1].c_str();
  ASSERT_EQ(write_package(dir_ + "/bad.pt2", {&a}), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(aoti_last_error()).find("layer1.weight"), std::string::npos)
      << aoti_last_error();
  EXPECT_TRUE(list_dir(dir_).empty());
}

}  // namespace
