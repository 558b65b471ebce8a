// Prometheus text exposition output (`--format prometheus`) and atomic
// files for node_exporter's textfile collector (`--textfile DIR/NAME.prom`).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lepton {

/// Turns any text into a valid Prometheus metric name
/// ([a-zA-Z_:][a-zA-Z0-9_:]*): other characters become '_', a leading digit
/// gets a '_' prefix. `cpu.util` -> `cpu_util`.
std::string prometheus_metric_name(std::string_view text);

/// Turns any text into a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not
/// starting with "__", which Prometheus reserves).
std::string prometheus_label_name(std::string_view text);

/// Collects samples and renders them as exposition text: each family once
/// with its # HELP and # TYPE lines, families in the order first added,
/// samples in the order added. No timestamps (the textfile collector
/// rejects them). Label names are sanitised; values escaped.
class PrometheusExposition {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  /// Declares a family (name sanitised). `type` is gauge, counter or untyped.
  void family(std::string_view name, std::string_view help, std::string_view type = "gauge");
  /// Adds a sample to a family declared before (or declares it as untyped).
  /// Non-finite values are written as NaN, +Inf, -Inf.
  void sample(std::string_view name, const Labels& labels, double value);

  std::string render() const;
  bool empty() const { return families_.empty(); }

 private:
  struct Family {
    std::string name, help, type;
    std::string samples;
  };
  Family& find_or_add(std::string_view name);
  std::vector<Family> families_;
};

/// The labels of one series in an exposition: `metric` (unless empty) then
/// the series' own labels, sanitised; a label whose name is `metric`, one of
/// `reserved` (the labels the program adds itself) or taken after
/// sanitising is renamed `exported_<name>`, as Prometheus does on a clash.
PrometheusExposition::Labels exposition_series_labels(std::string_view metric,
                                                      const std::vector<std::pair<std::string, std::string>>& labels,
                                                      const std::vector<std::string_view>& reserved);

/// A key equal for two label sets exactly when they have the same names and
/// values in any order: two samples of one family with the same key would
/// be one time series to Prometheus.
std::string label_set_key(PrometheusExposition::Labels labels);

/// Checks a --textfile path before any work: it must name a file ending in
/// `.prom` (node_exporter's textfile collector reads only those) in a
/// directory that exists. Throws UsageError saying which is wrong.
void check_textfile_path(const std::string& path);

/// Writes `content` to `path` atomically: a temporary file in the same
/// directory, fsync, rename over `path`, fsync of the directory. Readers see
/// the old or the new content, never a mix. Throws DataError on failure.
void write_file_atomically(const std::string& path, std::string_view content, unsigned mode = 0644);

}  // namespace lepton
