// test_build.cc — compiler/build: builds a source into a shared library with the system compiler.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "build/build.h"
#include "test_util.h"

using aotic_test::fresh_dir;
using aotic_test::list_dir;
using aotic_test::write_file;

namespace {

const char kSource[] =
    "int aoti_test_answer(int x);\n"
    "int aoti_test_answer(int x) { return 6 * x; }\n";

// Builds `source` with `options`; returns the status and fills `out` with the library bytes.
aoti_status build(const std::string &source, const aoti_build_options &options, std::string *out,
                  const char *name = "model") {
  void *bytes = nullptr;
  size_t len = 0;
  aoti_status st =
      aoti_build_shared_library(source.data(), source.size(), name, &options, &bytes, &len);
  if (st == AOTI_OK) {
    out->assign(static_cast<const char *>(bytes), len);
    free(bytes);
  }
  return st;
}

// Runs the builds with TMPDIR pointing at `dir`, so their private folders land there.
class BuildTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp_ = fresh_dir("build");
    ASSERT_FALSE(tmp_.empty());
    const char *old = getenv("TMPDIR");
    had_tmpdir_ = old != nullptr;
    if (old) old_tmpdir_ = old;
    setenv("TMPDIR", tmp_.c_str(), 1);
    aoti_build_options_init(&options_);
  }
  void TearDown() override {
    if (!HasFailure()) aotic_test::remove_tree(tmp_);
    if (had_tmpdir_)
      setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    else
      unsetenv("TMPDIR");
  }
  std::string tmp_, old_tmpdir_;
  bool had_tmpdir_ = false;
  aoti_build_options options_;
};

TEST_F(BuildTest, BuiltLibraryExportsTheFunction) {
  std::string so;
  ASSERT_EQ(build(kSource, options_, &so), AOTI_OK) << aoti_last_error();
  ASSERT_GT(so.size(), 4u);
  EXPECT_EQ(so.substr(0, 4), std::string("\x7f" "ELF", 4));
  std::string path = tmp_ + "/built.so";
  write_file(path, so);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto fn = reinterpret_cast<int (*)(int)>(dlsym(handle, "aoti_test_answer"));
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn(7), 42);
  dlclose(handle);
  // The private folder is gone: only our own file is left in TMPDIR.
  EXPECT_EQ(list_dir(tmp_), std::vector<std::string>{"built.so"});
}

TEST_F(BuildTest, SameSourceGivesIdenticalBytesAcrossFolders) {
  std::string a, b;
  ASSERT_EQ(build(kSource, options_, &a), AOTI_OK) << aoti_last_error();
  // A second TMPDIR with a different path length: the folder must not reach the output.
  std::string other = tmp_ + "/a-much-longer-folder-name-for-the-second-build";
  ASSERT_EQ(mkdir(other.c_str(), 0700), 0);
  setenv("TMPDIR", other.c_str(), 1);
  ASSERT_EQ(build(kSource, options_, &b), AOTI_OK) << aoti_last_error();
  EXPECT_TRUE(a == b) << "library sizes " << a.size() << " and " << b.size();
}

TEST_F(BuildTest, CompileErrorReportsCommandAndDiagnostic) {
  std::string so;
  const std::string bad = "int broken(void) { return undeclared_thing_xyz; }\n";
  ASSERT_EQ(build(bad, options_, &so), AOTI_ERROR_INTERNAL);
  std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("undeclared_thing_xyz"), std::string::npos) << msg;  // the compiler's words
  EXPECT_NE(msg.find("-o model.so model.c -lm"), std::string::npos) << msg;  // the command line
  EXPECT_NE(msg.find("-O3 -fPIC -shared -std=c11"), std::string::npos) << msg;
  EXPECT_TRUE(so.empty());
  EXPECT_TRUE(list_dir(tmp_).empty()) << "temporary folder left behind";
}

