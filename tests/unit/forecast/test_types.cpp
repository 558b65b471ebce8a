#include "lepton/forecast/types.h"

#include <limits>
#include <utility>

#include "lepton/forecast/run.h"

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

TEST(ForecastLimits, CutsMeanAndBoundsToTheRange) {
  lepton::forecast::Forecast f;
  f.mean = {0.95, -0.2};
  f.sd = {0.1, 0.1};
  f.limit(0, 1);
  EXPECT_DOUBLE_EQ(f.mean[0], 0.95);
  EXPECT_DOUBLE_EQ(f.mean[1], 0);
  auto iv = f.interval(0, 0.95);
  EXPECT_NEAR(iv.lo, 0.95 - 1.959964 * 0.1, 1e-5);
  EXPECT_DOUBLE_EQ(iv.hi, 1);
  auto iv1 = f.interval(1, 0.95);
  EXPECT_DOUBLE_EQ(iv1.lo, 0);
  EXPECT_NEAR(iv1.hi, 0.1959964, 1e-5);
}

TEST(ForecastLimits, FromTheSeriesRangeAndName) {
  using lepton::forecast::limits_for;
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(limits_for("cpu.util", 0, 0.9), std::make_pair(0.0, 1.0));
  EXPECT_EQ(limits_for("fs.used_frac", 0.2, 0.3), std::make_pair(0.0, 1.0));
  EXPECT_EQ(limits_for("fs.used_frac", 0.2, 1.5), std::make_pair(0.0, inf));  // not a fraction after all
  EXPECT_EQ(limits_for("mem.available_bytes", 1e9, 2e9), std::make_pair(0.0, inf));
  EXPECT_EQ(limits_for("temp.delta", -1, 2), std::make_pair(-inf, inf));
  EXPECT_EQ(limits_for("utilization", 0, 0.5), std::make_pair(0.0, inf));  // name does not end in .util
}
