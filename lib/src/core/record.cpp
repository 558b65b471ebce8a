#include "lepton/record.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "lepton/time.h"

namespace lepton {

bool is_reserved_field(std::string_view n) {
  if (n.empty()) return false;
  switch (n[0]) {
    case 'a':
      return n == "anomaly";
    case 'd':
      return n == "detector";
    case 'e':
      return n == "expected";
    case 'h':
    case 'l':
      if (n == "hi" || n == "lo" || n == "level") return true;
      // lo80, hi99.5: per-level bounds
      if (n.size() > 2 && (n.starts_with("lo") || n.starts_with("hi"))) {
        for (std::size_t i = 2; i < n.size(); ++i)
          if (!((n[i] >= '0' && n[i] <= '9') || n[i] == '.')) return false;
        return true;
      }
      return false;
    case 'k':
      return n == "kind";
    case 'm':
      return n == "metric" || n == "model";
    case 'r':
      return n == "reason";
    case 's':
      return n == "score" || n == "severity" || n == "state" || n == "step";
    case 't':
      return n == "ts";
    case 'v':
      return n == "value";
    default:
      return false;
  }
}

PointStatus read_point(const JsonDocument& doc, Point& point, std::string& problem, std::string_view& got,
                       const PointFields& fields) {
  const JsonValue& root = doc.root();
  if (!root.is_object()) {
    problem = "record is not a JSON object";
    got = doc.text();
    return PointStatus::kBad;
  }
  const JsonValue* value = nullptr;
  const JsonValue* ts = nullptr;
  const JsonValue* metric = nullptr;
  point.labels.clear();
  for (const JsonMember& m : doc.children(root)) {
    if (m.key == fields.value) {
      value = &m.value;
    } else if (m.key == fields.ts) {
      ts = &m.value;
    } else if (m.key == fields.metric) {
      metric = &m.value;
    } else if (m.key == "kind") {
      return PointStatus::kNotPoint;
    } else if (m.value.is_string() && !is_reserved_field(m.key)) {
      point.labels.push_back({m.key, m.value.str});
    }
  }
  if (value == nullptr) return PointStatus::kNotPoint;
  if (!value->is_number() || !std::isfinite(value->number)) {
    problem = fmt::format("'{}' is not a finite number", fields.value);
    got = value->is_string() ? value->str : value->raw.empty() ? doc.text() : value->raw;
    return PointStatus::kBad;
  }
  point.value = value->number;
  if (ts == nullptr) {
    if (fields.require_ts) {
      problem = fmt::format("point has no '{}'", fields.ts);
      got = doc.text();
      return PointStatus::kBad;
    }
    point.ts = std::nan("");
  } else {
    auto t = parse_timestamp(*ts);
    if (!t) {
      problem = fmt::format("'{}' is not Unix seconds or an RFC 3339 time", fields.ts);
      got = ts->is_string() ? ts->str : ts->raw.empty() ? doc.text() : ts->raw;
      return PointStatus::kBad;
    }
    point.ts = *t;
  }
  if (metric == nullptr || !metric->is_string()) {
    if (fields.require_metric || metric != nullptr) {
      problem = metric == nullptr ? fmt::format("point has no '{}'", fields.metric)
                                  : fmt::format("'{}' is not a string", fields.metric);
      got = doc.text();
      return PointStatus::kBad;
    }
    point.metric = fields.value;
  } else {
    point.metric = metric->str;
  }
  auto& labels = point.labels;
  if (labels.size() > 1) {
    // Insertion sort: few labels, stable, and no allocation (stable_sort allocates).
    for (std::size_t i = 1; i < labels.size(); ++i) {
      Label l = labels[i];
      std::size_t j = i;
      for (; j > 0 && labels[j - 1].name > l.name; --j) labels[j] = labels[j - 1];
      labels[j] = l;
    }
    // Keep the last of repeated names, as find() does.
    std::size_t out = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i + 1 < labels.size() && labels[i + 1].name == labels[i].name) continue;
      labels[out++] = labels[i];
    }
    labels.resize(out);
  }
  return PointStatus::kPoint;
}

namespace {
void append_escaped_label(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}
}  // namespace

void append_series_key(std::string& out, std::string_view metric, const std::vector<Label>& labels) {
  out.append(metric);
  out.push_back('{');
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out.push_back(',');
    first = false;
    out.append(l.name);
    out.append("=\"");
    append_escaped_label(out, l.value);
    out.push_back('"');
  }
  out.push_back('}');
}

std::string series_key(const Point& point) {
  std::string key;
  append_series_key(key, point.metric, point.labels);
  return key;
}

std::uint64_t stable_hash(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

Shard parse_shard(std::string_view text) {
  auto slash = text.find('/');
  Shard s;
  auto bad = [&] { return UsageError(fmt::format("--shard must be K/N with 0 <= K < N; got '{}'", text)); };
  if (slash == std::string_view::npos) throw bad();
  auto [p1, e1] = std::from_chars(text.data(), text.data() + slash, s.index);
  auto [p2, e2] = std::from_chars(text.data() + slash + 1, text.data() + text.size(), s.count);
  if (e1 != std::errc() || e2 != std::errc() || p1 != text.data() + slash || p2 != text.data() + text.size() ||
      s.count == 0 || s.index >= s.count)
    throw bad();
  return s;
}

RecordReader::RecordReader(std::vector<std::string> inputs, Diagnostics& diag)
    : reader_(std::move(inputs)), diag_(diag) {}

bool RecordReader::next() {
  for (;;) {
    if (!reader_.next(line_)) return false;
    std::size_t i = 0;
    while (i < line_.size() && (line_[i] == ' ' || line_[i] == '\t')) ++i;
    if (i == line_.size()) continue;  // blank line
    if (!doc_.parse(line_)) {
      diag_.bad_record(location(), doc_.error(), line_);
      continue;
    }
    if (!doc_.root().is_object()) {
      diag_.bad_record(location(), "record is not a JSON object", line_);
      continue;
    }
    return true;
  }
}

}  // namespace lepton
