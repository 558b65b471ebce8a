// Replica counts from forecast demand:
//   replicas = clamp(ceil(demand / (per_replica * target)), min, max)
// per resource, the largest over resources, with scale-down held back by a
// stabilisation window (the largest recommendation of the window wins, as
// in the Kubernetes horizontal pod autoscaler).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "lepton/json.h"
#include "lepton/schedule/model.h"

namespace lepton::schedule {

struct ScaleOptions {
  std::string task_label = "task";  ///< forecast label naming the task
  /// resource -> forecast metric; empty means every metric is a resource of
  /// the same name.
  std::vector<std::pair<std::string, std::string>> resources;
  double target = 0.7;  ///< utilisation target per replica, (0, 1]
  std::int64_t min_replicas = 1;
  std::int64_t max_replicas = -1;  ///< -1: no upper limit
  double stabilization = 300;      ///< seconds
  std::string state_file;          ///< remembers recommendations between runs ("" = none)
  double now = 0;                  ///< time of this run, Unix seconds
};

/// Collects forecast records: per task and resource, the demand is the
/// largest, over forecast times, of the sum over series of `hi` (or `value`
/// when a record has no `hi`).
class DemandCollector {
 public:
  explicit DemandCollector(const ScaleOptions& options) : options_(options) {}

  enum class Added { kUsed, kNotMine, kBad };

  /// Reads one forecast record. kNotMine: its metric maps to no resource or
  /// it has no task label (the caller passes it through); kBad: `problem`
  /// and `got` say what is wrong (no metric, non-numeric bounds, bad ts).
  Added add(const JsonDocument& doc, std::string& problem, std::string& got);

  /// task -> resource -> demand.
  std::map<std::string, std::map<std::string, double>> demand() const;

 private:
  const ScaleOptions& options_;
  // (task, resource) -> ts -> sum of upper bounds at ts
  std::map<std::pair<std::string, std::string>, std::map<double, double>> sums_;
};

/// One scaling decision.
struct ScaleDecision {
  std::string task;
  std::int64_t replicas = 0;   ///< what to run
  std::int64_t desired = 0;    ///< the formula's count before stabilisation
  std::int64_t previous = -1;  ///< current count (-1: unknown)
  std::map<std::string, double> demand;
  std::map<std::string, double> per_replica;
  double target = 0;
  std::int64_t min_replicas = 0, max_replicas = -1;
  bool held = false;  ///< a scale-down was held back by the window
  std::string note;   ///< why held, or why the count is what it is
};

/// Computes decisions for every task with demand. `tasks` supply the
/// per-replica request (and optional overrides min_replicas, max_replicas,
/// target, and the current count in `replicas`); a task with demand but no
/// record, or no request in any demanded resource, gets a decision with
/// replicas -1 and a note saying why. Reads and rewrites (atomically) the
/// state file when one is set; throws DataError if it cannot.
std::vector<ScaleDecision> decide_scale(const std::map<std::string, std::map<std::string, double>>& demand,
                                        const std::vector<Task>& tasks, const ScaleOptions& options);

}  // namespace lepton::schedule
