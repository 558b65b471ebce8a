// --from prometheus: the text exposition format.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace lepton::convert::test {
namespace {

ConvertOptions prom() { return options("prometheus"); }

TEST(Prometheus, CountersGaugesAndComments) {
  auto r = run(prom(),
               "# HELP node_load1 1m load average.\n"
               "# TYPE node_load1 gauge\n"
               "node_load1 0.58\n"
               "# a free comment\n"
               "\n"
               "# HELP http_requests_total Requests.\n"
               "# TYPE http_requests_total counter\n"
               "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
               "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363123\n"
               "job:rate5m 2.5e+10\n");
  EXPECT_EQ(
      r.points,
      "{\"ts\":1700000000,\"metric\":\"node_load1\",\"value\":0.58}\n"
      "{\"ts\":1395066363,\"metric\":\"http_requests_total\",\"method\":\"post\",\"code\":\"200\",\"value\":1027}\n"
      "{\"ts\":1395066363.123,\"metric\":\"http_requests_total\",\"method\":\"post\",\"code\":\"400\","
      "\"value\":3}\n"
      "{\"ts\":1700000000,\"metric\":\"job:rate5m\",\"value\":25000000000}\n");
  EXPECT_EQ(r.warnings, "");
}

TEST(Prometheus, LabelEscapesBlanksAndTrailingComma) {
  auto r = run(
      prom(),
      "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} "
      "1.458255915e9\n"
      "  spaced \t{ a = \"1\" , b=\"\" , } \t -0 -5000\n"
      "empty{} +3\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"msdos_file_access_time_seconds\",\"path\":\"C:\\\\DIR\\\\FILE.TXT\","
            "\"error\":\"Cannot find file:\\n\\\"FILE.TXT\\\"\",\"value\":1458255915}\n"
            "{\"ts\":-5,\"metric\":\"spaced\",\"a\":\"1\",\"value\":-0}\n"
            "{\"ts\":1700000000,\"metric\":\"empty\",\"value\":3}\n");
}

TEST(Prometheus, HistogramAndSummary) {
  auto r = run(prom(),
               "# HELP rpc_duration_seconds A summary of the RPC duration in seconds.\n"
               "# TYPE rpc_duration_seconds summary\n"
               "rpc_duration_seconds{quantile=\"0.01\"} 3102\n"
               "rpc_duration_seconds{quantile=\"0.5\"} NaN\n"
               "rpc_duration_seconds_sum 1.7560473e+07\n"
               "rpc_duration_seconds_count 2693\n"
               "# TYPE http_request_duration_seconds histogram\n"
               "http_request_duration_seconds_bucket{le=\"0.05\"} 24054\n"
               "http_request_duration_seconds_bucket{le=\"+Inf\"} 144320\n"
               "http_request_duration_seconds_sum 53423\n"
               "http_request_duration_seconds_count 144320\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"rpc_duration_seconds\",\"quantile\":\"0.01\",\"value\":3102}\n"
            "{\"ts\":1700000000,\"metric\":\"rpc_duration_seconds_sum\",\"value\":17560473}\n"
            "{\"ts\":1700000000,\"metric\":\"rpc_duration_seconds_count\",\"value\":2693}\n"
            "{\"ts\":1700000000,\"metric\":\"http_request_duration_seconds_bucket\",\"le\":\"0.05\",\"value\":24054}\n"
            "{\"ts\":1700000000,\"metric\":\"http_request_duration_seconds_bucket\",\"le\":\"+Inf\",\"value\":144320}\n"
            "{\"ts\":1700000000,\"metric\":\"http_request_duration_seconds_sum\",\"value\":53423}\n"
            "{\"ts\":1700000000,\"metric\":\"http_request_duration_seconds_count\",\"value\":144320}\n");
  EXPECT_EQ(r.warnings,
            "lepton-collect: warning: dropped 1 sample whose value was NaN or infinite (a point's value must be "
            "finite)\n");
}

TEST(Prometheus, NonFiniteValuesAreDroppedAndCounted) {
  auto r = run(prom(), "a +Inf\nb -inf\nc nan\nd Infinity\ne 1\n");
  EXPECT_EQ(r.points, "{\"ts\":1700000000,\"metric\":\"e\",\"value\":1}\n");
  EXPECT_EQ(r.warnings,
            "lepton-collect: warning: dropped 4 samples whose value was NaN or infinite (a point's value must be "
            "finite)\n");
}

TEST(Prometheus, ReservedAndCollidingLabelsAreRenamed) {
  auto o = prom();
  o.labels = {{"job", "lepton"}, {"host", "h1"}};
  auto r = run(o,
               "node_systemd_unit_state{name=\"a.service\",state=\"active\",exported_state=\"x\",job=\"node\","
               "value=\"v\",lo80=\"l\"} 1\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"node_systemd_unit_state\",\"job\":\"lepton\",\"host\":\"h1\","
            "\"name\":\"a.service\",\"exported_state\":\"active\",\"exported_exported_state\":\"x\","
            "\"exported_job\":\"node\",\"exported_value\":\"v\",\"exported_lo80\":\"l\",\"value\":1}\n");
}

TEST(Prometheus, MetricGlobs) {
  auto o = prom();
  o.metric_globs = {"node_cpu_*", "node_load?"};
  auto r = run(o, "node_cpu_seconds_total{cpu=\"0\"} 1\nnode_load1 2\nnode_load15 3\nnode_cpu_x NaN\ngo_x 4\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"node_cpu_seconds_total\",\"cpu\":\"0\",\"value\":1}\n"
            "{\"ts\":1700000000,\"metric\":\"node_load1\",\"value\":2}\n");
  EXPECT_NE(r.warnings.find("dropped 1 sample"), std::string::npos);  // node_cpu_x matches, go_x does not
}

TEST(Prometheus, RepeatedScrapeStartsOver) {
  // The second TYPE line for `up` begins a second scrape, not an error.
  auto r = run(prom(), "# TYPE up gauge\nup 1\n# TYPE other gauge\nother 2\n# TYPE up gauge\nup 0\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"up\",\"value\":1}\n"
            "{\"ts\":1700000000,\"metric\":\"other\",\"value\":2}\n"
            "{\"ts\":1700000000,\"metric\":\"up\",\"value\":0}\n");
}

TEST(Prometheus, MalformedLines) {
  auto o = prom();
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"foo{a=\"1\"", "in:1: expected ',' or '}' after a label value; got foo{a=\"1\""},
      {"foo{a=1} 2", "in:1: expected '\"' to start the value of label 'a'; got foo{a=1} 2"},
      {"foo{a\"1\"} 2", "in:1: expected '=' after label name 'a'; got foo{a\"1\"} 2"},
      {"foo{1a=\"1\"} 2", "in:1: invalid label name; got foo{1a=\"1\"} 2"},
      {"foo{a=\"x\\q\"} 2",
       "in:1: invalid escape sequence in label value (only \\\\, \\\" and \\n are allowed); got foo{a=\"x\\q\"} 2"},
      {"foo{a=\"x} 2", "in:1: label value has no closing quote; got foo{a=\"x} 2"},
      {"foo{a=\"1\",a=\"2\"} 3", "in:1: label 'a' is given twice; got foo{a=\"1\",a=\"2\"} 3"},
      {"ok 1\nfoo bar", "in:2: sample value is not a number; got bar"},
      {"foo 0x10", "in:1: sample value is not a number; got 0x10"},
      {"foo 1e999", "in:1: sample value is not a number; got 1e999"},
      {"foo 1 1.5", "in:1: timestamp is not an integer number of milliseconds; got 1.5"},
      {"foo 1 2 3", "in:1: unexpected text after the timestamp; got foo 1 2 3"},
      {"foo", "in:1: sample has no value; got foo"},
      {"foo{a=\"1\"}", "in:1: sample has no value; got foo{a=\"1\"}"},
      {"1foo 2", "in:1: invalid metric name; got 1foo 2"},
      {"foo-bar 2", "in:1: invalid character in metric name; got foo-bar 2"},
      {"# TYPE foo gauges", "in:1: unknown metric type (counter, gauge, histogram, summary or untyped); got gauges"},
      {"# TYPE foo gauge extra", "in:1: unexpected text after the type in TYPE line; got # TYPE foo gauge extra"},
      {"# TYPE", "in:1: invalid metric name in TYPE line; got # TYPE"},
      {"# HELP foo-bar x", "in:1: invalid metric name in HELP line; got # HELP foo-bar x"},
      {"# HELP foo bad \\t escape",
       "in:1: invalid escape sequence in HELP text (only \\\\ and \\n are allowed); got # HELP foo bad \\t escape"},
      {"# TYPE foo counter\n# TYPE foo gauge", "in:2: second TYPE line for 'foo'; got # TYPE foo gauge"},
      {"foo 1\n# TYPE foo gauge", "in:2: TYPE line for 'foo' after its samples; got # TYPE foo gauge"},
      {"# TYPE h histogram\nh_bucket 1", "in:2: histogram bucket sample without a 'le' label; got h_bucket 1"},
      {"# TYPE h histogram\nh_bucket{le=\"x\"} 1", "in:2: label 'le' must be a number; got x"},
      {"# TYPE s summary\ns 1", "in:2: summary quantile sample without a 'quantile' label; got s 1"},
      {"foo{a=\"\xff\"} 1", "in:1: value of label 'a' is not valid UTF-8; got foo{a=\"\xff\"} 1"},
  };
  for (const Case& c : cases) EXPECT_EQ(error_of(o, c.text), c.error) << c.text;
}

