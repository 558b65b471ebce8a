#include "lepton/forecast/run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lepton/json.h"

using namespace lepton;
using namespace lepton::forecast;

TEST(RunOptions, Horizon) {
  EXPECT_EQ(parse_horizon("48")->steps, 48);
  EXPECT_DOUBLE_EQ(parse_horizon("2h")->seconds, 7200);
  EXPECT_EQ(parse_horizon("2h")->steps_for(600), 12);
  EXPECT_EQ(parse_horizon("25m")->steps_for(600), 3);  // rounded up
  EXPECT_FALSE(parse_horizon("0"));
  EXPECT_FALSE(parse_horizon("-3"));
  EXPECT_FALSE(parse_horizon("x"));
}

TEST(RunOptions, SeasonAndLevels) {
  EXPECT_TRUE(parse_season("auto").detect);
  auto none = parse_season("none");
  EXPECT_FALSE(none.detect);
  EXPECT_TRUE(none.periods.empty());
  auto s = parse_season("24,1w");
  ASSERT_EQ(s.periods.size(), 2u);
  EXPECT_EQ(s.periods[0].steps, 24);
  EXPECT_DOUBLE_EQ(s.periods[1].seconds, 604800);
  EXPECT_THROW(parse_season("1"), UsageError);
  EXPECT_THROW(parse_season("24,,168"), UsageError);
  EXPECT_EQ(parse_levels("95,80"), (std::vector<double>{0.8, 0.95}));
  EXPECT_EQ(parse_levels("0.9"), (std::vector<double>{0.9}));
  EXPECT_THROW(parse_levels("100"), UsageError);
  EXPECT_THROW(parse_levels("95,x"), UsageError);
}

namespace {

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lepton-forecast-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs with `input` as the only file; returns stdout lines, fills err.
  std::vector<std::string> run_with(Options o, const std::string& input, std::string* err = nullptr,
                                    OnError policy = OnError::kFail) {
    auto in = dir_ / "in.ndjson";
    std::ofstream(in) << input;
    auto outp = dir_ / "out.ndjson";
    o.inputs = {in.string()};
    std::FILE* errf = std::tmpfile();
    {
      Output out(outp.string());
      Diagnostics diag("lepton-forecast", policy, errf);
      run(o, out, diag);
      out.flush();
      diag.finish();
    }
    if (err) {
      std::rewind(errf);
      char buf[4096];
      err->clear();
      while (std::size_t n = std::fread(buf, 1, sizeof buf, errf)) err->append(buf, n);
    }
    std::fclose(errf);
    std::ifstream f(outp);
    std::vector<std::string> lines;
    for (std::string l; std::getline(f, l);) lines.push_back(l);
    return lines;
  }

  std::filesystem::path dir_;
};

std::string points(const std::string& metric, const std::string& labels, int n, double step, double t0,
                   double (*value)(int)) {
  std::ostringstream s;
  for (int i = 0; i < n; ++i) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "{\"ts\":%.17g,\"metric\":\"%s\"%s,\"value\":%.17g}\n", t0 + i * step,
                  metric.c_str(), labels.c_str(), value(i));
    s << buf;
  }
  return s.str();
}

double field(const std::string& line, const char* key) {
  JsonDocument d;
  EXPECT_TRUE(d.parse(line));
  auto* v = d.get(key);
  return v && v->is_number() ? v->number : NAN;
}

std::string sfield(const std::string& line, const char* key) {
  JsonDocument d;
  EXPECT_TRUE(d.parse(line));
  auto* v = d.get(key);
  return v && v->is_string() ? std::string(v->str) : std::string();
}

}  // namespace