TEST_F(BuildTest, MissingCompilerIsNamed) {
  options_.cc = "aoti-no-such-compiler-xyz";
  std::string so;
  ASSERT_EQ(build(kSource, options_, &so), AOTI_ERROR_IO);
  std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("cannot run 'aoti-no-such-compiler-xyz'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(strerror(ENOENT)), std::string::npos) << msg;
  EXPECT_TRUE(list_dir(tmp_).empty());
}

TEST_F(BuildTest, CflagsAreSplitAndPassed) {
  // A macro given through cflags decides what the library returns.
  options_.cflags = "  -DAOTI_FACTOR=3   -Wall ";
  std::string so;
  const std::string src =
      "int aoti_test_answer(int x);\nint aoti_test_answer(int x) { return AOTI_FACTOR * x; }\n";
  ASSERT_EQ(build(src, options_, &so), AOTI_OK) << aoti_last_error();
  std::string path = tmp_ + "/flags.so";
  write_file(path, so);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto fn = reinterpret_cast<int (*)(int)>(dlsym(handle, "aoti_test_answer"));
  ASSERT_NE(fn, nullptr);
  EXPECT_EQ(fn(5), 15);
  dlclose(handle);
}

// The library reports whether its compiler targeted AVX-512.
int built_avx512(const std::string &so, const std::string &path) {
  write_file(path, so);
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return -1;
  auto fn = reinterpret_cast<int (*)(void)>(dlsym(handle, "aoti_test_avx512"));
  const int got = fn ? fn() : -1;
  dlclose(handle);
  return got;
}

TEST_F(BuildTest, TargetPicksTheInstructionSet) {
  const std::string src =
      "int aoti_test_avx512(void);\n"
      "#ifdef __AVX512F__\nint aoti_test_avx512(void) { return 1; }\n"
      "#else\nint aoti_test_avx512(void) { return 0; }\n#endif\n";
  std::string so;
  options_.target = "generic";
  ASSERT_EQ(build(src, options_, &so), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(built_avx512(so, tmp_ + "/generic.so"), 0);
  options_.target = "x86-64-v4";
  ASSERT_EQ(build(src, options_, &so), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(built_avx512(so, tmp_ + "/v4.so"), 1);
  options_.target = nullptr;  // native: what this machine has
  ASSERT_EQ(build(src, options_, &so), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(built_avx512(so, tmp_ + "/native.so"), __builtin_cpu_supports("avx512f") ? 1 : 0);
}

TEST_F(BuildTest, UnknownTargetIsTheCompilersError) {
  options_.target = "no-such-cpu";
  std::string so;
  ASSERT_NE(build(kSource, options_, &so), AOTI_OK);
  std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("-march=no-such-cpu"), std::string::npos) << msg;
  EXPECT_TRUE(list_dir(tmp_).empty());
}

TEST_F(BuildTest, CcEnvironmentVariableIsUsed) {
  const char *old = getenv("CC");
  std::string saved = old ? old : "";
  setenv("CC", "aoti-no-such-cc-from-env", 1);
  std::string so;
  aoti_status st = build(kSource, options_, &so);
  if (old)
    setenv("CC", saved.c_str(), 1);
  else
    unsetenv("CC");
  ASSERT_EQ(st, AOTI_ERROR_IO);
  EXPECT_NE(std::string(aoti_last_error()).find("aoti-no-such-cc-from-env"), std::string::npos);
}

TEST_F(BuildTest, KeepTempsLeavesTheFolder) {
  options_.keep_temps = true;
  std::string so;
  testing::internal::CaptureStderr();
  ASSERT_EQ(build(kSource, options_, &so), AOTI_OK) << aoti_last_error();
  std::string err = testing::internal::GetCapturedStderr();
  std::vector<std::string> left = list_dir(tmp_);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_NE(err.find(tmp_ + "/" + left[0]), std::string::npos) << err;
  EXPECT_EQ(list_dir(tmp_ + "/" + left[0]), (std::vector<std::string>{"model.c", "model.so"}));
}

TEST_F(BuildTest, NameWithSlashIsRefused) {
  std::string so;
  ASSERT_EQ(build(kSource, options_, &so, "../evil"), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(aoti_last_error()).find("../evil"), std::string::npos);
}

}  // namespace
