// lepton-forecast's engine: reads points, forecasts every series, writes
// forecast or eta records (batch), or keeps per-series state and emits
// fresh forecasts as data arrive (streaming, --every).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lepton/error.h"
#include "lepton/forecast/series.h"
#include "lepton/forecast/types.h"
#include "lepton/output.h"
#include "lepton/record.h"

namespace lepton::forecast {

/// A horizon: a number of steps, or a duration (converted per series with
/// its step, rounding up).
struct Horizon {
  int steps = 0;
  double seconds = 0;
  /// Steps for a series with the given step (>= 1).
  int steps_for(double step) const;
};

/// Parses "48" (steps) or "2h", "7d", "90m" (a duration). nullopt if invalid.
std::optional<Horizon> parse_horizon(std::string_view text);

/// A seasonal period given on the command line: steps, or a duration.
struct PeriodSpec {
  int steps = 0;
  double seconds = 0;
};

/// Parses "--season": "auto" (empty result, detect), "none", or a list
/// such as "24,168" (steps) or "1d,7d" (durations). Throws UsageError.
struct SeasonSpec {
  bool detect = true;
  std::vector<PeriodSpec> periods;
};
SeasonSpec parse_season(std::string_view text);

/// Parses "--level": percentages or fractions, e.g. "95", "80,95", "0.9".
/// Returns fractions in (0, 1), ascending. Throws UsageError.
std::vector<double> parse_levels(std::string_view text);

/// Output formats known to --format: ndjson, prometheus (exposition text,
/// see forecast/exposition.h).
const std::vector<std::string>& output_formats();

struct Options {
  std::vector<std::string> inputs;  ///< empty: stdin
  std::string format = "ndjson";
  std::string textfile;  ///< --textfile: also write the exposition here, atomically (must end in .prom)
  Horizon horizon{24, 0};
  double step = 0;  ///< seconds; 0 infers it per series
  SeasonSpec season;
  std::string model = "auto";
  std::vector<double> levels{0.95};
  std::optional<double> eta;   ///< --eta THRESHOLD
  bool eta_below = false;      ///< --below (default above)
  double every = 0;            ///< --every: streaming when > 0 (seconds of data time)
  double refit = 86400;        ///< streaming: re-select models after this much data time
  std::size_t history = 5000;  ///< steps kept per series
  int max_fill = 3;            ///< gaps up to this many steps are short
  int threads = 0;             ///< 0: all cores
  Shard shard;
  bool keep_points = false;  ///< --keep-points: copy the input points to the output too
  bool unbounded = false;    ///< --unbounded: do not limit forecasts to the series' range (see limits_for)
};

/// The range forecasts of a series are limited to: [0, inf) when every
/// value seen was >= 0, and [0, 1] for a fraction (metric name ending in
/// `_frac` or `.util`) whose values all lay in [0, 1]; otherwise unlimited.
std::pair<double, double> limits_for(std::string_view metric, double min_seen, double max_seen);

/// What happened to one series, for the forecast records.
struct SeriesForecast {
  std::string key;
  double step = 0;
  double last_ts = 0;  ///< time of the last step of the history
  double last_value = 0;
  std::vector<int> periods;
  Forecast forecast;    ///< empty mean: not forecast (see `problem`)
  std::string problem;  ///< why a series could not be forecast
  std::vector<Gap> long_gaps;
};

/// When a series crosses the --eta threshold. Crossings are interpolated
/// linearly between the last observation and the forecast steps.
struct Eta {
  const char* state = "clear";  ///< crossed (already beyond), forecast, possible (only the bound) or clear
  std::optional<double> point;  ///< time the point forecast crosses (Unix seconds)
  std::optional<double> worst;  ///< time the pessimistic bound crosses (hi above, lo below, at `level`)
  double until = 0;             ///< end of the horizon
};

/// Finds the crossings of `threshold` (upwards, or downwards with `below`)
/// in a forecast series (`sf.forecast` not empty).
Eta find_eta(const SeriesForecast& sf, double threshold, bool below, double level);

/// Forecasts one series from its observations: regularise (options.step,
/// max_fill), keep the last `history` steps, detect or convert the seasonal
/// periods, refill long gaps seasonally, and run options.model.
SeriesForecast forecast_series(std::vector<Observation> obs, const Options& options);

/// Runs the program: returns the exit status (0, or 1 after bad input
/// under --on-error=fail, which throws DataError). Writes records to out and
/// warnings to diag.
int run(const Options& options, Output& out, Diagnostics& diag);

}  // namespace lepton::forecast
