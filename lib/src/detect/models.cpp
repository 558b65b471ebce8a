#include "models.h"

#include <algorithm>
#include <cstring>

#include "lepton/detect/state.h"

namespace lepton::detect::detail {

void PhaseClock::observe(double ts) {
  if (steps_ >= kSizingSteps || !std::isfinite(ts)) return;
  if (std::isfinite(last_ts_) && ts > last_ts_) {
    double d = ts - last_ts_;
    dt_ = steps_ == 0 ? d : std::min(dt_, d);
    if (++steps_ == kSizingSteps) {
      double per = period_ / dt_;
      buckets_ = per >= 4 ? static_cast<std::uint32_t>(std::min<double>(kMaxBuckets, std::round(per))) : 0;
    }
  }
  last_ts_ = ts;
}

std::uint32_t PhaseClock::bucket(double ts) const {
  // ts - floor(ts / period) * period: exact for Unix times, and much
  // cheaper than fmod.
  double ph = ts - std::floor(ts / period_) * period_;
  if (ph < 0) ph += period_;
  if (ph >= period_) ph -= period_;
  auto b = static_cast<std::uint32_t>(ph / period_ * buckets_);
  return std::min(b, buckets_ - 1);
}

void PhaseClock::save(StateWriter& w) const {
  w.f64(period_);
  w.f64(last_ts_);
  w.f64(dt_);
  w.u32(steps_);
  w.u32(buckets_);
}

void PhaseClock::load(StateReader& r) {
  if (r.f64() != period_) r.corrupt("season length differs");
  last_ts_ = r.f64();
  dt_ = r.f64();
  steps_ = r.u32();
  buckets_ = r.u32();
  if (buckets_ > kMaxBuckets || steps_ > kSizingSteps) r.corrupt("bad phase clock");
}

std::uint32_t SeasonalProfile::bucket_of(double ts) const {
  if (ts != cached_ts_) {
    cached_ts_ = ts;
    cached_bucket_ = clock_.bucket(ts);
  }
  return cached_bucket_;
}

bool SeasonalProfile::predict(double ts, double& expected, double& spread) const {
  if (n_ < 100 || mean_.empty() || !std::isfinite(ts)) return false;
  if (!(ts - first_ts_ >= clock_.period())) return false;  // within the first period a bucket is only a recent mean
  std::uint32_t b = bucket_of(ts);
  if (!seen_[b]) return false;
  expected = mean_[b];
  spread = std::max(1.2533 * mae_, spread_floor(expected));  // MAE -> standard deviation for normal errors
  return true;
}

void SeasonalProfile::update(double ts, double x) {
  if (!std::isfinite(ts)) return;
  clock_.observe(ts);
  if (std::isnan(first_ts_)) first_ts_ = ts;
  ++m_;
  if (clock_.buckets() == 0) return;
  if (mean_.empty()) {
    mean_.assign(clock_.buckets(), 0.0f);
    seen_.assign(clock_.buckets(), 0);
    cached_ts_ = std::nan("");
  }
  std::uint32_t b = bucket_of(ts);
  if (!seen_[b]) {
    mean_[b] = static_cast<float>(x);
    seen_[b] = 1;
    return;
  }
  double r = x - mean_[b];
  // In the first period a bucket is learned as a plain mean, and its error
  // says nothing about seasonality yet.
  const bool first_period = ts - first_ts_ < clock_.period();
  if (!first_period) {
    ++n_;
    double a_err = std::max(0.01, 1.0 / static_cast<double>(n_));
    mae_ += a_err * (std::fabs(r) - mae_);
    double ro = x - plain_mean_;
    plain_mae_ += a_err * (std::fabs(ro) - plain_mae_);
    plain_mean_ += a_err * ro;
  }
  double a = 1.0 / (seen_[b] + 1.0);
  if (!first_period) a = std::max(0.2, a);
  mean_[b] = static_cast<float>(mean_[b] + a * r);
  if (seen_[b] < 255) ++seen_[b];
}

void SeasonalProfile::save(StateWriter& w) const {
  clock_.save(w);
  w.u64(mean_.size());
  for (std::size_t i = 0; i < mean_.size(); ++i) {
    float f = mean_[i];
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    w.u32(bits);
    w.u32(seen_[i]);
  }
  w.f64(mae_);
  w.f64(plain_mae_);
  w.f64(plain_mean_);
  w.f64(first_ts_);
  w.u64(n_);
  w.u64(m_);
}

void SeasonalProfile::load(StateReader& r) {
  clock_.load(r);
  cached_ts_ = std::nan("");
  std::uint64_t n = r.count(8);
  if (n != 0 && n != clock_.buckets()) r.corrupt("seasonal bucket count differs");
  mean_.assign(n, 0.0f);
  seen_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits = r.u32();
    std::memcpy(&mean_[i], &bits, 4);
    std::uint32_t s = r.u32();
    if (s > 255) r.corrupt("bad seasonal count");
    seen_[i] = static_cast<std::uint8_t>(s);
  }
  mae_ = r.f64();
  plain_mae_ = r.f64();
  plain_mean_ = r.f64();
  first_ts_ = r.f64();
  n_ = r.u64();
  m_ = r.u64();
}

