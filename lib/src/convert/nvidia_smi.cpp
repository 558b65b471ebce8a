// --from nvidia-smi: `nvidia-smi --query-gpu=FIELD,... --format=csv[,nounits]`.
// The header names the query fields with their units in brackets
// (`memory.used [MiB]`); rows hold one GPU each, fields separated by ", ",
// values with units (`1024 MiB`) unless nounits, `[N/A]` where unknown.
#include <cmath>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "convert/common.h"
#include "lepton/time.h"

namespace lepton::convert::detail {

namespace {

struct UnitInfo {
  std::string_view unit;
  std::string_view suffix;  // appended to generic metric names
  double multiply, divide;  // to the base unit; dividing keeps 45 % exactly 0.45
};

// Units nvidia-smi prints, converted to base units (bytes, hertz, watts,
// joules, seconds, volts, fractions).
constexpr UnitInfo kUnits[] = {
    {"%", "_frac", 1, 100},
    {"B", "_bytes", 1, 1},
    {"KiB", "_bytes", 1024, 1},
    {"MiB", "_bytes", 1048576, 1},
    {"GiB", "_bytes", 1073741824.0, 1},
    {"Hz", "_hz", 1, 1},
    {"MHz", "_hz", 1e6, 1},
    {"W", "_watts", 1, 1},
    {"mW", "_watts", 1, 1000},
    {"J", "_joules", 1, 1},
    {"mJ", "_joules", 1, 1000},
    {"s", "_seconds", 1, 1},
    {"ms", "_seconds", 1, 1000},
    {"us", "_seconds", 1, 1e6},
    {"C", "_celsius", 1, 1},
    {"V", "_volts", 1, 1},
    {"mV", "_volts", 1, 1000},
};

const UnitInfo* find_unit(std::string_view u) {
  for (const UnitInfo& i : kUnits)
    if (i.unit == u) return &i;
  return nullptr;
}

// The common query fields get short names in lepton's style; `unit` is what
// nvidia-smi reports them in (used when neither header nor value says).
struct Known {
  std::string_view field;
  std::string_view metric;
  std::string_view unit;
};

constexpr Known kKnown[] = {
    {"utilization.gpu", "gpu.util", "%"},
    {"utilization.memory", "gpu.mem.util", "%"},
    {"memory.total", "gpu.mem.total_bytes", "MiB"},
    {"memory.used", "gpu.mem.used_bytes", "MiB"},
    {"memory.free", "gpu.mem.free_bytes", "MiB"},
    {"memory.reserved", "gpu.mem.reserved_bytes", "MiB"},
    {"temperature.gpu", "gpu.temp_celsius", "C"},
    {"temperature.memory", "gpu.mem.temp_celsius", "C"},
    {"power.draw", "gpu.power_watts", "W"},
    {"power.limit", "gpu.power.limit_watts", "W"},
    {"enforced.power.limit", "gpu.power.enforced_limit_watts", "W"},
    {"fan.speed", "gpu.fan_frac", "%"},
    {"clocks.current.graphics", "gpu.clock.graphics_hz", "MHz"},
    {"clocks.gr", "gpu.clock.graphics_hz", "MHz"},
    {"clocks.current.sm", "gpu.clock.sm_hz", "MHz"},
    {"clocks.sm", "gpu.clock.sm_hz", "MHz"},
    {"clocks.current.memory", "gpu.clock.mem_hz", "MHz"},
    {"clocks.mem", "gpu.clock.mem_hz", "MHz"},
    {"clocks.current.video", "gpu.clock.video_hz", "MHz"},
    {"clocks.video", "gpu.clock.video_hz", "MHz"},
    {"pstate", "gpu.pstate", ""},
};

// Fields that identify the GPU or describe its software: always labels,
// under these names (other text values become labels named after the field
// with '.' turned into '_').
struct LabelField {
  std::string_view field;
  std::string_view label;
};

constexpr LabelField kLabelFields[] = {
    {"index", "gpu"},
    {"uuid", "uuid"},
    {"gpu_uuid", "uuid"},
    {"name", "name"},
    {"gpu_name", "name"},
    {"serial", "serial"},
    {"gpu_serial", "serial"},
    {"pci.bus_id", "pci_bus_id"},
    {"gpu_bus_id", "pci_bus_id"},
    {"pci.domain", "pci_domain"},
    {"pci.bus", "pci_bus"},
    {"pci.device", "pci_device"},
    {"pci.device_id", "pci_device_id"},
    {"pci.sub_device_id", "pci_sub_device_id"},
    {"driver_version", "driver_version"},
    {"vbios_version", "vbios_version"},
    {"compute_cap", "compute_cap"},
};

enum class Kind { kLabel, kTime, kAuto };

struct Column {
  std::string field;
  std::string unit;  // from the header's brackets, or from the first value with a unit
  Kind kind = Kind::kAuto;
  std::string label;  // identity label name, or the label name if a value is text
  const Known* known = nullptr;
  std::string metric;
  double multiply = 1, divide = 1;
};

bool field_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

// Splits on commas; nvidia-smi separates fields with ", " and never quotes.
void split(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t pos = 0;
  for (;;) {
    std::size_t comma = line.find(',', pos);
    if (comma == std::string_view::npos) {
      out.push_back(trim(line.substr(pos)));
      return;
    }
    out.push_back(trim(line.substr(pos, comma - pos)));
    pos = comma + 1;
  }
}

// nvidia-smi's `timestamp` field, `2024/01/15 10:23:45.123` in local time.
std::optional<double> parse_local_time(std::string_view text) {
  std::string iso(text);
  if (iso.size() >= 10 && iso[4] == '/' && iso[7] == '/') {
    iso[4] = '-';
    iso[7] = '-';
  }
  auto naive = parse_time_text(iso);
  if (!naive) return std::nullopt;
  // The zone offset at that moment; a second pass settles DST edges.
  double utc = *naive;
  for (int i = 0; i < 2; ++i) {
    std::time_t t = static_cast<std::time_t>(std::floor(utc));
    std::tm tm{};
    if (localtime_r(&t, &tm) == nullptr) return naive;
    utc = *naive - static_cast<double>(tm.tm_gmtoff);
  }
  return utc;
}

class SmiConverter {
 public:
  SmiConverter(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag)
      : lines_(lines), options_(options), emitter_(emitter), diag_(diag) {}

