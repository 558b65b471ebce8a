// lepton-collect --from: converting other tools' metrics into points.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lepton/error.h"
#include "lepton/output.h"

namespace lepton::convert {

/// What `lepton-collect --from FORMAT` does.
struct ConvertOptions {
  std::string format;                                       ///< prometheus | prometheus-api | csv | nvidia-smi
  std::vector<std::string> inputs;                          ///< files; empty means stdin
  std::vector<std::pair<std::string, std::string>> labels;  ///< --label k=v, added to every point
  std::vector<std::string> metric_globs;                    ///< --metrics: keep only metric names matching one glob
  std::string metric;                                       ///< --metric: metric name (csv: instead of the column name)
  std::string time_column;                 ///< --time-column (csv): name or 1-based number; default: detected
  std::vector<std::string> value_columns;  ///< --value-column (csv): default all numeric columns
  double default_ts = 0;                   ///< time for samples without their own (exposition); 0: now
};

/// The formats --from accepts.
const std::vector<std::string>& convert_formats();

/// Converts the inputs to points on `out`. Bad input is reported through
/// `diag` (file:line, fail or skip); values that cannot become points (NaN,
/// infinities, empty or unavailable values) are dropped and counted in a
/// warning on diag's stream. Returns the exit code. Throws UsageError for
/// options that do not fit the format, DataError for bad input under
/// --on-error=fail.
int convert(const ConvertOptions& options, Output& out, Diagnostics& diag);

/// Converts `text`, one input in `options.format` named `source` in
/// messages, and returns the points as NDJSON (for tests and fuzzing;
/// `options.inputs` is ignored). Errors as for convert().
std::string convert_text(const ConvertOptions& options, std::string_view text, Diagnostics& diag,
                         std::string_view source = "<text>");

}  // namespace lepton::convert
