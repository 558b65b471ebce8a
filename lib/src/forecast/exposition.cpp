#include "lepton/forecast/exposition.h"

#include <algorithm>
#include <cmath>

#include "lepton/json.h"

namespace lepton::forecast {

namespace {

constexpr std::string_view kValue = "lepton_forecast_value";
constexpr std::string_view kLo = "lepton_forecast_lo";
constexpr std::string_view kHi = "lepton_forecast_hi";
constexpr std::string_view kEtaSeconds = "lepton_forecast_eta_seconds";
constexpr std::string_view kEtaCrossing = "lepton_forecast_eta_crossing";
constexpr std::string_view kLastObservation = "lepton_forecast_last_observation_timestamp_seconds";

// Label names our families set; series labels must not take them.
const std::vector<std::string_view> kOwnLabels = {"horizon", "level", "model", "bound", "threshold", "direction"};

// Horizons are sums of steps: 0.1 * 3 should read "0.3", not
// "0.30000000000000004", so label values are rounded to a microsecond.
std::string decimal(double x) {
  std::string s;
  append_number(s, std::round(x * 1e6) / 1e6);
  return s;
}

}  // namespace

PrometheusExposition::Labels prometheus_series_labels(std::string_view metric, const SeriesLabels& labels) {
  return exposition_series_labels(metric, labels, kOwnLabels);
}

std::optional<std::size_t> ForecastExposition::set(std::size_t index, std::string_view metric,
                                                   const SeriesLabels& labels, const SeriesForecast& sf) {
  if (entries_.size() <= index) entries_.resize(index + 1);
  Entry& en = entries_[index];
  std::optional<std::size_t> collision;
  if (!en.set) {
    // A series' labels never change, so it is checked once.
    en.set = true;
    en.labels = prometheus_series_labels(metric, labels);
    auto [it, fresh] = owner_.try_emplace(label_set_key(en.labels), index);
    if (!fresh) {
      en.dropped = true;
      collision = it->second;
    }
  }
  if (en.dropped) return collision;
  const Forecast& f = sf.forecast;
  en.last_ts = sf.last_ts;
  en.step = sf.step;
  if (opt_.eta) {
    en.eta = find_eta(sf, *opt_.eta, opt_.eta_below, opt_.levels.back());
    return collision;
  }
  en.model = f.model;
  en.mean = f.mean;
  en.bounds.clear();
  en.bounds.reserve(f.horizon() * opt_.levels.size() * 2);
  for (std::size_t i = 0; i < f.horizon(); ++i)
    for (double level : opt_.levels) {
      Interval iv = f.interval(i, level);
      en.bounds.push_back(iv.lo);
      en.bounds.push_back(iv.hi);
    }
  return collision;
}

void ForecastExposition::render_forecasts(PrometheusExposition& e) const {
  e.family(kValue, "Point forecast (mean) of the series metric, horizon seconds after its last observation");
  e.family(kLo, "Lower bound of the central prediction interval at level");
  e.family(kHi, "Upper bound of the central prediction interval at level");
  e.family(kLastObservation, "Time of the series' last observation, from which horizon counts (Unix seconds)");
  std::vector<std::string> levels;
  for (double l : opt_.levels) levels.push_back(decimal(l));
  PrometheusExposition::Labels value_labels, bound_labels;
  for (const Entry& en : entries_) {
    if (!en.set || en.dropped) continue;
    const std::size_t n = en.labels.size();
    value_labels = en.labels;
    value_labels.emplace_back("horizon", "");
    value_labels.emplace_back("model", en.model);
    bound_labels = en.labels;
    bound_labels.emplace_back("horizon", "");
    bound_labels.emplace_back("level", "");
    std::size_t b = 0;
    for (std::size_t i = 0; i < en.mean.size(); ++i) {
      std::string horizon = decimal(en.step * static_cast<double>(i + 1));
      value_labels[n].second = horizon;
      e.sample(kValue, value_labels, en.mean[i]);
      bound_labels[n].second = std::move(horizon);
      for (const auto& level : levels) {
        bound_labels[n + 1].second = level;
        e.sample(kLo, bound_labels, en.bounds[b++]);
        e.sample(kHi, bound_labels, en.bounds[b++]);
      }
    }
    e.sample(kLastObservation, en.labels, en.last_ts);
  }
}

void ForecastExposition::render_eta(PrometheusExposition& e) const {
  // A family without samples is left out rather than written empty.
  const bool any_crossing = std::any_of(entries_.begin(), entries_.end(), [](const Entry& en) {
    return en.set && !en.dropped && (en.eta.point || en.eta.worst);
  });
  if (any_crossing)
    e.family(kEtaSeconds,
             "Seconds from the series' last observation until bound (mean: the point forecast; pessimistic: the "
             "interval bound at the widest level) crosses threshold; no sample when it does not within the horizon");
  e.family(kEtaCrossing,
           "1 when bound crosses threshold within the horizon (or the last value is already beyond it), else 0");
  e.family(kLastObservation, "Time of the series' last observation, from which eta seconds count (Unix seconds)");
  std::string threshold;
  append_number(threshold, *opt_.eta);
  const std::string direction = opt_.eta_below ? "below" : "above";
  PrometheusExposition::Labels labels;
  for (const Entry& en : entries_) {
    if (!en.set || en.dropped) continue;
    const std::size_t n = en.labels.size();
    labels = en.labels;
    labels.emplace_back("bound", "");
    labels.emplace_back("threshold", threshold);
    labels.emplace_back("direction", direction);
    for (int bound = 0; bound < 2; ++bound) {
      const std::optional<double>& t = bound == 0 ? en.eta.point : en.eta.worst;
      labels[n].second = bound == 0 ? "mean" : "pessimistic";
      if (t) e.sample(kEtaSeconds, labels, *t - en.last_ts);
      e.sample(kEtaCrossing, labels, t ? 1 : 0);
    }
    e.sample(kLastObservation, en.labels, en.last_ts);
  }
}

std::string ForecastExposition::render() const {
  if (std::none_of(entries_.begin(), entries_.end(), [](const Entry& en) { return en.set && !en.dropped; })) return {};
  PrometheusExposition e;
  if (opt_.eta) {
    render_eta(e);
  } else {
    render_forecasts(e);
  }
  return e.render();
}

}  // namespace lepton::forecast
