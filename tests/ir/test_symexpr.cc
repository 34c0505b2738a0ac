// Tests of symbolic size expressions (compiler/ir/symexpr.c, sxparse.c): canonical forms and
// hash-consing, simplification, both parse spellings and their errors, evaluation against a direct
// computation, bounds against evaluation, and printing round-trips.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

extern "C" {
#include "ir/ir.h"
}

namespace {

// Python's // and %, computed through floating point as an independent reference (exact for the
// small operands used here).
int64_t py_floordiv(int64_t a, int64_t b) { return (int64_t)std::floor((double)a / (double)b); }
int64_t py_mod(int64_t a, int64_t b) { return a - b * py_floordiv(a, b); }

class SymExpr : public ::testing::Test {
 protected:
  void SetUp() override {
    g = aoti_graph_create();
    ASSERT_NE(g, nullptr);
    s0i = aoti_graph_add_symbol(g, "s0", 1, 1024);
    s1i = aoti_graph_add_symbol(g, "s1", 2, 64);
    s2i = aoti_graph_add_symbol(g, "s77", 0, INT64_MAX);
    s0 = aoti_sx_sym(g, s0i);
    s1 = aoti_sx_sym(g, s1i);
    s2 = aoti_sx_sym(g, s2i);
  }
  void TearDown() override { aoti_graph_destroy(g); }

  const aoti_sx *c(int64_t v) { return aoti_sx_const(g, v); }
  const aoti_sx *parse(const char *text) {
    const aoti_sx *e = nullptr;
    aoti_status st = aoti_sx_parse(g, text, &e);
    EXPECT_EQ(st, AOTI_OK) << text << ": " << aoti_last_error();
    return e;
  }
  std::string str(const aoti_sx *e) {
    char buf[512];
    int n = aoti_sx_to_string(g, e, buf, sizeof buf);
    EXPECT_LT(n, (int)sizeof buf);
    return buf;
  }

