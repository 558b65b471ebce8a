// Exact water-filling for the divisible energy problem, and the choice of
// which nodes are on.
#include "lepton/schedule/energy.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lepton::schedule {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Event {
  double lambda;
  double slope;  // change of dX/dlambda at lambda
  double jump;   // X jumps by this much at lambda (linear-power nodes filling at once)
};

}  // namespace

double water_fill(const std::vector<EnergyType>& types, const std::vector<std::uint64_t>& on, double total_load,
                  std::vector<double>& load) {
  load.assign(types.size(), 0.0);
  double capacity = 0, fixed = 0;
  for (std::size_t t = 0; t < types.size(); ++t) {
    capacity += static_cast<double>(on[t]) * types[t].capacity;
    fixed += static_cast<double>(on[t]) * types[t].c;
  }
  if (total_load > capacity * (1 + 1e-12) + 1e-12) return kInf;
  if (total_load <= 0) return fixed;
  if (total_load >= capacity) {  // everything full
    double p = 0;
    for (std::size_t t = 0; t < types.size(); ++t)
      if (on[t]) {
        load[t] = types[t].capacity;
        p += static_cast<double>(on[t]) * node_power(types[t], load[t]);
      }
    return p;
  }
  // X(lambda) = sum of loads at marginal power lambda: piecewise linear with
  // jumps; walk its breakpoints to the segment holding total_load.
  std::vector<Event> ev;
  for (std::size_t t = 0; t < types.size(); ++t) {
    if (!on[t]) continue;
    const auto& ty = types[t];
    double k = static_cast<double>(on[t]);
    double lo = ty.b / ty.capacity;
    if (ty.a > 0) {
      double slope = k * ty.capacity * ty.capacity / (2 * ty.a);
      ev.push_back({lo, slope, 0});
      ev.push_back({lo + 2 * ty.a / ty.capacity, -slope, 0});
    } else {
      ev.push_back({lo, 0, k * ty.capacity});
    }
  }
  std::sort(ev.begin(), ev.end(), [](const Event& x, const Event& y) { return x.lambda < y.lambda; });
  double x = 0, slope = 0, lambda = ev.front().lambda;
  double jump_fraction = -1, jump_lambda = 0;
  std::size_t i = 0;
  bool found = false;
  while (i < ev.size()) {
    double at = ev[i].lambda;
    // Linear growth up to this breakpoint.
    double reach = x + slope * (at - lambda);
    if (slope > 0 && reach >= total_load) {
      lambda = lambda + (total_load - x) / slope;
      found = true;
      break;
    }
    x = reach;
    lambda = at;
    double jump = 0;
    for (; i < ev.size() && ev[i].lambda == at; ++i) {
      slope += ev[i].slope;
      jump += ev[i].jump;
    }
    if (jump > 0 && x + jump >= total_load) {
      jump_fraction = (total_load - x) / jump;
      jump_lambda = at;
      found = true;
      break;
    }
    x += jump;
    if (slope < 1e-300) slope = 0;  // rounding after the last rising node saturates
  }
  if (!found) lambda = ev.back().lambda;  // rounding: total_load equals the capacity
  double p = 0;
  for (std::size_t t = 0; t < types.size(); ++t) {
    if (!on[t]) continue;
    const auto& ty = types[t];
    double lo = ty.b / ty.capacity;
    double xt;
    if (ty.a > 0) {
      xt = std::clamp((lambda - lo) * ty.capacity * ty.capacity / (2 * ty.a), 0.0, ty.capacity);
    } else if (jump_fraction >= 0 && lo == jump_lambda) {
      xt = jump_fraction * ty.capacity;
    } else {
      xt = lo < lambda ? ty.capacity : 0.0;
    }
    load[t] = xt;
    p += static_cast<double>(on[t]) * node_power(ty, xt);
  }
  return p;
}

EnergyResult solve_divisible_energy(const std::vector<EnergyType>& types, double total_load,
                                    std::uint64_t max_enumeration) {
  EnergyResult r;
  const std::size_t n = types.size();
  r.on.assign(n, 0);
  r.load.assign(n, 0.0);
  double capacity = 0;
  for (const auto& t : types) capacity += static_cast<double>(t.count) * t.capacity;
  r.feasible = total_load <= capacity * (1 + 1e-12) + 1e-12;
  if (!r.feasible) {
    r.power = kInf;
    return r;
  }
  // Number of count combinations, saturating.
  std::uint64_t combos = 1;
  for (const auto& t : types) {
    if (combos > max_enumeration) break;
    combos = t.count + 1 > max_enumeration ? max_enumeration + 1 : combos * (t.count + 1);
  }
  std::vector<double> load;
  r.power = kInf;
  if (combos <= max_enumeration) {
    r.exact = true;
    std::vector<std::uint64_t> on(n, 0);
    for (;;) {
      double p = water_fill(types, on, total_load, load);
      if (p < r.power * (1 - 1e-13) - 1e-13) {
        r.power = p;
        r.on = on;
        r.load = load;
      }
      std::size_t t = 0;
      while (t < n && on[t] == types[t].count) on[t++] = 0;
      if (t == n) break;
      ++on[t];
    }
    return r;
  }
  // Local search over counts: start with everything on, then take the best
  // single change (one type up or down by a step, or a swap of one node
  // between two types), with steps halving from large to 1.
  std::vector<std::uint64_t> on(n);
  for (std::size_t t = 0; t < n; ++t) on[t] = types[t].count;
  double best = water_fill(types, on, total_load, load);
  std::uint64_t step = 1;
  for (const auto& t : types) step = std::max(step, t.count / 2);
  for (;;) {
    bool improved = false;
    std::vector<std::uint64_t> best_on = on;
    auto consider = [&](const std::vector<std::uint64_t>& cand) {
      double p = water_fill(types, cand, total_load, load);
      if (p < best * (1 - 1e-13) - 1e-13) {
        best = p;
        best_on = cand;
        improved = true;
      }
    };
    for (std::size_t t = 0; t < n; ++t) {
      if (on[t] >= step) {
        auto c = on;
        c[t] -= step;
        consider(c);
      }
      if (on[t] + step <= types[t].count) {
        auto c = on;
        c[t] += step;
        consider(c);
      }
      for (std::size_t s = 0; s < n; ++s) {
        if (s == t || on[t] < step || on[s] + step > types[s].count) continue;
        auto c = on;
        c[t] -= step;
        c[s] += step;
        consider(c);
      }
    }
    if (improved) {
      on = best_on;
      continue;
    }
    if (step == 1) break;
    step /= 2;
  }
  r.on = on;
  r.power = water_fill(types, on, total_load, r.load);
  return r;
}

}  // namespace lepton::schedule
