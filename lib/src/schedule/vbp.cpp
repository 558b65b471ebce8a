// Vector bin packing: constructive heuristics, lower bounds, local search.
#include "lepton/schedule/vbp.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

#include "schedule/rng.h"

namespace lepton::schedule {
namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Instance data prepared once: fit limits, relative sizes and weights.
struct Prepared {
  std::size_t n = 0, d = 0;
  const double* s = nullptr;     // raw sizes n x d
  std::vector<double> limit;     // capacity * (1 + tolerance)
  std::vector<double> cap;       // capacity
  std::vector<double> rel;       // sizes / capacity, n x d
  std::vector<double> demand_w;  // per dimension: average relative demand (sums to 1 unless all zero)
  std::vector<double> weight;    // per item: sum of relative sizes (the local search's measure)

  explicit Prepared(const VbpInstance& in) : n(in.items()), d(in.dims), s(in.sizes.data()) {
    limit.resize(d);
    cap.resize(d);
    for (std::size_t k = 0; k < d; ++k) {
      cap[k] = in.capacity[k];
      limit[k] = in.capacity[k] * (1 + kFitTolerance);
    }
    rel.resize(n * d);
    demand_w.assign(d, 0.0);
    weight.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < d; ++k) {
        double x = s[i * d + k] / cap[k];
        rel[i * d + k] = x;
        demand_w[k] += x;
        weight[i] += x;
      }
    double total = std::accumulate(demand_w.begin(), demand_w.end(), 0.0);
    for (auto& w : demand_w) w = total > 0 ? w / total : 1.0 / static_cast<double>(d);
  }

  const double* size(std::size_t i) const { return s + i * d; }
  const double* rsize(std::size_t i) const { return rel.data() + i * d; }

  bool fits(const double* load, std::size_t i) const {
    const double* x = size(i);
    for (std::size_t k = 0; k < d; ++k)
      if (load[k] + x[k] > limit[k]) return false;
    return true;
  }
};

// Item order for the item-centric heuristics: decreasing measure, ties by index.
std::vector<std::uint32_t> decreasing_order(const Prepared& p, VbpHeuristic h) {
  std::vector<double> key(p.n);
  for (std::size_t i = 0; i < p.n; ++i) {
    const double* x = p.rsize(i);
    double v = 0;
    switch (h) {
      case VbpHeuristic::kFfdMax:
        for (std::size_t k = 0; k < p.d; ++k) v = std::max(v, x[k]);
        break;
      case VbpHeuristic::kFfdNorm:
        for (std::size_t k = 0; k < p.d; ++k) v += x[k] * x[k];
        break;
      case VbpHeuristic::kFfdWeighted:
      case VbpHeuristic::kBfdWeighted:
        for (std::size_t k = 0; k < p.d; ++k) v += p.demand_w[k] * x[k];
        break;
      default:
        for (std::size_t k = 0; k < p.d; ++k) v += x[k];
        break;
    }
    key[i] = v;
  }
  std::vector<std::uint32_t> order(p.n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return key[a] > key[b]; });
  return order;
}

std::vector<std::uint32_t> first_fit(const Prepared& p, const std::vector<std::uint32_t>& order) {
  std::vector<std::uint32_t> bin_of(p.n, kNone);
  std::vector<double> loads;
  std::size_t m = 0;
  for (auto i : order) {
    std::size_t b = 0;
    for (; b < m; ++b)
      if (p.fits(loads.data() + b * p.d, i)) break;
    if (b == m) {
      loads.resize((++m) * p.d, 0.0);
    }
    double* load = loads.data() + b * p.d;
    const double* x = p.size(i);
    for (std::size_t k = 0; k < p.d; ++k) load[k] += x[k];
    bin_of[i] = static_cast<std::uint32_t>(b);
  }
  return bin_of;
}

