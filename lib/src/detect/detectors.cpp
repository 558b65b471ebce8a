#include "lepton/detect/detector.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "lepton/detect/state.h"
#include "lepton/detect/stats.h"
#include "lepton/error.h"
#include "lepton/record.h"
#include "models.h"

namespace lepton::detect {

using detail::spread_floor;

std::string_view basis_text(Basis b) {
  switch (b) {
    case Basis::kNone:
      return "baseline";
    case Basis::kRecentMean:
      return "recent mean";
    case Basis::kRecentMedian:
      return "recent median";
    case Basis::kLongRange:
      return "long-term range";
    case Basis::kSeasonal:
      return "seasonal baseline";
    case Basis::kForecast:
      return "forecast";
    case Basis::kLevelShift:
      return "previous level";
    case Basis::kChangePoint:
      return "previous regime";
    case Basis::kPattern:
      return "usual patterns";
    case Basis::kCorrelation:
      return "usual relation between metrics";
    case Basis::kEventRate:
      return "usual event count";
    case Basis::kNewKey:
      return "known keys";
  }
  return "baseline";
}

double absolute_score(double surprise) {
  static const double kS4 = normal_surprise(4.0);
  return squash(surprise, kS4);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kDefaultHistory = 100;
constexpr double kDay = 86400.0, kWeek = 7 * 86400.0;

enum Tag : std::uint8_t { kZScore = 1, kEwma, kMad, kSeasonalTag, kForecastTag, kCusum, kBocpd, kEnsemble };

void expect_tag(StateReader& r, Tag t) {
  if (r.u8() != t) r.corrupt("detector kind differs");
}

// A normal-theory verdict: deviation z of x from `expected` with `spread`.
Verdict normal_verdict(double x, double expected, double spread, double band, Basis basis) {
  Verdict v;
  v.expected = expected;
  v.lo = expected - band * spread;
  v.hi = expected + band * spread;
  v.sigma = (x - expected) / spread;
  v.score = v.strength = absolute_score(normal_surprise(v.sigma));
  v.basis = basis;
  return v;
}

// --- zscore: mean and standard deviation of a sliding window ---------------
class ZScore final : public Detector {
 public:
  ZScore(std::size_t history, double band) : w_(history), band_(band) {}
  Verdict update(double, double x) override {
    Verdict v;
    if (w_.size() >= std::min<std::size_t>(10, w_.capacity())) {
      double m = w_.mean();
      v = normal_verdict(x, m, std::max(w_.stddev(), spread_floor(m)), band_, Basis::kRecentMean);
    }
    w_.add(x);
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kZScore);
    w_.save(w);
  }
  void load(StateReader& r) override {
    expect_tag(r, kZScore);
    std::size_t cap = w_.capacity();
    w_.load(r);
    if (w_.capacity() != cap) r.corrupt("window size differs");
  }

 private:
  RollingWindow w_;
  double band_;
};

// --- ewma: exponentially weighted mean and variance ------------------------
class Ewma final : public Detector {
 public:
  Ewma(std::size_t span, double band) : s_(2.0 / (static_cast<double>(span) + 1.0)), band_(band) {}
  Verdict update(double, double x) override {
    Verdict v;
    if (s_.count() >= 10) {
      double m = s_.mean();
      v = normal_verdict(x, m, std::max(s_.stddev(), spread_floor(m)), band_, Basis::kRecentMean);
    }
    s_.add(x);
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kEwma);
    s_.save(w);
  }
  void load(StateReader& r) override {
    expect_tag(r, kEwma);
    double a = s_.alpha();
    s_.load(r);
    if (s_.alpha() != a) r.corrupt("ewma span differs");
  }

 private:
  EwStats s_;
  double band_;
};

