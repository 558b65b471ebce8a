#include "lepton/detect/stats.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "lepton/detect/state.h"

namespace lepton::detect {

double normal_surprise(double z) {
  double x = std::fabs(z) / std::sqrt(2.0);
  if (std::isnan(x)) return 0.0;
  if (x < 20.0) return -std::log(std::erfc(x));
  if (std::isinf(x)) return std::numeric_limits<double>::infinity();
  // erfc(x) ~ exp(-x^2) / (x sqrt(pi)) (1 - 1/(2x^2) + 3/(4x^4)) where erfc underflows.
  double x2 = x * x;
  return x2 + std::log(x * std::sqrt(M_PI)) - std::log1p(-0.5 / x2 + 0.75 / (x2 * x2));
}

namespace {
// ln of the regularised lower incomplete gamma P(a, x) and upper Q(a, x),
// by the series for x < a + 1 and Lentz's continued fraction otherwise.
// Returns ln P when want_lower, else ln Q.
double log_incomplete_gamma(double a, double x, bool want_lower) {
  if (x <= 0) return want_lower ? -std::numeric_limits<double>::infinity() : 0.0;
  const double log_front = -x + a * std::log(x) - std::lgamma(a);
  if (x < a + 1) {
    double term = 1.0 / a, sum = term, ap = a;
    for (int n = 0; n < 100000; ++n) {
      ap += 1;
      term *= x / ap;
      sum += term;
      if (term < sum * 1e-16) break;
    }
    double log_p = log_front + std::log(sum);
    if (want_lower) return log_p;
    double p = std::exp(log_p);
    return p < 1 ? std::log1p(-p) : -std::numeric_limits<double>::infinity();
  }
  const double tiny = 1e-300;
  double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1 / d;
    double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-16) break;
  }
  double log_q = log_front + std::log(h);
  if (!want_lower) return log_q;
  double q = std::exp(log_q);
  return q < 1 ? std::log1p(-q) : -std::numeric_limits<double>::infinity();
}
}  // namespace

double poisson_surprise(double c, double mu) {
  if (!(c > 0) || std::isnan(mu)) return 0.0;
  if (!(mu > 0)) return std::numeric_limits<double>::infinity();
  // P(X >= c) = P(c, mu), the regularised lower incomplete gamma at integer c.
  double s = -log_incomplete_gamma(std::ceil(c), mu, true);
  return s > 0 ? s : 0.0;
}

double chi2_surprise(double x, double k) {
  if (!(x > 0) || !(k > 0)) return 0.0;
  if (std::isinf(x)) return std::numeric_limits<double>::infinity();
  double s = -log_incomplete_gamma(k / 2, x / 2, false);
  return s > 0 ? s : 0.0;
}

double fast_normal_surprise(double z) {
  // -ln erfc(x), x = |z| / sqrt 2, with erfc(x) ~ t P(t) exp(-x^2),
  // t = 1 / (1 + p x) (Abramowitz and Stegun 7.1.26).
  double x = std::fabs(z) * 0.70710678118654752;
  if (!(x < 1e150)) return std::isnan(z) ? 0.0 : std::numeric_limits<double>::infinity();
  double t = 1.0 / (1.0 + 0.3275911 * x);
  double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  double s = x * x - std::log(poly);
  return s > 0 ? s : 0.0;
}

