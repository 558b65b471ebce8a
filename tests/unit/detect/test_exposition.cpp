// --format prometheus and --textfile: the exposition built from the records
// lepton-detect outputs (scores, alerts, risk), label renaming, and what
// run() writes where.
#include "lepton/detect/exposition.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lepton/error.h"

#include "detect_test_util.h"

using namespace lepton;
using namespace lepton::detect;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// The sample lines of an exposition (no # lines).
std::vector<std::string> samples(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && line[0] != '#') out.push_back(line);
  return out;
}

// Collects records into an exposition; warnings go to a temporary file.
class Collector {
 public:
  explicit Collector(DetectOptions o = {})
      : opt_(std::move(o)), err_(std::tmpfile()), diag_("lepton-detect", OnError::kFail, err_) {}
  ~Collector() { std::fclose(err_); }

  Collector& feed(std::initializer_list<std::string_view> lines) {
    if (!x_) x_.emplace(opt_, diag_);
    for (auto l : lines) x_->record(l);
    return *this;
  }
  std::string render() {
    if (!x_) x_.emplace(opt_, diag_);
    return x_->render();
  }
  std::string warnings() {
    std::fflush(err_);
    std::rewind(err_);
    std::string s;
    char buf[512];
    while (std::fgets(buf, sizeof buf, err_)) s += buf;
    return s;
  }

 private:
  DetectOptions opt_;
  std::FILE* err_;
  Diagnostics diag_;
  std::optional<DetectExposition> x_;
};

class RunExposition : public detect_test::ScratchDir {
 protected:
  // Runs detection; returns standard output.
  std::string run_out(const DetectOptions& o, int* code = nullptr) {
    std::string out = (dir_ / "out").string();
    {
      Output output(out);
      Diagnostics diag("lepton-detect", OnError::kFail, nullptr);
      int c = run(o, output, diag);
      output.flush();
      if (code) *code = c;
    }
    return slurp(out);
  }

  // Quiet values around 100 (a fixed pattern) with a jump to 200 at `jump`,
  // one per minute; the last `tail` values are back at 100 when tail > 0.
  static std::string points(const std::string& metric, const std::string& host, int n, int jump) {
    std::string s;
    for (int i = 0; i < n; ++i) {
      double v = 100 + (i % 7) * 0.5 - (i % 3) * 0.25 + (jump >= 0 && i >= jump ? 100 : 0);
      s += fmt::format("{{\"ts\":{},\"metric\":\"{}\",\"host\":\"{}\",\"value\":{}}}\n", 1767225600 + 60 * i, metric,
                       host, v);
    }
    return s;
  }
};

}  // namespace

TEST(DetectExpositionLabels, MetricFirstThenSanitisedLabelsWithClashesExported) {
  auto l = prometheus_series_labels("cpu.util", {{"host", "web-1"},
                                                 {"rule", "r"},
                                                 {"exported_rule", "e"},
                                                 {"a.b", "1"},
                                                 {"a_b", "2"},
                                                 {"__x", "3"},
                                                 {"9lives", "4"}});
  PrometheusExposition::Labels want{
      {"metric", "cpu.util"}, {"host", "web-1"}, {"exported_rule", "r"}, {"exported_exported_rule", "e"}, {"a_b", "1"},
      {"exported_a_b", "2"},  {"_x", "3"},       {"_9lives", "4"}};
  EXPECT_EQ(l, want);
  for (const char* own : {"metric", "detector", "severity"}) {
    auto got = prometheus_series_labels("m", {{own, "v"}});
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[1].first, std::string("exported_") + own);
  }
  // --by entities have no metric.
  EXPECT_EQ(prometheus_series_labels("", {{"host", "a"}}), (PrometheusExposition::Labels{{"host", "a"}}));
}

TEST(DetectExposition, NothingRecordedRendersNothing) {
  Collector c;
  c.feed({R"({"kind":"node","node":"n1"})", "not json", R"({"ts":1,"metric":"m","value":1})"});
  EXPECT_EQ(c.render(), "");
}

