#include "lepton/detect/multivariate.h"

#include <algorithm>
#include <cmath>

#include "lepton/detect/state.h"
#include "lepton/detect/stats.h"

namespace lepton::detect {

MahalanobisModel::MahalanobisModel(int dims, double alpha)
    : alpha_(alpha), mean_(Eigen::VectorXd::Zero(dims)), cov_(Eigen::MatrixXd::Zero(dims, dims)) {}

double MahalanobisModel::stddev(int i) const { return std::sqrt(std::max(cov_(i, i), 0.0)); }

bool MahalanobisModel::update(const Eigen::VectorXd& x, double& d2, double& surprise) {
  const int k = dims();
  const std::uint64_t warm = 2 * static_cast<std::uint64_t>(k) + 2;
  bool scored = false;
  d2 = 0;
  surprise = 0;
  if (n_ >= warm) {
    // Ridge proportional to the average variance keeps the covariance
    // invertible when metrics are constant or perfectly correlated.
    double ridge = 1e-6 * std::max(cov_.trace() / k, 1e-300) + 1e-300;
    Eigen::MatrixXd c = cov_;
    c.diagonal().array() += ridge;
    Eigen::LDLT<Eigen::MatrixXd> ldlt(c);
    Eigen::VectorXd d = x - mean_;
    d2 = d.dot(ldlt.solve(d));
    if (!std::isfinite(d2) || d2 < 0) d2 = std::isnan(d2) ? 0 : d2 < 0 ? 0 : d2;
    surprise = chi2_surprise(d2, k);
    scored = true;
  }
  ++n_;
  double a = std::max(alpha_, 1.0 / static_cast<double>(n_));
  Eigen::VectorXd d = x - mean_;
  mean_ += a * d;
  // West's weighted update of the covariance.
  cov_ = (1 - a) * (cov_ + a * d * d.transpose());
  return scored;
}

void MahalanobisModel::save(StateWriter& w) const {
  w.u32(static_cast<std::uint32_t>(dims()));
  w.f64(alpha_);
  w.u64(n_);
  for (int i = 0; i < dims(); ++i) w.f64(mean_(i));
  for (int i = 0; i < dims(); ++i)
    for (int j = 0; j < dims(); ++j) w.f64(cov_(i, j));
}

void MahalanobisModel::load(StateReader& r) {
  std::uint32_t k = r.u32();
  if (k == 0 || k > static_cast<std::uint32_t>(kMaxDims)) r.corrupt("bad vector size");
  if (r.remaining() < 16 + 8 * (k + static_cast<std::size_t>(k) * k)) r.corrupt("unexpected end of data");
  alpha_ = r.f64();
  n_ = r.u64();
  mean_.resize(k);
  cov_.resize(k, k);
  for (std::uint32_t i = 0; i < k; ++i) mean_(i) = r.f64();
  for (std::uint32_t i = 0; i < k; ++i)
    for (std::uint32_t j = 0; j < k; ++j) cov_(i, j) = r.f64();
}

}  // namespace lepton::detect
