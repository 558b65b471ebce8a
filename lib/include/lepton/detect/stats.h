// Online statistics that the detectors are built from. Every type here has a
// fixed size or a bounded window, does constant or logarithmic work per value
// and never allocates after construction.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace lepton::detect {

class StateWriter;
class StateReader;

/// -ln of the two-sided normal tail probability P(|Z| >= |z|): 0 at z = 0,
/// about 4.3 at 3 sigma and z^2 / 2 for large z. Accurate in the far tail
/// where erfc underflows.
double normal_surprise(double z);

/// -ln P(X >= c) for X ~ Poisson(mu): how surprising a count of at least c
/// is when mu is expected. 0 for c <= 0 or c <= mu-ish; exact in the far tail.
double poisson_surprise(double c, double mu);

/// -ln of the upper tail of a chi-square distribution with k degrees of
/// freedom at x (the surprise of a squared Mahalanobis distance).
double chi2_surprise(double x, double k);

/// A fast approximation of normal_surprise (one exp-free evaluation and one
/// log; within 0.5 nats everywhere and relatively exact far out), for hot
/// paths where only large surprises matter.
double fast_normal_surprise(double z);

/// The inverse: the |z| whose two-sided tail has surprise `s` (s >= 0).
double surprise_to_sigma(double s);

/// Maps a non-negative measure to [0, 1) as s / (s + half): `half` scores
/// 0.5, and resolution is kept far into the tail (unlike 1 - exp(-s)).
inline double squash(double s, double half) {
  if (!(s > 0)) return 0.0;
  if (std::isinf(s)) return 1.0;
  return s / (s + half);
}

/// Exponentially weighted mean and variance (West's update). `alpha` is the
/// weight of a new value; until 1 / alpha values have been seen the weight is
/// 1 / n, so early estimates are plain averages rather than biased to zero.
class EwStats {
 public:
  explicit EwStats(double alpha = 0.05) : alpha_(alpha) {}
  void add(double x) {
    ++n_;
    double a = alpha_ > 1.0 / static_cast<double>(n_) ? alpha_ : 1.0 / static_cast<double>(n_);
    double d = x - mean_;
    mean_ += a * d;
    var_ = (1 - a) * (var_ + a * d * d);
  }
  double mean() const { return mean_; }
  double variance() const { return var_; }
  double stddev() const { return std::sqrt(var_); }
  std::uint64_t count() const { return n_; }
  double alpha() const { return alpha_; }
  void save(StateWriter& w) const;
  void load(StateReader& r);

 private:
  double alpha_;
  double mean_ = 0;
  double var_ = 0;
  std::uint64_t n_ = 0;
};

/// The last `capacity` values with their running sum and sum of squares
/// (re-summed exactly every `capacity` additions so rounding cannot drift).
class RollingWindow {
 public:
  explicit RollingWindow(std::size_t capacity = 64);
  void add(double x);
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return buf_.size(); }
  bool full() const { return size_ == buf_.size(); }
  double mean() const { return size_ ? sum_ / static_cast<double>(size_) : 0.0; }
  /// Population variance (divides by n).
  double variance() const;
  double stddev() const { return std::sqrt(variance()); }
  /// The i-th newest value (0 = the last added); i < size().
  double newest(std::size_t i) const;
  void save(StateWriter& w) const;
  void load(StateReader& r);

 private:
  std::vector<double> buf_;
  std::size_t head_ = 0;  // next slot to write
  std::size_t size_ = 0;
  std::size_t since_resum_ = 0;
  double sum_ = 0;
  double sumsq_ = 0;
};

/// The last `capacity` values kept both in arrival order and sorted, for an
/// exact rolling median and median absolute deviation. Insertion and removal
/// move O(capacity) doubles with memmove; the MAD is found in O(log capacity)
/// by selecting from the two sorted runs of deviations on either side of the
/// median.
class RollingMedian {
 public:
  explicit RollingMedian(std::size_t capacity = 64);
  void add(double x);
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return ring_.size(); }
  double median() const;
  /// Median absolute deviation from the median (unscaled).
  double mad() const;
  /// The q-quantile (0..1) of the window by linear interpolation.
  double quantile(double q) const;
  void save(StateWriter& w) const;
  void load(StateReader& r);
  /// Cache hint for the next add() and queries.
  void prefetch() const {
    __builtin_prefetch(ring_.data() + head_);
    const char* c = reinterpret_cast<const char*>(sorted_.data());
    for (std::size_t i = 0; i < size_ * sizeof(double); i += 64) __builtin_prefetch(c + i);
  }

 private:
  void kth_deviations(std::size_t k, double m, double& kth, double& next) const;
  std::vector<double> ring_;
  std::vector<double> sorted_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// Turns raw surprises into ratios against the largest surprise of the
/// recent past, so that one threshold suits series of any noise level:
/// ratio = s / max(reference, floor), where the reference is the maximum over
/// the last `blocks` blocks of `block` values. A value enters the reference
/// clipped to `clip` times the reference, so one anomaly raises the bar only
/// a little and the next one soon after is still seen. The ratio is 0 for
/// the first `learn` values. Fixed size, kept inline (no allocation): at
/// most kMaxBlocks blocks, stored as floats.
class Calibrator {
 public:
  static constexpr std::uint32_t kMaxBlocks = 32;
  struct Params {
    std::uint32_t block = 100;
    std::uint32_t blocks = 20;
    double clip = 1.5;
    double floor = 0;
    std::uint32_t learn = 150;
  };
  explicit Calibrator(const Params& p);
  Calibrator() : Calibrator(Params{}) {}
  /// The ratio of `s` (>= 0) to the reference; then `s` enters the reference.
  double ratio(double s);
  /// The current reference (before the next value).
  double reference() const;
  void save(StateWriter& w) const;
  void load(StateReader& r);

 private:
  Params p_;
  float ring_[kMaxBlocks] = {};
  double done_max_ = 0;  // max over the completed blocks in ring_
  double cur_max_ = 0;   // max of the block being filled
  std::uint32_t in_block_ = 0;
  std::uint32_t head_ = 0;
  std::uint64_t n_ = 0;
};

}  // namespace lepton::detect
