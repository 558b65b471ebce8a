// lepton-schedule: reading, dispatch to the solvers, output.
#include "lepton/schedule/schedule.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "lepton/input.h"
#include "lepton/record.h"
#include "lepton/schedule/energy.h"
#include "lepton/schedule/vbp.h"
#include "lepton/tool.h"
#include "schedule/rng.h"

namespace lepton::schedule {
namespace {

// Detects repeated names without keeping a copy of each: names are hashed,
// and a hash seen before is confirmed against the stored name.
class NameSet {
 public:
  /// Returns false if `name` was added before; `lookup(i)` gives the i-th name added.
  template <typename Lookup>
  bool add(const std::string& name, std::size_t index, Lookup lookup) {
    auto [it, fresh] = first_.try_emplace(stable_hash(name), index);
    if (fresh) return true;
    if (lookup(it->second) == name) return false;
    return collided_.insert(name).second;  // a different name with the same hash
  }

 private:
  std::unordered_map<std::uint64_t, std::size_t> first_;
  std::unordered_set<std::string> collided_;
};

std::string_view kind_of(const JsonDocument& doc) {
  const JsonValue* k = doc.get("kind");
  return k && k->is_string() ? k->str : std::string_view{};
}

void check_options(const ScheduleOptions& o) {
  if (o.divisible && o.cluster.objective != Objective::kEnergy)
    throw UsageError("--divisible applies to --objective energy");
  if (!o.from.empty() && o.from != "vbp") throw UsageError(fmt::format("--from takes vbp; got '{}'", o.from));
  if (o.from == "vbp") {
    if (o.cluster.objective != Objective::kPack) throw UsageError("--from vbp packs: use --objective pack");
    if (!o.nodes_file.empty() || o.demand_from_forecast)
      throw UsageError("--from vbp reads instances; --nodes and --demand-from do not apply");
  }
  if (!(o.scale.target > 0 && o.scale.target <= 1))
    throw UsageError(fmt::format("--target must be in (0, 1]; got {}", o.scale.target));
  if (o.scale.max_replicas >= 0 && o.scale.min_replicas > o.scale.max_replicas)
    throw UsageError(fmt::format("--min ({}) is larger than --max ({})", o.scale.min_replicas, o.scale.max_replicas));
  if (!(o.cluster.time_limit >= 0)) throw UsageError("--time-limit must be >= 0");
}

// Reads node records from the inventory file.
void read_nodes(const std::string& path, Problem& pb, NameSet& names, Diagnostics& diag) {
  RecordReader rr({path}, diag);
  std::string problem, got;
  while (rr.next()) {
    if (kind_of(rr.doc()) != "node") {
      rr.bad("--nodes file holds node records only (\"kind\":\"node\")", rr.line());
      continue;
    }
    Node n;
    if (!parse_node(rr.doc(), n, problem, got)) {
      rr.bad(problem, got);
      continue;
    }
    if (!names.add(n.name, pb.nodes.size(), [&](std::size_t i) -> const std::string& { return pb.nodes[i].name; })) {
      rr.bad("duplicate node name", n.name);
      continue;
    }
    pb.nodes.push_back(std::move(n));
  }
}

// `shared_terminal`: the plans go to the terminal the progress bar is on,
// so the bar is cleared before each is written.
int run_vbp(const ScheduleOptions& o, Format& format, Diagnostics& diag, bool shared_terminal) {
  std::vector<std::string> inputs = o.inputs.empty() ? std::vector<std::string>{"-"} : o.inputs;
  Progress progress("lepton-schedule: instances", inputs.size(), diag.stream());
  std::size_t done = 0;
  for (const auto& path : inputs) {
    progress.update(done++);
    VbpFile f;
    std::string name = path == "-" ? "<stdin>" : path;
    try {
      f = parse_vbp(read_text_file(path), name);
    } catch (const DataError& e) {
      if (diag.policy() == OnError::kFail) throw;
      diag.bad_record({name, 0}, e.what(), {});
      continue;
    }
    const auto& in = f.instance;
    // Items larger than a bin are reported unplaced, the rest packed.
    VbpInstance packable;
    packable.dims = in.dims;
    packable.capacity = in.capacity;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < in.items(); ++i)
      if (item_fits_empty_bin(in, i)) {
        packable.add_item(in.item(i));
        index.push_back(i);
      }
    VbpOptions vo;
    vo.time_limit = o.cluster.time_limit;
    vo.seed = o.cluster.seed;
    double start = detail::monotonic_seconds(), cpu_start = detail::cpu_seconds();
    auto sol = solve_vbp(packable, vo);
    double seconds = detail::monotonic_seconds() - start, cpu = detail::cpu_seconds() - cpu_start;
    Problem pb;
    Plan plan;
    for (std::size_t k = 0; k < in.dims; ++k) plan.dims.push_back(fmt::format("d{}", k));
    for (std::uint32_t b = 0; b < sol.bins; ++b) plan.node_names.push_back(fmt::format("bin#{}", b));
    plan.first_replica.push_back(0);
    for (std::size_t j = 0; j < f.multiplicity.size(); ++j) {
      Task t;
      t.name = fmt::format("item{}", j);
      t.replicas = f.multiplicity[j];
      pb.tasks.push_back(std::move(t));
      plan.first_replica.push_back(plan.first_replica.back() + f.multiplicity[j]);
    }
    plan.node_of.assign(in.items(), kUnplaced);
    plan.reason.assign(in.items(), {});
    for (std::size_t p = 0; p < index.size(); ++p) plan.node_of[index[p]] = sol.bin_of[p];
    auto& s = plan.summary;
    std::vector<double> load(in.dims, 0.0);
    std::vector<double> bin_load(static_cast<std::size_t>(sol.bins) * in.dims, 0.0);
    for (std::size_t i = 0; i < in.items(); ++i) {
      if (plan.node_of[i] == kUnplaced) {
        for (std::size_t k = 0; k < in.dims; ++k)
          if (in.item(i)[k] > in.capacity[k] * (1 + kFitTolerance)) {
            plan.reason[i] = fmt::format("no node has d{} >= {}", k, in.item(i)[k]);
            break;
          }
        ++s.unplaced;
        continue;
      }
      for (std::size_t k = 0; k < in.dims; ++k) {
        load[k] += in.item(i)[k];
        bin_load[plan.node_of[i] * in.dims + k] += in.item(i)[k];
      }
    }
    for (std::size_t j = 0; j < bin_load.size(); ++j)
      s.max_utilisation = std::max(s.max_utilisation, bin_load[j] / in.capacity[j % in.dims]);
    s.nodes = s.nodes_used = sol.bins;
    s.replicas = in.items();
    s.placed = s.replicas - s.unplaced;
    s.objective_value = sol.bins;
    s.lower_bound = sol.lower_bound;
    s.utilisation.resize(in.dims);
    for (std::size_t k = 0; k < in.dims; ++k)
      s.utilisation[k] = sol.bins ? load[k] / (in.capacity[k] * static_cast<double>(sol.bins)) : 0;
    s.method = sol.heuristic.empty() ? "none" : sol.heuristic + (sol.bins < sol.start_bins ? "+local-search" : "");
    PlanView v{name, &pb, &plan, Objective::kPack, seconds, cpu};
    if (shared_terminal) progress.finish();
    format.plan(v);
  }
  progress.update(done);
  progress.finish();
  format.finish();
  return kExitOk;
}

int run_divisible(const Problem& pb, const ScheduleOptions& o, Format& format) {
  double start = detail::monotonic_seconds();
  auto dims = problem_dims(pb);
  std::string dim = o.cluster.energy_dim;
  if (dim.empty()) dim = std::find(dims.begin(), dims.end(), "cpu") != dims.end() ? "cpu" : dims.empty() ? "" : dims[0];
  if (dim.empty() || std::find(dims.begin(), dims.end(), dim) == dims.end())
    throw UsageError(
        fmt::format("--energy-dim {} is not a resource of any node or task", dim.empty() ? "(none)" : dim));
  // Node types: nodes with equal capacity and coefficients are interchangeable.
  std::vector<EnergyType> types;
  std::vector<std::vector<std::string>> members;
  for (const auto& n : pb.nodes) {
    double cap = 0;
    for (const auto& [k, v] : n.capacity)
      if (k == dim) cap = v;
    if (cap <= 0 || n.count == 0) continue;
    std::size_t t = 0;
    for (; t < types.size(); ++t)
      if (types[t].capacity == cap && types[t].a == n.a && types[t].b == n.b && types[t].c == n.c) break;
    if (t == types.size()) {
      types.push_back({cap, n.a, n.b, n.c, 0});
      members.emplace_back();
    }
    types[t].count += n.count;
    for (std::uint64_t i = 0; i < n.count; ++i)
      members[t].push_back(n.count == 1 ? n.name : fmt::format("{}#{}", n.name, i));
  }
  double total = 0;
  for (const auto& t : pb.tasks) {
    for (const auto& [k, v] : t.request)
      if (k == dim) total += v * t.replicas;
  }
  auto res = solve_divisible_energy(types, total);
  AllocationView view;
  view.dim = dim;
  view.total_load = total;
  view.feasible = res.feasible;
  view.power = res.power;
  view.exact = res.exact;
  for (const auto& t : types) view.nodes += t.count;
  if (res.feasible)
    for (std::size_t t = 0; t < types.size(); ++t)
      for (std::uint64_t i = 0; i < res.on[t]; ++i)
        view.on.push_back(
            {members[t][i], res.load[t], res.load[t] / types[t].capacity, node_power(types[t], res.load[t])});
  view.seconds = detail::monotonic_seconds() - start;
  format.allocation(view);
  return kExitOk;
}

}  // namespace

