// Constrained placement on a cluster: groups of identical nodes with
// segment trees of free capacity, objective-specific choice of node,
// preemption, move-budgeted rebalancing and local improvement.
#include "lepton/schedule/cluster.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/schedule/energy.h"
#include "lepton/schedule/vbp.h"
#include "schedule/rng.h"

namespace lepton::schedule {
namespace {

constexpr std::uint32_t kNo = 0xffffffffu;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int32_t kSpreadNone = -1;
constexpr std::int32_t kSpreadNode = -2;

struct Group {
  std::uint32_t record = 0;  // a node record with this spec
  std::vector<double> cap;   // per dimension
  std::vector<double> tol;   // fit tolerance per dimension
  std::vector<std::uint32_t> members;
  std::size_t leaves = 1;
  std::vector<double> tree;                          // (2 * leaves) x d: max free capacity in the subtree
  std::uint64_t open = 0;                            // members carrying replicas
  double size = 0;                                   // capacity relative to the largest node, summed over dimensions
  std::vector<std::int32_t> spread_value;            // per spread key: value id, -1 if the label is missing
  std::set<std::pair<double, std::uint32_t>> order;  // spread/energy: (key, node), least first
  std::set<std::uint32_t> unused;                    // positions of members that are empty and not kept on (energy)
};

// Key that makes nodes interchangeable.
std::string group_key(const Node& n, const std::vector<double>& cap) {
  std::string k;
  for (double v : cap) k += fmt::format("{},", v);
  k += '|';
  for (const auto& [a, b] : n.labels) k += a + '\x1f' + b + '\x1e';
  k += '|';
  for (const auto& t : n.taints) k += taint_text(t) + '\x1e';
  k += fmt::format("|{},{},{},{}", n.price, n.a, n.b, n.c);
  return k;
}

class Solver {
 public:
  Solver(const Problem& pb, const ClusterOptions& opt) : pb_(pb), opt_(opt), rng_(opt.seed) {}

  Plan run() {
    cpu_start_ = detail::cpu_seconds();
    build();
    place_current();
    if (try_plain_vbp()) return finish();
    place_pending();
    if (opt_.max_moves > 0) fix_violations();
    improve();
    return finish();
  }

 private:
  // ---- set-up -------------------------------------------------------------
  void build() {
    plan_.dims = problem_dims(pb_);
    d_ = plan_.dims.size();
    std::unordered_map<std::string, std::size_t> dim_index;
    for (std::size_t k = 0; k < d_; ++k) dim_index[plan_.dims[k]] = k;
    // Spread keys (label names) used by tasks.
    for (const auto& t : pb_.tasks)
      if (!t.spread.by.empty() && t.spread.by != "node" &&
          std::find(spread_keys_.begin(), spread_keys_.end(), t.spread.by) == spread_keys_.end())
        spread_keys_.push_back(t.spread.by);
    spread_values_.resize(spread_keys_.size());
    // Nodes and groups.
    std::unordered_map<std::string, std::uint32_t> group_of_key;
    std::unordered_map<std::string, std::uint32_t> node_by_name;
    std::vector<double> cap(d_);
    max_cap_.assign(d_, 0.0);
    for (std::uint32_t ri = 0; ri < pb_.nodes.size(); ++ri) {
      const auto& n = pb_.nodes[ri];
      std::fill(cap.begin(), cap.end(), 0.0);
      for (const auto& [k, v] : n.capacity) cap[dim_index[k]] = v;
      for (std::size_t k = 0; k < d_; ++k) max_cap_[k] = std::max(max_cap_[k], cap[k]);
      auto key = group_key(n, cap);
      auto [it, fresh] = group_of_key.try_emplace(key, static_cast<std::uint32_t>(groups_.size()));
      if (fresh) {
        Group g;
        g.record = ri;
        g.cap = cap;
        g.tol.resize(d_);
        for (std::size_t k = 0; k < d_; ++k) g.tol[k] = cap[k] * kFitTolerance + 1e-12;
        for (const auto& sk : spread_keys_) {
          const std::string* v = find_label(n.labels, sk);
          std::int32_t id = -1;
          if (v) {
            auto& vals = spread_values_[&sk - spread_keys_.data()];
            auto f = std::find(vals.begin(), vals.end(), *v);
            id = static_cast<std::int32_t>(f - vals.begin());
            if (f == vals.end()) vals.push_back(*v);
          }
          g.spread_value.push_back(id);
        }
        groups_.push_back(std::move(g));
      }
      for (std::uint64_t i = 0; i < n.count; ++i) {
        auto id = static_cast<std::uint32_t>(plan_.node_names.size());
        plan_.node_names.push_back(n.count == 1 ? n.name : fmt::format("{}#{}", n.name, i));
        plan_.node_record.push_back(ri);
        group_of_.push_back(it->second);
        pos_.push_back(static_cast<std::uint32_t>(groups_[it->second].members.size()));
        groups_[it->second].members.push_back(id);
        if (!node_by_name.try_emplace(plan_.node_names.back(), id).second)
          throw DataError(fmt::format("node name {} appears twice", plan_.node_names.back()));
      }
    }
    n_ = plan_.node_names.size();
    load_.assign(n_ * d_, 0.0);
    on_node_.assign(n_, {});
    for (auto& g : groups_) {
      double s = 0;
      for (std::size_t k = 0; k < d_; ++k) s += max_cap_[k] > 0 ? g.cap[k] / max_cap_[k] : 0;
      g.size = s;
      while (g.leaves < g.members.size()) g.leaves *= 2;
      g.tree.assign(2 * g.leaves * d_, -kInf);  // no node is open yet
      for (std::uint32_t p = 0; p < g.members.size(); ++p) g.unused.insert(g.unused.end(), p);
    }
    // Tasks and replicas.
    req_.assign(pb_.tasks.size() * d_, 0.0);
    plan_.first_replica.assign(pb_.tasks.size() + 1, 0);
    spread_key_.assign(pb_.tasks.size(), kSpreadNone);
    std::unordered_map<std::string, std::uint32_t> elig_cache;
    elig_of_task_.resize(pb_.tasks.size());
    for (std::uint32_t t = 0; t < pb_.tasks.size(); ++t) {
      const auto& task = pb_.tasks[t];
      for (const auto& [k, v] : task.request) req_[t * d_ + dim_index[k]] = v;
      plan_.first_replica[t + 1] = plan_.first_replica[t] + task.replicas;
      if (task.spread.by == "node")
        spread_key_[t] = kSpreadNode;
      else if (!task.spread.by.empty())
        spread_key_[t] = static_cast<std::int32_t>(std::find(spread_keys_.begin(), spread_keys_.end(), task.spread.by) -
                                                   spread_keys_.begin());
      // Eligible groups, shared by tasks with the same selector, tolerations and request.
      std::string key;
      for (const auto& [a, b] : task.selector) key += a + '\x1f' + b + '\x1e';
      key += '|';
      for (const auto& tol : task.tolerations) key += tol.key + '\x1f' + tol.value + '\x1e';
      key += '|';
      key.append(reinterpret_cast<const char*>(req_.data() + t * d_), d_ * sizeof(double));
      auto [it, fresh] = elig_cache.try_emplace(key, static_cast<std::uint32_t>(elig_.size()));
      if (fresh) {
        std::vector<std::uint32_t> gs;
        for (std::uint32_t g = 0; g < groups_.size(); ++g) {
          const auto& rec = pb_.nodes[groups_[g].record];
          if (groups_[g].members.empty() || !selector_matches(task.selector, rec.labels) ||
              !tolerates(task.tolerations, rec.taints))
            continue;
          bool fits = true;
          for (std::size_t k = 0; k < d_ && fits; ++k) fits = req_[t * d_ + k] <= groups_[g].cap[k] + groups_[g].tol[k];
          if (fits) gs.push_back(g);
        }
        // Larger nodes first: first fit across groups then favours them.
        std::stable_sort(gs.begin(), gs.end(),
                         [&](std::uint32_t a, std::uint32_t b) { return groups_[a].size > groups_[b].size; });
        elig_.push_back(std::move(gs));
      }
      elig_of_task_[t] = it->second;
    }
    r_ = plan_.first_replica.back();
    task_of_.resize(r_);
    for (std::uint32_t t = 0; t < pb_.tasks.size(); ++t)
      for (auto r = plan_.first_replica[t]; r < plan_.first_replica[t + 1]; ++r) task_of_[r] = t;
    plan_.node_of.assign(r_, kUnplaced);
    plan_.reason.assign(r_, {});
    origin_.assign(r_, kNo);
    spread_counts_.assign(pb_.tasks.size(), {});
    // Current placement.
    for (std::uint32_t t = 0; t < pb_.tasks.size(); ++t) {
      const auto& cur = pb_.tasks[t].current;
      for (std::size_t i = 0; i < cur.size(); ++i) {
        if (cur[i].empty()) continue;
        auto f = node_by_name.find(cur[i]);
        if (f == node_by_name.end()) {
          unknown_current_.push_back(cur[i]);
          continue;
        }
        origin_[plan_.first_replica[t] + i] = f->second;
      }
    }
    // Energy dimension (the summary reports power for every objective).
    if (d_ == 0 && opt_.objective == Objective::kEnergy)
      throw DataError("the energy objective needs a resource: no node capacity or task request names one");
    if (d_ > 0) {
      std::string want = opt_.energy_dim;
      if (want.empty()) want = dim_index.count("cpu") ? "cpu" : plan_.dims[0];
      auto f = dim_index.find(want);
      if (f == dim_index.end())
        throw UsageError(fmt::format("--energy-dim {} is not a resource of any node or task", want));
      energy_dim_ = f->second;
    }
    min_req_.assign(d_, kInf);
    for (std::uint32_t t = 0; t < pb_.tasks.size(); ++t)
      if (pb_.tasks[t].replicas > 0)
        for (std::size_t k = 0; k < d_; ++k) min_req_[k] = std::min(min_req_[k], req_[t * d_ + k]);
    for (auto& m : min_req_) m = m == kInf ? 0 : m;
    measure_.resize(pb_.tasks.size());
    priority_.resize(pb_.tasks.size());
    for (std::uint32_t t = 0; t < pb_.tasks.size(); ++t) {
      priority_[t] = pb_.tasks[t].priority;
      double m = 0;
      for (std::size_t k = 0; k < d_; ++k) m += max_cap_[k] > 0 ? req_[t * d_ + k] / max_cap_[k] : 0;
      measure_[t] = m;
    }
  }

