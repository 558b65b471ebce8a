// Nelder-Mead minimisation with restarts, used to fit model parameters on
// an unconstrained (transformed) scale.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

namespace lepton::forecast::detail {

struct NelderMeadOptions {
  int max_evals = 2000;  ///< per run
  int restarts = 2;      ///< extra runs started from the best point so far
  double tol = 1e-8;     ///< relative spread of simplex values that ends a run
  double step = 0.5;     ///< initial simplex edge on the transformed scale
};

struct NelderMeadResult {
  std::vector<double> x;
  double value = 0;
  int evals = 0;
};

/// Minimises `f` from `x0`. Non-finite values of f count as +infinity, so an
/// objective may return NaN/inf for inadmissible points.
NelderMeadResult nelder_mead(const std::function<double(const std::vector<double>&)>& f, std::vector<double> x0,
                             const NelderMeadOptions& opt = {});

inline double logistic(double u) { return 1.0 / (1.0 + std::exp(-u)); }
inline double logit(double p) { return std::log(p / (1.0 - p)); }

}  // namespace lepton::forecast::detail
