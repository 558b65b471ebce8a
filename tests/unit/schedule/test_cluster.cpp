// Cluster placement: constraints (capacity, selectors, taints, spread,
// priorities, preemption), the move budget, and each objective, checked by
// an independent feasibility check of the plan on adversarial small cases
// and on seeded random clusters.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "lepton/schedule/cluster.h"
#include "schedule/rng.h"

namespace ls = lepton::schedule;

namespace {

ls::Node node(std::string name, std::vector<std::pair<std::string, double>> cap, ls::LabelMap labels = {},
              std::uint64_t count = 1) {
  ls::Node n;
  n.name = std::move(name);
  n.capacity = std::move(cap);
  std::sort(labels.begin(), labels.end());
  n.labels = std::move(labels);
  n.count = count;
  return n;
}

ls::Task task(std::string name, std::vector<std::pair<std::string, double>> req, std::uint32_t replicas = 1) {
  ls::Task t;
  t.name = std::move(name);
  t.request = std::move(req);
  t.replicas = replicas;
  t.replicas_given = true;
  return t;
}

// Re-derives every constraint from the problem and the plan.
void expect_feasible(const ls::Problem& pb, const ls::Plan& plan) {
  std::map<std::string, const ls::Node*> by_name;
  for (std::size_t v = 0; v < plan.node_names.size(); ++v) by_name[plan.node_names[v]] = &pb.nodes[plan.node_record[v]];
  std::map<std::pair<std::size_t, std::string>, double> load;
  std::map<std::pair<std::size_t, std::string>, std::uint32_t> spread;
  for (std::size_t t = 0; t < pb.tasks.size(); ++t) {
    const auto& task = pb.tasks[t];
    ASSERT_EQ(plan.first_replica[t + 1] - plan.first_replica[t], task.replicas);
    for (auto r = plan.first_replica[t]; r < plan.first_replica[t + 1]; ++r) {
      auto v = plan.node_of[r];
      if (v == ls::kUnplaced) {
        EXPECT_FALSE(plan.reason[r].empty()) << task.name;
        continue;
      }
      const ls::Node& n = pb.nodes[plan.node_record[v]];
      for (const auto& [k, x] : task.request) load[{v, k}] += x;
      EXPECT_TRUE(ls::selector_matches(task.selector, n.labels)) << task.name << " on " << plan.node_names[v];
      EXPECT_TRUE(ls::tolerates(task.tolerations, n.taints)) << task.name << " on " << plan.node_names[v];
      if (!task.spread.by.empty()) {
        std::string slot = task.spread.by == "node" ? plan.node_names[v] : *ls::find_label(n.labels, task.spread.by);
        auto& count = spread[std::make_pair(t, slot)];
        EXPECT_LE(++count, task.spread.max_per) << task.name << " spread on " << slot;
      }
    }
  }
  for (const auto& [key, x] : load) {
    const ls::Node& n = pb.nodes[plan.node_record[key.first]];
    double cap = 0;
    for (const auto& [k, c] : n.capacity)
      if (k == key.second) cap = c;
    EXPECT_LE(x, cap * (1 + 1e-9)) << plan.node_names[key.first] << " " << key.second;
  }
}

std::string node_of(const ls::Problem& pb, const ls::Plan& plan, const std::string& task, std::uint32_t replica) {
  for (std::size_t t = 0; t < pb.tasks.size(); ++t)
    if (pb.tasks[t].name == task) {
      auto v = plan.node_of[plan.first_replica[t] + replica];
      return v == ls::kUnplaced ? "-" : plan.node_names[v];
    }
  return "?";
}

std::string reason_of(const ls::Problem& pb, const ls::Plan& plan, const std::string& task) {
  for (std::size_t t = 0; t < pb.tasks.size(); ++t)
    if (pb.tasks[t].name == task) return plan.reason[plan.first_replica[t]];
  return "?";
}

}  // namespace

