#include "lepton/forecast/decompose.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lepton::forecast {

ClassicalDecomposition classical_decompose(std::span<const double> x, int m, bool multiplicative) {
  const std::size_t n = x.size();
  const auto um = static_cast<std::size_t>(m);
  if (m < 2 || n < 2 * um) throw std::invalid_argument("classical_decompose needs two full periods");
  ClassicalDecomposition d;
  d.multiplicative = multiplicative;
  d.trend.assign(n, NAN);
  // Centred moving average: weights 1/m (odd m) or 0.5,1,...,1,0.5 over m (even m).
  const std::size_t half = um / 2;
  for (std::size_t t = half; t + half < n; ++t) {
    double s = 0;
    if (um % 2 == 1) {
      for (std::size_t j = t - half; j <= t + half; ++j) s += x[j];
    } else {
      s = 0.5 * (x[t - half] + x[t + half]);
      for (std::size_t j = t - half + 1; j < t + half; ++j) s += x[j];
    }
    d.trend[t] = s / m;
  }
  std::vector<double> sum(um, 0.0);
  std::vector<int> cnt(um, 0);
  for (std::size_t t = 0; t < n; ++t) {
    if (std::isnan(d.trend[t])) continue;
    sum[t % um] += multiplicative ? x[t] / d.trend[t] : x[t] - d.trend[t];
    ++cnt[t % um];
  }
  d.figure.resize(um);
  double mean = 0;
  for (std::size_t i = 0; i < um; ++i) {
    d.figure[i] = cnt[i] ? sum[i] / cnt[i] : (multiplicative ? 1.0 : 0.0);
    mean += d.figure[i] / m;
  }
  for (auto& f : d.figure) f = multiplicative ? f / mean : f - mean;
  return d;
}

namespace {

// Local weighted regression at abscissa xs (1-based positions, as in the
// original Fortran) over y[nleft..nright]; returns false if all weights vanish.
bool loess_at(const double* y, int n, int len, int degree, double xs, int nleft, int nright, double* w,
              const double* rw, double& ys) {
  double range = n - 1.0;
  double h = std::max(xs - nleft, static_cast<double>(nright) - xs);
  if (len > n) h += (len - n) / 2;
  double h9 = 0.999 * h, h1 = 0.001 * h;
  double a = 0;
  for (int j = nleft; j <= nright; ++j) {
    w[j - 1] = 0;
    double r = std::abs(j - xs);
    if (r <= h9) {
      if (r <= h1) {
        w[j - 1] = 1;
      } else {
        double q = r / h;
        q = 1 - q * q * q;
        w[j - 1] = q * q * q;
      }
      if (rw) w[j - 1] *= rw[j - 1];
      a += w[j - 1];
    }
  }
  if (a <= 0) return false;
  for (int j = nleft; j <= nright; ++j) w[j - 1] /= a;
  if (h > 0 && degree > 0) {
    a = 0;
    for (int j = nleft; j <= nright; ++j) a += w[j - 1] * j;
    double b = xs - a, c = 0;
    for (int j = nleft; j <= nright; ++j) c += w[j - 1] * (j - a) * (j - a);
    if (std::sqrt(c) > 0.001 * range) {
      b /= c;
      for (int j = nleft; j <= nright; ++j) w[j - 1] *= b * (j - a) + 1;
    }
  }
  ys = 0;
  for (int j = nleft; j <= nright; ++j) ys += w[j - 1] * y[j - 1];
  return true;
}

// Loess smoothing of y[0..n) evaluated every `jump` points with linear
// interpolation in between (STL's stless).
void loess_smooth(const double* y, int n, int len, int degree, int jump, const double* rw, double* ys, double* w) {
  if (n < 2) {
    ys[0] = y[0];
    return;
  }
  int newnj = std::min(jump, n - 1);
  int nleft = 0, nright = 0;
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (int i = 1; i <= n; i += newnj) {
      if (!loess_at(y, n, len, degree, i, nleft, nright, w, rw, ys[i - 1])) ys[i - 1] = y[i - 1];
    }
  } else if (newnj == 1) {
    int nsh = (len + 1) / 2;
    nleft = 1;
    nright = len;
    for (int i = 1; i <= n; ++i) {
      if (i > nsh && nright != n) {
        ++nleft;
        ++nright;
      }
      if (!loess_at(y, n, len, degree, i, nleft, nright, w, rw, ys[i - 1])) ys[i - 1] = y[i - 1];
    }
  } else {
    int nsh = (len + 1) / 2;
    for (int i = 1; i <= n; i += newnj) {
      if (i < nsh) {
        nleft = 1;
        nright = len;
      } else if (i >= n - nsh + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - nsh + 1;
        nright = len + i - nsh;
      }
      if (!loess_at(y, n, len, degree, i, nleft, nright, w, rw, ys[i - 1])) ys[i - 1] = y[i - 1];
    }
  }
  if (newnj != 1) {
    for (int i = 1; i <= n - newnj; i += newnj) {
      double delta = (ys[i + newnj - 1] - ys[i - 1]) / newnj;
      for (int j = i + 1; j <= i + newnj - 1; ++j) ys[j - 1] = ys[i - 1] + delta * (j - i);
    }
    int k = ((n - 1) / newnj) * newnj + 1;
    if (k != n) {
      if (!loess_at(y, n, len, degree, n, nleft, nright, w, rw, ys[n - 1])) ys[n - 1] = y[n - 1];
      if (k != n - 1) {
        double delta = (ys[n - 1] - ys[k - 1]) / (n - k);
        for (int j = k + 1; j <= n - 1; ++j) ys[j - 1] = ys[k - 1] + delta * (j - k);
      }
    }
  }
}