  // ---- state updates ------------------------------------------------------
  const double* req(std::uint64_t r) const { return req_.data() + task_of_[r] * d_; }
  bool used(std::uint32_t v) const { return !on_node_[v].empty(); }

  void tree_update(std::uint32_t v) {
    auto& g = groups_[group_of_[v]];
    std::size_t x = g.leaves + pos_[v];
    // The tree indexes open nodes that can still take the smallest request in
    // every dimension; full nodes would otherwise send descents down
    // subtrees whose per-dimension maxima come from different nodes.
    bool live = excluded_ != v && used(v);
    for (std::size_t k = 0; k < d_ && live; ++k) live = g.cap[k] - load_[v * d_ + k] + g.tol[k] >= min_req_[k];
    for (std::size_t k = 0; k < d_; ++k) g.tree[x * d_ + k] = live ? g.cap[k] - load_[v * d_ + k] : -kInf;
    for (x /= 2; x >= 1; x /= 2)
      for (std::size_t k = 0; k < d_; ++k)
        g.tree[x * d_ + k] = std::max(g.tree[2 * x * d_ + k], g.tree[(2 * x + 1) * d_ + k]);
  }

  double order_key(std::uint32_t v) const {
    const auto& g = groups_[group_of_[v]];
    if (opt_.objective == Objective::kEnergy)
      return g.cap[energy_dim_] > 0 ? load_[v * d_ + energy_dim_] / g.cap[energy_dim_] : 0;
    double u = 0;
    for (std::size_t k = 0; k < d_; ++k)
      if (g.cap[k] > 0) u = std::max(u, load_[v * d_ + k] / g.cap[k]);
    return u;
  }
  bool keeps_order() const { return opt_.objective == Objective::kSpread || opt_.objective == Objective::kEnergy; }

  void assign(std::uint64_t r, std::uint32_t v) {
    auto& g = groups_[group_of_[v]];
    if (keeps_order()) g.order.erase({order_key(v), v});
    if (!used(v)) {
      ++g.open;
      g.unused.erase(pos_[v]);
    }
    plan_.node_of[r] = v;
    on_node_[v].push_back(static_cast<std::uint32_t>(r));
    const double* x = req(r);
    for (std::size_t k = 0; k < d_; ++k) load_[v * d_ + k] += x[k];
    tree_update(v);
    if (keeps_order()) g.order.insert({order_key(v), v});
    spread_add(task_of_[r], v, +1);
  }

  void unassign(std::uint64_t r) {
    auto v = plan_.node_of[r];
    auto& g = groups_[group_of_[v]];
    if (keeps_order()) g.order.erase({order_key(v), v});
    auto& list = on_node_[v];
    list.erase(std::find(list.begin(), list.end(), static_cast<std::uint32_t>(r)));
    const double* x = req(r);
    for (std::size_t k = 0; k < d_; ++k) load_[v * d_ + k] -= x[k];
    if (list.empty()) {
      --g.open;
      for (std::size_t k = 0; k < d_; ++k) load_[v * d_ + k] = 0;  // no drift
      if (!is_energy_on(v)) g.unused.insert(pos_[v]);
    }
    tree_update(v);
    if (keeps_order() && (used(v) || is_energy_on(v))) g.order.insert({order_key(v), v});
    plan_.node_of[r] = kUnplaced;
    spread_add(task_of_[r], v, -1);
  }

