// --format prometheus and --textfile: the exposition text of forecasts and
// eta results, label renaming, and what run() writes where.
#include "lepton/forecast/exposition.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace lepton;
using namespace lepton::forecast;

namespace {

// A forecast of `mean` whose intervals come from two sample paths per step,
// so every bound is exact in binary: at level 0.5 the quantiles are a
// quarter and three quarters of the way from lo to hi.
SeriesForecast result(double last_ts, double step, double last_value, std::vector<double> mean,
                      std::vector<std::vector<double>> sims, std::string model = "drift") {
  SeriesForecast sf;
  sf.last_ts = last_ts;
  sf.step = step;
  sf.last_value = last_value;
  sf.forecast.model = std::move(model);
  sf.forecast.mean = std::move(mean);
  sf.forecast.sims = std::move(sims);
  return sf;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace

TEST(ExpositionLabels, MetricFirstThenSanitisedLabelsWithClashesExported) {
  auto l = prometheus_series_labels("cpu.util", {{"host", "web-1"},
                                                 {"horizon", "h"},
                                                 {"exported_horizon", "e"},
                                                 {"a.b", "1"},
                                                 {"a_b", "2"},
                                                 {"__x", "3"},
                                                 {"9lives", "4"}});
  PrometheusExposition::Labels want{{"metric", "cpu.util"},
                                    {"host", "web-1"},
                                    {"exported_horizon", "h"},
                                    {"exported_exported_horizon", "e"},
                                    {"a_b", "1"},
                                    {"exported_a_b", "2"},
                                    {"_x", "3"},
                                    {"_9lives", "4"}};
  EXPECT_EQ(l, want);
  // Every name this program sets itself is protected.
  for (const char* own : {"bound", "threshold", "direction", "level", "model", "metric"}) {
    auto o = prometheus_series_labels("m", {{own, "v"}});
    ASSERT_EQ(o.size(), 2u);
    EXPECT_EQ(o[1].first, std::string("exported_") + own);
  }
}

TEST(Exposition, ForecastsExactText) {
  Options o;
  o.levels = {0.5, 0.75};
  ForecastExposition e(o);
  EXPECT_EQ(e.render(), "");
  // Series 1 is set before series 0: output follows the index.
  EXPECT_FALSE(e.set(1, "mem", {}, result(600, 60, 1, {5}, {{4, 8}}, "naive")));
  EXPECT_FALSE(e.set(0, "cpu.util", {{"host", "a"}, {"horizon", "x"}},
                     result(1000, 60, 2, {3, 4}, {{0, 8}, {0, 16}}, "combo(theta+naive)")));
  EXPECT_EQ(
      e.render(),
      "# HELP lepton_forecast_value Point forecast (mean) of the series metric, horizon seconds after its last "
      "observation\n"
      "# TYPE lepton_forecast_value gauge\n"
      "lepton_forecast_value{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"60\","
      "model=\"combo(theta+naive)\"} 3\n"
      "lepton_forecast_value{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"120\","
      "model=\"combo(theta+naive)\"} 4\n"
      "lepton_forecast_value{metric=\"mem\",horizon=\"60\",model=\"naive\"} 5\n"
      "# HELP lepton_forecast_lo Lower bound of the central prediction interval at level\n"
      "# TYPE lepton_forecast_lo gauge\n"
      "lepton_forecast_lo{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"60\",level=\"0.5\"} 2\n"
      "lepton_forecast_lo{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"60\",level=\"0.75\"} 1\n"
      "lepton_forecast_lo{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"120\",level=\"0.5\"} 4\n"
      "lepton_forecast_lo{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"120\",level=\"0.75\"} 2\n"
      "lepton_forecast_lo{metric=\"mem\",horizon=\"60\",level=\"0.5\"} 5\n"
      "lepton_forecast_lo{metric=\"mem\",horizon=\"60\",level=\"0.75\"} 4.5\n"
      "# HELP lepton_forecast_hi Upper bound of the central prediction interval at level\n"
      "# TYPE lepton_forecast_hi gauge\n"
      "lepton_forecast_hi{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"60\",level=\"0.5\"} 6\n"
      "lepton_forecast_hi{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"60\",level=\"0.75\"} 7\n"
      "lepton_forecast_hi{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"120\",level=\"0.5\"} "
      "12\n"
      "lepton_forecast_hi{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\",horizon=\"120\",level=\"0.75\"} "
      "14\n"
      "lepton_forecast_hi{metric=\"mem\",horizon=\"60\",level=\"0.5\"} 7\n"
      "lepton_forecast_hi{metric=\"mem\",horizon=\"60\",level=\"0.75\"} 7.5\n"
      "# HELP lepton_forecast_last_observation_timestamp_seconds Time of the series' last observation, from "
      "which horizon counts (Unix seconds)\n"
      "# TYPE lepton_forecast_last_observation_timestamp_seconds gauge\n"
      "lepton_forecast_last_observation_timestamp_seconds{metric=\"cpu.util\",host=\"a\",exported_horizon=\"x\"} "
      "1000\n"
      "lepton_forecast_last_observation_timestamp_seconds{metric=\"mem\"} 600\n");
}

TEST(Exposition, ReplacingASeriesKeepsOnlyTheLatest) {
  Options o;
  o.levels = {0.5};
  ForecastExposition e(o);
  e.set(0, "m", {}, result(0, 60, 1, {1}, {{0, 4}}));
  e.set(0, "m", {}, result(60, 60, 9, {9}, {{8, 12}}, "naive"));
  std::string text = e.render();
  EXPECT_NE(text.find("lepton_forecast_value{metric=\"m\",horizon=\"60\",model=\"naive\"} 9\n"), std::string::npos);
  EXPECT_EQ(text.find("drift"), std::string::npos) << text;
  EXPECT_NE(text.find("lepton_forecast_last_observation_timestamp_seconds{metric=\"m\"} 60\n"), std::string::npos);
}

TEST(Exposition, HorizonLabelsAreRoundedSumsOfSteps) {
  Options o;
  o.levels = {0.5};
  ForecastExposition e(o);
  e.set(0, "m", {}, result(0, 0.1, 1, {1, 1, 1}, {}));
  std::string text = e.render();
  EXPECT_NE(text.find("horizon=\"0.3\""), std::string::npos) << text;
  EXPECT_EQ(text.find("0.30000000000000004"), std::string::npos) << text;
  // Without interval information the bounds collapse to the mean.
  EXPECT_NE(text.find("lepton_forecast_lo{metric=\"m\",horizon=\"0.2\",level=\"0.5\"} 1\n"), std::string::npos);
}

TEST(Exposition, SeriesWithTheSameLabelsAfterSanitisingAreLeftOut) {
  Options o;
  o.levels = {0.5};
  ForecastExposition e(o);
  EXPECT_FALSE(e.set(0, "m", {{"a.b", "x"}}, result(0, 60, 1, {1}, {})));
  auto first = e.set(1, "m", {{"a_b", "x"}}, result(0, 60, 2, {2}, {}));
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, 0u);
  EXPECT_FALSE(e.set(1, "m", {{"a_b", "x"}}, result(0, 60, 2, {2}, {})));  // reported once
  EXPECT_FALSE(e.set(2, "m", {{"a_b", "y"}}, result(0, 60, 3, {3}, {})));
  std::string text = e.render();
  EXPECT_NE(text.find("lepton_forecast_value{metric=\"m\",a_b=\"x\",horizon=\"60\",model=\"drift\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(text.find("} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a_b=\"y\""), std::string::npos);
}

