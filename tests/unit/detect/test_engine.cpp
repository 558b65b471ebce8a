#include "lepton/detect/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "detect_test_util.h"
#include "lepton/error.h"
#include "lepton/json.h"

using namespace lepton;
using namespace lepton::detect;
namespace fs = std::filesystem;

namespace {

class Engine : public detect_test::ScratchDir {
 protected:
  // Runs detection and returns the output lines; `code` gets the exit code.
  std::vector<std::string> run_lines(DetectOptions o, int* code = nullptr, std::uint64_t* skipped = nullptr) {
    std::string out = (dir_ / "out.ndjson").string();
    int c;
    {
      Output output(out);
      Diagnostics diag("lepton-detect", OnError::kFail, nullptr);
      Diagnostics skip("lepton-detect", OnError::kSkip, nullptr);
      Diagnostics& d = skipped ? skip : diag;
      c = run(o, output, d);
      output.flush();
      if (skipped) *skipped = d.skipped();
    }
    if (code) *code = c;
    std::ifstream in(out);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
  }

  // Noise around 100 with a spike of +40 at index `spike` (if >= 0).
  static std::string series(const std::string& metric, const std::string& host, int n, int spike, unsigned seed,
                            double t0 = 1767225600) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> z(0, 1);
    std::string s;
    for (int i = 0; i < n; ++i) {
      double v = 100 + z(rng) + (i == spike ? 40 : 0);
      s += fmt::format("{{\"ts\":{},\"metric\":\"{}\",\"host\":\"{}\",\"value\":{:.3f}}}\n", t0 + 60.0 * i, metric,
                       host, v);
    }
    return s;
  }
};

JsonDocument parsed(const std::string& line) {
  JsonDocument d;
  EXPECT_TRUE(d.parse(line)) << line;
  return d;
}

}  // namespace

TEST_F(Engine, AnnotatesPointsInPlaceAndPassesOtherRecordsThrough) {
  std::string in = R"({"kind":"node","node":"n1"})"
                   "\n"
                   R"({"ts":1767225600, "metric":"m","host":"a","nested":{"x":[1, 2]},"value":1.50})"
                   "\n"
                   R"({"message":"no value here"})"
                   "\n";
  DetectOptions o;
  o.inputs = {file("in.ndjson", in)};
  auto lines = run_lines(o);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], R"({"kind":"node","node":"n1"})");
  EXPECT_EQ(lines[1], R"({"ts":1767225600, "metric":"m","host":"a","nested":{"x":[1, 2]},"value":1.50)"
                      R"(,"score":0,"anomaly":false})");
  EXPECT_EQ(lines[2], R"({"message":"no value here"})");
}

TEST_F(Engine, FlagsASpikeWithExpectedBand) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", series("cpu", "a", 600, 450, 1))};
  auto lines = run_lines(o);
  ASSERT_EQ(lines.size(), 600u);
  int anomalies = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto d = parsed(lines[i]);
    if (d.get("anomaly")->boolean()) {
      ++anomalies;
      EXPECT_EQ(i, 450u);
      EXPECT_GE(d.get("score")->number, 0.5);
      EXPECT_LT(d.get("lo")->number, d.get("expected")->number);
      EXPECT_GT(d.get("hi")->number, d.get("expected")->number);
      EXPECT_NEAR(d.get("expected")->number, 100, 1);
    }
  }
  EXPECT_EQ(anomalies, 1);
}

TEST_F(Engine, BadRecordsStopWithFileAndLineOrAreSkipped) {
  std::string in = series("cpu", "a", 3, -1, 1) +
                   R"({"ts":1,"metric":"cpu","value":"high"})"
                   "\n" +
                   "not json\n";
  DetectOptions o;
  o.inputs = {file("bad.ndjson", in)};
  try {
    run_lines(o);
    FAIL() << "no error";
  } catch (const DataError& e) {
    EXPECT_EQ(std::string(e.what()), o.inputs[0] + ":4: 'value' is not a finite number; got high");
  }
  std::uint64_t skipped = 0;
  auto lines = run_lines(o, nullptr, &skipped);
  EXPECT_EQ(lines.size(), 3u);
  EXPECT_EQ(skipped, 2u);
}