TEST(DetectExposition, LatestScoreBandAndAnomalyPerSeries) {
  Collector c;
  c.feed({
      R"({"ts":1,"metric":"cpu.util","host":"b","value":0.5,"score":0.1,"anomaly":false,"expected":0.5,"lo":0.4,"hi":0.6})",
      R"({"ts":1,"metric":"cpu.util","host":"a","value":0.5,"score":0,"anomaly":false})",
      R"({"ts":2,"metric":"cpu.util","host":"b","value":0.9,"score":0.9,"anomaly":true,"expected":0.52,"lo":0.41,"hi":0.63})",
      R"({"ts":2,"metric":"cpu.util","host":"a","value":0.5,"score":0.25,"anomaly":false,"expected":0.5,"lo":0.45,"hi":0.55,"reason":"x"})",
      R"({"ts":3,"metric":"cpu.util","host":"b","value":0.9,"score":1,"anomaly":true,"reason":"value > 0.8"})",
  });
  EXPECT_EQ(c.render(),
            "# HELP lepton_detect_score Anomaly score (0..1) of the latest value of the series\n"
            "# TYPE lepton_detect_score gauge\n"
            "lepton_detect_score{metric=\"cpu.util\",host=\"a\"} 0.25\n"
            "lepton_detect_score{metric=\"cpu.util\",host=\"b\"} 1\n"
            "# HELP lepton_detect_anomaly 1 when the latest value of the series scored at or above the threshold, "
            "else 0\n"
            "# TYPE lepton_detect_anomaly gauge\n"
            "lepton_detect_anomaly{metric=\"cpu.util\",host=\"a\"} 0\n"
            "lepton_detect_anomaly{metric=\"cpu.util\",host=\"b\"} 1\n"
            "# HELP lepton_detect_expected Value the detector expected for the latest value of the series\n"
            "# TYPE lepton_detect_expected gauge\n"
            "lepton_detect_expected{metric=\"cpu.util\",host=\"a\"} 0.5\n"
            "# HELP lepton_detect_lo Lower end of the normal band around the expected value\n"
            "# TYPE lepton_detect_lo gauge\n"
            "lepton_detect_lo{metric=\"cpu.util\",host=\"a\"} 0.45\n"
            "# HELP lepton_detect_hi Upper end of the normal band around the expected value\n"
            "# TYPE lepton_detect_hi gauge\n"
            "lepton_detect_hi{metric=\"cpu.util\",host=\"a\"} 0.55\n");
  EXPECT_EQ(c.warnings(), "");
}

TEST(DetectExposition, LabelValuesEscapedAndClashingSeriesLeftOutWithAWarning) {
  Collector c;
  c.feed({
      R"({"ts":1,"metric":"q","queue":"in\"box\\n","value":1,"score":0,"anomaly":false})",
      R"({"ts":1,"metric":"q","a.b":"1","value":1,"score":0,"anomaly":false})",
      R"({"ts":1,"metric":"q","a_b":"1","value":1,"score":0.5,"anomaly":true})",
  });
  EXPECT_EQ(samples(c.render()), (std::vector<std::string>{
                                     R"(lepton_detect_score{metric="q",a_b="1"} 0)",
                                     R"(lepton_detect_score{metric="q",queue="in\"box\\n"} 0)",
                                     R"(lepton_detect_anomaly{metric="q",a_b="1"} 0)",
                                     R"(lepton_detect_anomaly{metric="q",queue="in\"box\\n"} 0)",
                                 }));
  EXPECT_EQ(c.warnings(),
            "lepton-detect: warning: q{a_b=\"1\"}: left out of the Prometheus output: same labels as q{a.b=\"1\"} "
            "once names are sanitised\n");
}

TEST(DetectExposition, CustomFieldsAreReadAsTheEngineReadThem) {
  DetectOptions o;
  o.value_field = "latency_ms";
  o.time_field = "time";
  Collector c(o);
  c.feed({R"({"time":"2026-01-01T00:00:00Z","path":"/x","latency_ms":12,"score":0.75,"anomaly":true})"});
  EXPECT_EQ(samples(c.render()).front(), R"(lepton_detect_score{metric="latency_ms",path="/x"} 0.75)");
}