  bool is_energy_on(std::uint32_t v) const { return !energy_on_.empty() && energy_on_[v]; }

  // Spread bookkeeping: per task, (node or label value, replicas there).
  std::uint32_t spread_slot(std::uint32_t t, std::uint32_t v) const {
    auto key = spread_key_[t];
    if (key == kSpreadNode) return v;
    auto val = groups_[group_of_[v]].spread_value[static_cast<std::size_t>(key)];
    return val < 0 ? kNo : static_cast<std::uint32_t>(val);
  }
  void spread_add(std::uint32_t t, std::uint32_t v, int delta) {
    if (spread_key_[t] == kSpreadNone) return;
    auto slot = spread_slot(t, v);
    if (slot == kNo) return;
    auto& c = spread_counts_[t];
    for (auto& [s, n] : c)
      if (s == slot) {
        n = static_cast<std::uint32_t>(static_cast<int>(n) + delta);
        return;
      }
    if (delta > 0) c.emplace_back(slot, 1u);
  }
  std::uint32_t spread_count(std::uint32_t t, std::uint32_t slot) const {
    for (const auto& [s, n] : spread_counts_[t])
      if (s == slot) return n;
    return 0;
  }
  // Whether task t may not add a replica to node v (by node) / group g (by label).
  bool node_blocked(std::uint32_t t, std::uint32_t v) const {
    return spread_key_[t] == kSpreadNode && spread_count(t, v) >= pb_.tasks[t].spread.max_per;
  }
  bool group_blocked(std::uint32_t t, std::uint32_t g) const {
    auto key = spread_key_[t];
    if (key < 0) return false;
    auto val = groups_[g].spread_value[static_cast<std::size_t>(key)];
    if (val < 0) return true;  // nodes without the label cannot take spread replicas
    return spread_count(t, static_cast<std::uint32_t>(val)) >= pb_.tasks[t].spread.max_per;
  }

  bool fits(std::uint64_t r, std::uint32_t v) const {
    const auto& g = groups_[group_of_[v]];
    const double* x = req(r);
    for (std::size_t k = 0; k < d_; ++k)
      if (load_[v * d_ + k] + x[k] > g.cap[k] + g.tol[k]) return false;
    return true;
  }
  bool eligible(std::uint32_t t, std::uint32_t v) const {
    const auto& e = elig_[elig_of_task_[t]];
    return std::find(e.begin(), e.end(), group_of_[v]) != e.end();
  }

  // Lowest-position member of g that fits replica r and is not blocked.
  std::uint32_t first_fit(std::uint32_t gi, std::uint64_t r) const {
    const auto& g = groups_[gi];
    const double* x = req(r);
    auto t = task_of_[r];
    // Iterative depth-first descent, left child first.
    std::size_t stack[64];
    std::size_t sp = 0;
    stack[sp++] = 1;
    int leaves = 0, visits = 0;
    while (sp) {
      // Bounded work per group: a miss opens a node instead of a long walk.
      if (++visits > 4096) return kNo;
      std::size_t v = stack[--sp];
      const double* f = g.tree.data() + v * d_;
      bool ok = true;
      for (std::size_t k = 0; k < d_ && ok; ++k) ok = f[k] + g.tol[k] >= x[k];
      if (!ok) continue;
      if (v >= g.leaves) {
        auto node = g.members[v - g.leaves];
        if (!node_blocked(t, node)) return node;
        // Spread-blocked nodes: give up after a few rather than walk them all.
        if (++leaves == 64) return kNo;
        continue;
      }
      stack[sp++] = 2 * v + 1;
      stack[sp++] = 2 * v;
    }
    return kNo;
  }

  double fill_after(std::uint64_t r, std::uint32_t v) const {
    const auto& g = groups_[group_of_[v]];
    const double* x = req(r);
    double s = 0;
    for (std::size_t k = 0; k < d_; ++k)
      if (g.cap[k] > 0) s += (load_[v * d_ + k] + x[k]) / g.cap[k];
    return s;
  }

  // ---- choosing a node ------------------------------------------------------
  std::uint32_t choose(std::uint64_t r, bool open_only) {
    switch (opt_.objective) {
      case Objective::kPack:
      case Objective::kCost:
        return choose_pack(r, open_only);
      case Objective::kSpread:
        return choose_ordered(r, open_only);
      case Objective::kEnergy:
        return choose_ordered(r, open_only);
    }
    return kNo;
  }

  // First fit over open nodes; otherwise a fresh node of the largest group
  // (pack) or the most cost-efficient one (cost).
  std::uint32_t choose_pack(std::uint64_t r, bool open_only) {
    auto t = task_of_[r];
    std::uint32_t best = kNo, fresh = kNo;
    double fresh_score = kInf;
    for (auto gi : elig_[elig_of_task_[t]]) {
      if (group_blocked(t, gi)) continue;
      auto& g = groups_[gi];
      if (g.open > 0) {
        // First fit across groups (larger nodes first) and within each: one
        // tree descent per replica in the common case keeps this O(log n).
        auto v = first_fit(gi, r);
        if (v != kNo) return v;
      }
      if (!open_only && best == kNo) {
        double score = fresh_cost(gi);
        if (score < fresh_score) {
          auto v = fresh_member(gi, r);
          if (v != kNo) {
            fresh_score = score;
            fresh = v;
          }
        }
      }
    }
    return best != kNo ? best : fresh;
  }

  // Lower is better for opening a fresh node of group g.
  double fresh_cost(std::uint32_t gi) const {
    const auto& g = groups_[gi];
    if (opt_.objective != Objective::kCost) return -g.size;
    // Price per unit of useful capacity, where useful means up to the demand
    // still to place, so small leftovers go to small cheap nodes.
    double value = 0;
    for (std::size_t k = 0; k < d_; ++k)
      if (total_demand_[k] > 0) value += std::min(g.cap[k], remaining_demand_[k]) / total_demand_[k];
    if (value <= 0) return pb_.nodes[g.record].price;  // nothing left to size by: the cheapest node
    return pb_.nodes[g.record].price / value - 1e-12 * g.size;
  }