// Best fit: the bin that is fullest (weighted relative load) after placing.
std::vector<std::uint32_t> best_fit(const Prepared& p, const std::vector<std::uint32_t>& order,
                                    const std::vector<double>& w) {
  std::vector<std::uint32_t> bin_of(p.n, kNone);
  std::vector<double> loads;
  std::vector<double> fill;  // weighted relative load per bin
  std::size_t m = 0;
  for (auto i : order) {
    std::size_t best = m;
    double best_fill = -1;
    for (std::size_t b = 0; b < m; ++b)
      if (fill[b] > best_fill && p.fits(loads.data() + b * p.d, i)) {
        best = b;
        best_fill = fill[b];
      }
    if (best == m) {
      loads.resize((++m) * p.d, 0.0);
      fill.push_back(0.0);
    }
    double* load = loads.data() + best * p.d;
    const double* x = p.size(i);
    const double* r = p.rsize(i);
    for (std::size_t k = 0; k < p.d; ++k) {
      load[k] += x[k];
      fill[best] += w[k] * r[k];
    }
    bin_of[i] = static_cast<std::uint32_t>(best);
  }
  return bin_of;
}

// Bin-centric filling: open a bin, add the best-scoring item that fits until
// none fits. Items that stop fitting the current bin never fit it again, so
// the candidate list only shrinks while one bin is filled.
std::vector<std::uint32_t> bin_centric(const Prepared& p, bool dot, const std::vector<double>& w) {
  std::vector<std::uint32_t> bin_of(p.n, kNone);
  // Candidates start in decreasing weighted size so ties go to larger items.
  std::vector<std::uint32_t> remaining(p.n);
  std::iota(remaining.begin(), remaining.end(), 0u);
  {
    std::vector<double> key(p.n, 0.0);
    for (std::size_t i = 0; i < p.n; ++i)
      for (std::size_t k = 0; k < p.d; ++k) key[i] += w[k] * p.rsize(i)[k];
    std::stable_sort(remaining.begin(), remaining.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return key[a] > key[b]; });
  }
  std::vector<double> load(p.d), res(p.d);
  std::vector<std::uint32_t> cand;
  std::uint32_t bin = 0;
  while (!remaining.empty()) {
    std::fill(load.begin(), load.end(), 0.0);
    std::fill(res.begin(), res.end(), 1.0);
    cand = remaining;
    for (;;) {
      std::size_t out = 0;
      std::size_t best = kNone;
      double best_score = -std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < cand.size(); ++c) {
        auto i = cand[c];
        if (!p.fits(load.data(), i)) continue;
        const double* r = p.rsize(i);
        double score = 0;
        if (dot) {
          for (std::size_t k = 0; k < p.d; ++k) score += w[k] * r[k] * res[k];
        } else {
          for (std::size_t k = 0; k < p.d; ++k) {
            double left = res[k] - r[k];
            score -= w[k] * left * left;
          }
        }
        if (score > best_score) {
          best_score = score;
          best = out;
        }
        cand[out++] = i;
      }
      cand.resize(out);
      if (best == kNone) break;
      auto i = cand[best];
      cand.erase(cand.begin() + static_cast<std::ptrdiff_t>(best));
      bin_of[i] = bin;
      const double* x = p.size(i);
      const double* r = p.rsize(i);
      for (std::size_t k = 0; k < p.d; ++k) {
        load[k] += x[k];
        res[k] -= r[k];
      }
    }
    std::erase_if(remaining, [&](std::uint32_t i) { return bin_of[i] != kNone; });
    ++bin;
  }
  return bin_of;
}

std::vector<std::uint32_t> run_heuristic(const Prepared& p, VbpHeuristic h) {
  std::vector<double> uniform(p.d, 1.0);
  switch (h) {
    case VbpHeuristic::kFfdSum:
    case VbpHeuristic::kFfdWeighted:
    case VbpHeuristic::kFfdMax:
    case VbpHeuristic::kFfdNorm:
      return first_fit(p, decreasing_order(p, h));
    case VbpHeuristic::kBfdSum:
      return best_fit(p, decreasing_order(p, h), uniform);
    case VbpHeuristic::kBfdWeighted:
      return best_fit(p, decreasing_order(p, h), p.demand_w);
    case VbpHeuristic::kDotProduct:
      return bin_centric(p, true, uniform);
    case VbpHeuristic::kDotWeighted:
      return bin_centric(p, true, p.demand_w);
    case VbpHeuristic::kNormResidual:
      return bin_centric(p, false, uniform);
    case VbpHeuristic::kNormWeighted:
      return bin_centric(p, false, p.demand_w);
  }
  return {};
}

