#include "lepton/detect/stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "lepton/detect/state.h"
#include "lepton/error.h"

using namespace lepton::detect;

namespace {

double brute_median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double brute_mad(const std::vector<double>& v) {
  double m = brute_median(v);
  std::vector<double> d;
  for (double x : v) d.push_back(std::fabs(x - m));
  return brute_median(d);
}

}  // namespace

TEST(Stats, NormalSurprise) {
  EXPECT_NEAR(normal_surprise(0), 0.0, 1e-12);
  // P(|Z| >= 1.959964) = 0.05
  EXPECT_NEAR(normal_surprise(1.959964), -std::log(0.05), 1e-5);
  EXPECT_NEAR(normal_surprise(-3), -std::log(0.0026997960632601866), 1e-9);
  // Continuous across the switch to the asymptotic form and finite far out.
  EXPECT_NEAR(normal_surprise(28.28), normal_surprise(28.29), 0.5);
  EXPECT_GT(normal_surprise(40), normal_surprise(30));
  EXPECT_TRUE(std::isfinite(normal_surprise(1e10)));
  EXPECT_TRUE(std::isinf(normal_surprise(INFINITY)));
  EXPECT_EQ(normal_surprise(NAN), 0.0);
}

TEST(Stats, SurpriseToSigmaInverts) {
  for (double z : {0.5, 1.0, 3.0, 5.2, 12.0, 35.0}) EXPECT_NEAR(surprise_to_sigma(normal_surprise(z)), z, 1e-6 * z);
  EXPECT_EQ(surprise_to_sigma(0), 0.0);
}

TEST(Stats, PoissonSurpriseMatchesDirectSum) {
  for (double mu : {0.3, 2.0, 10.0}) {
    for (int c : {1, 3, 8, 20}) {
      // Sum the upper tail directly (1 - lower tail cancels).
      double term = std::exp(-mu), tail = 0;
      for (int k = 0; k < c + 400; ++k) {
        if (k >= c) tail += term;
        term *= mu / (k + 1);
      }
      double want = -std::log(tail);
      EXPECT_NEAR(poisson_surprise(c, mu), want, 1e-6 * std::max(1.0, want)) << "c=" << c << " mu=" << mu;
    }
  }
  EXPECT_EQ(poisson_surprise(0, 3), 0.0);
  // Far tail: ln P(X >= 200 | 1) ~ -(200 ln 200 - 200 - ...) stays finite.
  EXPECT_GT(poisson_surprise(200, 1), 700);
  EXPECT_TRUE(std::isfinite(poisson_surprise(200, 1)));
}

TEST(Stats, Chi2Surprise) {
  // P(chi2_2 >= x) = exp(-x/2)
  EXPECT_NEAR(chi2_surprise(6.0, 2), 3.0, 1e-9);
  // P(chi2_1 >= 3.841459) = 0.05
  EXPECT_NEAR(chi2_surprise(3.841459, 1), -std::log(0.05), 1e-5);
  EXPECT_EQ(chi2_surprise(0, 3), 0.0);
}

TEST(Stats, EwStatsAveragesPlainlyAtFirst) {
  EwStats s(0.01);
  s.add(1);
  s.add(3);
  EXPECT_DOUBLE_EQ(s.mean(), 2.0);
  EXPECT_DOUBLE_EQ(s.variance(), 1.0);  // population variance of {1, 3}
}

TEST(Stats, RollingWindowMatchesBruteForce) {
  std::mt19937 rng(3);
  std::normal_distribution<double> n(1e6, 5);
  RollingWindow w(17);
  std::vector<double> all;
  for (int i = 0; i < 500; ++i) {
    double x = n(rng);
    w.add(x);
    all.push_back(x);
    std::vector<double> last(all.end() - std::min<long>(17, static_cast<long>(all.size())), all.end());
    double m = 0;
    for (double v : last) m += v;
    m /= static_cast<double>(last.size());
    double var = 0;
    for (double v : last) var += (v - m) * (v - m);
    var /= static_cast<double>(last.size());
    ASSERT_NEAR(w.mean(), m, 1e-6);
    if (last.size() > 1) {
      ASSERT_NEAR(w.variance(), var, 1e-3 * std::max(var, 1.0));
    }
    ASSERT_EQ(w.newest(0), x);
  }
}

