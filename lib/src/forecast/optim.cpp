#include "optim.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lepton::forecast::detail {

namespace {

double safe(double v) { return std::isfinite(v) ? v : std::numeric_limits<double>::infinity(); }

// One Nelder-Mead run (standard coefficients 1, 2, 0.5, 0.5).
NelderMeadResult run(const std::function<double(const std::vector<double>&)>& f, const std::vector<double>& x0,
                     const NelderMeadOptions& opt) {
  const std::size_t n = x0.size();
  std::vector<std::vector<double>> p(n + 1, x0);
  std::vector<double> fv(n + 1);
  int evals = 0;
  auto eval = [&](const std::vector<double>& x) {
    ++evals;
    return safe(f(x));
  };
  for (std::size_t i = 0; i < n; ++i) p[i + 1][i] += opt.step;
  for (std::size_t i = 0; i <= n; ++i) fv[i] = eval(p[i]);
  std::vector<std::size_t> order(n + 1);
  std::vector<double> centroid(n), xr(n), xe(n), xc(n);
  while (evals < opt.max_evals) {
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return fv[a] < fv[b]; });
    std::size_t best = order[0], worst = order[n], second = order[n - 1];
    double spread = std::abs(fv[worst] - fv[best]);
    if (std::isfinite(fv[worst]) && spread <= opt.tol * (std::abs(fv[best]) + 1e-12)) break;
    std::fill(centroid.begin(), centroid.end(), 0.0);
    for (std::size_t i = 0; i <= n; ++i)
      if (i != worst)
        for (std::size_t j = 0; j < n; ++j) centroid[j] += p[i][j] / static_cast<double>(n);
    for (std::size_t j = 0; j < n; ++j) xr[j] = centroid[j] + (centroid[j] - p[worst][j]);
    double fr = eval(xr);
    if (fr < fv[best]) {
      for (std::size_t j = 0; j < n; ++j) xe[j] = centroid[j] + 2 * (centroid[j] - p[worst][j]);
      double fe = eval(xe);
      if (fe < fr) {
        p[worst] = xe;
        fv[worst] = fe;
      } else {
        p[worst] = xr;
        fv[worst] = fr;
      }
      continue;
    }
    if (fr < fv[second]) {
      p[worst] = xr;
      fv[worst] = fr;
      continue;
    }
    bool outside = fr < fv[worst];
    for (std::size_t j = 0; j < n; ++j)
      xc[j] = outside ? centroid[j] + 0.5 * (xr[j] - centroid[j]) : centroid[j] + 0.5 * (p[worst][j] - centroid[j]);
    double fc = eval(xc);
    if (fc < (outside ? fr : fv[worst])) {
      p[worst] = xc;
      fv[worst] = fc;
      continue;
    }
    // Shrink towards the best point.
    for (std::size_t i = 0; i <= n; ++i) {
      if (i == best) continue;
      for (std::size_t j = 0; j < n; ++j) p[i][j] = p[best][j] + 0.5 * (p[i][j] - p[best][j]);
      fv[i] = eval(p[i]);
    }
  }
  std::size_t best = static_cast<std::size_t>(std::min_element(fv.begin(), fv.end()) - fv.begin());
  return {p[best], fv[best], evals};
}

}  // namespace

NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                             const NelderMeadOptions& opt) {
  NelderMeadResult best = run(f, x0, opt);
  int total = best.evals;
  NelderMeadOptions o = opt;
  for (int r = 0; r < opt.restarts; ++r) {
    // Restarting with a fresh simplex around the best point escapes the
    // premature collapse that plain Nelder-Mead is known for.
    o.step = opt.step * (r % 2 == 0 ? 0.5 : 1.0);
    NelderMeadResult next = run(f, best.x, o);
    total += next.evals;
    bool improved = next.value < best.value - 1e-10 * (std::abs(best.value) + 1);
    if (next.value < best.value) best = next;
    if (!improved) break;
  }
  best.evals = total;
  return best;
}

}  // namespace lepton::forecast::detail