TEST(Exposition, EtaExactText) {
  Options o;
  o.levels = {0.5};
  o.eta = 0.6875;
  ForecastExposition e(o);
  // From 0.5 the mean reaches 0.6875 halfway through step 3 (t = 1250);
  // the pessimistic bound (mean + 0.125) at the end of step 1 (t = 1100).
  e.set(0, "disk", {{"mount", "/"}},
        result(1000, 100, 0.5, {0.5625, 0.625, 0.75}, {{0.3125, 0.8125}, {0.375, 0.875}, {0.5, 1}}));
  // Flat far below: no crossing within the horizon.
  e.set(1, "disk", {{"mount", "/var"}}, result(1000, 100, 0.25, {0.25, 0.25, 0.25}, {{0, 0.5}, {0, 0.5}, {0, 0.5}}));
  // Already beyond: zero seconds.
  e.set(2, "disk", {{"mount", "/tmp"}}, result(1000, 100, 0.75, {0.75, 0.75, 0.75}, {}));
  EXPECT_EQ(e.render(),
            "# HELP lepton_forecast_eta_seconds Seconds from the series' last observation until bound (mean: the point "
            "forecast; pessimistic: the interval bound at the widest level) crosses threshold; no sample when it does "
            "not within the horizon\n"
            "# TYPE lepton_forecast_eta_seconds gauge\n"
            "lepton_forecast_eta_seconds{metric=\"disk\",mount=\"/\",bound=\"mean\",threshold=\"0.6875\","
            "direction=\"above\"} 250\n"
            "lepton_forecast_eta_seconds{metric=\"disk\",mount=\"/\",bound=\"pessimistic\",threshold=\"0.6875\","
            "direction=\"above\"} 100\n"
            "lepton_forecast_eta_seconds{metric=\"disk\",mount=\"/tmp\",bound=\"mean\",threshold=\"0.6875\","
            "direction=\"above\"} 0\n"
            "lepton_forecast_eta_seconds{metric=\"disk\",mount=\"/tmp\",bound=\"pessimistic\",threshold=\"0.6875\","
            "direction=\"above\"} 0\n"
            "# HELP lepton_forecast_eta_crossing 1 when bound crosses threshold within the horizon (or the last value "
            "is already beyond it), else 0\n"
            "# TYPE lepton_forecast_eta_crossing gauge\n"
            "lepton_forecast_eta_crossing{metric=\"disk\",mount=\"/\",bound=\"mean\",threshold=\"0.6875\","
            "direction=\"above\"} 1\n"
            "lepton_forecast_eta_crossing{metric=\"disk\",mount=\"/\",bound=\"pessimistic\",threshold=\"0.6875\","
            "direction=\"above\"} 1\n"
            "lepton_forecast_eta_crossing{metric=\"disk\",mount=\"/var\",bound=\"mean\",threshold=\"0.6875\","
            "direction=\"above\"} 0\n"
            "lepton_forecast_eta_crossing{metric=\"disk\",mount=\"/var\",bound=\"pessimistic\",threshold=\"0.6875\","
            "direction=\"above\"} 0\n"
            "lepton_forecast_eta_crossing{metric=\"disk\",mount=\"/tmp\",bound=\"mean\",threshold=\"0.6875\","
            "direction=\"above\"} 1\n"
            "lepton_forecast_eta_crossing{metric=\"disk\",mount=\"/tmp\",bound=\"pessimistic\",threshold=\"0.6875\","
            "direction=\"above\"} 1\n"
            "# HELP lepton_forecast_last_observation_timestamp_seconds Time of the series' last observation, from "
            "which eta seconds count (Unix seconds)\n"
            "# TYPE lepton_forecast_last_observation_timestamp_seconds gauge\n"
            "lepton_forecast_last_observation_timestamp_seconds{metric=\"disk\",mount=\"/\"} 1000\n"
            "lepton_forecast_last_observation_timestamp_seconds{metric=\"disk\",mount=\"/var\"} 1000\n"
            "lepton_forecast_last_observation_timestamp_seconds{metric=\"disk\",mount=\"/tmp\"} 1000\n");
}

