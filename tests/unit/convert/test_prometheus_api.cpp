// --from prometheus-api: JSON answers of /api/v1/query and /api/v1/query_range.
#include <gtest/gtest.h>

#include "convert/convert_test_util.h"

namespace lepton::convert::test {
namespace {

ConvertOptions api() { return options("prometheus-api"); }

TEST(PrometheusApi, Matrix) {
  auto r = run(api(), R"({
  "status": "success",
  "data": {
    "resultType": "matrix",
    "result": [
      {"metric": {"__name__": "up", "job": "prometheus", "instance": "localhost:9090"},
       "values": [[1435781430.781, "1"], [1435781445.781, "1"], [1435781460.781, "0"]]},
      {"metric": {"__name__": "up", "job": "node", "instance": "localhost:9091"},
       "values": [[1435781430.781, "0"], [1435781445.781, "NaN"]]}
    ]
  }
})");
  EXPECT_EQ(
      r.points,
      "{\"ts\":1435781430.781,\"metric\":\"up\",\"job\":\"prometheus\",\"instance\":\"localhost:9090\",\"value\":1}\n"
      "{\"ts\":1435781445.781,\"metric\":\"up\",\"job\":\"prometheus\",\"instance\":\"localhost:9090\",\"value\":1}\n"
      "{\"ts\":1435781460.781,\"metric\":\"up\",\"job\":\"prometheus\",\"instance\":\"localhost:9090\",\"value\":0}\n"
      "{\"ts\":1435781430.781,\"metric\":\"up\",\"job\":\"node\",\"instance\":\"localhost:9091\",\"value\":0}\n");
  EXPECT_EQ(r.warnings,
            "lepton-collect: warning: dropped 1 sample whose value was NaN or infinite (a point's value must be "
            "finite)\n");
}

TEST(PrometheusApi, VectorScalarAndWarnings) {
  auto r = run(api(), R"({"status":"success","warnings":["partial response"],"data":{"resultType":"vector","result":[)"
                      R"({"metric":{"__name__":"node_load1","state":"x"},"value":[1700000001,"0.25"]},)"
                      R"({"metric":{"__name__":"node_load1"},"value":[1700000001.5,"+Inf"]}]}})");
  EXPECT_EQ(r.points, "{\"ts\":1700000001,\"metric\":\"node_load1\",\"exported_state\":\"x\",\"value\":0.25}\n");
  EXPECT_EQ(r.warnings,
            "lepton-collect: warning: in: Prometheus API warning: partial response\n"
            "lepton-collect: warning: dropped 1 sample whose value was NaN or infinite (a point's value must be "
            "finite)\n");

  auto o = api();
  o.metric = "answer";
  r = run(o, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"42"]}})");
  EXPECT_EQ(r.points, "{\"ts\":1700000000.25,\"metric\":\"answer\",\"value\":42}\n");
}

TEST(PrometheusApi, NamelessSeriesNeedMetric) {
  const char* text =
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"cpu":"0"},"value":[1,"2"]}]}})";
  EXPECT_EQ(error_of(api(), text),
            "in:1: series has no __name__ (the query applies a function); give --metric NAME; got {cpu=\"0\"}");
  auto o = api();
  o.metric = "cpu_rate";
  EXPECT_EQ(run(o, text).points, "{\"ts\":1,\"metric\":\"cpu_rate\",\"cpu\":\"0\",\"value\":2}\n");
}

TEST(PrometheusApi, NativeHistogramsGiveCountAndSum) {
  auto r = run(api(), R"({"status":"success","data":{"resultType":"matrix","result":[)"
                      R"({"metric":{"__name__":"rpc_seconds"},"histograms":[[10,{"count":"5","sum":"1.5",)"
                      R"("buckets":[[0,"0.5","1","5"]]}]]}]}})");
  EXPECT_EQ(r.points,
            "{\"ts\":10,\"metric\":\"rpc_seconds_count\",\"value\":5}\n"
            "{\"ts\":10,\"metric\":\"rpc_seconds_sum\",\"value\":1.5}\n");
}

TEST(PrometheusApi, ErrorAnswer) {
  EXPECT_EQ(error_of(api(),
                     "{\n  \"status\": \"error\",\n  \"errorType\": \"bad_data\",\n"
                     "  \"error\": \"invalid parameter \\\"query\\\": parse error\"\n}\n"),
            "in:2: the Prometheus API answered with an error (bad_data): invalid parameter \"query\": parse error");
}

