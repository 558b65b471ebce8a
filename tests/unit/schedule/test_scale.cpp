// Replica counts from forecast demand, clamping, and the stabilisation
// window kept in the state file.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "lepton/error.h"
#include "lepton/json.h"
#include "lepton/schedule/scale.h"

namespace ls = lepton::schedule;

namespace {

ls::Task task(std::string name, double cpu, std::int64_t replicas = -1) {
  ls::Task t;
  t.name = std::move(name);
  t.request = {{"cpu", cpu}};
  if (replicas >= 0) {
    t.replicas = static_cast<std::uint32_t>(replicas);
    t.replicas_given = true;
  }
  return t;
}

ls::DemandCollector::Added add(ls::DemandCollector& c, std::string_view line) {
  lepton::JsonDocument doc;
  EXPECT_TRUE(doc.parse(line));
  std::string problem, got;
  return c.add(doc, problem, got);
}

}  // namespace

TEST(Demand, SumsSeriesPerTimeAndTakesThePeak) {
  ls::ScaleOptions o;
  o.resources = {{"cpu", "cpu.cores"}};
  ls::DemandCollector c(o);
  using A = ls::DemandCollector::Added;
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":1,"metric":"cpu.cores","task":"web","host":"a","value":1,"hi":2})"),
            A::kUsed);
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":1,"metric":"cpu.cores","task":"web","host":"b","value":1,"hi":3})"),
            A::kUsed);
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":2,"metric":"cpu.cores","task":"web","host":"a","value":1,"hi":4})"),
            A::kUsed);
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":2,"metric":"mem.gib","task":"web","value":1,"hi":4})"), A::kNotMine);
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":2,"metric":"cpu.cores","host":"a","value":1,"hi":4})"), A::kNotMine);
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":2,"metric":"cpu.cores","task":"web","hi":"x"})"), A::kBad);
  EXPECT_EQ(add(c, R"({"kind":"forecast","ts":"yesterday","metric":"cpu.cores","task":"web","hi":1})"), A::kBad);
  auto d = c.demand();
  EXPECT_DOUBLE_EQ(d["web"]["cpu"], 5);  // ts 1: 2 + 3 beats ts 2: 4
}

TEST(Scale, FormulaClampAndOverrides) {
  ls::ScaleOptions o;
  o.target = 0.7;
  o.min_replicas = 2;
  o.max_replicas = 10;
  std::map<std::string, std::map<std::string, double>> demand = {{"web", {{"cpu", 8.1}}},
                                                                 {"tiny", {{"cpu", 0.1}}},
                                                                 {"huge", {{"cpu", 1000}}},
                                                                 {"own", {{"cpu", 8.1}}},
                                                                 {"ghost", {{"cpu", 1}}}};
  auto own = task("own", 2);
  own.target = 0.9;
  own.max_replicas = 100;
  auto out = ls::decide_scale(demand, {task("web", 2), task("tiny", 2), task("huge", 2), own}, o);
  std::map<std::string, ls::ScaleDecision> by;
  for (auto& d : out) by[d.task] = d;
  EXPECT_EQ(by["web"].replicas, 6);    // ceil(8.1 / (2 * 0.7)) = ceil(5.79)
  EXPECT_EQ(by["tiny"].replicas, 2);   // min
  EXPECT_EQ(by["huge"].replicas, 10);  // max
  EXPECT_EQ(by["own"].replicas, 5);    // ceil(8.1 / (2 * 0.9)) = ceil(4.5)
  EXPECT_EQ(by["ghost"].replicas, -1);
  EXPECT_EQ(by["ghost"].note, "no task record gives the per-replica request");
}

TEST(Scale, StabilizationHoldsScaleDownWithinTheWindow) {
  auto dir = std::filesystem::temp_directory_path() / ("lepton-scale-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ls::ScaleOptions o;
  o.target = 1;
  o.min_replicas = 1;
  o.stabilization = 300;
  o.state_file = (dir / "state.ndjson").string();
  auto run = [&](double now, double demand, std::int64_t current) {
    o.now = now;
    return ls::decide_scale({{"web", {{"cpu", demand}}}}, {task("web", 1, current)}, o).at(0);
  };
  auto a = run(1000, 8, 4);  // scale up at once
  EXPECT_EQ(a.replicas, 8);
  EXPECT_FALSE(a.held);
  auto b = run(1100, 3, 8);  // demand falls: the 8 of 100 s ago holds
  EXPECT_EQ(b.desired, 3);
  EXPECT_EQ(b.replicas, 8);
  EXPECT_TRUE(b.held);
  EXPECT_EQ(b.note, "scale-down to 3 held by the 5m stabilization window");
  auto c = run(1350, 3, 8);  // the 8 has left the window; the 3 of 1100 remains
  EXPECT_EQ(c.replicas, 3);
  EXPECT_FALSE(c.held);
  // The state file is complete NDJSON and holds only the window.
  std::ifstream in(o.state_file);
  std::string line, all;
  while (std::getline(in, line)) all += line + "\n";
  EXPECT_EQ(all, "{\"task\":\"web\",\"history\":[[1100,3],[1350,3]]}\n");
  // A broken state file is an error, not silently ignored.
  std::ofstream(o.state_file) << "not json\n";
  EXPECT_THROW(run(1400, 3, 3), lepton::DataError);
  std::filesystem::remove_all(dir);
}

TEST(Scale, WithoutStateScaleDownIsImmediateAndSaysSo) {
  ls::ScaleOptions o;
  o.target = 1;
  auto d = ls::decide_scale({{"web", {{"cpu", 2}}}}, {task("web", 1, 6)}, o).at(0);
  EXPECT_EQ(d.replicas, 2);
  EXPECT_EQ(d.previous, 6);
  EXPECT_EQ(d.note, "scale-down applied at once: --stabilization needs --state to remember recommendations");
}
