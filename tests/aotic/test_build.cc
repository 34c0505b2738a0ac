// test_build.cc — compiler/build: builds a source into a shared library with the system compiler.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "build/build.h"
#include "test_util.h"

using aotic_test::fresh_dir;
using aotic_test::list_dir;
using aotic_test::read_file;
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
      aoti_build_shared_library(source.data(), source.size(), nullptr, name, &options, &bytes, &len);
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

// ---- The kernels' object and its cache ---------------------------------------------------------

// A model source that calls into a kernels source, as generated models call templates/kernels.
const char kModel[] =
    "int aoti_test_twice(int x);\n"
    "int aoti_test_answer(int x);\n"
    "int aoti_test_answer(int x) { return 3 * aoti_test_twice(x); }\n";
const char kKernels[] =
    "__attribute__((visibility(\"hidden\"))) int aoti_test_twice(int x);\n"
    "int aoti_test_twice(int x) { return 2 * x; }\n"
    "int aoti_test_unused_kernel(int x);\n"
    "int aoti_test_unused_kernel(int x) { return x + 1; }\n";

class KernelCacheTest : public BuildTest {
 protected:
  void SetUp() override {
    BuildTest::SetUp();
    cache_ = tmp_ + "/cache";
    options_.kernel_cache = cache_.c_str();
  }
  // Builds kModel with `kernels`; returns the status and the library's answer for 7 in *answer.
  aoti_status BuildModel(const char *kernels, std::string *so, int *answer) {
    void *bytes = nullptr;
    size_t len = 0;
    aoti_status st = aoti_build_shared_library(kModel, sizeof kModel - 1, kernels, "model", &options_, &bytes, &len);
    if (st != AOTI_OK) return st;
    so->assign(static_cast<const char *>(bytes), len);
    free(bytes);
    const std::string path = tmp_ + "/lib" + std::to_string(++libs_) + ".so";
    write_file(path, *so);
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    EXPECT_NE(handle, nullptr) << dlerror();
    if (!handle) return AOTI_ERROR_INTERNAL;
    auto fn = reinterpret_cast<int (*)(int)>(dlsym(handle, "aoti_test_answer"));
    // the kernels are linked in, hidden: not exported by the library
    EXPECT_EQ(dlsym(handle, "aoti_test_twice"), nullptr);
    *answer = fn ? fn(7) : -1;
    dlclose(handle);
    return AOTI_OK;
  }
  std::vector<std::string> Entries() const { return aotic_test::list_dir(cache_); }
  std::string cache_;
  int libs_ = 0;
};

TEST_F(KernelCacheTest, SecondBuildTakesTheKernelsFromTheCacheWithTheSameBytes) {
  std::string first, second;
  int answer = 0;
  ASSERT_EQ(BuildModel(kKernels, &first, &answer), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(answer, 42);
  const std::vector<std::string> entries = Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].rfind("kernels-", 0), 0u) << entries[0];
  testing::internal::CaptureStderr();
  options_.verbose = true;
  ASSERT_EQ(BuildModel(kKernels, &second, &answer), AOTI_OK) << aoti_last_error();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("aotic: kernels: from the cache"), std::string::npos) << err;
  EXPECT_EQ(err.find("kernels.c"), std::string::npos) << "compiled again:\n" << err;
  EXPECT_EQ(answer, 42);
  EXPECT_TRUE(first == second) << "library sizes " << first.size() << " and " << second.size();
  EXPECT_EQ(Entries(), entries);
}

