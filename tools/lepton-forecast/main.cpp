// lepton-forecast: per-series forecasts with prediction intervals, or the
// time until a threshold is crossed. Option parsing only; the work is in lib/.
#include <string>
#include <vector>

#include "lepton/forecast/models.h"
#include "lepton/forecast/run.h"
#include "lepton_cli.h"

namespace {

const char* kExamples = R"(  lepton-forecast --horizon 2h metrics.ndjson            # capacity forecast, 95% intervals
  lepton-forecast --horizon 7d --level 80,95 --model ets disk.ndjson
  lepton-forecast --eta 0.9 --above --horizon 3d disk.ndjson | jq 'select(.state != "clear")'
  lepton-collect -i 10s | lepton-forecast --every 5m --horizon 1h --line-buffered
  lepton-forecast --season 24,168 --horizon 48 hourly.ndjson
  lepton-forecast --eta 0.9 --horizon 1d --textfile /var/lib/node_exporter/textfile/disk_eta.prom disk.ndjson
)";

std::string model_help() {
  std::string s = "Model: ";
  bool first = true;
  for (const auto& m : lepton::forecast::model_catalog()) {
    s += first ? "" : ", ";
    s += std::string(m.name);
    first = false;
  }
  return s + " (see man lepton-forecast)";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = "lepton-forecast";
  CLI::App app{
      "Forecast every series of points (NDJSON) with prediction intervals, or tell when each will cross "
      "a threshold."};
  lepton::cli::setup_app(app, program, kExamples);
  lepton::cli::CommonOptions common;
  lepton::cli::add_common_options(app, common, true);

  std::string horizon = "24", step, season = "auto", model = "auto", level = "95", format = "ndjson";
  std::string every, refit = "1d", textfile;
  double eta = 0;
  bool above = false, below = false;
  int threads = 0;
  std::size_t history = 5000;
  int max_fill = 3;

  app.add_option("-H,--horizon", horizon, "How far ahead: a number of steps (48) or a duration (2h, 7d)")
      ->type_name("N|DURATION")
      ->capture_default_str();
  app.add_option("--step", step, "Step of the series (default: median spacing of each series)")->type_name("DURATION");
  app.add_option("--season", season, "Seasonal periods: auto (detect), none, steps (24,168) or durations (1d,7d)")
      ->type_name("auto|none|P,...")
      ->capture_default_str();
  app.add_option("-m,--model", model, model_help())->type_name("NAME")->capture_default_str();
  app.add_option("--level", level, "Prediction interval levels in percent, e.g. 80,95")
      ->type_name("PCT,...")
      ->capture_default_str();
  auto* eta_opt = app.add_option("--eta", eta,
                                 "Instead of forecasts, one eta record per series: when the forecast "
                                 "crosses THRESHOLD")
                      ->type_name("THRESHOLD");
  app.add_flag("--above", above, "--eta: crossing upwards (default)");
  app.add_flag("--below", below, "--eta: crossing downwards");
  app.add_option("--every", every, "Streaming: emit fresh forecasts every DURATION of data time")
      ->type_name("DURATION");
  app.add_option("--refit", refit, "Streaming: re-select the auto model after this much data time")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--history", history, "Steps of history kept and used per series")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--max-fill", max_fill, "Longest gap (in steps) filled silently; longer ones are reported")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("-j,--threads", threads, "Worker threads (default: all cores)")->type_name("N");
  bool keep_points = false;
  bool unbounded = false;
  app.add_flag("-k,--keep-points", keep_points, "Also copy the input points to the output as they are read");
  app.add_flag("--unbounded", unbounded,
               "Do not limit forecasts to >= 0 (series never negative) and <= 1 (fractions: *_frac, *.util)");
  app.add_option("--format", format, "Output format: NDJSON records or Prometheus exposition text")
      ->type_name(lepton::cli::choices_type(lepton::forecast::output_formats()))
      ->check(lepton::cli::one_of(lepton::forecast::output_formats()))
      ->capture_default_str();
  app.add_option("--textfile", textfile,
                 "Also write the results as Prometheus exposition text to this file, atomically (for "
                 "node_exporter's textfile collector)")
      ->type_name("DIR/NAME.prom");

  if (auto code = lepton::cli::parse(app, argc, argv)) return *code;

  return lepton::guarded_main(program, [&]() -> int {
    lepton::Diagnostics diag(program, lepton::parse_on_error(common.on_error));
    if ((above || below) && eta_opt->count() == 0) throw lepton::UsageError("--above and --below need --eta");
    if (above && below) throw lepton::UsageError("--above and --below exclude each other");
    if (history < 8 || history > 10'000'000)
      throw lepton::UsageError(fmt::format("--history must be between 8 and 10000000; got {}", history));
    if (max_fill < 0) throw lepton::UsageError(fmt::format("--max-fill must be >= 0; got {}", max_fill));
    if (threads < 0) throw lepton::UsageError(fmt::format("--threads must be >= 0; got {}", threads));
    lepton::forecast::Options o;
    o.inputs = common.inputs;
    o.keep_points = keep_points;
    o.unbounded = unbounded;
    o.format = format;
    o.textfile = textfile;
    auto h = lepton::forecast::parse_horizon(horizon);
    if (!h)
      throw lepton::UsageError(
          fmt::format("--horizon takes a number of steps (48) or a duration (2h); got '{}'", horizon));
    o.horizon = *h;
    if (!step.empty()) {
      o.step = lepton::cli::duration_arg("--step", step);
      if (!(o.step > 0)) throw lepton::UsageError("--step must be positive");
    }
    o.season = lepton::forecast::parse_season(season);
    o.model = model;
    o.levels = lepton::forecast::parse_levels(level);
    if (eta_opt->count() > 0) {
      o.eta = eta;
      o.eta_below = below;
    }
    if (!every.empty()) {
      o.every = lepton::cli::duration_arg("--every", every);
      if (!(o.every > 0)) throw lepton::UsageError("--every must be positive");
    }
    o.refit = lepton::cli::duration_arg("--refit", refit);
    o.history = history;
    o.max_fill = max_fill;
    o.threads = threads;
    if (!common.shard.empty()) o.shard = lepton::parse_shard(common.shard);
    lepton::Output out(common.output);
    out.set_line_buffered(lepton::cli::want_line_buffering(common));
    int code = lepton::forecast::run(o, out, diag);
    out.flush();
    diag.finish();
    return code;
  });
}
