#include "lepton/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

using lepton::JsonDocument;
using lepton::JsonType;
using lepton::JsonWriter;

namespace {
std::string reemit(std::string_view text) {
  JsonDocument doc;
  EXPECT_TRUE(doc.parse(text)) << doc.error();
  std::string out;
  JsonWriter w(out);
  w.value(doc, doc.root());
  return out;
}
}  // namespace

TEST(Json, ParsesPoint) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"ts":1763769610.25,"metric":"cpu.util","host":"web-1","value":0.42})"));
  ASSERT_TRUE(doc.root().is_object());
  EXPECT_EQ(doc.root().count, 4u);
  EXPECT_DOUBLE_EQ(doc.get("ts")->number, 1763769610.25);
  EXPECT_EQ(doc.get("metric")->str, "cpu.util");
  EXPECT_EQ(doc.get("value")->raw, "0.42");
  EXPECT_EQ(doc.get("missing"), nullptr);
}

TEST(Json, NestedContainersKeepTheirChildren) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"a":{"b":[1,2,{"c":3}]},"d":[],"e":{}})"));
  const auto* a = doc.get("a");
  ASSERT_TRUE(a && a->is_object());
  const auto* b = doc.find(*a, "b");
  ASSERT_TRUE(b && b->is_array());
  auto items = doc.children(*b);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].value.number, 2);
  EXPECT_EQ(doc.find(items[2].value, "c")->number, 3);
  EXPECT_EQ(doc.get("d")->count, 0u);
  EXPECT_EQ(doc.get("e")->count, 0u);
}

TEST(Json, DecodesEscapes) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"s":"a\"b\\c\/d\n\u00e9\ud83d\ude00"})"));
  EXPECT_EQ(doc.get("s")->str, "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(doc.get("s")->raw, R"(a\"b\\c\/d\n\u00e9\ud83d\ude00)");
}

TEST(Json, LastDuplicateKeyWins) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"k":1,"k":2})"));
  EXPECT_EQ(doc.get("k")->number, 2);
}

TEST(Json, Numbers) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse("[0,-0,12,-7,1.5,1e3,-2.5E-3,12345678901234567890,1e400]"));
  auto v = doc.children(doc.root());
  EXPECT_EQ(v[0].value.number, 0);
  EXPECT_TRUE(std::signbit(v[1].value.number));
  EXPECT_EQ(v[2].value.number, 12);
  EXPECT_EQ(v[3].value.number, -7);
  EXPECT_EQ(v[4].value.number, 1.5);
  EXPECT_EQ(v[5].value.number, 1000);
  EXPECT_DOUBLE_EQ(v[6].value.number, -0.0025);
  EXPECT_DOUBLE_EQ(v[7].value.number, 12345678901234567890.0);
  EXPECT_TRUE(std::isinf(v[8].value.number));
}

struct BadCase {
  const char* text;
  const char* message;
};

class JsonBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(JsonBad, RejectsWithMessage) {
  JsonDocument doc;
  EXPECT_FALSE(doc.parse(GetParam().text));
  EXPECT_EQ(doc.error(), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, JsonBad,
    ::testing::Values(BadCase{"", "invalid JSON at column 1: unexpected end of input"},
                      BadCase{"{", "invalid JSON at column 2: unexpected end of input"},
                      BadCase{R"({"a":1,})", "invalid JSON at column 8: expected a string key"},
                      BadCase{R"({"a" 1})", "invalid JSON at column 6: expected ':' after key"},
                      BadCase{R"({"a":01})", "invalid JSON at column 7: expected ',' or '}'"},
                      BadCase{R"({"a":1.})", "invalid JSON at column 6: bad number"},
                      BadCase{R"({"a":tru})", "invalid JSON at column 6: unexpected character"},
                      BadCase{R"({"a":"x)", "invalid JSON at column 6: unterminated string"},
                      BadCase{"{\"a\":\"\x01\"}", "invalid JSON at column 7: control character in string"},
                      BadCase{"{\"a\":\"\xff\"}", "invalid JSON at column 7: invalid UTF-8 in string"},
                      BadCase{R"({"a":"\q"})", "invalid JSON at column 7: bad escape in string"},
                      BadCase{R"({"a":"\u12"})", "invalid JSON at column 7: bad \\u escape"},
                      BadCase{R"({"a":"\ud800"})", "invalid JSON at column 1: unpaired surrogate in \\u escape"},
                      BadCase{R"({} x)", "invalid JSON at column 4: unexpected text after the value"},
                      BadCase{R"([1 2])", "invalid JSON at column 4: expected ',' or ']'"}));

TEST(Json, DeepNestingIsRejectedNotCrashing) {
  std::string deep(100000, '[');
  JsonDocument doc;
  EXPECT_FALSE(doc.parse(deep));
  EXPECT_NE(doc.error().find("nesting too deep"), std::string::npos);
}

TEST(Json, ReemitIsCompactAndByteExactForScalars) {
  EXPECT_EQ(reemit(R"( { "a" : 1.50 , "b" : [ true , false , null ] , "c" : "x\u0041" } )"),
            R"({"a":1.50,"b":[true,false,null],"c":"x\u0041"})");
}

TEST(Json, DocumentIsReusableAcrossLines) {
  JsonDocument doc;
  std::string line1 = R"({"s":"a\nb"})";
  std::string line2 = R"({"t":[1,{"u":"v"}]})";
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(doc.parse(i % 2 == 0 ? line1 : line2));
  }
  ASSERT_NE(doc.get("t"), nullptr);
  EXPECT_EQ(doc.get("t")->count, 2u);
}