void moving_average(const double* x, int n, int len, double* out) {
  double v = 0;
  for (int i = 0; i < len; ++i) v += x[i];
  out[0] = v / len;
  for (int j = 1; j + len <= n; ++j) {
    v += x[j + len - 1] - x[j - 1];
    out[j] = v / len;
  }
}

int next_odd(double v) {
  int i = static_cast<int>(std::ceil(v));
  return i % 2 == 0 ? i + 1 : i;
}

}  // namespace

StlResult stl(std::span<const double> x, int m, const StlOptions& opt) {
  const int n = static_cast<int>(x.size());
  if (m < 2 || n < 2 * m) throw std::invalid_argument("stl needs two full periods");
  int ns = std::max(3, opt.seasonal_window);
  if (ns % 2 == 0) ++ns;
  int nt = opt.trend_window > 0 ? opt.trend_window : next_odd(1.5 * m / (1 - 1.5 / ns));
  int nl = opt.lowpass_window > 0 ? opt.lowpass_window : next_odd(m);
  if (nt % 2 == 0) ++nt;
  if (nl % 2 == 0) ++nl;
  const int isdeg = 0, itdeg = 1, ildeg = 1;
  const int nsjump = (ns + 9) / 10, ntjump = (nt + 9) / 10, nljump = (nl + 9) / 10;
  StlResult r;
  r.seasonal.assign(n, 0.0);
  r.trend.assign(n, 0.0);
  std::vector<double> rw(n, 1.0);
  bool use_rw = false;
  std::vector<double> w1(n + 2 * m), c(n + 2 * m), w3(n + 2 * m), l(n), work(n + 2 * m), wts(n + 2 * m);
  std::vector<double> sub(n / m + 3), subs(n / m + 3), subw(n / m + 3);
  for (int outer = 0; outer <= opt.outer; ++outer) {
    for (int it = 0; it < opt.inner; ++it) {
      for (int i = 0; i < n; ++i) w1[i] = x[i] - r.trend[i];
      // Cycle-subseries smoothing, extended by one period at both ends.
      for (int j = 0; j < m; ++j) {
        int k = (n - j - 1) / m + 1;
        std::vector<double> subrw;
        for (int i = 0; i < k; ++i) sub[i] = w1[j + i * m];
        if (use_rw) {
          subrw.resize(k);
          for (int i = 0; i < k; ++i) subrw[i] = rw[j + i * m];
        }
        const double* prw = use_rw ? subrw.data() : nullptr;
        loess_smooth(sub.data(), k, ns, isdeg, nsjump, prw, subs.data() + 1, subw.data());
        int nright = std::min(ns, k);
        if (!loess_at(sub.data(), k, ns, isdeg, 0, 1, nright, subw.data(), prw, subs[0])) subs[0] = subs[1];
        int nleft = std::max(1, k - ns + 1);
        if (!loess_at(sub.data(), k, ns, isdeg, k + 1, nleft, k, subw.data(), prw, subs[k + 1])) subs[k + 1] = subs[k];
        for (int i = 0; i < k + 2; ++i) c[j + i * m] = subs[i];
      }
      // Low-pass filter of the cycle-subseries: MA(m), MA(m), MA(3), loess.
      moving_average(c.data(), n + 2 * m, m, w3.data());
      moving_average(w3.data(), n + m + 1, m, work.data());
      moving_average(work.data(), n + 2, 3, w3.data());
      loess_smooth(w3.data(), n, nl, ildeg, nljump, nullptr, l.data(), wts.data());
      for (int i = 0; i < n; ++i) r.seasonal[i] = c[m + i] - l[i];
      for (int i = 0; i < n; ++i) w1[i] = x[i] - r.seasonal[i];
      loess_smooth(w1.data(), n, nt, itdeg, ntjump, use_rw ? rw.data() : nullptr, r.trend.data(), wts.data());
    }
    if (outer < opt.outer) {
      // Bisquare robustness weights from the remainder.
      std::vector<double> absr(n);
      for (int i = 0; i < n; ++i) absr[i] = std::abs(x[i] - r.trend[i] - r.seasonal[i]);
      std::vector<double> tmp = absr;
      std::nth_element(tmp.begin(), tmp.begin() + n / 2, tmp.end());
      double cmad = 6 * tmp[n / 2];
      for (int i = 0; i < n; ++i) {
        double u = cmad > 0 ? absr[i] / cmad : 0;
        rw[i] = u < 1 ? (1 - u * u) * (1 - u * u) : 0;
      }
      use_rw = true;
    }
  }
  r.remainder.resize(n);
  for (int i = 0; i < n; ++i) r.remainder[i] = x[i] - r.trend[i] - r.seasonal[i];
  return r;
}