// Martello-Toth L2 bound of one dimension taken alone (sizes and capacity in
// that dimension): for every threshold a <= C/2, items > C-a need a bin each,
// items in (C/2, C-a] too, and items in [a, C/2] fill what those leave.
std::uint32_t martello_toth_l2(std::vector<double> v, double cap) {
  std::sort(v.begin(), v.end());  // ascending
  const std::size_t n = v.size();
  std::vector<double> prefix(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + v[i];
  const double half = cap / 2;
  // Index of the first size > x, and of the first size >= x.
  auto above = [&](double x) { return static_cast<std::size_t>(std::upper_bound(v.begin(), v.end(), x) - v.begin()); };
  auto at_least = [&](double x) {
    return static_cast<std::size_t>(std::lower_bound(v.begin(), v.end(), x) - v.begin());
  };
  const std::size_t big = above(half);  // sizes > C/2 start here
  std::uint32_t best = 0;
  for (std::size_t t = 0; t <= big; ++t) {
    // Thresholds: 0 and every distinct size <= C/2.
    if (t > 1 && v[t - 1] == v[t - 2]) continue;
    double a = t == 0 ? 0.0 : v[t - 1];
    std::size_t j1_from = above(cap - a);
    std::size_t j1 = n - j1_from;
    std::size_t j2 = j1_from > big ? j1_from - big : 0;
    double sum2 = prefix[j1_from] - prefix[std::min(big, j1_from)];
    std::size_t from3 = at_least(a);
    double sum3 = from3 < big ? prefix[big] - prefix[from3] : 0.0;
    double free2 = static_cast<double>(j2) * cap - sum2;
    double extra = std::ceil((sum3 - free2) / cap - 1e-9);
    auto lb = static_cast<std::uint32_t>(j1 + j2) + (extra > 0 ? static_cast<std::uint32_t>(extra) : 0);
    best = std::max(best, lb);
  }
  return best;
}

std::uint32_t volume_bound(const Prepared& p, const std::vector<char>& skip) {
  double best = 0;
  for (std::size_t k = 0; k < p.d; ++k) {
    double sum = 0;
    for (std::size_t i = 0; i < p.n; ++i)
      if (!skip[i]) sum += p.rsize(i)[k];
    best = std::max(best, std::ceil(sum - 1e-9));
  }
  return static_cast<std::uint32_t>(best);
}

std::uint32_t lower_bound(const Prepared& p) {
  if (p.n == 0) return 0;
  std::vector<char> skip(p.n, 0);
  std::uint32_t lb = volume_bound(p, skip);
  // Items that cannot share a bin with any other item. Partners are tried
  // smallest first, which finds a partner at once for most items.
  std::vector<std::uint32_t> by_size(p.n);
  std::iota(by_size.begin(), by_size.end(), 0u);
  std::sort(by_size.begin(), by_size.end(),
            [&](std::uint32_t a, std::uint32_t b) { return p.weight[a] < p.weight[b]; });
  std::vector<double> smallest(p.d, std::numeric_limits<double>::infinity());
  for (std::size_t i = 0; i < p.n; ++i)
    for (std::size_t k = 0; k < p.d; ++k) smallest[k] = std::min(smallest[k], p.size(i)[k]);
  std::uint32_t alone = 0;
  for (std::size_t i = 0; i < p.n; ++i) {
    const double* a = p.size(i);
    bool pairs = true;
    for (std::size_t k = 0; k < p.d && pairs; ++k) pairs = a[k] + smallest[k] <= p.limit[k];
    if (pairs) {
      pairs = false;
      for (std::size_t t = 0; t < p.n && !pairs; ++t) {
        auto j = by_size[t];
        if (j == i) continue;
        const double* b = p.size(j);
        std::size_t k = 0;
        while (k < p.d && a[k] + b[k] <= p.limit[k]) ++k;
        pairs = k == p.d;
      }
    }
    if (!pairs) {
      skip[i] = 1;
      ++alone;
    }
  }
  if (alone) lb = std::max(lb, alone + volume_bound(p, skip));
  std::vector<double> column(p.n);
  for (std::size_t k = 0; k < p.d; ++k) {
    for (std::size_t i = 0; i < p.n; ++i) column[i] = p.size(i)[k];
    lb = std::max(lb, martello_toth_l2(column, p.cap[k]));
  }
  return std::max<std::uint32_t>(lb, 1);
}

// Renumbers bins 0..m-1 in order of first use; returns m.
std::uint32_t compact_bins(std::vector<std::uint32_t>& bin_of) {
  std::vector<std::uint32_t> map;
  std::uint32_t m = 0;
  for (auto& b : bin_of) {
    if (b >= map.size()) map.resize(b + 1, kNone);
    if (map[b] == kNone) map[b] = m++;
    b = map[b];
  }
  return m;
}

// Local search for one bin fewer: from a packing into m bins, the lightest
// bin is dissolved into the others, which makes some of them overloaded, and
// a tabu search then moves or swaps items between bins to bring the total
// relative overload sum_b sum_d max(0, load_bd - C_d) / C_d down to zero.
// Each step takes an item of a random overloaded bin and applies its best
// relocation or swap with any other item; an item may not return to the bin
// it just left for a few steps unless that gives a new best overload.
// Reaching zero gives a feasible packing with one bin fewer; the search then
// starts again from it, until the lower bound or the budget is reached.
class LocalSearch {
 public:
  LocalSearch(const Prepared& p, const VbpOptions& o, double deadline, std::uint32_t lb)
      : p_(p), rng_(o.seed), deadline_(deadline), lb_(lb) {
    max_moves_ = o.max_moves ? o.max_moves : 20000 + 100 * static_cast<std::uint64_t>(p.n);
    where_.assign(p.n, kNone);
    tabu_bin_.assign(p.n, kNone);
    tabu_until_.assign(p.n, 0);
    base_b_.resize(p.d);
    base_c_.resize(p.d);
    tmp_.resize(p.d);
    inv_cap_.resize(p.d);
    for (std::size_t k = 0; k < p.d; ++k) inv_cap_[k] = 1.0 / p.cap[k];
  }

  std::uint64_t moves() const { return moves_; }
  bool stopped_by_time() const { return by_time_; }

  // Improves `best` (bin_of with `m` bins) in place; returns the bin count.
  std::uint32_t run(std::vector<std::uint32_t>& best, std::uint32_t m) {
    while (m > lb_ && !out_of_budget()) {
      load(best, m);
      dissolve_lightest();
      if (!repair()) break;
      best = where_;
      m = compact_bins(best);
    }
    return m;
  }

 private:
  // sum_k max(0, base_k + sign * add_k) / C_k, without branches.
  double excess(const double* base, const double* add, int sign) {
    double* t = tmp_.data();
    if (add) {
      const double sg = sign;
      for (std::size_t k = 0; k < p_.d; ++k) t[k] = std::max(0.0, base[k] + sg * add[k]) * inv_cap_[k];
    } else {
      for (std::size_t k = 0; k < p_.d; ++k) t[k] = std::max(0.0, base[k]) * inv_cap_[k];
    }
    double sum = 0;
    for (std::size_t k = 0; k < p_.d; ++k) sum += t[k];
    return sum;
  }

  double overload(const double* l) const {
    double ov = 0;
    for (std::size_t k = 0; k < p_.d; ++k)
      if (l[k] > p_.limit[k]) ov += (l[k] - p_.limit[k]) / p_.cap[k];
    return ov;
  }
  // Overload of bin b's load plus `plus` minus `minus` (either may be null).
  double overload_with(std::uint32_t b, const double* plus, const double* minus) {
    const double* l = &loads_[b * p_.d];
    double ov = 0;
    for (std::size_t k = 0; k < p_.d; ++k) {
      double v = l[k] + (plus ? plus[k] : 0.0) - (minus ? minus[k] : 0.0);
      if (v > p_.limit[k]) ov += (v - p_.limit[k]) / p_.cap[k];
    }
    return ov;
  }

  void load(const std::vector<std::uint32_t>& bin_of, std::uint32_t m) {
    bins_.assign(m, {});
    loads_.assign(static_cast<std::size_t>(m) * p_.d, 0.0);
    bin_weight_.assign(m, 0.0);
    ov_.assign(m, 0.0);
    for (std::size_t i = 0; i < p_.n; ++i) add(static_cast<std::uint32_t>(i), bin_of[i]);
    total_ov_ = 0;
    for (auto& t : tabu_until_) t = 0;
    for (auto& t : tabu_bin_) t = kNone;
  }

  void add(std::uint32_t i, std::uint32_t b) {
    where_[i] = b;
    bins_[b].push_back(i);
    double* l = &loads_[b * p_.d];
    const double* x = p_.size(i);
    for (std::size_t k = 0; k < p_.d; ++k) l[k] += x[k];
    bin_weight_[b] += p_.weight[i];
  }

  void take(std::uint32_t i) {
    auto b = where_[i];
    auto& v = bins_[b];
    v.erase(std::find(v.begin(), v.end(), i));
    double* l = &loads_[b * p_.d];
    const double* x = p_.size(i);
    for (std::size_t k = 0; k < p_.d; ++k) l[k] -= x[k];
    bin_weight_[b] -= p_.weight[i];
    if (v.empty()) {
      std::fill(l, l + p_.d, 0.0);  // no drift in empty bins
      bin_weight_[b] = 0;
    }
    where_[i] = kNone;
  }

  void refresh(std::uint32_t b) {
    total_ov_ -= ov_[b];
    ov_[b] = overload(&loads_[b * p_.d]);
    total_ov_ += ov_[b];
  }

  // Removes the lightest bin and puts each of its items where it adds the
  // least overload (the lightest such bin on ties).
  void dissolve_lightest() {
    std::uint32_t victim = 0;
    for (std::uint32_t b = 1; b < bins_.size(); ++b)
      if (bin_weight_[b] < bin_weight_[victim]) victim = b;
    std::vector<std::uint32_t> items = bins_[victim];
    for (auto i : items) take(i);
    auto last = static_cast<std::uint32_t>(bins_.size() - 1);
    if (victim != last) {
      for (auto i : bins_[last]) where_[i] = victim;
      bins_[victim] = std::move(bins_[last]);
      std::copy_n(&loads_[last * p_.d], p_.d, &loads_[victim * p_.d]);
      bin_weight_[victim] = bin_weight_[last];
    }
    bins_.pop_back();
    loads_.resize(bins_.size() * p_.d);
    bin_weight_.pop_back();
    ov_.assign(bins_.size(), 0.0);
    std::sort(items.begin(), items.end(),
              [&](std::uint32_t a, std::uint32_t b) { return p_.weight[a] > p_.weight[b]; });
    for (auto i : items) {
      std::uint32_t best = 0;
      double best_ov = std::numeric_limits<double>::infinity();
      for (std::uint32_t b = 0; b < bins_.size(); ++b) {
        double ov = overload_with(b, p_.size(i), nullptr) - ov_[b];
        if (ov < best_ov - 1e-12 || (ov < best_ov + 1e-12 && bin_weight_[b] < bin_weight_[best])) {
          best_ov = ov;
          best = b;
        }
      }
      add(i, best);
      ov_[best] = overload(&loads_[best * p_.d]);
    }
    total_ov_ = 0;
    for (auto v : ov_) total_ov_ += v;
  }

  bool out_of_budget() {
    if (moves_ >= max_moves_) return true;
    if ((++checks_ & 31) == 0 && detail::cpu_seconds() > deadline_) by_time_ = true;
    return by_time_;
  }

  bool tabu(std::uint32_t item, std::uint32_t bin, std::uint64_t iter) const {
    return tabu_bin_[item] == bin && tabu_until_[item] > iter;
  }

  bool repair() {
    std::vector<std::uint32_t> over;
    double best_total = total_ov_;
    std::uint64_t iter = 0;
    const std::uint32_t m = static_cast<std::uint32_t>(bins_.size());
    while (total_ov_ > 1e-12) {
      if (out_of_budget()) return false;
      over.clear();
      for (std::uint32_t b = 0; b < m; ++b)
        if (ov_[b] > 0) over.push_back(b);
      if (over.empty()) break;  // only rounding left
      std::uint32_t b = over[rng_.below(over.size())];
      std::uint32_t i = bins_[b][rng_.below(bins_[b].size())];
      const double* si = p_.size(i);
      // Part of every move: bin b without item i, as excess over the limit.
      const double* lb = &loads_[b * p_.d];
      for (std::size_t k = 0; k < p_.d; ++k) base_b_[k] = lb[k] - si[k] - p_.limit[k];
      double b_without = excess(base_b_.data(), nullptr, 0) - ov_[b];
      double best_delta = std::numeric_limits<double>::infinity();
      std::uint32_t best_c = kNone, best_j = kNone;
      for (std::uint32_t c = 0; c < m; ++c) {
        if (c == b) continue;
        bool i_tabu = tabu(i, c, iter);
        const double* lc = &loads_[c * p_.d];
        for (std::size_t k = 0; k < p_.d; ++k) base_c_[k] = lc[k] + si[k] - p_.limit[k];
        // Relocate i to c.
        double delta = b_without + excess(base_c_.data(), nullptr, 0) - ov_[c];
        double noise = rng_.unit() * 1e-9;
        if (delta + noise < best_delta && (!i_tabu || total_ov_ + delta < best_total - 1e-12)) {
          best_delta = delta + noise;
          best_c = c;
          best_j = kNone;
        }
        // Swap i with each item j of c; no swap can beat emptying both bins.
        if (-ov_[b] - ov_[c] + noise >= best_delta) continue;
        for (auto j : bins_[c]) {
          const double* sj = p_.size(j);
          double d2 = excess(base_b_.data(), sj, 1) + excess(base_c_.data(), sj, -1) - ov_[b] - ov_[c];
          if (d2 + noise >= best_delta) continue;
          bool is_tabu = i_tabu || tabu(j, b, iter);
          if (is_tabu && total_ov_ + d2 >= best_total - 1e-12) continue;
          best_delta = d2 + noise;
          best_c = c;
          best_j = j;
        }
      }
      if (best_c == kNone) {
        ++iter;
        continue;
      }
      std::uint64_t tenure = 5 + rng_.below(10);
      take(i);
      add(i, best_c);
      tabu_bin_[i] = b;
      tabu_until_[i] = iter + tenure;
      if (best_j != kNone) {
        take(best_j);
        add(best_j, b);
        tabu_bin_[best_j] = best_c;
        tabu_until_[best_j] = iter + tenure;
      }
      refresh(b);
      refresh(best_c);
      best_total = std::min(best_total, total_ov_);
      ++iter;
      ++moves_;
    }
    return true;
  }

  const Prepared& p_;
  detail::Rng rng_;
  double deadline_;
  std::uint32_t lb_;
  std::uint64_t max_moves_ = 0;
  std::uint64_t moves_ = 0;
  std::uint64_t checks_ = 0;
  bool by_time_ = false;
  std::vector<std::vector<std::uint32_t>> bins_;
  std::vector<double> loads_;
  std::vector<double> bin_weight_;
  std::vector<double> ov_;
  double total_ov_ = 0;
  std::vector<std::uint32_t> where_;
  std::vector<std::uint32_t> tabu_bin_;
  std::vector<std::uint64_t> tabu_until_;
  std::vector<double> base_b_, base_c_, tmp_, inv_cap_;  // per dimension, scratch
};

}  // namespace

