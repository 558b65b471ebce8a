#include "lepton/forecast/types.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lepton::forecast;

TEST(Types, NormalQuantile) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.9), 1.2815515655446004, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-15);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-10);
  EXPECT_TRUE(std::isinf(normal_quantile(0)));
}

TEST(Types, SortedQuantileIsRType7) {
  std::vector<double> s = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(sorted_quantile(s, 0), 1);
  EXPECT_DOUBLE_EQ(sorted_quantile(s, 1), 4);
  EXPECT_DOUBLE_EQ(sorted_quantile(s, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(sorted_quantile(s, 0.25), 1.75);
}

TEST(Types, IntervalSources) {
  Forecast f;
  f.mean = {10, 10};
  f.sd = {1, 2};
  auto a = f.interval(1, 0.95);
  EXPECT_NEAR(a.lo, 10 - 1.959963984540054 * 2, 1e-9);
  EXPECT_NEAR(a.hi, 10 + 1.959963984540054 * 2, 1e-9);
  f.std_errors = {-3, -1, 0, 1, 2};
  auto b = f.interval(0, 0.5);
  EXPECT_DOUBLE_EQ(b.lo, 10 - 1);
  EXPECT_DOUBLE_EQ(b.hi, 10 + 1);
  f.sims = {{7, 8, 9, 11, 13}, {}};
  EXPECT_DOUBLE_EQ(f.interval(0, 0.5).lo, 8);
  EXPECT_DOUBLE_EQ(f.interval(0, 0.5).hi, 11);
  Forecast g;
  g.mean = {100};
  g.sd = {0.1};
  g.log_normal = true;
  auto c = g.interval(0, 0.95);
  EXPECT_NEAR(c.lo, 100 * std::exp(-0.1959963984540054), 1e-9);
  EXPECT_NEAR(c.hi * c.lo, 100 * 100, 1e-6);
  Forecast none;
  none.mean = {5};
  EXPECT_DOUBLE_EQ(none.interval(0, 0.9).hi, 5);
}