TEST_F(KernelCacheTest, AnEntryIsUsedAsItIsFound) {
  // Fill the cache with these kernels' object, then put another (sound) object under their name:
  // the next build links what the cache holds, which shows that it does not compile again.
  std::string so, other;
  int answer = 0;
  ASSERT_EQ(BuildModel(kKernels, &so, &answer), AOTI_OK) << aoti_last_error();
  const std::string entry = cache_ + "/" + Entries()[0];
  const std::string original = read_file(entry);
  std::string kernels5 = kKernels;
  kernels5.replace(kernels5.find("2 * x"), 5, "5 * x");
  ASSERT_EQ(BuildModel(kernels5.c_str(), &other, &answer), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(answer, 105);
  ASSERT_EQ(Entries().size(), 2u);  // another source: another entry
  std::string entry5;
  for (const std::string &e : Entries())
    if (cache_ + "/" + e != entry) entry5 = cache_ + "/" + e;
  write_file(entry, read_file(entry5));
  ASSERT_EQ(BuildModel(kKernels, &so, &answer), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(answer, 105);
  write_file(entry, original);
  ASSERT_EQ(BuildModel(kKernels, &so, &answer), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(answer, 42);
}

TEST_F(KernelCacheTest, DamagedEntryIsBuiltAgainWithAWarning) {
  std::string first, second;
  int answer = 0;
  ASSERT_EQ(BuildModel(kKernels, &first, &answer), AOTI_OK) << aoti_last_error();
  const std::string entry = cache_ + "/" + Entries()[0];
  const std::string original = read_file(entry);
  for (const size_t keep : {original.size() / 2, original.size() - 1, original.size()}) {
    std::string damaged = original.substr(0, keep);
    if (keep == original.size()) damaged[damaged.size() - 8] ^= 0x40;  // a flipped bit in the object
    write_file(entry, damaged);
    testing::internal::CaptureStderr();
    ASSERT_EQ(BuildModel(kKernels, &second, &answer), AOTI_OK) << aoti_last_error();
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("warning: the kernel cache entry '" + entry + "' is damaged"), std::string::npos) << err;
    EXPECT_EQ(answer, 42);
    EXPECT_TRUE(first == second);
    EXPECT_TRUE(read_file(entry) == original) << "the entry was not written again";
  }
}

TEST_F(KernelCacheTest, UnwritableCacheWarnsAndBuilds) {
  write_file(tmp_ + "/a-file", "not a folder\n");
  const std::string below_a_file = tmp_ + "/a-file/cache";
  options_.kernel_cache = below_a_file.c_str();
  std::string so;
  int answer = 0;
  testing::internal::CaptureStderr();
  ASSERT_EQ(BuildModel(kKernels, &so, &answer), AOTI_OK) << aoti_last_error();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(answer, 42);
  EXPECT_NE(err.find("warning: cannot write the kernel cache '" + below_a_file + "'"), std::string::npos) << err;
}

TEST_F(KernelCacheTest, NoneCachesNothingAndOverridesTheEnvironment) {
  const std::string env_cache = tmp_ + "/from-env";
  setenv("AOTI_KERNEL_CACHE", env_cache.c_str(), 1);
  options_.kernel_cache = "none";
  std::string so;
  int answer = 0;
  aoti_status st = BuildModel(kKernels, &so, &answer);
  EXPECT_EQ(st, AOTI_OK) << aoti_last_error();
  EXPECT_EQ(answer, 42);
  EXPECT_TRUE(list_dir(env_cache).empty());
  // Without an option the environment names the folder.
  options_.kernel_cache = nullptr;
  st = BuildModel(kKernels, &so, &answer);
  unsetenv("AOTI_KERNEL_CACHE");
  EXPECT_EQ(st, AOTI_OK) << aoti_last_error();
  EXPECT_EQ(list_dir(env_cache).size(), 1u);
}

TEST_F(KernelCacheTest, EachTargetHasItsOwnEntry) {
  std::string so;
  int answer = 0;
  for (const char *target : {"generic", "x86-64-v3", "x86-64-v4"}) {
    options_.target = target;
    ASSERT_EQ(BuildModel(kKernels, &so, &answer), AOTI_OK) << target << ": " << aoti_last_error();
  }
  EXPECT_EQ(Entries().size(), 3u);
  options_.cflags = "-DAOTI_SOME_FLAG=1";
  ASSERT_EQ(BuildModel(kKernels, &so, &answer), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(Entries().size(), 4u);
}

TEST_F(KernelCacheTest, KernelCompileErrorFailsTheBuildAndCachesNothing) {
  std::string so;
  int answer = 0;
  ASSERT_EQ(BuildModel("int aoti_test_twice(int x) { return undeclared_kernel_thing; }\n", &so, &answer),
            AOTI_ERROR_INTERNAL);
  const std::string msg = aoti_last_error();
  EXPECT_NE(msg.find("undeclared_kernel_thing"), std::string::npos) << msg;
  EXPECT_NE(msg.find("-c -o kernels.o kernels.c"), std::string::npos) << msg;
  EXPECT_TRUE(Entries().empty());
  EXPECT_TRUE(list_dir(tmp_).empty());  // no temporary folder left, no cache folder made
}

}  // namespace
