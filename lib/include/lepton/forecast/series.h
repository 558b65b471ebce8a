// From irregular, unordered observations to a regular series: step
// inference, aggregation into steps, gap filling.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace lepton::forecast {

/// One observation of a series.
struct Observation {
  double ts = 0;  ///< Unix seconds
  double value = 0;
};

/// The typical spacing of sorted timestamps: the median of the positive
/// differences between consecutive distinct times, rounded to a whole
/// second (and then minute) when within 5% of one. 0 if fewer than two
/// distinct times.
double infer_step(std::span<const double> sorted_ts);

struct RegularOptions {
  double step = 0;                     ///< seconds; 0 infers it with infer_step()
  int max_fill = 3;                    ///< gaps of up to this many missing steps are short
  std::size_t max_steps = 10'000'000;  ///< a longer span throws std::range_error
};

/// A gap longer than RegularOptions::max_fill steps.
struct Gap {
  double start = 0;       ///< time of the first missing step
  std::size_t steps = 0;  ///< number of missing steps
};

/// A regular series: values[i] is the mean of the observations nearest to
/// start + i * step (each observation belongs to the step whose time is
/// nearest, counted from the first observation).
struct RegularSeries {
  double start = 0;
  double step = 0;
  std::vector<double> values;
  std::size_t merged = 0;  ///< observations averaged into a step that already had one (duplicates, fast sampling)
  std::size_t filled = 0;  ///< missing steps filled
  std::vector<Gap> long_gaps;
  double end() const { return start + step * static_cast<double>(values.size() - 1); }
};

/// Sorts the observations by time (stable, so equal times keep input
/// order), aggregates them into steps and fills every missing step by
/// linear interpolation between its neighbours. Gaps longer than max_fill
/// are also recorded in long_gaps (see fill_long_gaps()). Empty input gives
/// an empty series; a single observation needs opt.step > 0, else the
/// series has step 0 and one value.
RegularSeries regularise(std::vector<Observation> obs, const RegularOptions& opt = {});

/// Refills the long gaps seasonally: each missing step takes the value one
/// `period` earlier, shifted so the fill meets the observed values at both
/// ends of the gap (linear in the shift). Keeps the linear fill where the
/// history before the gap is shorter than the period.
void fill_long_gaps(RegularSeries& s, int period);

}  // namespace lepton::forecast