// --- mad: median and median absolute deviation of a sliding window --------
class Mad final : public Detector {
 public:
  Mad(std::size_t history, double band) : w_(history), band_(band) {}
  Verdict update(double, double x) override {
    Verdict v;
    if (w_.size() >= std::min<std::size_t>(10, w_.capacity())) {
      double m = w_.median();
      v = normal_verdict(x, m, std::max(1.4826 * w_.mad(), spread_floor(m)), band_, Basis::kRecentMedian);
    }
    w_.add(x);
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kMad);
    w_.save(w);
  }
  void load(StateReader& r) override {
    expect_tag(r, kMad);
    std::size_t cap = w_.capacity();
    w_.load(r);
    if (w_.capacity() != cap) r.corrupt("window size differs");
  }

 private:
  RollingMedian w_;
  double band_;
};

// Candidate seasons (a day and a week, or the one given) and the choice of
// the one that currently explains the series best, if any does.
class SeasonPicker {
 public:
  SeasonPicker(double season, double gate) : gate_(gate) {
    if (season > 0) {
      profiles_.emplace_back(season);
    } else if (season == 0) {
      profiles_.emplace_back(kDay);
      profiles_.emplace_back(kWeek);
    }
  }
  // The best profile predicting `ts`, or null if none beats the gate.
  const detail::SeasonalProfile* pick(double ts, double& expected, double& spread) const {
    const detail::SeasonalProfile* best = nullptr;
    for (const auto& p : profiles_) {
      double e, s;
      if (!p.predict(ts, e, s)) continue;
      if (!(p.seasonal_mae() < gate_ * p.plain_mae())) continue;
      if (best == nullptr || p.seasonal_mae() < best->seasonal_mae()) {
        best = &p;
        expected = e;
        spread = s;
      }
    }
    return best;
  }
  void update(double ts, double x) {
    for (auto& p : profiles_) p.update(ts, x);
  }
  void prefetch(int stage) const {
    if (stage == 0)
      prefetch_bytes(profiles_.data(), profiles_.size() * sizeof(detail::SeasonalProfile));
    else
      for (const auto& p : profiles_) p.prefetch();
  }
  bool empty() const { return profiles_.empty(); }
  void save(StateWriter& w) const {
    w.u64(profiles_.size());
    for (const auto& p : profiles_) p.save(w);
  }
  void load(StateReader& r) {
    if (r.count(8) != profiles_.size()) r.corrupt("number of seasons differs");
    for (auto& p : profiles_) p.load(r);
  }

 private:
  std::vector<detail::SeasonalProfile> profiles_;
  double gate_;
};

// --- seasonal: per-phase baseline, falling back to a running mean ----------
class Seasonal final : public Detector {
 public:
  Seasonal(double season, double band) : picker_(season, 1.0), band_(band) {}
  Verdict update(double ts, double x) override {
    Verdict v;
    double e, s;
    if (picker_.pick(ts, e, s)) {
      v = normal_verdict(x, e, s, band_, Basis::kSeasonal);
    } else if (plain_.count() >= 10) {
      double m = plain_.mean();
      v = normal_verdict(x, m, std::max(plain_.stddev(), spread_floor(m)), band_, Basis::kRecentMean);
    }
    picker_.update(ts, x);
    plain_.add(x);
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kSeasonalTag);
    picker_.save(w);
    plain_.save(w);
  }
  void load(StateReader& r) override {
    expect_tag(r, kSeasonalTag);
    picker_.load(r);
    plain_.load(r);
  }

 private:
  SeasonPicker picker_;
  EwStats plain_{0.02};
  double band_;
};

// --- forecast: one-step-ahead Holt-Winters residuals -----------------------
class Forecast final : public Detector {
 public:
  Forecast(double season, double band) : hw_(season == 0 ? kDay : season), band_(band) {}
  Verdict update(double ts, double x) override {
    Verdict v;
    if (hw_.ready()) {
      double f = hw_.forecast(ts);
      v = normal_verdict(x, f, std::max(1.2533 * hw_.mae(), spread_floor(f)), band_, Basis::kForecast);
    }
    hw_.update(ts, x);
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kForecastTag);
    hw_.save(w);
  }
  void load(StateReader& r) override {
    expect_tag(r, kForecastTag);
    hw_.load(r);
  }

 private:
  detail::HoltWinters hw_;
  double band_;
};

