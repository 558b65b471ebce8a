// The default model: a combination of candidate models selected and
// weighted by rolling-origin validation on the series' own history, with
// prediction intervals calibrated from the validation errors.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "lepton/forecast/types.h"

namespace lepton::forecast {

struct AutoOptions {
  /// Candidate models (names as forecast_by_name() takes). Empty: for
  /// seasonal series snaive (longest period), snaive:<shortest>, smean:2,
  /// smean:3, mstl and theta; for the others naive, drift, ets:AAdN, otheta.
  std::vector<std::string> candidates;
  int origins = 3;  ///< rolling origins, each `h` steps apart, ending at the last observation
  int combine = 3;  ///< combine the best `combine` candidates
};

/// What validation found, for reports and tests.
struct AutoReport {
  std::vector<std::string> candidates;
  std::vector<double> errors;       ///< mean scaled absolute validation error per candidate
  std::vector<std::size_t> chosen;  ///< indices of the combined candidates, best first
  std::vector<double> weights;      ///< their weights
  double interval_factor = 1;       ///< scale applied to the members' weighted sd
  std::vector<int> periods;         ///< the periods used (long ones may be dropped)
  bool validated() const { return !chosen.empty(); }
};

/// Forecasts y h steps ahead. Each candidate is refitted at every origin
/// (n - h, n - 2h, ...) and scored by its mean absolute error over the h
/// steps after it, scaled by the in-sample MAE of the naive forecast one
/// (shortest) period back. The `combine` best are combined with weights
/// proportional to 1/error^2. Intervals are normal with the weighted sd of
/// the members, rescaled by the validation errors of the combination (see
/// auto.cpp). Periods whose two cycles plus the origins do not fit in the
/// history are dropped; a series too short for any validation gets drift
/// (naive below 3 points).
Forecast auto_forecast(std::span<const double> y, const std::vector<int>& periods, int h, const AutoOptions& opt = {},
                       AutoReport* report = nullptr);

/// Forecasts with a selection made earlier by auto_forecast() (its chosen
/// candidates, weights, interval factor and periods), refitting only the
/// chosen members: the cheap path between full re-selections in streaming
/// mode. A report without a validated selection falls back to auto_forecast().
Forecast auto_forecast_with(std::span<const double> y, int h, const AutoReport& selection);

}  // namespace lepton::forecast
