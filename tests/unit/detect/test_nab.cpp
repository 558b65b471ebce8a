#include "lepton/detect/nab.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lepton::detect::nab;

namespace {
const Profile kStandard{"standard", 1.0, 1.0, 0.11};

// 1000 rows (probation 150), one window at rows 500..599.
File one_window(std::vector<std::size_t> detections) {
  File f{"f", std::vector<double>(1000, 0.0), {{500, 599}}};
  for (auto i : detections) f.scores[i] = 1.0;
  return f;
}
}  // namespace

TEST(Nab, ScaledSigmoid) {
  EXPECT_NEAR(scaled_sigmoid(-1.0), 0.98661429815, 1e-10);  // start of a window
  EXPECT_NEAR(scaled_sigmoid(0.0), 0.0, 1e-12);             // end of a window
  EXPECT_NEAR(scaled_sigmoid(0.5), -0.84828363995, 1e-10);  // half a window after
  EXPECT_EQ(scaled_sigmoid(3.5), -1.0);
}

TEST(Nab, ProbationaryPeriod) {
  EXPECT_EQ(probationary_rows(1000), 150u);
  EXPECT_EQ(probationary_rows(4032), 604u);
  EXPECT_EQ(probationary_rows(22695), 750u);  // capped
}

TEST(Nab, DetectionAtWindowStartScoresTheTpWeight) {
  auto r = score_at({one_window({500})}, kStandard, 0.5);
  EXPECT_NEAR(r.raw, 1.0, 1e-12);
  EXPECT_EQ(r.tp, 1u);
  EXPECT_EQ(r.fp, 0u);
  EXPECT_NEAR(r.normalized, 100.0, 1e-9);  // the perfect detector
}

TEST(Nab, OnlyTheEarliestDetectionInAWindowCounts) {
  double early = score_at({one_window({520})}, kStandard, 0.5).raw;
  double both = score_at({one_window({520, 590})}, kStandard, 0.5).raw;
  double late = score_at({one_window({590})}, kStandard, 0.5).raw;
  EXPECT_DOUBLE_EQ(early, both);
  EXPECT_GT(early, late);
  // Position -(599 - 520 + 1) / 100 = -0.8.
  EXPECT_NEAR(early, scaled_sigmoid(-0.8) / scaled_sigmoid(-1.0), 1e-12);
}

TEST(Nab, MissedWindowCostsTheFnWeight) {
  auto r = score_at({one_window({})}, kStandard, 0.5);
  EXPECT_DOUBLE_EQ(r.raw, -1.0);
  EXPECT_EQ(r.fn, 1u);
  EXPECT_NEAR(r.normalized, 0.0, 1e-9);  // the null detector
  Profile low_fn{"reward_low_FN_rate", 1.0, 2.0, 0.11};
  EXPECT_DOUBLE_EQ(score_at({one_window({})}, low_fn, 0.5).raw, -2.0);
}

TEST(Nab, FalsePositivesAreWeightedByDistanceAfterTheWindow) {
  // Before any window: the full FP weight.
  EXPECT_NEAR(score_at({one_window({300})}, kStandard, 0.5).raw, -1.0 - 0.11, 1e-12);
  // Just after the window: almost free; far after: the full weight.
  double near = score_at({one_window({600})}, kStandard, 0.5).raw + 1.0;
  double far = score_at({one_window({950})}, kStandard, 0.5).raw + 1.0;
  EXPECT_NEAR(near, 0.11 * scaled_sigmoid(1.0 / 99.0), 1e-12);
  EXPECT_NEAR(far, -0.11, 1e-9);
  EXPECT_GT(near, far);
}

TEST(Nab, ProbationaryRowsAreNotScored) {
  // A detection at row 100 (inside the 150-row probation) is neither FP nor TP.
  EXPECT_DOUBLE_EQ(score_at({one_window({100})}, kStandard, 0.5).raw, -1.0);
  // A window that starts in the probation is scored from its first scored row.
  File f{"f", std::vector<double>(1000, 0.0), {{100, 199}}};
  f.scores[150] = 1;
  auto r = score_at({f}, kStandard, 0.5);
  EXPECT_NEAR(r.raw, scaled_sigmoid(-0.5) / scaled_sigmoid(-1.0), 1e-12);
}

TEST(Nab, ThresholdIsOptimisedOverAllFilesJointly) {
  // File a: the window peak scores 0.9 and a FP 0.8; file b: its window 0.7.
  File a{"a", std::vector<double>(1000, 0.1), {{500, 599}}};
  a.scores[550] = 0.9;
  a.scores[900] = 0.8;
  File b{"b", std::vector<double>(1000, 0.1), {{500, 599}}};
  b.scores[550] = 0.7;
  auto r = optimise({a, b}, kStandard);
  // 0.7 catches both windows at the price of one FP: better than 0.9.
  EXPECT_DOUBLE_EQ(r.threshold, 0.7);
  EXPECT_EQ(r.tp, 2u);
  EXPECT_EQ(r.fp, 1u);
  double tp = scaled_sigmoid(-0.5) / scaled_sigmoid(-1.0);
  EXPECT_NEAR(r.raw, 2 * tp + 0.11 * scaled_sigmoid((900.0 - 599) / 99), 1e-9);
  EXPECT_NEAR(r.normalized, 100 * (r.raw + 2) / 4, 1e-9);
}

TEST(Nab, BadWindowsAreRejected) {
  File f{"f", std::vector<double>(10, 0.0), {{5, 20}}};
  EXPECT_THROW(optimise({f}, kStandard), std::invalid_argument);
}