TEST(Cluster, UnplacedReasonsNameTheConstraint) {
  ls::Problem pb;
  pb.nodes.push_back(node("a", {{"cpu", 8}, {"mem", 16}}, {{"zone", "a"}}));
  auto g = node("g", {{"cpu", 16}, {"gpu", 4}}, {{"accel", "a100"}, {"zone", "b"}});
  g.taints.push_back({"gpu", "true", "NoSchedule"});
  pb.nodes.push_back(g);
  auto big = task("big", {{"gpu", 8}});
  big.selector = {{"accel", "a100"}};
  big.tolerations = {{"gpu", ""}};
  pb.tasks.push_back(big);
  auto untol = task("untol", {{"cpu", 1}});
  untol.selector = {{"accel", "a100"}};
  pb.tasks.push_back(untol);
  auto nosel = task("nosel", {{"cpu", 1}});
  nosel.selector = {{"zone", "x"}};
  pb.tasks.push_back(nosel);
  pb.tasks.push_back(task("huge", {{"mem", 64}}));
  auto spread = task("spread", {{"cpu", 1}}, 2);
  spread.spread.by = "zone";
  pb.tasks.push_back(spread);
  pb.tasks.push_back(task("fill", {{"cpu", 7}}, 2));
  auto plan = ls::solve_cluster(pb, {});
  expect_feasible(pb, plan);
  EXPECT_EQ(reason_of(pb, plan, "big"), "no matching node has gpu >= 8");
  EXPECT_EQ(reason_of(pb, plan, "untol"), "no matching node tolerates its taints (e.g. gpu=true:NoSchedule)");
  EXPECT_EQ(reason_of(pb, plan, "nosel"), "no node matches selector zone=x");
  EXPECT_EQ(reason_of(pb, plan, "huge"), "no node has mem >= 64");
  // "spread" is spread by zone, and only zone a is untainted: one replica fits.
  EXPECT_EQ(node_of(pb, plan, "spread", 0), "a");
  EXPECT_EQ(node_of(pb, plan, "spread", 1), "-");
  EXPECT_EQ(plan.reason[plan.first_replica[4] + 1],
            "spread by zone: every zone value already has 1 replica(s) of spread");
  // Two replicas of 7 cpu and one 8-cpu node: the second has no room.
  EXPECT_EQ(plan.reason[plan.first_replica[5] + 1], "insufficient free cpu (needs 7) on 1 eligible node(s)");
  EXPECT_EQ(plan.summary.unplaced, 6u);
}

TEST(Cluster, SpreadByNodeAndByLabelWithMax) {
  ls::Problem pb;
  for (const char* z : {"a", "b", "c"})
    pb.nodes.push_back(node(std::string("n") + z, {{"cpu", 100}}, {{"zone", z}}, 2));
  auto by_node = task("by-node", {{"cpu", 1}}, 7);
  by_node.spread.by = "node";
  pb.tasks.push_back(by_node);
  auto by_zone = task("by-zone", {{"cpu", 1}}, 7);
  by_zone.spread = {"zone", 2};
  pb.tasks.push_back(by_zone);
  auto plan = ls::solve_cluster(pb, {});
  expect_feasible(pb, plan);
  // 6 nodes: 6 replicas by node, the 7th unplaced; 3 zones x 2: 6 by zone.
  EXPECT_EQ(plan.summary.unplaced, 2u);
  EXPECT_EQ(plan.reason[6], "spread by node: every eligible node already has 1 replica(s) of by-node");
  EXPECT_EQ(plan.reason[13], "spread by zone: every zone value already has 2 replica(s) of by-zone");
}

TEST(Cluster, HigherPriorityPlacesFirstAndPreemptionEvicts) {
  ls::Problem pb;
  pb.nodes.push_back(node("n1", {{"cpu", 8}}));
  pb.nodes.push_back(node("n2", {{"cpu", 8}}));
  auto low = task("low", {{"cpu", 4}}, 4);
  low.current = {"n1", "n1", "n2", "n2"};
  pb.tasks.push_back(low);
  auto high = task("high", {{"cpu", 6}});
  high.priority = 10;
  pb.tasks.push_back(high);
  auto keep = ls::solve_cluster(pb, {});
  expect_feasible(pb, keep);
  EXPECT_EQ(node_of(pb, keep, "high", 0), "-");
  EXPECT_TRUE(keep.evictions.empty());
  ls::ClusterOptions o;
  o.preempt = true;
  auto plan = ls::solve_cluster(pb, o);
  expect_feasible(pb, plan);
  EXPECT_NE(node_of(pb, plan, "high", 0), "-");
  ASSERT_EQ(plan.evictions.size(), 2u);
  EXPECT_EQ(pb.tasks[plan.evictions[0].task].name, "low");
  EXPECT_EQ(pb.tasks[plan.evictions[0].by_task].name, "high");
  EXPECT_EQ(plan.summary.unplaced, 2u);
  // Without running replicas, priority order alone decides who is left out.
  pb.tasks[0].current.clear();
  auto fresh = ls::solve_cluster(pb, {});
  EXPECT_NE(node_of(pb, fresh, "high", 0), "-");
  EXPECT_EQ(fresh.summary.unplaced, 2u);
}