TEST_F(Engine, RulesAnnotateAndAlert) {
  std::string in;
  for (int i = 0; i < 12; ++i)
    in += fmt::format("{{\"ts\":{},\"metric\":\"cpu.util\",\"host\":\"a\",\"value\":{}}}\n", 1000 + 60 * i,
                      i >= 3 && i <= 7 ? 0.95 : 0.5);
  DetectOptions o;
  o.inputs = {file("in.ndjson", in)};
  o.detector.name = "none";
  o.rules = {"cpu.*: value > 0.9 for 2m"};
  auto lines = run_lines(o);
  ASSERT_EQ(lines.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    bool want = i >= 5 && i <= 7;  // held for two minutes from i = 3
    EXPECT_EQ(parsed(lines[i]).get("anomaly")->boolean(), want) << i;
    if (want) {
      EXPECT_EQ(parsed(lines[i]).get("reason")->str, "cpu.*: value > 0.9 for 2m");
    }
  }
  o.alerts = true;
  o.exit_status = true;
  int code = 0;
  lines = run_lines(o, &code);
  EXPECT_EQ(code, kExitAlert);
  ASSERT_EQ(lines.size(), 2u);
  auto fire = parsed(lines[0]);
  EXPECT_EQ(fire.get("kind")->str, "alert");
  EXPECT_EQ(fire.get("state")->str, "firing");
  EXPECT_EQ(fire.get("severity")->str, "warning");
  EXPECT_EQ(fire.get("host")->str, "a");
  EXPECT_EQ(fire.get("ts")->number, 1000 + 60 * 5);
  EXPECT_EQ(fire.get("reason")->str, "cpu.*: value > 0.9 for 2m (value 0.95)");
  auto resolved = parsed(lines[1]);
  EXPECT_EQ(resolved.get("state")->str, "resolved");
  EXPECT_EQ(resolved.get("ts")->number, 1000 + 60 * 10);  // quiet for 3 records
}

TEST_F(Engine, NoAlertMeansExitZero) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", series("cpu", "a", 300, -1, 2))};
  o.alerts = true;
  o.exit_status = true;
  int code = -1;
  auto lines = run_lines(o, &code);
  EXPECT_EQ(code, kExitOk);
  EXPECT_TRUE(lines.empty());
}

TEST_F(Engine, DetectorAlertsWithReasonAndRisk) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", series("cpu", "web-1", 600, 450, 3))};
  o.alerts = true;
  o.risk_by = "host";
  auto lines = run_lines(o);
  ASSERT_EQ(lines.size(), 4u);  // firing, risk, resolved, risk
  auto fire = parsed(lines[0]);
  EXPECT_EQ(fire.get("state")->str, "firing");
  EXPECT_EQ(fire.get("metric")->str, "cpu");
  EXPECT_EQ(fire.get("detector")->str, "ensemble");
  EXPECT_NE(std::string(fire.get("reason")->str).find("sigma above the"), std::string::npos) << lines[0];
  auto risk = parsed(lines[1]);
  EXPECT_EQ(risk.get("kind")->str, "risk");
  EXPECT_EQ(risk.get("host")->str, "web-1");
  EXPECT_GT(risk.get("risk")->number, 0.5);
  EXPECT_EQ(risk.get("alerts")->number, 1);
  EXPECT_EQ(parsed(lines[2]).get("state")->str, "resolved");
  EXPECT_EQ(parsed(lines[3]).get("risk")->number, 0);
}

TEST_F(Engine, AbsentSeriesAlertsWhileOthersReport) {
  std::string in;
  for (int i = 0; i < 20; ++i) {
    in += fmt::format("{{\"ts\":{},\"metric\":\"up\",\"host\":\"a\",\"value\":1}}\n", 60 * i);
    if (i < 5) in += fmt::format("{{\"ts\":{},\"metric\":\"up\",\"host\":\"b\",\"value\":1}}\n", 60 * i);
  }
  DetectOptions o;
  o.inputs = {file("in.ndjson", in)};
  o.detector.name = "none";
  o.rules = {"up: absent for 5m"};
  auto lines = run_lines(o);
  std::vector<std::string> alerts;
  for (const auto& l : lines)
    if (l.find("\"kind\":\"alert\"") != std::string::npos) alerts.push_back(l);
  ASSERT_EQ(alerts.size(), 1u) << lines.size();
  auto a = parsed(alerts[0]);
  EXPECT_EQ(a.get("host")->str, "b");
  EXPECT_EQ(a.get("state")->str, "firing");
  EXPECT_EQ(a.get("ts")->number, 540);  // last seen at 240, absent for 5m
  EXPECT_EQ(a.get("reason")->str, "up: absent for 5m (nothing for 5m)");
}