  aoti_graph *g = nullptr;
  int32_t s0i = -1, s1i = -1, s2i = -1;
  const aoti_sx *s0 = nullptr, *s1 = nullptr, *s2 = nullptr;
};

TEST_F(SymExpr, HashConsingGivesOnePointerPerValue) {
  EXPECT_EQ(c(5), c(5));
  EXPECT_NE(c(5), c(6));
  EXPECT_EQ(aoti_sx_sym(g, s0i), s0);
  // 2*s0 + s1 and s1 + s0*2
  const aoti_sx *x = aoti_sx_add(g, aoti_sx_mul(g, c(2), s0), s1);
  const aoti_sx *y = aoti_sx_add(g, s1, aoti_sx_mul(g, s0, c(2)));
  EXPECT_EQ(x, y);
  // (s0 * s1) * s77 and s77 * (s1 * s0)
  EXPECT_EQ(aoti_sx_mul(g, aoti_sx_mul(g, s0, s1), s2), aoti_sx_mul(g, s2, aoti_sx_mul(g, s1, s0)));
  // (s0 + 1) + (s1 + 2) and (s1 + s0) + 3
  EXPECT_EQ(aoti_sx_add(g, aoti_sx_add(g, s0, c(1)), aoti_sx_add(g, s1, c(2))),
            aoti_sx_add(g, aoti_sx_add(g, s1, s0), c(3)));
  EXPECT_NE(aoti_sx_add(g, s0, s1), aoti_sx_mul(g, s0, s1));
}

TEST_F(SymExpr, SimplificationRules) {
  int64_t v = 0;
  EXPECT_EQ(aoti_sx_add(g, s0, s0), aoti_sx_mul(g, c(2), s0));
  EXPECT_EQ(aoti_sx_mul(g, s0, c(1)), s0);
  EXPECT_EQ(aoti_sx_add(g, s0, c(0)), s0);
  EXPECT_EQ(aoti_sx_mul(g, s0, c(0)), c(0));
  EXPECT_EQ(aoti_sx_sub(g, s0, s0), c(0));
  EXPECT_EQ(aoti_sx_floordiv(g, s0, c(1)), s0);
  EXPECT_EQ(aoti_sx_mod(g, s0, c(1)), c(0));
  ASSERT_TRUE(aoti_sx_is_const(aoti_sx_add(g, c(2), c(3)), &v));
  EXPECT_EQ(v, 5);
  ASSERT_TRUE(aoti_sx_is_const(aoti_sx_mul(g, c(-4), c(3)), &v));
  EXPECT_EQ(v, -12);
  EXPECT_FALSE(aoti_sx_is_const(s0, &v));
  // Constant floor division and modulo follow Python for every sign combination.
  for (int64_t a : {-7, -6, -1, 0, 1, 6, 7}) {
    for (int64_t b : {-3, -2, 2, 3}) {
      ASSERT_TRUE(aoti_sx_is_const(aoti_sx_floordiv(g, c(a), c(b)), &v));
      EXPECT_EQ(v, py_floordiv(a, b)) << a << " // " << b;
      ASSERT_TRUE(aoti_sx_is_const(aoti_sx_mod(g, c(a), c(b)), &v));
      EXPECT_EQ(v, py_mod(a, b)) << a << " % " << b;
    }
  }
  // Products distribute over sums, so equal polynomials meet.
  EXPECT_EQ(aoti_sx_mul(g, aoti_sx_add(g, s0, c(1)), c(2)), aoti_sx_add(g, aoti_sx_mul(g, c(2), s0), c(2)));
  // Divisible terms leave a floor division: (2*s0 + 1)//2 == s0, (10*s0)//10 == s0.
  EXPECT_EQ(aoti_sx_floordiv(g, aoti_sx_add(g, aoti_sx_mul(g, c(2), s0), c(1)), c(2)), s0);
  EXPECT_EQ(aoti_sx_floordiv(g, aoti_sx_mul(g, s0, c(10)), c(10)), s0);
  EXPECT_EQ(aoti_sx_mod(g, aoti_sx_add(g, aoti_sx_mul(g, c(4), s0), c(3)), c(2)), c(1));
  // An exact symbolic quotient: (s0*s1*10)//(s0*5) == 2*s1.
  EXPECT_EQ(aoti_sx_floordiv(g, aoti_sx_mul(g, aoti_sx_mul(g, s0, s1), c(10)), aoti_sx_mul(g, s0, c(5))),
            aoti_sx_mul(g, c(2), s1));
  // Nested floor divisions by positive constants combine.
  EXPECT_EQ(aoti_sx_floordiv(g, aoti_sx_floordiv(g, s0, c(2)), c(3)), aoti_sx_floordiv(g, s0, c(6)));
  // Ranges decide Max/Min when they can: s0 >= 1.
  EXPECT_EQ(aoti_sx_max(g, c(1), s0), s0);
  EXPECT_EQ(aoti_sx_min(g, c(1), s0), c(1));
  EXPECT_EQ(aoti_sx_max(g, s0, s1), aoti_sx_max(g, s1, s0));
  EXPECT_NE(aoti_sx_max(g, s0, s1), aoti_sx_min(g, s0, s1));
  // Overlapping ranges, but a difference of one sign: 250880*s0 - 188160*s0 >= 62720.
  const aoti_sx *big = aoti_sx_mul(g, c(250880), s0), *small = aoti_sx_mul(g, c(188160), s0);
  EXPECT_EQ(aoti_sx_max(g, small, big), big);
  EXPECT_EQ(aoti_sx_min(g, big, small), small);
  EXPECT_EQ(aoti_sx_max(g, aoti_sx_max(g, small, big), aoti_sx_mul(g, c(3), s0)), big);
  // s1 in [2, 64]: s1 % 100 == s1 and s1 // 100 == 0.
  EXPECT_EQ(aoti_sx_mod(g, s1, c(100)), s1);
  EXPECT_EQ(aoti_sx_floordiv(g, s1, c(100)), c(0));
}

TEST_F(SymExpr, ParsesPlainArithmetic) {
  EXPECT_EQ(parse("s0"), s0);
  EXPECT_EQ(parse("2*s0 + 1"), aoti_sx_add(g, aoti_sx_mul(g, c(2), s0), c(1)));
  EXPECT_EQ(parse("(s0//2)"), aoti_sx_floordiv(g, s0, c(2)));
  EXPECT_EQ(parse("s0*s1"), aoti_sx_mul(g, s0, s1));
  EXPECT_EQ(parse("Max(1, s0)"), s0);
  EXPECT_EQ(parse("Max(s1, s0)"), aoti_sx_max(g, s0, s1));
  EXPECT_EQ(parse("Min(s1, s0, 3)"), aoti_sx_min(g, aoti_sx_min(g, s0, s1), c(3)));
  EXPECT_EQ(parse("floor(s0/2)"), aoti_sx_floordiv(g, s0, c(2)));
  EXPECT_EQ(parse("floor(s0/2) + 1"), aoti_sx_add(g, aoti_sx_floordiv(g, s0, c(2)), c(1)));
  EXPECT_EQ(parse("floor(3*s0/4 + s1)"), aoti_sx_add(g, aoti_sx_floordiv(g, aoti_sx_mul(g, c(3), s0), c(4)), s1));
  EXPECT_EQ(parse("Mod(s0, 3)"), aoti_sx_mod(g, s0, c(3)));
  EXPECT_EQ(parse("s0 % 3"), aoti_sx_mod(g, s0, c(3)));
  EXPECT_EQ(parse("-s0 + 4"), aoti_sx_sub(g, c(4), s0));
  EXPECT_EQ(parse("s0**2"), aoti_sx_mul(g, s0, s0));
  EXPECT_EQ(parse("-s0**2"), aoti_sx_mul(g, c(-1), aoti_sx_mul(g, s0, s0)));
  EXPECT_EQ(parse("  s77 *  (s0 - 1) "), aoti_sx_sub(g, aoti_sx_mul(g, s2, s0), s2));
  EXPECT_EQ(parse("1024"), c(1024));
}

TEST_F(SymExpr, ParsesSympySrepr) {
  EXPECT_EQ(parse("Symbol('s0', integer=True, positive=True)"), s0);
  EXPECT_EQ(parse("Symbol(\"s77\", integer=True, nonnegative=True)"), s2);
  EXPECT_EQ(parse("Integer(2)"), c(2));
  EXPECT_EQ(parse("Integer(-2)"), c(-2));
  EXPECT_EQ(parse("Mul(Integer(2), Symbol('s0', integer=True, positive=True))"), aoti_sx_mul(g, c(2), s0));
  EXPECT_EQ(parse("Add(Mul(Integer(2), Symbol('s0', integer=True, positive=True)), Integer(1))"),
            parse("2*s0 + 1"));
  EXPECT_EQ(parse("FloorDiv(Symbol('s0', integer=True, positive=True), Integer(2))"), parse("(s0//2)"));
  EXPECT_EQ(parse("Mod(Symbol('s1', integer=True, positive=True), Integer(4))"), parse("s1 % 4"));
  EXPECT_EQ(parse("Max(Integer(3), Symbol('s1', integer=True, positive=True))"), parse("Max(3, s1)"));
  EXPECT_EQ(parse("Add(Symbol('s0'), Symbol('s1'), Integer(-1))"), parse("s0 + s1 - 1"));
  EXPECT_EQ(parse("Pow(Symbol('s0', integer=True), Integer(2))"), parse("s0*s0"));
}

// Parses `text`, expecting a format error whose message quotes the text and names `what`.
void expect_parse_error(aoti_graph *g, const char *text, const char *what) {
  const aoti_sx *e = reinterpret_cast<const aoti_sx *>(0x1);
  EXPECT_EQ(aoti_sx_parse(g, text, &e), AOTI_ERROR_FORMAT) << text;
  EXPECT_EQ(e, reinterpret_cast<const aoti_sx *>(0x1)) << "out-parameter written on failure";
  std::string msg = aoti_last_error();
  EXPECT_NE(msg.find(std::string("'") + text + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(what), std::string::npos) << msg;
  EXPECT_NE(msg.find("position"), std::string::npos) << msg;
}

TEST_F(SymExpr, ParseErrorsQuoteTextAndPosition) {
  expect_parse_error(g, "s9 + 1", "unknown symbol 's9'");
  expect_parse_error(g, "Symbol('u3', integer=True)", "unknown symbol 'u3'");
  expect_parse_error(g, "2*", "expected a size expression");
  expect_parse_error(g, "(s0 + 1", "expected ')'");
  expect_parse_error(g, "s0 s1", "unexpected text");
  expect_parse_error(g, "s0 / 2", "outside floor()");
  expect_parse_error(g, "floor(s0/2*3)", "last operation");
  expect_parse_error(g, "floor(1 - s0/2)", "subtracted division");
  expect_parse_error(g, "floor(s0/2 + s1/2)", "more than one division");
  expect_parse_error(g, "Rational(1, 2)", "unknown function 'Rational'");
  expect_parse_error(g, "FloorDiv(s0)", "two arguments");
  expect_parse_error(g, "", "expected a size expression");
  expect_parse_error(g, "99999999999999999999", "out of range");
  // The position is that of the offending character.
  const aoti_sx *e = nullptr;
  EXPECT_EQ(aoti_sx_parse(g, "s0 + s9", &e), AOTI_ERROR_FORMAT);
  EXPECT_NE(std::string(aoti_last_error()).find("position 5"), std::string::npos) << aoti_last_error();
}

// Expressions over s0, s1 paired with the same value computed directly.
struct EvalCase {
  const char *text;
  int64_t (*direct)(int64_t s0, int64_t s1);
};

const EvalCase kEvalCases[] = {
    {"2*s0 + 1", [](int64_t a, int64_t) { return 2 * a + 1; }},
    {"s0*s1 - 3*s1 + 7", [](int64_t a, int64_t b) { return a * b - 3 * b + 7; }},
    {"(s0//3)", [](int64_t a, int64_t) { return py_floordiv(a, 3); }},
    {"((s0 - 10)//3)", [](int64_t a, int64_t) { return py_floordiv(a - 10, 3); }},
    {"((5 - s0*s1)//s1)", [](int64_t a, int64_t b) { return py_floordiv(5 - a * b, b); }},
    {"Mod(s0 - 50, 7)", [](int64_t a, int64_t) { return py_mod(a - 50, 7); }},
    {"Mod(s0, -3)", [](int64_t a, int64_t) { return py_mod(a, -3); }},
    {"((s0 + 5)//-2)", [](int64_t a, int64_t) { return py_floordiv(a + 5, -2); }},
    {"Max(s0, s1) + Min(s0 - 20, s1)", [](int64_t a, int64_t b) { return std::max(a, b) + std::min(a - 20, b); }},
    {"floor(3*s0/4) - s1", [](int64_t a, int64_t b) { return py_floordiv(3 * a, 4) - b; }},
    {"(s0 + 1)*(s1 - 1)", [](int64_t a, int64_t b) { return (a + 1) * (b - 1); }},
};

TEST_F(SymExpr, EvalMatchesDirectComputation) {
  std::vector<int64_t> syms(3, 0);
  for (const EvalCase &tc : kEvalCases) {
    const aoti_sx *e = parse(tc.text);
    ASSERT_NE(e, nullptr) << tc.text;
    for (int64_t a : {1, 2, 9, 10, 11, 50, 1000}) {
      for (int64_t b : {2, 3, 7, 64}) {
        syms[s0i] = a;
        syms[s1i] = b;
        EXPECT_EQ(aoti_sx_eval(e, syms.data()), tc.direct(a, b)) << tc.text << " at s0=" << a << " s1=" << b;
      }
    }
  }
}

TEST_F(SymExpr, BoundsContainEveryValueAndAreTightForMonotonic) {
  int64_t lo = 0, hi = 0;
  aoti_sx_bounds(g, parse("2*s0 + 1"), &lo, &hi);
  EXPECT_EQ(lo, 3);
  EXPECT_EQ(hi, 2049);
  aoti_sx_bounds(g, parse("s0*s1"), &lo, &hi);
  EXPECT_EQ(lo, 2);
  EXPECT_EQ(hi, 1024 * 64);
  aoti_sx_bounds(g, parse("(s0//4)"), &lo, &hi);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 256);
  aoti_sx_bounds(g, parse("s77 + 1"), &lo, &hi);  // unbounded above: saturates
  EXPECT_EQ(lo, 1);
  EXPECT_EQ(hi, INT64_MAX);
  std::vector<int64_t> syms(3, 0);
  for (const EvalCase &tc : kEvalCases) {
    const aoti_sx *e = parse(tc.text);
    ASSERT_NE(e, nullptr);
    aoti_sx_bounds(g, e, &lo, &hi);
    for (int64_t a = 1; a <= 1024; a += 37) {
      for (int64_t b = 2; b <= 64; b += 5) {
        syms[s0i] = a;
        syms[s1i] = b;
        int64_t v = aoti_sx_eval(e, syms.data());
        EXPECT_LE(lo, v) << tc.text;
        EXPECT_GE(hi, v) << tc.text;
      }
    }
  }
}

TEST_F(SymExpr, ToStringParsesBackToTheSameExpression) {
  for (const EvalCase &tc : kEvalCases) {
    const aoti_sx *e = parse(tc.text);
    ASSERT_NE(e, nullptr);
    std::string text = str(e);
    EXPECT_EQ(parse(text.c_str()), e) << tc.text << " printed as " << text;
  }
  const aoti_sx *divisor_product = aoti_sx_floordiv(g, s2, aoti_sx_mul(g, s0, s1));
  EXPECT_EQ(parse(str(divisor_product).c_str()), divisor_product) << str(divisor_product);
  EXPECT_EQ(str(parse("1 + s0*2")), "2*s0 + 1");
  EXPECT_EQ(str(parse("4 - s0")), "-s0 + 4");
}

TEST_F(SymExpr, ToStringAndToCReportTheLengthNeeded) {
  const aoti_sx *e = parse("s0*s1 + 12345");
  char small[4];
  int needed = aoti_sx_to_string(g, e, small, sizeof small);
  EXPECT_EQ(needed, (int)std::string(str(e)).size());
  EXPECT_EQ(std::string(small), str(e).substr(0, 3));
  const char *names[] = {"dim_a", "dim_b", "dim_c"};
  std::vector<char> buf(aoti_sx_to_c(g, e, names, nullptr, 0) + 1);
  aoti_sx_to_c(g, e, names, buf.data(), buf.size());
  std::string code(buf.data());
  EXPECT_NE(code.find("dim_a"), std::string::npos) << code;
  EXPECT_NE(code.find("dim_b"), std::string::npos) << code;
  EXPECT_EQ(code.find("s0"), std::string::npos) << code;
}

}  // namespace
