// lepton-detect's results as Prometheus exposition text, for
// `--format prometheus` and `--textfile DIR/NAME.prom` (node_exporter's
// textfile collector). Families (all gauges, no timestamps), each written
// only when it has a sample:
//
//   lepton_detect_score{metric,<labels>}      score (0..1) of the latest value
//   lepton_detect_anomaly{metric,<labels>}    1 if that score >= --threshold
//   lepton_detect_expected{metric,<labels>}   the detector's expected value,
//   lepton_detect_lo{metric,<labels>}         and the normal band, when the
//   lepton_detect_hi{metric,<labels>}         latest record has them
//   lepton_alert_firing{metric,<labels>,detector,[rule,]severity}
//                                             1 firing, 0 resolved
//   lepton_detect_risk{<risk-by label>}       risk of an entity (--risk-by)
//
// The collector is the engine's RecordSink: it reads back every record the
// engine outputs (annotated records, also under --alerts; alert and risk
// records) and keeps the latest state per series, alert and entity. The
// exposition is written once, at the end of the input.
#pragma once

#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lepton/detect/engine.h"
#include "lepton/error.h"
#include "lepton/json.h"
#include "lepton/output.h"
#include "lepton/prometheus.h"

namespace lepton::detect {

using SeriesLabels = std::vector<std::pair<std::string, std::string>>;

/// The Prometheus labels of a series: `metric` (the metric name as read,
/// e.g. "cpu.util"; left out when empty), then the series labels in order
/// with their names sanitised. A label whose sanitised name is already
/// taken, by one of the names lepton-detect sets itself (metric, detector,
/// rule, severity) or by an earlier label, becomes exported_<name>
/// (repeatedly, until it is free), as Prometheus does with clashing target
/// labels.
PrometheusExposition::Labels prometheus_series_labels(std::string_view metric, const SeriesLabels& labels);

/// Keeps the latest state of every series, alert and entity from the
/// records lepton-detect outputs, and renders them as one exposition:
/// samples in the order of their series keys.
class DetectExposition : public RecordSink {
 public:
  /// `options` (field names, --threshold, rules, --risk-by, --textfile) must
  /// outlive this object. Checks the --textfile path (UsageError).
  /// Warnings (series left out because their labels clash once sanitised)
  /// go to `diag`.
  DetectExposition(const DetectOptions& options, Diagnostics& diag);

  /// One output record of the engine, NDJSON without the newline. Records
  /// of other kinds, and lines that are not JSON, are ignored.
  void record(std::string_view line) override;

  /// The exposition text; empty when nothing was recorded.
  std::string render() const;

  /// At the end of a run: writes the exposition to the --textfile
  /// (atomically) and, with --format prometheus, to `out`.
  void write(Output& out) const;

 private:
  struct Scored {
    bool dropped = false;
    PrometheusExposition::Labels labels;
    double score = 0;
    bool anomaly = false;
    double expected = std::numeric_limits<double>::quiet_NaN();  ///< NaN when the latest record has none
    double lo = std::numeric_limits<double>::quiet_NaN();
    double hi = std::numeric_limits<double>::quiet_NaN();
  };
  struct Alert {
    bool dropped = false;
    PrometheusExposition::Labels labels;  ///< series labels, detector, rule
    std::string severity;
    bool firing = false;
  };
  struct Risk {
    PrometheusExposition::Labels labels;
    double risk = 0;
  };

  void scored(const JsonDocument& doc);
  void alert(const JsonDocument& doc);
  void risk(const JsonDocument& doc);
  /// Whether `labels` are free in a family (else warns, naming `key` and
  /// the key that has them).
  bool claim(std::unordered_map<std::string, std::string>& owners, const PrometheusExposition::Labels& labels,
             const std::string& key);
  std::string_view rule_of(std::string_view reason) const;

  const DetectOptions& opt_;
  Diagnostics& diag_;
  PointFields fields_;
  std::vector<std::string> rule_texts_;
  JsonDocument doc_;
  Point point_;
  std::string key_;
  std::map<std::string, Scored> scored_;                                     ///< by series key
  std::map<std::string, Alert> alerts_;                                      ///< by series key, detector, rule
  std::map<std::string, Risk> risks_;                                        ///< by entity
  std::unordered_map<std::string, std::string> scored_owner_, alert_owner_;  ///< label signature -> key
};

}  // namespace lepton::detect
