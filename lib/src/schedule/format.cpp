// Output formats of lepton-schedule. NDJSON is the default; a format is a
// class implementing Format plus one line in make_format().
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "lepton/prometheus.h"
#include "lepton/schedule/schedule.h"

namespace lepton::schedule {
namespace {

// Ten significant digits: sums of prices or powers print as 0.3, not
// 0.30000000000000004.
double tidy(double x) {
  if (!std::isfinite(x) || x == 0) return x;
  return std::stod(fmt::format("{:.10g}", x));
}

class NdjsonFormat : public Format {
 public:
  explicit NdjsonFormat(Output& out) : out_(out) {}

  void passthrough(std::string_view line) override { out_.write_line(line); }

  void scale(const ScaleDecision& d) override {
    JsonWriter w(out_.buffer());
    w.begin_object();
    w.field("kind", "scale");
    w.field("task", d.task);
    w.key("replicas");
    if (d.replicas >= 0)
      w.integer(d.replicas);
    else
      w.null();
    if (d.replicas >= 0) {
      w.field("desired", d.desired);
      if (d.previous >= 0) w.field("previous", d.previous);
    }
    w.key("demand");
    amounts(w, d.demand);
    if (!d.per_replica.empty()) {
      w.key("per_replica");
      amounts(w, d.per_replica);
    }
    w.field("target", d.target);
    w.field("min", d.min_replicas);
    if (d.max_replicas >= 0) w.field("max", d.max_replicas);
    if (d.replicas >= 0) w.field("held", d.held);
    if (!d.note.empty()) w.field("note", d.note);
    w.end_object();
    out_.end_line();
  }

  void plan(const PlanView& v) override {
    const Plan& p = *v.plan;
    const Problem& pb = *v.problem;
    for (const auto& e : p.evictions) {
      JsonWriter w(out_.buffer());
      begin(w, v, "evict");
      w.field("task", pb.tasks[e.task].name);
      w.field("replica", e.replica);
      w.field("node", p.node_names[e.node]);
      w.field("for", pb.tasks[e.by_task].name);
      w.end_object();
      out_.end_line();
    }
    for (const auto& m : p.moves) {
      JsonWriter w(out_.buffer());
      begin(w, v, "move");
      w.field("task", pb.tasks[m.task].name);
      w.field("replica", m.replica);
      w.field("from", p.node_names[m.from]);
      w.field("to", p.node_names[m.to]);
      w.end_object();
      out_.end_line();
    }
    for (std::size_t t = 0; t < pb.tasks.size(); ++t) {
      for (auto r = p.first_replica[t]; r < p.first_replica[t + 1]; ++r) {
        JsonWriter w(out_.buffer());
        auto node = p.node_of[r];
        begin(w, v, node == kUnplaced ? "unplaced" : "placement");
        w.field("task", pb.tasks[t].name);
        w.field("replica", r - p.first_replica[t]);
        if (node == kUnplaced)
          w.field("reason", p.reason[r]);
        else
          w.field("node", p.node_names[node]);
        w.end_object();
        out_.end_line();
      }
    }
    const auto& s = p.summary;
    JsonWriter w(out_.buffer());
    begin(w, v, "summary");
    w.field("objective", objective_name(v.objective));
    w.field("nodes", s.nodes);
    w.field("nodes_used", s.nodes_used);
    w.field("replicas", s.replicas);
    w.field("placed", s.placed);
    w.field("unplaced", s.unplaced);
    w.field("objective_value", tidy(s.objective_value));
    w.field("lower_bound", tidy(s.lower_bound));
    w.key("utilisation");
    w.begin_object();
    for (std::size_t k = 0; k < p.dims.size(); ++k) w.field(p.dims[k], std::round(s.utilisation[k] * 1e6) / 1e6);
    w.end_object();
    w.field("max_utilisation", std::round(s.max_utilisation * 1e6) / 1e6);
    w.field("utilisation_stddev", std::round(s.utilisation_stddev * 1e6) / 1e6);
    w.field("cost", tidy(s.cost));
    w.field("power", tidy(s.power));
    if (s.divisible_power >= 0) {
      w.field("divisible_power", tidy(s.divisible_power));
      w.field("divisible_exact", s.divisible_exact);
      w.field("gap", s.divisible_power > 0 ? tidy((s.power - s.divisible_power) / s.divisible_power) : 0.0);
    }
    w.field("moves", p.moves.size());
    w.field("evictions", p.evictions.size());
    w.field("method", s.method);
    w.field("seconds", std::round(v.seconds * 1e6) / 1e6);
    w.field("cpu_seconds", std::round(v.cpu_seconds * 1e6) / 1e6);
    w.end_object();
    out_.end_line();
  }

