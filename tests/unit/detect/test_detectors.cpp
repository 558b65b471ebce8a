#include "lepton/detect/detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "lepton/detect/state.h"
#include "lepton/error.h"

using namespace lepton::detect;

namespace {

constexpr double kStep = 300;       // five-minute samples
constexpr double kT0 = 1767225600;  // 2026-01-01
constexpr int kDay = 288;           // samples per day

struct Series {
  std::vector<double> ts, v;
};

Series noise(int n, unsigned seed, double sd = 1.0) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> z(0, sd);
  Series s;
  for (int i = 0; i < n; ++i) {
    s.ts.push_back(kT0 + kStep * i);
    s.v.push_back(100 + z(rng));
  }
  return s;
}

// A daily cycle of amplitude 20 with noise.
Series daily(int n, unsigned seed) {
  Series s = noise(n, seed);
  for (int i = 0; i < n; ++i) s.v[i] += 20 * std::sin(2 * M_PI * i / kDay);
  return s;
}

std::vector<Verdict> run(Detector& d, const Series& s) {
  std::vector<Verdict> out;
  for (std::size_t i = 0; i < s.v.size(); ++i) out.push_back(d.update(s.ts[i], s.v[i]));
  return out;
}

std::unique_ptr<Detector> make(const std::string& name, double season = 0) {
  DetectorOptions o;
  o.name = name;
  o.season = season;
  return make_detector(o);
}

// The first index in [from, to) scoring at or above 0.5, or -1.
int first_alarm(const std::vector<Verdict>& v, int from, int to) {
  for (int i = from; i < to; ++i)
    if (v[static_cast<std::size_t>(i)].score >= 0.5) return i;
  return -1;
}

int alarms(const std::vector<Verdict>& v, int from) {
  int n = 0;
  for (std::size_t i = static_cast<std::size_t>(from); i < v.size(); ++i) n += v[i].score >= 0.5;
  return n;
}

}  // namespace

// ---- every detector: clean data is not flagged, a large spike is ----------

class EveryDetector : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryDetector, CleanNoiseIsNotFlagged) {
  auto d = make(GetParam());
  auto v = run(*d, noise(3 * kDay, 11));
  EXPECT_EQ(alarms(v, 300), 0) << GetParam();
  for (const auto& x : v) {
    ASSERT_GE(x.score, 0.0);
    ASSERT_LE(x.score, 1.0);
  }
}

TEST_P(EveryDetector, StateRoundTripContinuesExactly) {
  Series s = daily(3 * kDay, 5);
  s.v[700] += 40;
  auto whole = make(GetParam());
  auto a = run(*whole, s);
  // First half, save, load into a fresh detector, second half.
  auto first = make(GetParam());
  Series head{{s.ts.begin(), s.ts.begin() + 400}, {s.v.begin(), s.v.begin() + 400}};
  Series tail{{s.ts.begin() + 400, s.ts.end()}, {s.v.begin() + 400, s.v.end()}};
  run(*first, head);
  std::string bytes;
  StateWriter w(bytes);
  first->save(w);
  auto second = make(GetParam());
  StateReader r(bytes);
  second->load(r);
  EXPECT_TRUE(r.at_end());
  auto b = run(*second, tail);
  for (std::size_t i = 0; i < b.size(); ++i) {
    const Verdict& x = a[400 + i];
    const Verdict& y = b[i];
    ASSERT_EQ(x.score, y.score) << GetParam() << " at " << i;
    ASSERT_EQ(x.strength, y.strength);
    ASSERT_TRUE(x.expected == y.expected || (std::isnan(x.expected) && std::isnan(y.expected)));
  }
}

TEST_P(EveryDetector, StateOfAnotherDetectorIsRejected) {
  auto d = make(GetParam());
  run(*d, noise(50, 1));
  std::string bytes;
  StateWriter w(bytes);
  d->save(w);
  for (const auto& other : detector_names()) {
    if (other == GetParam()) continue;
    auto o = make(other);
    StateReader r(bytes);
    EXPECT_THROW(o->load(r), lepton::DataError) << GetParam() << " into " << other;
  }
}

INSTANTIATE_TEST_SUITE_P(Detect, EveryDetector, ::testing::ValuesIn(detector_names()));

// ---- point outliers ----------------------------------------------------------

class SpikeDetector : public ::testing::TestWithParam<std::string> {};

TEST_P(SpikeDetector, CatchesASpike) {
  Series s = noise(2 * kDay, 3);
  s.v[400] += 12;  // 12 sigma
  auto d = make(GetParam());
  auto v = run(*d, s);
  EXPECT_EQ(first_alarm(v, 300, static_cast<int>(s.v.size())), 400) << GetParam();
  EXPECT_GT(v[400].sigma, 6) << GetParam();
  EXPECT_LT(v[400].expected, 101.5);
  EXPECT_GT(v[400].hi, v[400].expected);
  EXPECT_LT(v[400].lo, v[400].expected);
}

