// test_cli.cc — the aotic command line, run as a separate process (AOTIC_PATH): usage, errors
// with their exit codes, and end to end on the torch 2.15 MLP fixture: the package it writes
// loads with the runtime and reproduces PyTorch eager's saved outputs, a second run gives the same
// bytes, and the typed wrapper, compiled and linked against the runtime, gives the same numbers.
// Bad input from tests/fixtures/bad/: unsupported ops are all listed and nothing is written; a
// program that mutates buffers compiles without the updates, with one warning.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "aoti/runtime.h"
#include "npz.h"
#include "test_util.h"

using aotic_test::command_result;
using aotic_test::file_exists;
using aotic_test::fresh_dir;
using aotic_test::list_dir;
using aotic_test::quote;
using aotic_test::read_file;
using aotic_test::run_command;
using aotic_test::write_file;

namespace {

const std::string kFixtures = std::string(AOTI_FIXTURES_DIR) + "/torch-2.15";

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("cli");
    ASSERT_FALSE(dir_.empty());
  }
  void TearDown() override {
    if (!HasFailure()) aotic_test::remove_tree(dir_);
  }
  command_result aotic(const std::string &args) {
    return run_command(quote(AOTIC_PATH) + " " + args, dir_);
  }
  std::string dir_;
};

// End-to-end tests need the fixture: a missing one is a failure, not a skip.
#define REQUIRE_FIXTURE(path) \
  ASSERT_TRUE(file_exists(path)) << "fixture missing: " << (path) << " (tests/fixtures/README.md)"