  void allocation(const AllocationView& v) override {
    for (const auto& a : v.on) {
      JsonWriter w(out_.buffer());
      w.begin_object();
      w.field("kind", "allocation");
      w.field("node", a.node);
      w.field("load", tidy(a.load));
      w.field("utilisation", tidy(a.utilisation));
      w.field("power", tidy(a.power));
      w.end_object();
      out_.end_line();
    }
    JsonWriter w(out_.buffer());
    w.begin_object();
    w.field("kind", "summary");
    w.field("objective", "energy");
    w.field("divisible", true);
    w.field("dimension", v.dim);
    w.field("load", tidy(v.total_load));
    w.field("nodes", v.nodes);
    w.field("nodes_on", v.on.size());
    w.field("feasible", v.feasible);
    w.key("power");
    if (v.feasible)
      w.number(tidy(v.power));
    else
      w.null();
    w.field("exact", v.exact);
    w.field("seconds", std::round(v.seconds * 1e6) / 1e6);
    w.end_object();
    out_.end_line();
  }

  void finish() override { out_.flush(); }

 private:
  static void begin(JsonWriter& w, const PlanView& v, std::string_view kind) {
    w.begin_object();
    w.field("kind", kind);
    if (!v.instance.empty()) w.field("instance", v.instance);
  }
  static void amounts(JsonWriter& w, const std::map<std::string, double>& m) {
    w.begin_object();
    for (const auto& [k, x] : m) w.field(k, tidy(x));
    w.end_object();
  }

  Output& out_;
};

// Prometheus exposition text, rendered once at finish() to the output
// and/or the textfile. See make_format() in schedule.h for the families.
class PrometheusFormat : public Format {
 public:
  using Labels = PrometheusExposition::Labels;

  PrometheusFormat(Output* out, std::string textfile) : out_(out), textfile_(std::move(textfile)) {}

  void passthrough(std::string_view) override {}  // other programs' records have no place here

  void scale(const ScaleDecision& d) override {
    if (d.replicas < 0) return;  // no decision: no task record or no request
    Labels l{{"task", d.task}};
    put("lepton_schedule_scale_replicas", "Replicas to run per task, from forecast demand after stabilisation", l,
        static_cast<double>(d.replicas));
    put("lepton_schedule_scale_desired", "Replicas per task by the scaling formula, before stabilisation", l,
        static_cast<double>(d.desired));
    if (d.previous >= 0)
      put("lepton_schedule_scale_current", "Replicas per task running now (the task record's replicas)", l,
          static_cast<double>(d.previous));
  }

  void plan(const PlanView& v) override {
    const Plan& p = *v.plan;
    const Problem& pb = *v.problem;
    Labels base;
    if (!v.instance.empty()) base.emplace_back("file", std::string(v.instance));
    auto with = [&](std::initializer_list<std::pair<std::string, std::string>> extra) {
      Labels l = base;
      l.insert(l.end(), extra.begin(), extra.end());
      return l;
    };
    for (std::size_t t = 0; t < pb.tasks.size(); ++t) {
      std::map<std::uint32_t, std::uint64_t> per_node;  // by node index: the inventory's order
      std::vector<std::pair<std::string, std::uint64_t>> unplaced;
      for (auto r = p.first_replica[t]; r < p.first_replica[t + 1]; ++r) {
        if (p.node_of[r] != kUnplaced) {
          ++per_node[p.node_of[r]];
          continue;
        }
        auto it = std::find_if(unplaced.begin(), unplaced.end(), [&](const auto& u) { return u.first == p.reason[r]; });
        if (it == unplaced.end()) {
          unplaced.emplace_back(p.reason[r], 1);
        } else {
          ++it->second;
        }
      }
      const std::string& task = pb.tasks[t].name;
      for (const auto& [node, n] : per_node)
        put("lepton_schedule_replicas", "Replicas of task placed on node",
            with({{"task", task}, {"node", p.node_names[node]}}), static_cast<double>(n));
      for (const auto& [reason, n] : unplaced)
        put("lepton_schedule_unplaced_replicas", "Replicas of task that could not be placed, by reason",
            with({{"task", task}, {"reason", reason}}), static_cast<double>(n));
    }
    const auto& s = p.summary;
    const std::string objective = objective_name(v.objective);
    put("lepton_schedule_nodes", "Nodes available", base, static_cast<double>(s.nodes));
    put("lepton_schedule_nodes_used", "Nodes with at least one replica (with --divisible: nodes on)", base,
        static_cast<double>(s.nodes_used));
    put("lepton_schedule_objective_value",
        "Value of the objective: nodes (pack), largest utilisation (spread), cost or power (energy)",
        with({{"objective", objective}}), tidy(s.objective_value));
    put("lepton_schedule_lower_bound", "Lower bound on the objective value", with({{"objective", objective}}),
        tidy(s.lower_bound));
    for (std::size_t k = 0; k < p.dims.size(); ++k)
      put("lepton_schedule_utilization", "Load over capacity of the used nodes, per resource dimension",
          with({{"dimension", p.dims[k]}}), std::round(s.utilisation[k] * 1e6) / 1e6);
    put("lepton_schedule_moves", "Migrations of running replicas", base, static_cast<double>(p.moves.size()));
    put("lepton_schedule_evictions", "Running replicas evicted for higher-priority ones", base,
        static_cast<double>(p.evictions.size()));
  }

