// Timestamps and durations as every lepton program reads and writes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lepton {

struct JsonValue;

/// Parses an RFC 3339 / ISO 8601 date-time into Unix seconds (UTC).
/// Accepted: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `...:SS`, `...:SS.fff` (any
/// number of fraction digits), with `T`, `t` or a space between date and
/// time, and an optional zone `Z`, `z`, `+HH:MM`, `+HHMM` or `+HH`. Text
/// without a zone is taken as UTC. Fields are range-checked (month 1-12,
/// day within the month, hour 0-23, minute 0-59, second 0-60).
std::optional<double> parse_time_text(std::string_view text);

/// A record's `ts`: a JSON number (Unix seconds) or a string accepted by
/// parse_time_text. Non-finite numbers are rejected.
std::optional<double> parse_timestamp(const JsonValue& value);

/// Formats Unix seconds as RFC 3339 UTC, e.g. `2026-11-21T23:51:10Z`, with
/// milliseconds when the time is not a whole second.
std::string format_time(double unix_seconds);

/// Parses a duration: a plain number of seconds (`0.5`, `30`) or numbers with
/// units `ms`, `s`, `m`, `h`, `d`, `w`, which may be combined (`1h30m`).
/// Negative durations are rejected.
std::optional<double> parse_duration(std::string_view text);

/// Formats seconds for people: `250ms`, `10s`, `5m`, `1h30m`, `7d`.
std::string format_duration(double seconds);

/// Days since 1970-01-01 of a proleptic Gregorian date.
long long days_from_civil(long long year, unsigned month, unsigned day);

/// The current wall-clock time as Unix seconds.
double now_unix();

}  // namespace lepton
