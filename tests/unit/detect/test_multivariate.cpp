#include "lepton/detect/multivariate.h"

#include <gtest/gtest.h>

#include <random>

#include "lepton/detect/state.h"

using namespace lepton::detect;

TEST(Mahalanobis, CatchesABrokenCorrelationThatNoMarginalShows) {
  // Two metrics that move together (requests and CPU); at the end CPU is
  // high while requests are low: each value alone is ordinary.
  std::mt19937 rng(3);
  std::normal_distribution<double> z(0, 1);
  MahalanobisModel m(2);
  double d2, s;
  int flagged = 0;
  for (int i = 0; i < 2000; ++i) {
    double load = z(rng);
    Eigen::VectorXd x(2);
    x << 100 + 10 * load + 0.5 * z(rng), 50 + 5 * load + 0.25 * z(rng);
    if (m.update(x, d2, s) && absolute_score(s) >= 0.5) ++flagged;
  }
  EXPECT_LE(flagged, 1);
  Eigen::VectorXd odd(2);
  odd << 90, 55;  // requests one sigma low, CPU one sigma high
  ASSERT_TRUE(m.update(odd, d2, s));
  EXPECT_GT(absolute_score(s), 0.5);
  EXPECT_GT(d2, 50);
}

TEST(Mahalanobis, WarmsUpBeforeScoring) {
  MahalanobisModel m(3);
  double d2, s;
  Eigen::VectorXd x = Eigen::VectorXd::Ones(3);
  for (int i = 0; i < 8; ++i) EXPECT_FALSE(m.update(x, d2, s));
  EXPECT_TRUE(m.update(x, d2, s));
  EXPECT_EQ(d2, 0);  // a constant vector is exactly expected
}

TEST(Mahalanobis, StateRoundTrip) {
  MahalanobisModel a(2);
  double d2, s;
  Eigen::VectorXd x(2);
  for (int i = 0; i < 30; ++i) {
    x << i % 7, (i * 3) % 5;
    a.update(x, d2, s);
  }
  std::string bytes;
  StateWriter w(bytes);
  a.save(w);
  MahalanobisModel b(1);
  StateReader r(bytes);
  b.load(r);
  x << 3, 9;
  double d2a, sa, d2b, sb;
  a.update(x, d2a, sa);
  b.update(x, d2b, sb);
  EXPECT_EQ(d2a, d2b);
}
