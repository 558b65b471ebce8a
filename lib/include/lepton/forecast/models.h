// The simple benchmark models, the multi-seasonal decomposition model, and
// the registry that maps --model names to them.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lepton/forecast/types.h"

namespace lepton::forecast {

/// Naive: the last value. sd_h = sigma sqrt(h), sigma from one-step changes.
Forecast naive_forecast(std::span<const double> y, int h);

/// Seasonal naive with period m: the value one period earlier.
/// sd_h = sigma sqrt(floor((h - 1) / m) + 1), sigma from lag-m changes.
/// Falls back to naive when the history is shorter than m.
Forecast snaive_forecast(std::span<const double> y, int m, int h);

/// Seasonal mean: the average of the last k cycles of period p at each
/// phase (naive when the history is shorter than p).
Forecast seasonal_mean_forecast(std::span<const double> y, int p, int k, int h);

/// The M4 seasonal adjustment: the multiplicative classical decomposition's
/// m indices if m >= 2, all values are positive and seasonality_test() says
/// seasonal; otherwise empty.
std::vector<double> m4_seasonal_figure(std::span<const double> y, int m);

/// Naive2 as defined for the M4 competition: naive on the seasonally
/// adjusted series (m4_seasonal_figure), reseasonalised.
Forecast naive2_forecast(std::span<const double> y, int m, int h);

/// Random walk with drift: y_n + h (y_n - y_1)/(n - 1);
/// sd_h = sigma sqrt(h (1 + h / (n - 1))).
Forecast drift_forecast(std::span<const double> y, int h);

/// Least-squares line through the history, extended; intervals of the
/// regression prediction (sigma sqrt(1 + 1/n + (t - tbar)^2 / Sxx)).
Forecast linear_forecast(std::span<const double> y, int h);

/// Exponential growth: a line fitted to log(y) (positive data only; else
/// falls back to linear), forecasts exp(a + b t) with log-normal intervals.
Forecast exp_growth_forecast(std::span<const double> y, int h);

/// The model for the seasonally adjusted series in mstl_forecast().
enum class AdjustedModel { kEts, kTheta, kNaive };

/// Multi-seasonal decomposition model: MSTL with the given periods, the
/// seasonally adjusted series (trend + remainder) forecast by `adjusted`
/// (ETS: the AICc-best of A,N,N / A,A,N / A,Ad,N), plus each seasonal
/// component's last cycle repeated. Periods that do not fit twice in the
/// history are dropped; with none left this is the adjusted model alone.
Forecast mstl_forecast(std::span<const double> y, std::vector<int> periods, int h,
                       AdjustedModel adjusted = AdjustedModel::kEts);

/// A model chosen by name on the command line.
struct ModelInfo {
  std::string_view name;
  std::string_view help;
};

/// Every --model name with a one-line description, in help order.
const std::vector<ModelInfo>& model_catalog();

/// Whether `name` is a known model: a catalog name, "ets:CODE" (e.g.
/// ets:AAdA), "snaive:P" or "smean:K".
bool known_model(std::string_view name);

/// Forecasts y h steps ahead with the named model (not "auto"; see
/// auto.h). `periods` are the seasonal periods in steps (ascending; the
/// single-season models use the shortest). Throws std::invalid_argument for
/// an unknown name.
Forecast forecast_by_name(std::string_view name, std::span<const double> y, const std::vector<int>& periods, int h);

}  // namespace lepton::forecast