TEST_F(Engine, EventsCountPerKeyAndFlagBurstsAndNewKeys) {
  // Ten quiet minutes of logins from a few sources, then one source tries 300
  // times in a minute, and a never-seen source appears.
  std::string in;
  std::mt19937 rng(5);
  for (int m = 0; m < 20; ++m) {
    for (int k = 0; k < 4; ++k)
      for (int j = 0; j < 2 + static_cast<int>(rng() % 3); ++j)
        in += fmt::format("{{\"ts\":{},\"event\":\"auth_fail\",\"src\":\"10.0.0.{}\"}}\n", 60 * m + j + k, k);
    if (m == 15)
      for (int j = 0; j < 300; ++j) in += fmt::format("{{\"ts\":{},\"src\":\"10.0.0.2\"}}\n", 60 * m + 5 + j * 0.1);
    if (m == 17) in += fmt::format("{{\"ts\":{},\"src\":\"192.168.9.9\"}}\n", 60 * m + 30);
  }
  in += "{\"note\":\"not an event\"}\n";
  DetectOptions o;
  o.inputs = {file("in.ndjson", in)};
  o.count_by = {"src"};
  o.window = 60;
  auto lines = run_lines(o);
  int bursts = 0, fresh = 0, totals = 0;
  bool passed = false;
  for (const auto& l : lines) {
    if (l == "{\"note\":\"not an event\"}") {
      passed = true;
      continue;
    }
    auto d = parsed(l);
    if (d.get("metric")->str == "events.total") {
      ++totals;
      if (d.get("ts")->number == 960) {
        EXPECT_TRUE(d.get("anomaly")->boolean()) << l;
      }
      continue;
    }
    EXPECT_EQ(d.get("metric")->str, "events");
    if (!d.get("anomaly")->boolean()) continue;
    std::string reason(d.get("reason")->str);
    if (reason.starts_with("burst")) {
      ++bursts;
      EXPECT_EQ(d.get("src")->str, "10.0.0.2");
      EXPECT_EQ(d.get("ts")->number, 960);
      EXPECT_GE(d.get("value")->number, 300);
    } else {
      EXPECT_EQ(reason, "new key never seen before");
      EXPECT_EQ(d.get("src")->str, "192.168.9.9");
      ++fresh;
    }
  }
  EXPECT_TRUE(passed);
  EXPECT_EQ(bursts, 1);
  EXPECT_EQ(fresh, 1);
  EXPECT_EQ(totals, 20);
}

TEST_F(Engine, StateContinuesExactlyWhereItStopped) {
  std::string all = series("cpu", "a", 700, 520, 7) + series("mem", "a", 700, 600, 8);
  // Interleave by time: sort lines by ts (stable).
  std::vector<std::string> lines;
  std::istringstream ss(all);
  for (std::string l; std::getline(ss, l);) lines.push_back(l);
  std::stable_sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
    return parsed(a).get("ts")->number < parsed(b).get("ts")->number;
  });
  std::string first, second;
  for (std::size_t i = 0; i < lines.size(); ++i) (i < 700 ? first : second) += lines[i] + "\n";
  for (bool alerts : {false, true}) {
    DetectOptions whole;
    whole.inputs = {file("all.ndjson", first + second)};
    whole.alerts = alerts;
    whole.rules = {"value > 130", "absent for 1h"};
    auto expect = run_lines(whole);
    DetectOptions part = whole;
    part.state_path = (dir_ / "state").string();
    fs::remove(part.state_path);
    part.inputs = {file("1.ndjson", first)};
    auto got = run_lines(part);
    part.inputs = {file("2.ndjson", second)};
    auto rest = run_lines(part);
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, expect) << "alerts=" << alerts;
  }
}

TEST_F(Engine, EventStateKeepsTheOpenWindow) {
  std::string a, b;
  for (int i = 0; i < 600; ++i) (i < 290 ? a : b) += fmt::format("{{\"ts\":{},\"src\":\"s{}\"}}\n", i, i % 3);
  DetectOptions whole;
  whole.count_by = {"src"};
  whole.window = 60;
  whole.inputs = {file("all.ndjson", a + b)};
  auto expect = run_lines(whole);
  DetectOptions part = whole;
  part.state_path = (dir_ / "ev.state").string();
  part.inputs = {file("a.ndjson", a)};
  auto got = run_lines(part);
  part.inputs = {file("b.ndjson", b)};
  auto rest = run_lines(part);
  got.insert(got.end(), rest.begin(), rest.end());
  // The whole run reports the last window at the end of input; the cron-style
  // runs keep it open in the state for the next run.
  ASSERT_EQ(expect.size(), got.size() + 4);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], expect[i]);
}

