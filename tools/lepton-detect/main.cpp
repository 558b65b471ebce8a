// lepton-detect: online anomaly detection, threshold rules, event bursts and
// alerts over NDJSON streams. Option parsing only; the work is in lib/.
#include "lepton/detect/engine.h"
#include "lepton/text.h"
#include "lepton_cli.h"

namespace {

const char* kExamples = R"(  lepton-collect --interval 10s | lepton-detect | jq -c 'select(.anomaly)'
  lepton-collect --interval 10s | lepton-detect --alerts --risk-by host
  lepton-detect --detector none --rule 'cpu.util: value > 0.9 for 5m' --rule 'absent for 2m' --alerts metrics.ndjson
  lepton-detect --count-by src_ip --window 1m --alerts auth-failures.ndjson
  lepton-detect --by host --alerts host-metrics.ndjson
  lepton-detect --state /var/lib/lepton/detect.state --alerts --exit-status new-points.ndjson   # from cron
  lepton-detect --state detect.state --alerts --textfile /var/lib/node_exporter/textfile/detect.prom new.ndjson
)";

double season_arg(const std::string& text) {
  if (text == "auto") return 0;
  if (text == "none") return -1;
  double d = lepton::cli::duration_arg("--season", text);
  if (!(d > 0))
    throw lepton::UsageError(fmt::format("--season must be auto, none or a positive duration; got '{}'", text));
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = "lepton-detect";
  CLI::App app{
      "Score every value of every series for anomalies as it arrives (annotating records with score and "
      "anomaly), apply threshold rules, count events per key, and raise alerts."};
  lepton::cli::setup_app(app, program, kExamples);
  lepton::cli::CommonOptions common;
  lepton::cli::add_common_options(app, common, true);

  lepton::detect::DetectOptions o;
  std::string season = "auto";
  std::vector<std::string> count_by;
  std::string window = "1m";
  std::string fire_after = "1", resolve_after = "3";
  std::string format = "ndjson";
  std::vector<std::string> detectors = lepton::detect::detector_names();
  detectors.push_back("mahalanobis");
  detectors.push_back("none");

  app.add_option("-d,--detector", o.detector.name, "Detector for every series (default ensemble; none: rules only)")
      ->type_name("NAME")
      ->check(CLI::IsMember(detectors));
  app.add_option("--history", o.detector.history, "Values kept by windowed detectors (default 100)")->type_name("N");
  app.add_option("--patterns", o.detector.patterns,
                 "Ensemble: earlier values the latest pattern is compared with (default 32; more is slower)")
      ->type_name("N");
  app.add_option("--season", season, "Season length: auto (a day or a week, found online), none, or a duration")
      ->type_name("DURATION");
  app.add_option("--band", o.detector.band, "Width of the expected lo..hi band in standard deviations")
      ->type_name("K")
      ->capture_default_str();
  app.add_option("-t,--threshold", o.threshold, "Score at or above which a record is an anomaly")
      ->type_name("X")
      ->capture_default_str();
  app.add_option("-r,--rule", o.rules, "Threshold rule, e.g. 'value > 0.9 for 5m' or 'absent for 2m' (repeatable)")
      ->type_name("RULE")
      ->allow_extra_args(false);
  app.add_option("--field", o.value_field, "Name of the numeric field to watch")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--time-field", o.time_field, "Name of the time field (records without it are timed on arrival)")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--metric-field", o.metric_field, "Name of the field that names the measurement")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--count-by", count_by, "Count events per distinct combination of these fields per window")
      ->type_name("FIELD,...")
      ->allow_extra_args(false);
  app.add_option("-w,--window", window, "Window of --count-by")->type_name("DURATION")->capture_default_str();
  app.add_option("--by", o.by, "Score the metrics of each value of LABEL together (Mahalanobis distance)")
      ->type_name("LABEL");
  app.add_flag("-a,--alerts", o.alerts, "Write alert records (firing/resolved) instead of annotated records");
  app.add_option("--fire-after", fire_after,
                 "Fire when the score stays at the threshold this many records or this long")
      ->type_name("N|DURATION")
      ->capture_default_str();
  app.add_option("--resolve-after", resolve_after, "Resolve when the score stays below --resolve this long")
      ->type_name("N|DURATION")
      ->capture_default_str();
  app.add_option("--resolve", o.alert.resolve, "Score below which a firing alert counts as quiet (hysteresis)")
      ->type_name("X")
      ->capture_default_str();
  app.add_option("--critical", o.alert.critical, "Score at or above which an alert is critical rather than warning")
      ->type_name("X")
      ->capture_default_str();
  app.add_option("--risk-by", o.risk_by,
                 "Also write per-entity risk records (sum of severity x score of firing alerts)")
      ->type_name("LABEL");
  app.add_flag("--exit-status", o.exit_status, "Exit with status 3 if any alert fired");
  app.add_option("-s,--state", o.state_path, "Load per-series state from FILE at start, save it there at exit")
      ->type_name("FILE");
  app.add_option("--max-series", o.max_series, "Forget the least recently seen series beyond N")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--format", format, "Output format: NDJSON records or Prometheus exposition text")
      ->type_name(lepton::cli::choices_type(lepton::detect::format_names()))
      ->check(lepton::cli::one_of(lepton::detect::format_names()))
      ->capture_default_str();
  app.add_option("--textfile", o.textfile,
                 "Also write the results as Prometheus exposition text to this file, atomically (for "
                 "node_exporter's textfile collector)")
      ->type_name("DIR/NAME.prom");

  if (auto code = lepton::cli::parse(app, argc, argv)) return *code;

  return lepton::guarded_main(program, [&]() -> int {
    lepton::Diagnostics diag(program, lepton::parse_on_error(common.on_error));
    o.inputs = common.inputs;
    if (!common.shard.empty()) o.shard = lepton::parse_shard(common.shard);
    o.detector.season = season_arg(season);
    o.count_by = lepton::split_commas(count_by);
    o.window = lepton::cli::duration_arg("--window", window);
    o.alert.threshold = o.threshold;
    o.alert.fire_after = lepton::detect::parse_span("--fire-after", fire_after);
    o.alert.resolve_after = lepton::detect::parse_span("--resolve-after", resolve_after);
    o.format = lepton::detect::parse_format(format);
    if (o.alert.resolve > o.threshold) o.alert.resolve = o.threshold;
    lepton::detect::validate(o);
    lepton::Output out(common.output);
    out.set_line_buffered(lepton::cli::want_line_buffering(common));
    int code = lepton::detect::run(o, out, diag);
    out.flush();
    diag.finish();
    return code;
  });
}
