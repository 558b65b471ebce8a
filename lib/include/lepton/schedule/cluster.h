// Placement of task replicas on a cluster of nodes under constraints, for
// the four objectives of lepton-schedule: pack (fewest nodes), spread
// (balanced utilisation), cost (cheapest set of nodes) and energy (least
// total power under power = a*u^2 + b*u + c).
//
// Constraints: every resource dimension must fit; task selectors must match
// node labels; node taints must be tolerated; replicas of a task with a
// spread go at most `max` to a node or to a value of a label; higher
// priority replicas are placed first and, with preemption, may evict running
// lower priority ones; replicas that run somewhere (their task's `node`)
// stay there unless a move budget lets the solver migrate them.
//
// Scaling: nodes with the same capacity, labels, taints, price and power
// coefficients form a group; each group keeps a segment tree of the free
// capacity of its nodes, so finding the first node that fits is
// O(log n) per group instead of a scan of every node.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lepton/schedule/model.h"

namespace lepton::schedule {

enum class Objective { kPack, kSpread, kCost, kEnergy };

/// "pack", "spread", "cost", "energy".
const char* objective_name(Objective o);

/// A problem as read: dimensions are the union of every capacity and request
/// key, in order of first appearance.
struct Problem {
  std::vector<Node> nodes;
  std::vector<Task> tasks;
};

struct ClusterOptions {
  Objective objective = Objective::kPack;
  /// Processor-time budget, seconds, of the improvement phase (local
  /// search after the constructive placement).
  double time_limit = 0.006;
  std::uint64_t seed = 1;
  /// Migrations of running replicas allowed (tasks' current `node`); 0 keeps
  /// every running replica where it is.
  std::uint64_t max_moves = 0;
  /// Running replicas of lower priority may be evicted to make room.
  bool preempt = false;
  /// Dimension whose utilisation drives the power model (empty: "cpu" if
  /// present, else the first dimension).
  std::string energy_dim;
  /// Called now and then while replicas are placed: (placed so far, to place),
  /// every 4096 replicas and once at the end. Replicas left running where
  /// they are do not count.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

inline constexpr std::uint32_t kUnplaced = 0xffffffffu;

/// A migration of a running replica.
struct Move {
  std::uint32_t task = 0, replica = 0;
  std::uint32_t from = 0, to = 0;  ///< expanded node indices
};

/// An eviction of a running replica to make room for a higher priority one.
struct Eviction {
  std::uint32_t task = 0, replica = 0;
  std::uint32_t node = 0;     ///< where it ran
  std::uint32_t by_task = 0;  ///< the task it made room for
};

struct PlanSummary {
  std::uint64_t nodes = 0;       ///< nodes available (counts expanded)
  std::uint64_t nodes_used = 0;  ///< nodes with at least one replica
  std::uint64_t replicas = 0;
  std::uint64_t placed = 0;
  std::uint64_t unplaced = 0;
  double lower_bound = 0;  ///< on the objective value (nodes, cost, max utilisation or power)
  double objective_value = 0;
  std::vector<double> utilisation;  ///< per dimension: load / capacity over used nodes
  double max_utilisation = 0;       ///< largest per-node utilisation in any dimension
  double utilisation_stddev = 0;    ///< of per-node max-dimension utilisation over all nodes
  double cost = 0;                  ///< total price of used nodes
  double power = 0;                 ///< total power of used nodes (nodes with a, b or c)
  double divisible_power = -1;      ///< energy: optimum of the divisible relaxation (-1: not computed)
  bool divisible_exact = false;     ///< the divisible optimum's on/off choice is exact
  std::string method;               ///< algorithm that produced the plan
};

struct Plan {
  std::vector<std::string> dims;
  std::vector<std::string> node_names;       ///< expanded: `<name>` or `<name>#<i>` for counts
  std::vector<std::uint32_t> node_record;    ///< problem.nodes index of each expanded node
  std::vector<std::uint64_t> first_replica;  ///< per task: index of its replica 0; size tasks+1
  std::vector<std::uint32_t> node_of;        ///< per replica: expanded node or kUnplaced
  std::vector<std::string> reason;           ///< per replica: why unplaced (empty when placed)
  std::vector<Move> moves;
  std::vector<Eviction> evictions;
  std::vector<std::string> unknown_nodes;  ///< current nodes named by tasks but not in the inventory
  PlanSummary summary;
};

/// Solves the placement. Throws DataError for inconsistent input that no
/// single record shows (e.g. a duplicate node or task name).
Plan solve_cluster(const Problem& problem, const ClusterOptions& options);

/// The dimension names of a problem (capacity and request keys in order of
/// first appearance, nodes first).
std::vector<std::string> problem_dims(const Problem& problem);

}  // namespace lepton::schedule