double surprise_to_sigma(double s) {
  if (!(s > 0)) return 0.0;
  if (std::isinf(s)) return std::numeric_limits<double>::infinity();
  double lo = 0, hi = 1;
  while (normal_surprise(hi) < s && hi < 1e300) hi *= 2;
  for (int i = 0; i < 80; ++i) {
    double mid = 0.5 * (lo + hi);
    (normal_surprise(mid) < s ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

void EwStats::save(StateWriter& w) const {
  w.f64(alpha_);
  w.f64(mean_);
  w.f64(var_);
  w.u64(n_);
}

void EwStats::load(StateReader& r) {
  alpha_ = r.f64();
  mean_ = r.f64();
  var_ = r.f64();
  n_ = r.u64();
}

RollingWindow::RollingWindow(std::size_t capacity) : buf_(std::max<std::size_t>(capacity, 1), 0.0) {}

void RollingWindow::add(double x) {
  if (size_ == buf_.size()) {
    double old = buf_[head_];
    sum_ -= old;
    sumsq_ -= old * old;
  } else {
    ++size_;
  }
  buf_[head_] = x;
  head_ = head_ + 1 == buf_.size() ? 0 : head_ + 1;
  sum_ += x;
  sumsq_ += x * x;
  if (++since_resum_ >= buf_.size()) {
    // Subtracting old values accumulates rounding error; start afresh.
    since_resum_ = 0;
    sum_ = sumsq_ = 0;
    for (std::size_t i = 0; i < size_; ++i) {
      double v = newest(i);
      sum_ += v;
      sumsq_ += v * v;
    }
  }
}

double RollingWindow::variance() const {
  if (size_ < 2) return 0.0;
  double n = static_cast<double>(size_);
  double m = sum_ / n;
  double v = sumsq_ / n - m * m;
  return v > 0 ? v : 0.0;
}

double RollingWindow::newest(std::size_t i) const {
  std::size_t idx = (head_ + buf_.size() - 1 - i) % buf_.size();
  return buf_[idx];
}

void RollingWindow::save(StateWriter& w) const {
  w.u64(buf_.size());
  w.u64(size_);
  for (std::size_t i = size_; i-- > 0;) w.f64(newest(i));  // oldest first
  w.u64(since_resum_);
  w.f64(sum_);
  w.f64(sumsq_);
}

void RollingWindow::load(StateReader& r) {
  std::uint64_t cap = r.count(0);
  std::uint64_t size = r.count(8);
  if (cap != buf_.size() || size > cap) r.corrupt("rolling window size differs");
  std::fill(buf_.begin(), buf_.end(), 0.0);
  size_ = size;
  for (std::size_t i = 0; i < size_; ++i) buf_[i] = r.f64();
  head_ = size_ % buf_.size();
  since_resum_ = r.u64();
  sum_ = r.f64();
  sumsq_ = r.f64();
}

RollingMedian::RollingMedian(std::size_t capacity) : ring_(std::max<std::size_t>(capacity, 1), 0.0) {
  sorted_.reserve(ring_.size());
}

void RollingMedian::add(double x) {
  if (std::isnan(x)) return;  // a NaN would break the sorted order
  if (size_ == ring_.size()) {
    // Replace the oldest value in place: shift only the values between the
    // old and the new position by one (one move instead of erase + insert).
    double old = ring_[head_];
    double* a = sorted_.data();
    std::size_t from =
        static_cast<std::size_t>(std::lower_bound(a, a + size_, old) - a);  // present: inserted on arrival
    if (x >= old) {
      std::size_t to = static_cast<std::size_t>(std::upper_bound(a + from, a + size_, x) - a) - 1;
      std::memmove(a + from, a + from + 1, (to - from) * sizeof(double));
      a[to] = x;
    } else {
      std::size_t to = static_cast<std::size_t>(std::upper_bound(a, a + from, x) - a);
      std::memmove(a + to + 1, a + to, (from - to) * sizeof(double));
      a[to] = x;
    }
  } else {
    ++size_;
    sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), x), x);
  }
  ring_[head_] = x;
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
}

double RollingMedian::median() const {
  if (size_ == 0) return 0.0;
  std::size_t h = size_ / 2;
  return size_ % 2 ? sorted_[h] : 0.5 * (sorted_[h - 1] + sorted_[h]);
}

double RollingMedian::quantile(double q) const {
  if (size_ == 0) return 0.0;
  double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(size_ - 1);
  auto i = static_cast<std::size_t>(pos);
  if (i + 1 >= size_) return sorted_[size_ - 1];
  double f = pos - static_cast<double>(i);
  return sorted_[i] + f * (sorted_[i + 1] - sorted_[i]);
}