  void allocation(const AllocationView& v) override {
    put("lepton_schedule_nodes", "Nodes available", {}, static_cast<double>(v.nodes));
    put("lepton_schedule_nodes_used", "Nodes with at least one replica (with --divisible: nodes on)", {},
        static_cast<double>(v.on.size()));
    if (v.feasible)
      put("lepton_schedule_objective_value",
          "Value of the objective: nodes (pack), largest utilisation (spread), cost or power (energy)",
          {{"objective", "energy"}}, tidy(v.power));
    for (const auto& a : v.on) {
      put("lepton_schedule_allocation_load", "Load given to a node that is on (--divisible)",
          {{"node", a.node}, {"dimension", v.dim}}, tidy(a.load));
      put("lepton_schedule_allocation_utilization", "Utilisation of a node that is on (--divisible)",
          {{"node", a.node}, {"dimension", v.dim}}, tidy(a.utilisation));
      put("lepton_schedule_allocation_power", "Power of a node that is on (--divisible)", {{"node", a.node}},
          tidy(a.power));
    }
  }

  void finish() override {
    std::string text = exposition_.render();
    // The textfile first: a closed stdout pipe must not lose it.
    if (!textfile_.empty()) write_file_atomically(textfile_, text);
    if (out_) {
      out_->write_bytes(text);
      out_->flush();
    }
  }

 private:
  void put(std::string_view name, std::string_view help, const Labels& labels, double value) {
    exposition_.family(name, help);
    exposition_.sample(name, labels, value);
  }

  Output* out_;
  std::string textfile_;
  PrometheusExposition exposition_;
};

// Sends every call to several formats (NDJSON on stdout plus a textfile).
class TeeFormat : public Format {
 public:
  explicit TeeFormat(std::vector<std::unique_ptr<Format>> parts) : parts_(std::move(parts)) {}
  void passthrough(std::string_view line) override {
    for (auto& f : parts_) f->passthrough(line);
  }
  void scale(const ScaleDecision& d) override {
    for (auto& f : parts_) f->scale(d);
  }
  void plan(const PlanView& v) override {
    for (auto& f : parts_) f->plan(v);
  }
  void allocation(const AllocationView& v) override {
    for (auto& f : parts_) f->allocation(v);
  }
  void finish() override {
    for (auto& f : parts_) f->finish();
  }

 private:
  std::vector<std::unique_ptr<Format>> parts_;
};

}  // namespace

std::vector<std::string> format_names() { return {"ndjson", "prometheus"}; }

std::unique_ptr<Format> make_format(std::string_view name, Output& out, const std::string& textfile) {
  if (!textfile.empty()) check_textfile_path(textfile);
  if (name == "prometheus") return std::make_unique<PrometheusFormat>(&out, textfile);
  if (name != "ndjson") throw UsageError(fmt::format("--format must be ndjson or prometheus; got '{}'", name));
  if (textfile.empty()) return std::make_unique<NdjsonFormat>(out);
  std::vector<std::unique_ptr<Format>> parts;
  parts.push_back(std::make_unique<PrometheusFormat>(nullptr, textfile));
  parts.push_back(std::make_unique<NdjsonFormat>(out));
  return std::make_unique<TeeFormat>(std::move(parts));
}

}  // namespace lepton::schedule
