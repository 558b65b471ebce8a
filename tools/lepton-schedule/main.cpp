// lepton-schedule: place tasks on nodes (pack, spread, cost, energy), size
// deployments from forecasts. Option parsing only; the work is in lib/.
#include <charconv>
#include <cmath>

#include "lepton/schedule/schedule.h"
#include "lepton_cli.h"

namespace {

const char* kExamples =
    R"(  lepton-schedule batch.ndjson                                  # pack nodes and tasks from one stream
  lepton-schedule --nodes nodes.ndjson --objective spread tasks.ndjson
  lepton-schedule --nodes nodes.ndjson --max-moves 5 running.ndjson   # rebalance, at most 5 migrations
  lepton-schedule --objective cost offers.ndjson tasks.ndjson   # cheapest mix of node types
  lepton-schedule --objective energy --divisible cluster.ndjson
  lepton-forecast < cpu.ndjson | lepton-schedule --demand-from forecast \
      --resource cpu=cpu.cores --target 0.7 --min 2 --max 20 tasks.ndjson -
  lepton-schedule --from vbp class1_500_10_0.vbp
  lepton-schedule --nodes nodes.ndjson --textfile /var/lib/node_exporter/textfile/schedule.prom tasks.ndjson
)";

std::pair<std::string, std::string> split_pair(const std::string& option, const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size())
    throw lepton::UsageError(fmt::format("{} takes RESOURCE=METRIC; got '{}'", option, kv));
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

double time_arg(const std::string& text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(v)) return v;
  if (auto t = lepton::parse_time_text(text)) return *t;
  throw lepton::UsageError(fmt::format("--now takes Unix seconds or an RFC 3339 time; got '{}'", text));
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = "lepton-schedule";
  CLI::App app{
      "Place task replicas on nodes (pack, spread, cost, energy) under selectors, taints, priorities and "
      "spread constraints; rebalance with a move budget; size deployments from forecast demand. "
      "Reads node, task and forecast records, writes placement, unplaced, move, evict, scale and "
      "summary records."};
  lepton::cli::setup_app(app, program, kExamples);
  lepton::cli::CommonOptions common;
  lepton::cli::add_common_options(app, common, false);

  std::string nodes_file, objective = "pack", time_limit = "6ms", from, format = "ndjson", energy_dim, textfile;
  std::uint64_t seed = 1, max_moves = 0;
  bool preempt = false, divisible = false;
  std::string demand_from, task_label = "task", stabilization = "5m", state_file, now;
  std::vector<std::string> resources;
  double target = 0.7;
  std::int64_t min_replicas = 1, max_replicas = -1;

  app.add_option("--nodes", nodes_file, "Read the node inventory from FILE (node records)")->type_name("FILE");
  app.add_option("--objective", objective, "What to optimise")
      ->type_name("pack|spread|cost|energy")
      ->check(lepton::cli::one_of({"pack", "spread", "cost", "energy"}))
      ->capture_default_str();
  app.add_option("--time-limit", time_limit, "Processor time for improving the first solution (0: none)")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--seed", seed, "Seed of the local search's random choices")->type_name("N")->capture_default_str();
  app.add_option("--max-moves", max_moves, "Migrations of running replicas (tasks' node) allowed")
      ->type_name("K")
      ->capture_default_str();
  app.add_flag("--preempt", preempt, "Evict running lower-priority replicas to place higher-priority ones");
  app.add_flag("--divisible", divisible, "Energy: split the load continuously over nodes (exact optimum)");
  app.add_option("--energy-dim", energy_dim, "Resource whose utilisation drives power (default cpu, else the first)")
      ->type_name("RESOURCE");
  app.add_option("--from", from, "Read vector bin packing instances (.vbp files) instead of records")
      ->type_name("vbp")
      ->check(lepton::cli::one_of({"vbp"}));
  app.add_option("--format", format, "Output format: NDJSON records or Prometheus exposition text")
      ->type_name(lepton::cli::choices_type(lepton::schedule::format_names()))
      ->check(lepton::cli::one_of(lepton::schedule::format_names()))
      ->capture_default_str();
  app.add_option("--textfile", textfile,
                 "Also write the results as Prometheus exposition text to this file, atomically (for "
                 "node_exporter's textfile collector)")
      ->type_name("DIR/NAME.prom");
  app.add_option("--demand-from", demand_from, "Size tasks from forecast records on the input")
      ->type_name("forecast")
      ->check(lepton::cli::one_of({"forecast"}));
  app.add_option("--task-label", task_label, "Forecast label that names the task")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--resource", resources, "Map forecast METRIC to RESOURCE (repeatable; default: same names)")
      ->type_name("RESOURCE=METRIC")
      ->allow_extra_args(false);
  app.add_option("--target", target, "Utilisation target per replica, in (0, 1]")
      ->type_name("F")
      ->capture_default_str();
  app.add_option("--min", min_replicas, "Fewest replicas per task")->type_name("N")->capture_default_str();
  app.add_option("--max", max_replicas, "Most replicas per task (default: no limit)")->type_name("N");
  app.add_option("--stabilization", stabilization, "Hold scale-downs for this window (needs --state)")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--state", state_file, "Remember recommendations between runs in FILE (written atomically)")
      ->type_name("FILE");
  app.add_option("--now", now, "Time of this run for the window (default: the clock)")->type_name("TIME");

  if (auto code = lepton::cli::parse(app, argc, argv)) return *code;

  return lepton::guarded_main(program, [&]() -> int {
    lepton::Diagnostics diag(program, lepton::parse_on_error(common.on_error));
    lepton::Output out(common.output);
    out.set_line_buffered(lepton::cli::want_line_buffering(common));
    lepton::schedule::ScheduleOptions o;
    o.inputs = common.inputs;
    o.nodes_file = nodes_file;
    o.from = from;
    o.format = format;
    o.textfile = textfile;
    using lepton::schedule::Objective;
    o.cluster.objective = objective == "spread"   ? Objective::kSpread
                          : objective == "cost"   ? Objective::kCost
                          : objective == "energy" ? Objective::kEnergy
                                                  : Objective::kPack;
    o.cluster.time_limit = lepton::cli::duration_arg("--time-limit", time_limit);
    o.cluster.seed = seed;
    o.cluster.max_moves = max_moves;
    o.cluster.preempt = preempt;
    o.cluster.energy_dim = energy_dim;
    o.divisible = divisible;
    o.demand_from_forecast = demand_from == "forecast";
    o.scale.task_label = task_label;
    for (const auto& r : resources) o.scale.resources.push_back(split_pair("--resource", r));
    o.scale.target = target;
    if (min_replicas < 0) throw lepton::UsageError(fmt::format("--min must be >= 0; got {}", min_replicas));
    o.scale.min_replicas = min_replicas;
    o.scale.max_replicas = max_replicas;
    o.scale.stabilization = lepton::cli::duration_arg("--stabilization", stabilization);
    o.scale.state_file = state_file;
    o.scale.now = now.empty() ? lepton::now_unix() : time_arg(now);
    int code = lepton::schedule::run_schedule(o, out, diag);
    out.flush();
    diag.finish();
    return code;
  });
}
