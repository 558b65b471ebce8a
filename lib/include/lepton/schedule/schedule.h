// lepton-schedule as a library call: read node, task and forecast records
// (or .vbp instances), decide, and write placement, unplaced, move, evict,
// scale, allocation and summary records through an output format.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lepton/error.h"
#include "lepton/output.h"
#include "lepton/schedule/cluster.h"
#include "lepton/schedule/scale.h"

namespace lepton::schedule {

struct ScheduleOptions {
  std::vector<std::string> inputs;  ///< record streams (empty: stdin)
  std::string nodes_file;           ///< node inventory (node records only)
  std::string from;                 ///< "" (records) or "vbp"
  std::string format = "ndjson";
  std::string textfile;  ///< --textfile: also write the exposition here, atomically (must end in .prom)
  ClusterOptions cluster;
  bool divisible = false;  ///< energy: split load continuously, write allocation records
  bool demand_from_forecast = false;
  ScaleOptions scale;
};

/// One instance's result as the output formats see it.
struct PlanView {
  std::string_view instance;  ///< .vbp path, empty for record input
  const Problem* problem = nullptr;
  const Plan* plan = nullptr;
  Objective objective = Objective::kPack;
  double seconds = 0;      ///< wall-clock solve time
  double cpu_seconds = 0;  ///< processor time of the solve
};

/// Divisible energy result per node.
struct Allocation {
  std::string node;
  double load = 0, utilisation = 0, power = 0;
};

struct AllocationView {
  std::string dim;
  double total_load = 0;
  double power = 0;
  bool exact = false;
  bool feasible = true;
  std::uint64_t nodes = 0;
  std::vector<Allocation> on;  ///< nodes that are on
  double seconds = 0;
};

/// An output format. The default writes NDJSON records; new formats
/// implement this interface and register in make_format().
class Format {
 public:
  virtual ~Format() = default;
  /// A record that is not lepton-schedule's, passed through untouched.
  virtual void passthrough(std::string_view line) = 0;
  virtual void scale(const ScaleDecision& d) = 0;
  /// Evictions, moves, one placement or unplaced record per replica, summary.
  virtual void plan(const PlanView& v) = 0;
  virtual void allocation(const AllocationView& v) = 0;
  virtual void finish() = 0;
};

/// Names accepted by --format: ndjson, prometheus.
std::vector<std::string> format_names();

/// Creates the output format `name`; throws UsageError for an unknown one.
/// With a `textfile` path the results are also written there as Prometheus
/// exposition text (atomically, by finish()), whatever the format.
///
/// The prometheus format writes, at finish(), these gauges (no timestamps;
/// with --from vbp every plan sample also has `file`, the instance):
///   lepton_schedule_replicas{task,node}            replicas placed
///   lepton_schedule_unplaced_replicas{task,reason} replicas not placed
///   lepton_schedule_nodes, lepton_schedule_nodes_used
///   lepton_schedule_objective_value{objective}, lepton_schedule_lower_bound{objective}
///   lepton_schedule_utilization{dimension}         load / capacity of used nodes
///   lepton_schedule_moves, lepton_schedule_evictions
///   lepton_schedule_scale_replicas{task}, lepton_schedule_scale_desired{task},
///   lepton_schedule_scale_current{task}            (scale decisions)
///   lepton_schedule_allocation_load{node,dimension}, lepton_schedule_allocation_utilization{node,dimension},
///   lepton_schedule_allocation_power{node}         (--divisible)
/// Records that are not lepton-schedule's are not written.
std::unique_ptr<Format> make_format(std::string_view name, Output& out, const std::string& textfile = {});

/// Runs lepton-schedule. Returns the exit status (0); bad records follow
/// the Diagnostics policy, usage problems throw UsageError.
int run_schedule(const ScheduleOptions& options, Output& out, Diagnostics& diag);

}  // namespace lepton::schedule
