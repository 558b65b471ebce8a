#include "lepton/record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

using namespace lepton;

namespace {
// The point's labels are views into the line, so the line is kept until
// the next call.
PointStatus classify(const std::string& text, Point& p, std::string& problem) {
  static JsonDocument doc;
  static std::string line;
  line = text;
  EXPECT_TRUE(doc.parse(line)) << doc.error();
  std::string_view got;
  return read_point(doc, p, problem, got);
}
}  // namespace

TEST(Record, ReservedFields) {
  for (const char* n : {"ts", "metric", "value", "kind", "lo", "hi", "lo80", "hi99.5", "level", "model", "score",
                        "anomaly", "expected", "reason", "severity", "state", "detector", "step"})
    EXPECT_TRUE(is_reserved_field(n)) << n;
  for (const char* n : {"host", "cpu", "low", "history", "lox", "task", "node", "device", ""})
    EXPECT_FALSE(is_reserved_field(n)) << n;
}

TEST(Record, ReadsPointWithSortedLabels) {
  Point p;
  std::string problem;
  ASSERT_EQ(
      classify(R"({"ts":10,"metric":"cpu.util","host":"b","cpu":"total","n":3,"model":"x","value":0.5})", p, problem),
      PointStatus::kPoint);
  EXPECT_EQ(p.ts, 10);
  EXPECT_EQ(p.metric, "cpu.util");
  EXPECT_EQ(p.value, 0.5);
  ASSERT_EQ(p.labels.size(), 2u);
  EXPECT_EQ(p.labels[0], (Label{"cpu", "total"}));
  EXPECT_EQ(p.labels[1], (Label{"host", "b"}));
  EXPECT_EQ(series_key(p), R"(cpu.util{cpu="total",host="b"})");
}

TEST(Record, RepeatedLabelKeepsLast) {
  Point p;
  std::string problem;
  ASSERT_EQ(classify(R"({"ts":1,"metric":"m","h":"a","h":"b","value":1})", p, problem), PointStatus::kPoint);
  ASSERT_EQ(p.labels.size(), 1u);
  EXPECT_EQ(p.labels[0].value, "b");
}

TEST(Record, AcceptsIsoTimestamp) {
  Point p;
  std::string problem;
  ASSERT_EQ(classify(R"({"ts":"2015-02-26 21:42:53","metric":"m","value":1})", p, problem), PointStatus::kPoint);
  EXPECT_EQ(p.ts, 1424986973);
}

TEST(Record, PassThroughKinds) {
  Point p;
  std::string problem;
  EXPECT_EQ(classify(R"({"kind":"forecast","ts":1,"metric":"m","value":1})", p, problem), PointStatus::kNotPoint);
  EXPECT_EQ(classify(R"({"ts":1,"metric":"m"})", p, problem), PointStatus::kNotPoint);
}

TEST(Record, BadPoints) {
  Point p;
  std::string problem;
  EXPECT_EQ(classify(R"({"ts":1,"metric":"m","value":"x"})", p, problem), PointStatus::kBad);
  EXPECT_EQ(problem, "'value' is not a finite number");
  EXPECT_EQ(classify(R"({"ts":1,"metric":"m","value":1e999})", p, problem), PointStatus::kBad);
  EXPECT_EQ(classify(R"({"metric":"m","value":1})", p, problem), PointStatus::kBad);
  EXPECT_EQ(problem, "point has no 'ts'");
  EXPECT_EQ(classify(R"({"ts":"yesterday","metric":"m","value":1})", p, problem), PointStatus::kBad);
  EXPECT_EQ(problem, "'ts' is not Unix seconds or an RFC 3339 time");
  EXPECT_EQ(classify(R"({"ts":1,"value":1})", p, problem), PointStatus::kBad);
  EXPECT_EQ(problem, "point has no 'metric'");
  EXPECT_EQ(classify(R"({"ts":1,"metric":5,"value":1})", p, problem), PointStatus::kBad);
  EXPECT_EQ(problem, "'metric' is not a string");
}

TEST(Record, CustomFields) {
  JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"latency":12.5,"host":"a"})"));
  Point p;
  std::string problem;
  std::string_view got;
  PointFields f;
  f.value = "latency";
  f.require_ts = false;
  f.require_metric = false;
  ASSERT_EQ(read_point(doc, p, problem, got, f), PointStatus::kPoint);
  EXPECT_EQ(p.metric, "latency");
  EXPECT_TRUE(std::isnan(p.ts));
}

TEST(Record, SeriesKeyEscapes) {
  std::string key;
  append_series_key(key, "m", {{"a", "x\"y\\z\nw"}});
  EXPECT_EQ(key, R"(m{a="x\"y\\z\nw"})");
}

TEST(Record, StableHashIsFnv1a) {
  EXPECT_EQ(stable_hash(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(stable_hash("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(stable_hash("foobar"), 0x85944171f73967e8ULL);
}

TEST(Record, ShardParseAndPartition) {
  Shard s = parse_shard("1/4");
  EXPECT_EQ(s.index, 1u);
  EXPECT_EQ(s.count, 4u);
  for (const char* bad : {"4/4", "1", "a/b", "-1/4", "1/0", "1/4x", "/4"})
    EXPECT_THROW(parse_shard(bad), UsageError) << bad;
  // Every key belongs to exactly one shard.
  for (int i = 0; i < 200; ++i) {
    std::string key = "m{i=\"" + std::to_string(i) + "\"}";
    int owners = 0;
    for (std::uint32_t k = 0; k < 4; ++k) owners += Shard{k, 4}.owns_key(key);
    EXPECT_EQ(owners, 1);
  }
}

namespace {
std::string temp_file(const std::string& content) {
  char name[] = "/tmp/lepton-record-XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  FILE* f = fdopen(fd, "w");
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
  return name;
}
}  // namespace

TEST(RecordReader, SkipsBlankLinesAndReportsLocation) {
  std::string path = temp_file("{\"a\":1}\n\n   \n{\"a\":2}\n");
  Diagnostics diag("lepton-test", OnError::kFail);
  RecordReader reader({path}, diag);
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.location().line, 1u);
  ASSERT_TRUE(reader.next());
  EXPECT_EQ(reader.location().line, 4u);
  EXPECT_EQ(reader.doc().get("a")->number, 2);
  EXPECT_FALSE(reader.next());
  std::remove(path.c_str());
}

TEST(RecordReader, FailPolicyNamesFileAndLine) {
  std::string path = temp_file("{\"a\":1}\n{\"a\":\n");
  Diagnostics diag("lepton-test", OnError::kFail);
  RecordReader reader({path}, diag);
  ASSERT_TRUE(reader.next());
  try {
    reader.next();
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2: invalid JSON at column 6: unexpected end of input; got {\"a\":");
  }
  std::remove(path.c_str());
}

TEST(RecordReader, SkipPolicyCounts) {
  std::string path = temp_file("[1]\n{\"a\":1}\nnot json\n{\"a\":2}");
  Diagnostics diag("lepton-test", OnError::kSkip);
  RecordReader reader({path}, diag);
  int n = 0;
  while (reader.next()) ++n;
  EXPECT_EQ(n, 2);
  EXPECT_EQ(diag.skipped(), 2u);
  std::remove(path.c_str());
}