TEST_P(SpikeDetector, CatchesADip) {
  Series s = noise(2 * kDay, 4);
  s.v[450] -= 12;
  auto v = run(*make(GetParam()), s);
  EXPECT_EQ(first_alarm(v, 300, static_cast<int>(s.v.size())), 450) << GetParam();
  EXPECT_LT(v[450].sigma, -6) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Detect, SpikeDetector, ::testing::Values("ensemble", "zscore", "ewma", "mad", "forecast"));

// ---- seasonal anomalies: normal level at the wrong time of day -------------

class SeasonalDetector : public ::testing::TestWithParam<std::string> {};

TEST_P(SeasonalDetector, CleanDailyCycleIsNotFlagged) {
  auto v = run(*make(GetParam()), daily(6 * kDay, 8));
  EXPECT_EQ(alarms(v, 2 * kDay), 0) << GetParam();
}

TEST_P(SeasonalDetector, CatchesAMissingDailyPeak) {
  Series s = daily(6 * kDay, 9);
  // On day 4 the peak does not come: the value stays at the daily mean,
  // well inside the range of the whole series.
  int peak = 4 * kDay + kDay / 4;
  for (int i = peak - 30; i <= peak + 30; ++i)
    s.v[static_cast<std::size_t>(i)] = 100 + (s.v[i] - 100 - 20 * std::sin(2 * M_PI * i / kDay));
  auto v = run(*make(GetParam()), s);
  int at = first_alarm(v, peak - 30, peak + 31);
  EXPECT_NE(at, -1) << GetParam();
  EXPECT_EQ(v[static_cast<std::size_t>(at)].basis, GetParam() == "forecast" ? Basis::kForecast : Basis::kSeasonal);
  EXPECT_LT(v[static_cast<std::size_t>(at)].sigma, 0);
}

INSTANTIATE_TEST_SUITE_P(Detect, SeasonalDetector, ::testing::Values("ensemble", "seasonal", "forecast"));

TEST(Ensemble, NoSeasonalBaselineBeforeAWholePeriod) {
  // Less than a day of a slow wave with one spike: the value after the
  // spike is normal and must not be judged against a "seasonal" baseline
  // made of the spike (the spike opens a weekly phase bucket, 35 minutes
  // wide, that is seen for the first time).
  Series s = noise(250, 31, 0.2);
  for (std::size_t i = 0; i < s.v.size(); ++i) s.v[i] += 10 * std::sin(2 * M_PI * static_cast<double>(i) / kDay);
  const std::size_t spike = 182;  // the first sample of a weekly bucket
  s.v[spike] += 40;
  auto v = run(*make("ensemble"), s);
  EXPECT_GE(v[spike].score, 0.5);
  for (std::size_t i = spike + 1; i < v.size(); ++i) {
    EXPECT_LT(v[i].score, 0.5) << i;
    EXPECT_NE(v[i].basis, Basis::kSeasonal) << i;
  }
}

TEST(Seasonal, NeedsASeason) {
  DetectorOptions o;
  o.name = "seasonal";
  o.season = -1;
  EXPECT_THROW(make_detector(o), lepton::UsageError);
}

TEST(Seasonal, UsesAGivenSeason) {
  // A 1-hour cycle (12 samples), given explicitly.
  Series s = noise(40 * 12 * 10, 12, 0.5);
  for (std::size_t i = 0; i < s.v.size(); ++i) s.v[i] += 10 * std::sin(2 * M_PI * static_cast<double>(i) / 12);
  int at = 4000 + 3;                        // a peak
  s.v[static_cast<std::size_t>(at)] -= 10;  // flattened peak
  auto v = run(*make("seasonal", 3600), s);
  EXPECT_EQ(alarms(v, 600) - (v[static_cast<std::size_t>(at)].score >= 0.5), 0);
  EXPECT_GE(v[static_cast<std::size_t>(at)].score, 0.5);
  EXPECT_EQ(v[static_cast<std::size_t>(at)].basis, Basis::kSeasonal);
}

// ---- level shifts: CUSUM and change points ----------------------------------

class ShiftDetector : public ::testing::TestWithParam<std::string> {};

TEST_P(ShiftDetector, CatchesASmallSustainedShift) {
  Series s = noise(2 * kDay, 21);
  for (std::size_t i = 400; i < s.v.size(); ++i) s.v[i] += 1.5;  // 1.5 sigma: no single value stands out
  auto v = run(*make(GetParam()), s);
  int at = first_alarm(v, 300, static_cast<int>(s.v.size()));
  EXPECT_GE(at, 400) << GetParam();
  EXPECT_LT(at, 440) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Detect, ShiftDetector, ::testing::Values("cusum", "bocpd"));

