// lepton-detect's engine: reads records, keeps one detector (and rule and
// alert state) per series, and writes annotated records or alerts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lepton/detect/alerts.h"
#include "lepton/detect/detector.h"
#include "lepton/error.h"
#include "lepton/output.h"
#include "lepton/record.h"

namespace lepton::detect {

/// Output formats. Only NDJSON today; the switch points in engine.cpp are
/// where others (e.g. Prometheus text) plug in.
enum class OutputFormat { kNdjson };

/// Names accepted by parse_format.
const std::vector<std::string>& format_names();

/// Parses a --format value; throws UsageError.
OutputFormat parse_format(std::string_view name);

struct DetectOptions {
  std::vector<std::string> inputs;  ///< files; empty means stdin
  /// Detector for every series; name "none" runs rules only.
  DetectorOptions detector;
  /// Records scoring at or above this are anomalies (and fire alerts).
  double threshold = 0.5;
  std::vector<std::string> rules;  ///< rule texts (see rules.h)

  /// Field names: the value, the time, the metric. Records without a time
  /// field are timed by their arrival (wall clock).
  std::string value_field = "value";
  std::string time_field = "ts";
  std::string metric_field = "metric";

  /// Events: count records per distinct combination of these fields per
  /// window (empty: points mode).
  std::vector<std::string> count_by;
  double window = 60;  ///< seconds
  std::string event_metric = "events";

  /// Multivariate: score the metrics of one entity (this label) jointly.
  std::string by;

  bool alerts = false;  ///< write alert records instead of annotated records
  AlertOptions alert;
  std::string risk_by;  ///< also write per-entity risk records (label name)
  bool exit_status = false;  ///< return kExitAlert if any alert fired

  std::string state_path;  ///< load at start, save at exit (empty: none)
  Shard shard;
  std::size_t max_series = 1000000;  ///< least recently seen series are dropped beyond this
  OutputFormat format = OutputFormat::kNdjson;
};

/// Checks option combinations; throws UsageError.
void validate(const DetectOptions& o);

/// A fingerprint of everything that shapes the saved state.
std::uint64_t state_fingerprint(const DetectOptions& o);

/// Runs detection over the inputs. Returns kExitOk, or kExitAlert when
/// exit_status is set and an alert fired. Bad records follow the
/// Diagnostics policy; I/O and state problems throw DataError.
int run(const DetectOptions& o, Output& out, Diagnostics& diag);

}  // namespace lepton::detect
