// Node and task records: fields, defaults and the exact error messages.
#include <gtest/gtest.h>

#include "lepton/json.h"
#include "lepton/schedule/model.h"

namespace ls = lepton::schedule;

namespace {

std::string node_error(std::string_view line) {
  lepton::JsonDocument doc;
  EXPECT_TRUE(doc.parse(line));
  ls::Node n;
  std::string problem, got;
  if (ls::parse_node(doc, n, problem, got)) return "ok";
  return problem + "; got " + got;
}

std::string task_error(std::string_view line) {
  lepton::JsonDocument doc;
  EXPECT_TRUE(doc.parse(line));
  ls::Task t;
  std::string problem, got;
  if (ls::parse_task(doc, t, problem, got)) return "ok";
  return problem + "; got " + got;
}

}  // namespace

TEST(Model, NodeFieldsAndDefaults) {
  lepton::JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"kind":"node","node":"g1","capacity":{"cpu":32,"gpu":8},"labels":{"zone":"b","a":"x"},)"
                        R"("taints":["gpu=true:NoSchedule",{"key":"spot"}],"price":3.2,"provider":"aws","type":"p4",)"
                        R"("a":100,"b":50,"c":30,"count":3,"extra":"ignored"})"));
  ls::Node n;
  std::string problem, got;
  ASSERT_TRUE(ls::parse_node(doc, n, problem, got)) << problem;
  EXPECT_EQ(n.name, "g1");
  ASSERT_EQ(n.capacity.size(), 2u);
  EXPECT_EQ(n.capacity[1].first, "gpu");
  EXPECT_EQ(n.labels.front().first, "a");  // sorted
  ASSERT_EQ(n.taints.size(), 2u);
  EXPECT_EQ(ls::taint_text(n.taints[0]), "gpu=true:NoSchedule");
  EXPECT_EQ(n.taints[1].key, "spot");
  EXPECT_EQ(n.price, 3.2);
  EXPECT_EQ(n.provider, "aws");
  EXPECT_EQ(n.count, 3u);
  EXPECT_EQ(n.c, 30);
  ASSERT_TRUE(doc.parse(R"({"kind":"node","node":"n","capacity":{}})"));
  ASSERT_TRUE(ls::parse_node(doc, n, problem, got));
  EXPECT_EQ(n.count, 1u);
  EXPECT_EQ(n.price, 0);
}

TEST(Model, NodeErrors) {
  EXPECT_EQ(node_error(R"({"kind":"node","capacity":{}})"),
            R"(node record has no "node" name; got {"kind":"node","capacity":{}})");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n"})"),
            R"(missing "capacity" object of resource amounts; got {"kind":"node","node":"n"})");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n","capacity":{"cpu":-1}})"),
            "capacity.cpu must be a finite number >= 0; got -1");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n","capacity":{"cpu":"8"}})"),
            R"(capacity.cpu must be a finite number >= 0; got "8")");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n#1","capacity":{}})"),
            "node names cannot contain '#' (it numbers the nodes of a count); got n#1");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n","capacity":{},"count":1.5})"),
            R"("count" must be a whole number from 0 to 10000000; got 1.5)");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n","capacity":{},"labels":{"zone":1}})"),
            "labels.zone must be a string; got 1");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n","capacity":{},"taints":"gpu"})"),
            R"("taints" must be an array of "key=value" strings or {"key","value"} objects; got "gpu")");
  EXPECT_EQ(node_error(R"({"kind":"node","node":"n","capacity":{},"a":-2})"),
            R"("a" must be a finite number >= 0; got -2)");
}