TEST_F(CliTest, HelpMentionsEveryOption) {
  command_result r = aotic("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char *opt : {"-o", "--output", "--name", "--wrapper-dir", "--dynamic", "--cc",
                          "--cflags", "--target", "--keep-temps", "--dump-ir", "-v", "--verbose", "-q",
                          "--quiet", "--version", "-h", "--help", "example"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt << " missing from:\n" << r.out;
  EXPECT_EQ(aotic("-h").out, r.out);
}

TEST_F(CliTest, VersionPrintsTheVersion) {
  command_result r = aotic("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("aotic ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(aoti_version()), std::string::npos) << r.out;
}

TEST_F(CliTest, UsageErrorsExitWith2) {
  struct {
    std::string args, message;
  } cases[] = {
      {"--bogus model.ep -o x.pt2", "unknown option '--bogus'"},
      {"model.ep", "no output"},
      {"-o x.pt2", "no input"},
      {"model.ep -o", "-o needs a value"},
      {"model.ep -o x.pt2 --name", "--name needs a value"},
      {"model.ep -o x.pt2 --name 9lives", "--name '9lives' is not a C identifier"},
      {"a.ep -o x.pt2 --name a --name b", "2 --name options for 1 input files"},
      {"a.ep -o x.pt2 --dynamic x=1..4", "--dynamic 'x=1..4' is not INPUT:DIM=MIN..MAX"},
      {"a.ep -o x.pt2 --dynamic x:0=1-4", "--dynamic 'x:0=1-4'"},
      {"d1/m.ep d2/m.ep -o x.pt2", "two models are named 'm'"},
  };
  for (const auto &c : cases) {
    command_result r = aotic(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find("aotic: error: "), std::string::npos) << c.args << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << ": " << r.err;
  }
  EXPECT_TRUE(list_dir(dir_).empty());
}

TEST_F(CliTest, MissingInputFileIsNamed) {
  std::string missing = dir_ + "/no-such-model.ep";
  command_result r = aotic(quote(missing) + " -o " + quote(dir_ + "/out.pt2"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("aotic: error: " + missing + ": ", 0), 0u) << r.err;
  EXPECT_TRUE(list_dir(dir_).empty());
}

TEST_F(CliTest, MissingWrapperFolderIsNamed) {
  std::string mlp = kFixtures + "/mlp.ep";
  command_result r = aotic(quote(mlp) + " --wrapper-dir " + quote(dir_ + "/nowhere") + " -o " +
                           quote(dir_ + "/out.pt2"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(dir_ + "/nowhere"), std::string::npos) << r.err;
  EXPECT_TRUE(list_dir(dir_).empty());
}

// Runs model `name` of `package` on every case of `samples` and compares with eager's outputs.
void expect_matches_samples(const std::string &package, const char *name, const char *source_file,
                            const std::string &samples) {
  npz_file npz;
  ASSERT_EQ(npz_read(samples.c_str(), &npz), AOTI_OK) << aoti_last_error();
  aoti_package *pkg = nullptr;
  aoti_model *model = nullptr;
  ASSERT_EQ(aoti_package_open(package.c_str(), &pkg), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_model_load(pkg, name, nullptr, &model), AOTI_OK) << aoti_last_error();
  size_t ni = aoti_model_num_inputs(model), no = aoti_model_num_outputs(model);
  int cases = 0;
  for (int k = 0;; k++) {
    std::string prefix = "case" + std::to_string(k);
    if (!npz_find(&npz, (prefix + ".input0").c_str())) break;
    cases++;
    std::vector<aoti_tensor> in(ni), out(no);
    for (size_t i = 0; i < ni; i++) {
      const npz_array *a = npz_find(&npz, (prefix + ".input" + std::to_string(i)).c_str());
      ASSERT_NE(a, nullptr);
      aoti_tensor_init(&in[i], a->dtype, a->rank, a->sizes, a->data);
    }
    for (size_t j = 0; j < no; j++) aoti_tensor_init(&out[j], AOTI_DTYPE_FLOAT32, 0, nullptr, nullptr);
    ASSERT_EQ(aoti_model_run(model, in.data(), ni, out.data(), no), AOTI_OK) << aoti_last_error();
    for (size_t j = 0; j < no; j++) {
      const npz_array *e = npz_find(&npz, (prefix + ".output" + std::to_string(j)).c_str());
      ASSERT_NE(e, nullptr);
      ASSERT_EQ(e->dtype, AOTI_DTYPE_FLOAT32);
      ASSERT_EQ(out[j].rank, e->rank);
      for (int32_t d = 0; d < e->rank; d++) EXPECT_EQ(out[j].sizes[d], e->sizes[d]);
      const float *got = static_cast<const float *>(out[j].data);
      const float *want = static_cast<const float *>(e->data);
      for (size_t x = 0; x < e->nbytes / sizeof(float); x++)
        EXPECT_NEAR(got[x], want[x], 1e-5 + 1e-4 * std::fabs(want[x])) << prefix << " output " << j << " [" << x << "]";
      free(out[j].data);
    }
  }
  EXPECT_GE(cases, 2);
  EXPECT_STREQ(aoti_model_metadata(model, "source_file"), source_file);
  EXPECT_STREQ(aoti_model_metadata(model, "model_name"), name);
  EXPECT_STREQ(aoti_model_metadata(model, "AOTI_DEVICE_KEY"), "cpu");
  EXPECT_STREQ(aoti_model_metadata(model, "target"), "native");
  aoti_model_unload(model);
  aoti_package_close(pkg);
  npz_free(&npz);
}

TEST_F(CliTest, MlpEndToEnd) {
  std::string mlp = kFixtures + "/mlp.ep";
  REQUIRE_FIXTURE(mlp);
  REQUIRE_FIXTURE(kFixtures + "/mlp.samples.npz");
  std::string gen = dir_ + "/gen";
  ASSERT_EQ(mkdir(gen.c_str(), 0700), 0);
  command_result r = aotic(quote(mlp) + " --wrapper-dir " + quote(gen) + " -o " +
                           quote(dir_ + "/mlp.pt2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("mlp: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("constants, package " + dir_ + "/mlp.pt2 ("), std::string::npos) << r.out;
  EXPECT_EQ(list_dir(gen), (std::vector<std::string>{"mlp.c", "mlp.h"}));
  expect_matches_samples(dir_ + "/mlp.pt2", "mlp", "mlp.ep", kFixtures + "/mlp.samples.npz");
  // The typed header states the planned arena, as the metadata does: at most the intermediates
  // (two 16-float hidden activations and the 1-float pre-sigmoid) at the largest batch, 1024.
  aoti_package *pkg = nullptr;
  aoti_model *model = nullptr;
  ASSERT_EQ(aoti_package_open((dir_ + "/mlp.pt2").c_str(), &pkg), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_model_load(pkg, "mlp", nullptr, &model), AOTI_OK) << aoti_last_error();
  const std::string arena = aoti_model_metadata(model, "arena_bytes_max");
  aoti_model_unload(model);
  aoti_package_close(pkg);
  EXPECT_NE(read_file(gen + "/mlp.h").find("#define MLP_ARENA_BYTES_MAX " + arena + "ULL\n"), std::string::npos)
      << arena;
  EXPECT_GT(std::stoull(arena), 0u);
  EXPECT_LE(std::stoull(arena), (2u * 16 + 1) * 1024 * 4);

  // A second run, into another folder, gives the same bytes.
  std::string again = dir_ + "/again";
  ASSERT_EQ(mkdir(again.c_str(), 0700), 0);
  r = aotic("-q " + quote(mlp) + " -o " + quote(again + "/mlp.pt2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_TRUE(read_file(dir_ + "/mlp.pt2") == read_file(again + "/mlp.pt2"));
}

TEST_F(CliTest, MlpWrapperRunsLikeTheRuntime) {
  std::string mlp = kFixtures + "/mlp.ep";
  REQUIRE_FIXTURE(mlp);
  REQUIRE_FIXTURE(kFixtures + "/mlp.samples.npz");
  command_result r = aotic(quote(mlp) + " --name net --wrapper-dir " + quote(dir_) + " -o " +
                           quote(dir_ + "/net.pt2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  npz_file npz;
  ASSERT_EQ(npz_read((kFixtures + "/mlp.samples.npz").c_str(), &npz), AOTI_OK) << aoti_last_error();
  const npz_array *x = npz_find(&npz, "case0.input0");
  const npz_array *y = npz_find(&npz, "case0.output0");
  ASSERT_TRUE(x && y);
  write_file(dir_ + "/x.bin", std::string(static_cast<const char *>(x->data), x->nbytes));
  // A program using only the wrapper: reads x, runs, writes y.
  write_file(dir_ + "/use.c",
             "#include <stdio.h>\n#include <stdlib.h>\n#include \"net.h\"\n"
             "int main(int argc, char **argv) {\n"
             "  if (argc != 2) return 2;\n"
             "  int64_t batch = atoll(argv[1]);\n"
             "  float *x = malloc(sizeof(float) * NET_X_NUMEL(batch));\n"
             "  float *y = malloc(sizeof(float) * NET_OUTPUT0_NUMEL(batch));\n"
             "  FILE *f = fopen(\"x.bin\", \"rb\");\n"
             "  if (!f || fread(x, sizeof(float), NET_X_NUMEL(batch), f) != (size_t)NET_X_NUMEL(batch)) return 3;\n"
             "  fclose(f);\n"
             "  net_model *m = NULL;\n"
             "  if (net_open(NULL, NULL, &m) != AOTI_OK) { fprintf(stderr, \"%s\\n\", aoti_last_error()); return 1; }\n"
             "  if (net_run(m, batch, x, y) != AOTI_OK) { fprintf(stderr, \"%s\\n\", aoti_last_error()); return 1; }\n"
             "  /* out of range: the runtime's check applies through the wrapper */\n"
             "  if (net_run(m, NET_X_SIZE0_MAX + 1, x, y) == AOTI_OK) return 4;\n"
             "  fprintf(stderr, \"%s\\n\", aoti_last_error());\n"
             "  f = fopen(\"y.bin\", \"wb\");\n"
             "  fwrite(y, sizeof(float), NET_OUTPUT0_NUMEL(batch), f);\n"
             "  fclose(f);\n  net_close(m);\n  return 0;\n}\n");
  std::string build = "cd " + quote(dir_) + " && " + aotic_test::system_cc() + " -std=c11 -Wall -Wextra -Werror use.c net.c -I . -I " +
                      quote(AOTI_RUNTIME_INCLUDE) + " " + quote(AOTI_RUNTIME_LIB) +
                      " -lzip -ljansson -lpthread -ldl -lm -o use";
  command_result b = run_command(build, dir_);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  command_result run =
      run_command("cd " + quote(dir_) + " && ./use " + std::to_string(x->sizes[0]), dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("x"), std::string::npos) << run.err;  // the range error names the input
  std::string got = read_file(dir_ + "/y.bin");
  ASSERT_EQ(got.size(), y->nbytes);
  const float *g = reinterpret_cast<const float *>(got.data());
  const float *w = static_cast<const float *>(y->data);
  for (size_t i = 0; i < y->nbytes / sizeof(float); i++)
    EXPECT_NEAR(g[i], w[i], 1e-5 + 1e-4 * std::fabs(w[i])) << i;
  npz_free(&npz);
}

TEST_F(CliTest, TwoModelsShareOnePackage) {
  std::string mlp = kFixtures + "/mlp.ep", core = kFixtures + "/mlp_core.ep";
  REQUIRE_FIXTURE(mlp);
  REQUIRE_FIXTURE(core);
  command_result r = aotic(quote(mlp) + " " + quote(core) + " --name first --name second -o " +
                           quote(dir_ + "/two.pt2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("first: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nsecond: "), std::string::npos) << r.out;
  aoti_package *pkg = nullptr;
  ASSERT_EQ(aoti_package_open((dir_ + "/two.pt2").c_str(), &pkg), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_package_model_count(pkg), 2u);
  EXPECT_STREQ(aoti_package_model_name(pkg, 0), "first");
  EXPECT_STREQ(aoti_package_model_name(pkg, 1), "second");
  aoti_package_close(pkg);
  expect_matches_samples(dir_ + "/two.pt2", "first", "mlp.ep", kFixtures + "/mlp.samples.npz");
  expect_matches_samples(dir_ + "/two.pt2", "second", "mlp_core.ep",
                         kFixtures + "/mlp_core.samples.npz");
}

TEST_F(CliTest, CompilerOptionsReachTheBuild) {
  std::string mlp = kFixtures + "/mlp.ep";
  REQUIRE_FIXTURE(mlp);
  std::string gen = dir_ + "/gen";
  ASSERT_EQ(mkdir(gen.c_str(), 0700), 0);
  std::string tail = " --wrapper-dir " + quote(gen) + " -o " + quote(dir_ + "/m.pt2");
  command_result r = aotic(quote(mlp) + " --cc aoti-no-such-cc" + tail);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "aotic: error: " + mlp + ": cannot run 'aoti-no-such-cc': " + strerror(ENOENT) + "\n");
  r = aotic(quote(mlp) + " --target x86-64-v3 --cflags '-DX=1 -fno-such-flag-xyz'" + tail);
  EXPECT_EQ(r.exit_code, 1);
  // (the first compiler run is aotic asking the target's GEMM tile: it fails first)
  EXPECT_NE(r.err.find("-std=c11 -march=x86-64-v3 -DX=1 -fno-such-flag-xyz -E -P -o probe.i probe.c"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("check the extra flags"), std::string::npos) << r.err;
  r = aotic(quote(mlp) + " --target 'x86 64'" + tail);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--target 'x86 64' is not a CPU name"), std::string::npos) << r.err;
  // Nothing written by the failed runs.
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"gen"});
  EXPECT_TRUE(list_dir(gen).empty());

  // --keep-temps says where the build folder is, and leaves the source and library there.
  r = aotic("--keep-temps --dump-ir " + quote(mlp) + tail);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string kept = "aotic: build: kept temporary files in ";
  size_t at = r.err.find(kept);
  ASSERT_NE(at, std::string::npos) << r.err;
  std::string folder = r.err.substr(at + kept.size(), r.err.find('\n', at) - at - kept.size());
  const std::vector<std::string> kept_files = list_dir(folder);
  for (const char *file : {"mlp.c", "mlp.1.o", "mlp.2.o", "kernels.o", "mlp.so"})  // kernels.c when not cached
    EXPECT_NE(std::find(kept_files.begin(), kept_files.end(), file), kept_files.end()) << file;
  aotic_test::remove_tree(folder);
  // --dump-ir prints the graph after the passes: every node of the MLP is there.
  EXPECT_NE(r.err.find("graph of model 'mlp' after passes"), std::string::npos) << r.err;
  for (const char *op : {"relu", "sigmoid"}) EXPECT_NE(r.err.find(op), std::string::npos) << op;
}

TEST_F(CliTest, FailedWrapperRemovesEverythingWritten) {
  std::string mlp = kFixtures + "/mlp.ep", core = kFixtures + "/mlp_core.ep";
  REQUIRE_FIXTURE(mlp);
  REQUIRE_FIXTURE(core);
  // A folder named like the second model's header makes that wrapper's final rename fail after
  // the package and the first wrapper are written.
  ASSERT_EQ(mkdir((dir_ + "/second.h").c_str(), 0700), 0);
  command_result r = aotic(quote(mlp) + " " + quote(core) + " --name first --name second" +
                           " --wrapper-dir " + quote(dir_) + " -o " + quote(dir_ + "/two.pt2"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("aotic: error: " + dir_ + "/second.h: ", 0), 0u) << r.err;
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"second.h"});
}

TEST_F(CliTest, DynamicRangeIsChecked) {
  std::string mlp = kFixtures + "/mlp.ep";
  REQUIRE_FIXTURE(mlp);
  std::string out = quote(dir_ + "/m.pt2");
  command_result r = aotic(quote(mlp) + " --dynamic x:0=1..5000 -o " + out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("1..5000 is not inside the exported range 1..1024"), std::string::npos)
      << r.err;
  r = aotic(quote(mlp) + " --dynamic x:1=1..4 -o " + out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("dimension 1 of input 'x' is static (size 10)"), std::string::npos) << r.err;
  r = aotic(quote(mlp) + " --dynamic y:0=1..4 -o " + out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no model has an input named 'y'"), std::string::npos) << r.err;
  EXPECT_TRUE(list_dir(dir_).empty());

  // A narrowed range reaches the package's call spec.
  r = aotic("-v " + quote(mlp) + " --dynamic x:0=2..64 -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char *phase : {"read", "bind", "passes", "codegen", "build", "package", "wrapper", "total"})
    EXPECT_NE(r.err.find(std::string("aotic: ") + phase), std::string::npos) << phase << "\n" << r.err;
  aoti_package *pkg = nullptr;
  aoti_model *model = nullptr;
  ASSERT_EQ(aoti_package_open((dir_ + "/m.pt2").c_str(), &pkg), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_model_load(pkg, "mlp", nullptr, &model), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_model_num_symbols(model), 1u);
  aoti_symbol_spec s;
  ASSERT_EQ(aoti_model_symbol_spec(model, 0, &s), AOTI_OK);
  EXPECT_EQ(s.min, 2);
  EXPECT_EQ(s.max, 64);
  aoti_model_unload(model);
  aoti_package_close(pkg);
}

// tests/fixtures/bad/ (tools/export_bad_fixtures.py, torch 2.15): programs aotic must refuse or
// compile with a warning.
const std::string kBadFixtures = std::string(AOTI_FIXTURES_DIR) + "/bad";

// unsupported_ops.ep uses lgamma (nodes lgamma, lgamma_1), sort (sort) and i0 (i0, i0_1) beside
// supported linear and add: the node names and targets are the ones
// torch wrote into the file (export_bad_fixtures.py prints them).
TEST_F(CliTest, UnsupportedOpsAreAllListed) {
  std::string ep = kBadFixtures + "/unsupported_ops.ep";
  REQUIRE_FIXTURE(ep);
  std::string gen = dir_ + "/gen";
  ASSERT_EQ(mkdir(gen.c_str(), 0700), 0);
  command_result r = aotic(quote(ep) + " --wrapper-dir " + quote(gen) + " -o " +
                           quote(dir_ + "/unsupported_ops.pt2"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("aotic: error: " + ep + ": ", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("unsupported ops (3): "), std::string::npos) << r.err;
  for (const char *listed : {"torch.ops.aten.lgamma.default (nodes: lgamma, lgamma_1)",
                             "torch.ops.aten.sort.default (nodes: sort)",
                             "torch.ops.aten.i0.default (nodes: i0, i0_1)"})
    EXPECT_NE(r.err.find(listed), std::string::npos) << listed << "\n" << r.err;
  for (const char *supported : {"linear", "aten.add"})
    EXPECT_EQ(r.err.find(supported), std::string::npos) << supported << "\n" << r.err;
  // No package, no wrapper, no temporary file in either folder.
  EXPECT_EQ(list_dir(dir_), std::vector<std::string>{"gen"});
  EXPECT_TRUE(list_dir(gen).empty());
}

// mutation.ep returns relu(fc(x)) and also updates buffers `calls` and `total`: aotic warns once,
// naming both, and builds a model with only the user output, which gives eager's outputs.
TEST_F(CliTest, MutationIsDroppedWithAWarning) {
  std::string ep = kBadFixtures + "/mutation.ep", samples = kBadFixtures + "/mutation.samples.npz";
  REQUIRE_FIXTURE(ep);
  REQUIRE_FIXTURE(samples);
  std::string gen = dir_ + "/gen";
  ASSERT_EQ(mkdir(gen.c_str(), 0700), 0);
  command_result r = aotic("-q " + quote(ep) + " --wrapper-dir " + quote(gen) + " -o " +
                           quote(dir_ + "/mutation.pt2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "aotic: warning: " + ep +
                       ": model 'mutation' mutates buffer(s) calls, total; this inference build "
                       "drops those updates\n");
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(list_dir(gen), (std::vector<std::string>{"mutation.c", "mutation.h"}));

  aoti_package *pkg = nullptr;
  aoti_model *model = nullptr;
  ASSERT_EQ(aoti_package_open((dir_ + "/mutation.pt2").c_str(), &pkg), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_model_load(pkg, "mutation", nullptr, &model), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(aoti_model_num_inputs(model), 1u);
  EXPECT_EQ(aoti_model_num_outputs(model), 1u);
  aoti_model_unload(model);
  aoti_package_close(pkg);
  expect_matches_samples(dir_ + "/mutation.pt2", "mutation", "mutation.ep", samples);
}

}  // namespace
