// --from csv.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace lepton::convert::test {
namespace {

ConvertOptions csv() { return options("csv"); }

TEST(Csv, NabFileWithMetric) {
  auto o = csv();
  o.metric = "nyc.taxi";
  auto r = run(o, "timestamp,value\n2014-07-01 00:00:00,10844\n2014-07-01 00:30:00,8127.5\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1404172800,\"metric\":\"nyc.taxi\",\"value\":10844}\n"
            "{\"ts\":1404174600,\"metric\":\"nyc.taxi\",\"value\":8127.5}\n");
  // Without --metric the column name is the metric.
  r = run(csv(), "timestamp,value\n2014-07-01 00:00:00,10844\n");
  EXPECT_EQ(r.points, "{\"ts\":1404172800,\"metric\":\"value\",\"value\":10844}\n");
}

TEST(Csv, CrlfBomAndNoFinalNewline) {
  auto r = run(csv(), "\xEF\xBB\xBFtime,load\r\n2024-01-01T00:00:00Z,0.5\r\n\r\n2024-01-01T00:01:00+01:00,0.75");
  EXPECT_EQ(r.points,
            "{\"ts\":1704067200,\"metric\":\"load\",\"value\":0.5}\n"
            "{\"ts\":1704063660,\"metric\":\"load\",\"value\":0.75}\n");
}

TEST(Csv, SeveralValueColumnsAndTextColumnsAsLabels) {
  const char* text =
      "host,ts,cpu,mem_bytes,state\n"
      "web-1,1700000000,0.5,1024,up\n"
      "web-2,1700000000.5,0.25,2048,\n";
  auto r = run(csv(), text);
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"cpu\",\"host\":\"web-1\",\"exported_state\":\"up\",\"value\":0.5}\n"
            "{\"ts\":1700000000,\"metric\":\"mem_bytes\",\"host\":\"web-1\",\"exported_state\":\"up\",\"value\":1024}\n"
            "{\"ts\":1700000000.5,\"metric\":\"cpu\",\"host\":\"web-2\",\"value\":0.25}\n"
            "{\"ts\":1700000000.5,\"metric\":\"mem_bytes\",\"host\":\"web-2\",\"value\":2048}\n");
  // --metric with several value columns: the column becomes a label.
  auto o = csv();
  o.metric = "web";
  o.labels = {{"dc", "eu"}};
  r = run(o, "ts,cpu,mem\n1,0.5,3\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1,\"metric\":\"web\",\"dc\":\"eu\",\"column\":\"cpu\",\"value\":0.5}\n"
            "{\"ts\":1,\"metric\":\"web\",\"dc\":\"eu\",\"column\":\"mem\",\"value\":3}\n");
}

TEST(Csv, ValueAndTimeColumnOptions) {
  auto o = csv();
  o.time_column = "when";
  o.value_columns = {"3"};
  // With --value-column every other column is a label, numbers included.
  auto r = run(o, "when,gpu,util,temp\n1700000000,0,0.9,65\n");
  EXPECT_EQ(r.points, "{\"ts\":1700000000,\"metric\":\"util\",\"gpu\":\"0\",\"temp\":\"65\",\"value\":0.9}\n");
  o.value_columns = {"nope"};
  EXPECT_THROW(run(o, "when,gpu,util,temp\n1700000000,0,0.9,65\n"), DataError);
  EXPECT_EQ(error_of(o, "when,gpu,util,temp\n1700000000,0,0.9,65\n"),
            "in:1: --value-column 'nope' is not a column (when, gpu, util, temp)");
  o.value_columns = {"WHEN"};
  EXPECT_EQ(error_of(o, "when,gpu,util,temp\n1700000000,0,0.9,65\n"), "in:1: --value-column 'WHEN' is the time column");
  o = csv();
  o.time_column = "x";
  EXPECT_EQ(error_of(o, "ts,v\n1,2\n"), "in:1: --time-column 'x' is not a column (ts, v)");
}

TEST(Csv, HeaderlessFiles) {
  auto r = run(csv(), "2024-01-01,5\n2024-01-02,6\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1704067200,\"metric\":\"col2\",\"value\":5}\n"
            "{\"ts\":1704153600,\"metric\":\"col2\",\"value\":6}\n");
  // Unix seconds are not recognised as times without a name: say which.
  EXPECT_EQ(error_of(csv(), "1700000000,5\n"),
            "in:1: no time column: none is named ts, time, timestamp, date or datetime, and none holds dates; use "
            "--time-column");
  auto o = csv();
  o.time_column = "1";
  o.metric = "m";
  EXPECT_EQ(run(o, "1700000000,5\n").points, "{\"ts\":1700000000,\"metric\":\"m\",\"value\":5}\n");
}

