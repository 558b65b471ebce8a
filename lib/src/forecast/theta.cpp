#include "lepton/forecast/theta.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "lepton/forecast/models.h"
#include "optim.h"

namespace lepton::forecast {

namespace {

constexpr double kLower = 1e-4, kUpper = 0.9999;

double alpha_of(double u) { return kLower + (kUpper - kLower) * detail::logistic(u); }

// The series divided by its M4 seasonal indices (or a copy) and the figure.
std::vector<double> adjust(std::span<const double> y, int m, std::vector<double>& figure) {
  figure = m4_seasonal_figure(y, m);
  std::vector<double> a(y.begin(), y.end());
  if (!figure.empty())
    for (std::size_t t = 0; t < a.size(); ++t) a[t] /= figure[t % figure.size()];
  return a;
}

void reseasonalise(Forecast& f, const std::vector<double>& figure, std::size_t n) {
  if (figure.empty()) return;
  for (std::size_t i = 0; i < f.mean.size(); ++i) {
    double s = figure[(n + i) % figure.size()];
    f.mean[i] *= s;
    if (i < f.sd.size()) f.sd[i] *= s;
  }
}

}  // namespace

SesFit fit_ses(std::span<const double> y) {
  SesFit fit;
  const std::size_t n = y.size();
  if (n == 0) return fit;
  if (n < 3) {
    fit.level = y[n - 1];
    return fit;
  }
  double sd = 0, mean = 0;
  for (double v : y) mean += v / n;
  for (double v : y) sd += (v - mean) * (v - mean) / n;
  sd = std::sqrt(sd);
  const double scale = std::max(0.1 * sd, 1e-6 * (std::abs(y[0]) + 1));
  const double l0 = y[0];
  auto sse = [&](const std::vector<double>& x) {
    double a = alpha_of(x[0]), l = l0 + scale * x[1], s = 0;
    for (double v : y) {
      double e = v - l;
      s += e * e;
      l += a * e;
    }
    return s;
  };
  detail::NelderMeadOptions o;
  o.step = 1.0;
  auto best = detail::nelder_mead(sse, {detail::logit(0.3), 0.0}, o);
  fit.alpha = alpha_of(best.x[0]);
  double l = l0 + scale * best.x[1];
  for (double v : y) l += fit.alpha * (v - l);
  fit.level = l;
  fit.sigma2 = best.value / static_cast<double>(n > 2 ? n - 2 : 1);
  return fit;
}

Forecast theta_forecast(std::span<const double> y, int m, int h) {
  std::vector<double> figure;
  auto a = adjust(y, m, figure);
  const std::size_t n = a.size();
  SesFit ses = fit_ses(a);
  double tm = (n - 1) / 2.0, ym = 0;
  for (double v : a) ym += v / n;
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (i - tm) * (a[i] - ym);
    sxx += (i - tm) * (i - tm);
  }
  double b = sxx > 0 ? sxy / sxx : 0;
  Forecast f;
  f.model = "theta";
  f.mean.resize(h);
  f.sd.resize(h);
  double drift = (1 - std::pow(1 - ses.alpha, static_cast<double>(n))) / ses.alpha;
  for (int i = 0; i < h; ++i) {
    f.mean[i] = ses.level + b / 2 * (i + drift);
    f.sd[i] = std::sqrt(ses.sigma2 * (1 + i * ses.alpha * ses.alpha));
  }
  reseasonalise(f, figure, n);
  return f;
}

Forecast otheta_forecast(std::span<const double> y, int m, int h) {
  std::vector<double> figure;
  auto a = adjust(y, m, figure);
  const int n = static_cast<int>(a.size());
  Forecast f;
  f.model = "otheta";
  if (n < 4) {
    f = theta_forecast(y, m, h);
    f.model = "otheta";
    return f;
  }
  double sd = 0, mean = 0;
  for (double v : a) mean += v / n;
  for (double v : a) sd += (v - mean) * (v - mean) / n;
  sd = std::sqrt(sd);
  const double scale = std::max(0.1 * sd, 1e-6 * (std::abs(a[0]) + 1));
  struct State {
    double level, A, B, sse;
  };
  // Runs the dynamic model; the one-step errors from t = 3 on enter the loss
  // (the first points give no usable line).
  auto run = [&](double alpha, double theta, double l0) {
    double l = l0, sy = 0, sty = 0, A = 0, B = 0, sse = 0;
    double w = 1 - 1 / theta, decay = 1;
    for (int t = 1; t <= n; ++t) {
      double yt = a[t - 1];
      if (t >= 3) {
        double mu = l + w * (decay * A + (1 - decay * (1 - alpha)) / alpha * B);
        double e = yt - mu;
        sse += e * e;
      }
      l = alpha * yt + (1 - alpha) * l;
      decay *= 1 - alpha;
      sy += yt;
      sty += t * yt;
      double tt = t, tbar = (tt + 1) / 2, ybar = sy / tt;
      double sxx = tt * (tt * tt - 1) / 12;
      B = sxx > 0 ? (sty - tt * tbar * ybar) / sxx : 0;
      A = ybar - B * tbar;
    }
    return State{l, A, B, sse};
  };
  auto objective = [&](const std::vector<double>& x) {
    double alpha = alpha_of(x[0]), theta = 1 + std::exp(x[1]);
    return run(alpha, theta, a[0] + scale * x[2]).sse;
  };
  detail::NelderMeadOptions o;
  o.step = 1.0;
  auto best = detail::nelder_mead(objective, {detail::logit(0.3), 0.0, 0.0}, o);
  double alpha = alpha_of(best.x[0]), theta = 1 + std::exp(best.x[1]);
  State s = run(alpha, theta, a[0] + scale * best.x[2]);
  double w = 1 - 1 / theta, decay = std::pow(1 - alpha, n);
  double sigma2 = s.sse / std::max(1, n - 2 - 3);
  f.mean.resize(h);
  f.sd.resize(h);
  for (int i = 0; i < h; ++i) {
    f.mean[i] = s.level + w * (decay * s.A + (i + (1 - decay * (1 - alpha)) / alpha) * s.B);
    f.sd[i] = std::sqrt(sigma2 * (1 + i * alpha * alpha));
  }
  reseasonalise(f, figure, static_cast<std::size_t>(n));
  return f;
}

}  // namespace lepton::forecast
