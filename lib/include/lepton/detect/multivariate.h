// Multivariate detection: the metrics of one entity (e.g. one host) at the
// same tick form a vector, scored by its Mahalanobis distance from an
// exponentially weighted mean under an exponentially weighted covariance.
#pragma once

#include <cstdint>

#include <Eigen/Dense>

#include "lepton/detect/detector.h"

namespace lepton::detect {

class StateWriter;
class StateReader;

/// A running mean and covariance of k-vectors and the Mahalanobis distance
/// of new vectors. Memory k + k^2 doubles; work O(k^3) per vector (k is
/// small: the metrics of one entity, at most kMaxDims).
class MahalanobisModel {
 public:
  static constexpr int kMaxDims = 64;
  /// `alpha` weighs a new vector; the first max(2k + 2, 1 / alpha) vectors are
  /// averaged plainly, and no vector is scored before 2k + 2 have been seen.
  explicit MahalanobisModel(int dims, double alpha = 0.01);
  int dims() const { return static_cast<int>(mean_.size()); }
  std::uint64_t count() const { return n_; }
  /// The squared distance of x, its surprise (chi-square tail) and the
  /// per-dimension standard deviations, before learning x; then learns x.
  /// Returns false (and learns) while warming up.
  bool update(const Eigen::VectorXd& x, double& d2, double& surprise);
  const Eigen::VectorXd& mean() const { return mean_; }
  double stddev(int i) const;
  void save(StateWriter& w) const;
  void load(StateReader& r);

 private:
  double alpha_;
  Eigen::VectorXd mean_;
  Eigen::MatrixXd cov_;
  std::uint64_t n_ = 0;
};

}  // namespace lepton::detect
