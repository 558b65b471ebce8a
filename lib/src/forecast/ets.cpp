#include "lepton/forecast/ets.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include <Eigen/Dense>

#include "lepton/forecast/decompose.h"
#include "optim.h"
#include "rng.h"

namespace lepton::forecast {

std::string EtsSpec::name() const {
  std::string s = "ETS(";
  s.push_back(error);
  s.push_back(',');
  s.push_back(trend);
  if (damped) s.push_back('d');
  s.push_back(',');
  s.push_back(season);
  s.push_back(')');
  return s;
}

std::optional<EtsSpec> parse_ets_spec(std::string_view code, int m) {
  std::string c;
  for (char ch : code) c.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
  EtsSpec s;
  s.m = m;
  if (c.size() == 4 && c[2] == 'D') {
    s.damped = true;
    c.erase(2, 1);
  }
  if (c.size() != 3) return std::nullopt;
  s.error = c[0];
  s.trend = c[1];
  s.season = c[2];
  if ((s.error != 'A' && s.error != 'M') || (s.trend != 'N' && s.trend != 'A') ||
      (s.season != 'N' && s.season != 'A' && s.season != 'M'))
    return std::nullopt;
  if (s.damped && s.trend != 'A') return std::nullopt;
  if (s.season != 'N' && m < 2) return std::nullopt;
  return s;
}

namespace {

constexpr double kLower = 1e-4, kUpper = 0.9999;

struct Params {
  double alpha = 0.1, beta = 0, gamma = 0, phi = 1, l0 = 0, b0 = 0;
};

struct Run {
  double sse = 0;     // sum of squared innovations (relative for M error)
  double sumlog = 0;  // sum log|mu| (M error)
  double level = 0, slope = 0;
  int pos = 0;
  bool ok = true;
};

// Runs the model over y from the initial states, updating `season` (a ring
// of m states, season[pos] = s_{t-m}) in place.
Run run_filter(std::span<const double> y, const EtsSpec& sp, const Params& p, std::vector<double>& season,
               double* fitted) {
  Run r;
  const bool trend = sp.trend != 'N';
  const bool seasonal = sp.season != 'N';
  const bool mseason = sp.season == 'M';
  const bool merror = sp.error == 'M';
  const double phi = sp.damped ? p.phi : 1.0;
  const int m = seasonal ? static_cast<int>(season.size()) : 1;
  double l = p.l0, b = trend ? p.b0 : 0.0;
  int pos = 0;
  for (std::size_t t = 0; t < y.size(); ++t) {
    double T = l + phi * b;
    double s = seasonal ? season[pos] : (mseason ? 1.0 : 0.0);
    double mu = mseason ? T * s : T + s;
    if (fitted) fitted[t] = mu;
    if ((merror || mseason) && (!(mu > 0) || (mseason && !(T > 0)))) {
      r.ok = false;
      return r;
    }
    double e = y[t] - mu;
    if (merror) {
      double eps = e / mu;
      r.sse += eps * eps;
      r.sumlog += std::log(mu);
    } else {
      r.sse += e * e;
    }
    if (mseason) {
      l = T + p.alpha * e / s;
      b = phi * b + p.beta * e / s;
      season[pos] = s + p.gamma * e / T;
    } else {
      l = T + p.alpha * e;
      b = phi * b + p.beta * e;
      if (seasonal) season[pos] = s + p.gamma * e;
    }
    if (seasonal && ++pos == m) pos = 0;
  }
  if (!std::isfinite(r.sse) || !std::isfinite(l)) r.ok = false;
  r.level = l;
  r.slope = b;
  r.pos = pos;
  return r;
}

// Forecastability of the linear counterpart: eigenvalues of D = F - g w'
// strictly inside the unit circle.
bool admissible(const EtsSpec& sp, const Params& p) {
  const bool trend = sp.trend != 'N';
  const bool seasonal = sp.season != 'N';
  const int m = seasonal ? sp.m : 0;
  const int dim = 1 + (trend ? 1 : 0) + m;
  if (!seasonal && !trend) return p.alpha > 0 && p.alpha < 2;
  Eigen::MatrixXd F = Eigen::MatrixXd::Zero(dim, dim);
  Eigen::VectorXd g(dim), w(dim);
  const double phi = sp.damped ? p.phi : 1.0;
  int bi = trend ? 1 : -1, si = trend ? 2 : 1;
  F(0, 0) = 1;
  w.setZero();
  w(0) = 1;
  g(0) = p.alpha;
  if (trend) {
    F(0, bi) = phi;
    F(bi, bi) = phi;
    w(bi) = phi;
    g(bi) = p.beta;
  }
  if (seasonal) {
    // State (s_{t}, s_{t-1}, ..., s_{t-m+1}); the forecast uses s_{t-m+1}.
    F(si, si + m - 1) = 1;
    for (int j = 1; j < m; ++j) F(si + j, si + j - 1) = 1;
    w(si + m - 1) = 1;
    g.segment(si, m).setZero();
    g(si) = p.gamma;
  }
  Eigen::MatrixXd D = F - g * w.transpose();
  Eigen::EigenSolver<Eigen::MatrixXd> es(D, false);
  if (es.info() != Eigen::Success) return false;
  for (int i = 0; i < dim; ++i)
    if (std::abs(es.eigenvalues()(i)) >= 1 + 1e-8) return false;
  return true;
}

int count_params(const EtsSpec& sp) {
  int k = 1 + 1;  // alpha, l0
  if (sp.trend != 'N') k += 2;
  if (sp.damped) k += 1;
  if (sp.season != 'N') k += 1 + (sp.m - 1);
  return k + 1;  // sigma
}

}  // namespace

std::optional<EtsModel> fit_ets(std::span<const double> y, const EtsSpec& sp, const EtsFitOptions& opt) {
  const int n = static_cast<int>(y.size());
  const bool trend = sp.trend != 'N';
  const bool seasonal = sp.season != 'N';
  const int m = seasonal ? sp.m : 1;
  if (n < 3) return std::nullopt;
  if (seasonal && (m < 2 || n < 2 * m + 2)) return std::nullopt;
  if (sp.error == 'M' || sp.season == 'M') {
    for (double v : y)
      if (!(v > 0)) return std::nullopt;
  }
  const int k = count_params(sp);
  if (k >= n - 1) return std::nullopt;

  // Initial states (Hyndman et al. 2008, sec. 2.6.1).
  std::vector<double> s0;
  std::vector<double> sa(y.begin(), y.end());
  if (seasonal) {
    int len = std::min(n, 5 * m);
    len = std::max(len, std::min(n, 2 * m));
    auto dec = classical_decompose(y.first(len), m, sp.season == 'M');
    s0 = dec.figure;
    for (int t = 0; t < n; ++t) sa[t] = sp.season == 'M' ? y[t] / s0[t % m] : y[t] - s0[t % m];
  }
  int maxn = std::min(std::max(10, 2 * m), n);
  double l0 = 0, b0 = 0;
  {
    double tm = (maxn + 1) / 2.0, ym = 0;
    for (int i = 0; i < maxn; ++i) ym += sa[i];
    ym /= maxn;
    if (trend) {
      double sxy = 0, sxx = 0;
      for (int i = 0; i < maxn; ++i) {
        sxy += (i + 1 - tm) * (sa[i] - ym);
        sxx += (i + 1 - tm) * (i + 1 - tm);
      }
      b0 = sxx > 0 ? sxy / sxx : 0;
      l0 = ym - b0 * tm;
    } else {
      l0 = ym;
    }
  }
  double mean = 0, var = 0;
  for (double v : y) mean += v / n;
  for (double v : y) var += (v - mean) * (v - mean) / n;
  const double scale_l = std::max(0.1 * std::sqrt(var), 1e-6 * (std::abs(l0) + 1));
  const double scale_b = scale_l / std::max(10, m);

  std::vector<double> season(s0);
  const bool concentrate = sp.linear();
  auto decode = [&](const std::vector<double>& x) {
    Params p;
    std::size_t i = 0;
    p.alpha = kLower + (kUpper - kLower) * detail::logistic(x[i++]);
    if (trend) p.beta = kLower + std::max(0.0, p.alpha - kLower) * detail::logistic(x[i++]);
    if (seasonal) p.gamma = kLower + std::max(0.0, 1 - p.alpha - 2 * kLower) * detail::logistic(x[i++]);
    if (sp.damped) p.phi = 0.8 + 0.18 * detail::logistic(x[i++]);
    if (concentrate) {
      p.l0 = l0;
      p.b0 = b0;
      return p;
    }
    p.l0 = l0 + scale_l * x[i++];
    if (trend) p.b0 = b0 + scale_b * x[i++];
    return p;
  };
  // Linear models: the one-step errors are affine in the initial level and
  // slope, so those are solved by least squares for each set of smoothing
  // parameters (a concentrated likelihood) instead of being searched for.
  std::vector<double> e0(concentrate ? n : 0), el(concentrate ? n : 0), eb(concentrate && trend ? n : 0);
  std::vector<double> ring(m);
  auto errors = [&](bool data, double l, double b, bool with_s0, const Params& p, std::vector<double>& e) {
    const double phi = sp.damped ? p.phi : 1.0;
    if (seasonal) {
      if (with_s0) {
        std::copy(s0.begin(), s0.end(), ring.begin());
      } else {
        std::fill(ring.begin(), ring.end(), 0.0);
      }
    }
    int pos = 0;
    for (int t = 0; t < n; ++t) {
      double T = l + phi * b;
      double sv = seasonal ? ring[pos] : 0.0;
      double err = (data ? y[t] : 0.0) - (T + sv);
      e[t] = err;
      l = T + p.alpha * err;
      b = phi * b + p.beta * err;
      if (seasonal) {
        ring[pos] = sv + p.gamma * err;
        if (++pos == m) pos = 0;
      }
    }
  };
  auto solve_initial = [&](Params& p) {
    errors(true, 0, 0, true, p, e0);
    errors(false, 1, 0, false, p, el);
    if (trend) errors(false, 0, 1, false, p, eb);
    double all = 0, alb = 0, abb = 0, rl = 0, rb = 0;
    for (int t = 0; t < n; ++t) {
      all += el[t] * el[t];
      rl += el[t] * e0[t];
      if (trend) {
        alb += el[t] * eb[t];
        abb += eb[t] * eb[t];
        rb += eb[t] * e0[t];
      }
    }
    if (!trend) {
      if (all > 0) p.l0 = -rl / all;
      return;
    }
    double det = all * abb - alb * alb;
    if (!(std::abs(det) > 1e-12 * (all * abb + 1e-300))) return;
    p.l0 = -(abb * rl - alb * rb) / det;
    p.b0 = -(all * rb - alb * rl) / det;
  };
  auto objective = [&](const std::vector<double>& x) {
    Params p = decode(x);
    if (concentrate) solve_initial(p);
    std::copy(s0.begin(), s0.end(), season.begin());
    Run r = run_filter(y, sp, p, season, nullptr);
    if (!r.ok || !(r.sse > 0)) return std::numeric_limits<double>::infinity();
    return n * std::log(r.sse) + 2 * r.sumlog;
  };
  // Several starts: the likelihood often has separate basins for small and
  // moderate smoothing parameters, and Nelder-Mead stays in the first it finds.
  auto start = [&](double alpha, double beta_ratio) {
    std::vector<double> x0;
    x0.push_back(detail::logit(alpha));
    if (trend) x0.push_back(detail::logit(beta_ratio));
    if (seasonal) x0.push_back(detail::logit(0.05));
    if (sp.damped) x0.push_back(detail::logit((0.97 - 0.8) / 0.18));
    if (!concentrate) {
      x0.push_back(0);
      if (trend) x0.push_back(0);
    }
    return x0;
  };
  // Candidate starts spread over the logit scale; the best few by their
  // objective value are refined.
  std::vector<std::pair<double, std::vector<double>>> grid;
  for (double a : {2e-4, 2e-3, 0.02, 0.2, 0.6})
    for (double br : {0.1, 0.9}) {
      if (!trend && br > 0.5) continue;
      auto x0 = start(a, br);
      grid.emplace_back(objective(x0), x0);
    }
  std::stable_sort(grid.begin(), grid.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::vector<double>> starts;
  for (std::size_t i = 0; i < grid.size() && static_cast<int>(i) < std::max(1, opt.starts); ++i)
    starts.push_back(grid[i].second);
  detail::NelderMeadOptions no;
  no.max_evals = opt.max_evals;
  no.restarts = opt.restarts;
  no.step = 1.0;
  auto optimise = [&] {
    detail::NelderMeadResult best;
    best.value = std::numeric_limits<double>::infinity();
    for (const auto& x0 : starts) {
      auto r = detail::nelder_mead(objective, x0, no);
      if (r.value < best.value || best.x.empty()) best = std::move(r);
    }
    return best;
  };
  // Linear seasonal members: the seasonal initial states are also affine in
  // the errors, so after a first search they are re-estimated by least
  // squares (sum constrained to 0) and the search resumes from there.
  auto refine_seasons = [&](const Params& p) {
    const int q = m - 1;
    Eigen::MatrixXd E(n, q);
    std::vector<double> col(n);
    std::vector<double> saved = s0;
    errors(true, p.l0, p.b0, true, p, e0);
    for (int j = 0; j < q; ++j) {
      std::fill(s0.begin(), s0.end(), 0.0);
      s0[j] = 1;
      s0[m - 1] = -1;
      errors(false, 0, 0, true, p, col);
      for (int t = 0; t < n; ++t) E(t, j) = col[t];
    }
    Eigen::Map<Eigen::VectorXd> r(e0.data(), n);
    // The current states plus the correction that minimises the squared errors.
    Eigen::VectorXd c = (E.transpose() * E).ldlt().solve(-(E.transpose() * r));
    s0 = saved;
    if (!c.allFinite()) return;
    for (int j = 0; j < q; ++j) {
      s0[j] += c(j);
      s0[m - 1] -= c(j);
    }
  };
  auto admissible_params = [&](Params p) -> std::optional<Params> {
    if ((trend || seasonal) && !admissible(sp, p)) {
      // Outside the forecastable region (which the box constraints do not
      // exclude for trend and seasonal members): shrink beta and gamma
      // towards 0 to the boundary, by bisection. Checking admissibility
      // inside the search instead costs an eigen-decomposition per evaluation.
      const Params full = p;
      double good = 0, bad = 1;
      Params q = full;
      q.beta = 0;
      q.gamma = 0;
      if (!admissible(sp, q)) return std::nullopt;
      for (int it = 0; it < 12; ++it) {
        double mid = 0.5 * (good + bad);
        q.beta = full.beta * mid;
        q.gamma = full.gamma * mid;
        (admissible(sp, q) ? good : bad) = mid;
      }
      p.beta = full.beta * good;
      p.gamma = full.gamma * good;
    }
    return p;
  };
  auto best = optimise();
  if (!std::isfinite(best.value)) return std::nullopt;
  auto pa = admissible_params(decode(best.x));
  if (!pa) return std::nullopt;
  Params p = *pa;
  if (concentrate && seasonal) {
    solve_initial(p);
    refine_seasons(p);
    starts = {best.x};
    auto again = optimise();
    if (std::isfinite(again.value)) {
      auto pb = admissible_params(decode(again.x));
      if (pb) p = *pb;
    }
  }
  if (concentrate) solve_initial(p);
  EtsModel mod;
  mod.spec = sp;
  if (!seasonal) mod.spec.m = 1;
  mod.alpha = p.alpha;
  mod.beta = trend ? p.beta : 0;
  mod.gamma = seasonal ? p.gamma : 0;
  mod.phi = sp.damped ? p.phi : 1;
  mod.fitted.resize(n);
  std::copy(s0.begin(), s0.end(), season.begin());
  Run r = run_filter(y, sp, p, season, mod.fitted.data());
  if (!r.ok) return std::nullopt;
  mod.n = n;
  mod.k = k;
  mod.level = r.level;
  mod.slope = r.slope;
  if (seasonal) {
    mod.season.resize(m);
    for (int j = 0; j < m; ++j) mod.season[j] = season[(r.pos + j) % m];
  }
  double sse_abs = 0;
  for (int t = 0; t < n; ++t) sse_abs += (y[t] - mod.fitted[t]) * (y[t] - mod.fitted[t]);
  mod.mse = sse_abs / n;
  mod.sigma2 = r.sse / (n - (k - 1));  // as R: n minus the estimated parameters other than sigma
  double lik = n * std::log(2 * M_PI * r.sse / n) + n + 2 * r.sumlog;  // -2 log L
  mod.loglik = -0.5 * lik;
  mod.aic = lik + 2 * k;
  mod.bic = lik + std::log(static_cast<double>(n)) * k;
  mod.aicc = mod.aic + 2.0 * k * (k + 1) / std::max(1, n - k - 1);
  return mod;
}

std::optional<EtsModel> select_ets(std::span<const double> y, int m, const EtsSelectOptions& opt) {
  std::optional<EtsModel> best;
  for (char e : opt.error) {
    for (char t : opt.trend) {
      for (char s : opt.season) {
        if (s != 'N' && m < 2) continue;
        if (e == 'A' && s == 'M') continue;  // infinite variance (R: restrict = TRUE)
        EtsSpec sp;
        sp.error = e;
        sp.trend = t == 'D' ? 'A' : t;
        sp.damped = t == 'D';
        sp.season = s;
        sp.m = s == 'N' ? 1 : m;
        auto fit = fit_ets(y, sp, opt.fit);
        if (fit && (!best || fit->aicc < best->aicc)) best = std::move(fit);
      }
    }
  }
  return best;
}

Forecast ets_forecast(const EtsModel& mod, int h, int paths) {
  const EtsSpec& sp = mod.spec;
  const bool trend = sp.trend != 'N';
  const bool seasonal = sp.season != 'N';
  const int m = seasonal ? sp.m : 1;
  Forecast f;
  f.model = sp.name();
  f.mean.resize(h);
  double phih = 0, phipow = 1;
  for (int i = 0; i < h; ++i) {
    phipow *= mod.phi;
    phih += phipow;
    double T = mod.level + (trend ? (sp.damped ? phih : i + 1.0) * mod.slope : 0.0);
    double s = seasonal ? mod.season[i % m] : (sp.season == 'M' ? 1.0 : 0.0);
    f.mean[i] = sp.season == 'M' ? T * s : T + s;
  }
  f.sd.resize(h);
  if (sp.linear()) {
    double acc = 0, phij = 0, pp = 1;
    for (int i = 0; i < h; ++i) {
      f.sd[i] = std::sqrt(mod.sigma2 * (1 + acc));
      int j = i + 1;
      pp *= mod.phi;
      phij += pp;
      double c = mod.alpha;
      if (trend) c += mod.beta * (sp.damped ? phij : static_cast<double>(j));
      if (seasonal && j % m == 0) c += mod.gamma;
      acc += c * c;
    }
    return f;
  }
  // Non-linear classes: simulate sample paths from the final state.
  detail::Rng rng(0x5eedULL);
  const double sigma = std::sqrt(mod.sigma2);
  f.sims.assign(h, std::vector<double>(paths));
  std::vector<double> season(m);
  Params p;
  p.alpha = mod.alpha;
  p.beta = mod.beta;
  p.gamma = mod.gamma;
  p.phi = mod.phi;
  const double phi = sp.damped ? mod.phi : 1.0;
  for (int path = 0; path < paths; ++path) {
    double l = mod.level, b = mod.slope;
    if (seasonal) std::copy(mod.season.begin(), mod.season.end(), season.begin());
    for (int i = 0; i < h; ++i) {
      double T = l + phi * b;
      int pos = i % m;
      double s = seasonal ? season[pos] : (sp.season == 'M' ? 1.0 : 0.0);
      double mu = sp.season == 'M' ? T * s : T + s;
      double z = rng.normal() * sigma;
      double e = sp.error == 'M' ? mu * z : z;
      f.sims[i][path] = mu + e;
      if (sp.season == 'M') {
        l = T + p.alpha * e / s;
        b = phi * b + p.beta * e / s;
        season[pos] = s + p.gamma * e / T;
      } else {
        l = T + p.alpha * e;
        b = phi * b + p.beta * e;
        if (seasonal) season[pos] = s + p.gamma * e;
      }
    }
  }
  for (int i = 0; i < h; ++i) {
    auto& v = f.sims[i];
    double mu = 0, ss = 0;
    for (double x : v) mu += x / paths;
    for (double x : v) ss += (x - mu) * (x - mu);
    f.sd[i] = std::sqrt(ss / std::max(1, paths - 1));
    std::sort(v.begin(), v.end());
  }
  return f;
}

}  // namespace lepton::forecast
