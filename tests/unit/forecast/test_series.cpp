#include "lepton/forecast/series.h"

#include <gtest/gtest.h>

using namespace lepton::forecast;

TEST(Series, InferStepIsTheMedianSpacing) {
  std::vector<double> ts = {0, 10, 20, 30, 35, 45, 55};
  EXPECT_DOUBLE_EQ(infer_step(ts), 10);
  std::vector<double> jitter = {0, 9.9, 20.1, 30, 39.8, 50.2};
  EXPECT_DOUBLE_EQ(infer_step(jitter), 10);  // snapped to whole seconds
  std::vector<double> minutes = {0, 59, 121, 180};
  EXPECT_DOUBLE_EQ(infer_step(minutes), 60);
  std::vector<double> fast = {0, 0.25, 0.5, 0.75};
  EXPECT_DOUBLE_EQ(infer_step(fast), 0.25);
  EXPECT_EQ(infer_step(std::vector<double>{5, 5, 5}), 0);
}

TEST(Series, SortsMergesDuplicatesAndFillsShortGaps) {
  // Out of order, a duplicate time (averaged), a one-step gap at t = 30.
  std::vector<Observation> obs = {{20, 3}, {0, 1}, {10, 2}, {10, 4}, {40, 9}, {50, 10}};
  auto s = regularise(obs);
  EXPECT_DOUBLE_EQ(s.start, 0);
  EXPECT_DOUBLE_EQ(s.step, 10);
  EXPECT_EQ(s.values, (std::vector<double>{1, 3, 3, 6, 9, 10}));
  EXPECT_EQ(s.merged, 1u);
  EXPECT_EQ(s.filled, 1u);
  EXPECT_TRUE(s.long_gaps.empty());
  EXPECT_DOUBLE_EQ(s.end(), 50);
}

TEST(Series, GivenStepAggregatesIrregularPoints) {
  std::vector<Observation> obs = {{0, 1}, {1, 3}, {2, 5}, {60, 7}, {61, 9}};
  RegularOptions o;
  o.step = 60;
  auto s = regularise(obs, o);
  EXPECT_EQ(s.values, (std::vector<double>{3, 8}));
  EXPECT_EQ(s.merged, 3u);
}

TEST(Series, ReportsAndSeasonallyFillsLongGaps) {
  // Period 4 pattern 0,10,20,10 repeated; steps 9..14 missing (6 > max_fill 3).
  std::vector<Observation> obs;
  const double pattern[] = {0, 10, 20, 10};
  for (int t = 0; t < 24; ++t)
    if (t < 9 || t > 14) obs.push_back({static_cast<double>(t), pattern[t % 4] + 100});
  auto s = regularise(obs);
  ASSERT_EQ(s.long_gaps.size(), 1u);
  EXPECT_DOUBLE_EQ(s.long_gaps[0].start, 9);
  EXPECT_EQ(s.long_gaps[0].steps, 6u);
  EXPECT_EQ(s.filled, 6u);
  // Linear at first ...
  EXPECT_NE(s.values[10], 120);
  fill_long_gaps(s, 4);
  // ... then the pattern, exactly (the level is the same on both sides).
  for (int t = 9; t <= 14; ++t) EXPECT_DOUBLE_EQ(s.values[t], pattern[t % 4] + 100) << t;
}

TEST(Series, EdgeCases) {
  EXPECT_TRUE(regularise({}).values.empty());
  auto one = regularise({{5, 2}});
  EXPECT_EQ(one.values.size(), 1u);
  EXPECT_EQ(one.step, 0);
  RegularOptions o;
  o.step = 1;
  o.max_steps = 100;
  EXPECT_THROW(regularise({{0, 1}, {1e6, 2}}, o), std::range_error);
}

TEST(Series, GapRightAfterTheFirstPeriodKeepsTheLinearFill) {
  // The gap starts at step p: there is no value a period before the step
  // ahead of it, so the seasonal refill must leave it alone (found by fuzzing).
  std::vector<Observation> obs;
  for (int t = 0; t < 40; ++t)
    if (t < 4 || t > 9) obs.push_back({static_cast<double>(t), static_cast<double>(t % 4)});
  auto s = regularise(obs);
  ASSERT_EQ(s.long_gaps.size(), 1u);
  auto before = s.values;
  fill_long_gaps(s, 4);
  EXPECT_EQ(s.values, before);
  fill_long_gaps(s, 3);  // first = 4 > 3: refilled
  EXPECT_NE(s.values, before);
}