TEST_F(RunTest, ForecastsEverySeriesInOrderOfFirstAppearance) {
  Options o;
  o.horizon = *parse_horizon("3");
  o.model = "drift";
  o.levels = {0.8, 0.95};
  std::string in = "{\"kind\":\"note\",\"text\":\"kept\"}\n";
  in += points("b", ",\"host\":\"h1\"", 5, 60, 0, [](int i) { return 10.0 + i; });
  in += points("a", "", 5, 60, 0, [](int i) { return 2.0 * i; });
  auto lines = run_with(o, in);
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], "{\"kind\":\"note\",\"text\":\"kept\"}");
  EXPECT_EQ(sfield(lines[1], "metric"), "b");
  EXPECT_EQ(sfield(lines[1], "host"), "h1");
  EXPECT_EQ(sfield(lines[1], "kind"), "forecast");
  EXPECT_DOUBLE_EQ(field(lines[1], "ts"), 300);
  EXPECT_DOUBLE_EQ(field(lines[1], "value"), 15);
  EXPECT_DOUBLE_EQ(field(lines[3], "value"), 17);
  EXPECT_DOUBLE_EQ(field(lines[3], "step"), 3);
  EXPECT_DOUBLE_EQ(field(lines[1], "level"), 0.95);
  EXPECT_LE(field(lines[1], "lo"), field(lines[1], "lo80"));
  EXPECT_GE(field(lines[1], "hi"), field(lines[1], "hi80"));
  EXPECT_EQ(sfield(lines[4], "metric"), "a");
  EXPECT_DOUBLE_EQ(field(lines[4], "value"), 10);
  EXPECT_EQ(sfield(lines[4], "model"), "drift");
}

TEST_F(RunTest, OutputDoesNotDependOnThreads) {
  std::string in;
  for (int s = 0; s < 12; ++s)
    in += points("m", ",\"s\":\"" + std::to_string(s) + "\"", 60, 3600, 0,
                 [](int i) { return 100 + 10 * std::sin(i * 0.5) + i % 7; });
  Options o;
  o.horizon = *parse_horizon("6");
  o.threads = 1;
  auto one = run_with(o, in);
  o.threads = 4;
  auto four = run_with(o, in);
  EXPECT_EQ(one, four);
  EXPECT_EQ(one.size(), 72u);
}

TEST_F(RunTest, BadRecordsFailWithLocationOrAreSkipped) {
  std::string in = points("a", "", 3, 1, 0, [](int i) { return 1.0 * i; });
  in += "{\"ts\":3,\"metric\":\"a\",\"value\":\"high\"}\n";
  Options o;
  o.model = "naive";
  try {
    run_with(o, in);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("in.ndjson:4: 'value' is not a finite number; got high"), std::string::npos)
        << e.what();
  }
  std::string err;
  auto lines = run_with(o, in, &err, OnError::kSkip);
  EXPECT_EQ(lines.size(), 24u);
  EXPECT_NE(err.find("1"), std::string::npos) << err;
}

TEST_F(RunTest, WarnsAboutLongGapsAndUnforecastableSeries) {
  std::string in = points("a", "", 10, 60, 0, [](int i) { return 1.0 * i; });
  in += points("a", "", 10, 60, 3600, [](int i) { return 60.0 + i; });
  in += "{\"ts\":5,\"metric\":\"lonely\",\"value\":1}\n";
  Options o;
  o.model = "naive";
  o.horizon = *parse_horizon("2");
  std::string err;
  auto lines = run_with(o, in, &err);
  EXPECT_EQ(lines.size(), 2u);
  EXPECT_NE(err.find("a{}: 1 gap longer than 3 steps (longest 50m from"), std::string::npos) << err;
  EXPECT_NE(err.find("lonely{}: not forecast: a single time stamp"), std::string::npos) << err;
}

TEST_F(RunTest, EtaRecords) {
  // Disk filling by 1 per minute from 50: crosses 90 in 40 minutes.
  std::string in = points("disk", ",\"fs\":\"/\"", 30, 60, 0, [](int i) { return 50.0 + i; });
  in += points("ok", "", 30, 60, 0, [](int) { return 5.0; });
  in += points("full", "", 30, 60, 0, [](int i) { return 95.0 + 0 * i; });
  Options o;
  o.model = "drift";
  o.horizon = *parse_horizon("2h");
  o.eta = 90;
  auto lines = run_with(o, in);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(sfield(lines[0], "kind"), "eta");
  EXPECT_EQ(sfield(lines[0], "state"), "forecast");
  EXPECT_EQ(sfield(lines[0], "fs"), "/");
  // Last point at t = 1740 with value 79: 11 more minutes.
  EXPECT_NEAR(field(lines[0], "eta"), 1740 + 11 * 60, 1e-6);
  EXPECT_NEAR(field(lines[0], "in"), 660, 1e-6);
  EXPECT_LE(field(lines[0], "eta_worst"), field(lines[0], "eta"));
  EXPECT_EQ(sfield(lines[1], "state"), "clear");
  EXPECT_TRUE(std::isnan(field(lines[1], "eta")));  // null
  EXPECT_EQ(sfield(lines[2], "state"), "crossed");
  o.eta_below = true;
  o.eta = 10;
  lines = run_with(o, in);
  EXPECT_EQ(sfield(lines[1], "state"), "crossed");
  EXPECT_EQ(sfield(lines[0], "state"), "clear");
}

