// Divisible energy: the water-filling optimum against an independent
// minimiser (nested golden-section search on the load split) for every
// on/off choice, on seeded instances, within 1e-6 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "lepton/schedule/energy.h"
#include "schedule/rng.h"

namespace ls = lepton::schedule;

namespace {

// Minimises a convex function on [lo, hi] by golden-section search.
double golden(const std::function<double(double)>& f, double lo, double hi) {
  const double g = (std::sqrt(5.0) - 1) / 2;
  double a = lo, b = hi;
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = f(c), fd = f(d);
  for (int i = 0; i < 200 && b - a > 1e-13 * (1 + std::abs(hi)); ++i) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return std::min({f(a), f(b), f((a + b) / 2)});
}

// Least power with load L spread over the given single nodes (all on):
// recursive golden sections over the first node's share.
double brute_split(const std::vector<ls::EnergyType>& nodes, std::size_t from, double load) {
  const double inf = std::numeric_limits<double>::infinity();
  if (from == nodes.size()) return load <= 1e-12 ? 0.0 : inf;
  double rest_cap = 0;
  for (std::size_t i = from + 1; i < nodes.size(); ++i) rest_cap += nodes[i].capacity;
  const auto& t = nodes[from];
  double lo = std::max(0.0, load - rest_cap), hi = std::min(t.capacity, load);
  if (lo > hi + 1e-12) return inf;
  if (from + 1 == nodes.size()) return ls::node_power(t, load);
  return golden([&](double x) { return ls::node_power(t, x) + brute_split(nodes, from + 1, load - x); }, lo,
                std::max(lo, hi));
}

// Exhaustive on/off choice over single nodes with the brute-force split.
double brute_optimum(const std::vector<ls::EnergyType>& nodes, double load) {
  double best = std::numeric_limits<double>::infinity();
  for (unsigned mask = 1; mask < (1u << nodes.size()); ++mask) {
    std::vector<ls::EnergyType> on;
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (mask >> i & 1u) on.push_back(nodes[i]);
    best = std::min(best, brute_split(on, 0, load));
  }
  return best;
}

}  // namespace

TEST(WaterFill, EqualNodesShareEqually) {
  std::vector<ls::EnergyType> t = {{10, 100, 50, 20, 4}};
  std::vector<double> load;
  double p = ls::water_fill(t, {4}, 20, load);
  EXPECT_DOUBLE_EQ(load[0], 5);
  EXPECT_DOUBLE_EQ(p, 4 * (100 * 0.25 + 50 * 0.5 + 20));
  EXPECT_TRUE(std::isinf(ls::water_fill(t, {1}, 20, load)));  // 1 node cannot carry 20
}

TEST(WaterFill, LinearNodesFillCheapestFirst) {
  // a = 0: marginal power b/C is constant, so the cheaper node fills first.
  std::vector<ls::EnergyType> t = {{10, 0, 30, 5, 1}, {10, 0, 10, 5, 1}};
  std::vector<double> load;
  double p = ls::water_fill(t, {1, 1}, 14, load);
  EXPECT_DOUBLE_EQ(load[1], 10);
  EXPECT_DOUBLE_EQ(load[0], 4);
  EXPECT_NEAR(p, 30 * 0.4 + 5 + 10 + 5, 1e-12);
}

TEST(DivisibleEnergy, MatchesAnIndependentMinimiserOnSeededInstances) {
  lepton::schedule::detail::Rng rng(2026);
  int checked = 0;
  for (int inst = 0; inst < 40; ++inst) {
    std::size_t n = 2 + rng.below(3);  // 2..4 single nodes
    std::vector<ls::EnergyType> nodes;
    double cap = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ls::EnergyType t;
      t.capacity = 4 + std::floor(rng.unit() * 28);
      t.a = rng.below(5) == 0 ? 0.0 : 10 + rng.unit() * 200;
      t.b = rng.unit() * 100;
      t.c = rng.unit() * 150;
      t.count = 1;
      cap += t.capacity;
      nodes.push_back(t);
    }
    double load = cap * (0.05 + 0.9 * rng.unit());
    auto r = ls::solve_divisible_energy(nodes, load);
    ASSERT_TRUE(r.feasible);
    EXPECT_TRUE(r.exact);
    double brute = brute_optimum(nodes, load);
    EXPECT_NEAR(r.power, brute, 1e-6 * brute) << "instance " << inst;
    // The reported allocation carries the load and has the reported power.
    double sum = 0, power = 0;
    for (std::size_t t = 0; t < nodes.size(); ++t) {
      sum += static_cast<double>(r.on[t]) * r.load[t];
      if (r.on[t]) power += static_cast<double>(r.on[t]) * ls::node_power(nodes[t], r.load[t]);
      EXPECT_LE(r.load[t], nodes[t].capacity * (1 + 1e-12));
    }
    EXPECT_NEAR(sum, load, 1e-9 * load);
    EXPECT_NEAR(power, r.power, 1e-9 * r.power);
    ++checked;
  }
  EXPECT_EQ(checked, 40);
}

TEST(DivisibleEnergy, TypesWithCountsAndTheLocalSearchFallback) {
  // Idle power c makes fewer, busier nodes cheaper: 100 identical nodes,
  // load 30: k nodes on cost k*c + a*(30/k/C)^2*k; best k is interior.
  std::vector<ls::EnergyType> t = {{10, 200, 0, 50, 100}};
  auto exact = ls::solve_divisible_energy(t, 30);
  EXPECT_TRUE(exact.exact);
  double best = std::numeric_limits<double>::infinity();
  for (int k = 3; k <= 100; ++k) {
    double u = 30.0 / k / 10;
    best = std::min(best, k * (200 * u * u + 50));
  }
  EXPECT_NEAR(exact.power, best, 1e-9 * best);
  // With enumeration disallowed the local search finds the same optimum here.
  auto local = ls::solve_divisible_energy(t, 30, 1);
  EXPECT_FALSE(local.exact);
  EXPECT_NEAR(local.power, best, 1e-9 * best);
  auto none = ls::solve_divisible_energy(t, 5000);
  EXPECT_FALSE(none.feasible);
}