// Two-sided CUSUM of standardised residuals from a slow running mean. After
// an alarm the statistics restart from the new level.
class CusumCore {
 public:
  static constexpr double kSlack = 0.5, kAlarm = 5.0;
  // Updates with x and returns the CUSUM statistic in spreads (before reset).
  double step(double x, double& expected, double& spread, double& z) {
    double g = 0;
    expected = mean_;
    spread = std::max(1.2533 * mae_, spread_floor(mean_));
    z = 0;
    if (n_ >= 30) {
      z = (x - mean_) / spread;
      hi_ = std::max(0.0, hi_ + z - kSlack);
      lo_ = std::max(0.0, lo_ - z - kSlack);
      g = std::max(hi_, lo_);
    }
    ++n_;
    double a = std::max(0.01, 1.0 / static_cast<double>(n_));
    double r = x - mean_;
    mae_ += a * (std::fabs(r) - mae_);
    mean_ += a * r;
    if (g >= kAlarm) {
      // Alarm: restart from the new level, so one shift is reported once.
      hi_ = lo_ = 0;
      mean_ = x;
    }
    return g;
  }
  void save(StateWriter& w) const {
    w.f64(mean_);
    w.f64(mae_);
    w.f64(hi_);
    w.f64(lo_);
    w.u64(n_);
  }
  void load(StateReader& r) {
    mean_ = r.f64();
    mae_ = r.f64();
    hi_ = r.f64();
    lo_ = r.f64();
    n_ = r.u64();
  }

 private:
  double mean_ = 0, mae_ = 0, hi_ = 0, lo_ = 0;
  std::uint64_t n_ = 0;
};

class Cusum final : public Detector {
 public:
  explicit Cusum(double band) : band_(band) {}
  Verdict update(double, double x) override {
    double e, s, z;
    double g = core_.step(x, e, s, z);
    Verdict v;
    v.expected = e;
    v.lo = e - band_ * s;
    v.hi = e + band_ * s;
    v.sigma = z;
    v.score = v.strength = squash(g, CusumCore::kAlarm);
    v.basis = Basis::kLevelShift;
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kCusum);
    core_.save(w);
  }
  void load(StateReader& r) override {
    expect_tag(r, kCusum);
    core_.load(r);
  }

 private:
  CusumCore core_;
  double band_;
};

// --- bocpd: Bayesian online change-point detection (Adams & MacKay 2007) ---
// Normal data with unknown mean and variance (Normal-Gamma prior) on values
// standardised by a slow running mean and deviation; a constant hazard; the
// run-length distribution truncated at kRuns hypotheses (the longest one
// absorbs the mass of longer runs), so memory and work per value are fixed.
class Bocpd final : public Detector {
 public:
  static constexpr std::size_t kRuns = 100;
  static constexpr double kHazard = 1.0 / 200;
  static constexpr std::size_t kRecent = 5;  // a change within this many values counts
  explicit Bocpd(double band) : band_(band) {
    p_.assign(kRuns, 0.0);
    mu_.assign(kRuns, 0.0);
    kappa_.assign(kRuns, 1.0);
    alpha_.assign(kRuns, 1.0);
    beta_.assign(kRuns, 1.0);
    next_ = p_;
    p_[0] = 1.0;
  }
  Verdict update(double, double x) override {
    Verdict v;
    double sd = std::max(std::sqrt(norm_.variance()), spread_floor(norm_.mean()));
    if (norm_.count() >= 10) {
      double z = (x - norm_.mean()) / sd;
      step(z);
      double recent = 0;
      for (std::size_t r = 0; r < kRecent; ++r) recent += p_[r];
      // Under a stable regime the recent mass is about kRecent * hazard.
      double base = kRecent * kHazard;
      v.score = v.strength = std::clamp((recent - base) / (1 - base), 0.0, 1.0);
      std::size_t map = static_cast<std::size_t>(std::max_element(p_.begin(), p_.end()) - p_.begin());
      v.expected = norm_.mean() + sd * mu_[map];
      v.lo = v.expected - band_ * sd;
      v.hi = v.expected + band_ * sd;
      v.sigma = z;
      v.basis = Basis::kChangePoint;
    }
    norm_.add(x);
    return v;
  }
  void save(StateWriter& w) const override {
    w.u8(kBocpd);
    norm_.save(w);
    for (std::size_t r = 0; r < kRuns; ++r) {
      w.f64(p_[r]);
      w.f64(mu_[r]);
      w.f64(kappa_[r]);
      w.f64(alpha_[r]);
      w.f64(beta_[r]);
    }
  }
  void load(StateReader& r) override {
    expect_tag(r, kBocpd);
    norm_.load(r);
    for (std::size_t i = 0; i < kRuns; ++i) {
      p_[i] = r.f64();
      mu_[i] = r.f64();
      kappa_[i] = r.f64();
      alpha_[i] = r.f64();
      beta_[i] = r.f64();
      if (!(kappa_[i] > 0 && alpha_[i] > 0 && beta_[i] > 0)) r.corrupt("bad change-point state");
    }
  }

