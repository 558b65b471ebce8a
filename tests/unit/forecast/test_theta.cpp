#include "lepton/forecast/theta.h"

#include <gtest/gtest.h>

#include "synthetic.h"

using namespace lepton::forecast;

TEST(Theta, MatchesRThetafWithoutSeason) {
  // R: thetaf(y_trend, h = 3, level = 95)
  auto f = theta_forecast(test::y_trend(), 1, 3);
  EXPECT_NEAR(f.mean[0], 158.369564845246, 0.02);
  EXPECT_NEAR(f.mean[1], 158.614670990798, 0.02);
  EXPECT_NEAR(f.mean[2], 158.85977713635, 0.02);
  EXPECT_NEAR(f.interval(0, 0.95).hi, 166.323076551566, 0.05);
  EXPECT_NEAR(f.interval(2, 0.95).hi, 167.869081865955, 0.05);
}

TEST(Theta, MatchesRThetafWithSeason) {
  // R: thetaf(ts(y_pos, frequency = 12), h = 3)
  auto f = theta_forecast(test::y_pos(), 12, 3);
  EXPECT_NEAR(f.mean[0], 198.861470597945, 0.05);
  EXPECT_NEAR(f.mean[1], 208.601619707099, 0.05);
  EXPECT_NEAR(f.mean[2], 216.859705886334, 0.05);
}

TEST(Theta, SesByHand) {
  // A constant series: any alpha fits exactly, the level is the constant.
  auto s = fit_ses(std::vector<double>(20, 4.0));
  EXPECT_NEAR(s.level, 4, 1e-9);
  EXPECT_NEAR(s.sigma2, 0, 1e-12);
}

TEST(OptimisedTheta, TracksALinearTrend) {
  // On a clean line the optimised Theta extrapolates it (theta -> large,
  // weight on the trend line); standard Theta halves the slope.
  std::vector<double> y;
  for (int t = 0; t < 60; ++t) y.push_back(10 + 2.0 * t);
  auto o = otheta_forecast(y, 1, 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(o.mean[i], 10 + 2.0 * (60 + i), 0.5) << i;
  EXPECT_EQ(o.model, "otheta");
}

TEST(OptimisedTheta, NoWorseInSampleThanStandardOnNoise) {
  auto y = test::y_trend();
  auto o = otheta_forecast(y, 1, 3);
  for (double v : o.mean) EXPECT_TRUE(std::isfinite(v));
  EXPECT_GT(o.sd[2], o.sd[0]);
}