int run_schedule(const ScheduleOptions& o, Output& out, Diagnostics& diag) {
  check_options(o);
  auto format = make_format(o.format, out, o.textfile);
  if (o.from == "vbp") return run_vbp(o, *format, diag, out.is_terminal());

  Problem pb;
  NameSet node_names, task_names;
  auto node_name = [&](std::size_t i) -> const std::string& { return pb.nodes[i].name; };
  auto task_name = [&](std::size_t i) -> const std::string& { return pb.tasks[i].name; };
  if (!o.nodes_file.empty()) read_nodes(o.nodes_file, pb, node_names, diag);
  DemandCollector demand(o.scale);
  RecordReader rr(o.inputs, diag);
  std::string problem, got;
  while (rr.next()) {
    auto kind = kind_of(rr.doc());
    if (kind == "node") {
      Node n;
      if (!parse_node(rr.doc(), n, problem, got)) {
        rr.bad(problem, got);
      } else if (!node_names.add(n.name, pb.nodes.size(), node_name)) {
        rr.bad("duplicate node name", n.name);
      } else {
        pb.nodes.push_back(std::move(n));
      }
    } else if (kind == "task") {
      Task t;
      if (!parse_task(rr.doc(), t, problem, got)) {
        rr.bad(problem, got);
      } else if (!task_names.add(t.name, pb.tasks.size(), task_name)) {
        rr.bad("duplicate task name", t.name);
      } else {
        pb.tasks.push_back(std::move(t));
      }
    } else if (kind == "forecast" && o.demand_from_forecast) {
      auto added = demand.add(rr.doc(), problem, got);
      if (added == DemandCollector::Added::kBad) rr.bad(problem, got);
      if (added == DemandCollector::Added::kNotMine) format->passthrough(rr.line());
    } else {
      format->passthrough(rr.line());
    }
  }
  if (o.demand_from_forecast) {
    auto decisions = decide_scale(demand.demand(), pb.tasks, o.scale);
    for (const auto& d : decisions) {
      format->scale(d);
      if (d.replicas < 0) continue;
      for (auto& t : pb.tasks)
        if (t.name == d.task) {
          t.replicas = static_cast<std::uint32_t>(d.replicas);
          if (t.current.size() > t.replicas) t.current.resize(t.replicas);
        }
    }
    if (pb.nodes.empty()) {
      format->finish();
      return kExitOk;
    }
  }
  if (o.divisible) {
    run_divisible(pb, o, *format);
    format->finish();
    return kExitOk;
  }
  if (pb.nodes.empty() && pb.tasks.empty()) {
    format->finish();
    return kExitOk;
  }
  // Progress over the replicas to place (those left running do not count).
  std::uint64_t replicas = 0;
  for (const auto& t : pb.tasks) replicas += t.replicas;
  Progress progress("lepton-schedule: placing", replicas, diag.stream());
  ClusterOptions copt = o.cluster;
  if (progress.active()) copt.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  double start = detail::monotonic_seconds(), cpu_start = detail::cpu_seconds();
  Plan plan = solve_cluster(pb, copt);
  progress.finish();
  double seconds = detail::monotonic_seconds() - start, cpu = detail::cpu_seconds() - cpu_start;
  if (!plan.unknown_nodes.empty()) {
    std::set<std::string> names(plan.unknown_nodes.begin(), plan.unknown_nodes.end());
    std::string list;
    std::size_t shown = 0;
    for (const auto& n : names) {
      if (shown++ == 3) {
        list += ", ...";
        break;
      }
      list += (list.empty() ? "" : ", ") + n;
    }
    diag.warn(fmt::format("{} running replica(s) name node(s) not in the inventory ({}); they are placed anew",
                          plan.unknown_nodes.size(), list));
  }
  PlanView v{{}, &pb, &plan, o.cluster.objective, seconds, cpu};
  format->plan(v);
  format->finish();
  return kExitOk;
}

}  // namespace lepton::schedule