TEST(PrometheusApi, BadDocuments) {
  auto o = api();
  EXPECT_EQ(error_of(o, ""), "in:1: empty input; expected a Prometheus API answer (JSON)");
  EXPECT_EQ(error_of(o, "{\n \"status\": \"success\",\n \"data\": {\"resultType\": \"matrix\", \"result\": [}\n}"),
            "in:3: invalid JSON at column 46: unexpected character; got }");
  EXPECT_EQ(error_of(o, "[1]"), "in:1: not a Prometheus API answer: expected a JSON object; got [1]");
  EXPECT_EQ(error_of(o, "{\"data\":{}}"), "in:1: not a Prometheus API answer: no \"status\" string; got {\"data\":{}}");
  EXPECT_EQ(error_of(o, R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})"),
            "in:1: resultType \"string\" holds no numbers to convert; got \"string\",\"result\":[1,\"x\"]}}");
  EXPECT_EQ(error_of(o, R"({"status":"success","data":{"resultType":"scalar","result":[1,"2"]}})"),
            "in:1: a scalar result has no metric name; give --metric NAME; got [1,\"2\"]}}");
  const char* bad_value =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[\n"
      "{\"metric\":{\"__name__\":\"a\"},\"values\":[\n"
      "[1,\"1\"],\n"
      "[2,\"one\"],\n"
      "[3,\"3\"]]}]}}";
  EXPECT_EQ(error_of(o, bad_value), "in:4: sample value must be a number in a string; got one");
  auto r = run(o, bad_value, OnError::kSkip);
  EXPECT_EQ(r.points,
            "{\"ts\":1,\"metric\":\"a\",\"value\":1}\n"
            "{\"ts\":3,\"metric\":\"a\",\"value\":3}\n");
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(error_of(o, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"a"},)"
                        R"("value":["soon","1"]}]}})"),
            "in:1: sample time must be a finite number of Unix seconds; got soon");
  EXPECT_EQ(error_of(o, R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"a"},)"
                        R"("value":[1,"1",2]}]}})"),
            "in:1: a sample must be a [time, \"value\"] pair; got [1,\"1\",2]}]}}");
}

TEST(PrometheusApi, SeriesAreParsedOneByOne) {
  // A syntax error inside one series costs that series under --on-error=skip.
  const char* text =
      "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[\n"
      "{\"metric\":{\"__name__\":\"a\"},\"value\":[1,\"1\"]},\n"
      "{\"metric\":{\"__name__\":\"b\"},\"value\":[1,\"2\" 3]},\n"
      "{\"metric\":{\"__name__\":\"c\"},\"value\":[1,\"3\"]}\n"
      "]}}";
  EXPECT_EQ(error_of(api(), text), "in:3: invalid JSON at column 43: expected ',' or ']'; got 3]},");
  auto r = run(api(), text, OnError::kSkip);
  EXPECT_EQ(r.points,
            "{\"ts\":1,\"metric\":\"a\",\"value\":1}\n"
            "{\"ts\":1,\"metric\":\"c\",\"value\":3}\n");
  EXPECT_EQ(r.skipped, 1u);
  // Between series, and after the array.
  EXPECT_EQ(error_of(api(), R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"a"},)"
                            R"("value":[1,"1"]} {"metric":{}}]}})"),
            "in:1: invalid JSON at column 105: expected ',' or ']'; got {\"metric\":{}}]}}");
  EXPECT_EQ(error_of(api(), R"({"status":"success","data":{"resultType":"vector","result":[]}} x)"),
            "in:1: invalid JSON at column 65: unexpected text after the value; got x");
  // Key order does not matter, and a repeated key counts once (the last).
  r = run(api(), R"({"data":{"result":[{"metric":{"__name__":"x"},"value":[5,"1"]}],"resultType":"vector",)"
                 R"("result":[{"metric":{"__name__":"y"},"value":[6,"2"]}]},"status":"success"})");
  EXPECT_EQ(r.points, "{\"ts\":6,\"metric\":\"y\",\"value\":2}\n");
  // Escaped keys are found by the full parser too.
  r = run(api(), R"({"status":"success","data":{"resultType":"vector","re\u0073ult":[)"
                 R"({"metric":{"__name__":"z"},"value":[7,"3"]}]}})");
  EXPECT_EQ(r.points, "{\"ts\":7,\"metric\":\"z\",\"value\":3}\n");
  EXPECT_EQ(error_of(api(), R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":)"),
            "in:1: invalid JSON at column 71: unexpected end of input");
}

}  // namespace
}  // namespace lepton::convert::test
