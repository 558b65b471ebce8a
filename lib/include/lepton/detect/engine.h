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

/// Output formats: NDJSON records, or Prometheus exposition text written
/// once at the end of the input (see exposition.h).
enum class OutputFormat { kNdjson, kPrometheus };

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
  std::string risk_by;       ///< also write per-entity risk records (label name)
  bool exit_status = false;  ///< return kExitAlert if any alert fired

  std::string state_path;  ///< load at start, save at exit (empty: none)
  Shard shard;
  std::size_t max_series = 1000000;  ///< least recently seen series are dropped beyond this
  OutputFormat format = OutputFormat::kNdjson;
  /// Also write the exposition to this file, atomically, at the end
  /// (--textfile; must end in .prom). The output keeps `format`.
  std::string textfile;
};

/// Receives every record the engine outputs, whatever the output format, as
/// one NDJSON line without the newline: annotated records (also with
/// --alerts, where they are not written), alert and risk records; not the
/// records passed through. At the end of the input it gets once more a
/// firing record of every alert still firing and a risk record of every
/// entity, including those restored from --state. The Prometheus output is
/// built from these records.
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual void record(std::string_view line) = 0;
};

/// Checks option combinations; throws UsageError.
void validate(const DetectOptions& o);

/// A fingerprint of everything that shapes the saved state.
std::uint64_t state_fingerprint(const DetectOptions& o);

/// Runs detection over the inputs. Returns kExitOk, or kExitAlert when
/// exit_status is set and an alert fired. Bad records follow the
/// Diagnostics policy; I/O and state problems throw DataError. With
/// --format prometheus or a --textfile, a DetectExposition collects the
/// output records and is written at the end.
int run(const DetectOptions& o, Output& out, Diagnostics& diag);

}  // namespace lepton::detect
