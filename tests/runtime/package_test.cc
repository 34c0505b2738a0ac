// package_test.cc — what aoti_package_open and aoti_model_load refuse, with which status and
// message, and that a failed load leaves nothing on disk.
#include <gtest/gtest.h>

#include <string>

#include "aoti/runtime.h"
#include "test_package.h"

using namespace aoti_test;

namespace {

// Opens `path`, expecting `status` and a message containing every one of `parts`.
void ExpectOpenError(const std::string &path, aoti_status status, std::vector<std::string> parts) {
  aoti_package *package = reinterpret_cast<aoti_package *>(0x1);  // must stay untouched
  EXPECT_EQ(aoti_package_open(path.c_str(), &package), status) << aoti_last_error();
  EXPECT_EQ(package, reinterpret_cast<aoti_package *>(0x1));
  for (const std::string &part : parts)
    EXPECT_NE(std::string(aoti_last_error()).find(part), std::string::npos)
        << "'" << part << "' not in: " << aoti_last_error();
}

// Writes a package with `model`, loads it, expects `status` and a message holding `parts`, and
// checks the load left no folder behind.
void ExpectLoadError(const TestModel &model, const char *name, aoti_status status,
                     std::vector<std::string> parts) {
  std::string tmpdir = UseFreshTmpDir();
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"pkg", "pt2", {model}});
  aoti_package *package = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  aoti_model *loaded = nullptr;
  EXPECT_EQ(aoti_model_load(package, name, nullptr, &loaded), status) << aoti_last_error();
  EXPECT_EQ(loaded, nullptr);
  for (const std::string &part : parts)
    EXPECT_NE(std::string(aoti_last_error()).find(part), std::string::npos)
        << "'" << part << "' not in: " << aoti_last_error();
  EXPECT_TRUE(ListDir(tmpdir).empty()) << "the failed load left files in " << tmpdir;
  aoti_package_close(package);
}

TEST(PackageOpen, MissingFile) {
  std::string path = TestFile(".absent.pt2");
  ExpectOpenError(path, AOTI_ERROR_NOT_FOUND, {"cannot open package '" + path + "'", "no such file"});
}

TEST(PackageOpen, NotAZip) {
  std::string path = TestFile(".pt2");
  WriteFile(path, "this is a text file, not a zip archive at all\n");
  ExpectOpenError(path, AOTI_ERROR_FORMAT, {path + " is not a .pt2 package: ", "Not a zip archive"});
}

TEST(PackageOpen, Truncated) {
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"model", "pt2", {FakeModel()}});
  std::string bytes = ReadFile(path);
  WriteFile(path, bytes.substr(0, bytes.size() / 2));
  ExpectOpenError(path, AOTI_ERROR_FORMAT, {path + " is not a .pt2 package: "});
}

TEST(PackageOpen, CorruptCentralDirectory) {
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"model", "pt2", {FakeModel()}});
  std::string bytes = ReadFile(path);
  size_t central = bytes.rfind(std::string("PK\x01\x02", 4));  // the last central directory record
  ASSERT_NE(central, std::string::npos);
  bytes[central + 2] = 'X';  // break its signature
  WriteFile(path, bytes);
  ExpectOpenError(path, AOTI_ERROR_FORMAT, {path + " is not a .pt2 package: "});
}

TEST(PackageOpen, WrongArchiveFormat) {
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"model", "zip", {FakeModel()}});
  ExpectOpenError(path, AOTI_ERROR_FORMAT,
                  {path + " is not a .pt2 package: 'model/archive_format' holds 'zip', expected 'pt2'"});
}

TEST(PackageOpen, NoArchiveFormat) {
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"model", std::nullopt, {FakeModel()}});
  ExpectOpenError(path, AOTI_ERROR_FORMAT,
                  {path + " is not a .pt2 package: it has no entry 'model/archive_format'"});
}

TEST(PackageOpen, EntriesOutsideAFolder) {
  std::string path = TestFile(".pt2");
  WriteZip(path, {{"archive_format", "pt2"}});
  ExpectOpenError(path, AOTI_ERROR_FORMAT, {"its first entry 'archive_format' is not inside a folder"});
}

TEST(ModelLoad, UnknownNameListsTheModels) {
  TestModel other = FakeModel("other");
  std::string tmpdir = UseFreshTmpDir();
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"pkg", "pt2", {FakeModel("model"), other}});
  aoti_package *package = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  aoti_model *model = nullptr;
  EXPECT_EQ(aoti_model_load(package, "mdoel", nullptr, &model), AOTI_ERROR_NOT_FOUND);
  EXPECT_EQ(std::string(aoti_last_error()),
            "package '" + path + "' has no model 'mdoel' (its models: 'model', 'other')");
  EXPECT_EQ(model, nullptr);
  aoti_package_close(package);
}

