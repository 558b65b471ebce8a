#include "lepton/forecast/auto.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "lepton/forecast/models.h"

namespace lepton::forecast {

namespace {

// In-sample MAE of the lag-`lag` naive forecast: the error scale that makes
// validation errors comparable across series and models (as MASE).
double scale_of(std::span<const double> y, int lag) {
  double s = 0;
  std::size_t c = 0;
  for (std::size_t t = static_cast<std::size_t>(lag); t < y.size(); ++t, ++c) s += std::abs(y[t] - y[t - lag]);
  if (c > 0 && s > 0) return s / static_cast<double>(c);
  double mean = 0;
  for (double v : y) mean += std::abs(v);
  return mean > 0 ? mean / static_cast<double>(y.size()) : 1.0;
}

std::vector<std::string> default_candidates(const std::vector<int>& periods) {
  if (periods.empty()) return {"naive", "drift", "ets:AAdN", "otheta"};
  std::vector<std::string> c = {"snaive", "smean:2", "smean:3", "mstl", "theta"};
  if (periods.front() != periods.back()) c.push_back("snaive:" + std::to_string(periods.front()));
  return c;
}

}  // namespace

Forecast auto_forecast(std::span<const double> y, const std::vector<int>& periods_in, int h, const AutoOptions& opt,
                       AutoReport* report) {
  const std::size_t n = y.size();
  std::vector<int> periods = periods_in;
  // Origins need enough history before them for every candidate: two cycles
  // of the longest period. Periods too long for that are dropped.
  int origins = 0;
  for (;;) {
    const int longest = periods.empty() ? 1 : periods.back();
    const std::size_t min_train = std::max<std::size_t>(2 * static_cast<std::size_t>(longest) + 2, 10);
    origins = opt.origins;
    while (origins > 0 && n < min_train + static_cast<std::size_t>(origins) * h) --origins;
    if (origins > 0 || periods.empty()) break;
    periods.pop_back();
  }
  if (origins == 0) {
    // Too short to validate: the simplest applicable model.
    Forecast f = n >= 3 ? drift_forecast(y, h) : naive_forecast(y, h);
    if (report) *report = {};
    return f;
  }
  const int shortest = periods.empty() ? 1 : periods.front();
  std::vector<std::string> cands = opt.candidates.empty() ? default_candidates(periods) : opt.candidates;
  const double scale = scale_of(y, shortest);
  const std::size_t nc = cands.size();
  // Every candidate is refitted at every origin and scored on the next h steps.
  std::vector<std::vector<Forecast>> vf(origins, std::vector<Forecast>(nc));
  std::vector<double> err(nc, 0.0);
  for (int o = 0; o < origins; ++o) {
    const std::size_t end = n - static_cast<std::size_t>(o + 1) * h;
    auto train = y.first(end);
    for (std::size_t c = 0; c < nc; ++c) {
      vf[o][c] = forecast_by_name(cands[c], train, periods, h);
      double e = 0;
      for (int i = 0; i < h; ++i) e += std::abs(y[end + i] - vf[o][c].mean[i]);
      err[c] += std::isfinite(e) ? e / h / scale / origins : INFINITY;
    }
  }
  std::vector<std::size_t> order(nc);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return err[a] < err[b]; });
  const std::size_t k = std::min<std::size_t>(std::max(1, opt.combine), nc);
  std::vector<std::size_t> chosen(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
  // Weights proportional to 1 / error^2 (a perfect validation fit wins outright).
  std::vector<double> w(nc, 0.0);
  double total = 0;
  for (std::size_t c : chosen) {
    w[c] = std::isfinite(err[c]) ? 1 / std::max(err[c] * err[c], 1e-12) : 0;
    total += w[c];
  }
  for (auto& v : w) v = total > 0 ? v / total : 1.0 / static_cast<double>(k);
  if (report) {
    report->candidates = cands;
    report->errors = err;
    report->chosen = chosen;
    report->weights.clear();
    for (std::size_t c : chosen) report->weights.push_back(w[c]);
    report->periods = periods;
  }
  auto combine = [&](const std::vector<Forecast>& fs) {
    Forecast f;
    f.mean.assign(h, 0.0);
    f.sd.assign(h, 0.0);
    for (std::size_t c : chosen) {
      if (w[c] == 0) continue;
      for (int i = 0; i < h; ++i) {
        f.mean[i] += fs[c].mean[i] * w[c];
        double s = static_cast<std::size_t>(i) < fs[c].sd.size() && std::isfinite(fs[c].sd[i]) ? fs[c].sd[i] : 0;
        f.sd[i] += s * w[c];
      }
    }
    return f;
  };
  std::vector<Forecast> final_fc(nc);
  for (std::size_t c : chosen) final_fc[c] = forecast_by_name(cands[c], y, periods, h);
  Forecast f = combine(final_fc);
  for (std::size_t c : chosen) {
    if (w[c] == 0) continue;
    if (!f.model.empty()) f.model += "+";
    f.model += final_fc[c].model;
  }
  if (k > 1) f.model = "combo(" + f.model + ")";
  // Interval scale: the validation errors of the combination relative to its
  // model-based sd give a factor c^2 = mean(z^2). Those errors are
  // optimistic (the members were chosen on the same windows), so the
  // variance used is the average of the calibrated and the model-based one.
  double zz = 0;
  std::size_t cnt = 0;
  for (int o = 0; o < origins; ++o) {
    const std::size_t end = n - static_cast<std::size_t>(o + 1) * h;
    Forecast v = combine(vf[o]);
    for (int i = 0; i < h; ++i) {
      double s = v.sd[i] > 0 ? v.sd[i] : scale;
      double z = (y[end + i] - v.mean[i]) / s;
      if (std::isfinite(z)) {
        zz += z * z;
        ++cnt;
      }
    }
  }
  const double c2 = cnt ? zz / static_cast<double>(cnt) : 1.0;
  const double factor = std::sqrt(0.5 * (c2 + 1));
  for (auto& s : f.sd) s = (s > 0 ? s : scale) * factor;
  if (report) report->interval_factor = factor;
  return f;
}

Forecast auto_forecast_with(std::span<const double> y, int h, const AutoReport& sel) {
  if (!sel.validated()) return auto_forecast(y, sel.periods, h);
  Forecast f;
  f.mean.assign(h, 0.0);
  f.sd.assign(h, 0.0);
  const int shortest = sel.periods.empty() ? 1 : sel.periods.front();
  const double scale = scale_of(y, shortest);
  for (std::size_t j = 0; j < sel.chosen.size(); ++j) {
    const double wj = j < sel.weights.size() ? sel.weights[j] : 1.0 / static_cast<double>(sel.chosen.size());
    if (wj == 0) continue;
    Forecast m = forecast_by_name(sel.candidates[sel.chosen[j]], y, sel.periods, h);
    for (int i = 0; i < h; ++i) {
      f.mean[i] += m.mean[i] * wj;
      f.sd[i] += (static_cast<std::size_t>(i) < m.sd.size() && std::isfinite(m.sd[i]) ? m.sd[i] : 0) * wj;
    }
    if (!f.model.empty()) f.model += "+";
    f.model += m.model;
  }
  if (sel.chosen.size() > 1) f.model = "combo(" + f.model + ")";
  for (auto& s : f.sd) s = (s > 0 ? s : scale) * sel.interval_factor;
  return f;
}

}  // namespace lepton::forecast
