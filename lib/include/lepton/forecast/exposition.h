// lepton-forecast's results as Prometheus exposition text, for
// `--format prometheus` and `--textfile DIR/NAME.prom` (node_exporter's
// textfile collector). Families (all gauges, no timestamps):
//
//   lepton_forecast_value{metric,<labels>,horizon,model}     point forecast
//   lepton_forecast_lo{metric,<labels>,horizon,level}        interval bounds,
//   lepton_forecast_hi{metric,<labels>,horizon,level}        one per --level
//   lepton_forecast_eta_seconds{metric,<labels>,bound,threshold,direction}
//   lepton_forecast_eta_crossing{metric,<labels>,bound,threshold,direction}
//   lepton_forecast_last_observation_timestamp_seconds{metric,<labels>}
//
// `horizon` is seconds after the series' last observation ("3600"),
// `level` a fraction ("0.95"), `bound` mean or pessimistic, `direction`
// above or below. The first three are written without --eta, the eta ones
// with it; the last always.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lepton/forecast/run.h"
#include "lepton/prometheus.h"

namespace lepton::forecast {

using SeriesLabels = std::vector<std::pair<std::string, std::string>>;

/// The Prometheus labels of a series: `metric` (the metric name as read,
/// e.g. "cpu.util"), then the series labels in order with their names
/// sanitised. A label whose sanitised name is already taken, by one of the
/// names lepton-forecast sets itself (metric, horizon, level, model, bound,
/// threshold, direction) or by an earlier label, becomes exported_<name>
/// (repeatedly, until it is free), as Prometheus does with clashing target
/// labels.
PrometheusExposition::Labels prometheus_series_labels(std::string_view metric, const SeriesLabels& labels);

/// Keeps the latest result of every series and renders them all as one
/// exposition: series in the order of their index, samples of a series by
/// horizon, then level.
class ForecastExposition {
 public:
  /// `options` (levels, eta, threshold direction) must outlive this object.
  explicit ForecastExposition(const Options& options) : opt_(options) {}

  /// Sets (or replaces) the result of series `index`; `sf.forecast` must
  /// not be empty. Two different series can have the same Prometheus labels
  /// (labels "a.b" and "a_b" both become a_b), which the exposition format
  /// does not allow: the later one is left out, and the first call that
  /// finds this returns the index of the series it collides with.
  std::optional<std::size_t> set(std::size_t index, std::string_view metric, const SeriesLabels& labels,
                                 const SeriesForecast& sf);

  /// The exposition text; empty when no series was set.
  std::string render() const;

 private:
  struct Entry {
    bool set = false;
    bool dropped = false;
    PrometheusExposition::Labels labels;
    double last_ts = 0;
    double step = 0;
    std::string model;
    std::vector<double> mean;
    std::vector<double> bounds;  ///< per step, per level: lo, hi
    Eta eta;
  };

  void render_forecasts(PrometheusExposition& e) const;
  void render_eta(PrometheusExposition& e) const;

  const Options& opt_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> owner_;  ///< label signature -> first series index
};

}  // namespace lepton::forecast
