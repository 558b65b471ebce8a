#include "lepton/forecast/seasonality.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include <unsupported/Eigen/FFT>

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

// The shortest significant ACF peak of d in [lo, hi] that reaches half the
// height of the highest one, or 0. Taking the shortest rather than the
// highest picks the fundamental period over its multiples.
int best_peak(std::span<const double> d, int lo, int hi, const DetectOptions& opt) {
  auto r = acf(d, hi + std::max(1, hi / 10));
  const int top = static_cast<int>(r.size()) - 1;
  const double n = static_cast<double>(d.size());
  double bartlett = 1;  // 1 + 2 sum r_j^2 for j < k
  std::vector<std::pair<int, double>> peaks;
  double max_r = 0;
  for (int k = 1; k <= std::min(hi, top - 1); ++k) {
    double se = std::sqrt(bartlett / n);
    bartlett += 2 * r[k] * r[k];
    if (k < lo) continue;
    double rk = r[k];
    if (rk < opt.min_acf || rk < opt.z * se) continue;
    int w = std::max(1, k / 10);
    bool peak = true;
    for (int j = std::max(1, k - w); j <= std::min(top, k + w) && peak; ++j)
      if (j != k && r[j] >= rk) peak = false;
    if (!peak) continue;
    peaks.emplace_back(k, rk);
    max_r = std::max(max_r, rk);
  }
  for (auto [k, rk] : peaks)
    if (rk >= 0.5 * max_r) return k;
  return 0;
}

}  // namespace

std::vector<int> detect_periods(std::span<const double> x, const DetectOptions& opt) {
  std::vector<int> found;
  const std::size_t n = x.size();
  if (n < 8) return found;
  int hi = opt.max_period > 0 ? std::min<int>(opt.max_period, static_cast<int>(n / 2)) : static_cast<int>(n / 2);
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
  // A random walk's ACF decays slowly and wiggles; its differences do not.
  auto r1 = acf(d, 1);
  if (r1.size() > 1 && r1[1] > 0.95) {
    std::vector<double> diff(n - 1);
    for (std::size_t i = 1; i < n; ++i) diff[i - 1] = d[i] - d[i - 1];
    auto rd = acf(diff, 1);
    // Smooth seasonal curves keep a high lag-1 ACF after differencing; noise-driven walks do not.
    if (rd.size() > 1 && rd[1] < 0.5) d = std::move(diff);
  }
  int lo = opt.min_period;
  for (int round = 0; round < opt.max_periods; ++round) {
    int p = best_peak(d, lo, hi, opt);
    if (p == 0) break;
    if (std::find(found.begin(), found.end(), p) != found.end()) break;
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
    lo = p + 1;
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace lepton::forecast
