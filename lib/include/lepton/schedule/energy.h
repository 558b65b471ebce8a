// The divisible energy problem: split a total load L over nodes so that the
// total power sum over nodes that are on of a*u^2 + b*u + c, with u = x/C
// the node's utilisation (load x, capacity C), is least. Nodes that are off
// draw nothing and take no load.
//
// For a fixed set of nodes that are on the problem is a separable convex
// quadratic program, solved exactly by its KKT conditions (water-filling):
// every loaded node below capacity has the same marginal power
// dP/dx = 2*a*x/C^2 + b/C = lambda, and lambda is found exactly by walking
// the sorted breakpoints of the piecewise-linear total load X(lambda).
//
// Which nodes are on is combinatorial. Nodes with equal (C, a, b, c) are
// interchangeable, so a choice is a count per type; the solver enumerates
// every combination of counts when there are at most `max_enumeration` of
// them (exact), and otherwise improves a greedy choice by adding, removing
// and swapping single nodes until no change helps (a local optimum).
#pragma once

#include <cstdint>
#include <vector>

namespace lepton::schedule {

/// A node type: `count` identical nodes.
struct EnergyType {
  double capacity = 1;         ///< > 0
  double a = 0, b = 0, c = 0;  ///< >= 0
  std::uint64_t count = 1;
};

struct EnergyResult {
  bool feasible = false;          ///< total capacity >= load
  bool exact = false;             ///< the on/off choice was enumerated exhaustively
  double power = 0;               ///< optimum (or best found) total power
  std::vector<std::uint64_t> on;  ///< per type: nodes on
  std::vector<double> load;       ///< per type: load of each node that is on
};

/// Water-filling for a fixed on-set: `on[t]` nodes of type t are on. Fills
/// `load` (per type, per node) and returns the total power including the
/// fixed terms c of the nodes that are on; +inf if the on nodes cannot carry
/// `total_load`.
double water_fill(const std::vector<EnergyType>& types, const std::vector<std::uint64_t>& on, double total_load,
                  std::vector<double>& load);

/// Solves the divisible problem (see above).
EnergyResult solve_divisible_energy(const std::vector<EnergyType>& types, double total_load,
                                    std::uint64_t max_enumeration = 200000);

/// Power of one node of type `t` carrying `load` (0 if load is 0 and the node is off).
inline double node_power(const EnergyType& t, double load) {
  double u = load / t.capacity;
  return t.a * u * u + t.b * u + t.c;
}

}  // namespace lepton::schedule