TEST(Cluster, MoveBudgetIsRespected) {
  ls::Problem pb;
  pb.nodes.push_back(node("n", {{"cpu", 8}, {"mem", 16}}, {}, 5));
  auto a = task("a", {{"cpu", 2}, {"mem", 4}}, 5);
  a.current = {"n#0", "n#1", "n#2", "n#3", "n#4"};
  auto b = task("b", {{"cpu", 1}, {"mem", 2}}, 5);
  b.current = a.current;
  pb.tasks = {a, b};
  for (std::uint64_t k : {0u, 1u, 3u, 4u, 100u}) {
    ls::ClusterOptions o;
    o.max_moves = k;
    auto plan = ls::solve_cluster(pb, o);
    expect_feasible(pb, plan);
    EXPECT_LE(plan.moves.size(), k);
    // Every move record matches a replica that changed node.
    for (const auto& m : plan.moves) {
      EXPECT_EQ(plan.node_of[plan.first_replica[m.task] + m.replica], m.to);
      EXPECT_NE(m.from, m.to);
    }
    if (k == 0) {
      EXPECT_EQ(plan.summary.nodes_used, 5u);
    } else if (k == 4) {
      EXPECT_EQ(plan.summary.nodes_used, 3u);
    } else if (k == 100) {
      EXPECT_EQ(plan.summary.nodes_used, 2u);  // 15 cpu, 30 mem: two nodes suffice
    }
  }
}

TEST(Cluster, MovesFixOverloadedNodesFirst) {
  ls::Problem pb;
  pb.nodes.push_back(node("n1", {{"cpu", 4}}));
  pb.nodes.push_back(node("n2", {{"cpu", 4}}));
  auto t = task("t", {{"cpu", 2}}, 3);
  t.current = {"n1", "n1", "n1"};  // 6 cpu on a 4-cpu node
  pb.tasks.push_back(t);
  ls::ClusterOptions o;
  o.max_moves = 1;
  auto plan = ls::solve_cluster(pb, o);
  expect_feasible(pb, plan);
  ASSERT_EQ(plan.moves.size(), 1u);
  EXPECT_EQ(plan.node_names[plan.moves[0].to], "n2");
}

TEST(Cluster, CostPicksTheCheapestMix) {
  ls::Problem pb;
  auto big = node("big", {{"cpu", 16}}, {}, 4);
  big.price = 10;
  auto small = node("small", {{"cpu", 4}}, {}, 8);
  small.price = 3;
  auto cheap = node("cheap", {{"cpu", 8}}, {}, 1);
  cheap.price = 2;
  pb.nodes = {big, small, cheap};
  pb.tasks.push_back(task("t", {{"cpu", 2}}, 8));  // 16 cpu
  ls::ClusterOptions o;
  o.objective = ls::Objective::kCost;
  auto plan = ls::solve_cluster(pb, o);
  expect_feasible(pb, plan);
  // cheap (8 cpu, 2) + two small (8 cpu, 6) = 8 beats one big (10).
  EXPECT_DOUBLE_EQ(plan.summary.cost, 8);
  EXPECT_EQ(plan.summary.unplaced, 0u);
  EXPECT_LE(plan.summary.lower_bound, plan.summary.cost);
  // Fractional covering: 8 cpu of cheap at 0.25 per cpu, 8 of big at 0.625.
  EXPECT_DOUBLE_EQ(plan.summary.lower_bound, 2 + 5);
}

