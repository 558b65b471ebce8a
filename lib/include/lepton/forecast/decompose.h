// Seasonal decompositions: classical (moving averages), STL (Cleveland et
// al. 1990) and MSTL for several seasonal periods (Bandara, Hyndman and
// Bergmeir 2021).
#pragma once

#include <span>
#include <vector>

namespace lepton::forecast {

/// Classical decomposition as R's decompose(): trend by a centred moving
/// average of order m (2xm for even m), seasonal figure by averaging the
/// detrended values at each phase, normalised to mean 0 (additive) or 1
/// (multiplicative). Phase i of the figure belongs to observations i, i+m, ...
struct ClassicalDecomposition {
  std::vector<double> trend;   ///< NaN where the moving average is undefined
  std::vector<double> figure;  ///< m seasonal indices
  bool multiplicative = false;
  /// Seasonal index of observation t (t may be beyond the data, for forecasts).
  double index(std::size_t t) const { return figure[t % figure.size()]; }
};

/// Requires m >= 2 and x.size() >= 2*m. Multiplicative needs positive data.
ClassicalDecomposition classical_decompose(std::span<const double> x, int m, bool multiplicative);

/// STL parameters; zero values take R stl()'s defaults for the period.
struct StlOptions {
  int seasonal_window = 11;  ///< odd, >= 7 recommended (R: s.window)
  int trend_window = 0;      ///< odd; default nextodd(ceil(1.5 m / (1 - 1.5 / seasonal_window)))
  int lowpass_window = 0;    ///< odd; default nextodd(m)
  int inner = 2;             ///< inner iterations
  int outer = 0;             ///< robustness iterations
};

struct StlResult {
  std::vector<double> seasonal, trend, remainder;
};

/// STL decomposition of x with period m (m >= 2, x.size() >= 2*m).
StlResult stl(std::span<const double> x, int m, const StlOptions& opt = {});

/// MSTL: one seasonal component per period (ascending; periods >= n/2 are
/// dropped), estimated by iterating STL on the series with the other
/// components removed.
struct MstlResult {
  std::vector<int> periods;
  std::vector<std::vector<double>> seasonal;  ///< one per period
  std::vector<double> trend, remainder;
  /// x minus every seasonal component.
  std::vector<double> adjusted() const;
};

MstlResult mstl(std::span<const double> x, std::vector<int> periods, int iterations = 2);

}  // namespace lepton::forecast