 private:
  // Student-t predictive log density of z under run r's posterior.
  double log_predictive(std::size_t r, double z) const {
    double nu = 2 * alpha_[r];
    double scale2 = beta_[r] * (kappa_[r] + 1) / (alpha_[r] * kappa_[r]);
    double d = (z - mu_[r]);
    return std::lgamma((nu + 1) / 2) - std::lgamma(nu / 2) - 0.5 * std::log(nu * M_PI * scale2) -
           (nu + 1) / 2 * std::log1p(d * d / (nu * scale2));
  }
  void step(double z) {
    double cp = 0, total = 0;
    std::fill(next_.begin(), next_.end(), 0.0);
    for (std::size_t r = 0; r < kRuns; ++r) {
      if (p_[r] == 0) continue;
      double pr = p_[r] * std::exp(log_predictive(r, z));
      cp += pr * kHazard;
      next_[std::min(r + 1, kRuns - 1)] += pr * (1 - kHazard);
    }
    next_[0] = cp;
    for (double q : next_) total += q;
    if (!(total > 0) || !std::isfinite(total)) {
      // Nothing explains z (numerically): start a new run.
      std::fill(next_.begin(), next_.end(), 0.0);
      next_[0] = total = 1.0;
    }
    for (std::size_t r = 0; r < kRuns; ++r) p_[r] = next_[r] / total;
    // Posterior parameters: run r+1 continues run r; the longest run keeps
    // accumulating; run 0 restarts from the prior.
    for (std::size_t r = kRuns - 1; r > 0; --r) {
      std::size_t from = r == kRuns - 1 ? r : r - 1;
      if (r == kRuns - 1 && p_[r] == 0) from = r - 1;
      double k = kappa_[from], m = mu_[from];
      beta_[r] = beta_[from] + k * (z - m) * (z - m) / (2 * (k + 1));
      mu_[r] = (k * m + z) / (k + 1);
      kappa_[r] = k + 1;
      alpha_[r] = alpha_[from] + 0.5;
    }
    mu_[0] = 0;
    kappa_[0] = 1;
    alpha_[0] = 1;
    beta_[0] = 1;
  }

  EwStats norm_{0.01};
  std::vector<double> p_, next_, mu_, kappa_, alpha_, beta_;
  double band_;
};

// Distance from the latest `length` values to the nearest earlier stretch
// of the same length within `lags` values, as RMS difference. dist_[lag]
// holds the squared distance to the stretch `lag` values back and is updated
// incrementally (add the newest difference, drop the oldest); it is re-summed
// exactly every 1024 values so rounding cannot drift. Values are kept as
// floats relative to the series' first value (patterns need differences, not
// magnitudes), which halves the memory every update walks. The ring is
// written downwards and stores each value twice (at i and i + cap), so "k
// values back" is base[k] for every k <= cap and the steady-state loop runs
// over contiguous memory four lanes at a time.
class PatternMemory {
 public:
  PatternMemory(std::uint32_t length, std::uint32_t lags) : m_(length), lags_(lags) {
    if (length > 0) {
      ring_.assign(2 * (static_cast<std::size_t>(lags) + length + 1), 0.0f);
      dist_.assign(static_cast<std::size_t>(lags) + 1, 0.0f);
    }
  }
  bool enabled() const { return m_ > 0; }
  std::uint64_t count() const { return n_; }