TEST(DetectExposition, AlertsFireEscalateAndResolveToZero) {
  DetectOptions o;
  o.rules = {"gpu.temp: value > 80", "gpu.temp: value > 80 for 3m", "absent for 2m"};
  Collector c(o);
  c.feed({
      R"j({"kind":"alert","ts":1,"metric":"cpu","host":"a","state":"firing","severity":"warning","score":0.6,"value":9,"reason":"r","detector":"ensemble","since":1})j",
      R"j({"kind":"alert","ts":2,"metric":"cpu","host":"a","state":"firing","severity":"critical","score":0.9,"value":9,"reason":"r","detector":"ensemble","since":1})j",
      R"j({"kind":"alert","ts":2,"metric":"cpu","host":"b","state":"firing","severity":"warning","score":0.6,"value":9,"reason":"r","detector":"ensemble","since":1})j",
      R"j({"kind":"alert","ts":3,"metric":"cpu","host":"b","state":"resolved","severity":"warning","score":0.6,"value":9,"reason":"r","detector":"ensemble","since":1,"duration":2})j",
      R"j({"kind":"alert","ts":3,"metric":"gpu.temp","gpu":"1","state":"firing","severity":"warning","score":1,"value":85,"reason":"gpu.temp: value > 80 for 3m (value 85)","detector":"rule","since":1})j",
      R"j({"kind":"alert","ts":3,"metric":"gpu.temp","gpu":"1","state":"firing","severity":"warning","score":1,"value":85,"reason":"gpu.temp: value > 80 (value 85)","detector":"rule","since":1})j",
      R"j({"kind":"alert","ts":4,"metric":"gpu.temp","gpu":"0","state":"firing","severity":"warning","score":1,"reason":"absent for 2m (nothing for 3m)","detector":"rule","since":1})j",
      R"j({"kind":"alert","ts":5,"host":"c","state":"firing","severity":"critical","score":0.99,"reason":"unusual","detector":"mahalanobis","since":5})j",
  });
  EXPECT_EQ(c.render(),
            "# HELP lepton_alert_firing 1 while the alert of the series (by detector, and rule) fires, 0 once it "
            "resolved; severity is warning or critical\n"
            "# TYPE lepton_alert_firing gauge\n"
            "lepton_alert_firing{metric=\"cpu\",host=\"a\",detector=\"ensemble\",severity=\"critical\"} 1\n"
            "lepton_alert_firing{metric=\"cpu\",host=\"b\",detector=\"ensemble\",severity=\"warning\"} 0\n"
            "lepton_alert_firing{metric=\"gpu.temp\",gpu=\"0\",detector=\"rule\",rule=\"absent for 2m\","
            "severity=\"warning\"} 1\n"
            "lepton_alert_firing{metric=\"gpu.temp\",gpu=\"1\",detector=\"rule\",rule=\"gpu.temp: value > 80\","
            "severity=\"warning\"} 1\n"
            "lepton_alert_firing{metric=\"gpu.temp\",gpu=\"1\",detector=\"rule\",rule=\"gpu.temp: value > 80 for 3m\","
            "severity=\"warning\"} 1\n"
            "lepton_alert_firing{host=\"c\",detector=\"mahalanobis\",severity=\"critical\"} 1\n");
}

TEST(DetectExposition, RiskPerEntityOnlyWithRiskBy) {
  const auto risk = {
      std::string_view(R"({"kind":"risk","ts":1,"host":"web-1","risk":1.5,"alerts":1})"),
      std::string_view(R"({"kind":"risk","ts":2,"host":"web-2","risk":2,"alerts":1})"),
      std::string_view(R"({"kind":"risk","ts":3,"host":"web-1","risk":0,"alerts":0})"),
  };
  Collector without;
  without.feed(risk);
  EXPECT_EQ(without.render(), "");
  DetectOptions o;
  o.risk_by = "host";
  Collector with(o);
  with.feed(risk);
  EXPECT_EQ(with.render(),
            "# HELP lepton_detect_risk Risk of the entity: sum over its firing alerts of severity weight (warning 1, "
            "critical 2) times score\n"
            "# TYPE lepton_detect_risk gauge\n"
            "lepton_detect_risk{host=\"web-1\"} 0\n"
            "lepton_detect_risk{host=\"web-2\"} 2\n");
}