TEST(ModelLoad, WrongAbiVersion) {
  ExpectLoadError(FakeModel("model", FAKE_MODEL_OLD_ABI_SO), "model", AOTI_ERROR_VERSION,
                  {"model 'model' was compiled for ABI v1, this runtime supports v2: rebuild the "
                   "package with the matching aotic"});
}

TEST(ModelLoad, MissingConstantEntry) {
  TestModel model = FakeModel();
  model.entries.erase("weight_1");
  ExpectLoadError(model, "model", AOTI_ERROR_NOT_FOUND,
                  {"model 'model': constant 'b': ", "no entry 'pkg/data/aotinductor/model/weight_1'"});
}

TEST(ModelLoad, ConstantOfTheWrongSize) {
  ExpectLoadError(FakeModel("model", FAKE_MODEL_NBYTES_SO), "model", AOTI_ERROR_FORMAT,
                  {"model 'model': constant 'w' (entry 'pkg/data/aotinductor/model/weight_0') "
                   "should hold 20 bytes, the package has 16"});
}

TEST(ModelLoad, InvalidLibraryTable) {
  ExpectLoadError(FakeModel("model", FAKE_MODEL_RANK9_SO), "model", AOTI_ERROR_FORMAT,
                  {"model 'model': invalid library table: input #0 ('x') has a rank outside 0..8"});
}

TEST(ModelLoad, LibraryThatIsNotAnElfFile) {
  TestModel model = FakeModel();
  model.library_path = TestFile(".notelf");
  WriteFile(model.library_path, "not a shared library");
  ExpectLoadError(model, "model", AOTI_ERROR_FORMAT, {"model 'model': cannot load its library: "});
}

TEST(ModelLoad, MetadataThatIsNotAnObjectOfStrings) {
  TestModel model = FakeModel();
  model.metadata = R"({"aotic_version": 3})";
  ExpectLoadError(model, "model", AOTI_ERROR_FORMAT,
                  {"pkg/data/aotinductor/model/model_metadata.json: the value of 'aotic_version' "
                   "is not a string"});
  model.metadata = "[1, 2";
  ExpectLoadError(model, "model", AOTI_ERROR_FORMAT,
                  {"pkg/data/aotinductor/model/model_metadata.json: invalid JSON"});
}

TEST(ModelLoad, CorruptLibraryEntryFailsItsCrc) {
  std::string tmpdir = UseFreshTmpDir();
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"pkg", "pt2", {FakeModel()}});
  std::string bytes = ReadFile(path);
  std::string library = ReadFile(FAKE_MODEL_SO);
  size_t at = bytes.find(library.substr(0, 64));  // the stored .so's first bytes
  ASSERT_NE(at, std::string::npos);
  bytes[at + library.size() / 2] ^= 0x5a;
  WriteFile(path, bytes);
  aoti_package *package = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  aoti_model *model = nullptr;
  EXPECT_EQ(aoti_model_load(package, "model", nullptr, &model), AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find("CRC error"), std::string::npos) << aoti_last_error();
  EXPECT_NE(std::string(aoti_last_error()).find("'pkg/data/aotinductor/model/model.so'"),
            std::string::npos) << aoti_last_error();
  EXPECT_TRUE(ListDir(tmpdir).empty());
  aoti_package_close(package);
}

TEST(ModelLoad, BadOptions) {
  std::string path = TestFile(".pt2");
  WritePackage(path, PackageSpec{"pkg", "pt2", {FakeModel()}});
  aoti_package *package = nullptr;
  ASSERT_EQ(aoti_package_open(path.c_str(), &package), AOTI_OK) << aoti_last_error();
  aoti_model_options options;
  aoti_model_options_init(&options);
  options.num_runners = 0;
  aoti_model *model = nullptr;
  EXPECT_EQ(aoti_model_load(package, "model", &options, &model), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "aoti_model_load: num_runners must be at least 1, got 0");
  options.num_runners = 1;
  options.num_threads = -1;
  EXPECT_EQ(aoti_model_load(package, "model", &options, &model), AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(aoti_last_error(), "aoti_model_load: num_threads must be 0 (one per CPU) or more, got -1");
  EXPECT_EQ(model, nullptr);
  aoti_package_close(package);
}

}  // namespace
