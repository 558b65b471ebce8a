// Alerts: turning per-record scores into incidents an operator can act on.
//
// An alert fires when a series' score (or its strength, see Verdict) stays
// at or above the threshold for `fire_after` (a number of records or a
// duration), and resolves when the strength stays below the lower
// `resolve` level for `resolve_after`: the gap between the two levels is the
// hysteresis that keeps one incident from flapping into many alerts. One
// incident gives one "firing" record, at most one more when it escalates
// from warning to critical, and one "resolved" record.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "lepton/detect/detector.h"
#include "lepton/detect/rules.h"

namespace lepton::detect {

class StateWriter;
class StateReader;

/// A number of records or a duration.
struct Span {
  double amount = 0;
  bool records = true;  ///< true: `amount` records; false: `amount` seconds
};

/// Parses a span: a whole number is a count of records ("3"); anything else
/// is a duration ("30s", "5m", "0.5"). Throws UsageError naming `option`.
Span parse_span(const std::string& option, const std::string& text);

struct AlertOptions {
  double threshold = 0.5;  ///< fire at or above this score
  double resolve = 0.4;    ///< resolve below this strength
  double critical = 0.8;   ///< severity is critical at or above this strength
  Span fire_after{1, true};
  Span resolve_after{3, true};
};

enum class AlertPhase : std::uint8_t { kIdle, kPending, kFiring };
enum class AlertEvent : std::uint8_t { kNone, kFiring, kEscalated, kResolved };

/// One alert's state (per series and per detector or rule).
struct AlertState {
  AlertPhase phase = AlertPhase::kIdle;
  Severity severity = Severity::kWarning;
  double start = std::nan("");        ///< when the incident began (first record at the threshold)
  double fired = std::nan("");        ///< when it fired
  double quiet_since = std::nan("");  ///< when the strength fell below resolve (while firing)
  std::uint32_t count = 0;            ///< records at the threshold (pending) or below resolve (firing)
  double peak = 0;                    ///< highest strength in the incident
  Verdict top;                        ///< the verdict at the peak (for the reason)
  double value = std::nan("");        ///< the value at the peak

  void save(StateWriter& w) const;
  void load(StateReader& r);
};

/// Advances `st` with one record's verdict at time `ts` and returns what
/// happened. Durations use `ts`; records without time count as records.
AlertEvent step_alert(const AlertOptions& o, AlertState& st, double ts, double value, const Verdict& v);

/// A human reason such as "5.2 sigma above the seasonal baseline for 10m".
/// `value` is the value at the peak; `since` and `now` bound the incident
/// (the duration is left out when 0).
std::string alert_reason(const Verdict& v, double value, double since, double now);

/// Weight of a severity in risk sums: warning 1, critical 2.
inline double severity_weight(Severity s) { return s == Severity::kCritical ? 2.0 : 1.0; }

}  // namespace lepton::detect
