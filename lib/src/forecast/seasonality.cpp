#include "lepton/forecast/seasonality.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include <unsupported/Eigen/FFT>

#include "lepton/forecast/types.h"

namespace lepton::forecast {

std::vector<double> acf(std::span<const double> x, int max_lag) {
  const std::size_t n = x.size();
  max_lag = std::max(0, std::min<int>(max_lag, static_cast<int>(n) - 1));
  std::vector<double> r(static_cast<std::size_t>(max_lag) + 1, 0.0);
  if (n == 0) return r;
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(n);
  std::vector<double> d(n);
  double c0 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    d[i] = x[i] - mean;
    c0 += d[i] * d[i];
  }
  r[0] = 1;
  if (c0 <= 0) return r;
  if (static_cast<double>(n) * max_lag > 4e6) {
    // Long series: autocovariances through the FFT (Wiener-Khinchin).
    std::size_t len = 1;
    while (len < 2 * n) len <<= 1;
    std::vector<double> pad(len, 0.0);
    std::copy(d.begin(), d.end(), pad.begin());
    Eigen::FFT<double> fft;
    std::vector<std::complex<double>> spec;
    fft.fwd(spec, pad);
    for (auto& s : spec) s = std::complex<double>(std::norm(s), 0.0);
    std::vector<double> cov;
    fft.inv(cov, spec);
    for (int k = 1; k <= max_lag; ++k) r[k] = cov[k] / cov[0];
    return r;
  }
  for (int k = 1; k <= max_lag; ++k) {
    double s = 0;
    for (std::size_t i = 0; i + k < n; ++i) s += d[i] * d[i + k];
    r[k] = s / c0;
  }
  return r;
}

bool seasonality_test(std::span<const double> x, int m, double z) {
  if (m < 2 || x.size() < 3 * static_cast<std::size_t>(m)) return false;
  auto r = acf(x, m);
  double s = 1;
  for (int k = 1; k < m; ++k) s += 2 * r[k] * r[k];
  return std::abs(r[m]) > z * std::sqrt(s / static_cast<double>(x.size()));
}

namespace {

struct Peak {
  int lag;
  double r;
};

// Significant local maxima of the ACF of d in [lo, hi]. A peak must exceed
// the white-noise bound z / sqrt(n) (while no period is known, z is raised
// so that about 1% of white-noise series show a spurious peak anywhere in
// the range) and stand at least 3 min_acf above the lowest ACF value within
// half its lag on either side: a seasonal ACF swings between peaks and
// troughs, while the ACF of a random walk or of persistent noise only
// wanders slowly.
std::vector<Peak> acf_peaks(std::span<const double> d, int lo, int hi, int prev, const DetectOptions& opt) {
  auto r = acf(d, std::min<int>(static_cast<int>(d.size()) - 1, hi + hi / 2 + 1));
  const int top = static_cast<int>(r.size()) - 1;
  const double n = static_cast<double>(d.size());
  const double z = prev > 0 ? opt.z : std::max(opt.z, normal_quantile(1 - 0.01 / std::max(1, hi - lo + 1)));
  const double bound = z / std::sqrt(n);
  std::vector<Peak> peaks;
  for (int k = std::max(2, lo); k <= std::min(hi, top - 1); ++k) {
    double rk = r[k];
    if (rk < opt.min_acf || rk < bound) continue;
    int w = std::max(1, k / 10);
    bool peak = true;
    for (int j = std::max(1, k - w); j <= std::min(top, k + w) && peak; ++j)
      if (j != k && r[j] >= rk) peak = false;
    if (!peak) continue;
    double left = rk, right = rk;
    for (int j = std::max(1, k - k / 2); j < k; ++j) left = std::min(left, r[j]);
    for (int j = k + 1; j <= std::min(top, k + k / 2); ++j) right = std::min(right, r[j]);
    if (rk - left < 3 * opt.min_acf || (k + k / 2 <= top && rk - right < 3 * opt.min_acf)) continue;
    // A further period is a multiple of the one found before (calendar
    // cycles nest: 24 h in 168 h, 60 min in 1440 min) and must stand out
    // from the neighbouring multiples, or it is only that period's drift.
    if (prev > 0 && (k % prev != 0 || r[k - prev] >= rk - 0.05 || (k + prev <= top && r[k + prev] >= rk - 0.05)))
      continue;
    peaks.push_back({k, rk});
  }
  return peaks;
}

// The shortest peak that reaches 3/4 of the highest one (the fundamental
// rather than its multiples), or 0.
int pick(const std::vector<Peak>& peaks) {
  double max_r = 0;
  for (const auto& p : peaks) max_r = std::max(max_r, p.r);
  for (const auto& p : peaks)
    if (p.r >= 0.75 * max_r) return p.lag;
  return 0;
}

}  // namespace

std::vector<int> detect_periods(std::span<const double> x, const DetectOptions& opt) {
  std::vector<int> found;
  const std::size_t n = x.size();
  if (n < 8) return found;
  int hi = opt.max_period > 0 ? std::min<int>(opt.max_period, static_cast<int>(n / 3)) : static_cast<int>(n / 3);
  if (hi < opt.min_period) return found;
  // Remove a least-squares line so that trends do not dominate the ACF.
  double tm = (n - 1) / 2.0, ym = 0;
  for (double v : x) ym += v;
  ym /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (i - tm) * (x[i] - ym);
    sxx += (i - tm) * (i - tm);
  }
  double slope = sxx > 0 ? sxy / sxx : 0;
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = x[i] - ym - slope * (i - tm);
  int lo = opt.min_period, prev = 0;
  for (int round = 0; static_cast<int>(found.size()) < opt.max_periods; ++round) {
    auto peaks = acf_peaks(d, lo, hi, prev, opt);
    int p = pick(peaks);
    if (p == 0) break;
    if (std::find(found.begin(), found.end(), p) != found.end()) break;
    // A strong longer cycle can hide a shorter one that divides it (a weekly
    // pattern over a daily one): take the strongest such divisor peak too.
    if (round == 0) {
      const Peak* div = nullptr;
      for (const auto& pk : peaks)
        if (pk.lag < p && p % pk.lag == 0 && pk.lag * 2 <= p && (!div || pk.r > div->r)) div = &pk;
      if (div && static_cast<int>(found.size()) + 1 < opt.max_periods) {
        found.push_back(div->lag);
      } else if (div) {
        p = div->lag;
      }
    }
    found.push_back(p);
    // Remove that period's mean profile and look for a longer one in the rest.
    std::vector<double> prof(p, 0.0);
    std::vector<int> cnt(p, 0);
    for (std::size_t i = 0; i < d.size(); ++i) {
      prof[i % p] += d[i];
      ++cnt[i % p];
    }
    for (int j = 0; j < p; ++j) prof[j] /= std::max(1, cnt[j]);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] -= prof[i % p];
    // A longer cycle must span at least two of the shorter one.
    lo = 2 * p;
    prev = p;
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace lepton::forecast
