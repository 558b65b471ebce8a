#include "lepton/forecast/models.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "lepton/forecast/decompose.h"
#include "lepton/forecast/ets.h"
#include "lepton/forecast/seasonality.h"
#include "lepton/forecast/theta.h"

namespace lepton::forecast {

namespace {

Forecast constant(std::string name, double v, int h) {
  Forecast f;
  f.model = std::move(name);
  f.mean.assign(h, v);
  f.sd.assign(h, 0.0);
  return f;
}

// Root mean square of y[t] - y[t - lag].
double lag_sigma(std::span<const double> y, std::size_t lag) {
  double s = 0;
  std::size_t c = 0;
  for (std::size_t t = lag; t < y.size(); ++t) {
    double d = y[t] - y[t - lag];
    s += d * d;
    ++c;
  }
  return c ? std::sqrt(s / static_cast<double>(c)) : 0.0;
}

}  // namespace

Forecast naive_forecast(std::span<const double> y, int h) {
  if (y.empty()) return constant("naive", NAN, h);
  Forecast f = constant("naive", y.back(), h);
  double s = lag_sigma(y, 1);
  for (int i = 0; i < h; ++i) f.sd[i] = s * std::sqrt(i + 1.0);
  return f;
}

Forecast snaive_forecast(std::span<const double> y, int m, int h) {
  const std::size_t n = y.size();
  if (m < 2 || n < static_cast<std::size_t>(m)) {
    Forecast f = naive_forecast(y, h);
    return f;
  }
  Forecast f;
  f.model = "snaive(" + std::to_string(m) + ")";
  f.mean.resize(h);
  f.sd.resize(h);
  double s = lag_sigma(y, m);
  for (int i = 0; i < h; ++i) {
    f.mean[i] = y[n - m + (i % m)];
    f.sd[i] = s * std::sqrt(std::floor(i / static_cast<double>(m)) + 1);
  }
  return f;
}

std::vector<double> m4_seasonal_figure(std::span<const double> y, int m) {
  if (m < 2 || !seasonality_test(y, m)) return {};
  for (double v : y)
    if (!(v > 0)) return {};
  return classical_decompose(y, m, true).figure;
}

Forecast naive2_forecast(std::span<const double> y, int m, int h) {
  auto fig = m4_seasonal_figure(y, m);
  if (fig.empty()) {
    Forecast f = naive_forecast(y, h);
    f.model = "naive2";
    return f;
  }
  const std::size_t n = y.size();
  std::vector<double> adj(n);
  for (std::size_t t = 0; t < n; ++t) adj[t] = y[t] / fig[t % m];
  Forecast f = naive_forecast(adj, h);
  f.model = "naive2";
  for (int i = 0; i < h; ++i) {
    double s = fig[(n + i) % m];
    f.mean[i] *= s;
    f.sd[i] *= s;
  }
  return f;
}

Forecast seasonal_mean_forecast(std::span<const double> y, int p, int k, int h) {
  const std::size_t n = y.size();
  if (p < 2 || n < static_cast<std::size_t>(p)) return naive_forecast(y, h);
  k = std::max(1, std::min<int>(k, static_cast<int>(n / p)));
  Forecast f;
  f.model = "smean(" + std::to_string(p) + "x" + std::to_string(k) + ")";
  f.mean.resize(h);
  f.sd.resize(h);
  std::vector<double> prof(p, 0.0);
  for (int j = 0; j < p; ++j)
    for (int c = 1; c <= k; ++c) prof[j] += y[n - static_cast<std::size_t>(c) * p + j] / k;
  // The spread of the cycles around their mean, plus the mean's own error.
  double ss = 0;
  for (int j = 0; j < p; ++j)
    for (int c = 1; c <= k; ++c) {
      double d = y[n - static_cast<std::size_t>(c) * p + j] - prof[j];
      ss += d * d;
    }
  double s = k > 1 ? std::sqrt(ss / (p * (k - 1.0)) * (1 + 1.0 / k)) : lag_sigma(y, p);
  for (int i = 0; i < h; ++i) {
    f.mean[i] = prof[i % p];
    f.sd[i] = s;
  }
  return f;
}

Forecast drift_forecast(std::span<const double> y, int h) {
  const std::size_t n = y.size();
  if (n < 2) {
    Forecast f = naive_forecast(y, h);
    f.model = "drift";
    return f;
  }
  double slope = (y[n - 1] - y[0]) / static_cast<double>(n - 1);
  double s = 0;
  for (std::size_t t = 1; t < n; ++t) {
    double d = y[t] - y[t - 1] - slope;
    s += d * d;
  }
  s = n > 2 ? std::sqrt(s / static_cast<double>(n - 2)) : 0;
  Forecast f;
  f.model = "drift";
  f.mean.resize(h);
  f.sd.resize(h);
  for (int i = 0; i < h; ++i) {
    double k = i + 1.0;
    f.mean[i] = y[n - 1] + k * slope;
    f.sd[i] = s * std::sqrt(k * (1 + k / static_cast<double>(n - 1)));
  }
  return f;
}

namespace {

struct Line {
  double a = 0, b = 0, sigma = 0, tbar = 0, sxx = 0;
  std::size_t n = 0;
};

Line fit_line(std::span<const double> y) {
  Line l;
  l.n = y.size();
  const double n = static_cast<double>(l.n);
  l.tbar = (n - 1) / 2;
  double ym = 0;
  for (double v : y) ym += v / n;
  double sxy = 0;
  for (std::size_t i = 0; i < l.n; ++i) {
    sxy += (i - l.tbar) * (y[i] - ym);
    l.sxx += (i - l.tbar) * (i - l.tbar);
  }
  l.b = l.sxx > 0 ? sxy / l.sxx : 0;
  l.a = ym - l.b * l.tbar;
  double ss = 0;
  for (std::size_t i = 0; i < l.n; ++i) {
    double e = y[i] - l.a - l.b * static_cast<double>(i);
    ss += e * e;
  }
  l.sigma = l.n > 2 ? std::sqrt(ss / (n - 2)) : 0;
  return l;
}

Forecast line_forecast(const Line& l, int h, std::string name) {
  Forecast f;
  f.model = std::move(name);
  f.mean.resize(h);
  f.sd.resize(h);
  const double n = static_cast<double>(l.n);
  for (int i = 0; i < h; ++i) {
    double t = n + i;
    f.mean[i] = l.a + l.b * t;
    double lev = l.sxx > 0 ? (t - l.tbar) * (t - l.tbar) / l.sxx : 0;
    f.sd[i] = l.sigma * std::sqrt(1 + 1 / n + lev);
  }
  return f;
}

}  // namespace

Forecast linear_forecast(std::span<const double> y, int h) {
  if (y.size() < 2) {
    Forecast f = naive_forecast(y, h);
    f.model = "linear";
    return f;
  }
  return line_forecast(fit_line(y), h, "linear");
}

Forecast exp_growth_forecast(std::span<const double> y, int h) {
  bool positive = y.size() >= 2;
  for (double v : y) positive = positive && v > 0;
  if (!positive) {
    Forecast f = linear_forecast(y, h);
    f.model = y.size() >= 2 ? "linear" : "naive";
    return f;
  }
  std::vector<double> ly(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) ly[i] = std::log(y[i]);
  Forecast f = line_forecast(fit_line(ly), h, "exp");
  for (auto& v : f.mean) v = std::exp(v);
  f.log_normal = true;
  return f;
}

Forecast mstl_forecast(std::span<const double> y, std::vector<int> periods, int h, AdjustedModel adjusted) {
  MstlResult dec = mstl(y, std::move(periods));
  std::vector<double> adj = dec.adjusted();
  Forecast f;
  switch (adjusted) {
    case AdjustedModel::kEts: {
      EtsSelectOptions o;
      o.error = "A";
      o.trend = "NAD";
      o.season = "N";
      auto fit = select_ets(adj, 1, o);
      f = fit ? ets_forecast(*fit, h) : naive_forecast(adj, h);
      break;
    }
    case AdjustedModel::kTheta:
      f = theta_forecast(adj, 1, h);
      break;
    case AdjustedModel::kNaive:
      f = naive_forecast(adj, h);
      break;
  }
  const std::size_t n = y.size();
  std::string name = "MSTL(";
  for (std::size_t k = 0; k < dec.periods.size(); ++k) {
    const int p = dec.periods[k];
    name += (k ? "," : "") + std::to_string(p);
    for (int i = 0; i < h; ++i) f.mean[i] += dec.seasonal[k][n - p + (i % p)];
  }
  f.model = name + ")+" + f.model;
  return f;
}

const std::vector<ModelInfo>& model_catalog() {
  static const std::vector<ModelInfo> models = {
      {"auto", "rolling-origin validated combination (default; see man page)"},
      {"naive", "last value"},
      {"snaive", "seasonal naive on the longest period"},
      {"naive2", "M4 Naive2: naive on the seasonally adjusted series"},
      {"snaive:P", "seasonal naive on period P (steps)"},
      {"smean:K", "mean of the last K cycles of the longest period"},
      {"drift", "random walk with drift"},
      {"linear", "least-squares trend line"},
      {"exp", "exponential growth (line on log values)"},
      {"ets", "exponential smoothing, AICc-selected member of the ETS family"},
      {"ets:CODE", "one ETS member, e.g. ets:AAdA, ets:MNM"},
      {"theta", "standard Theta with M4 seasonal adjustment"},
      {"otheta", "dynamic optimised Theta"},
      {"mstl", "multi-seasonal STL decomposition + ETS on the adjusted series"},
  };
  return models;
}

bool known_model(std::string_view name) {
  if (name.starts_with("ets:")) return parse_ets_spec(name.substr(4), 2).has_value();
  if (name.starts_with("snaive:") || name.starts_with("smean:")) {
    auto txt = name.substr(name.find(':') + 1);
    int v = 0;
    auto [ptr, ec] = std::from_chars(txt.data(), txt.data() + txt.size(), v);
    return ec == std::errc() && ptr == txt.data() + txt.size() && v >= (name[1] == 'n' ? 2 : 1);
  }
  for (const auto& m : model_catalog())
    if (m.name == name && !name.ends_with(":CODE") && !name.ends_with(":P") && !name.ends_with(":K")) return true;
  return false;
}

Forecast forecast_by_name(std::string_view name, std::span<const double> y, const std::vector<int>& periods, int h) {
  const int shortest = periods.empty() ? 1 : periods.front();
  const int longest = periods.empty() ? 1 : periods.back();
  if (name == "naive") return naive_forecast(y, h);
  if (name == "snaive") return snaive_forecast(y, longest, h);
  if (name.starts_with("snaive:") || name.starts_with("smean:")) {
    auto colon = name.find(':');
    int v = 0;
    auto txt = name.substr(colon + 1);
    auto [ptr, ec] = std::from_chars(txt.data(), txt.data() + txt.size(), v);
    if (ec != std::errc() || ptr != txt.data() + txt.size() || v < 1)
      throw std::invalid_argument("bad model " + std::string(name));
    if (name[1] == 'n') return snaive_forecast(y, v, h);
    return seasonal_mean_forecast(y, longest, v, h);
  }
  if (name == "naive2") return naive2_forecast(y, shortest, h);
  if (name == "drift") return drift_forecast(y, h);
  if (name == "linear") return linear_forecast(y, h);
  if (name == "exp") return exp_growth_forecast(y, h);
  if (name == "theta") return theta_forecast(y, shortest, h);
  if (name == "otheta") return otheta_forecast(y, shortest, h);
  if (name == "mstl") return mstl_forecast(y, periods, h);
  if (name == "ets" || name.starts_with("ets:")) {
    std::optional<EtsModel> fit;
    if (name == "ets") {
      fit = select_ets(y, shortest);
    } else {
      auto spec = parse_ets_spec(name.substr(4), shortest);
      if (!spec) throw std::invalid_argument("unknown ETS model " + std::string(name));
      fit = fit_ets(y, *spec);
      // A member that does not apply to these data (e.g. multiplicative with
      // zeros, or too short for the season) falls back to automatic selection.
      if (!fit) fit = select_ets(y, shortest);
    }
    if (!fit) return naive_forecast(y, h);
    return ets_forecast(*fit, h);
  }
  throw std::invalid_argument("unknown model " + std::string(name));
}

}  // namespace lepton::forecast
