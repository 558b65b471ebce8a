// The pieces the converters share: number parsing, UTF-8, line lookup, and
// the emitter's label rules.
#include <gtest/gtest.h>

#include <cmath>

#include "convert/common.h"

namespace lepton::convert::detail {
namespace {

TEST(ParseFloat, GoSyntax) {
  double v;
  ASSERT_TRUE(parse_float("1027", v));
  EXPECT_EQ(v, 1027);
  ASSERT_TRUE(parse_float("-1.5e-3", v));
  EXPECT_EQ(v, -0.0015);
  ASSERT_TRUE(parse_float("+.5", v));
  EXPECT_EQ(v, 0.5);
  ASSERT_TRUE(parse_float("1.", v));
  EXPECT_EQ(v, 1);
  ASSERT_TRUE(parse_float("1e-400", v));  // underflow reads as zero, as in Go
  EXPECT_EQ(v, 0);
  ASSERT_TRUE(parse_float("+Inf", v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  ASSERT_TRUE(parse_float("-infinity", v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(parse_float("NaN", v));
  EXPECT_TRUE(std::isnan(v));
  for (const char* bad : {"", "+", "-", ".", "1e", "1e999", "0x10", " 1", "1 ", "1,5", "nan(1)", "in", "--1", "1_0"})
    EXPECT_FALSE(parse_float(bad, v)) << bad;
}

TEST(ParseInt64, Signs) {
  std::int64_t v;
  ASSERT_TRUE(parse_int64("+12", v));
  EXPECT_EQ(v, 12);
  ASSERT_TRUE(parse_int64("-9223372036854775808", v));
  EXPECT_EQ(v, INT64_MIN);
  for (const char* bad : {"", "+", "+-1", "1.0", "9223372036854775808", "1e3"}) EXPECT_FALSE(parse_int64(bad, v));
}

TEST(Utf8, Validation) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(valid_utf8("\xC3"));              // truncated
  EXPECT_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid_utf8("\xFF"));
}

TEST(TimeCell, NumbersAndText) {
  double t;
  ASSERT_TRUE(parse_time_cell("1700000000.5", t));
  EXPECT_EQ(t, 1700000000.5);
  ASSERT_TRUE(parse_time_cell("2014-07-01 00:00:00", t));
  EXPECT_EQ(t, 1404172800);
  EXPECT_FALSE(parse_time_cell("NaN", t));
  EXPECT_FALSE(parse_time_cell("tomorrow", t));
}

TEST(LineIndex, ForwardAndBack) {
  LineIndex index("a\nbb\n\nc");
  EXPECT_EQ(index.line_of(0), 1u);
  EXPECT_EQ(index.line_of(2), 2u);
  EXPECT_EQ(index.line_of(6), 4u);
  EXPECT_EQ(index.line_of(3), 2u);
  EXPECT_EQ(index.line_of(100), 4u);
}

TEST(MemoryLines, LikeLineReader) {
  MemoryLines lines("a\r\n\nb", "t");
  std::string_view l;
  ASSERT_TRUE(lines.next(l));
  EXPECT_EQ(l, "a");
  ASSERT_TRUE(lines.next(l));
  EXPECT_EQ(l, "");
  ASSERT_TRUE(lines.next(l));
  EXPECT_EQ(l, "b");
  EXPECT_EQ(lines.line_number(), 3u);
  EXPECT_FALSE(lines.next(l));
}

TEST(Emitter, LabelRules) {
  ConvertOptions o;
  o.labels = {{"host", "x"}, {"empty", "e"}, {"host", "h"}, {"empty", ""}};
  std::string text;
  Emitter e(o, nullptr, &text);
  std::vector<Label> labels = {{"host", "x"},        {"ts", "1"},   {"exported_host", "y"}, {"blank", ""},
                               {"exported_ts", "z"}, {"kind", "k"}, {"model", "m"}};
  e.emit(5, "m", labels, 1.25);
  EXPECT_EQ(text,
            "{\"ts\":5,\"metric\":\"m\",\"host\":\"h\",\"exported_host\":\"x\",\"exported_ts\":\"1\","
            "\"exported_exported_host\":\"y\",\"exported_exported_ts\":\"z\",\"exported_kind\":\"k\","
            "\"exported_model\":\"m\",\"value\":1.25}\n");
  EXPECT_EQ(e.points(), 1u);
}

TEST(Emitter, DropsNonFiniteAndFilters) {
  ConvertOptions o;
  o.metric_globs = {"cpu.*", "[ml]oad"};
  std::string text;
  Emitter e(o, nullptr, &text);
  e.emit(1, "cpu.util", {}, NAN);
  e.emit(1, "cpu.util", {}, 0.5);
  e.emit(1, "mem.total", {}, 1);
  e.emit(1, "load", {}, INFINITY);
  e.emit(1, "moad", {}, 2);
  e.missing("mem.total");
  e.missing("cpu.idle");
  EXPECT_EQ(text,
            "{\"ts\":1,\"metric\":\"cpu.util\",\"value\":0.5}\n"
            "{\"ts\":1,\"metric\":\"moad\",\"value\":2}\n");
  EXPECT_EQ(e.non_finite(), 2u);
  EXPECT_EQ(e.missing_count(), 1u);
}

TEST(Emitter, RejectsBadExtraLabels) {
  ConvertOptions o;
  o.labels = {{"", "x"}};
  std::string text;
  EXPECT_THROW(Emitter(o, nullptr, &text), UsageError);
  o.labels = {{"level", "x"}};
  EXPECT_THROW(Emitter(o, nullptr, &text), UsageError);
  o.labels = {{"a", "\xff"}};
  EXPECT_THROW(Emitter(o, nullptr, &text), UsageError);
}

}  // namespace
}  // namespace lepton::convert::detail
