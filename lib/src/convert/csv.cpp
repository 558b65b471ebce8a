// --from csv: RFC 4180 CSV (quoted fields, doubled quotes, line breaks in
// quotes, CRLF) with a detected header, a time column and value columns.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "convert/common.h"
#include "lepton/time.h"

namespace lepton::convert::detail {

namespace {

enum class Read { kEnd, kRecord, kBad };

// Splits lines into records. Fields are views into the current line (fast
// path, no quotes) or into a scratch buffer; valid until the next call.
class CsvReader {
 public:
  explicit CsvReader(Lines& lines) : lines_(lines) {}

  Read next(std::vector<std::string_view>& fields) {
    std::string_view line;
    multi_line_ = false;
    for (;;) {
      if (!lines_.next(line)) return Read::kEnd;
      if (lines_.line_number() == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // BOM
      if (!trim(line).empty()) break;
    }
    start_line_ = lines_.line_number();
    first_line_ = line;
    fields.clear();
    if (line.find('"') == std::string_view::npos) {
      std::size_t pos = 0;
      for (;;) {
        std::size_t comma = line.find(',', pos);
        if (comma == std::string_view::npos) {
          fields.push_back(trim(line.substr(pos)));
          return Read::kRecord;
        }
        fields.push_back(trim(line.substr(pos, comma - pos)));
        pos = comma + 1;
      }
    }
    return quoted(line, fields);
  }

  std::uint64_t line() const { return start_line_; }
  // The record's first line, for messages (valid until the next call).
  std::string_view text() const { return multi_line_ ? std::string_view(first_copy_) : first_line_; }
  const std::string& problem() const { return problem_; }

 private:
  Read bad(std::string problem) {
    problem_ = std::move(problem);
    return Read::kBad;
  }

  Read quoted(std::string_view line, std::vector<std::string_view>& fields) {
    scratch_.clear();
    spans_.clear();
    std::size_t pos = 0;
    for (;;) {
      while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
      std::size_t start = scratch_.size();
      if (pos < line.size() && line[pos] == '"') {
        ++pos;
        for (;;) {
          std::size_t q = line.find('"', pos);
          if (q == std::string_view::npos) {
            // The field goes on on the next line.
            scratch_.append(line.substr(pos));
            scratch_.push_back('\n');
            if (!multi_line_) {
              multi_line_ = true;
              first_copy_.assign(first_line_);
            }
            if (!lines_.next(line)) return bad("quoted field has no closing quote");
            pos = 0;
            continue;
          }
          scratch_.append(line.substr(pos, q - pos));
          if (q + 1 < line.size() && line[q + 1] == '"') {
            scratch_.push_back('"');
            pos = q + 2;
            continue;
          }
          pos = q + 1;
          break;
        }
        spans_.emplace_back(start, scratch_.size() - start);
        while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
        if (pos == line.size()) break;
        if (line[pos] != ',') return bad("unexpected text after a quoted field");
        ++pos;
        continue;
      }
      std::size_t comma = line.find(',', pos);
      std::string_view field =
          trim(line.substr(pos, comma == std::string_view::npos ? line.size() - pos : comma - pos));
      if (field.find('"') != std::string_view::npos) return bad("quote inside an unquoted field");
      scratch_.append(field);
      spans_.emplace_back(start, field.size());
      if (comma == std::string_view::npos) break;
      pos = comma + 1;
    }
    std::string_view all(scratch_);
    for (const auto& [off, len] : spans_) fields.push_back(all.substr(off, len));
    return Read::kRecord;
  }

  Lines& lines_;
  std::uint64_t start_line_ = 0;
  std::string_view first_line_;
  std::string first_copy_;
  bool multi_line_ = false;
  std::string scratch_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;
  std::string problem_;
};

bool is_datum(std::string_view f) {
  double v;
  return parse_float(f, v) || parse_time_text(f).has_value();
}

bool time_name(std::string_view n) {
  for (std::string_view t : {"ts", "time", "timestamp", "date", "datetime"})
    if (iequals(n, t)) return true;
  return false;
}

class CsvConverter {
 public:
  CsvConverter(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag)
      : lines_(lines), options_(options), emitter_(emitter), diag_(diag), reader_(lines) {}

