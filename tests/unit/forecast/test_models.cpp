#include "lepton/forecast/models.h"

#include <gtest/gtest.h>

#include "synthetic.h"

using namespace lepton::forecast;

TEST(Models, NaiveAndSeasonalNaiveByHand) {
  std::vector<double> y = {1, 2, 3, 5, 4, 6};
  auto n = naive_forecast(y, 3);
  EXPECT_EQ(n.mean, (std::vector<double>{6, 6, 6}));
  // Changes 1,1,2,-1,2: sigma = sqrt(11/5).
  EXPECT_NEAR(n.sd[0], std::sqrt(11.0 / 5), 1e-12);
  EXPECT_NEAR(n.sd[2], std::sqrt(11.0 / 5 * 3), 1e-12);
  auto s = snaive_forecast(y, 3, 4);
  EXPECT_EQ(s.mean, (std::vector<double>{5, 4, 6, 5}));
  EXPECT_EQ(s.model, "snaive(3)");
  // Lag-3 changes 4,2,3: sigma = sqrt(29/3); step 4 is in the second cycle.
  EXPECT_NEAR(s.sd[0], std::sqrt(29.0 / 3), 1e-12);
  EXPECT_NEAR(s.sd[3], std::sqrt(29.0 / 3 * 2), 1e-12);
  EXPECT_EQ(snaive_forecast(y, 10, 2).mean, (std::vector<double>{6, 6}));  // shorter than m: naive
}

TEST(Models, SeasonalMean) {
  std::vector<double> y = {1, 10, 3, 20, 5, 30};
  auto f = seasonal_mean_forecast(y, 2, 2, 3);
  EXPECT_DOUBLE_EQ(f.mean[0], 4);
  EXPECT_DOUBLE_EQ(f.mean[1], 25);
  EXPECT_DOUBLE_EQ(f.mean[2], 4);
  auto all = seasonal_mean_forecast(y, 2, 9, 2);  // k capped at 3 cycles
  EXPECT_DOUBLE_EQ(all.mean[0], 3);
  EXPECT_DOUBLE_EQ(all.mean[1], 20);
}

TEST(Models, DriftLinearExp) {
  std::vector<double> y = {1, 3, 5, 7};
  EXPECT_EQ(drift_forecast(y, 2).mean, (std::vector<double>{9, 11}));
  auto l = linear_forecast(y, 2);
  EXPECT_NEAR(l.mean[0], 9, 1e-12);
  EXPECT_NEAR(l.sd[0], 0, 1e-12);  // exact fit
  std::vector<double> g = {1, 2, 4, 8, 16};
  auto e = exp_growth_forecast(g, 2);
  EXPECT_NEAR(e.mean[0], 32, 1e-9);
  EXPECT_NEAR(e.mean[1], 64, 1e-9);
  EXPECT_TRUE(e.log_normal);
  std::vector<double> z = {0, 1, 2};
  EXPECT_EQ(exp_growth_forecast(z, 1).model, "linear");
}

TEST(Models, Naive2FollowsM4) {
  // Seasonal and positive: naive on y / index, times the index.
  auto y = test::y_pos();
  auto fig = m4_seasonal_figure(y, 12);
  ASSERT_EQ(fig.size(), 12u);
  auto f = naive2_forecast(y, 12, 13);
  double level = y.back() / fig[119 % 12];
  EXPECT_NEAR(f.mean[0], level * fig[120 % 12], 1e-9);
  EXPECT_NEAR(f.mean[12], level * fig[132 % 12], 1e-9);
  // Not seasonal (noise): plain naive. (A trending series usually passes
  // the M4 test, whose ACF is not detrended.)
  test::Noise g(11);
  std::vector<double> t(120);
  for (auto& v : t) v = 50 + g.normal();
  EXPECT_TRUE(m4_seasonal_figure(t, 12).empty());
  EXPECT_EQ(naive2_forecast(t, 12, 2).mean, (std::vector<double>{t.back(), t.back()}));
}

TEST(Models, MstlForecastRepeatsSeasons) {
  std::vector<double> x(24 * 10);
  for (std::size_t t = 0; t < x.size(); ++t) x[t] = 20 + 5 * std::sin(2 * M_PI * t / 24);
  auto f = mstl_forecast(x, {24}, 24);
  for (int i = 0; i < 24; ++i) EXPECT_NEAR(f.mean[i], 20 + 5 * std::sin(2 * M_PI * (240 + i) / 24), 0.2) << i;
  EXPECT_EQ(f.model.rfind("MSTL(24)+", 0), 0u) << f.model;
}

TEST(Models, CatalogAndNames) {
  EXPECT_TRUE(known_model("snaive"));
  EXPECT_TRUE(known_model("ets:AAdA"));
  EXPECT_TRUE(known_model("snaive:168"));
  EXPECT_TRUE(known_model("smean:3"));
  EXPECT_FALSE(known_model("ets:CODE"));
  EXPECT_FALSE(known_model("snaive:1"));
  EXPECT_FALSE(known_model("snaive:x"));
  EXPECT_FALSE(known_model("prophet"));
  EXPECT_GE(model_catalog().size(), 10u);
  auto y = test::y_seas();
  for (const auto& m : model_catalog()) {
    std::string name(m.name);
    if (name == "auto" || name.find(':') != std::string::npos) continue;
    auto f = forecast_by_name(name, y, {12}, 5);
    ASSERT_EQ(f.mean.size(), 5u) << name;
    for (double v : f.mean) EXPECT_TRUE(std::isfinite(v)) << name;
  }
  EXPECT_THROW(forecast_by_name("nope", y, {}, 2), std::invalid_argument);
}
