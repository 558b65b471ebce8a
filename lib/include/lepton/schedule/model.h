// The records lepton-schedule reads: nodes (capacity, labels, taints, price,
// power coefficients, count) and tasks (request per replica, replicas,
// selector, tolerations, priority, spread, current node). Field by field
// documentation is in man/lepton-schedule.1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lepton/json.h"

namespace lepton::schedule {

using LabelMap = std::vector<std::pair<std::string, std::string>>;  ///< sorted by key, unique keys

/// A taint: nodes with it accept only tasks that tolerate it.
struct Taint {
  std::string key;
  std::string value;   ///< may be empty
  std::string effect;  ///< e.g. NoSchedule; informational, every taint is enforced
};

/// A toleration: `key` with empty `value` tolerates any value of the key;
/// key "*" tolerates every taint.
struct Toleration {
  std::string key;
  std::string value;
};

/// A node record. `count` > 1 describes that many identical nodes named
/// `<name>#0` .. `<name>#<count-1>`.
struct Node {
  std::string name;
  std::vector<std::pair<std::string, double>> capacity;  ///< resource -> amount (>= 0), as read
  LabelMap labels;
  std::vector<Taint> taints;
  double price = 0;            ///< cost per node per unit of time (any currency)
  std::string provider;        ///< optional, informational (cost objective groups by it in the summary)
  std::string type;            ///< optional, informational
  double a = 0, b = 0, c = 0;  ///< power = a*u^2 + b*u + c when on (u = utilisation), 0 when off
  std::uint64_t count = 1;
};

/// Spread (anti-affinity) of a task's replicas: at most `max_per` replicas
/// per node (`by` == "node") or per value of the node label `by`.
struct Spread {
  std::string by;  ///< empty: no spread
  std::uint32_t max_per = 1;
};

/// A task record: `replicas` copies, each needing `request`.
struct Task {
  std::string name;
  std::vector<std::pair<std::string, double>> request;  ///< resource -> amount per replica (>= 0)
  std::uint32_t replicas = 1;
  bool replicas_given = false;  ///< the record had a `replicas` field
  LabelMap selector;            ///< node labels required (all must match)
  std::vector<Toleration> tolerations;
  std::int64_t priority = 0;
  Spread spread;
  std::vector<std::string> current;  ///< current node per replica; "" = not running
  // Scaling overrides (see scale.h); negative = not given.
  std::int64_t min_replicas = -1;
  std::int64_t max_replicas = -1;
  double target = -1;
};

/// Parses a node record (`kind` already known to be "node"). Returns false
/// with `problem` and the offending text in `got` for a bad record.
bool parse_node(const JsonDocument& doc, Node& node, std::string& problem, std::string& got);

/// Parses a task record (`kind` "task").
bool parse_task(const JsonDocument& doc, Task& task, std::string& problem, std::string& got);

/// Whether node labels satisfy a selector.
bool selector_matches(const LabelMap& selector, const LabelMap& labels);

/// Whether tolerations tolerate every taint.
bool tolerates(const std::vector<Toleration>& tolerations, const std::vector<Taint>& taints);

/// The label value of `key`, or null.
const std::string* find_label(const LabelMap& labels, std::string_view key);

/// Text of a taint as `key=value:effect`.
std::string taint_text(const Taint& t);

}  // namespace lepton::schedule