TEST(Stats, RollingMedianMatchesBruteForce) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> d(0, 20);  // many ties
  for (std::size_t cap : {1u, 2u, 5u, 8u, 31u}) {
    RollingMedian w(cap);
    std::vector<double> all;
    for (int i = 0; i < 300; ++i) {
      double x = d(rng);
      w.add(x);
      all.push_back(x);
      std::vector<double> last(all.end() - std::min<long>(static_cast<long>(cap), static_cast<long>(all.size())),
                               all.end());
      ASSERT_EQ(w.median(), brute_median(last)) << cap << " " << i;
      if (last.size() >= 2) {
        ASSERT_EQ(w.mad(), brute_mad(last)) << cap << " " << i;
      }
      std::sort(last.begin(), last.end());
      ASSERT_EQ(w.quantile(0), last.front());
      ASSERT_EQ(w.quantile(1), last.back());
    }
  }
}

TEST(Stats, CalibratorRatiosAgainstRecentMaximum) {
  Calibrator::Params p;
  p.block = 10;
  p.blocks = 5;
  p.clip = 1.5;
  p.learn = 20;
  Calibrator c(p);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.ratio(1.0 + (i % 3)), 0.0);  // learning
  EXPECT_NEAR(c.ratio(6.0), 2.0, 1e-12);                                // 6 / max 3
  // The 6 entered clipped to 1.5 x 3 = 4.5.
  EXPECT_NEAR(c.reference(), 4.5, 1e-12);
  EXPECT_NEAR(c.ratio(4.5), 1.0, 1e-12);
  // After 50 values (5 blocks of 10) without anything large, the bar is back down.
  for (int i = 0; i < 60; ++i) c.ratio(1.0);
  EXPECT_NEAR(c.ratio(3.0), 3.0, 1e-12);
}

TEST(Stats, CalibratorFirstChangeAfterConstantIsInfinite) {
  Calibrator::Params p;
  p.learn = 5;
  Calibrator c(p);
  for (int i = 0; i < 10; ++i) c.ratio(0.0);
  EXPECT_TRUE(std::isinf(c.ratio(0.1)));
}

TEST(Stats, SaveLoadRoundTrips) {
  RollingMedian m(9);
  RollingWindow w(7);
  Calibrator c;
  for (int i = 0; i < 40; ++i) {
    m.add(i * 1.5 - (i % 4));
    w.add(std::sin(i));
    c.ratio(i % 7);
  }
  std::string bytes;
  StateWriter out(bytes);
  m.save(out);
  w.save(out);
  c.save(out);
  RollingMedian m2(9);
  RollingWindow w2(7);
  Calibrator c2;
  StateReader in(bytes);
  m2.load(in);
  w2.load(in);
  c2.load(in);
  EXPECT_TRUE(in.at_end());
  for (int i = 0; i < 30; ++i) {
    m.add(i);
    m2.add(i);
    w.add(i * 0.1);
    w2.add(i * 0.1);
    ASSERT_EQ(m.median(), m2.median());
    ASSERT_EQ(m.mad(), m2.mad());
    ASSERT_EQ(w.mean(), w2.mean());
    ASSERT_EQ(c.ratio(i), c2.ratio(i));
  }
}

TEST(Stats, TruncatedStateIsADataError) {
  RollingMedian m(9);
  m.add(1);
  std::string bytes;
  StateWriter out(bytes);
  m.save(out);
  bytes.resize(bytes.size() - 3);
  StateReader in(bytes);
  RollingMedian m2(9);
  EXPECT_THROW(m2.load(in), lepton::DataError);
}

TEST(Stats, FastNormalSurpriseIsClose) {
  for (double z = 0; z < 60; z += 0.37) {
    double exact = normal_surprise(z), fast = fast_normal_surprise(z);
    EXPECT_NEAR(fast, exact, 0.5) << z;
    EXPECT_NEAR(fast, exact, 0.02 * exact + 1e-6) << z;
    EXPECT_EQ(fast_normal_surprise(-z), fast);
  }
  EXPECT_LE(fast_normal_surprise(2.0), fast_normal_surprise(2.1));
}