TEST_F(Engine, CorruptOrIncompatibleStateIsAClearError) {
  DetectOptions o;
  o.inputs = {file("in.ndjson", series("cpu", "a", 50, -1, 1))};
  o.state_path = (dir_ / "s.state").string();
  run_lines(o);
  std::string bytes;
  {
    std::ifstream in(o.state_path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto expect_error = [&](const std::string& content, const std::string& what, DetectOptions opts) {
    std::ofstream(o.state_path, std::ios::binary) << content;
    try {
      run_lines(opts);
      ADD_FAILURE() << "no error for " << what;
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find(o.state_path), 0u) << e.what();
    }
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  expect_error(flipped, "checksum mismatch", o);
  expect_error(bytes.substr(0, bytes.size() - 5), "truncated", o);
  expect_error("hello", "not a lepton-detect state file", o);
  DetectOptions other = o;
  other.detector.name = "zscore";
  expect_error(bytes, "different detection options", other);
  // A missing state file just starts afresh.
  fs::remove(o.state_path);
  EXPECT_EQ(run_lines(o).size(), 50u);
  EXPECT_TRUE(fs::exists(o.state_path));
}

TEST_F(Engine, ShardsPartitionTheSeries) {
  std::string in;
  for (int h = 0; h < 20; ++h) in += series("cpu", fmt::format("h{}", h), 5, -1, h);
  in += "{\"kind\":\"summary\"}\n";
  DetectOptions o;
  o.inputs = {file("in.ndjson", in)};
  std::size_t total = 0, summaries = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    o.shard = {k, 3};
    auto lines = run_lines(o);
    EXPECT_GT(lines.size(), 5u);
    for (const auto& l : lines) (l == "{\"kind\":\"summary\"}" ? summaries : total)++;
  }
  EXPECT_EQ(total, 100u);
  EXPECT_EQ(summaries, 1u);  // other records go to shard 0 only
}

TEST_F(Engine, MultivariateKeepsOrderAndScoresJointly) {
  // Requests and CPU of two hosts move together; at the end host a has high
  // CPU with low requests.
  std::mt19937 rng(9);
  std::normal_distribution<double> z(0, 1);
  std::string in;
  for (int t = 0; t < 400; ++t)
    for (const char* host : {"a", "b"}) {
      double load = z(rng);
      double req = 100 + 10 * load + 0.5 * z(rng), cpu = 50 + 5 * load + 0.25 * z(rng);
      if (t == 399 && host[0] == 'a') req = 90, cpu = 55;
      in += fmt::format("{{\"ts\":{},\"metric\":\"req\",\"host\":\"{}\",\"value\":{:.3f}}}\n", t, host, req);
      in += fmt::format("{{\"ts\":{},\"metric\":\"cpu\",\"host\":\"{}\",\"value\":{:.3f}}}\n", t, host, cpu);
    }
  in += "{\"kind\":\"marker\"}\n";
  DetectOptions o;
  o.inputs = {file("in.ndjson", in)};
  o.by = "host";
  auto lines = run_lines(o);
  ASSERT_EQ(lines.size(), 1601u);
  EXPECT_EQ(lines.back(), "{\"kind\":\"marker\"}");
  std::istringstream ss(in);
  std::string orig;
  int flagged = 0;
  for (std::size_t i = 0; i < 1600; ++i) {
    std::getline(ss, orig);
    ASSERT_EQ(lines[i].substr(0, orig.size() - 1), orig.substr(0, orig.size() - 1)) << i;
    auto d = parsed(lines[i]);
    if (d.get("anomaly")->boolean()) {
      ++flagged;
      EXPECT_EQ(d.get("host")->str, "a");
      EXPECT_GE(i, 1596u);
    }
  }
  EXPECT_EQ(flagged, 2);  // both metrics of the odd tick
}

TEST_F(Engine, OptionChecks) {
  DetectOptions o;
  o.threshold = 0;
  EXPECT_THROW(validate(o), UsageError);
  o = {};
  o.count_by = {"src"};
  o.by = "host";
  EXPECT_THROW(validate(o), UsageError);
  o = {};
  o.detector.name = "none";
  EXPECT_THROW(validate(o), UsageError);
  o.rules = {"value >"};
  EXPECT_THROW(validate(o), UsageError);
  o = {};
  o.detector.name = "mahalanobis";
  EXPECT_THROW(validate(o), UsageError);
  EXPECT_EQ(parse_format("prometheus"), OutputFormat::kPrometheus);
  EXPECT_THROW(parse_format("csv"), UsageError);
}