TEST(Csv, QuotedFields) {
  auto r = run(csv(),
               "\"time\",\"site, name\",\"note\",\"value\"\n"
               "\"2024-01-01 00:00:00\",\"Paris, FR\",\"said \"\"hi\"\"\",\"1.5\"\n"
               "\"2024-01-01 00:00:01\",\"two\nlines\",  \"x\"  ,2\n"
               "2024-01-01 00:00:02,,,3\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1704067200,\"metric\":\"value\",\"site, name\":\"Paris, FR\",\"note\":\"said \\\"hi\\\"\","
            "\"value\":1.5}\n"
            "{\"ts\":1704067201,\"metric\":\"value\",\"site, name\":\"two\\nlines\",\"note\":\"x\",\"value\":2}\n"
            "{\"ts\":1704067202,\"metric\":\"value\",\"value\":3}\n");
}

TEST(Csv, LongFormatWithMetricColumn) {
  auto r = run(csv(), "ts,metric,host,value\n1,cpu.util,a,0.5\n2,mem.used_frac,a,0.25\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1,\"metric\":\"cpu.util\",\"host\":\"a\",\"value\":0.5}\n"
            "{\"ts\":2,\"metric\":\"mem.used_frac\",\"host\":\"a\",\"value\":0.25}\n");
}

TEST(Csv, EmptyAndNonFiniteValues) {
  auto r = run(csv(), "ts,a,b\n1,,2\n2,NaN,inf\n3,4,5\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1,\"metric\":\"b\",\"value\":2}\n"
            "{\"ts\":3,\"metric\":\"a\",\"value\":4}\n"
            "{\"ts\":3,\"metric\":\"b\",\"value\":5}\n");
  EXPECT_EQ(r.warnings,
            "lepton-collect: warning: dropped 2 samples whose value was NaN or infinite (a point's value must be "
            "finite)\n"
            "lepton-collect: warning: 1 value was empty or not available (such as [N/A]) and gave no point\n");
}

TEST(Csv, BadRows) {
  const char* text =
      "timestamp,value\n"
      "2014-07-01 00:00:00,1\n"
      "2014-07-01 00:05:00,2,3\n"
      "yesterday,4\n"
      "2014-07-01 00:15:00,five\n"
      "2014-13-01 00:20:00,6\n"
      "2014-07-01 00:25:00,\"7\n";
  EXPECT_EQ(error_of(csv(), text), "in:3: row has 3 fields; the header has 2; got 2014-07-01 00:05:00,2,3");
  auto r = run(csv(), text, OnError::kSkip);
  EXPECT_EQ(r.points, "{\"ts\":1404172800,\"metric\":\"value\",\"value\":1}\n");
  EXPECT_EQ(r.skipped, 5u);
  EXPECT_EQ(error_of(csv(), "timestamp,value\nyesterday,4\n"),
            "in:2: time in column 'timestamp' is not Unix seconds or an RFC 3339 / ISO 8601 time; got yesterday");
  EXPECT_EQ(error_of(csv(), "timestamp,value\n2014-07-01,five\n"),
            "in:2: value in column 'value' is not a number; got five");
  EXPECT_EQ(error_of(csv(), "timestamp,value\n2014-07-01,\"7\n"),
            "in:2: quoted field has no closing quote; got 2014-07-01,\"7");
  EXPECT_EQ(error_of(csv(), "timestamp,value\n2014-07-01,7\"\n"),
            "in:2: quote inside an unquoted field; got 2014-07-01,7\"");
  EXPECT_EQ(error_of(csv(), "timestamp,value\n2014-07-01,\"7\"x\n"),
            "in:2: unexpected text after a quoted field; got 2014-07-01,\"7\"x");
  EXPECT_EQ(error_of(csv(), "time,host\n2014-07-01,a\n"),
            "in:1: no value columns: every column besides the time holds text; use --value-column");
}

TEST(Csv, HeaderOnlyOrEmpty) {
  EXPECT_EQ(run(csv(), "timestamp,value\n").points, "");
  EXPECT_EQ(run(csv(), "").points, "");
  EXPECT_EQ(run(csv(), "\n\n").points, "");
}

}  // namespace
}  // namespace lepton::convert::test