namespace {
// Smoothing constants of the online Holt-Winters: fairly reactive level,
// slow damped trend, a season that settles over a few periods.
constexpr double kAlpha = 0.3, kBeta = 0.05, kPhi = 0.95, kGamma = 0.2, kErr = 0.02;
}  // namespace

HoltWinters::HoltWinters(double period) : seasonal_(period > 0), clock_(period > 0 ? period : 1.0) {}

double HoltWinters::forecast(double ts) const {
  double s = 0;
  if (!season_.empty() && std::isfinite(ts)) {
    std::uint32_t b = clock_.bucket(ts);
    if (seen_[b]) s = season_[b];
  }
  return level_ + kPhi * trend_ + s;
}

void HoltWinters::update(double ts, double x) {
  if (seasonal_) {
    clock_.observe(ts);
    if (season_.empty() && clock_.buckets() > 0) {
      season_.assign(clock_.buckets(), 0.0f);
      seen_.assign(clock_.buckets(), 0);
    }
  }
  if (n_ == 0) {
    level_ = x;
    ++n_;
    return;
  }
  double f = forecast(ts);
  double e = x - f;
  ++n_;
  mae_ += std::max(kErr, 1.0 / static_cast<double>(n_ - 1)) * (std::fabs(e) - mae_);
  double s_old = 0;
  std::uint32_t b = 0;
  bool has_bucket = !season_.empty() && std::isfinite(ts);
  if (has_bucket) {
    b = clock_.bucket(ts);
    if (seen_[b]) s_old = season_[b];
  }
  double level = kAlpha * (x - s_old) + (1 - kAlpha) * (level_ + kPhi * trend_);
  trend_ = kBeta * (level - level_) + (1 - kBeta) * kPhi * trend_;
  level_ = level;
  if (has_bucket) {
    season_[b] = static_cast<float>(seen_[b] ? kGamma * (x - level_) + (1 - kGamma) * s_old : x - level_);
    seen_[b] = 1;
  }
}

void HoltWinters::save(StateWriter& w) const {
  w.u8(seasonal_);
  clock_.save(w);
  w.f64(level_);
  w.f64(trend_);
  w.f64(mae_);
  w.u64(n_);
  w.u64(season_.size());
  for (std::size_t i = 0; i < season_.size(); ++i) {
    float f = season_[i];
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    w.u32(bits);
    w.u8(seen_[i]);
  }
}

void HoltWinters::load(StateReader& r) {
  if (r.u8() != static_cast<std::uint8_t>(seasonal_)) r.corrupt("forecast season differs");
  clock_.load(r);
  level_ = r.f64();
  trend_ = r.f64();
  mae_ = r.f64();
  n_ = r.u64();
  std::uint64_t n = r.count(5);
  if (n != 0 && n != clock_.buckets()) r.corrupt("forecast bucket count differs");
  season_.assign(n, 0.0f);
  seen_.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits = r.u32();
    std::memcpy(&season_[i], &bits, 4);
    seen_[i] = r.u8() ? 1 : 0;
  }
}

}  // namespace lepton::detect::detail