TEST(Prometheus, SkipDropsBadLinesAndCountsThem) {
  auto r = run(prom(), "a 1\nb{x=} 2\nc 3\nd four\n", OnError::kSkip);
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"a\",\"value\":1}\n"
            "{\"ts\":1700000000,\"metric\":\"c\",\"value\":3}\n");
  EXPECT_EQ(r.skipped, 2u);
}

TEST(Prometheus, CrlfAndMissingFinalNewline) {
  auto r = run(prom(), "# TYPE a gauge\r\na 1\r\nb 2");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"a\",\"value\":1}\n"
            "{\"ts\":1700000000,\"metric\":\"b\",\"value\":2}\n");
}

TEST(Prometheus, OptionsThatDoNotApply) {
  auto o = prom();
  o.metric = "x";
  EXPECT_THROW(run(o, "a 1\n"), UsageError);
  o = prom();
  o.time_column = "ts";
  EXPECT_THROW(run(o, "a 1\n"), UsageError);
  o = prom();
  o.labels = {{"value", "x"}};
  EXPECT_THROW(run(o, "a 1\n"), UsageError);
  o = prom();
  o.labels = {{"a", "x"}, {"a", "y"}, {"b", "z"}, {"b", ""}};  // the last wins, empty removes
  EXPECT_EQ(run(o, "a{b=\"1\"} 1\n").points,
            "{\"ts\":1700000000,\"metric\":\"a\",\"a\":\"y\",\"b\":\"1\",\"value\":1}\n");
}

}  // namespace
}  // namespace lepton::convert::test
