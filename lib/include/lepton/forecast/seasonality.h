// Seasonal period detection and the seasonality test of the M4 competition.
#pragma once

#include <span>
#include <vector>

namespace lepton::forecast {

/// Sample autocorrelation r_1..r_max_lag (index 0 holds r_0 = 1), as R's acf().
/// A constant series has all r_k = 0 for k >= 1.
std::vector<double> acf(std::span<const double> x, int max_lag);

/// The M4 seasonality test (90%): true when |r_m| exceeds
/// 1.645 * sqrt((1 + 2 * sum_{k<m} r_k^2) / n). Series shorter than 3m are
/// not seasonal.
bool seasonality_test(std::span<const double> x, int m, double z = 1.645);

struct DetectOptions {
  int max_periods = 2;  ///< at most this many periods
  int min_period = 2;
  int max_period = 0;    ///< 0: n/3 (three full cycles are needed)
  double z = 3.0;        ///< a peak exceeds z / sqrt(n) (raised family-wise for the first period)
  double min_acf = 0.1;  ///< and min_acf, and rises 3 min_acf above the troughs beside it
};

/// Detects seasonal periods (in steps), shortest first. The series is
/// detrended (least-squares line). Peaks of the autocorrelation function
/// count when they are local maxima over +-10% of their lag, exceed the
/// white-noise bound and stand well above the troughs beside them; the
/// shortest peak within 3/4 of the highest gives the first period (with a
/// strong peak dividing it, that one too). The search is repeated on what is
/// left after removing the period's mean profile, for a multiple that
/// stands out from its neighbouring multiples, so a weekly cycle on top of a
/// daily one (24 and 168 hours) is found while 48, 72, ... of a plain daily
/// cycle are not. Aperiodic series (noise, random walks, trends) give none.
std::vector<int> detect_periods(std::span<const double> x, const DetectOptions& opt = {});

}  // namespace lepton::forecast
