// Building blocks shared by the detectors (internal to lepton_detect).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "lepton/detect/detector.h"
#include "lepton/detect/stats.h"

namespace lepton::detect::detail {

/// A spread that is never zero, so that a constant series does not divide
/// by zero; tiny next to any real spread of values of that size.
inline double spread_floor(double level) { return 1e-9 * (1.0 + std::fabs(level)); }

/// Maps timestamps to phase buckets of a period (a day, a week, --season).
/// The bucket width is the sampling interval, estimated as the smallest
/// positive step among the first kSizingSteps steps, with at most
/// kMaxBuckets buckets per period; periods shorter than 4 intervals are
/// unusable.
class PhaseClock {
 public:
  static constexpr std::uint32_t kMaxBuckets = 288;
  static constexpr std::uint32_t kSizingSteps = 8;
  explicit PhaseClock(double period) : period_(period) {}
  /// Feeds the timestamp of the next value (NaN is ignored).
  void observe(double ts);
  /// Buckets per period: 0 while sizing or if unusable.
  std::uint32_t buckets() const { return buckets_; }
  std::uint32_t bucket(double ts) const;
  double period() const { return period_; }
  void save(StateWriter& w) const;
  void load(StateReader& r);

 private:
  double period_;
  double last_ts_ = std::nan("");
  double dt_ = 0;
  std::uint32_t steps_ = 0;
  std::uint32_t buckets_ = 0;
};

/// Per-phase baseline of one period: the value expected at a phase is an
/// exponentially weighted mean of the values at that phase in earlier
/// periods; the spread is the mean absolute error pooled over all phases.
/// Also tracks the error of a plain running mean, so callers can tell
/// whether the season explains anything.
class SeasonalProfile {
 public:
  explicit SeasonalProfile(double period = 86400.0) : clock_(period) {}
  /// Whether the profile can predict the value at `ts`.
  bool predict(double ts, double& expected, double& spread) const;
  /// Learns the value at `ts`.
  void update(double ts, double x);
  double seasonal_mae() const { return mae_; }
  double plain_mae() const { return plain_mae_; }
  std::uint64_t count() const { return n_; }
  double period() const { return clock_.period(); }
  void save(StateWriter& w) const;
  void load(StateReader& r);
  /// Cache hint: the bucket of the last value and the next one.
  void prefetch() const {
    if (mean_.empty()) return;
    __builtin_prefetch(mean_.data() + cached_bucket_);
    __builtin_prefetch(seen_.data() + cached_bucket_);
  }

 private:
  std::uint32_t bucket_of(double ts) const;
  PhaseClock clock_;
  std::vector<float> mean_;
  std::vector<std::uint8_t> seen_;           // values seen per bucket, saturating
  mutable double cached_ts_ = std::nan("");  // predict and update of one value share the bucket
  mutable std::uint32_t cached_bucket_ = 0;
  double mae_ = 0, plain_mae_ = 0, plain_mean_ = 0;
  double first_ts_ = std::nan("");  // a phase is only predicted from earlier periods
  std::uint64_t n_ = 0;             // values scored against a seen bucket
  std::uint64_t m_ = 0;             // values seen
};

/// Online additive Holt-Winters with a damped trend and a phase-bucketed
/// season, giving one-step-ahead forecasts and the running mean absolute
/// error. Implemented here rather than taken from lepton-forecast so that
/// detection stays online and independent of that library's batch fitting;
/// the two may be unified later.
class HoltWinters {
 public:
  explicit HoltWinters(double period);  // period <= 0: no season (damped Holt)
  bool ready() const { return n_ >= 10; }
  double forecast(double ts) const;
  double mae() const { return mae_; }
  void update(double ts, double x);
  void save(StateWriter& w) const;
  void load(StateReader& r);

 private:
  bool seasonal_ = false;
  PhaseClock clock_;
  double level_ = 0, trend_ = 0, mae_ = 0;
  std::vector<float> season_;
  std::vector<std::uint8_t> seen_;
  std::uint64_t n_ = 0;
};

/// Tuning of the default ensemble (one fixed configuration for every series).
struct EnsembleParams {
  std::uint32_t median_long = 100;   ///< window of the main median/MAD view
  std::uint32_t median_short = 30;   ///< window of the short median/MAD view
  std::uint32_t range_block = 100;   ///< block size of the long-range view
  std::uint32_t range_blocks = 50;   ///< blocks of the long-range view (5000 values)
  std::uint32_t pattern_length = 8;  ///< values in a pattern (0: no pattern view)
  std::uint32_t pattern_lags = 32;   ///< how far back patterns are compared
  bool seasonal = true;              ///< seasonal view (season auto or given)
  double season_gate = 0.3;          ///< use a season only if it cuts the error below this fraction
  Calibrator::Params calibration{};  ///< per-view calibration
  double nats_floor = 15.0;          ///< reference floor of the probabilistic views
  double range_cap = 1.3;            ///< range view ratio at most range_cap + step / range_step
  double range_step = 2.0;           ///< (IQRs)
  std::uint32_t dedup = 30;          ///< report an incident again only if it beats the last N records
  std::uint32_t warmup = 100;        ///< values before the range and pattern views speak
  double scale_alpha = 0.01;         ///< smoothing of the scale of range and pattern views (0: none)
  double half_ratio = 2.0;           ///< calibrated ratio that scores 0.5
};

/// The default ensemble with explicit tuning (the bench and tests use this).
std::unique_ptr<Detector> make_ensemble(const EnsembleParams& p, double season, double band);

}  // namespace lepton::detect::detail
