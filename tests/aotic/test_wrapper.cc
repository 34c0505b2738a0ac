// test_wrapper.cc — compiler/wrapper: the typed C wrapper of a hand-built graph is valid C, and
// its macros give the sizes the graph says (checked by compiling and running a program that uses
// them; the expected numbers are computed here from the shapes).
#include <gtest/gtest.h>

#include <string>

#include "ir/ir.h"
#include "test_util.h"
#include "wrapper/wrapper.h"

using aotic_test::file_exists;
using aotic_test::list_dir;
using aotic_test::quote;
using aotic_test::read_file;
using aotic_test::run_command;
using aotic_test::write_file;

namespace {

// Two dynamic sizes, inputs of two dtypes with a name that is not a C identifier, and an output
// whose size is a product of both symbols:
//   x: float32[s0, 10]   tok.ids: int64[s0, s1]   ->   output0: float32[s0, 1], output1: float32[s0*s1]
struct wrapper_graph {
  aoti_graph *g;
  wrapper_graph() {
    g = aoti_graph_create();
    int32_t s0 = aoti_graph_add_symbol(g, "s0", 1, 1024);
    int32_t s1 = aoti_graph_add_symbol(g, "s1", 2, 16);
    const aoti_sx *x_dims[2] = {aoti_sx_sym(g, s0), aoti_sx_const(g, 10)};
    aoti_value *x = aoti_graph_add_value(g, "x", AOTI_DTYPE_FLOAT32, 2, x_dims);
    aoti_graph_add_input(g, x);
    const aoti_sx *t_dims[2] = {aoti_sx_sym(g, s0), aoti_sx_sym(g, s1)};
    aoti_value *t = aoti_graph_add_value(g, "tok.ids", AOTI_DTYPE_INT64, 2, t_dims);
    aoti_graph_add_input(g, t);
    const aoti_sx *o0_dims[2] = {aoti_sx_sym(g, s0), aoti_sx_const(g, 1)};
    aoti_value *o0 = aoti_graph_add_value(g, "o0", AOTI_DTYPE_FLOAT32, 2, o0_dims);
    const aoti_sx *o1_dims[1] = {aoti_sx_mul(g, aoti_sx_sym(g, s0), aoti_sx_sym(g, s1))};
    aoti_value *o1 = aoti_graph_add_value(g, "o1", AOTI_DTYPE_FLOAT32, 1, o1_dims);
    aoti_graph_add_output(g, "output0", o0);
    aoti_graph_add_output(g, "output1", o1);
    aoti_graph_set_meta(g, "torch_version", "2.15.0");
    aoti_graph_set_meta(g, "source_file", "toy.ep");
  }
  ~wrapper_graph() { aoti_graph_destroy(g); }
};

class WrapperTest : public aotic_test::dir_test {
 protected:
  WrapperTest() : dir_test("wrapper") {}
};

TEST_F(WrapperTest, WritesHeaderAndSourceThatCompileCleanly) {
  wrapper_graph w;
  ASSERT_EQ(aoti_wrapper_write(w.g, "toy", "toy.pt2", 4096, dir_.c_str()), AOTI_OK) << aoti_last_error();
  EXPECT_EQ(list_dir(dir_), (std::vector<std::string>{"toy.c", "toy.h"}));
  std::string compile = aotic_test::system_cc() + " -std=c11 -Wall -Wextra -Wpedantic -Werror -c " +
                        quote(dir_ + "/toy.c") + " -I " + quote(AOTI_RUNTIME_INCLUDE) + " -o " +
                        quote(dir_ + "/toy.o");
  auto r = run_command(compile, dir_);
  EXPECT_EQ(r.exit_code, 0) << compile << "\n" << r.err << "\n" << read_file(dir_ + "/toy.c");
}

TEST_F(WrapperTest, HeaderDeclaresTheTypedApi) {
  wrapper_graph w;
  ASSERT_EQ(aoti_wrapper_write(w.g, "toy", "toy.pt2", 4096, dir_.c_str()), AOTI_OK) << aoti_last_error();
  // The run function's exact signature, checked by the compiler (an incompatible pointer
  // assignment is an error with -Werror).
  write_file(dir_ + "/sig.c",
             "#include \"toy.h\"\n"
             "aoti_status (*run_fn)(toy_model *, int64_t, int64_t, const float *, const int64_t *,\n"
             "                      float *, float *) = toy_run;\n"
             "aoti_status (*open_fn)(const char *, const aoti_model_options *, toy_model **) = toy_open;\n"
             "void (*close_fn)(toy_model *) = toy_close;\n"
             "aoti_model *(*handle_fn)(toy_model *) = toy_handle;\n");
  std::string compile = aotic_test::system_cc() + " -std=c11 -Wall -Wextra -Werror -c " + quote(dir_ + "/sig.c") +
                        " -I " + quote(dir_) + " -I " + quote(AOTI_RUNTIME_INCLUDE) + " -o " +
                        quote(dir_ + "/sig.o");
  auto r = run_command(compile, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << read_file(dir_ + "/toy.h");
  std::string h = read_file(dir_ + "/toy.h");
  // The comment tells where the model comes from and names the exported symbols.
  EXPECT_NE(h.find("toy.ep"), std::string::npos);
  EXPECT_NE(h.find("torch 2.15.0"), std::string::npos);
  EXPECT_NE(h.find("symbol s0"), std::string::npos);
  EXPECT_NE(h.find("symbol s1"), std::string::npos);
  EXPECT_NE(h.find("x_size0"), std::string::npos);
  EXPECT_NE(h.find("tok_ids_size1"), std::string::npos);
  EXPECT_NE(h.find("#include \"aoti/runtime.h\""), std::string::npos);
}

TEST_F(WrapperTest, MacrosGiveTheGraphSizes) {
  wrapper_graph w;
  ASSERT_EQ(aoti_wrapper_write(w.g, "toy", "my \"odd\" pkg.pt2", 4096, dir_.c_str()), AOTI_OK)
      << aoti_last_error();
  write_file(dir_ + "/macros.c",
             "#include <stdio.h>\n#include <string.h>\n#include \"toy.h\"\n"
             "int main(void) {\n"
             "  printf(\"%d %d\\n\", TOY_NUM_INPUTS, TOY_NUM_OUTPUTS);\n"
             "  printf(\"%lld %lld %lld %lld\\n\", (long long)TOY_X_SIZE0_MIN, (long long)TOY_X_SIZE0_MAX,\n"
             "         (long long)TOY_TOK_IDS_SIZE1_MIN, (long long)TOY_TOK_IDS_SIZE1_MAX);\n"
             "  printf(\"%d %d %d %d\\n\", TOY_X_RANK, TOY_TOK_IDS_RANK, TOY_OUTPUT0_RANK, TOY_OUTPUT1_RANK);\n"
             "  int64_t a = 5, b = 3;\n"
             "  printf(\"%lld %lld %lld %lld\\n\", (long long)TOY_X_NUMEL(a, b), (long long)TOY_TOK_IDS_NUMEL(a, b),\n"
             "         (long long)TOY_OUTPUT0_NUMEL(a, b), (long long)TOY_OUTPUT1_NUMEL(a + 1, b - 1));\n"
             "  printf(\"%s\\n\", TOY_PACKAGE_FILE);\n"
             "  return 0;\n}\n");
  std::string exe = dir_ + "/macros";
  std::string compile = aotic_test::system_cc() + " -std=c11 -Wall -Wextra -Werror " + quote(dir_ + "/macros.c") +
                        " -I " + quote(dir_) + " -I " + quote(AOTI_RUNTIME_INCLUDE) + " -o " +
                        quote(exe);
  auto c = run_command(compile, dir_);
  ASSERT_EQ(c.exit_code, 0) << c.err << "\n" << read_file(dir_ + "/toy.h");
  auto r = run_command(quote(exe), dir_);
  ASSERT_EQ(r.exit_code, 0);
  // Expected from the shapes: x = a*10, tok.ids = a*b, output0 = a*1, output1 = (a+1)*(b-1).
  std::string expected = "2 2\n1 1024 2 16\n2 2 2 1\n" + std::to_string(5 * 10) + " " +
                         std::to_string(5 * 3) + " " + std::to_string(5 * 1) + " " +
                         std::to_string(6 * 2) + "\nmy \"odd\" pkg.pt2\n";
  EXPECT_EQ(r.out, expected) << read_file(dir_ + "/toy.h");
}

TEST_F(WrapperTest, StaticModelHasNoSizeArguments) {
  aoti_graph *g = aoti_graph_create();
  const aoti_sx *dims[1] = {aoti_sx_const(g, 4)};
  aoti_value *in = aoti_graph_add_value(g, "int", AOTI_DTYPE_BOOL, 1, dims);  // a C keyword
  aoti_graph_add_input(g, in);
  aoti_value *out = aoti_graph_add_value(g, "y", AOTI_DTYPE_FLOAT64, 0, nullptr);
  aoti_graph_add_output(g, "output0", out);
  aoti_status st = aoti_wrapper_write(g, "plain", "plain.pt2", 4096, dir_.c_str());
  aoti_graph_destroy(g);
  ASSERT_EQ(st, AOTI_OK) << aoti_last_error();
  write_file(dir_ + "/use.c",
             "#include \"plain.h\"\n"
             "aoti_status (*run_fn)(plain_model *, const bool *, double *) = plain_run;\n"
             "int numel_in[PLAIN_INT__NUMEL() == 4 ? 1 : -1];\n"
             "int numel_out[PLAIN_OUTPUT0_NUMEL() == 1 ? 1 : -1];\n"
             "int rank_out[PLAIN_OUTPUT0_RANK == 0 ? 1 : -1];\n");
  std::string compile = aotic_test::system_cc() + " -std=c11 -Wall -Wextra -Werror -c " + quote(dir_ + "/use.c") + " " +
                        quote(dir_ + "/plain.c") + " -I " + quote(dir_) + " -I " +
                        quote(AOTI_RUNTIME_INCLUDE);
  auto r = run_command("cd " + quote(dir_) + " && " + compile, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err << "\n" << read_file(dir_ + "/plain.h");
}

TEST_F(WrapperTest, BadNameAndMissingFolderLeaveNothing) {
  wrapper_graph w;
  ASSERT_EQ(aoti_wrapper_write(w.g, "not-a-name", "p.pt2", 4096, dir_.c_str()),
            AOTI_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(aoti_last_error()).find("not-a-name"), std::string::npos);
  std::string missing = dir_ + "/missing";
  ASSERT_EQ(aoti_wrapper_write(w.g, "toy", "p.pt2", 4096, missing.c_str()), AOTI_ERROR_IO);
  EXPECT_NE(std::string(aoti_last_error()).find(missing + "/toy.h"), std::string::npos)
      << aoti_last_error();
  EXPECT_TRUE(list_dir(dir_).empty());
}

TEST_F(WrapperTest, UnknownDtypeNamesTheInput) {
  aoti_graph *g = aoti_graph_create();
  aoti_value *in = aoti_graph_add_value(g, "weird", AOTI_DTYPE_INVALID, 0, nullptr);
  aoti_graph_add_input(g, in);
  aoti_status st = aoti_wrapper_write(g, "m1", "m1.pt2", 4096, dir_.c_str());
  aoti_graph_destroy(g);
  ASSERT_EQ(st, AOTI_ERROR_UNSUPPORTED);
  EXPECT_NE(std::string(aoti_last_error()).find("'weird'"), std::string::npos) << aoti_last_error();
  EXPECT_TRUE(list_dir(dir_).empty());
}

}  // namespace