  void run() {
    std::string_view line;
    while (lines_.next(line)) {
      if (lines_.line_number() == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      if (trim(line).empty()) continue;
      if (columns_.empty()) {
        header(line);
        continue;
      }
      if (line == header_text_) {  // repeated header (nvidia-smi -l)
        snapshot_.clear();
        continue;
      }
      row(line);
    }
  }

 private:
  [[noreturn]] void fatal(std::string_view problem, std::string_view got) const {
    throw DataError(format_data_error(lines_.location(), problem, got));
  }

  void header(std::string_view line) {
    header_text_.assign(line);
    split(line, cells_);
    double number;
    if (!cells_.empty() && (parse_float(cells_[0], number) || cells_[0].starts_with("GPU-")))
      fatal("the first line is not a header: run nvidia-smi with --format=csv (without noheader)", line);
    for (std::string_view cell : cells_) {
      Column c;
      std::string_view name = cell;
      auto open = cell.rfind(" [");
      if (open != std::string_view::npos && cell.ends_with(']')) {
        name = trim(cell.substr(0, open));
        c.unit.assign(cell.substr(open + 2, cell.size() - open - 3));
      }
      bool ok = !name.empty();
      for (char ch : name) ok = ok && field_char(ch);
      if (!ok) fatal("not nvidia-smi --query-gpu output: a header field is not a query field name", cell);
      c.field.assign(name);
      for (const LabelField& f : kLabelFields)
        if (f.field == name) {
          c.kind = Kind::kLabel;
          c.label.assign(f.label);
        }
      if (name.starts_with("inforom.")) {
        c.kind = Kind::kLabel;
        c.label.assign(name);
        for (char& ch : c.label)
          if (ch == '.') ch = '_';
      }
      if (c.kind != Kind::kLabel && name == "timestamp") {
        c.kind = Kind::kTime;
        time_col_ = columns_.size();
      }
      if (c.kind == Kind::kAuto) {
        for (const Known& k : kKnown)
          if (k.field == name) c.known = &k;
        c.label = c.field;
        for (char& ch : c.label)
          if (ch == '.') ch = '_';
        if (!name_metric(c, c.unit.empty() && c.known != nullptr ? std::string(c.known->unit) : c.unit))
          fatal(fmt::format("unit [{}] of '{}' does not fit the metric", c.unit, c.field), cell);
      }
      columns_.push_back(std::move(c));
    }
  }

  // Sets the metric name and scale of a value column for `unit`; false if
  // the unit contradicts a known field's (e.g. W for memory.used).
  static bool name_metric(Column& c, const std::string& unit) {
    const UnitInfo* u = find_unit(unit);
    c.multiply = u != nullptr ? u->multiply : 1;
    c.divide = u != nullptr ? u->divide : 1;
    if (c.known != nullptr) {
      if (!unit.empty()) {
        const UnitInfo* expected = find_unit(c.known->unit);
        if (u == nullptr || expected == nullptr || u->suffix != expected->suffix) return false;
      }
      c.metric.assign(c.known->metric);
      return true;
    }
    c.metric = "gpu.";
    c.metric += c.field;
    if (u != nullptr) c.metric += u->suffix;
    return true;
  }

  bool bad(std::string_view problem, std::string_view got) {
    diag_.bad_record(lines_.location(), problem, got);
    return false;
  }

  // A value cell: a number (with its unit unless nounits), a P-state, a hex
  // bit mask, an on/off word, or `[N/A]`-style "no value". Text otherwise.
  enum class Cell { kNumber, kMissing, kText, kBad };

  Cell value_of(Column& c, std::string_view cell, double& out) {
    if (cell.empty()) return Cell::kText;
    if ((cell.front() == '[' && cell.back() == ']') || cell == "N/A") return Cell::kMissing;
    std::string_view number = cell;
    std::string_view unit;
    auto space = cell.rfind(' ');
    if (space != std::string_view::npos) {
      number = trim(cell.substr(0, space));
      unit = cell.substr(space + 1);
    }
    if (parse_float(number, out)) {
      if (!unit.empty()) {
        if (c.unit.empty()) {
          // The header had no unit: take it from the value, once.
          if (!name_metric(c, std::string(unit))) {
            bad(fmt::format("unit '{}' of '{}' does not fit the metric", unit, c.field), cell);
            return Cell::kBad;
          }
          c.unit.assign(unit);
        } else if (unit != c.unit) {
          bad(fmt::format("value of '{}' is in '{}' but the header says [{}]", c.field, unit, c.unit), cell);
          return Cell::kBad;
        }
      }
      out = out * c.multiply / c.divide;
      return Cell::kNumber;
    }
    if (cell.size() >= 2 && cell[0] == 'P') {
      std::int64_t p;
      if (parse_int64(cell.substr(1), p) && p >= 0) {
        out = static_cast<double>(p);
        return Cell::kNumber;
      }
    }
    if (cell.size() > 2 && cell[0] == '0' && (cell[1] == 'x' || cell[1] == 'X')) {
      std::uint64_t v = 0;
      bool ok = cell.size() <= 18;
      for (std::size_t i = 2; ok && i < cell.size(); ++i) {
        char h = cell[i];
        int d = h >= '0' && h <= '9'   ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                       : -1;
        ok = d >= 0;
        v = v * 16 + static_cast<std::uint64_t>(d < 0 ? 0 : d);
      }
      if (ok) {
        out = static_cast<double>(v);
        return Cell::kNumber;
      }
    }
    for (std::string_view on : {"Enabled", "Active", "Yes", "On"})
      if (cell == on) {
        out = 1;
        return Cell::kNumber;
      }
    for (std::string_view off : {"Disabled", "Not Active", "No", "Off"})
      if (cell == off) {
        out = 0;
        return Cell::kNumber;
      }
    return Cell::kText;
  }

  void row(std::string_view line) {
    split(line, cells_);
    if (cells_.size() != columns_.size()) {
      bad(fmt::format("row has {} field{}; the header has {}", cells_.size(), cells_.size() == 1 ? "" : "s",
                      columns_.size()),
          line);
      return;
    }
    labels_.clear();
    values_.clear();
    identity_.clear();
    std::optional<double> ts;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      Column& c = columns_[i];
      std::string_view cell = cells_[i];
      if (!valid_utf8(cell)) {
        bad(fmt::format("field '{}' is not valid UTF-8", c.field), cell);
        return;
      }
      switch (c.kind) {
        case Kind::kLabel:
          labels_.push_back({c.label, cell});
          identity_.append(cell);
          identity_.push_back('\0');
          break;
        case Kind::kTime:
          ts = parse_local_time(cell);
          if (!ts) {
            bad("timestamp is not 'YYYY/MM/DD HH:MM:SS.mmm'", cell);
            return;
          }
          break;
        case Kind::kAuto: {
          double v;
          Cell kind = value_of(c, cell, v);
          if (kind == Cell::kBad) return;
          if (kind == Cell::kText) {
            labels_.push_back({c.label, cell});
          } else {
            values_.push_back({i, kind == Cell::kNumber ? std::optional<double>(v) : std::nullopt});
          }
          break;
        }
      }
    }
    if (!ts) ts = snapshot_time();
    for (const auto& [col, value] : values_) {
      const Column& c = columns_[col];
      if (!value) {
        emitter_.missing(c.metric);
        continue;
      }
      emitter_.emit(*ts, c.metric, labels_, *value);
    }
  }

  // Rows without a timestamp field get the time their snapshot was read; a
  // snapshot ends when a GPU repeats (`nvidia-smi -l N` prints one per
  // interval), so a stream gets one time per interval.
  double snapshot_time() {
    bool repeat = identity_.empty();
    for (const auto& seen : snapshot_) repeat = repeat || seen == identity_;
    if (repeat || !have_time_) {
      snapshot_.clear();
      now_ = conversion_time(options_);
      have_time_ = true;
    }
    if (!identity_.empty()) snapshot_.push_back(identity_);
    return now_;
  }

  Lines& lines_;
  const ConvertOptions& options_;
  Emitter& emitter_;
  Diagnostics& diag_;
  std::string header_text_;
  std::vector<Column> columns_;
  std::optional<std::size_t> time_col_;
  std::vector<std::string_view> cells_;
  std::vector<Label> labels_;
  std::vector<std::pair<std::size_t, std::optional<double>>> values_;
  std::string identity_;
  std::vector<std::string> snapshot_;
  double now_ = 0;
  bool have_time_ = false;
};

}  // namespace

void convert_nvidia_smi(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag) {
  SmiConverter(lines, options, emitter, diag).run();
}

}  // namespace lepton::convert::detail