TEST_F(RunTest, StreamingEmitsEveryIntervalOfDataTime) {
  // Two series, one point a minute for 3 hours; forecasts every hour of data.
  std::string in;
  for (int i = 0; i < 180; ++i) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "{\"ts\":%d,\"metric\":\"x\",\"value\":%d}\n{\"ts\":%d,\"metric\":\"y\",\"value\":%d}\n", i * 60, i,
                  i * 60, 2 * i);
    in += buf;
  }
  Options o;
  o.model = "drift";
  o.every = 3600;
  o.horizon = *parse_horizon("2");
  auto lines = run_with(o, in);
  // Emissions at t = 3600 and 7200 (data before them) and at the end.
  ASSERT_EQ(lines.size(), 3u * 2 * 2);
  EXPECT_DOUBLE_EQ(field(lines[0], "ts"), 3540 + 60);
  EXPECT_EQ(sfield(lines[2], "metric"), "y");
  EXPECT_DOUBLE_EQ(field(lines[4], "ts"), 7140 + 60);
  EXPECT_DOUBLE_EQ(field(lines[8], "ts"), 10740 + 60);
  EXPECT_DOUBLE_EQ(field(lines[8], "value"), 180);
}

TEST_F(RunTest, StreamingMemoryIsBounded) {
  Options o;
  o.model = "naive";
  o.every = 1e9;  // emit only at the end
  o.history = 50;
  std::string in = points("x", "", 5000, 1, 0, [](int i) { return 1.0 * i; });
  auto lines = run_with(o, in);
  ASSERT_EQ(lines.size(), 24u);
  EXPECT_DOUBLE_EQ(field(lines[0], "value"), 4999);
  EXPECT_DOUBLE_EQ(field(lines[0], "ts"), 5000);
}

TEST_F(RunTest, ShardsPartitionTheSeries) {
  std::string in;
  for (int s = 0; s < 20; ++s)
    in += points("m", ",\"s\":\"" + std::to_string(s) + "\"", 5, 1, 0, [](int) { return 1.0; });
  Options o;
  o.model = "naive";
  o.horizon = *parse_horizon("1");
  std::size_t total = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    o.shard = Shard{k, 3};
    total += run_with(o, in).size();
  }
  EXPECT_EQ(total, 20u);
}

TEST_F(RunTest, RejectsUnknownModelAndFormat) {
  Options o;
  o.model = "prophet";
  EXPECT_THROW(run_with(o, ""), UsageError);
  o.model = "auto";
  o.format = "xml";
  EXPECT_THROW(run_with(o, ""), UsageError);
}

TEST_F(RunTest, StreamingKeepsTheAutoSelectionUntilRefit) {
  // Hourly data with a daily cycle for 30 days, forecasts every day.
  std::string in = points("load", "", 24 * 30, 3600, 0,
                          [](int i) { return 100 + 20 * std::sin(2 * M_PI * i / 24) + 5 * std::sin(i * i * 0.37); });
  Options o;
  o.every = 86400;
  o.refit = 1e9;  // never re-select after the first selection
  o.horizon = *parse_horizon("24");
  auto lines = run_with(o, in);
  ASSERT_EQ(lines.size(), 24u * 30);
  // Early emissions re-select as the history doubles (days 1, 2, 4, 8, 16);
  // from day 16 on the selection is kept: same seasonal members throughout.
  std::string last_model = sfield(lines.back(), "model");
  EXPECT_NE(last_model.find("(24)"), std::string::npos) << last_model;
  for (std::size_t i = 24 * 16; i < lines.size(); ++i) EXPECT_EQ(sfield(lines[i], "model"), last_model) << i;
}