TEST_F(RunExposition, FormatPrometheusWritesTheExpositionInsteadOfRecords) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", R"({"kind":"node","node":"n1"})"
                                "\n" +
                                    points("cpu", "a", 300, 250))};
  o.format = OutputFormat::kPrometheus;
  std::string out = run_out(o);
  auto s = samples(out);
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(out.find("\"kind\""), std::string::npos);  // nothing passes through
  EXPECT_EQ(s[0].rfind(R"(lepton_detect_score{metric="cpu",host="a"} )", 0), 0u) << s[0];
  EXPECT_NE(out.find("# TYPE lepton_detect_anomaly gauge\n"), std::string::npos);
  EXPECT_EQ(out.find("lepton_alert_firing"), std::string::npos);  // no alert records without --alerts
}

TEST_F(RunExposition, TextfileLeavesStandardOutputAsItWas) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", points("cpu", "a", 300, 250))};
  o.alerts = true;
  o.risk_by = "host";
  std::string plain = run_out(o);
  ASSERT_NE(plain.find("\"state\":\"firing\""), std::string::npos) << plain;
  o.textfile = (dir_ / "detect.prom").string();
  EXPECT_EQ(run_out(o), plain);
  std::string prom = slurp(o.textfile);
  // With --alerts the scores are exported too, and the alert still fires.
  EXPECT_NE(prom.find(R"(lepton_detect_score{metric="cpu",host="a"} )"), std::string::npos) << prom;
  EXPECT_NE(prom.find(R"(lepton_alert_firing{metric="cpu",host="a",detector="ensemble",severity=)"), std::string::npos)
      << prom;
  EXPECT_NE(prom.find(R"(lepton_detect_risk{host="a"} )"), std::string::npos) << prom;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 3);  // in, out, detect.prom
}

TEST_F(RunExposition, AlertsStillFiringFromAnEarlierRunAreExported) {
  // The alert fires in the first run and would resolve after 3 quiet
  // records; the second run (with --state) gets one record and writes no
  // alert record, but its textfile must still say that the alert fires.
  std::string all = points("cpu", "a", 253, 250);
  std::size_t cut = 0;
  for (int i = 0; i < 252; ++i) cut = all.find('\n', cut) + 1;
  DetectOptions o;
  o.alerts = true;
  o.risk_by = "host";
  o.state_path = (dir_ / "detect.state").string();
  o.textfile = (dir_ / "detect.prom").string();
  o.inputs = {file("p1.ndjson", all.substr(0, cut))};
  std::string first = run_out(o);
  ASSERT_NE(first.find("\"state\":\"firing\""), std::string::npos) << first;
  o.inputs = {file("p2.ndjson", all.substr(cut))};
  EXPECT_EQ(run_out(o).find("\"kind\":\"alert\""), std::string::npos);
  std::string prom = slurp(o.textfile);
  auto s = samples(prom);
  EXPECT_NE(std::find_if(s.begin(), s.end(),
                         [](const std::string& l) {
                           return l.starts_with(R"(lepton_alert_firing{metric="cpu",host="a",detector="ensemble")") &&
                                  l.ends_with("} 1");
                         }),
            s.end())
      << prom;
  EXPECT_NE(std::find_if(s.begin(), s.end(),
                         [](const std::string& l) {
                           return l.starts_with(R"(lepton_detect_risk{host="a"} )") && !l.ends_with(" 0");
                         }),
            s.end())
      << prom;
}

TEST_F(RunExposition, TextfilePathIsCheckedBeforeAnyWork) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", points("cpu", "a", 10, -1))};
  o.state_path = (dir_ / "detect.state").string();
  o.textfile = (dir_ / "detect.txt").string();
  EXPECT_THROW(run_out(o), UsageError);
  o.textfile = (dir_ / "no" / "detect.prom").string();
  EXPECT_THROW(run_out(o), UsageError);
  EXPECT_FALSE(fs::exists(o.state_path));
}