  void run() {
    // The first record, copied: the second is read before deciding whether
    // the first is a header.
    std::vector<std::string> first;
    std::uint64_t first_line = 0;
    std::string first_text;
    for (;;) {
      Read r = reader_.next(fields_);
      if (r == Read::kEnd) return;
      if (r == Read::kBad) {
        diag_.bad_record({lines_.name(), reader_.line()}, reader_.problem(), reader_.text());
        continue;
      }
      first.assign(fields_.begin(), fields_.end());
      first_line = reader_.line();
      first_text.assign(reader_.text());
      break;
    }
    Read second = next_record();
    bool have_second = second == Read::kRecord;
    bool header = is_header(first, have_second ? &fields_ : nullptr);
    if (header) {
      header_line_ = first_line;
      names_ = first;
      for (std::size_t i = 0; i < names_.size(); ++i) {
        if (!valid_utf8(names_[i]))
          throw DataError(format_data_error({lines_.name(), first_line}, "column name is not valid UTF-8", names_[i]));
        if (names_[i].empty()) names_[i] = fmt::format("col{}", i + 1);
      }
    } else {
      for (std::size_t i = 0; i < first.size(); ++i) names_.push_back(fmt::format("col{}", i + 1));
    }
    if (header && !have_second) {
      // A header without rows: nothing to convert, but the options must still fit.
      setup(nullptr, first_line);
      return;
    }
    if (header) {
      setup(&fields_, reader_.line());
    } else {
      std::vector<std::string_view> row(first.begin(), first.end());
      setup(&row, first_line);
      convert_row(row, first_line, first_text);
    }
    if (have_second) convert_row(fields_, reader_.line(), reader_.text());
    for (;;) {
      Read r = next_record();
      if (r == Read::kEnd) return;
      convert_row(fields_, reader_.line(), reader_.text());
    }
  }

 private:
  // The next good record (bad ones are reported and skipped).
  Read next_record() {
    for (;;) {
      Read r = reader_.next(fields_);
      if (r != Read::kBad) return r;
      diag_.bad_record({lines_.name(), reader_.line()}, reader_.problem(), reader_.text());
    }
  }

  // The first row is a header when a column holds text there and a number or
  // time in the second row, or (one row only / no such column) when it holds
  // no number or time at all.
  static bool is_header(const std::vector<std::string>& first, const std::vector<std::string_view>* second) {
    bool any_datum = false;
    for (const auto& f : first) any_datum = any_datum || is_datum(f);
    if (second != nullptr) {
      for (std::size_t i = 0; i < first.size() && i < second->size(); ++i)
        if (!first[i].empty() && !is_datum(first[i]) && is_datum((*second)[i])) return true;
    }
    return !any_datum;
  }

  [[noreturn]] void fatal(std::uint64_t line, const std::string& problem) const {
    throw DataError(format_data_error({lines_.name(), line}, problem, {}));
  }

  std::string columns_list() const {
    std::string out;
    for (std::size_t i = 0; i < names_.size() && i < 12; ++i) {
      if (i > 0) out += ", ";
      out += names_[i];
    }
    if (names_.size() > 12) out += ", ...";
    return out;
  }

  // A column given by name (exact, then ignoring case) or 1-based number.
  std::optional<std::size_t> find_column(std::string_view spec) const {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == spec) return i;
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (iequals(names_[i], spec)) return i;
    std::int64_t n;
    if (parse_int64(spec, n) && n >= 1 && static_cast<std::size_t>(n) <= names_.size())
      return static_cast<std::size_t>(n - 1);
    return std::nullopt;
  }

