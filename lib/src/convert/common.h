// Internals shared by the converters: line sources, number parsing, and the
// emitter that writes points with the label rules every format follows.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lepton/convert/convert.h"
#include "lepton/error.h"
#include "lepton/input.h"
#include "lepton/output.h"
#include "lepton/record.h"

namespace lepton::convert::detail {

/// Lines of one input: a file (LineReader) or text in memory (tests, fuzzing).
class Lines {
 public:
  virtual ~Lines() = default;
  /// Next line without '\n' and a trailing '\r'; false at the end.
  virtual bool next(std::string_view& line) = 0;
  /// 1-based number of the line last returned.
  virtual std::uint64_t line_number() const = 0;
  /// Name for messages.
  virtual std::string_view name() const = 0;
  Location location() const { return {name(), line_number()}; }
};

class FileLines final : public Lines {
 public:
  explicit FileLines(const std::string& path) : reader_(path) {}
  bool next(std::string_view& line) override { return reader_.next(line); }
  std::uint64_t line_number() const override { return reader_.line_number(); }
  std::string_view name() const override { return reader_.name(); }

 private:
  LineReader reader_;
};

class MemoryLines final : public Lines {
 public:
  MemoryLines(std::string_view text, std::string_view name) : text_(text), name_(name) {}
  bool next(std::string_view& line) override;
  std::uint64_t line_number() const override { return line_; }
  std::string_view name() const override { return name_; }

 private:
  std::string_view text_;
  std::string_view name_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 0;
};

/// Parses a number as Go's strconv.ParseFloat does for decimal text (what
/// Prometheus writes): optional sign, digits with optional fraction and
/// exponent, or Inf / Infinity / NaN in any case. The whole text must be
/// the number. Out-of-range magnitudes are rejected.
bool parse_float(std::string_view text, double& out);

/// Parses an optionally signed decimal 64-bit integer (the whole text).
bool parse_int64(std::string_view text, std::int64_t& out);

/// True if `text` is valid UTF-8 (no overlongs, surrogates or code points
/// above U+10FFFF).
bool valid_utf8(std::string_view text);

/// Strips spaces and tabs at both ends.
std::string_view trim(std::string_view text);

/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

/// Turns text into seconds since the epoch for a CSV time cell: a number is
/// Unix seconds, anything else must be an RFC 3339 / ISO 8601 time.
bool parse_time_cell(std::string_view text, double& out);

/// Maps a byte offset in `text` to its 1-based line, scanning forward from
/// the last answer (offsets asked for in increasing order cost O(text)).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {}
  std::uint64_t line_of(std::size_t offset);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
};

/// Writes points `{"ts":..,"metric":..,<labels>,"value":..}` to an Output
/// or a string, applying what every converter shares:
/// - --metrics globs select metric names;
/// - --label labels come first, then the point's own labels in order;
/// - labels with an empty value are left out (as in Prometheus);
/// - a label whose name is a reserved point field (see is_reserved_field),
///   a --label name, or a name already written is renamed by prefixing
///   `exported_` (repeatedly, until free), as Prometheus renames scraped
///   labels that collide with target labels;
/// - values that are NaN or infinite are dropped and counted.
class Emitter {
 public:
  /// Writes to `out` if given, else appends to `text`. Of repeated --label
  /// names the last wins; an empty value removes the label. Throws
  /// UsageError for a --label whose name is empty or reserved.
  Emitter(const ConvertOptions& options, Output* out, std::string* text);

  /// Whether points of `metric` are wanted (--metrics).
  bool wanted(std::string_view metric);

  /// Writes one point (or drops it, see above). `labels` may hold empty
  /// values and need not be sorted.
  void emit(double ts, std::string_view metric, std::span<const Label> labels, double value);

  /// A value that was present but not a number the format allows to be
  /// absent (empty CSV cell, nvidia-smi `[N/A]`): counted, no point.
  void missing(std::string_view metric) {
    if (wanted(metric)) ++missing_;
  }

  /// Prints the warnings about dropped values on `diag`'s stream.
  void finish(const Diagnostics& diag) const;

  std::uint64_t points() const { return points_; }
  std::uint64_t non_finite() const { return non_finite_; }
  std::uint64_t missing_count() const { return missing_; }

 private:
  std::string_view label_name(std::string_view name, std::size_t written);
  bool taken(std::string_view name, std::size_t written) const;

  Output* out_;
  std::string* text_;
  std::vector<std::pair<std::string, std::string>> extra_;
  std::vector<std::string> globs_;
  std::vector<std::string_view> written_;  // label names written for the current point
  std::vector<std::string> renamed_;
  std::string last_metric_;
  bool last_wanted_ = true;
  bool have_last_ = false;
  std::uint64_t points_ = 0;
  std::uint64_t non_finite_ = 0;
  std::uint64_t missing_ = 0;
};

/// The converters. Each reads one input and reports bad records through
/// `diag` (throwing DataError under --on-error=fail).
void convert_prometheus_text(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag);
void convert_prometheus_api(std::string_view text, std::string_view source, const ConvertOptions& options,
                            Emitter& emitter, Diagnostics& diag);
void convert_csv(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag);
void convert_nvidia_smi(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag);

/// The default time of samples without their own: options.default_ts, or
/// the current time rounded to milliseconds.
double conversion_time(const ConvertOptions& options);

}  // namespace lepton::convert::detail
