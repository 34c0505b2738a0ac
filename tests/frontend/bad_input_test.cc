// Damaged and foreign inputs: each must fail with the right status and a message naming the
// file, the entry, or the FQN at fault, and leave the output graph untouched.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_util.h"

using namespace aoti_test;

namespace {

// The newest fixture folder with the given weights layout ("raw" for 2.9+, "pickled" for 2.8,
// "legacy" before), or "" when there is none.
std::string VersionWithLayout(const std::string &layout) {
  std::string found;
  for (const std::string &version : FixtureVersions()) {
    std::string ep = FixturePath(version, "mlp.ep");
    bool raw = !ZipFindEntry(ep, "data/weights/model_weights_config.json").empty();
    bool pickled = !ZipFindEntry(ep, "data/weights/model.pt").empty();
    bool legacy = !ZipFindEntry(ep, "serialized_exported_program.json").empty();
    if ((layout == "raw" && raw) || (layout == "pickled" && pickled) ||
        (layout == "legacy" && legacy))
      found = version;
  }
  return found;
}

// A copy of fixture `file` of `version` in the test's temporary folder.
std::string CopyOf(const std::string &version, const std::string &file) {
  std::string copy = TempPath(file);
  std::filesystem::copy_file(FixturePath(version, file), copy,
                             std::filesystem::copy_options::overwrite_existing);
  return copy;
}

// Reads `path`, expecting `status` and a message containing each of `words`.
void ExpectFailure(const std::string &path, aoti_status status,
                   std::initializer_list<std::string> words,
                   const aoti_frontend_options *options = nullptr) {
  aoti_graph *g = reinterpret_cast<aoti_graph *>(0x1);  // must stay untouched
  aoti_status got = aoti_frontend_read(path.c_str(), options, &g);
  std::string message = aoti_last_error();
  EXPECT_EQ(got, status) << aoti_status_name(got) << ": " << message;
  EXPECT_EQ(g, reinterpret_cast<aoti_graph *>(0x1));
  for (const std::string &word : words)
    EXPECT_NE(message.find(word), std::string::npos) << "'" << word << "' not in: " << message;
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    raw_ = VersionWithLayout("raw");
    ASSERT_FALSE(raw_.empty()) << "needs a torch 2.9+ fixture folder";
  }
  std::string raw_;
};

TEST_F(BadInput, MissingFile) {
  ExpectFailure(TempPath("absent.ep"), AOTI_ERROR_NOT_FOUND, {"absent.ep"});
}

TEST_F(BadInput, TruncatedArchive) {
  std::string original = ReadFile(FixturePath(raw_, "mlp.ep"));
  for (size_t keep :
       {size_t{0}, size_t{100}, original.size() / 2, original.size() - 30, original.size() - 1}) {
    SCOPED_TRACE(keep);
    std::string path = TempPath("truncated.ep");
    WriteFile(path, original.substr(0, keep));
    ExpectFailure(path, AOTI_ERROR_FORMAT, {"truncated.ep"});
  }
}

TEST_F(BadInput, CorruptBytesInProgramEntry) {
  // Flip a byte inside the stored JSON: the CRC check of the entry catches it.
  std::string path = CopyOf(raw_, "mlp.ep");
  std::string bytes = ReadFile(path);
  size_t at = bytes.find("\"graph_module\"");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] ^= 0x20;
  WriteFile(path, bytes);
  ExpectFailure(path, AOTI_ERROR_FORMAT, {"mlp.ep", "models/model.json"});
}

TEST_F(BadInput, InvalidJsonNamesFileEntryAndLine) {
  std::string path = CopyOf(raw_, "mlp.ep");
  std::string entry = ZipFindEntry(path, "models/model.json");
  std::string json = ZipRead(path, entry);
  ZipReplace(path, entry, json.substr(0, json.size() / 2));
  ExpectFailure(path, AOTI_ERROR_FORMAT, {"mlp.ep", "models/model.json", "line 1", "column"});
}