TEST(Cusum, ReportsTheShiftBasis) {
  Series s = noise(2 * kDay, 22);
  for (std::size_t i = 400; i < s.v.size(); ++i) s.v[i] -= 2;
  auto v = run(*make("cusum"), s);
  int at = first_alarm(v, 300, static_cast<int>(s.v.size()));
  ASSERT_GE(at, 400);
  EXPECT_EQ(v[static_cast<std::size_t>(at)].basis, Basis::kLevelShift);
}

// ---- the ensemble ------------------------------------------------------------

TEST(Ensemble, CatchesALevelShiftOnce) {
  Series s = noise(3 * kDay, 31);
  for (std::size_t i = 500; i < s.v.size(); ++i) s.v[i] += 8;
  auto v = run(*make("ensemble"), s);
  EXPECT_EQ(first_alarm(v, 300, static_cast<int>(s.v.size())), 500);
  // One incident is reported once; its strength stays up for a while (above
  // the default resolve level of alerts).
  EXPECT_LE(alarms(v, 501), 2);
  EXPECT_GE(v[501].strength, 0.4);
}

TEST(Ensemble, CatchesAnUnusualPatternInsideTheNormalRange) {
  // A square wave of period 20; at 600 a stretch holds the middle level.
  Series s = noise(3 * kDay, 41, 0.2);
  for (std::size_t i = 0; i < s.v.size(); ++i) s.v[i] += (i / 10) % 2 ? 5 : -5;
  for (std::size_t i = 600; i < 620; ++i) s.v[i] = 100 + (s.v[i] - 100) * 0.02;
  auto v = run(*make("ensemble"), s);
  int at = first_alarm(v, 300, static_cast<int>(s.v.size()));
  EXPECT_GE(at, 600);
  EXPECT_LT(at, 612);
}

TEST(Ensemble, CatchesADensityChangeOfSpikes) {
  // Rare spikes are normal; a burst of them is not. (Judged once the
  // ensemble has watched the usual spikes for a while: the first novelties of
  // a young series set a high bar for its first couple of thousand values.)
  // The pattern memory (--patterns) must reach back past the usual spacing
  // of the spikes (97 values) for them to look familiar.
  Series s = noise(2600, 51, 0.3);
  for (std::size_t i = 0; i < s.v.size(); i += 97) s.v[i] += 10;
  for (std::size_t i = 2300; i < 2360; i += 3) s.v[i] += 10;
  DetectorOptions o;
  o.patterns = 500;
  auto v = run(*make_detector(o), s);
  EXPECT_LE(alarms(v, 300) - alarms(v, 2290), 1);  // the usual spikes: rarely
  EXPECT_NE(first_alarm(v, 2300, 2310), -1);
}

TEST(Ensemble, LongCleanNoiseIsAlmostNeverFlagged) {
  // 100,000 values of Gaussian noise in 20 series: at most one alarm.
  int total = 0;
  for (unsigned seed = 100; seed < 120; ++seed) total += alarms(run(*make("ensemble"), noise(5000, seed)), 300);
  EXPECT_LE(total, 1);
}

TEST(Ensemble, ConstantSeriesThenChange) {
  Series s = noise(600, 1);
  for (auto& x : s.v) x = 5;
  s.v[500] = 6;
  auto v = run(*make("ensemble"), s);
  EXPECT_EQ(alarms(v, 0), 1);
  EXPECT_GE(v[500].score, 0.5);
}

TEST(Detectors, UnknownNameIsAUsageError) {
  DetectorOptions o;
  o.name = "nope";
  EXPECT_THROW(make_detector(o), lepton::UsageError);
  o.name = "zscore";
  o.history = 1;
  EXPECT_THROW(make_detector(o), lepton::UsageError);
}

TEST(Detectors, FingerprintDependsOnOptions) {
  DetectorOptions a, b;
  b.history = 50;
  EXPECT_NE(fingerprint(a), fingerprint(b));
  EXPECT_EQ(fingerprint(a), fingerprint(DetectorOptions{}));
}

TEST(Detectors, NonFiniteInputNeverGivesNaNScores) {
  for (const auto& name : detector_names()) {
    auto d = make(name);
    Series s = noise(400, 2);
    s.v[300] = 1e300;
    s.v[301] = -1e300;
    for (std::size_t i = 0; i < s.v.size(); ++i) {
      Verdict v = d->update(s.ts[i], s.v[i]);
      ASSERT_FALSE(std::isnan(v.score)) << name << " " << i;
      ASSERT_GE(v.score, 0) << name;
      ASSERT_LE(v.score, 1) << name;
    }
  }
}
