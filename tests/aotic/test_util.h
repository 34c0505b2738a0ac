// test_util.h — small helpers shared by the aotic tests: files, fresh folders, running commands.
#ifndef AOTI_TESTS_AOTIC_TEST_UTIL_H
#define AOTI_TESTS_AOTIC_TEST_UTIL_H

#include <dirent.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "test_common.h"

namespace aotic_test {

inline bool file_exists(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// The shared helpers (tests/common/test_common.h) under the names the aotic tests use.
inline std::string read_file(const std::string &path) { return aoti_test::ReadFile(path); }
inline void write_file(const std::string &path, const std::string &text) {
  aoti_test::WriteFile(path, text);
}
inline std::vector<std::string> list_dir(const std::string &dir) { return aoti_test::ListDir(dir); }
inline std::string quote(const std::string &s) { return aoti_test::ShellQuote(s); }
using command_result = aoti_test::CommandResult;
inline command_result run_command(const std::string &cmd, const std::string &dir) {
  return aoti_test::RunCommand(cmd, dir);
}

// A new empty folder under the test's tmp dir (AOTI_TEST_TMP_DIR).
inline std::string fresh_dir(const std::string &tag) {
  std::string templ = std::string(AOTI_TEST_TMP_DIR) + "/" + tag + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return "";
  return std::string(buf.data());
}

// Removes `dir` and everything under it (for tests that passed; failed ones keep their files).
inline void remove_tree(const std::string &dir) {
  nftw(
      dir.c_str(),
      [](const char *path, const struct stat *, int, struct FTW *) { return remove(path); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

// A test working in a fresh folder dir_ (named after `tag`), removed when the test passed.
class dir_test : public ::testing::Test {
 protected:
  explicit dir_test(std::string tag) : tag_(std::move(tag)) {}
  void SetUp() override {
    dir_ = fresh_dir(tag_);
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!HasFailure()) remove_tree(dir_);
  }
  std::string dir_;

 private:
  std::string tag_;
};

// The system C compiler, as aotic picks it: $CC, else cc.
inline std::string system_cc() {
  const char *cc = getenv("CC");
  return cc && *cc ? cc : "cc";
}

}  // namespace aotic_test

#endif  // AOTI_TESTS_AOTIC_TEST_UTIL_H