TEST_F(BadInput, WrongSchemaMajor) {
  std::string path = CopyOf(raw_, "mlp.ep");
  std::string entry = ZipFindEntry(path, "models/model.json");
  std::string json = ZipRead(path, entry);
  size_t at = json.find("\"major\": 8");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 10, "\"major\": 99");
  ZipReplace(path, entry, json);  // rewritten deflated: also covers compressed entries
  ExpectFailure(path, AOTI_ERROR_VERSION, {"mlp.ep", "models/model.json", "99.", "1 to 8"});
}

TEST_F(BadInput, DeflatedArchiveStillReads) {
  // Replacing an entry with its own bytes makes libzip store it deflated.
  std::string path = CopyOf(raw_, "mlp.ep");
  std::string entry = ZipFindEntry(path, "data/weights/weight_0");
  ZipReplace(path, entry, ZipRead(path, entry));
  Graph graph, reference;
  ASSERT_EQ(aoti_frontend_read(path.c_str(), nullptr, &graph.g), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_frontend_read(FixturePath(raw_, "mlp.ep").c_str(), nullptr, &reference.g),
            AOTI_OK);
  ASSERT_EQ(graph.g->num_constants, reference.g->num_constants);
  for (int32_t i = 0; i < graph.g->num_constants; i++) {
    ASSERT_EQ(graph.g->constants[i].nbytes, reference.g->constants[i].nbytes);
    EXPECT_EQ(memcmp(graph.g->constants[i].data, reference.g->constants[i].data,
                     graph.g->constants[i].nbytes),
              0);
  }
}

TEST_F(BadInput, MissingRawWeightFile) {
  std::string path = CopyOf(raw_, "mlp.ep");
  ZipDelete(path, ZipFindEntry(path, "data/weights/weight_0"));
  ExpectFailure(path, AOTI_ERROR_NOT_FOUND, {"mlp.ep", "data/weights/weight_0", "fc1.weight"});
}

TEST_F(BadInput, MissingWeightsConfig) {
  std::string path = CopyOf(raw_, "mlp.ep");
  ZipDelete(path, ZipFindEntry(path, "data/weights/model_weights_config.json"));
  ExpectFailure(path, AOTI_ERROR_NOT_FOUND,
                {"mlp.ep", "fc1.weight", "state dict", "data/weights/model_weights_config.json"});
}

TEST_F(BadInput, WeightMissingFromConfig) {
  std::string path = CopyOf(raw_, "mlp.ep");
  std::string entry = ZipFindEntry(path, "data/weights/model_weights_config.json");
  std::string config = ZipRead(path, entry);
  size_t at = config.find("\"fc2.bias\"");
  ASSERT_NE(at, std::string::npos);
  config.replace(at, 10, "\"fc9.bias\"");
  ZipReplace(path, entry, config);
  ExpectFailure(path, AOTI_ERROR_NOT_FOUND,
                {"fc2.bias", "state dict", "model_weights_config.json"});
}

TEST_F(BadInput, StoredShapeDiffersFromPlaceholder) {
  std::string path = CopyOf(raw_, "mlp.ep");
  std::string entry = ZipFindEntry(path, "data/weights/model_weights_config.json");
  std::string config = ZipRead(path, entry);
  size_t at = config.find("\"fc2.bias\"");
  ASSERT_NE(at, std::string::npos);
  at = config.find("\"sizes\": [{\"as_int\": 1}]", at);
  ASSERT_NE(at, std::string::npos);
  config.replace(at, strlen("\"sizes\": [{\"as_int\": 1}]"), "\"sizes\": [{\"as_int\": 2}]");
  ZipReplace(path, entry, config);
  ExpectFailure(path, AOTI_ERROR_FORMAT, {"mlp.ep", "'fc2.bias'", "placeholder"});
}

