// Threshold rules of the kind operators write by hand:
//
//   value > 0.9 for 5m
//   cpu.util{host="web-*"}: value >= 0.95 for 10m severity critical
//   absent for 2m
//   disk.used: rate > 1e6
//   abs(delta) > 100
//
// Grammar (whitespace between tokens is free):
//
//   rule      = [ selector ":" ] condition [ "for" duration ] [ "severity" level ]
//   selector  = metric-glob [ "{" matcher { "," matcher } "}" ]
//   matcher   = label ( "=" | "!=" ) quoted-glob
//   condition = "absent" | quantity op number
//   quantity  = "value" | "rate" | "delta" | "score"
//             | "abs(" ( "value" | "rate" | "delta" ) ")"
//   op        = ">" | ">=" | "<" | "<=" | "==" | "!="
//   level     = "warning" | "critical"
//
// Globs use * (any run of characters) and ? (one character). `rate` is the
// change per second since the series' previous value, `delta` the change,
// `score` the detector's score. A condition "for D" must hold without a
// break for D (by record time) before the rule is active; `absent for D`
// means a series matching the selector has sent nothing for D while the
// stream's time moved on.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lepton/record.h"

namespace lepton::detect {

enum class Quantity : std::uint8_t { kValue, kRate, kDelta, kScore };
enum class Comparison : std::uint8_t { kGt, kGe, kLt, kLe, kEq, kNe };
enum class Severity : std::uint8_t { kWarning, kCritical };

/// "warning" or "critical".
std::string_view severity_text(Severity s);

/// A label matcher of a selector.
struct Matcher {
  std::string label;
  std::string glob;
  bool negate = false;
};

/// A parsed rule.
struct Rule {
  std::string text;         ///< the rule as written (normalised spacing)
  std::string metric_glob;  ///< empty: any metric
  std::vector<Matcher> matchers;
  bool absent = false;
  Quantity quantity = Quantity::kValue;
  bool absolute = false;  ///< abs(quantity)
  Comparison op = Comparison::kGt;
  double number = 0;
  double hold = 0;  ///< seconds the condition must hold ("for")
  Severity severity = Severity::kWarning;

  /// Whether a series with this metric and labels is subject to the rule.
  bool selects(std::string_view metric, const std::vector<Label>& labels) const;
  /// Whether the condition holds for a quantity value (not for absent rules).
  bool holds(double quantity_value) const;
};

/// Parses one rule. Throws UsageError naming the rule, the position and what
/// was expected, e.g. `--rule 'value > ': expected a number at column 9`.
Rule parse_rule(std::string_view text);

/// Whether `text` matches the glob (* and ?), whole string.
bool glob_match(std::string_view glob, std::string_view text);

/// The state of one rule for one series.
struct RuleState {
  double since = std::nan("");  ///< when the condition started to hold (NaN: not holding)
  bool active = false;          ///< held for the rule's duration
  double last = std::nan("");   ///< the quantity at the last evaluation
};

/// Evaluates a non-absent rule on one value of a series: updates `st` and
/// returns whether the rule is active now. `q` is the quantity's value at
/// time `ts` (NaN when undefined, e.g. the rate of a series' first value:
/// then the condition does not hold).
bool evaluate_rule(const Rule& rule, RuleState& st, double ts, double q);

}  // namespace lepton::detect
