// Binds every fixture written by real PyTorch (tests/fixtures/torch-*/*.ep, read by the frontend)
// against the op table: each node must find its row, take its arguments, and agree with the
// dtypes and shapes torch.export declared for its outputs. Kept apart from test_ops so the op
// table's own tests do not depend on the frontend.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

extern "C" {
#include "frontend/frontend.h"
#include "ops/ops.h"
}

namespace {

std::vector<std::string> fixture_files() {
  std::vector<std::string> files;
  for (const auto &dir : std::filesystem::directory_iterator(AOTI_FIXTURES_DIR)) {
    if (!dir.is_directory() || dir.path().filename().string().rfind("torch-", 0) != 0) continue;
    for (const auto &f : std::filesystem::directory_iterator(dir.path()))
      if (f.path().extension() == ".ep") files.push_back(f.path().string());
  }
  return files;
}

TEST(OpsOnFixtures, EveryFixtureBindsAndAgreesWithDeclaredShapes) {
  std::vector<std::string> files = fixture_files();
  ASSERT_GE(files.size(), 5u) << "no fixtures under " << AOTI_FIXTURES_DIR;
  for (const std::string &path : files) {
    aoti_graph *g = nullptr;
    ASSERT_EQ(aoti_frontend_read(path.c_str(), nullptr, &g), AOTI_OK) << path << ": " << aoti_last_error();
    EXPECT_EQ(aoti_ops_bind(g), AOTI_OK) << path << ": " << aoti_last_error();
    for (int32_t i = 0; i < g->num_nodes; i++) {
      const aoti_node *n = g->nodes[i];
      ASSERT_NE(n->op, nullptr) << path << " node " << n->name;
      EXPECT_STREQ(n->op->target, n->target);
      EXPECT_EQ(n->num_args, aoti_op_schema(n->op)->num_args);
    }
    EXPECT_EQ(aoti_graph_verify(g), AOTI_OK) << path << ": " << aoti_last_error();
    aoti_graph_destroy(g);
  }
}

// The core-ATen MLP: addmm gets beta = alpha = 1 from the schema (the file leaves them out).
TEST(OpsOnFixtures, DecomposedMlpGetsAddmmDefaults) {
  aoti_graph *g = nullptr;
  std::string path = std::string(AOTI_FIXTURES_DIR) + "/torch-2.15/mlp_core.ep";
  ASSERT_EQ(aoti_frontend_read(path.c_str(), nullptr, &g), AOTI_OK) << aoti_last_error();
  ASSERT_EQ(aoti_ops_bind(g), AOTI_OK) << aoti_last_error();
  int addmms = 0;
  for (int32_t i = 0; i < g->num_nodes; i++) {
    const aoti_node *n = g->nodes[i];
    if (n->op != aoti_op_find("torch.ops.aten.addmm.default")) continue;
    addmms++;
    EXPECT_EQ(n->num_named, 3) << "the file should leave beta and alpha out";
    ASSERT_EQ(n->num_args, 5);
    EXPECT_EQ(n->args[3].kind, AOTI_ARG_FLOAT);
    EXPECT_EQ(n->args[3].f, 1.0);
    EXPECT_EQ(n->args[4].f, 1.0);
  }
  EXPECT_EQ(addmms, 2);
  aoti_graph_destroy(g);
}

}  // namespace
