// aoti_run_test.cc — aoti-run end to end on the fake model's package: samples that match (exit 0),
// samples that do not (exit 1), tolerances, --info, and usage errors (exit 2).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_package.h"

using namespace aoti_test;

namespace {

struct Result {
  int exit_code;
  std::string out;
};

Result RunTool(const std::string &args) {
  // Inside the braces "2>&1" sends the tool's messages into the captured stdout, in the order
  // the tool wrote them.
  CommandResult r =
      RunCommand("{ " + ShellQuote(AOTI_RUN_EXE) + " " + args + " 2>&1; }", AOTI_TEST_TMP_DIR);
  return {r.exit_code, r.out};
}

std::string LastLine(const std::string &text) {
  size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

class AotiRunTest : public testing::Test {
 protected:
  void SetUp() override {
    UseFreshTmpDir();
    package_ = TestFile(".pt2");
    WritePackage(package_, PackageSpec{"model", "pt2", {FakeModel()}});
  }
  // Samples for batches 3 and 1 with the reference outputs; `nudge` is added to output0[0] of
  // case 1.
  std::string WriteSamples(float nudge) {
    std::vector<std::pair<std::string, std::string>> entries;
    int64_t batches[2] = {3, 1};
    for (int k = 0; k < 2; k++) {
      int64_t n = batches[k];
      std::vector<float> x = MakeX(n, k), e = MakeE(n, k);
      std::vector<float> y = ReferenceY(x), f = ReferenceF(e);
      if (k == 1) y[0] += nudge;
      std::string c = "case" + std::to_string(k);
      std::string batch = std::to_string(n), odd = std::to_string(2 * n + 1);
      entries.emplace_back(c + ".input0.npy", Npy("<f4", "(" + batch + ", 4)", Bytes(x)));
      entries.emplace_back(c + ".input1.npy", Npy("<f4", "(" + odd + ",)", Bytes(e)));
      entries.emplace_back(c + ".output0.npy", Npy("<f4", "(" + batch + ", 4)", Bytes(y)));
      entries.emplace_back(c + ".output1.npy", Npy("<f4", "(" + odd + ",)", Bytes(f)));
    }
    std::string path = TestFile(nudge == 0 ? ".pass.npz" : ".fail.npz");
    WriteZip(path, entries);
    return path;
  }
  std::string package_;
};

TEST_F(AotiRunTest, MatchingSamplesPass) {
  Result r = RunTool("'" + package_ + "' --samples '" + WriteSamples(0) + "'");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(LastLine(r.out), "4 passed, 0 failed") << r.out;
  EXPECT_NE(r.out.find("case 1 output 1: max abs error 0, max rel error 0: pass"), std::string::npos)
      << r.out;
}

TEST_F(AotiRunTest, DifferentSamplesFail) {
  std::string samples = WriteSamples(0.01f);
  Result r = RunTool("'" + package_ + "' --model model --samples '" + samples + "' --runs 3");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(LastLine(r.out), "3 passed, 1 failed") << r.out;
  EXPECT_NE(r.out.find("case 1 output 0: max abs error 0.01"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("case 0: 3 runs"), std::string::npos) << r.out;

  Result loose = RunTool("'" + package_ + "' --samples '" + samples + "' --atol 0.02");
  EXPECT_EQ(loose.exit_code, 0) << loose.out;
  EXPECT_EQ(LastLine(loose.out), "4 passed, 0 failed") << loose.out;
}

TEST_F(AotiRunTest, ThreadsOption) {
  const std::string samples = WriteSamples(0);
  Result r = RunTool("'" + package_ + "' --samples '" + samples + "' --threads 3 --runs 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(LastLine(r.out), "4 passed, 0 failed") << r.out;
  for (const char *bad : {"-1", "1.5", "x"}) {
    Result b = RunTool("'" + package_ + "' --samples '" + samples + "' --threads " + bad);
    EXPECT_EQ(b.exit_code, 2) << bad;
    EXPECT_NE(b.out.find(std::string("--threads wants a whole number 0..1024 (0: one per CPU), got '") + bad + "'"),
              std::string::npos)
        << b.out;
  }
}

TEST_F(AotiRunTest, InfoPrintsTheCallSpec) {
  Result r = RunTool("'" + package_ + "' --info");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  for (const char *line : {"model model\n", "  input 0: x float32[s0, 4]\n",
                           "  input 1: e float32[2*s0 + 1]\n", "  symbol s0: 1..1024\n",
                           "  output 0: output0 float32[s0, 4]\n", "  metadata source_file: fake.ep\n"})
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing '" << line << "' in:\n" << r.out;
}

TEST_F(AotiRunTest, InfoDescribesEveryModelAndSamplesNeedAChoice) {
  std::string two = TestFile(".two.pt2");
  WritePackage(two, PackageSpec{"two", "pt2", {FakeModel("first"), FakeModel("second")}});
  Result info = RunTool("'" + two + "' --info");
  EXPECT_EQ(info.exit_code, 0) << info.out;
  EXPECT_NE(info.out.find("model first\n"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("model second\n"), std::string::npos) << info.out;

  Result ambiguous = RunTool("'" + two + "' --samples '" + TestFile(".unused.npz") + "'");
  EXPECT_EQ(ambiguous.exit_code, 2);
  EXPECT_NE(ambiguous.out.find("the package holds 2 models; choose one with --model: first second"),
            std::string::npos) << ambiguous.out;
}

TEST_F(AotiRunTest, UsageAndLoadErrors) {
  Result none = RunTool("'" + package_ + "'");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.out.find("usage: aoti-run PACKAGE"), std::string::npos) << none.out;

  Result wrong_model = RunTool("'" + package_ + "' --model nope --info");
  EXPECT_EQ(wrong_model.exit_code, 2);
  EXPECT_NE(wrong_model.out.find("has no model 'nope' (its models: 'model')"), std::string::npos)
      << wrong_model.out;

  std::string missing = TestFile(".absent.npz");
  Result no_samples = RunTool("'" + package_ + "' --samples '" + missing + "'");
  EXPECT_EQ(no_samples.exit_code, 2);
  EXPECT_NE(no_samples.out.find("cannot open '" + missing + "'"), std::string::npos) << no_samples.out;
}

TEST_F(AotiRunTest, InputsThatFailTheChecksFailTheCase) {
  std::string samples = TestFile(".bad.npz");
  std::vector<float> x = MakeX(2, 0), e = MakeE(3, 0);  // e's size disagrees with x's batch
  WriteZip(samples, {{"case0.input0.npy", Npy("<f4", "(2, 4)", Bytes(x))},
                     {"case0.input1.npy", Npy("<f4", "(7,)", Bytes(e))},
                     {"case0.output0.npy", Npy("<f4", "(2, 4)", Bytes(ReferenceY(x)))},
                     {"case0.output1.npy", Npy("<f4", "(7,)", Bytes(ReferenceF(e)))}});
  Result r = RunTool("'" + package_ + "' --samples '" + samples + "'");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("input 'e' (#1) dim 0: size 7 gives s0 = 3"), std::string::npos) << r.out;
  EXPECT_EQ(LastLine(r.out), "0 passed, 2 failed") << r.out;
}

}  // namespace
