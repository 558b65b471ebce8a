#include "lepton/forecast/seasonality.h"

#include <gtest/gtest.h>

#include "synthetic.h"

using namespace lepton::forecast;

TEST(Acf, MatchesR) {
  // R: acf(y_seas, lag.max = 12)$acf[c(2, 3, 13)]
  auto r = acf(test::y_seas(), 12);
  ASSERT_EQ(r.size(), 13u);
  EXPECT_DOUBLE_EQ(r[0], 1);
  EXPECT_NEAR(r[1], 0.807371583312651, 1e-12);
  EXPECT_NEAR(r[2], 0.628469722408163, 1e-12);
  EXPECT_NEAR(r[12], 0.70026784433431, 1e-12);
}

TEST(Acf, HandComputedAndEdgeCases) {
  // x = 1,2,3,4: mean 2.5, d = -1.5,-0.5,0.5,1.5, c0 = 5, r1 = (0.75-0.25+0.75)/5.
  std::vector<double> x = {1, 2, 3, 4};
  auto r = acf(x, 2);
  EXPECT_NEAR(r[1], 0.25, 1e-15);
  EXPECT_NEAR(r[2], (-0.75 - 0.75) / 5, 1e-15);
  auto c = acf(std::vector<double>(10, 3.0), 3);
  EXPECT_EQ(c[1], 0);
  EXPECT_EQ(acf(std::vector<double>{}, 3).size(), 1u);
}

TEST(Acf, FftPathAgreesWithDirectSum) {
  test::Noise g(7);
  std::vector<double> x(5000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(i * 0.1) + g.normal();
  auto fast = acf(x, 1000);  // n * lags > 4e6: FFT
  auto slow = acf(std::span<const double>(x), 10);
  for (int k = 1; k <= 10; ++k) EXPECT_NEAR(fast[k], slow[k], 1e-9);
}

TEST(SeasonalityTest, M4Rule) {
  EXPECT_TRUE(seasonality_test(test::y_pos(), 12));
  EXPECT_FALSE(seasonality_test(test::y_pos(), 12 * 11));  // shorter than 3 periods
  test::Noise g(3);
  std::vector<double> noise(300);
  for (auto& v : noise) v = 10 + g.normal();
  EXPECT_FALSE(seasonality_test(noise, 12));
}

namespace {

std::vector<double> periodic(int n, std::vector<std::pair<int, double>> parts, double noise_sd, std::uint64_t seed,
                             double trend = 0) {
  test::Noise g(seed);
  std::vector<double> x(n);
  for (int t = 0; t < n; ++t) {
    x[t] = 100 + trend * t + noise_sd * g.normal();
    for (auto [p, a] : parts) {
      // A non-sinusoidal shape: a peak in the first third of each cycle.
      double ph = static_cast<double>(t % p) / p;
      x[t] += a * (ph < 0.33 ? 1.0 : -0.5) + 0.3 * a * std::sin(2 * M_PI * t / p);
    }
  }
  return x;
}

}  // namespace

TEST(DetectPeriods, FindsKnownPeriods) {
  EXPECT_EQ(detect_periods(periodic(200, {{7, 5}}, 1, 1)), std::vector<int>{7});
  EXPECT_EQ(detect_periods(periodic(300, {{12, 3}}, 1, 2, 0.1)), std::vector<int>{12});
  EXPECT_EQ(detect_periods(periodic(24 * 20, {{24, 10}}, 2, 3)), std::vector<int>{24});
}

TEST(DetectPeriods, FindsDailyAndWeekly) {
  // Hourly data: a daily cycle, and weekends (2 days of 7) at a lower level.
  // Eight weeks: the Bartlett bound at lag 168 is wide for a series this
  // autocorrelated, and the sample ACF shrinks long lags by (n - k) / n.
  test::Noise g(5);
  std::vector<double> x(24 * 7 * 8);
  for (std::size_t t = 0; t < x.size(); ++t) {
    double day = 10 * std::sin(2 * M_PI * static_cast<double>(t) / 24);
    bool weekend = (t / 24) % 7 >= 5;
    x[t] = 100 + day - (weekend ? 15 : 0) + g.normal();
  }
  EXPECT_EQ(detect_periods(x), (std::vector<int>{24, 168}));
}

TEST(DetectPeriods, AperiodicSeriesHaveNone) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    test::Noise g(seed);
    std::vector<double> noise(500), walk(500), trend(500);
    double w = 0;
    for (std::size_t i = 0; i < 500; ++i) {
      noise[i] = g.normal();
      w += g.normal();
      walk[i] = w;
      trend[i] = 0.05 * static_cast<double>(i) + g.normal();
    }
    EXPECT_TRUE(detect_periods(noise).empty()) << "noise seed " << seed;
    EXPECT_TRUE(detect_periods(walk).empty()) << "walk seed " << seed;
    EXPECT_TRUE(detect_periods(trend).empty()) << "trend seed " << seed;
  }
  EXPECT_TRUE(detect_periods(std::vector<double>(100, 5.0)).empty());
  EXPECT_TRUE(detect_periods(std::vector<double>{1, 2, 3}).empty());
}

TEST(DetectPeriods, RespectsOptions) {
  DetectOptions o;
  o.max_periods = 1;
  test::Noise g(9);
  std::vector<double> x(24 * 7 * 5);
  for (std::size_t t = 0; t < x.size(); ++t)
    x[t] = 10 * std::sin(2 * M_PI * static_cast<double>(t) / 24) - ((t / 24) % 7 >= 5 ? 15 : 0) + g.normal();
  EXPECT_EQ(detect_periods(x, o), std::vector<int>{24});
  o.max_periods = 2;
  o.max_period = 100;
  EXPECT_EQ(detect_periods(x, o), std::vector<int>{24});
}
