// test_compiler_util.cc — compiler/util: aoti_strbuf (growth past its first allocation, the
// sticky failure flag, take/free), C identifiers as aotic and the wrapper make them, and token
// scanning.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

extern "C" {
#include "util/c_identifier.h"
#include "util/scan.h"
#include "util/strbuf.h"
}

namespace {

// Takes the buffer's text into a std::string (freeing it).
std::string Take(aoti_strbuf *b) {
  size_t len = 0;
  char *text = aoti_strbuf_take(b, &len);
  EXPECT_NE(text, nullptr);
  if (!text) return "<null>";
  EXPECT_EQ(len, std::strlen(text));
  std::string s(text, len);
  std::free(text);
  return s;
}

std::string Identifier(const std::string &raw, const char *digit_prefix) {
  char *id = aoti_c_identifier(raw.data(), raw.size(), digit_prefix);
  EXPECT_NE(id, nullptr);
  std::string s = id ? id : "<null>";
  std::free(id);
  return s;
}

TEST(StrbufTest, AppendsOfEveryKindGrowPastTheFirstAllocation) {
  aoti_strbuf b = AOTI_STRBUF_INIT;
  EXPECT_EQ(b.data, nullptr);
  std::string want;
  for (int i = 0; i < 500; i++) {
    aoti_strbuf_appendf(&b, "%d,", i);
    want += std::to_string(i) + ",";
    aoti_strbuf_puts(&b, "ab");
    aoti_strbuf_append(&b, "xyz", 1);
    want += "abx";
  }
  // One format longer than any fixed scratch space a formatter might use.
  std::string big(5000, 'q');
  aoti_strbuf_appendf(&b, "[%s]", big.c_str());
  want += "[" + big + "]";
  ASSERT_FALSE(b.failed);
  EXPECT_EQ(b.len, want.size());
  EXPECT_EQ(b.data[b.len], '\0');
  EXPECT_EQ(Take(&b), want);
  EXPECT_EQ(b.data, nullptr) << "take leaves the buffer empty";
}

TEST(StrbufTest, EmptyAppendMakesAnEmptyString) {
  aoti_strbuf b;
  aoti_strbuf_init(&b);
  aoti_strbuf_puts(&b, "");
  ASSERT_NE(b.data, nullptr);
  EXPECT_STREQ(b.data, "");
  aoti_strbuf_free(&b);
  EXPECT_EQ(b.data, nullptr);
  EXPECT_EQ(Take(&b), "") << "taking an untouched buffer gives an empty string";
}

TEST(StrbufTest, FailureIsStickyAndTakeReturnsNull) {
  aoti_strbuf b = AOTI_STRBUF_INIT;
  aoti_strbuf_puts(&b, "kept");
  b.failed = true;  // as after a failed allocation
  aoti_strbuf_puts(&b, "dropped");
  aoti_strbuf_appendf(&b, "%s", "dropped");
  EXPECT_STREQ(b.data, "kept");
  size_t len = 12345;
  EXPECT_EQ(aoti_strbuf_take(&b, &len), nullptr);
  EXPECT_EQ(len, 12345u) << "out-parameter untouched on failure";
  EXPECT_FALSE(b.failed) << "take resets the buffer";
  EXPECT_EQ(b.data, nullptr);
}

TEST(StrbufTest, CStringEscapesWhatAStringLiteralCannotHold) {
  aoti_strbuf b = AOTI_STRBUF_INIT;
  aoti_strbuf_c_string(&b, "a\"b\\c\nd?\?=e\x7f\xc3\xa9");
  EXPECT_EQ(Take(&b), "a\\\"b\\\\c\\012d\\077\\077=e\\177\\303\\251");
}

TEST(CIdentifierTest, ReplacesOtherCharactersAndPrefixesLeadingDigits) {
  EXPECT_EQ(Identifier("my-model", "m_"), "my_model");
  EXPECT_EQ(Identifier("9lives.v2", "m_"), "m_9lives_v2");
  EXPECT_EQ(Identifier("9lives", "t_"), "t_9lives");
  EXPECT_EQ(Identifier("", "m_"), "m_");
  EXPECT_EQ(Identifier("_x\xc3\xa9", "m_"), "_x__") << "each byte outside ASCII becomes '_'";
  EXPECT_EQ(Identifier("0abc", nullptr), "0abc") << "no prefix: the caller puts its own first";
  char *part = aoti_c_identifier("abcdef", 3, "m_");
  ASSERT_NE(part, nullptr);
  EXPECT_STREQ(part, "abc") << "only the first len bytes";
  std::free(part);
}

TEST(CIdentifierTest, RecognisesIdentifiers) {
  EXPECT_TRUE(aoti_is_c_identifier("mlp"));
  EXPECT_TRUE(aoti_is_c_identifier("_m9"));
  EXPECT_FALSE(aoti_is_c_identifier("9m"));
  EXPECT_FALSE(aoti_is_c_identifier("my-model"));
  EXPECT_FALSE(aoti_is_c_identifier("caf\xc3\xa9"));
  EXPECT_FALSE(aoti_is_c_identifier(""));
  EXPECT_FALSE(aoti_is_c_identifier(nullptr));
  // What aoti_c_identifier makes always passes.
  char *made = aoti_c_identifier("3 x/y", 5, "m_");
  ASSERT_NE(made, nullptr);
  EXPECT_TRUE(aoti_is_c_identifier(made)) << made;
  std::free(made);
}

TEST(ScanTest, TokensAfterSpaces) {
  const char *text = "  ( s0 ->x";
  const char *at = text;
  EXPECT_TRUE(aoti_scan_token(&at, "("));
  EXPECT_FALSE(aoti_scan_token(&at, "->"));
  EXPECT_EQ(at, text + 4) << "spaces are skipped even when the token is not there";
  EXPECT_TRUE(aoti_scan_token(&at, "s0"));
  EXPECT_TRUE(aoti_scan_token(&at, "->"));
  EXPECT_STREQ(at, "x");
  aoti_scan_skip_space(&at);
  EXPECT_STREQ(at, "x");
}

}  // namespace