TEST(Model, TaskFieldsAndCurrentNodes) {
  lepton::JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"({"kind":"task","task":"web","request":{"cpu":0.5},"replicas":3,"selector":{"zone":"a"},)"
                        R"("tolerations":["gpu",{"key":"spot","value":"yes"}],"priority":10,)"
                        R"("spread":{"by":"zone","max":2},"node":["n1",null,"n2"],"min_replicas":2,"max_replicas":9,)"
                        R"("target":0.6})"));
  ls::Task t;
  std::string problem, got;
  ASSERT_TRUE(ls::parse_task(doc, t, problem, got)) << problem;
  EXPECT_EQ(t.replicas, 3u);
  EXPECT_EQ(t.priority, 10);
  EXPECT_EQ(t.spread.by, "zone");
  EXPECT_EQ(t.spread.max_per, 2u);
  EXPECT_EQ(t.current, (std::vector<std::string>{"n1", "", "n2"}));
  EXPECT_EQ(t.tolerations[1].value, "yes");
  EXPECT_EQ(t.min_replicas, 2);
  EXPECT_EQ(t.target, 0.6);
  // One node for every replica; replicas from the node array when absent.
  ASSERT_TRUE(doc.parse(R"({"kind":"task","task":"a","request":{},"replicas":2,"node":"n1","spread":"node"})"));
  ASSERT_TRUE(ls::parse_task(doc, t, problem, got));
  EXPECT_EQ(t.current, (std::vector<std::string>{"n1", "n1"}));
  EXPECT_EQ(t.spread.by, "node");
  EXPECT_EQ(t.spread.max_per, 1u);
  ASSERT_TRUE(doc.parse(R"({"kind":"task","task":"a","node":["x","y","z"]})"));
  ASSERT_TRUE(ls::parse_task(doc, t, problem, got));
  EXPECT_EQ(t.replicas, 3u);
  EXPECT_TRUE(t.request.empty());
}

TEST(Model, TaskErrors) {
  EXPECT_EQ(task_error(R"({"kind":"task","task":""})"), R"("task" must be a non-empty string; got "")");
  EXPECT_EQ(task_error(R"({"kind":"task","task":"t","replicas":-1})"),
            R"("replicas" must be a whole number from 0 to 10000000; got -1)");
  EXPECT_EQ(task_error(R"({"kind":"task","task":"t","spread":3})"),
            R"("spread" must be "node", a label name, or {"by":...,"max":N}; got 3)");
  EXPECT_EQ(task_error(R"({"kind":"task","task":"t","spread":{"by":"zone","max":0}})"),
            R"("spread" takes {"by":"node"|LABEL,"max":N} with N a whole number >= 1; got {"by":"zone","max":0})");
  EXPECT_EQ(task_error(R"({"kind":"task","task":"t","node":[1]})"),
            R"("node" entries must be node names or null; got 1)");
  EXPECT_EQ(task_error(R"({"kind":"task","task":"t","target":1.5})"),
            R"("target" must be a utilisation in (0, 1]; got 1.5)");
  EXPECT_EQ(task_error(R"({"kind":"task","task":"t","priority":"high"})"),
            R"("priority" must be a whole number from -1000000000 to 1000000000; got "high")");
}

TEST(Model, SelectorsAndTolerations) {
  ls::LabelMap labels = {{"type", "gpu"}, {"zone", "a"}};
  EXPECT_TRUE(ls::selector_matches({}, labels));
  EXPECT_TRUE(ls::selector_matches({{"zone", "a"}}, labels));
  EXPECT_FALSE(ls::selector_matches({{"zone", "b"}}, labels));
  EXPECT_FALSE(ls::selector_matches({{"disk", "ssd"}}, labels));
  std::vector<ls::Taint> taints = {{"gpu", "true", "NoSchedule"}};
  EXPECT_FALSE(ls::tolerates({}, taints));
  EXPECT_TRUE(ls::tolerates({{"gpu", ""}}, taints));
  EXPECT_TRUE(ls::tolerates({{"gpu", "true"}}, taints));
  EXPECT_FALSE(ls::tolerates({{"gpu", "false"}}, taints));
  EXPECT_TRUE(ls::tolerates({{"*", ""}}, taints));
}