std::vector<double> MstlResult::adjusted() const {
  std::vector<double> a(trend.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = trend[i] + remainder[i];
  }
  return a;
}

MstlResult mstl(std::span<const double> x, std::vector<int> periods, int iterations) {
  const std::size_t n = x.size();
  std::sort(periods.begin(), periods.end());
  periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
  MstlResult r;
  for (int p : periods)
    if (p >= 2 && static_cast<std::size_t>(p) * 2 < n) r.periods.push_back(p);
  std::vector<double> deseas(x.begin(), x.end());
  r.seasonal.assign(r.periods.size(), std::vector<double>(n, 0.0));
  if (r.periods.empty()) {
    // No usable period: the trend is a loess smooth, as R's mstl() does via supsmu.
    r.trend = deseas;
    r.remainder.assign(n, 0.0);
    return r;
  }
  StlResult fit;
  if (r.periods.size() == 1) iterations = 1;
  for (int it = 0; it < iterations; ++it) {
    for (std::size_t i = 0; i < r.periods.size(); ++i) {
      for (std::size_t t = 0; t < n; ++t) deseas[t] += r.seasonal[i][t];
      StlOptions o;
      o.seasonal_window = 7 + 4 * static_cast<int>(i + 1);
      fit = stl(deseas, r.periods[i], o);
      r.seasonal[i] = fit.seasonal;
      for (std::size_t t = 0; t < n; ++t) deseas[t] -= r.seasonal[i][t];
    }
  }
  r.trend = fit.trend;
  r.remainder.resize(n);
  for (std::size_t t = 0; t < n; ++t) r.remainder[t] = deseas[t] - r.trend[t];
  return r;
}

}  // namespace lepton::forecast
