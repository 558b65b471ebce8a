// Online anomaly detectors for one numeric series. Every detector sees each
// value once, in order, scores it before learning from it, and keeps state
// of a fixed size (or a bounded window), so memory per series is bounded and
// work per value is constant or logarithmic in the window.
#pragma once

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::detect {

class StateWriter;
class StateReader;

/// What a deviation was measured against; names the baseline in alert reasons.
enum class Basis : std::uint8_t {
  kNone,
  kRecentMean,    ///< mean of a recent window or an exponentially weighted mean
  kRecentMedian,  ///< median of a recent window
  kLongRange,     ///< the range of values seen over a long history
  kSeasonal,      ///< the same phase of earlier periods (day, week, ...)
  kForecast,      ///< a one-step-ahead forecast
  kLevelShift,    ///< a sustained shift of the mean (CUSUM)
  kChangePoint,   ///< a change of regime (Bayesian online change point)
  kPattern,       ///< the shape of the latest values, compared with earlier stretches
  kCorrelation,   ///< the joint behaviour of several metrics of one entity
  kEventRate,     ///< the usual number of events of a key per window
  kNewKey,        ///< a key never seen before
};

/// Human name of a basis, e.g. "seasonal baseline".
std::string_view basis_text(Basis b);

/// What a detector says about one value.
struct Verdict {
  double score = 0;  ///< how anomalous, in [0, 1]; 0.5 is the default alarm level
  /// The score before de-duplication: the ensemble reports an incident once
  /// (later records of it score low) while `strength` stays high as long as
  /// the values stay unusual; alerts use it to tell when an incident is over.
  /// Single detectors report strength == score.
  double strength = 0;
  double expected = std::nan("");  ///< the value the detector expected, if it has one
  double lo = std::nan("");        ///< lower end of the normal band, if any
  double hi = std::nan("");        ///< upper end of the normal band, if any
  double sigma = 0;                ///< signed deviation from `expected` in units of the spread
  Basis basis = Basis::kNone;      ///< what the deviation is measured against
};

/// One series' detector. Not thread-safe; one instance per series.
class Detector {
 public:
  virtual ~Detector() = default;
  /// Scores `value` observed at `ts` (Unix seconds; NaN if the records carry
  /// no time) against what was learned so far, then learns from it.
  virtual Verdict update(double ts, double value) = 0;
  /// Appends the complete state, so that load() + further updates give
  /// bit-identical verdicts to an uninterrupted run.
  virtual void save(StateWriter& w) const = 0;
  /// Restores what save() wrote; throws DataError on corrupt input.
  virtual void load(StateReader& r) = 0;
  /// Cache hints for a stream of many series, in the order the caller
  /// issues them while scoring earlier records: stage 0 fetches what the
  /// object points to (it must be in the cache already: see object_bytes),
  /// stage 1 what those point to. No effect on results.
  virtual void prefetch(int /*stage*/) const {}
  /// Bytes of the object itself, for the caller to prefetch.
  virtual std::size_t object_bytes() const { return 64; }
};

/// Prefetch hint for every cache line of [p, p + bytes).
inline void prefetch_bytes(const void* p, std::size_t bytes) {
  const char* c = static_cast<const char*>(p);
  for (std::size_t i = 0; i < bytes; i += 64) __builtin_prefetch(c + i);
}

/// How detectors are built (one configuration for every series).
struct DetectorOptions {
  /// ensemble (default), zscore, ewma, mad, seasonal, forecast, cusum, bocpd.
  std::string name = "ensemble";
  /// Values kept by windowed detectors (zscore, mad) and the span of ewma;
  /// 0 picks the detector's default (100).
  std::size_t history = 0;
  /// Season length in seconds for seasonal and forecast: > 0 fixed, 0 detect
  /// online among a day and a week, < 0 none.
  double season = 0;
  /// Width of the lo..hi band in spreads (standard deviations or scaled MADs).
  double band = 3.0;
  /// Ensemble: how many earlier values the shape of the latest values is
  /// compared with (0: no pattern view). Work and memory per value grow
  /// linearly with it; 0 picks the default (32).
  std::size_t patterns = 0;
};

/// Names accepted by make_detector, default first.
const std::vector<std::string>& detector_names();

/// Builds a detector; throws UsageError for an unknown name or bad options.
std::unique_ptr<Detector> make_detector(const DetectorOptions& options);

/// A 64-bit fingerprint of the options that shape detector state (state
/// files written with other options are refused).
std::uint64_t fingerprint(const DetectorOptions& options);

/// Maps a surprise (-ln of a tail probability) to a score in [0, 1] for the
/// single detectors: s / (s + S4), where S4 = normal_surprise(4), so a
/// 4-sigma deviation scores 0.5.
double absolute_score(double surprise);

}  // namespace lepton::detect