  // Spread: the node whose utilisation after placing is least. Energy: the
  // node whose power grows least. Candidates per group are its least loaded
  // members (kept in `order`) and, failing those, a first fit.
  std::uint32_t choose_ordered(std::uint64_t r, bool open_only) {
    auto t = task_of_[r];
    std::uint32_t best = kNo;
    double best_score = kInf;
    // Like the Kubernetes scheduler on large clusters, score a bounded number
    // of candidates per replica: at most kScoredGroups eligible groups,
    // starting at a position that rotates from replica to replica.
    const auto& elig = elig_[elig_of_task_[t]];
    const std::size_t ng = elig.size();
    std::size_t start = ng > kScoredGroups ? rotation_++ % ng : 0;
    for (std::size_t j = 0; j < ng && j < kScoredGroups + extra_groups_; ++j) {
      auto gi = elig[(start + j) % ng];
      if (group_blocked(t, gi)) continue;
      auto& g = groups_[gi];
      std::uint32_t cand = kNo;
      int seen = 0;
      for (auto it = g.order.begin(); it != g.order.end() && seen < 32; ++it, ++seen)
        if (it->second != excluded_ && fits(r, it->second) && !node_blocked(t, it->second)) {
          cand = it->second;
          break;
        }
      if (cand != kNo) consider_ordered(r, cand, best, best_score);
      // A fresh node (spread: always worth comparing; energy: costs its c).
      if (!open_only) {
        auto v = fresh_member(gi, r);
        if (v != kNo) consider_ordered(r, v, best, best_score);
      }
      if (cand == kNo && g.open > 0 && seen >= 32) {
        auto v = first_fit(gi, r);
        if (v != kNo) consider_ordered(r, v, best, best_score);
      }
    }
    if (best == kNo && ng > kScoredGroups && extra_groups_ == 0) {
      extra_groups_ = ng;  // nothing in the sample: look at every group once
      best = choose_ordered(r, open_only);
      extra_groups_ = 0;
    }
    return best;
  }

  // The lowest empty member of group g (not kept on for energy), if r fits it.
  std::uint32_t fresh_member(std::uint32_t gi, std::uint64_t r) const {
    const auto& g = groups_[gi];
    for (auto p : g.unused) {
      auto v = g.members[p];
      if (v == excluded_) continue;
      return fits(r, v) ? v : kNo;
    }
    return kNo;
  }

  void consider_ordered(std::uint64_t r, std::uint32_t v, std::uint32_t& best, double& best_score) {
    double score = opt_.objective == Objective::kEnergy ? marginal_power(r, v) : spread_score(r, v);
    if (score < best_score - 1e-12 || (score < best_score + 1e-12 && best != kNo && v < best)) {
      best_score = score;
      best = v;
    }
  }

  double spread_score(std::uint64_t r, std::uint32_t v) const {
    const auto& g = groups_[group_of_[v]];
    const double* x = req(r);
    double hi = 0, lo = kInf;
    for (std::size_t k = 0; k < d_; ++k) {
      if (g.cap[k] <= 0) continue;
      double u = (load_[v * d_ + k] + x[k]) / g.cap[k];
      hi = std::max(hi, u);
      lo = std::min(lo, u);
    }
    if (lo == kInf) lo = 0;
    // Least allocated first, balanced across dimensions second.
    return hi + 0.01 * (hi - lo);
  }

  double node_power_at(std::uint32_t v, double load) const {
    const auto& rec = pb_.nodes[groups_[group_of_[v]].record];
    double cap = groups_[group_of_[v]].cap[energy_dim_];
    double u = cap > 0 ? load / cap : 0;
    return rec.a * u * u + rec.b * u + rec.c;
  }
  double marginal_power(std::uint64_t r, std::uint32_t v) const {
    double l = load_[v * d_ + energy_dim_];
    double after = node_power_at(v, l + req(r)[energy_dim_]);
    bool on = used(v) || is_energy_on(v);
    return after - (on ? node_power_at(v, l) : 0.0);
  }

  // ---- phases ---------------------------------------------------------------
  void place_current() {
    for (std::uint64_t r = 0; r < r_; ++r)
      if (origin_[r] != kNo) assign(r, origin_[r]);
  }

  // Identical nodes, no constraints, nothing running: the VBP solver.
  bool try_plain_vbp() {
    if (opt_.objective != Objective::kPack || groups_.size() != 1 || r_ == 0 || r_ > 20000 || d_ == 0) return false;
    const auto& g = groups_[0];
    if (!pb_.nodes[g.record].taints.empty()) return false;
    for (std::uint32_t t = 0; t < pb_.tasks.size(); ++t) {
      const auto& task = pb_.tasks[t];
      if (!task.selector.empty() || spread_key_[t] != kSpreadNone) return false;
      if (elig_[elig_of_task_[t]].empty() && task.replicas > 0) return false;
    }
    for (std::uint64_t r = 0; r < r_; ++r)
      if (origin_[r] != kNo) return false;
    VbpInstance in;
    in.dims = d_;
    in.capacity = g.cap;
    for (std::uint64_t r = 0; r < r_; ++r) in.add_item(req(r));
    VbpOptions o;
    o.time_limit = opt_.time_limit;
    o.seed = opt_.seed;
    auto sol = solve_vbp(in, o);
    if (sol.bins > g.members.size()) return false;  // not enough nodes: the general path decides what to leave out
    for (std::uint64_t r = 0; r < r_; ++r) assign(r, g.members[sol.bin_of[r]]);
    plan_.summary.method = "vbp:" + sol.heuristic + (sol.bins < sol.start_bins ? "+local-search" : "");
    vbp_lower_bound_ = sol.lower_bound;
    return true;
  }

  // Unplaced replicas, higher priority first, then larger first. Sorting
  // compact keys keeps this fast for millions of replicas.
  std::vector<std::uint64_t> pending_order() const {
    struct Key {
      std::int64_t priority;
      double measure;
      std::uint64_t r;
    };
    std::vector<Key> keys;
    for (std::uint64_t r = 0; r < r_; ++r)
      if (plan_.node_of[r] == kUnplaced) keys.push_back({priority_[task_of_[r]], measure_[task_of_[r]], r});
    std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
      if (a.priority != b.priority) return a.priority > b.priority;
      if (a.measure != b.measure) return a.measure > b.measure;
      return a.r < b.r;
    });
    std::vector<std::uint64_t> order(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) order[i] = keys[i].r;
    return order;
  }

  void prepare_objective() {
    total_demand_.assign(d_, 0.0);
    for (std::uint64_t r = 0; r < r_; ++r)
      for (std::size_t k = 0; k < d_; ++k) total_demand_[k] += req(r)[k];
    remaining_demand_ = total_demand_;
    for (std::uint64_t r = 0; r < r_; ++r)
      if (plan_.node_of[r] != kUnplaced)
        for (std::size_t k = 0; k < d_; ++k) remaining_demand_[k] -= req(r)[k];
    if (opt_.objective == Objective::kEnergy) plan_energy();
  }