TEST(Exposition, EtaWithoutAnyCrossingHasNoSecondsFamily) {
  Options o;
  o.eta = 10;
  o.eta_below = true;
  ForecastExposition e(o);
  e.set(0, "free", {}, result(0, 60, 50, {50}, {}));
  std::string text = e.render();
  EXPECT_EQ(text.find("lepton_forecast_eta_seconds"), std::string::npos) << text;
  EXPECT_NE(text.find("lepton_forecast_eta_crossing{metric=\"free\",bound=\"mean\",threshold=\"10\","
                      "direction=\"below\"} 0\n"),
            std::string::npos)
      << text;
}

namespace {

class RunPrometheus : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lepton-forecast-prom-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "in.ndjson") << "{\"kind\":\"node\",\"node\":\"n1\"}\n"
                                         "{\"ts\":0,\"metric\":\"m\",\"value\":1}\n"
                                         "{\"ts\":60,\"metric\":\"m\",\"value\":3}\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string run_to_string(Options o) {
    o.inputs = {(dir_ / "in.ndjson").string()};
    o.model = "naive";
    o.horizon = *parse_horizon("1");
    auto out_path = dir_ / "out";
    {
      Output out(out_path.string());
      Diagnostics diag("lepton-forecast", OnError::kFail, stderr);
      run(o, out, diag);
      out.flush();
    }
    return slurp(out_path);
  }

  std::filesystem::path dir_;
};

}  // namespace

TEST_F(RunPrometheus, FormatWritesOnlyTheExposition) {
  Options o;
  o.format = "prometheus";
  std::string text = run_to_string(o);
  EXPECT_EQ(text.find("\"kind\""), std::string::npos) << text;  // the node record is not written
  EXPECT_EQ(text.rfind("# HELP lepton_forecast_value ", 0), 0u) << text;
  EXPECT_NE(text.find("lepton_forecast_value{metric=\"m\",horizon=\"60\",model=\"naive\"} 3\n"), std::string::npos)
      << text;
}

TEST_F(RunPrometheus, TextfileLeavesTheRecordsAsTheyAre) {
  Options plain;
  std::string ndjson = run_to_string(plain);
  Options o;
  o.textfile = (dir_ / "forecast.prom").string();
  EXPECT_EQ(run_to_string(o), ndjson);
  Options p;
  p.format = "prometheus";
  EXPECT_EQ(slurp(dir_ / "forecast.prom"), run_to_string(p));
  // No temporary file is left next to it.
  std::size_t files = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir_)) files += f.path().filename().string()[0] == '.';
  EXPECT_EQ(files, 0u);
}

TEST(RunPrometheusUsage, BadTextfilePaths) {
  Options o;
  o.textfile = "forecast.txt";
  Output out("/dev/null");
  Diagnostics diag("lepton-forecast", OnError::kFail, stderr);
  try {
    run(o, out, diag);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--textfile must name a file ending in .prom (node_exporter's textfile collector reads only those); "
                 "got 'forecast.txt'");
  }
  o.textfile.clear();
  o.format = "csv";
  EXPECT_THROW(run(o, out, diag), UsageError);
}
