#include "lepton/prometheus.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lepton/error.h"

using namespace lepton;

TEST(Prometheus, SanitisesNames) {
  EXPECT_EQ(prometheus_metric_name("cpu.util"), "cpu_util");
  EXPECT_EQ(prometheus_metric_name("node:load1"), "node:load1");
  EXPECT_EQ(prometheus_metric_name("1m-load"), "_1m_load");
  EXPECT_EQ(prometheus_metric_name(""), "_");
  EXPECT_EQ(prometheus_label_name("host"), "host");
  EXPECT_EQ(prometheus_label_name("a:b"), "a_b");
  EXPECT_EQ(prometheus_label_name("__name__"), "_name__");
  EXPECT_EQ(prometheus_label_name("9x"), "_9x");
}

TEST(Prometheus, RendersFamiliesOnceWithEscapedLabels) {
  PrometheusExposition e;
  e.family("lepton.forecast.value", "Forecast mean", "gauge");
  e.sample("lepton.forecast.value", {{"metric", "cpu.util"}, {"host", "a\"b\\c\nd"}}, 0.5);
  e.sample("lepton_alert_firing", {}, 1);
  e.sample("lepton.forecast.value", {{"metric", "m"}}, std::nan(""));
  e.sample("lepton_alert_firing", {{"x", "y"}}, -INFINITY);
  EXPECT_EQ(e.render(),
            "# HELP lepton_forecast_value Forecast mean\n"
            "# TYPE lepton_forecast_value gauge\n"
            "lepton_forecast_value{metric=\"cpu.util\",host=\"a\\\"b\\\\c\\nd\"} 0.5\n"
            "lepton_forecast_value{metric=\"m\"} NaN\n"
            "# TYPE lepton_alert_firing untyped\n"
            "lepton_alert_firing 1\n"
            "lepton_alert_firing{x=\"y\"} -Inf\n");
}

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporary) {
  auto dir = std::filesystem::temp_directory_path() / ("lepton-atomic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "x.prom").string();
  write_file_atomically(path, "one\n");
  write_file_atomically(path, "two\n", 0600);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "two\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
  std::filesystem::remove_all(dir);
}

TEST(AtomicFile, MissingDirectoryIsDataError) {
  EXPECT_THROW(write_file_atomically("/nonexistent/dir/x.prom", "x"), DataError);
}

TEST(TextfilePath, NeedsPromSuffixAndExistingDirectory) {
  EXPECT_THROW(check_textfile_path("out.txt"), UsageError);
  EXPECT_THROW(check_textfile_path("dir/.prom"), UsageError);
  EXPECT_THROW(check_textfile_path(".prom"), UsageError);
  EXPECT_THROW(check_textfile_path("/no/such/dir/x.prom"), UsageError);
  EXPECT_NO_THROW(check_textfile_path("x.prom"));
  EXPECT_NO_THROW(check_textfile_path("/tmp/x.prom"));
  try {
    check_textfile_path("/no/such/dir/x.prom");
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--textfile: no directory '/no/such/dir'");
  }
}

TEST(ExpositionSeriesLabels, MetricFirstThenSanitisedLabelsWithClashesRenamed) {
  auto got = lepton::exposition_series_labels(
      "cpu.util", {{"host", "a"}, {"metric", "x"}, {"level", "y"}, {"a.b", "z"}}, {"level"});
  lepton::PrometheusExposition::Labels want = {
      {"metric", "cpu.util"}, {"host", "a"}, {"exported_metric", "x"}, {"exported_level", "y"}, {"a_b", "z"}};
  EXPECT_EQ(got, want);
}

TEST(ExpositionSeriesLabels, NoMetricLabelWhenTheMetricIsEmpty) {
  auto got = lepton::exposition_series_labels("", {{"a.b", "1"}, {"a_b", "2"}}, {});
  lepton::PrometheusExposition::Labels want = {{"a_b", "1"}, {"exported_a_b", "2"}};
  EXPECT_EQ(got, want);
}

TEST(LabelSetKey, EqualExactlyForTheSameSetInAnyOrder) {
  using L = lepton::PrometheusExposition::Labels;
  EXPECT_EQ(lepton::label_set_key(L{{"a", "1"}, {"b", "2"}}), lepton::label_set_key(L{{"b", "2"}, {"a", "1"}}));
  EXPECT_NE(lepton::label_set_key(L{{"a", "1"}, {"b", "2"}}), lepton::label_set_key(L{{"a", "12"}}));
  EXPECT_NE(lepton::label_set_key(L{{"a", "1"}}), lepton::label_set_key(L{{"a", "1"}, {"b", ""}}));
}