TEST(JsonWriter, WritesFieldsAndShortestNumbers) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("a", 0.1);
  w.field("b", 42.0);
  w.field("c", std::int64_t{-3});
  w.field("d", true);
  w.field("e", "q\"\n\x01");
  w.key("f");
  w.number(std::nan(""));
  w.field("g", 1e21);
  w.end_object();
  EXPECT_EQ(out, R"({"a":0.1,"b":42,"c":-3,"d":true,"e":"q\"\n\u0001","f":null,"g":1e+21})");
}

TEST(JsonWriter, NumbersRoundTrip) {
  for (double v : {1763769610.25, 0.42, 1.0 / 3, 6.02214076e23, 5e-324, -123456.789}) {
    std::string out;
    lepton::append_number(out, v);
    EXPECT_EQ(std::strtod(out.c_str(), nullptr), v) << out;
  }
}

TEST(JsonWriter, ExtendObjectAppendsFields) {
  std::string out;
  JsonWriter w(out);
  w.extend_object(R"({"ts":1,"value":2}  )");
  w.field("score", 0.5);
  w.end_object();
  EXPECT_EQ(out, R"({"ts":1,"value":2,"score":0.5})");

  std::string empty;
  JsonWriter w2(empty);
  w2.extend_object("{ }");
  w2.field("x", 1);
  w2.end_object();
  EXPECT_EQ(empty, R"({"x":1})");
}

TEST(Json, ManyMembersAndNestingSurviveStackGrowth) {
  // Enough members at several levels to regrow the parse stack mid-object.
  std::string text = "{";
  for (int i = 0; i < 300; ++i) {
    if (i) text += ",";
    text += "\"k" + std::to_string(i) + "\":";
    if (i % 50 == 0) {
      text += "[";
      for (int j = 0; j < 100; ++j) text += (j ? "," : "") + std::string("{\"x\":") + std::to_string(j) + "}";
      text += "]";
    } else {
      text += std::to_string(i);
    }
  }
  text += "}";
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(text)) << doc.error();
  EXPECT_EQ(doc.root().count, 300u);
  EXPECT_EQ(doc.get("k299")->number, 299);
  const auto* arr = doc.get("k250");
  ASSERT_TRUE(arr && arr->is_array());
  ASSERT_EQ(arr->count, 100u);
  EXPECT_EQ(doc.find(doc.children(*arr)[77].value, "x")->number, 77);
  EXPECT_EQ(reemit(text), text);
}

TEST(Json, NumbersAcrossTheFastPathBoundary) {
  JsonDocument doc;
  const char* cases[] = {"0.13387664401253274",
                         "1763769600.25",
                         "9007199254740993",
                         "0.000001234",
                         "123456789012345678901234",
                         "1e22",
                         "1e23",
                         "4.9406564584124654e-324",
                         "-0.0000000000000000001"};
  for (const char* c : cases) {
    ASSERT_TRUE(doc.parse(c)) << c;
    EXPECT_EQ(doc.root().number, std::strtod(c, nullptr)) << c;
  }
}

TEST(JsonWriter, InvalidUtf8BecomesReplacementCharacter) {
  std::string out;
  lepton::append_json_string(out,
                             "a\xff"
                             "b\xc3\xa9"
                             "c\xe2\x82");
  EXPECT_EQ(out,
            "\"a\xef\xbf\xbd"
            "b\xc3\xa9"
            "c\xef\xbf\xbd\xef\xbf\xbd\"");
  JsonDocument doc;
  EXPECT_TRUE(doc.parse(out)) << doc.error();
}