  // Divisible optimum over the groups as node types: which nodes it turns
  // on guides the whole-task placement (those are open from the start).
  void plan_energy() {
    std::vector<EnergyType> types;
    double total = 0;
    for (std::uint64_t r = 0; r < r_; ++r) total += req(r)[energy_dim_];
    for (const auto& g : groups_) {
      const auto& rec = pb_.nodes[g.record];
      types.push_back({g.cap[energy_dim_] > 0 ? g.cap[energy_dim_] : 1e-300, rec.a, rec.b, rec.c, g.members.size()});
    }
    auto res = solve_divisible_energy(types, total);
    divisible_ = res;
    energy_on_.assign(n_, 0);
    if (!res.feasible) return;
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
      auto& g = groups_[gi];
      std::uint64_t want = res.on[gi];
      // Running nodes count first.
      for (auto v : g.members)
        if (want && used(v)) {
          energy_on_[v] = 1;
          --want;
        }
      for (auto v : g.members)
        if (want && !energy_on_[v]) {
          energy_on_[v] = 1;
          g.order.insert({order_key(v), v});
          g.unused.erase(pos_[v]);
          --want;
        }
    }
  }

  void place_pending() {
    prepare_objective();
    auto order = pending_order();
    std::vector<std::uint64_t> retry;
    for (std::size_t i = 0; i < order.size(); ++i) {
      if (opt_.progress && (i & 4095) == 0) opt_.progress(i, order.size());
      auto r = order[i];
      auto v = choose(r, false);
      if (v == kNo && opt_.preempt) v = preempt_for(r, retry);
      if (v == kNo) continue;
      place_new(r, v);
      // Evicted replicas get another chance after the higher priorities.
      if (!retry.empty() &&
          (i + 1 == order.size() || pb_.tasks[task_of_[order[i + 1]]].priority < pb_.tasks[task_of_[r]].priority)) {
        for (auto e : retry) {
          auto w = choose(e, false);
          if (w != kNo) place_new(e, w);
        }
        retry.clear();
      }
    }
    for (auto e : retry) {
      auto w = choose(e, false);
      if (w != kNo) place_new(e, w);
    }
    if (opt_.progress) opt_.progress(order.size(), order.size());
  }

  void place_new(std::uint64_t r, std::uint32_t v) {
    assign(r, v);
    for (std::size_t k = 0; k < d_; ++k) remaining_demand_[k] -= req(r)[k];
  }

  // Finds a node where evicting running lower-priority replicas makes room for
  // r: fewest evictions of the lowest priorities. Evicted replicas go to `retry`.
  std::uint32_t preempt_for(std::uint64_t r, std::vector<std::uint64_t>& retry) {
    auto t = task_of_[r];
    auto prio = pb_.tasks[t].priority;
    std::uint32_t best = kNo;
    std::vector<std::uint32_t> best_victims, victims;
    std::pair<std::int64_t, std::size_t> best_score{std::numeric_limits<std::int64_t>::max(), 0};
    const double* x = req(r);
    for (auto gi : elig_[elig_of_task_[t]]) {
      if (group_blocked(t, gi)) continue;
      const auto& g = groups_[gi];
      for (auto v : g.members) {
        if (!used(v) || node_blocked(t, v)) continue;
        std::vector<std::uint32_t> cands;
        for (auto q : on_node_[v])
          if (pb_.tasks[task_of_[q]].priority < prio) cands.push_back(q);
        if (cands.empty()) continue;
        std::sort(cands.begin(), cands.end(), [&](std::uint32_t a, std::uint32_t b) {
          auto pa = pb_.tasks[task_of_[a]].priority, pb = pb_.tasks[task_of_[b]].priority;
          return pa != pb ? pa < pb : measure_[task_of_[a]] > measure_[task_of_[b]];
        });
        std::vector<double> free(d_);
        for (std::size_t k = 0; k < d_; ++k) free[k] = g.cap[k] + g.tol[k] - load_[v * d_ + k];
        victims.clear();
        std::int64_t top = std::numeric_limits<std::int64_t>::min();
        auto enough = [&] {
          for (std::size_t k = 0; k < d_; ++k)
            if (free[k] < x[k]) return false;
          return true;
        };
        for (auto q : cands) {
          if (enough()) break;
          victims.push_back(q);
          top = std::max(top, pb_.tasks[task_of_[q]].priority);
          for (std::size_t k = 0; k < d_; ++k) free[k] += req(q)[k];
        }
        if (!enough()) continue;
        std::pair<std::int64_t, std::size_t> score{top, victims.size()};
        if (score < best_score) {
          best_score = score;
          best = v;
          best_victims = victims;
        }
      }
    }
    if (best == kNo) return kNo;
    for (auto q : best_victims) {
      plan_.evictions.push_back(
          {task_of_[q], static_cast<std::uint32_t>(q - plan_.first_replica[task_of_[q]]), best, t});
      evicted_by_[q] = t;
      unassign(q);
      for (std::size_t k = 0; k < d_; ++k) remaining_demand_[k] += req(q)[k];
      retry.push_back(q);
    }
    return best;
  }

  // Moves budget: migrations of running replicas away from where they ran.
  std::int64_t move_cost(std::uint64_t r, std::uint32_t to) const {
    auto o = origin_[r];
    if (o == kNo) return 0;
    auto at = plan_.node_of[r];
    return (at == o ? 0 : -1) + (to == o ? 0 : 1);
  }
  bool can_move(std::uint64_t r, std::uint32_t to) const {
    return moves_used_ + move_cost(r, to) <= static_cast<std::int64_t>(opt_.max_moves);
  }
  void relocate(std::uint64_t r, std::uint32_t to) {
    moves_used_ += move_cost(r, to);
    unassign(r);
    assign(r, to);
  }

  // Running replicas on overloaded nodes, on nodes they are not eligible for,
  // or beyond their spread limit move first (within the budget).
  void fix_violations() {
    excluded_ = kNo;
    for (std::uint32_t v = 0; v < n_; ++v) {
      for (;;) {
        std::uint64_t victim = kNo;
        const auto& g = groups_[group_of_[v]];
        bool over = false;
        for (std::size_t k = 0; k < d_; ++k) over |= load_[v * d_ + k] > g.cap[k] + g.tol[k];
        for (auto q : on_node_[v]) {
          auto t = task_of_[q];
          bool bad = !eligible(t, v) ||
                     (spread_key_[t] != kSpreadNone && spread_slot(t, v) != kNo &&
                      spread_count(t, spread_slot(t, v)) > pb_.tasks[t].spread.max_per) ||
                     (spread_key_[t] >= 0 && spread_slot(t, v) == kNo);
          if (bad || over) {
            victim = q;
            if (bad) break;
          }
        }
        if (victim == kNo) break;
        set_excluded(v);
        unassign(victim);
        auto to = choose(victim, false);
        assign(victim, v);
        set_excluded(kNo);
        if (to == kNo || !can_move(victim, to)) break;
        relocate(victim, to);
      }
    }
  }

  void set_excluded(std::uint32_t v) {
    auto old = excluded_;
    excluded_ = v;
    if (old != kNo) tree_update(old);
    if (v != kNo) tree_update(v);
  }

  bool out_of_time() const { return detail::cpu_seconds() - improve_start_ > opt_.time_limit; }

  void improve() {
    improve_start_ = detail::cpu_seconds();
    if (opt_.time_limit <= 0) return;
    switch (opt_.objective) {
      case Objective::kPack:
      case Objective::kEnergy:
        empty_nodes();
        break;
      case Objective::kCost:
        empty_nodes();
        downsize();
        break;
      case Objective::kSpread:
        level();
        break;
    }
  }

  // Tries to empty used nodes, least loaded (pack), most expensive per load
  // (cost) or lowest utilisation (energy) first, by moving their replicas to
  // other used nodes; keeps a change only if it helps the objective.
  void empty_nodes() {
    bool progress = true;
    while (progress && !out_of_time()) {
      progress = false;
      std::vector<std::pair<double, std::uint32_t>> cand;
      for (std::uint32_t v = 0; v < n_; ++v)
        if (used(v)) {
          const auto& g = groups_[group_of_[v]];
          double fill = 0;
          for (std::size_t k = 0; k < d_; ++k)
            if (g.cap[k] > 0) fill += load_[v * d_ + k] / g.cap[k];
          double key = fill;
          if (opt_.objective == Objective::kCost) key = -pb_.nodes[g.record].price / (fill + 1e-9);
          cand.emplace_back(key, v);
        }
      std::sort(cand.begin(), cand.end());
      std::size_t tries = 0;
      for (const auto& [key, v] : cand) {
        if ((++tries & 15) == 0 && out_of_time()) return;
        if (try_empty(v)) progress = true;
      }
    }
  }

  bool try_empty(std::uint32_t v) {
    std::vector<std::uint32_t> items = on_node_[v];
    std::sort(items.begin(), items.end(),
              [&](std::uint32_t a, std::uint32_t b) { return measure_[task_of_[a]] > measure_[task_of_[b]]; });
    double before = opt_.objective == Objective::kEnergy ? total_power() : 0;
    set_excluded(v);
    std::vector<std::pair<std::uint32_t, std::int64_t>> done;  // replica, move cost paid
    bool ok = true;
    for (auto q : items) {
      auto saved = plan_.node_of[q];
      unassign(q);
      auto to = choose(q, true);
      assign(q, saved);
      if (to == kNo || !can_move(q, to)) {
        ok = false;
        break;
      }
      relocate(q, to);
      done.emplace_back(q, 0);
    }
    if (ok && opt_.objective == Objective::kEnergy && total_power() >= before - 1e-9) ok = false;
    if (!ok)
      for (auto it = done.rbegin(); it != done.rend(); ++it) relocate(it->first, v);
    set_excluded(kNo);
    if (ok && !energy_on_.empty() && energy_on_[v]) {
      energy_on_[v] = 0;
      groups_[group_of_[v]].order.erase({order_key(v), v});
      groups_[group_of_[v]].unused.insert(pos_[v]);
    }
    return ok;
  }

  // Cost: moves everything on a used node to an empty node of a cheaper
  // group that can hold it all (eligible for every replica, same values of
  // the labels that spread constraints count).
  void downsize() {
    for (std::uint32_t v = 0; v < n_; ++v) {
      if (!used(v)) continue;
      if ((v & 63) == 0 && out_of_time()) return;
      auto gv = group_of_[v];
      double best_price = pb_.nodes[groups_[gv].record].price;
      std::uint32_t best_g = kNo;
      for (std::uint32_t gi = 0; gi < groups_.size(); ++gi) {
        const auto& g = groups_[gi];
        double price = pb_.nodes[g.record].price;
        if (gi == gv || g.unused.empty() || price >= best_price || g.spread_value != groups_[gv].spread_value) continue;
        bool ok = true;
        for (std::size_t k = 0; k < d_ && ok; ++k) ok = load_[v * d_ + k] <= g.cap[k] + g.tol[k];
        for (auto q : on_node_[v]) {
          if (!ok) break;
          const auto& e = elig_[elig_of_task_[task_of_[q]]];
          ok = std::find(e.begin(), e.end(), gi) != e.end();
        }
        if (ok) {
          best_price = price;
          best_g = gi;
        }
      }
      if (best_g == kNo) continue;
      auto w = groups_[best_g].members[*groups_[best_g].unused.begin()];
      std::int64_t cost = 0;
      for (auto q : on_node_[v]) cost += move_cost(q, w);
      if (moves_used_ + cost > static_cast<std::int64_t>(opt_.max_moves) && cost > 0) continue;
      for (auto q : std::vector<std::uint32_t>(on_node_[v])) relocate(q, w);
    }
  }

  double total_power() const {
    double p = 0;
    for (std::uint32_t v = 0; v < n_; ++v)
      if (used(v)) p += node_power_at(v, load_[v * d_ + energy_dim_]);
    return p;
  }

  // Spread: move replicas off the most utilised node while that lowers the
  // larger of the two nodes' utilisations.
  void level() {
    std::set<std::pair<double, std::uint32_t>> by_util;
    for (std::uint32_t v = 0; v < n_; ++v)
      if (used(v)) by_util.insert({order_key(v), v});
    std::uint64_t steps = 0;
    while (!by_util.empty()) {
      if ((++steps & 15) == 0 && out_of_time()) return;
      auto top = std::prev(by_util.end());
      auto v = top->second;
      double u = top->first;
      bool moved = false;
      std::vector<std::uint32_t> items = on_node_[v];
      std::sort(items.begin(), items.end(),
                [&](std::uint32_t a, std::uint32_t b) { return measure_[task_of_[a]] > measure_[task_of_[b]]; });
      set_excluded(v);
      for (auto q : items) {
        auto saved = plan_.node_of[q];
        unassign(q);
        auto to = choose(q, false);
        assign(q, saved);
        if (to == kNo || !can_move(q, to)) continue;
        double after_to = spread_score(q, to);
        if (after_to < u - 1e-9) {
          by_util.erase({order_key(to), to});
          by_util.erase(top);
          relocate(q, to);
          by_util.insert({order_key(to), to});
          if (used(v)) by_util.insert({order_key(v), v});
          moved = true;
          break;
        }
      }
      set_excluded(kNo);
      if (!moved) return;  // the most utilised node cannot improve: max utilisation is final
    }
  }

  // ---- results --------------------------------------------------------------
  std::string unplaced_reason(std::uint32_t t) {
    const auto& task = pb_.tasks[t];
    auto sel_text = [&] {
      std::string s;
      for (const auto& [k, v] : task.selector) s += (s.empty() ? "" : ",") + k + "=" + v;
      return s;
    };
    if (groups_.empty() || n_ == 0) return "no nodes";
    std::vector<std::uint32_t> matching, tolerated;
    for (std::uint32_t g = 0; g < groups_.size(); ++g) {
      if (groups_[g].members.empty()) continue;
      const auto& rec = pb_.nodes[groups_[g].record];
      if (!selector_matches(task.selector, rec.labels)) continue;
      matching.push_back(g);
      if (tolerates(task.tolerations, rec.taints)) tolerated.push_back(g);
    }
    if (matching.empty()) return fmt::format("no node matches selector {}", sel_text());
    if (tolerated.empty()) {
      const auto& rec = pb_.nodes[groups_[matching[0]].record];
      for (const auto& taint : rec.taints)
        if (!tolerates(task.tolerations, {taint}))
          return fmt::format("no {}node tolerates its taints (e.g. {})", task.selector.empty() ? "" : "matching ",
                             taint_text(taint));
    }
    for (std::size_t k = 0; k < d_; ++k) {
      double need = req_[t * d_ + k], most = 0;
      for (auto g : tolerated) most = std::max(most, groups_[g].cap[k] + groups_[g].tol[k]);
      if (need > most)
        return fmt::format("no {}node has {} >= {}", task.selector.empty() ? "" : "matching ", plan_.dims[k],
                           fmt::format("{}", need));
    }
    const auto& elig = elig_[elig_of_task_[t]];
    if (spread_key_[t] >= 0) {
      bool any_label = false, any_open = false;
      for (auto g : elig) {
        any_label |= groups_[g].spread_value[static_cast<std::size_t>(spread_key_[t])] >= 0;
        any_open |= !group_blocked(t, g);
      }
      if (!any_label) return fmt::format("spread by {}: no eligible node has label {}", task.spread.by, task.spread.by);
      if (!any_open)
        return fmt::format("spread by {}: every {} value already has {} replica(s) of {}", task.spread.by,
                           task.spread.by, task.spread.max_per, task.name);
    }
    // Capacity: the dimension short on most eligible nodes that are open to it.
    std::vector<std::uint64_t> short_on(d_, 0);
    std::uint64_t candidates = 0, blocked = 0;
    for (auto g : elig) {
      if (group_blocked(t, g)) continue;
      for (auto v : groups_[g].members) {
        if (node_blocked(t, v)) {
          ++blocked;
          continue;
        }
        ++candidates;
        for (std::size_t k = 0; k < d_; ++k)
          if (load_[v * d_ + k] + req_[t * d_ + k] > groups_[g].cap[k] + groups_[g].tol[k]) ++short_on[k];
      }
    }
    if (candidates == 0 && blocked > 0)
      return fmt::format("spread by node: every eligible node already has {} replica(s) of {}", task.spread.max_per,
                         task.name);
    if (d_ == 0) return fmt::format("no room on {} eligible node(s)", candidates);
    std::size_t worst = 0;
    for (std::size_t k = 1; k < d_; ++k)
      if (short_on[k] > short_on[worst]) worst = k;
    return fmt::format("insufficient free {} (needs {}) on {} eligible node(s)", plan_.dims[worst],
                       fmt::format("{}", req_[t * d_ + worst]), candidates);
  }

  Plan finish() {
    auto& s = plan_.summary;
    s.nodes = n_;
    s.replicas = r_;
    // Reasons for what is left unplaced.
    std::vector<std::string> reason_of_task(pb_.tasks.size());
    std::vector<char> have(pb_.tasks.size(), 0);
    for (std::uint64_t r = 0; r < r_; ++r) {
      if (plan_.node_of[r] != kUnplaced) continue;
      ++s.unplaced;
      auto t = task_of_[r];
      auto ev = evicted_by_.find(r);
      if (ev != evicted_by_.end()) {
        plan_.reason[r] =
            fmt::format("evicted for {} (priority {} > {}) and no other node fits", pb_.tasks[ev->second].name,
                        pb_.tasks[ev->second].priority, pb_.tasks[t].priority);
        continue;
      }
      if (!have[t]) {
        reason_of_task[t] = unplaced_reason(t);
        have[t] = 1;
      }
      plan_.reason[r] = reason_of_task[t];
    }
    s.placed = r_ - s.unplaced;
    // Moves: running replicas that end elsewhere (evicted ones excluded).
    for (std::uint64_t r = 0; r < r_; ++r) {
      auto o = origin_[r];
      if (o == kNo || plan_.node_of[r] == kUnplaced || plan_.node_of[r] == o) continue;
      if (evicted_by_.count(r)) continue;
      auto t = task_of_[r];
      plan_.moves.push_back({t, static_cast<std::uint32_t>(r - plan_.first_replica[t]), o, plan_.node_of[r]});
    }
    // Utilisation and objective values.
    std::vector<double> used_load(d_, 0.0), used_cap(d_, 0.0);
    std::vector<double> node_util;
    double sum_u = 0, sum_u2 = 0;
    for (std::uint32_t v = 0; v < n_; ++v) {
      const auto& g = groups_[group_of_[v]];
      double u = order_key_util(v);
      sum_u += u;
      sum_u2 += u * u;
      if (!used(v)) continue;
      ++s.nodes_used;
      for (std::size_t k = 0; k < d_; ++k) {
        used_load[k] += load_[v * d_ + k];
        used_cap[k] += g.cap[k];
      }
      s.max_utilisation = std::max(s.max_utilisation, u);
      const auto& rec = pb_.nodes[g.record];
      s.cost += rec.price;
      if (d_ > 0 && (rec.a > 0 || rec.b > 0 || rec.c > 0)) {
        std::size_t e = energy_dim_;
        double cap = g.cap[e];
        double uu = cap > 0 ? load_[v * d_ + e] / cap : 0;
        s.power += rec.a * uu * uu + rec.b * uu + rec.c;
      }
    }
    if (n_) {
      double mean = sum_u / static_cast<double>(n_);
      s.utilisation_stddev = std::sqrt(std::max(0.0, sum_u2 / static_cast<double>(n_) - mean * mean));
    }
    s.utilisation.resize(d_);
    for (std::size_t k = 0; k < d_; ++k) s.utilisation[k] = used_cap[k] > 0 ? used_load[k] / used_cap[k] : 0;
    switch (opt_.objective) {
      case Objective::kPack:
        s.objective_value = static_cast<double>(s.nodes_used);
        s.lower_bound = vbp_lower_bound_ >= 0 ? vbp_lower_bound_ : node_count_bound();
        break;
      case Objective::kSpread:
        s.objective_value = s.max_utilisation;
        s.lower_bound = balanced_bound();
        break;
      case Objective::kCost:
        s.objective_value = s.cost;
        s.lower_bound = cost_bound();
        break;
      case Objective::kEnergy:
        s.objective_value = s.power;
        if (divisible_.feasible) {
          s.divisible_power = divisible_.power;
          s.divisible_exact = divisible_.exact;
          s.lower_bound = divisible_.exact ? divisible_.power : 0;
        }
        break;
    }
    if (s.method.empty()) s.method = default_method();
    plan_.unknown_nodes = unknown_current_;
    plan_.summary = s;
    return std::move(plan_);
  }

  double order_key_util(std::uint32_t v) const {
    const auto& g = groups_[group_of_[v]];
    double u = 0;
    for (std::size_t k = 0; k < d_; ++k)
      if (g.cap[k] > 0) u = std::max(u, load_[v * d_ + k] / g.cap[k]);
    return u;
  }

  std::string default_method() const {
    switch (opt_.objective) {
      case Objective::kPack:
        return "first-fit-decreasing+empty-nodes";
      case Objective::kSpread:
        return "least-allocated+levelling";
      case Objective::kCost:
        return "cost-efficient-open+empty-nodes+downsize";
      case Objective::kEnergy:
        return "divisible-guided+empty-nodes";
    }
    return "";
  }

  // Placed demand only: replicas that cannot be placed do not raise bounds.
  std::vector<double> placed_demand() const {
    std::vector<double> dem(d_, 0.0);
    for (std::uint64_t r = 0; r < r_; ++r)
      if (plan_.node_of[r] != kUnplaced)
        for (std::size_t k = 0; k < d_; ++k) dem[k] += req(r)[k];
    return dem;
  }

  // Fewest nodes whose capacities cover the placed demand, per dimension.
  double node_count_bound() const {
    auto dem = placed_demand();
    double lb = 0;
    for (std::size_t k = 0; k < d_; ++k) {
      if (dem[k] <= 0) continue;
      std::vector<std::pair<double, std::uint64_t>> caps;
      for (const auto& g : groups_) caps.emplace_back(g.cap[k], g.members.size());
      std::sort(caps.rbegin(), caps.rend());
      double left = dem[k] * (1 - 1e-12), count = 0;
      for (const auto& [c, m] : caps) {
        if (left <= 0 || c <= 0) break;
        double take = std::min<double>(static_cast<double>(m), std::ceil(left / c));
        count += take;
        left -= take * c;
      }
      lb = std::max(lb, count);
    }
    bool any = false;
    for (std::uint64_t r = 0; r < r_ && !any; ++r) any = plan_.node_of[r] != kUnplaced;
    return any ? std::max(lb, 1.0) : 0.0;
  }

  // Max utilisation cannot be below total placed demand / total capacity.
  double balanced_bound() const {
    auto dem = placed_demand();
    double lb = 0;
    for (std::size_t k = 0; k < d_; ++k) {
      double cap = 0;
      for (const auto& g : groups_) cap += g.cap[k] * static_cast<double>(g.members.size());
      if (cap > 0) lb = std::max(lb, dem[k] / cap);
    }
    return lb;
  }

  // Fractional covering: per dimension, buying capacity at the cheapest
  // price per unit, as far as the nodes on offer allow.
  double cost_bound() const {
    auto dem = placed_demand();
    double lb = 0;
    for (std::size_t k = 0; k < d_; ++k) {
      if (dem[k] <= 0) continue;
      std::vector<std::pair<double, double>> offers;  // price per unit, units available
      for (const auto& g : groups_)
        if (g.cap[k] > 0)
          offers.emplace_back(pb_.nodes[g.record].price / g.cap[k], g.cap[k] * static_cast<double>(g.members.size()));
      std::sort(offers.begin(), offers.end());
      double left = dem[k], cost = 0;
      for (const auto& [unit, avail] : offers) {
        double take = std::min(left, avail);
        cost += take * unit;
        left -= take;
        if (left <= 0) break;
      }
      lb = std::max(lb, cost);
    }
    return lb;
  }

  const Problem& pb_;
  const ClusterOptions& opt_;
  detail::Rng rng_;
  Plan plan_;
  std::size_t d_ = 0, n_ = 0;
  std::uint64_t r_ = 0;
  std::vector<double> max_cap_;
  std::vector<double> min_req_;  // per dimension, over all tasks
  std::vector<Group> groups_;
  std::vector<std::uint32_t> group_of_, pos_;
  std::vector<double> load_;
  std::vector<std::vector<std::uint32_t>> on_node_;
  std::vector<double> req_;
  std::vector<double> measure_;
  std::vector<std::int64_t> priority_;
  std::vector<std::uint32_t> task_of_;
  std::vector<std::uint32_t> origin_;
  std::vector<std::vector<std::uint32_t>> elig_;
  std::vector<std::uint32_t> elig_of_task_;
  std::vector<std::string> spread_keys_;
  std::vector<std::vector<std::string>> spread_values_;
  std::vector<std::int32_t> spread_key_;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> spread_counts_;
  std::vector<double> total_demand_, remaining_demand_;
  std::vector<char> energy_on_;
  EnergyResult divisible_;
  std::size_t energy_dim_ = 0;
  std::uint32_t excluded_ = kNo;
  static constexpr std::size_t kScoredGroups = 8;
  std::size_t rotation_ = 0;
  std::size_t extra_groups_ = 0;
  std::int64_t moves_used_ = 0;
  double vbp_lower_bound_ = -1;
  double cpu_start_ = 0, improve_start_ = 0;
  std::unordered_map<std::uint64_t, std::uint32_t> evicted_by_;
  std::vector<std::string> unknown_current_;
};

}  // namespace

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::kPack:
      return "pack";
    case Objective::kSpread:
      return "spread";
    case Objective::kCost:
      return "cost";
    case Objective::kEnergy:
      return "energy";
  }
  return "?";
}

std::vector<std::string> problem_dims(const Problem& problem) {
  std::vector<std::string> dims;
  std::unordered_map<std::string, bool> seen;
  auto add = [&](const std::string& k) {
    if (seen.try_emplace(k, true).second) dims.push_back(k);
  };
  for (const auto& n : problem.nodes)
    for (const auto& [k, v] : n.capacity) add(k);
  for (const auto& t : problem.tasks)
    for (const auto& [k, v] : t.request) add(k);
  return dims;
}

Plan solve_cluster(const Problem& problem, const ClusterOptions& options) {
  Solver s(problem, options);
  return s.run();
}

}  // namespace lepton::schedule
