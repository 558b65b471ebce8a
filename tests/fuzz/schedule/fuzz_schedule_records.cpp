// Fuzzes lepton-schedule's record layer and solver. Each input line is a
// record; node and task records are parsed (bad ones must come with a
// problem text), the valid ones solved under every objective. Invariants:
// every replica is placed or unplaced with a reason, no node exceeds its
// capacity, selectors, taints and spread limits hold, and moves stay
// within the budget.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "lepton/json.h"
#include "lepton/schedule/cluster.h"
#include "lepton/schedule/model.h"

namespace ls = lepton::schedule;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ls::Problem pb;
  lepton::JsonDocument doc;
  std::map<std::string, int> names;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (!doc.parse(line) || !doc.root().is_object()) continue;
    const lepton::JsonValue* kind = doc.get("kind");
    if (!kind || !kind->is_string()) continue;
    std::string problem, got;
    if (kind->str == "node") {
      ls::Node n;
      bool ok = ls::parse_node(doc, n, problem, got);
      if (!ok && problem.empty()) std::abort();
      // Keep the expansion small and names unique, as the reader would.
      if (ok && n.count <= 16 && names.emplace("n" + n.name, 1).second) pb.nodes.push_back(n);
    } else if (kind->str == "task") {
      ls::Task t;
      bool ok = ls::parse_task(doc, t, problem, got);
      if (!ok && problem.empty()) std::abort();
      if (ok && t.replicas <= 16 && names.emplace("t" + t.name, 1).second) pb.tasks.push_back(t);
    }
  }
  if (pb.nodes.size() > 32 || pb.tasks.size() > 32) return 0;
  for (auto obj : {ls::Objective::kPack, ls::Objective::kSpread, ls::Objective::kCost, ls::Objective::kEnergy}) {
    ls::ClusterOptions o;
    o.objective = obj;
    o.time_limit = 0.001;
    o.max_moves = 2;
    o.preempt = true;
    ls::Plan plan;
    try {
      plan = ls::solve_cluster(pb, o);
    } catch (const std::exception&) {
      continue;  // e.g. a task names a current node twice over: data errors are allowed
    }
    if (plan.summary.placed + plan.summary.unplaced != plan.summary.replicas) std::abort();
    if (plan.moves.size() > 2) std::abort();
    std::map<std::pair<std::uint32_t, std::string>, double> load;
    std::map<std::pair<std::size_t, std::string>, std::uint32_t> spread;
    for (std::size_t t = 0; t < pb.tasks.size(); ++t) {
      const auto& task = pb.tasks[t];
      for (auto r = plan.first_replica[t]; r < plan.first_replica[t + 1]; ++r) {
        auto v = plan.node_of[r];
        if (v == ls::kUnplaced) {
          if (plan.reason[r].empty()) std::abort();
          continue;
        }
        const auto& n = pb.nodes[plan.node_record[v]];
        bool running_here = r - plan.first_replica[t] < task.current.size() &&
                            task.current[r - plan.first_replica[t]] == plan.node_names[v];
        if (!running_here &&
            (!ls::selector_matches(task.selector, n.labels) || !ls::tolerates(task.tolerations, n.taints)))
          std::abort();
        for (const auto& [k, x] : task.request) load[{v, k}] += x;
        if (!task.spread.by.empty() && !running_here) {
          std::string slot = task.spread.by == "node" ? plan.node_names[v] : *ls::find_label(n.labels, task.spread.by);
          ++spread[{t, slot}];
        }
      }
    }
    // Capacity holds on every node that carries only replicas placed by this run.
    for (const auto& [key, x] : load) {
      bool has_running = false;
      for (std::size_t t = 0; t < pb.tasks.size() && !has_running; ++t)
        for (const auto& c : pb.tasks[t].current) has_running |= c == plan.node_names[key.first];
      if (has_running) continue;
      double cap = 0;
      for (const auto& [k, c] : pb.nodes[plan.node_record[key.first]].capacity)
        if (k == key.second) cap = c;
      if (x > cap * (1 + 1e-9) + 1e-12) std::abort();
    }
    for (const auto& [key, count] : spread)
      if (count > pb.tasks[key.first].spread.max_per) std::abort();
  }
  return 0;
}