TEST(Cluster, SpreadBalancesAndPackConsolidates) {
  ls::Problem pb;
  pb.nodes.push_back(node("n", {{"cpu", 10}, {"mem", 10}}, {}, 4));
  pb.tasks.push_back(task("t", {{"cpu", 1}, {"mem", 1}}, 12));
  ls::ClusterOptions spread;
  spread.objective = ls::Objective::kSpread;
  auto s = ls::solve_cluster(pb, spread);
  expect_feasible(pb, s);
  EXPECT_EQ(s.summary.nodes_used, 4u);
  EXPECT_DOUBLE_EQ(s.summary.max_utilisation, 0.3);
  EXPECT_DOUBLE_EQ(s.summary.lower_bound, 0.3);
  auto p = ls::solve_cluster(pb, {});
  expect_feasible(pb, p);
  EXPECT_EQ(p.summary.nodes_used, 2u);
  EXPECT_EQ(p.summary.lower_bound, 2);
}

TEST(Cluster, EnergyWholeTasksFollowTheDivisibleOptimum) {
  ls::Problem pb;
  auto old_node = node("old", {{"cpu", 16}}, {}, 4);
  old_node.a = 120, old_node.b = 80, old_node.c = 100;
  auto new_node = node("new", {{"cpu", 32}}, {}, 4);
  new_node.a = 60, new_node.b = 90, new_node.c = 70;
  pb.nodes = {old_node, new_node};
  pb.tasks.push_back(task("svc", {{"cpu", 3}}, 20));
  ls::ClusterOptions o;
  o.objective = ls::Objective::kEnergy;
  auto plan = ls::solve_cluster(pb, o);
  expect_feasible(pb, plan);
  EXPECT_TRUE(plan.summary.divisible_exact);
  EXPECT_GE(plan.summary.power, plan.summary.divisible_power - 1e-9);
  EXPECT_LE(plan.summary.power, plan.summary.divisible_power * 1.05);
}

TEST(Cluster, RandomClustersStayFeasible) {
  lepton::schedule::detail::Rng rng(99);
  for (int inst = 0; inst < 40; ++inst) {
    ls::Problem pb;
    int types = 1 + static_cast<int>(rng.below(4));
    for (int i = 0; i < types; ++i) {
      auto n = node("n" + std::to_string(i), {{"cpu", 4.0 + rng.below(28)}, {"mem", 8.0 + rng.below(56)}},
                    {{"zone", rng.below(2) ? "a" : "b"}}, 1 + rng.below(6));
      if (rng.below(4) == 0) n.taints.push_back({"gpu", "", ""});
      n.price = 1 + rng.below(9);
      n.a = rng.below(100), n.b = rng.below(100), n.c = rng.below(100);
      pb.nodes.push_back(n);
    }
    int tasks = 1 + static_cast<int>(rng.below(8));
    for (int j = 0; j < tasks; ++j) {
      auto t = task("t" + std::to_string(j), {{"cpu", 0.5 + rng.below(8)}, {"mem", 1.0 + rng.below(16)}},
                    static_cast<std::uint32_t>(1 + rng.below(6)));
      if (rng.below(3) == 0) t.selector = {{"zone", rng.below(2) ? "a" : "b"}};
      if (rng.below(3) == 0) t.tolerations = {{"gpu", ""}};
      if (rng.below(3) == 0) t.spread = {rng.below(2) ? "node" : "zone", static_cast<std::uint32_t>(1 + rng.below(2))};
      t.priority = static_cast<std::int64_t>(rng.below(3));
      pb.tasks.push_back(t);
    }
    for (auto obj : {ls::Objective::kPack, ls::Objective::kSpread, ls::Objective::kCost, ls::Objective::kEnergy}) {
      ls::ClusterOptions o;
      o.objective = obj;
      o.seed = static_cast<std::uint64_t>(inst);
      auto plan = ls::solve_cluster(pb, o);
      SCOPED_TRACE(std::string(ls::objective_name(obj)) + " instance " + std::to_string(inst));
      expect_feasible(pb, plan);
      EXPECT_EQ(plan.summary.placed + plan.summary.unplaced, plan.summary.replicas);
      if (obj == ls::Objective::kPack) {
        EXPECT_LE(plan.summary.lower_bound, plan.summary.objective_value);
      }
    }
  }
}