  double step(double x) {
    const std::size_t m = m_, lags = lags_, cap = ring_.size() / 2;
    if (n_ == 0) offset_ = x;
    const float xf = static_cast<float>(x - offset_);
    const std::size_t pos = cap - 1 - n_ % cap;
    ring_[pos] = ring_[pos + cap] = xf;
    ++n_;
    const float* base = ring_.data() + pos;  // base[k]: the value k steps back
    const std::size_t max_lag = std::min<std::size_t>(lags, n_ - 1);
    if (max_lag < m) return 0;
    float* dist = dist_.data();
    if ((n_ & 1023) == 0) {
      for (std::size_t lag = m; lag <= max_lag; ++lag) {
        double d = 0;
        for (std::size_t j = 0; j < m && j + lag < n_; ++j) {
          double e = static_cast<double>(base[j]) - base[j + lag];
          d += e * e;
        }
        dist[lag] = static_cast<float>(d);
      }
    } else if (n_ > m + max_lag) {
      // Steady state: every lag has a full stretch to drop its oldest term from.
      typedef float v4 __attribute__((vector_size(16)));
      const float old = base[m];
      const v4 vx = {xf, xf, xf, xf}, vold = {old, old, old, old}, zero = {0, 0, 0, 0};
      v4 vmin = {HUGE_VALF, HUGE_VALF, HUGE_VALF, HUGE_VALF};
      std::size_t lag = m;
      for (; lag + 3 <= max_lag; lag += 4) {
        v4 now_lag, old_lag, d;
        std::memcpy(&now_lag, base + lag, sizeof now_lag);
        std::memcpy(&old_lag, base + m + lag, sizeof old_lag);
        std::memcpy(&d, dist + lag, sizeof d);
        v4 a = vx - now_lag, b = vold - old_lag;
        d = d + a * a - b * b;
        d = d > zero ? d : zero;
        std::memcpy(dist + lag, &d, sizeof d);
        vmin = d < vmin ? d : vmin;
      }
      float best = std::min(std::min(vmin[0], vmin[1]), std::min(vmin[2], vmin[3]));
      for (; lag <= max_lag; ++lag) {
        float a = xf - base[lag], b = old - base[m + lag];
        float d = std::max(dist[lag] + a * a - b * b, 0.0f);
        dist[lag] = d;
        best = std::min(best, d);
      }
      if (n_ < m + 50) return 0;
      return std::sqrt(static_cast<double>(best) / static_cast<double>(m));
    } else {
      for (std::size_t lag = m; lag <= max_lag; ++lag) {
        float a = xf - base[lag];
        float d = dist[lag] + a * a;
        if (n_ > m + lag) {
          float b = base[m] - base[m + lag];
          d -= b * b;
        }
        dist[lag] = std::max(d, 0.0f);
      }
    }
    if (n_ < m + 50) return 0;
    // Stretches that are complete: lag + m <= n_.
    const std::size_t last = std::min(max_lag, static_cast<std::size_t>(n_ - m));
    float best = HUGE_VALF;
    for (std::size_t lag = m; lag <= last; ++lag) best = std::min(best, dist[lag]);
    if (!std::isfinite(best)) return 0;
    return std::sqrt(static_cast<double>(best) / static_cast<double>(m));
  }

  void prefetch() const {
    if (ring_.empty()) return;
    const std::size_t cap = ring_.size() / 2, pos = cap - 1 - n_ % cap;  // where step() writes next
    prefetch_bytes(ring_.data() + (pos > 0 ? pos - 1 : 0), (m_ + lags_ + 2) * sizeof(float));
    prefetch_bytes(dist_.data(), dist_.size() * sizeof(float));
  }

  void save(StateWriter& w) const {
    w.u64(ring_.size());
    for (float f : ring_) w.f32(f);
    for (float f : dist_) w.f32(f);
    w.u64(n_);
    w.f64(offset_);
  }
  void load(StateReader& r) {
    if (r.count(4) != ring_.size()) r.corrupt("pattern size differs");
    for (float& f : ring_) f = r.f32();
    for (float& f : dist_) f = r.f32();
    n_ = r.u64();
    offset_ = r.f64();
  }

