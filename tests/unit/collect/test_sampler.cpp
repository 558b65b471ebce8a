// lepton::collect::sample(): records, labels, ticks, stopping, option
// checks, and a smoke test on this machine's live /proc.
#include "lepton/collect/sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "lepton/json.h"
#include "lepton/signals.h"

namespace {

const std::string kFixtures = std::string(LEPTON_TEST_FIXTURES) + "/collect/";

struct Record {
  double ts = 0;
  std::string metric;
  std::map<std::string, std::string> labels;
  std::vector<std::string> keys;  // in output order
  double value = 0;
};

// Runs sample() into a temporary file and parses every line back.
std::vector<Record> run(const lepton::collect::SampleOptions& o, std::string* raw = nullptr) {
  char name[] = "/tmp/lepton-collect-test-XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  {
    lepton::Output out(fd, name);
    lepton::Diagnostics diag("lepton-collect", lepton::OnError::kFail);
    EXPECT_EQ(lepton::collect::sample(o, out, diag), 0);
    out.flush();
  }
  close(fd);
  std::ifstream in(name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::remove(name);
  std::string text = ss.str();
  if (raw != nullptr) *raw = text;
  EXPECT_TRUE(text.empty() || text.back() == '\n');
  std::vector<Record> out;
  std::istringstream lines(text);
  std::string line;
  lepton::JsonDocument doc;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(doc.parse(line)) << line;
    Record r;
    for (const auto& m : doc.children(doc.root())) {
      r.keys.emplace_back(m.key);
      if (m.key == "ts") {
        r.ts = m.value.number;
      } else if (m.key == "metric") {
        r.metric = m.value.str;
      } else if (m.key == "value") {
        EXPECT_TRUE(m.value.is_number()) << line;
        r.value = m.value.number;
      } else {
        EXPECT_TRUE(m.value.is_string()) << line;
        r.labels[std::string(m.key)] = m.value.str;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

lepton::collect::SampleOptions fixture_options(const std::string& tree) {
  lepton::collect::SampleOptions o;
  o.root = kFixtures + tree;
  o.interval = 0;
  o.count = 1;
  return o;
}

std::size_t count(const std::vector<Record>& rs, const std::string& metric) {
  std::size_t n = 0;
  for (const auto& r : rs) n += r.metric == metric;
  return n;
}

}  // namespace

TEST(Sample, FixtureRecordsHaveTheContractShape) {
  auto o = fixture_options("v2-host");
  o.metric_globs = {"mem.*", "load.*", "cgroup.mem.*"};
  auto rs = run(o);
  ASSERT_FALSE(rs.empty());
  for (const auto& r : rs) {
    ASSERT_GE(r.keys.size(), 4U);
    EXPECT_EQ(r.keys.front(), "ts");
    EXPECT_EQ(r.keys[1], "metric");
    EXPECT_EQ(r.keys[2], "host");  // the common labels come first
    EXPECT_EQ(r.keys.back(), "value");
    EXPECT_EQ(r.labels.at("host"), "web-1");
    EXPECT_TRUE(std::isfinite(r.value));
  }
  EXPECT_EQ(count(rs, "mem.total_bytes"), 1U);
  EXPECT_EQ(count(rs, "load.15m"), 1U);
  EXPECT_EQ(count(rs, "cgroup.mem.current_bytes"), 6U);
  EXPECT_EQ(rs.size(), 8U + 3 + 6 + 2);
}

TEST(Sample, SecondSampleOfUnchangedCountersHasZeroRates) {
  auto o = fixture_options("v2-host");
  o.count = 2;
  o.metric_globs = {"*_per_s", "cpu.util"};
  auto rs = run(o);
  ASSERT_FALSE(rs.empty());
  std::set<double> ts;
  for (const auto& r : rs) {
    ts.insert(r.ts);
    EXPECT_EQ(r.value, 0) << r.metric;
  }
  EXPECT_EQ(ts.size(), 1U);              // only the second sample has rates
  EXPECT_EQ(count(rs, "cpu.util"), 0U);  // no CPU tick elapsed between the reads
  EXPECT_EQ(count(rs, "disk.reads_per_s"), 4U);
  EXPECT_EQ(count(rs, "net.rx_bytes_per_s"), 4U);
}

TEST(Sample, Labels) {
  auto o = fixture_options("v2-host");
  o.metric_globs = {"load.1m"};
  o.labels = {{"env", "prod"}, {"rack", "r1"}, {"env", "staging"}};
  auto rs = run(o);
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_EQ(rs[0].keys, (std::vector<std::string>{"ts", "metric", "host", "env", "rack", "value"}));
  EXPECT_EQ(rs[0].labels.at("env"), "staging");  // the last one wins

  o.labels = {{"host", "db-7"}};
  rs = run(o);
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_EQ(rs[0].labels.at("host"), "db-7");

  o.labels = {{"host", ""}, {"dc", "fra"}};  // an empty value removes the label
  rs = run(o);
  ASSERT_EQ(rs.size(), 1U);
  EXPECT_EQ(rs[0].keys, (std::vector<std::string>{"ts", "metric", "dc", "value"}));
}

TEST(Sample, OptionErrors) {
  lepton::Output out(1, "<stdout>");
  lepton::Diagnostics diag("lepton-collect", lepton::OnError::kFail);
  auto bad = [&](auto change) {
    auto o = fixture_options("v2-host");
    change(o);
    EXPECT_THROW(lepton::collect::sample(o, out, diag), lepton::UsageError);
  };
  using O = lepton::collect::SampleOptions;
  bad([](O& o) { o.labels = {{"cpu", "x"}}; });
  bad([](O& o) { o.labels = {{"value", "x"}}; });
  bad([](O& o) { o.labels = {{"metric", "x"}}; });
  bad([](O& o) { o.metric_globs = {"cpu.utilisation"}; });
  bad([](O& o) { o.count = 0; });
  bad([](O& o) { o.count = -2; });
  bad([](O& o) { o.top = -1; });
  bad([](O& o) { o.cgroup_depth = -1; });
  bad([](O& o) { o.interval = -1; });
  bad([](O& o) { o.interval = 1e-9; });
  auto o = fixture_options("no-such-tree");
  EXPECT_THROW(lepton::collect::sample(o, out, diag), lepton::DataError);
}

TEST(Sample, TicksSitOnTheIntervalGrid) {
  auto o = fixture_options("v2-host");
  o.interval = 0.25;
  o.count = 3;
  o.metric_globs = {"load.1m"};
  auto rs = run(o);
  ASSERT_EQ(rs.size(), 3U);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    EXPECT_EQ(rs[i].ts * 4, std::floor(rs[i].ts * 4)) << rs[i].ts;  // exactly on a multiple of 0.25 s
    if (i > 0) {
      EXPECT_GT(rs[i].ts, rs[i - 1].ts);  // a late tick may be skipped, never repeated
    }
  }
}

TEST(Sample, StopRequestEndsAfterTheCurrentSample) {
  lepton::reset_stop();
  auto o = fixture_options("v2-host");
  o.interval = 0.05;
  o.count = -1;  // until stopped
  std::thread stopper([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    lepton::request_stop();
  });
  std::string raw;
  auto rs = run(o, &raw);
  stopper.join();
  lepton::reset_stop();
  ASSERT_FALSE(rs.empty());
  EXPECT_EQ(raw.back(), '\n');  // no partial line
  std::set<double> ts;
  for (const auto& r : rs) ts.insert(r.ts);
  // Every sample is complete: each has the same gauges.
  for (double t : ts) {
    std::size_t n = 0;
    for (const auto& r : rs) n += r.ts == t && r.metric == "mem.total_bytes";
    EXPECT_EQ(n, 1U);
  }
}

TEST(Sample, StopBeforeTheFirstTickWritesNothing) {
  lepton::request_stop();
  auto o = fixture_options("v2-host");
  o.interval = 10;
  o.count = 5;
  auto rs = run(o);
  lepton::reset_stop();
  EXPECT_TRUE(rs.empty());
}

// The live host: values in range and consistent with /proc read here.
TEST(Sample, LiveProcSmoke) {
  lepton::collect::SampleOptions o;
  o.interval = 0.2;
  o.count = 2;
  o.top = 3;
  auto rs = run(o);
  ASSERT_FALSE(rs.empty());

  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  std::uint64_t mem_total_kb = 0;
  meminfo >> key >> mem_total_kb;
  ASSERT_EQ(key, "MemTotal:");
  std::ifstream stat("/proc/stat");
  std::string line;
  int cores = 0;
  while (std::getline(stat, line))
    if (line.rfind("cpu", 0) == 0 && line[3] != ' ') ++cores;

  std::set<double> ts;
  for (const auto& r : rs) {
    ts.insert(r.ts);
    EXPECT_TRUE(std::isfinite(r.value)) << r.metric;
    EXPECT_GE(r.value, 0) << r.metric;
    bool fraction = r.metric.rfind("cpu.", 0) == 0 && r.metric.find("_per_s") == std::string::npos;
    fraction |= r.metric.ends_with("_frac") || r.metric.rfind("psi.", 0) == 0;
    if (fraction) {
      EXPECT_LE(r.value, 1.0) << r.metric;
    }
    if (r.metric == "mem.total_bytes") {
      EXPECT_EQ(r.value, static_cast<double>(mem_total_kb) * 1024);
    }
    EXPECT_FALSE(r.labels.at("host").empty());
  }
  ASSERT_EQ(ts.size(), 2U);
  EXPECT_EQ(count(rs, "mem.total_bytes"), 2U);
  EXPECT_EQ(count(rs, "load.1m"), 2U);
  EXPECT_EQ(count(rs, "proc.total"), 2U);
  EXPECT_GE(count(rs, "fs.used_frac"), 2U);  // at least / in each sample
  // 0.2 s apart, every CPU has ticked: the total plus one series per core.
  EXPECT_EQ(count(rs, "cpu.util"), static_cast<std::size_t>(cores) + 1);
  EXPECT_EQ(count(rs, "proc.cpu"), 3U);
  EXPECT_EQ(count(rs, "cpu.context_switches_per_s"), 1U);
}
