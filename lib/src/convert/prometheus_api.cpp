// --from prometheus-api: answers of the Prometheus HTTP API, /api/v1/query
// (vector, scalar) and /api/v1/query_range (matrix). One JSON document per
// input, parsed whole; positions in messages are lines of that document.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "convert/common.h"
#include "lepton/json.h"
#include "lepton/signals.h"

namespace lepton::convert::detail {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_ws(std::string_view t, std::size_t i) {
  while (i < t.size() && is_ws(t[i])) ++i;
  return i;
}

constexpr std::size_t kNone = std::string_view::npos;

// End of the string starting at the quote t[i], or kNone.
std::size_t skip_string(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return kNone;
}

// End of the value starting at t[i], or kNone. Only finds boundaries: the
// pieces it delimits are validated by JsonDocument afterwards.
std::size_t skip_value(std::string_view t, std::size_t i) {
  if (i >= t.size()) return kNone;
  if (t[i] == '"') return skip_string(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    while (i < t.size()) {
      char c = t[i];
      if (c == '"') {
        i = skip_string(t, i);
        if (i == kNone) return kNone;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
      ++i;
    }
    return kNone;
  }
  while (i < t.size() && !is_ws(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']') ++i;
  return i;
}

// The span of member `key` of the object starting at t[i] (the last one if
// repeated, as JsonDocument::find); false if there is none or the text is
// too broken to tell.
bool find_member(std::string_view t, std::size_t i, std::string_view key, std::size_t& begin, std::size_t& end) {
  bool found = false;
  i = skip_ws(t, i);
  if (i >= t.size() || t[i] != '{') return false;
  i = skip_ws(t, i + 1);
  if (i < t.size() && t[i] == '}') return false;
  for (;;) {
    if (i >= t.size() || t[i] != '"') return false;
    std::size_t key_end = skip_string(t, i);
    if (key_end == kNone) return false;
    std::string_view k = t.substr(i + 1, key_end - i - 2);
    i = skip_ws(t, key_end);
    if (i >= t.size() || t[i] != ':') return false;
    std::size_t vb = skip_ws(t, i + 1);
    std::size_t ve = skip_value(t, vb);
    if (ve == kNone) return false;
    if (k == key) {
      begin = vb;
      end = ve;
      found = true;
    }
    i = skip_ws(t, ve);
    if (i < t.size() && t[i] == ',') {
      i = skip_ws(t, i + 1);
      continue;
    }
    return i < t.size() && t[i] == '}' && found;
  }
}

class ApiConverter {
 public:
  ApiConverter(std::string_view text, std::string_view source, const ConvertOptions& options, Emitter& emitter,
               Diagnostics& diag)
      : text_(text), source_(source), options_(options), emitter_(emitter), diag_(diag), index_(text) {}

  void run() {
    std::size_t first = skip_ws(text_, 0);
    if (first == text_.size()) {
      diag_.bad_record({source_, 1}, "empty input; expected a Prometheus API answer (JSON)");
      return;
    }
    // A DOM of a whole large answer would take many times its size: parse
    // the envelope (with "result" emptied) and then one series at a time.
    std::size_t data_begin, data_end;
    split_ = find_member(text_, first, "data", data_begin, data_end) &&
             find_member(text_, data_begin, "result", rb_, re_) && text_[rb_] == '[';
    std::string_view envelope = text_;
    if (split_) {
      envelope_.reserve(text_.size() - (re_ - rb_) + 2);
      envelope_.append(text_.substr(0, rb_));
      envelope_.append("[]");
      envelope_.append(text_.substr(re_));
      envelope = envelope_;
    }
    if (!doc_.parse(envelope)) return syntax_error(to_text(envelope.data() + doc_.error_offset(), 0), doc_.error());
    const JsonValue& root = doc_.root();
    if (!root.is_object()) return bad(root, first, "not a Prometheus API answer: expected a JSON object");
    const JsonValue* status = doc_.get("status");
    if (status == nullptr || !status->is_string())
      return bad(root, first, "not a Prometheus API answer: no \"status\" string");
    if (status->str == "error") {
      const JsonValue* type = doc_.get("errorType");
      const JsonValue* error = doc_.get("error");
      std::string message = "the Prometheus API answered with an error";
      if (type != nullptr && type->is_string() && !type->str.empty()) message += fmt::format(" ({})", type->str);
      message += ": ";
      message += error != nullptr && error->is_string() ? std::string(error->str) : std::string("(no message)");
      diag_.bad_record({source_, index_.line_of(offset(*status, first))}, message);
      return;
    }
    if (status->str != "success")
      return bad(*status, first, "\"status\" must be \"success\" or \"error\"", status->str);
    for (const char* key : {"warnings", "infos"}) {
      const JsonValue* list = doc_.get(key);
      if (list == nullptr || !list->is_array()) continue;
      for (const JsonMember& m : doc_.children(*list))
        if (m.value.is_string())
          diag_.warn(fmt::format("{}: Prometheus API {}: {}", source_,
                                 key == std::string_view("warnings") ? "warning" : "info", m.value.str));
    }
    const JsonValue* data = doc_.get("data");
    if (data == nullptr || !data->is_object())
      return bad(root, first, "not a Prometheus API answer: no \"data\" object");
    std::size_t data_at = offset(*data, first);
    const JsonValue* type = doc_.find(*data, "resultType");
    const JsonValue* result = doc_.find(*data, "result");
    if (type == nullptr || !type->is_string()) return bad(*data, data_at, "\"data\" has no \"resultType\" string");
    if (result == nullptr) return bad(*data, data_at, "\"data\" has no \"result\"");
    std::size_t result_at = split_ ? rb_ : offset(*result, data_at);
    if (type->str == "matrix" || type->str == "vector") {
      if (!result->is_array()) return bad(*result, result_at, "\"result\" must be an array of series");
      bool matrix = type->str == "matrix";
      for (const JsonMember& m : doc_.children(*result)) {  // empty when split
        if (stop_requested()) return;
        series(m.value, offset(m.value, result_at), matrix);
      }
      if (split_) each_series(matrix);
    } else if (type->str == "scalar") {
      if (options_.metric.empty())
        return bad(*result, result_at, "a scalar result has no metric name; give --metric NAME");
      if (split_) {  // a scalar answer is small: parse it whole after all
        split_ = false;
        if (!doc_.parse(text_)) return syntax_error(doc_.error_offset(), doc_.error());
        data = doc_.get("data");
        result = data != nullptr && data->is_object() ? doc_.find(*data, "result") : nullptr;
        if (result == nullptr) return bad(doc_.root(), first, "\"data\" has no \"result\"");
      }
      labels_.clear();
      sample(*result, result_at, options_.metric);
    } else if (type->str == "string") {
      bad(*type, data_at, "resultType \"string\" holds no numbers to convert");
    } else {
      bad(*type, data_at, "unknown resultType (matrix, vector or scalar)", type->str);
    }
  }

 private:
  // Byte offset of a value in the text, or `fallback` if it has none (empty
  // arrays and objects).
  std::size_t offset(const JsonValue& v, std::size_t fallback) const {
    if (v.is_string() || v.is_number()) {
      std::size_t at = to_text(v.raw.data(), fallback);
      return v.is_string() && at > 0 && at != fallback ? at - 1 : at;  // point at the opening quote
    }
    if ((v.is_array() || v.is_object()) && v.count > 0) {
      auto kids = doc_.children(v);
      std::size_t at = offset(kids[0].value, fallback);
      // Step back to the bracket that opens this value (and past the key).
      while (at > 0 && at <= text_.size() && text_[at - 1] != '[' && text_[at - 1] != '{' && at > fallback) --at;
      return at > 0 && at > fallback ? at - 1 : at;
    }
    return fallback;
  }

  // The offset in the input of a pointer into the input or the envelope.
  std::size_t to_text(const char* p, std::size_t fallback) const {
    if (p >= text_.data() && p <= text_.data() + text_.size()) return static_cast<std::size_t>(p - text_.data());
    if (split_ && p >= envelope_.data() && p <= envelope_.data() + envelope_.size()) {
      auto at = static_cast<std::size_t>(p - envelope_.data());
      if (at < rb_) return at;
      if (at < rb_ + 2) return rb_;
      return at - 2 + (re_ - rb_);
    }
    return fallback;
  }

  void syntax_error(std::size_t at, std::string what) {
    std::uint64_t line = index_.line_of(at);
    std::size_t line_start = at == 0 ? 0 : text_.rfind('\n', at - 1);
    line_start = line_start == std::string_view::npos || at == 0 ? 0 : line_start + 1;
    // The parser counts columns over the text it was given; give them per line.
    if (what.starts_with("invalid JSON at column ")) {
      auto colon = what.find(": ");
      if (colon != std::string::npos) what = what.substr(colon + 2);
    }
    std::string_view rest = text_.substr(std::min(at, text_.size()));
    rest = rest.substr(0, rest.find('\n'));
    diag_.bad_record({source_, line}, fmt::format("invalid JSON at column {}: {}", at - line_start + 1, what), rest);
  }

  // The series of a split "result" array, each parsed on its own.
  void each_series(bool matrix) {
    std::size_t i = skip_ws(text_, rb_ + 1);
    if (i < re_ && text_[i] == ']') return;
    while (i < re_) {
      if (stop_requested()) return;
      std::size_t end = skip_value(text_, i);
      if (end == kNone || end > re_) return syntax_error(i, "unterminated value");
      if (!doc_.parse(text_.substr(i, end - i))) {
        syntax_error(i + doc_.error_offset(), doc_.error());  // returns under --on-error=skip: go on
      } else {
        series(doc_.root(), i, matrix);
      }
      i = skip_ws(text_, end);
      if (i < re_ && text_[i] == ',') {
        i = skip_ws(text_, i + 1);
        continue;
      }
      if (i + 1 == re_ && text_[i] == ']') return;
      return syntax_error(i, "expected ',' or ']'");
    }
  }

  void bad(const JsonValue& v, std::size_t fallback, std::string_view problem, std::string_view got = {}) {
    std::size_t at = offset(v, fallback);
    if (got.empty() && at < text_.size()) {
      std::string_view rest = text_.substr(at);
      got = rest.substr(0, rest.find('\n'));
    }
    diag_.bad_record({source_, index_.line_of(at)}, problem, got);
  }

  void series(const JsonValue& s, std::size_t at, bool matrix) {
    if (!s.is_object()) return bad(s, at, "a series must be an object with \"metric\" and values");
    const JsonValue* metric = doc_.find(s, "metric");
    labels_.clear();
    std::string_view name;
    if (metric != nullptr) {
      if (!metric->is_object()) return bad(*metric, at, "\"metric\" must be an object of labels");
      for (const JsonMember& m : doc_.children(*metric)) {
        if (!m.value.is_string())
          return bad(m.value, at, fmt::format("label '{}' must be a string", excerpt(m.key, 40)));
        if (m.key == "__name__") {
          name = m.value.str;
        } else {
          labels_.push_back({m.key, m.value.str});
        }
      }
    }
    if (!options_.metric.empty()) name = options_.metric;
    if (name.empty()) {
      key_.clear();
      append_series_key(key_, "", labels_);
      return bad(s, at, "series has no __name__ (the query applies a function); give --metric NAME", key_);
    }
    const char* values_key = matrix ? "values" : "value";
    const char* histograms_key = matrix ? "histograms" : "histogram";
    const JsonValue* values = doc_.find(s, values_key);
    const JsonValue* histograms = doc_.find(s, histograms_key);
    if (values == nullptr && histograms == nullptr)
      return bad(s, at, fmt::format("series has neither \"{}\" nor \"{}\"", values_key, histograms_key));
    if (values != nullptr) {
      if (matrix) {
        if (!values->is_array()) return bad(*values, at, "\"values\" must be an array of [time, \"value\"] pairs");
        std::size_t values_at = offset(*values, at);
        for (const JsonMember& m : doc_.children(*values)) sample(m.value, offset(m.value, values_at), name);
      } else {
        sample(*values, offset(*values, at), name);
      }
    }
    if (histograms != nullptr) {
      if (matrix) {
        if (!histograms->is_array())
          return bad(*histograms, at, "\"histograms\" must be an array of [time, histogram] pairs");
        std::size_t h_at = offset(*histograms, at);
        for (const JsonMember& m : doc_.children(*histograms)) histogram(m.value, offset(m.value, h_at), name);
      } else {
        histogram(*histograms, offset(*histograms, at), name);
      }
    }
  }

  // [time, x]: checks the shape and the time; null on a bad pair.
  const JsonValue* pair(const JsonValue& p, std::size_t at, double& ts, const char* what) {
    if (!p.is_array() || p.count != 2) {
      bad(p, at, fmt::format("a sample must be a [time, {}] pair", what));
      return nullptr;
    }
    auto kids = doc_.children(p);
    const JsonValue& t = kids[0].value;
    bool ok = false;
    if (t.is_number()) {
      ts = t.number;
      ok = std::isfinite(ts);
    } else if (t.is_string()) {
      ok = parse_float(t.str, ts) && std::isfinite(ts);
    }
    if (!ok) {
      bad(t, at, "sample time must be a finite number of Unix seconds", t.is_string() ? t.str : t.raw);
      return nullptr;
    }
    return &kids[1].value;
  }

  bool number(const JsonValue& v, double& out) {
    if (v.is_string()) return parse_float(v.str, out);
    if (v.is_number()) {
      out = v.number;
      return true;
    }
    return false;
  }

  void sample(const JsonValue& p, std::size_t at, std::string_view name) {
    double ts;
    const JsonValue* v = pair(p, at, ts, "\"value\"");
    if (v == nullptr) return;
    double value;
    if (!number(*v, value))
      return bad(*v, at, "sample value must be a number in a string", v->is_string() ? v->str : v->raw);
    emitter_.emit(ts, name, labels_, value);
  }

  // Native histograms: their count and sum become <name>_count and <name>_sum.
  void histogram(const JsonValue& p, std::size_t at, std::string_view name) {
    double ts;
    const JsonValue* h = pair(p, at, ts, "histogram");
    if (h == nullptr) return;
    if (!h->is_object()) return bad(*h, at, "a native histogram must be an object with \"count\" and \"sum\"");
    const JsonValue* count = doc_.find(*h, "count");
    const JsonValue* sum = doc_.find(*h, "sum");
    double c, s;
    if (count == nullptr || sum == nullptr || !number(*count, c) || !number(*sum, s))
      return bad(*h, at, "a native histogram needs numeric \"count\" and \"sum\"");
    suffixed_.assign(name);
    suffixed_ += "_count";
    emitter_.emit(ts, suffixed_, labels_, c);
    suffixed_.assign(name);
    suffixed_ += "_sum";
    emitter_.emit(ts, suffixed_, labels_, s);
  }

  std::string_view text_;
  std::string envelope_;  // text_ with the "result" array emptied (when split_)
  bool split_ = false;
  std::size_t rb_ = 0, re_ = 0;  // the "result" array in text_
  std::string_view source_;
  const ConvertOptions& options_;
  Emitter& emitter_;
  Diagnostics& diag_;
  LineIndex index_;
  JsonDocument doc_;
  std::vector<Label> labels_;
  std::string key_;
  std::string suffixed_;
};

}  // namespace

void convert_prometheus_api(std::string_view text, std::string_view source, const ConvertOptions& options,
                            Emitter& emitter, Diagnostics& diag) {
  ApiConverter(text, source, options, emitter, diag).run();
}

}  // namespace lepton::convert::detail
