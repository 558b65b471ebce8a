#include "lepton/forecast/series.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace lepton::forecast {

double infer_step(std::span<const double> ts) {
  std::vector<double> d;
  for (std::size_t i = 1; i < ts.size(); ++i)
    if (ts[i] > ts[i - 1]) d.push_back(ts[i] - ts[i - 1]);
  if (d.empty()) return 0;
  std::nth_element(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2), d.end());
  double step = d[d.size() / 2];
  // Jittered timestamps: snap to a whole second, then a whole minute.
  for (double unit : {1.0, 60.0}) {
    if (step >= 0.95 * unit) {
      double r = std::round(step / unit) * unit;
      if (std::abs(r - step) <= 0.05 * step) step = r;
    }
  }
  return step;
}

RegularSeries regularise(std::vector<Observation> obs, const RegularOptions& opt) {
  RegularSeries s;
  if (obs.empty()) return s;
  std::stable_sort(obs.begin(), obs.end(), [](const Observation& a, const Observation& b) { return a.ts < b.ts; });
  s.start = obs.front().ts;
  if (opt.step > 0) {
    s.step = opt.step;
  } else {
    std::vector<double> ts(obs.size());
    for (std::size_t i = 0; i < obs.size(); ++i) ts[i] = obs[i].ts;
    s.step = infer_step(ts);
  }
  if (s.step <= 0) {
    // All observations at one time: their mean is the only value.
    double sum = 0;
    for (const auto& o : obs) sum += o.value;
    s.values.push_back(sum / static_cast<double>(obs.size()));
    s.merged = obs.size() - 1;
    return s;
  }
  const double span = (obs.back().ts - s.start) / s.step;
  if (!(span < static_cast<double>(opt.max_steps)))
    throw std::range_error("the series spans " + std::to_string(static_cast<long long>(span)) + " steps, more than " +
                           std::to_string(opt.max_steps));
  const auto last = static_cast<std::size_t>(std::llround(span));
  std::vector<double> sum(last + 1, 0.0);
  std::vector<std::uint32_t> cnt(last + 1, 0);
  for (const auto& o : obs) {
    auto k = static_cast<std::size_t>(std::llround((o.ts - s.start) / s.step));
    if (cnt[k]) ++s.merged;
    sum[k] += o.value;
    ++cnt[k];
  }
  s.values.resize(last + 1);
  std::size_t prev = 0;  // last step with data
  for (std::size_t k = 0; k <= last; ++k) {
    if (!cnt[k]) continue;
    s.values[k] = sum[k] / cnt[k];
    if (k > prev + 1) {
      const std::size_t missing = k - prev - 1;
      for (std::size_t j = prev + 1; j < k; ++j) {
        double f = static_cast<double>(j - prev) / static_cast<double>(k - prev);
        s.values[j] = s.values[prev] + f * (s.values[k] - s.values[prev]);
      }
      s.filled += missing;
      if (missing > static_cast<std::size_t>(std::max(0, opt.max_fill)))
        s.long_gaps.push_back({s.start + s.step * static_cast<double>(prev + 1), missing});
    }
    prev = k;
  }
  return s;
}

void fill_long_gaps(RegularSeries& s, int period) {
  if (period < 2 || s.step <= 0) return;
  const auto p = static_cast<std::size_t>(period);
  for (const Gap& g : s.long_gaps) {
    auto first = static_cast<std::size_t>(std::llround((g.start - s.start) / s.step));
    // The offset before the gap needs the step before it and the one a period earlier.
    if (first <= p || first + g.steps >= s.values.size()) continue;
    const std::size_t after = first + g.steps;
    // Offsets that make the seasonal copy meet the data on both sides.
    const double off0 = s.values[first - 1] - s.values[first - 1 - p];
    // A gap of a period or more has no observed value one period before its end.
    const double off1 = g.steps < p ? s.values[after] - s.values[after - p] : off0;
    for (std::size_t j = first; j < after; ++j) {
      double f = static_cast<double>(j - first + 1) / static_cast<double>(g.steps + 1);
      // s.values[j - p] is already final: observed, or filled earlier in this loop.
      s.values[j] = s.values[j - p] + off0 + f * (off1 - off0);
    }
  }
}

}  // namespace lepton::forecast
