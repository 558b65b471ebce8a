#include "lepton/forecast/types.h"

#include <algorithm>
#include <cmath>

namespace lepton::forecast {

double normal_quantile(double p) {
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double plow = 0.02425;
  double x;
  if (p < plow) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - plow) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // One Halley step on the exact normal CDF brings the error near machine precision.
  double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

double sorted_quantile(const std::vector<double>& s, double p) {
  if (s.empty()) return NAN;
  if (s.size() == 1) return s[0];
  double pos = std::clamp(p, 0.0, 1.0) * static_cast<double>(s.size() - 1);
  auto i = static_cast<std::size_t>(std::floor(pos));
  if (i + 1 >= s.size()) return s.back();
  double f = pos - static_cast<double>(i);
  return s[i] + f * (s[i + 1] - s[i]);
}

void Forecast::limit(double lo, double hi) {
  lower_limit = lo;
  upper_limit = hi;
  for (double& m : mean) m = std::clamp(m, lo, hi);
}

Interval Forecast::interval(std::size_t step, double level) const {
  Interval iv = raw_interval(step, level);
  iv.lo = std::clamp(iv.lo, lower_limit, upper_limit);
  iv.hi = std::clamp(iv.hi, lower_limit, upper_limit);
  return iv;
}

Interval Forecast::raw_interval(std::size_t step, double level) const {
  double m = mean[step];
  double a = (1 - level) / 2;
  if (step < sims.size() && !sims[step].empty())
    return {sorted_quantile(sims[step], a), sorted_quantile(sims[step], 1 - a)};
  if (step >= sd.size() || !std::isfinite(sd[step])) return {m, m};
  if (log_normal && m > 0) {
    double z = normal_quantile(1 - a);
    return {m * std::exp(-z * sd[step]), m * std::exp(z * sd[step])};
  }
  if (!std_errors.empty())
    return {m + sd[step] * sorted_quantile(std_errors, a), m + sd[step] * sorted_quantile(std_errors, 1 - a)};
  double z = normal_quantile(1 - a);
  return {m - z * sd[step], m + z * sd[step]};
}

}  // namespace lepton::forecast