const std::vector<VbpHeuristic>& all_vbp_heuristics() {
  static const std::vector<VbpHeuristic> all = {
      VbpHeuristic::kFfdSum,       VbpHeuristic::kFfdWeighted, VbpHeuristic::kFfdMax,     VbpHeuristic::kFfdNorm,
      VbpHeuristic::kBfdSum,       VbpHeuristic::kBfdWeighted, VbpHeuristic::kDotProduct, VbpHeuristic::kDotWeighted,
      VbpHeuristic::kNormResidual, VbpHeuristic::kNormWeighted};
  return all;
}

std::string_view heuristic_name(VbpHeuristic h) {
  switch (h) {
    case VbpHeuristic::kFfdSum:
      return "ffd-sum";
    case VbpHeuristic::kFfdWeighted:
      return "ffd-weighted";
    case VbpHeuristic::kFfdMax:
      return "ffd-max";
    case VbpHeuristic::kFfdNorm:
      return "ffd-norm";
    case VbpHeuristic::kBfdSum:
      return "bfd-sum";
    case VbpHeuristic::kBfdWeighted:
      return "bfd-weighted";
    case VbpHeuristic::kDotProduct:
      return "dot-product";
    case VbpHeuristic::kDotWeighted:
      return "dot-weighted";
    case VbpHeuristic::kNormResidual:
      return "norm-residual";
    case VbpHeuristic::kNormWeighted:
      return "norm-weighted";
  }
  return "?";
}

