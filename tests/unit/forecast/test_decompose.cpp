#include "lepton/forecast/decompose.h"

#include <gtest/gtest.h>

#include "synthetic.h"

using namespace lepton::forecast;

TEST(Classical, MultiplicativeFigureMatchesR) {
  // R: decompose(ts(y_pos, frequency = 12), type = "multiplicative")$figure
  const double r[] = {0.996103698473453, 1.04491852093249,  1.08631170830583,  1.10030948808203,
                      1.0948325276834,   1.04641070243401,  0.996974954759262, 0.945428842812468,
                      0.909875978140094, 0.912726655193787, 0.910545269823821, 0.955561653359351};
  auto d = classical_decompose(test::y_pos(), 12, true);
  ASSERT_EQ(d.figure.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_NEAR(d.figure[i], r[i], 1e-12) << i;
  EXPECT_TRUE(std::isnan(d.trend[5]));
  EXPECT_FALSE(std::isnan(d.trend[6]));
  EXPECT_DOUBLE_EQ(d.index(12 + 3), d.figure[3]);
}

TEST(Classical, AdditiveByHand) {
  // Period 2 (even: 2x2 MA), x = 1,3,1,3,1,3: trend 2, figure -1, +1.
  std::vector<double> x = {1, 3, 1, 3, 1, 3};
  auto d = classical_decompose(x, 2, false);
  EXPECT_DOUBLE_EQ(d.trend[1], 2);
  EXPECT_NEAR(d.figure[0], -1, 1e-15);
  EXPECT_NEAR(d.figure[1], 1, 1e-15);
  EXPECT_THROW(classical_decompose(x, 4, false), std::invalid_argument);
}

TEST(Stl, MatchesR) {
  // R: stl(ts(y_seas, frequency = 12), s.window = 11)
  auto r = stl(test::y_seas(), 12, StlOptions{});
  EXPECT_NEAR(r.seasonal[0], -0.536496666604087, 1e-9);
  EXPECT_NEAR(r.seasonal[1], 3.66663226375011, 1e-9);
  EXPECT_NEAR(r.seasonal[2], 9.15025515724315, 1e-9);
  EXPECT_NEAR(r.trend[0], 51.0387615097674, 1e-9);
  EXPECT_NEAR(r.trend[59], 62.7638295619983, 1e-9);
  EXPECT_NEAR(r.trend[119], 73.1695606998461, 1e-9);
  auto y = test::y_seas();
  for (std::size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(r.seasonal[i] + r.trend[i] + r.remainder[i], y[i], 1e-9);
}

TEST(Mstl, SeparatesTwoPeriods) {
  std::vector<double> x(24 * 7 * 4);
  for (std::size_t t = 0; t < x.size(); ++t)
    x[t] = 50 + 0.01 * t + 5 * std::sin(2 * M_PI * t / 24) + 8 * std::sin(2 * M_PI * t / 168);
  auto d = mstl(x, {168, 24});
  ASSERT_EQ(d.periods, (std::vector<int>{24, 168}));
  // Each component tracks its own sine (away from the ends).
  for (std::size_t t = 200; t < 400; ++t) {
    EXPECT_NEAR(d.seasonal[0][t], 5 * std::sin(2 * M_PI * t / 24), 1.0) << t;
    EXPECT_NEAR(d.seasonal[1][t], 8 * std::sin(2 * M_PI * t / 168), 1.5) << t;
  }
  auto adj = d.adjusted();
  for (std::size_t t = 0; t < x.size(); ++t) EXPECT_NEAR(adj[t] + d.seasonal[0][t] + d.seasonal[1][t], x[t], 1e-9);
}

TEST(Mstl, DropsPeriodsThatDoNotFitTwice) {
  std::vector<double> x(100, 1.0);
  auto d = mstl(x, {24, 168});
  EXPECT_EQ(d.periods, std::vector<int>{24});
  auto none = mstl(x, {60});
  EXPECT_TRUE(none.periods.empty());
  EXPECT_EQ(none.trend, x);
}
