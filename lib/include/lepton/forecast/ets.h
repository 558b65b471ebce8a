// Exponential smoothing in innovations state-space form (Hyndman, Koehler,
// Ord and Snyder, "Forecasting with Exponential Smoothing: the State Space
// Approach", 2008): error A/M, trend N/A/Ad, season N/A/M.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lepton/forecast/types.h"

namespace lepton::forecast {

/// One member of the ETS family.
struct EtsSpec {
  char error = 'A';     ///< 'A' additive or 'M' multiplicative
  char trend = 'N';     ///< 'N' none or 'A' additive
  bool damped = false;  ///< damped additive trend (Ad)
  char season = 'N';    ///< 'N', 'A' or 'M'
  int m = 1;            ///< seasonal period (when season != 'N')

  /// "ETS(A,Ad,A)" style name.
  std::string name() const;
  /// Whether the model is linear (class 1: additive error, no multiplicative
  /// component), i.e. has analytic prediction intervals.
  bool linear() const { return error == 'A' && season != 'M'; }
};

/// Parses "ANN", "AAdA", "MAM" ... (case-insensitive); nullopt if invalid.
std::optional<EtsSpec> parse_ets_spec(std::string_view code, int m);

/// A fitted model: parameters, information criteria and the final state.
struct EtsModel {
  EtsSpec spec;
  double alpha = 0, beta = 0, gamma = 0, phi = 1;
  double sigma2 = 0;  ///< innovation variance: sum(e^2)/(n - k + 1), as R
  double loglik = 0;  ///< log-likelihood
  double aic = 0, aicc = 0, bic = 0;
  double mse = 0;              ///< in-sample mean squared one-step error
  int n = 0;                   ///< observations used
  int k = 0;                   ///< estimated parameters (counted as R's ets(), incl. sigma)
  double level = 0;            ///< final level l_n
  double slope = 0;            ///< final slope b_n
  std::vector<double> season;  ///< final seasonal states; season[j] applies to step n+1+j (mod m)
  std::vector<double> fitted;  ///< one-step forecasts of the history
};

/// Bounds for the smoothing parameters (R's "usual" region: 1e-4 < alpha <
/// 0.9999, beta < alpha, gamma < 1 - alpha, 0.8 <= phi <= 0.98), checked for
/// admissibility (forecastability: all eigenvalues of F - g w' of the linear
/// counterpart inside the unit circle).
struct EtsFitOptions {
  int max_evals = 1500;  ///< per Nelder-Mead run
  int restarts = 2;
  int starts = 1;  ///< Nelder-Mead runs from the best of a grid of initial parameters
};

/// Fits one model by maximum likelihood: Nelder-Mead over the smoothing
/// parameters, phi and the initial level and slope on a transformed scale;
/// initial seasonal states from a classical decomposition of the first
/// cycles (Hyndman et al. 2008, sec. 2.6.1). nullopt when the model does not
/// apply (multiplicative parts with non-positive data, too few observations
/// for the parameters, a seasonal model with fewer than two cycles).
std::optional<EtsModel> fit_ets(std::span<const double> y, const EtsSpec& spec, const EtsFitOptions& opt = {});

/// Which members auto selection considers.
struct EtsSelectOptions {
  std::string error = "AM";   ///< letters allowed for the error
  std::string trend = "NAD";  ///< N, A, D (damped)
  std::string season = "NAM";
  EtsFitOptions fit;
};

/// Fits every allowed member (skipping, as R's ets(restrict = TRUE) does,
/// additive error with multiplicative season, whose variance is infinite)
/// and returns the one with the lowest AICc. Seasonal members need m >= 2
/// and at least 2m + 2 observations. nullopt only for series too short for
/// any model (fewer than 3 observations).
std::optional<EtsModel> select_ets(std::span<const double> y, int m, const EtsSelectOptions& opt = {});

/// Point forecasts and intervals h steps ahead. Linear models get the
/// analytic variance sigma^2 (1 + sum_{j<h} c_j^2) (Hyndman et al. 2008,
/// Table 6.1); the others are simulated (`paths` sample paths, fixed seed).
Forecast ets_forecast(const EtsModel& model, int h, int paths = 1000);

}  // namespace lepton::forecast
