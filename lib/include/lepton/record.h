// The record contract (man/lepton.7): points, labels, series keys, shards,
// and the reader that turns NDJSON input into parsed records.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lepton/error.h"
#include "lepton/input.h"
#include "lepton/json.h"

namespace lepton {

/// True for field names that a record kind defines and that are therefore
/// never labels: ts, metric, value, kind, lo, hi, level, model, score,
/// anomaly, expected, reason, severity, state, detector, step, and the
/// per-level bounds lo<N>/hi<N> (e.g. lo80, hi80).
bool is_reserved_field(std::string_view name);

/// A label of a point: a string field that is not reserved.
struct Label {
  std::string_view name;
  std::string_view value;
  friend bool operator==(const Label&, const Label&) = default;
};

/// A point: `{"ts":...,"metric":...,<labels>,"value":...}`. Views point into
/// the parsed document.
struct Point {
  double ts = 0;
  std::string_view metric;
  double value = 0;
  std::vector<Label> labels;  ///< sorted by name, unique (last one wins)
};

/// How a record was classified by read_point().
enum class PointStatus {
  kPoint,     ///< a valid point
  kNotPoint,  ///< an object with `kind`, or without `value`: pass it through
  kBad,       ///< looks like a point but is invalid; see the problem text
};

/// Field names used to read points; tools may rename them (e.g. lepton-detect
/// --field).
struct PointFields {
  std::string_view ts = "ts";
  std::string_view metric = "metric";
  std::string_view value = "value";
  bool require_ts = true;
  bool require_metric = true;
};

/// Classifies a parsed record and fills `point` when it is one. For kBad,
/// `problem` says what is wrong and `got` shows the offending text.
PointStatus read_point(const JsonDocument& doc, Point& point, std::string& problem, std::string_view& got,
                       const PointFields& fields = {});

/// Appends the canonical series key `metric{name="value",...}` (labels
/// sorted by name; `\`, `"` and newline escaped as in Prometheus).
void append_series_key(std::string& out, std::string_view metric, const std::vector<Label>& labels);

/// The canonical series key of a point.
std::string series_key(const Point& point);

/// 64-bit FNV-1a of `bytes`: stable across versions, platforms and runs, so
/// shards and state files agree between machines.
std::uint64_t stable_hash(std::string_view bytes);

/// `--shard K/N`: this process handles the series whose key hashes to K mod N.
struct Shard {
  std::uint32_t index = 0;  ///< K, counting from 0
  std::uint32_t count = 1;  ///< N
  bool owns(std::uint64_t key_hash) const { return count <= 1 || key_hash % count == index; }
  bool owns_key(std::string_view key) const { return count <= 1 || owns(stable_hash(key)); }
};

/// Parses "K/N" with 0 <= K < N; throws UsageError otherwise.
Shard parse_shard(std::string_view text);

/// Reads NDJSON records from inputs (stdin if empty). Blank lines are
/// skipped; lines that are not JSON objects are bad records, handled by the
/// Diagnostics policy (stop with file:line, or skip and count).
class RecordReader {
 public:
  RecordReader(std::vector<std::string> inputs, Diagnostics& diag);

  /// Advances to the next record; false at the end of all inputs or on stop.
  bool next();

  const JsonDocument& doc() const { return doc_; }
  std::string_view line() const { return line_; }
  Location location() const { return {reader_.source(), reader_.line_number()}; }

  /// Reports the current record as bad (throws under --on-error=fail).
  void bad(std::string_view problem, std::string_view got) { diag_.bad_record(location(), problem, got); }

  Diagnostics& diagnostics() { return diag_; }

 private:
  MultiLineReader reader_;
  Diagnostics& diag_;
  JsonDocument doc_;
  std::string_view line_;
};

}  // namespace lepton