 private:
  std::uint32_t m_, lags_;
  std::vector<float> ring_, dist_;
  std::uint64_t n_ = 0;
  double offset_ = 0;
};

// --- ensemble ---------------------------------------------------------------
// Several views of the series each give a raw surprise; each view's surprise
// is calibrated against that view's own recent history (Calibrator); the
// largest calibrated ratio decides. An incident is reported once: a record
// scores only if its ratio beats every ratio of the last `dedup` records.
class Ensemble final : public Detector {
 public:
  Ensemble(const detail::EnsembleParams& p, double season, double band)
      : p_(p),
        band_(band),
        long_(p.median_long),
        short_(p.median_short),
        blocks_(2 * std::max<std::uint32_t>(p.range_blocks, 1), 0.0),
        pattern_(p.pattern_length, p.pattern_lags),
        picker_(season, p.season_gate),
        recent_(std::max<std::uint32_t>(p.dedup, 1), 0.0) {
    Calibrator::Params nats = p.calibration;
    nats.floor = p.nats_floor;
    Calibrator::Params plain = p.calibration;
    plain.floor = 0;
    for (int i = 0; i < kViews; ++i) {
      cal_.emplace_back(i == kLong || i == kShort || i == kSeason ? nats : plain);
    }
    for (std::uint32_t i = 0; i < p.range_blocks; ++i) {
      blocks_[2 * i] = std::numeric_limits<double>::infinity();
      blocks_[2 * i + 1] = -std::numeric_limits<double>::infinity();
    }
  }

  Verdict update(double ts, double x) override {
    double raw[kViews] = {};
    const double med = long_.median();
    const double spread = std::max(1.4826 * long_.mad(), spread_floor(med));
    const bool warm = long_.size() >= 10;
    if (warm) {
      raw[kLong] = deviation((x - med) / spread);
      double ms = short_.median();
      raw[kShort] = deviation((x - ms) / std::max(1.4826 * short_.mad(), spread_floor(ms)));
    }
    // Range and pattern surprises are in IQRs; they start once the scale is
    // known, so that warm-up noise does not set their calibration bar.
    const bool settled = seen_ >= p_.warmup;
    double iqr = std::max(long_.quantile(0.75) - long_.quantile(0.25), spread_floor(med));
    if (p_.scale_alpha > 0 && settled) {
      // A slowly moving scale: the IQR of the recent window, smoothed.
      scale_ = scale_ > 0 ? scale_ + p_.scale_alpha * (iqr - scale_) : iqr;
      iqr = std::max(scale_, spread_floor(med));
    }
    if (settled) {
      double lo = std::min(cur_lo_, done_lo_), hi = std::max(cur_hi_, done_hi_);
      // How far beyond anything seen in the long history, in IQRs.
      if (x > hi) raw[kRange] = (x - hi) / iqr;
      if (x < lo) raw[kRange] = (lo - x) / iqr;
    }
    if (pattern_.enabled()) {
      double d = pattern_.step(x);
      if (settled) raw[kPattern] = d / iqr;
    }
    double s_exp = 0, s_spread = 0;
    bool seasonal = p_.seasonal && picker_.pick(ts, s_exp, s_spread);
    if (seasonal) raw[kSeason] = deviation((x - s_exp) / s_spread);

    double best = 0;
    int who = -1;
    for (int i = 0; i < kViews; ++i) {
      double r = cal_[i].ratio(raw[i]);
      // A small step past the long-term range after a quiet spell has an
      // unbounded ratio; cap it by the size of the step, so that only a clear
      // step scores high.
      if (i == kRange && p_.range_step > 0) r = std::min(r, p_.range_cap + raw[i] / p_.range_step);
      if (r > best) {
        best = r;
        who = i;
      }
    }
    const double prev = recent_max_;
    // The maximum of the last `dedup` ratios, rescanned only when the value
    // leaving the window was the maximum.
    double leaving = recent_[head_];
    recent_[head_] = best;
    head_ = head_ + 1 == recent_.size() ? 0 : head_ + 1;
    if (best >= recent_max_)
      recent_max_ = best;
    else if (leaving >= recent_max_)
      recent_max_ = *std::max_element(recent_.begin(), recent_.end());

    Verdict v;
    v.strength = squash(best, p_.half_ratio);
    v.score = best > prev ? v.strength : 0.0;
    if (seasonal) {
      v.expected = s_exp;
      v.lo = s_exp - band_ * s_spread;
      v.hi = s_exp + band_ * s_spread;
      v.sigma = (x - s_exp) / s_spread;
    } else if (warm) {
      v.expected = med;
      v.lo = med - band_ * spread;
      v.hi = med + band_ * spread;
      v.sigma = (x - med) / spread;
    }
    switch (who) {
      case kLong:
      case kShort:
        v.basis = Basis::kRecentMedian;
        break;
      case kRange:
        v.basis = Basis::kLongRange;
        break;
      case kPattern:
        v.basis = Basis::kPattern;
        break;
      case kSeason:
        v.basis = Basis::kSeasonal;
        break;
      default:
        v.basis = seasonal ? Basis::kSeasonal : Basis::kRecentMedian;
    }

    learn(ts, x);
    return v;
  }

