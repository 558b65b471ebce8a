// The Theta method: standard (Assimakopoulos and Nikolopoulos 2000, in the
// SES-with-drift form of Hyndman and Billah 2003) and optimised (the dynamic
// optimised Theta model of Fiorucci et al. 2016).
#pragma once

#include <span>

#include "lepton/forecast/types.h"

namespace lepton::forecast {

/// Simple exponential smoothing fitted by least squares (alpha in
/// [1e-4, 0.9999] and the initial level), as ETS(A,N,N).
struct SesFit {
  double alpha = 0.5;
  double level = 0;   ///< final level
  double sigma2 = 0;  ///< residual variance sum(e^2)/(n - 2)
};
SesFit fit_ses(std::span<const double> y);

/// Standard Theta with M4-style seasonal adjustment: if m >= 2, the data are
/// positive and the 90% seasonality test says seasonal, the series is divided
/// by the multiplicative classical decomposition's indices and the forecasts
/// multiplied back. Forecast: SES level + b/2 ((h - 1) + (1 - (1 - alpha)^n)/alpha)
/// with b the least-squares slope. Intervals: those of SES, times the
/// seasonal index. Needs at least 3 observations.
Forecast theta_forecast(std::span<const double> y, int m, int h);

/// Dynamic optimised Theta: theta >= 1, alpha and the initial level chosen
/// by minimising the one-step squared errors of
///   mu_{t+1} = l_t + (1 - 1/theta) ((1 - alpha)^t A_t + (1 - (1 - alpha)^(t+1))/alpha B_t),
/// with A_t, B_t the least-squares line through y_1..y_t, and the same
/// seasonal adjustment as theta_forecast. Intervals as SES with the fitted alpha.
Forecast otheta_forecast(std::span<const double> y, int m, int h);

}  // namespace lepton::forecast