bool item_fits_empty_bin(const VbpInstance& in, std::size_t i) {
  const double* x = in.item(i);
  for (std::size_t k = 0; k < in.dims; ++k)
    if (!(x[k] >= 0) || x[k] > in.capacity[k] * (1 + kFitTolerance)) return false;
  return true;
}

std::uint32_t vbp_lower_bound(const VbpInstance& instance) {
  if (instance.items() == 0) return 0;
  return lower_bound(Prepared(instance));
}

std::vector<std::uint32_t> run_vbp_heuristic(const VbpInstance& instance, VbpHeuristic h) {
  Prepared p(instance);
  auto bin_of = run_heuristic(p, h);
  compact_bins(bin_of);
  return bin_of;
}

std::uint32_t count_bins(const std::vector<std::uint32_t>& bin_of) {
  std::vector<std::uint32_t> sorted(bin_of);
  std::sort(sorted.begin(), sorted.end());
  return static_cast<std::uint32_t>(std::unique(sorted.begin(), sorted.end()) - sorted.begin());
}

bool vbp_feasible(const VbpInstance& in, const std::vector<std::uint32_t>& bin_of, std::string* why) {
  const std::size_t n = in.items(), d = in.dims;
  if (bin_of.size() != n) {
    if (why) *why = fmt::format("{} assignments for {} items", bin_of.size(), n);
    return false;
  }
  std::vector<double> loads;
  for (std::size_t i = 0; i < n; ++i) {
    auto b = bin_of[i];
    if (b == kNone) {
      if (why) *why = fmt::format("item {} is not placed", i);
      return false;
    }
    if (loads.size() < (static_cast<std::size_t>(b) + 1) * d) loads.resize((static_cast<std::size_t>(b) + 1) * d, 0.0);
    for (std::size_t k = 0; k < d; ++k) loads[b * d + k] += in.item(i)[k];
  }
  for (std::size_t b = 0; b * d < loads.size(); ++b)
    for (std::size_t k = 0; k < d; ++k)
      if (loads[b * d + k] > in.capacity[k] * (1 + kFitTolerance)) {
        if (why) *why = fmt::format("bin {} holds {} > {} in dimension {}", b, loads[b * d + k], in.capacity[k], k);
        return false;
      }
  return true;
}

