#include "lepton/forecast/auto.h"

#include <gtest/gtest.h>

#include "synthetic.h"

using namespace lepton::forecast;

namespace {

// Hourly-like series: daily cycle, weekly pattern, noise.
std::vector<double> hourly(std::size_t n, std::uint64_t seed) {
  test::Noise g(seed);
  std::vector<double> x(n);
  for (std::size_t t = 0; t < n; ++t) {
    double day = 20 * std::sin(2 * M_PI * static_cast<double>(t) / 24);
    bool weekend = (t / 24) % 7 >= 5;
    x[t] = 200 + day - (weekend ? 40 : 0) + 3 * g.normal();
  }
  return x;
}

}  // namespace

TEST(Auto, PrefersWeeklyModelsOnWeeklyData) {
  auto y = hourly(24 * 7 * 5, 1);
  AutoReport rep;
  auto f = auto_forecast(y, {24, 168}, 48, {}, &rep);
  ASSERT_EQ(f.mean.size(), 48u);
  ASSERT_EQ(rep.chosen.size(), 3u);
  // The daily-only seasonal naive cannot see weekends: it must not win.
  EXPECT_NE(rep.candidates[rep.chosen[0]], "snaive:24");
  double wsum = 0;
  for (double w : rep.weights) wsum += w;
  EXPECT_NEAR(wsum, 1, 1e-12);
  EXPECT_TRUE(rep.validated());
  EXPECT_EQ(rep.periods, (std::vector<int>{24, 168}));
  EXPECT_GT(rep.interval_factor, 0);
}

TEST(Auto, AccurateAndCalibratedOnSyntheticHourlyData) {
  // Forecast the next 48 hours of many seeded series: errors small relative
  // to the noise, and the 95% intervals cover most of the truth.
  double covered = 0, total = 0, abs_err = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    auto all = hourly(24 * 7 * 5 + 48, seed);
    std::vector<double> y(all.begin(), all.end() - 48);
    auto f = auto_forecast(y, {24, 168}, 48);
    for (int i = 0; i < 48; ++i) {
      double truth = all[y.size() + i];
      auto iv = f.interval(i, 0.95);
      covered += truth >= iv.lo && truth <= iv.hi;
      abs_err += std::abs(truth - f.mean[i]);
      total += 1;
    }
  }
  EXPECT_LT(abs_err / total, 5.0);  // noise sd 3: MAE of a perfect model is 2.4
  EXPECT_GT(covered / total, 0.85);
  EXPECT_LT(covered / total, 0.995);
}

TEST(Auto, NonSeasonalAndShortSeries) {
  auto y = test::y_trend();
  AutoReport rep;
  auto f = auto_forecast(y, {}, 10, {}, &rep);
  ASSERT_EQ(f.mean.size(), 10u);
  EXPECT_TRUE(rep.validated());
  EXPECT_GT(f.mean[9], 150);  // the trend continues
  // Too short to validate: drift, still with intervals.
  std::vector<double> tiny = {1, 2, 3, 4};
  AutoReport none;
  auto g = auto_forecast(tiny, {}, 3, {}, &none);
  EXPECT_FALSE(none.validated());
  EXPECT_EQ(g.model, "drift");
  EXPECT_NEAR(g.mean[0], 5, 1e-12);
  // A period too long for the history is dropped rather than failing.
  auto s = test::y_seas();
  AutoReport r2;
  auto h = auto_forecast(s, {12, 100}, 12, {}, &r2);
  EXPECT_EQ(r2.periods, std::vector<int>{12});
  EXPECT_EQ(h.mean.size(), 12u);
}

TEST(Auto, ReusedSelectionReproducesTheForecast) {
  auto y = hourly(24 * 7 * 4, 3);
  AutoReport rep;
  auto f = auto_forecast(y, {24, 168}, 24, {}, &rep);
  auto g = auto_forecast_with(y, 24, rep);
  ASSERT_EQ(f.mean.size(), g.mean.size());
  for (std::size_t i = 0; i < f.mean.size(); ++i) {
    EXPECT_NEAR(f.mean[i], g.mean[i], 1e-9);
    EXPECT_NEAR(f.sd[i], g.sd[i], 1e-9);
  }
  EXPECT_EQ(f.model, g.model);
}

TEST(Auto, CustomCandidates) {
  auto y = hourly(24 * 7 * 4, 4);
  AutoOptions o;
  o.candidates = {"snaive:24", "naive"};
  o.combine = 1;
  AutoReport rep;
  auto f = auto_forecast(y, {24, 168}, 24, o, &rep);
  EXPECT_EQ(f.model, "snaive(24)");
  EXPECT_LT(rep.errors[0], rep.errors[1]);
}