// The k-th and (k+1)-th smallest (0-based) of |x - m| over the window. The
// deviations of the lower half, read from the middle outwards, and of the
// upper half are two ascending runs; one binary search for the split of the
// first k + 1 elements of their merge gives both order statistics.
void RollingMedian::kth_deviations(std::size_t k, double m, double& kth, double& next) const {
  const std::size_t half = size_ / 2;
  const std::size_t na = half, nb = size_ - half;
  const double* s = sorted_.data();
  auto a = [&](std::size_t i) { return m - s[half - 1 - i]; };
  auto b = [&](std::size_t j) { return s[half + j] - m; };
  std::size_t lo = k + 1 > nb ? k + 1 - nb : 0;
  std::size_t hi = std::min(k + 1, na);
  while (lo < hi) {
    std::size_t i = (lo + hi) / 2;
    std::size_t j = k + 1 - i;
    if (a(i) < b(j - 1))
      lo = i + 1;
    else
      hi = i;
  }
  const std::size_t i = lo, j = k + 1 - lo;
  const double inf = std::numeric_limits<double>::infinity();
  kth = std::max(i > 0 ? a(i - 1) : -inf, j > 0 ? b(j - 1) : -inf);
  next = std::min(i < na ? a(i) : inf, j < nb ? b(j) : inf);
}

double RollingMedian::mad() const {
  if (size_ < 2) return 0.0;
  double m = median();
  std::size_t h = size_ / 2;
  double kth, next;
  if (size_ % 2) {
    kth_deviations(h, m, kth, next);
    return kth;
  }
  kth_deviations(h - 1, m, kth, next);
  return 0.5 * (kth + next);
}

void RollingMedian::save(StateWriter& w) const {
  w.u64(ring_.size());
  w.u64(size_);
  for (std::size_t i = 0; i < size_; ++i) {
    std::size_t idx = (head_ + ring_.size() - size_ + i) % ring_.size();  // oldest first
    w.f64(ring_[idx]);
  }
}

void RollingMedian::load(StateReader& r) {
  std::uint64_t cap = r.count(0);
  std::uint64_t size = r.count(8);
  if (cap != ring_.size() || size > cap) r.corrupt("rolling median size differs");
  std::fill(ring_.begin(), ring_.end(), 0.0);
  sorted_.clear();
  sorted_.reserve(cap);
  size_ = 0;
  head_ = 0;
  for (std::uint64_t i = 0; i < size; ++i) {
    double v = r.f64();
    if (std::isnan(v)) r.corrupt("NaN in a rolling median");
    add(v);
  }
}

Calibrator::Calibrator(const Params& p) : p_(p) {
  if (p_.block == 0) p_.block = 1;
  p_.blocks = std::clamp<std::uint32_t>(p_.blocks, 1, kMaxBlocks);
}

double Calibrator::reference() const { return std::max({cur_max_, done_max_, p_.floor}); }

double Calibrator::ratio(double s) {
  if (!(s >= 0)) s = 0;  // NaN or negative: nothing surprising
  double base = reference();
  double r = 0;
  if (n_ >= p_.learn) {
    if (base > 0)
      r = s / base;
    else
      r = s > 0 ? std::numeric_limits<double>::infinity() : 0.0;  // first change after a constant stretch
  }
  // Values enter clipped once learning is over (the first values set the bar
  // freely: a young series' first novelties are not alarms).
  double add = s;
  if (n_ >= p_.learn && base > 0) add = std::min(s, base * p_.clip);
  cur_max_ = std::max(cur_max_, add);
  if (++in_block_ == p_.block) {
    ring_[head_] = static_cast<float>(std::min(cur_max_, 3e38));
    head_ = head_ + 1 == p_.blocks ? 0 : head_ + 1;
    cur_max_ = 0;
    in_block_ = 0;
    done_max_ = *std::max_element(ring_, ring_ + p_.blocks);
  }
  ++n_;
  return r;
}

void Calibrator::save(StateWriter& w) const {
  w.u64(p_.blocks);
  for (std::uint32_t i = 0; i < p_.blocks; ++i) w.f32(ring_[i]);
  w.f64(done_max_);
  w.f64(cur_max_);
  w.u32(in_block_);
  w.u32(head_);
  w.u64(n_);
}

void Calibrator::load(StateReader& r) {
  std::uint64_t n = r.count(4);
  if (n != p_.blocks) r.corrupt("calibrator size differs");
  for (std::uint32_t i = 0; i < p_.blocks; ++i) ring_[i] = r.f32();
  done_max_ = r.f64();
  cur_max_ = r.f64();
  in_block_ = r.u32();
  head_ = r.u32();
  n_ = r.u64();
  if (in_block_ >= p_.block || head_ >= p_.blocks) r.corrupt("calibrator position out of range");
}

}  // namespace lepton::detect