  std::size_t object_bytes() const override { return sizeof *this; }
  void prefetch(int stage) const override {
    if (stage == 0) {
      long_.prefetch();
      short_.prefetch();
      if (pattern_.enabled()) pattern_.prefetch();
      if (p_.seasonal) picker_.prefetch(0);
      prefetch_bytes(cal_.data(), cal_.size() * sizeof(Calibrator));
      __builtin_prefetch(recent_.data() + head_);
    } else if (p_.seasonal) {
      picker_.prefetch(1);
    }
  }

  void save(StateWriter& w) const override {
    w.u8(kEnsemble);
    long_.save(w);
    short_.save(w);
    w.u64(blocks_.size());
    for (double b : blocks_) w.f64(b);
    w.f64(done_lo_);
    w.f64(done_hi_);
    w.f64(cur_lo_);
    w.f64(cur_hi_);
    w.u32(block_head_);
    w.u32(in_block_);
    w.u64(seen_);
    pattern_.save(w);
    picker_.save(w);
    for (const auto& c : cal_) c.save(w);
    w.u64(recent_.size());
    for (double d : recent_) w.f64(d);
    w.u32(head_);
    w.f64(recent_max_);
    w.f64(scale_);
  }

  void load(StateReader& r) override {
    expect_tag(r, kEnsemble);
    long_.load(r);
    short_.load(r);
    if (long_.capacity() != p_.median_long || short_.capacity() != p_.median_short) r.corrupt("window size differs");
    if (r.count(8) != blocks_.size()) r.corrupt("range size differs");
    for (double& b : blocks_) b = r.f64();
    done_lo_ = r.f64();
    done_hi_ = r.f64();
    cur_lo_ = r.f64();
    cur_hi_ = r.f64();
    block_head_ = r.u32();
    in_block_ = r.u32();
    seen_ = r.u64();
    if (block_head_ >= p_.range_blocks || in_block_ >= p_.range_block) r.corrupt("range position out of range");
    pattern_.load(r);
    picker_.load(r);
    for (auto& c : cal_) c.load(r);
    if (r.count(8) != recent_.size()) r.corrupt("dedup size differs");
    for (double& d : recent_) d = r.f64();
    head_ = r.u32();
    if (head_ >= recent_.size()) r.corrupt("dedup position out of range");
    recent_max_ = r.f64();
    scale_ = r.f64();
  }

 private:
  enum View { kLong, kShort, kRange, kPattern, kSeason, kViews };

  // The raw measure of the probabilistic views: the surprise in nats (its
  // quadratic growth separates large deviations better than |z| does).
  static double deviation(double z) { return fast_normal_surprise(z); }

