// The result every forecasting model returns: point forecasts and the
// spread of the forecast error, from which prediction intervals are drawn.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace lepton::forecast {

/// A prediction interval at one step.
struct Interval {
  double lo = 0;
  double hi = 0;
};

/// Point forecasts for steps 1..h after the end of the history, with what is
/// known about their errors. Intervals come from, in order of preference:
/// simulated sample paths (`sims`), an empirical distribution of
/// standardised errors (`std_errors`, e.g. from rolling-origin validation),
/// or a normal distribution with standard deviation `sd`.
struct Forecast {
  std::string model;                      ///< e.g. "ETS(A,Ad,A)", "snaive(168)"
  std::vector<double> mean;               ///< point forecast per step
  std::vector<double> sd;                 ///< standard deviation of the h-step error (empty: no interval)
  std::vector<double> std_errors;         ///< sorted standardised errors e/sd, pooled over steps (optional)
  std::vector<std::vector<double>> sims;  ///< per step, sorted simulated values (optional)
  /// When set, `sd` is the standard deviation of log(y) and intervals are
  /// exp(log(mean) +- z sd) (models fitted on the log scale).
  bool log_normal = false;
  /// The values the series can take (e.g. 0 for a series never negative);
  /// intervals are cut to them. Set with limit().
  double lower_limit = -std::numeric_limits<double>::infinity();
  double upper_limit = std::numeric_limits<double>::infinity();

  std::size_t horizon() const { return mean.size(); }

  /// Restricts the point forecasts and intervals to [lo, hi].
  void limit(double lo, double hi);

  /// The central interval at `level` (0 < level < 1) for 0-based `step`.
  /// Without sd or samples it collapses to the point forecast.
  Interval interval(std::size_t step, double level) const;

 private:
  Interval raw_interval(std::size_t step, double level) const;
};

/// The standard normal quantile function (Acklam's rational approximation
/// refined by one Halley step; absolute error below 1e-12).
double normal_quantile(double p);

/// Empirical quantile of sorted data with linear interpolation (R type 7).
double sorted_quantile(const std::vector<double>& sorted, double p);

}  // namespace lepton::forecast