  // Decides the time, metric, value and label columns from the names and the
  // first data row (null when the file has only a header).
  void setup(const std::vector<std::string_view>* row, std::uint64_t row_line) {
    std::uint64_t at = header_line_ != 0 ? header_line_ : row_line;
    const std::size_t n = names_.size();
    if (!options_.time_column.empty()) {
      auto c = find_column(options_.time_column);
      if (!c) fatal(at, fmt::format("--time-column '{}' is not a column ({})", options_.time_column, columns_list()));
      time_col_ = *c;
    } else {
      for (std::size_t i = 0; i < n && !time_col_; ++i)
        if (time_name(names_[i])) time_col_ = i;
      for (std::size_t i = 0; row != nullptr && i < n && i < row->size() && !time_col_; ++i)
        if (parse_time_text((*row)[i])) time_col_ = i;
      if (!time_col_) {
        if (row == nullptr) return;  // nothing to convert anyway
        fatal(at,
              "no time column: none is named ts, time, timestamp, date or datetime, and none holds dates; "
              "use --time-column");
      }
    }
    if (header_line_ != 0 && options_.metric.empty())
      for (std::size_t i = 0; i < n; ++i)
        if (names_[i] == "metric" && i != *time_col_) metric_col_ = i;
    std::vector<bool> used(n, false);
    used[*time_col_] = true;
    if (metric_col_) used[*metric_col_] = true;
    if (!options_.value_columns.empty()) {
      for (const auto& spec : options_.value_columns) {
        auto c = find_column(spec);
        if (!c) fatal(at, fmt::format("--value-column '{}' is not a column ({})", spec, columns_list()));
        if (*c == *time_col_) fatal(at, fmt::format("--value-column '{}' is the time column", spec));
        if (used[*c]) fatal(at, fmt::format("--value-column '{}' is given twice or is the metric column", spec));
        used[*c] = true;
        value_cols_.push_back(*c);
      }
      for (std::size_t i = 0; i < n; ++i)
        if (!used[i]) label_cols_.push_back(i);
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        if (used[i]) continue;
        double v;
        std::string_view cell = row != nullptr && i < row->size() ? (*row)[i] : std::string_view();
        // A column named `value` holds values, as in a point.
        if (cell.empty() || parse_float(cell, v) || (header_line_ != 0 && names_[i] == "value")) {
          value_cols_.push_back(i);
        } else {
          label_cols_.push_back(i);
        }
      }
    }
    if (value_cols_.empty() && row != nullptr)
      fatal(at, "no value columns: every column besides the time holds text; use --value-column");
    several_ = value_cols_.size() > 1;
    metrics_.clear();
    for (std::size_t c : value_cols_) metrics_.push_back(options_.metric.empty() ? names_[c] : options_.metric);
    values_.resize(value_cols_.size());
  }

  void bad(std::uint64_t line, std::string_view problem, std::string_view got) {
    diag_.bad_record({lines_.name(), line}, problem, got);
  }

  void convert_row(const std::vector<std::string_view>& row, std::uint64_t line, std::string_view text) {
    if (row.size() != names_.size())
      return bad(line,
                 fmt::format("row has {} field{}; the {} has {}", row.size(), row.size() == 1 ? "" : "s",
                             header_line_ != 0 ? "header" : "first row", names_.size()),
                 text);
    double ts;
    if (!parse_time_cell(row[*time_col_], ts))
      return bad(
          line,
          fmt::format("time in column '{}' is not Unix seconds or an RFC 3339 / ISO 8601 time", names_[*time_col_]),
          row[*time_col_].empty() ? text : row[*time_col_]);
    for (std::size_t k = 0; k < value_cols_.size(); ++k) {
      std::string_view cell = row[value_cols_[k]];
      if (cell.empty()) {
        values_[k] = std::nullopt;
        continue;
      }
      double v;
      if (!parse_float(cell, v))
        return bad(line, fmt::format("value in column '{}' is not a number", names_[value_cols_[k]]), cell);
      values_[k] = v;
    }
    std::string_view metric;
    if (metric_col_) {
      metric = row[*metric_col_];
      if (metric.empty()) return bad(line, "the metric column is empty", text);
      if (!valid_utf8(metric)) return bad(line, "metric name is not valid UTF-8", metric);
    }
    labels_.clear();
    if (several_ && (metric_col_ || !options_.metric.empty())) labels_.push_back({"column", {}});
    for (std::size_t c : label_cols_) {
      if (!valid_utf8(row[c])) return bad(line, fmt::format("column '{}' is not valid UTF-8", names_[c]), row[c]);
      labels_.push_back({names_[c], row[c]});
    }
    for (std::size_t k = 0; k < value_cols_.size(); ++k) {
      std::string_view m = metric_col_ ? metric : std::string_view(metrics_[k]);
      if (several_ && (metric_col_ || !options_.metric.empty())) labels_[0].value = names_[value_cols_[k]];
      if (!values_[k]) {
        emitter_.missing(m);
        continue;
      }
      emitter_.emit(ts, m, labels_, *values_[k]);
    }
  }

  Lines& lines_;
  const ConvertOptions& options_;
  Emitter& emitter_;
  Diagnostics& diag_;
  CsvReader reader_;
  std::vector<std::string_view> fields_;
  std::vector<std::string> names_;
  std::uint64_t header_line_ = 0;
  std::optional<std::size_t> time_col_;
  std::optional<std::size_t> metric_col_;
  std::vector<std::size_t> value_cols_;
  std::vector<std::size_t> label_cols_;
  std::vector<std::string> metrics_;
  std::vector<std::optional<double>> values_;
  std::vector<Label> labels_;
  bool several_ = false;
};

}  // namespace

void convert_csv(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag) {
  CsvConverter(lines, options, emitter, diag).run();
}

}  // namespace lepton::convert::detail