TEST_F(BadInput, ViewPastItsStorage) {
  std::string path = CopyOf(raw_, "strided.ep");
  std::string entry = ZipFindEntry(path, "data/weights/model_weights_config.json");
  std::string config = ZipRead(path, entry);
  size_t at = config.find("\"b\": {");
  ASSERT_NE(at, std::string::npos);
  at = config.find("\"storage_offset\": {\"as_int\": ", at);
  ASSERT_NE(at, std::string::npos);
  size_t value = at + strlen("\"storage_offset\": {\"as_int\": ");
  config.replace(value, config.find('}', value) - value, "1000");
  ZipReplace(path, entry, config);
  ExpectFailure(path, AOTI_ERROR_FORMAT, {"strided.ep", "'b'", "storage"});
}

TEST_F(BadInput, NeitherLayout) {
  std::string path = TempPath("other.zip");
  ZipCreate(path, {{"hello.txt", "hi"}, {"data/x.bin", "12345678"}});
  ExpectFailure(path, AOTI_ERROR_FORMAT,
                {"other.zip", "archive_format", "serialized_exported_program.json"});
}

TEST_F(BadInput, NotAZip) {
  std::string path = TempPath("text.ep");
  WriteFile(path, "this is not a zip archive, just text long enough to look like a file\n");
  ExpectFailure(path, AOTI_ERROR_FORMAT, {"text.ep"});
}

TEST_F(BadInput, UnknownArchiveVersion) {
  std::string path = CopyOf(raw_, "mlp.ep");
  ZipReplace(path, ZipFindEntry(path, "archive_version"), "7");
  ExpectFailure(path, AOTI_ERROR_VERSION, {"mlp.ep", "archive_version", "'7'"});
}

TEST_F(BadInput, UnknownProgramNameListsPrograms) {
  aoti_frontend_options options;
  aoti_frontend_options_init(&options);
  options.program_name = "encoder";
  ExpectFailure(FixturePath(raw_, "mlp.ep"), AOTI_ERROR_NOT_FOUND, {"'encoder'", "'model'"},
                &options);
}

TEST_F(BadInput, ProgramNameModelIsTheDefault) {
  aoti_frontend_options options;
  aoti_frontend_options_init(&options);
  options.program_name = "model";
  Graph graph;
  EXPECT_EQ(aoti_frontend_read(FixturePath(raw_, "mlp.ep").c_str(), &options, &graph.g), AOTI_OK)
      << aoti_last_error();
}

TEST(BadPickledInput, MissingPickledWeights) {
  int checked = 0;
  for (const char *layout : {"pickled", "legacy"}) {
    std::string version = VersionWithLayout(layout);
    if (version.empty()) continue;
    SCOPED_TRACE(version);
    checked++;
    std::string path = CopyOf(version, "mlp.ep");
    std::string entry = ZipFindEntry(path, "data/weights/model.pt");
    if (entry.empty()) entry = ZipFindEntry(path, "serialized_state_dict.pt");
    if (entry.empty()) entry = ZipFindEntry(path, "serialized_state_dict.json");
    ASSERT_FALSE(entry.empty());
    ZipDelete(path, entry);
    ExpectFailure(path, AOTI_ERROR_NOT_FOUND, {"mlp.ep", "fc1.weight", "state dict"});
  }
  EXPECT_GE(checked, 1) << "no fixture with pickled weights";
}

TEST(BadPickledInput, TruncatedNestedTorchSave) {
  int checked = 0;
  for (const char *layout : {"pickled", "legacy"}) {
    std::string version = VersionWithLayout(layout);
    if (version.empty()) continue;
    SCOPED_TRACE(version);
    checked++;
    std::string path = CopyOf(version, "mlp.ep");
    std::string entry = ZipFindEntry(path, "data/weights/model.pt");
    if (entry.empty()) entry = ZipFindEntry(path, "serialized_state_dict.pt");
    if (entry.empty()) entry = ZipFindEntry(path, "serialized_state_dict.json");
    std::string nested = ZipRead(path, entry);
    ZipReplace(path, entry, nested.substr(0, nested.size() / 2));
    std::string short_name =
        entry.substr(entry.find('/') == std::string::npos ? 0 : entry.find('/') + 1);
    ExpectFailure(path, AOTI_ERROR_FORMAT, {"mlp.ep", short_name});
  }
  EXPECT_GE(checked, 1) << "no fixture with pickled weights";
}

}  // namespace