VbpSolution solve_vbp(const VbpInstance& instance, const VbpOptions& options) {
  const double start = detail::monotonic_seconds();
  const double cpu_start = detail::cpu_seconds();
  VbpSolution sol;
  const std::size_t n = instance.items();
  for (std::size_t i = 0; i < n; ++i)
    if (!item_fits_empty_bin(instance, i)) throw std::invalid_argument(fmt::format("item {} fits no bin", i));
  if (n == 0) return sol;
  Prepared p(instance);
  sol.lower_bound = lower_bound(p);
  // Bin-centric heuristics cost O(n^2 d); on larger instances run the four
  // that gave the best starts on the Panigrahy set and leave the rest of the
  // budget to the local search, which makes up the difference.
  static const std::vector<VbpHeuristic> large = {VbpHeuristic::kFfdSum, VbpHeuristic::kFfdNorm,
                                                  VbpHeuristic::kDotWeighted, VbpHeuristic::kNormWeighted};
  const auto& hs = !options.heuristics.empty() ? options.heuristics : n <= 200 ? all_vbp_heuristics() : large;
  for (auto h : hs) {
    auto bin_of = run_heuristic(p, h);
    auto m = compact_bins(bin_of);
    if (sol.bin_of.empty() || m < sol.bins) {
      sol.bin_of = std::move(bin_of);
      sol.bins = m;
      sol.heuristic = heuristic_name(h);
    }
    if (sol.bins == sol.lower_bound) break;
  }
  sol.start_bins = sol.bins;
  if (options.time_limit > 0 && sol.bins > sol.lower_bound) {
    LocalSearch ls(p, options, detail::cpu_seconds() + options.time_limit, sol.lower_bound);
    sol.bins = ls.run(sol.bin_of, sol.bins);
    sol.moves = ls.moves();
    sol.stopped_by_time = ls.stopped_by_time();
  }
  sol.seconds = detail::monotonic_seconds() - start;
  sol.cpu_seconds = detail::cpu_seconds() - cpu_start;
  return sol;
}

}  // namespace lepton::schedule