  void learn(double ts, double x) {
    long_.add(x);
    short_.add(x);
    cur_lo_ = std::min(cur_lo_, x);
    cur_hi_ = std::max(cur_hi_, x);
    if (++in_block_ == p_.range_block) {
      blocks_[2 * block_head_] = cur_lo_;
      blocks_[2 * block_head_ + 1] = cur_hi_;
      block_head_ = block_head_ + 1 == p_.range_blocks ? 0 : block_head_ + 1;
      cur_lo_ = std::numeric_limits<double>::infinity();
      cur_hi_ = -std::numeric_limits<double>::infinity();
      in_block_ = 0;
      done_lo_ = std::numeric_limits<double>::infinity();
      done_hi_ = -std::numeric_limits<double>::infinity();
      for (std::uint32_t i = 0; i < p_.range_blocks; ++i) {
        done_lo_ = std::min(done_lo_, blocks_[2 * i]);
        done_hi_ = std::max(done_hi_, blocks_[2 * i + 1]);
      }
    }
    ++seen_;
    if (p_.seasonal) picker_.update(ts, x);
  }

  detail::EnsembleParams p_;
  double band_;
  RollingMedian long_, short_;
  std::vector<double> blocks_;  // per block: min, max
  double done_lo_ = std::numeric_limits<double>::infinity(), done_hi_ = -std::numeric_limits<double>::infinity();
  double cur_lo_ = std::numeric_limits<double>::infinity(), cur_hi_ = -std::numeric_limits<double>::infinity();
  std::uint32_t block_head_ = 0, in_block_ = 0;
  std::uint64_t seen_ = 0;
  PatternMemory pattern_;
  SeasonPicker picker_;
  std::vector<Calibrator> cal_;
  std::vector<double> recent_;
  std::uint32_t head_ = 0;
  double recent_max_ = 0;
  double scale_ = 0;
};

}  // namespace

namespace detail {
std::unique_ptr<Detector> make_ensemble(const EnsembleParams& p, double season, double band) {
  return std::make_unique<Ensemble>(p, season, band);
}
}  // namespace detail

const std::vector<std::string>& detector_names() {
  static const std::vector<std::string> names = {"ensemble", "zscore",   "ewma",  "mad",
                                                 "seasonal", "forecast", "cusum", "bocpd"};
  return names;
}

std::unique_ptr<Detector> make_detector(const DetectorOptions& o) {
  std::size_t h = o.history ? o.history : kDefaultHistory;
  if (h < 2 || h > 1000000) throw UsageError(fmt::format("--history must be between 2 and 1000000 values; got {}", h));
  if (!(o.band > 0) || !std::isfinite(o.band)) throw UsageError(fmt::format("--band must be positive; got {}", o.band));
  const std::string& n = o.name;
  if (o.patterns > 100000) throw UsageError(fmt::format("--patterns must be at most 100000; got {}", o.patterns));
  if (n == "ensemble") {
    detail::EnsembleParams p;
    if (o.history) p.median_long = static_cast<std::uint32_t>(h);
    if (o.patterns) p.pattern_lags = static_cast<std::uint32_t>(o.patterns);
    if (o.season < 0) p.seasonal = false;
    return detail::make_ensemble(p, o.season < 0 ? -1 : o.season, o.band);
  }
  if (n == "zscore") return std::make_unique<ZScore>(h, o.band);
  if (n == "ewma") return std::make_unique<Ewma>(h, o.band);
  if (n == "mad") return std::make_unique<Mad>(h, o.band);
  if (n == "seasonal") {
    if (o.season < 0) throw UsageError("the seasonal detector needs a season: --season DURATION or auto");
    return std::make_unique<Seasonal>(o.season, o.band);
  }
  if (n == "forecast") return std::make_unique<Forecast>(o.season, o.band);
  if (n == "cusum") return std::make_unique<Cusum>(o.band);
  if (n == "bocpd") return std::make_unique<Bocpd>(o.band);
  std::string all;
  for (const auto& d : detector_names()) all += (all.empty() ? "" : ", ") + d;
  throw UsageError(fmt::format("unknown detector '{}'; choose one of {}", n, all));
}

std::uint64_t fingerprint(const DetectorOptions& o) {
  std::string s = fmt::format("{}|{}|{}|{}|{}", o.name, o.history, o.season, o.band, o.patterns);
  return stable_hash(s);
}

}  // namespace lepton::detect
