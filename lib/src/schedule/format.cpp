// Output formats of lepton-schedule. NDJSON is the default; a format is a
// class implementing Format plus one line in make_format().
#include <cmath>

#include <fmt/format.h>

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

}  // namespace

std::vector<std::string> format_names() { return {"ndjson"}; }

std::unique_ptr<Format> make_format(std::string_view name, Output& out) {
  if (name == "ndjson") return std::make_unique<NdjsonFormat>(out);
  throw UsageError(fmt::format("--format must be one of: ndjson; got '{}'", name));
}

}  // namespace lepton::schedule
