#include "lepton/detect/engine.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "lepton/detect/exposition.h"
#include "lepton/detect/multivariate.h"
#include "lepton/detect/rules.h"
#include "lepton/detect/state.h"
#include "lepton/detect/stats.h"
#include "lepton/json.h"
#include "lepton/signals.h"
#include "lepton/time.h"

namespace lepton::detect {

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names = {"ndjson", "prometheus"};
  return names;
}

OutputFormat parse_format(std::string_view name) {
  if (name == "ndjson") return OutputFormat::kNdjson;
  if (name == "prometheus") return OutputFormat::kPrometheus;
  throw UsageError(fmt::format("--format must be ndjson or prometheus; got '{}'", name));
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint32_t kEventLearn = 5;        // windows before bursts and new keys are judged
constexpr double kKeyAlpha = 0.1;               // per-key rate smoothing (per window)
constexpr double kPopAlpha = 0.01;              // typical active-key count smoothing
constexpr double kTotalAlpha = 0.05;            // total count smoothing
constexpr std::size_t kMaxEmptyWindows = 1440;  // empty windows materialised after a gap
constexpr std::size_t kMaxPending = 100000;     // --by: records held back at most

bool is_none(const DetectOptions& o) { return o.detector.name == "none"; }

void append_score(std::string& out, double s);
void append_approx(std::string& out, double v);

// Appends a number: exact (digits > 6, e.g. times), a score (digits 4) or
// an estimate (otherwise), in the same forms as annotations use.
void put_number(JsonWriter& w, double v, int digits) {
  if (!std::isfinite(v)) {
    w.null();
    return;
  }
  if (digits > 6) {
    w.number(v);
    return;
  }
  std::string text;
  if (digits == 4)
    append_score(text, v);
  else
    append_approx(text, v);
  w.raw(text);
}

// A score in [0, 1] with at most 4 decimals: 0, 1, 0.5, 0.1234.
void append_score(std::string& out, double s) {
  long k = std::lround(std::clamp(std::isnan(s) ? 0.0 : s, 0.0, 1.0) * 10000);
  if (k == 0 || k == 10000) {
    out.push_back(k ? '1' : '0');
    return;
  }
  char buf[8] = {'0', '.'};
  int digits[4] = {static_cast<int>(k / 1000), static_cast<int>(k / 100 % 10), static_cast<int>(k / 10 % 10),
                   static_cast<int>(k % 10)};
  int last = 3;
  while (digits[last] == 0) --last;
  int n = 2;
  for (int i = 0; i <= last; ++i) buf[n++] = static_cast<char>('0' + digits[i]);
  out.append(buf, static_cast<std::size_t>(n));
}

// An estimate (expected, lo, hi) to about 7 significant digits: the shortest
// text of the nearest float, which is much faster than fixed precision.
void append_approx(std::string& out, double v) {
  char buf[40];
  char* e;
  if (std::fabs(v) < 3e38 && (v == 0 || std::fabs(v) > 1e-37))
    e = fmt::format_to(buf, FMT_COMPILE("{}"), static_cast<float>(v));
  else
    e = fmt::format_to(buf, FMT_COMPILE("{}"), v);
  out.append(buf, static_cast<std::size_t>(e - buf));
}

// Per-key state of event counting.
struct EventKey {
  double rate = 0;                                                  // smoothed count per window
  std::int64_t last = 0;                                            // window of the last rate update
  std::uint64_t windows = 0;                                        // closed windows this key was counted in
  std::uint64_t count = 0;                                          // count in the current window
  std::int64_t counted = std::numeric_limits<std::int64_t>::min();  // window `count` belongs to
};

struct Series {
  std::uint64_t hash = 0;
  std::string key;
  std::string metric;
  std::vector<std::pair<std::string, std::string>> labels;
  std::unique_ptr<Detector> det;
  double last_ts = kNaN, last_value = kNaN;
  std::uint64_t touched = 0;
  // The series that came next the last time this one was seen: in a stream
  // where every tick lists the series in the same order, its state is
  // fetched into the cache while this one is being scored.
  Series* successor = nullptr;
  std::size_t det_bytes = 0;          // det->object_bytes()
  std::vector<RuleState> rules;       // per value rule
  std::vector<char> selected;         // per value rule: applies to this series
  std::vector<char> absent_selected;  // per absent rule
  std::vector<char> absent_fired;     // per absent rule
  AlertState alert;                   // the detector's alert
  std::vector<AlertState> rule_alerts;
  EventKey ev;
  std::unique_ptr<Series> next;  // another series with the same 64-bit hash (practically never)
};

struct Entity {
  std::string name;
  std::vector<std::string> metrics;  // vector slots, in order of first appearance
  std::unique_ptr<MahalanobisModel> model;
  double tick = kNaN;
  std::vector<double> values;
  std::size_t filled = 0;
  std::vector<std::uint64_t> pending;  // output ids of this tick's records
  std::vector<int> pending_slot;
  AlertState alert;
  std::uint64_t touched = 0;
};

// One record held back in --by mode until its entity's tick is scored.
struct Held {
  std::string line;
  bool ready = false;
};

class Engine {
 public:
  Engine(const DetectOptions& o, Output& out, Diagnostics& diag, RecordSink* sink)
      : o_(o), out_(out), diag_(diag), sink_(sink) {
    for (const auto& text : o.rules) {
      Rule r = parse_rule(text);
      if (r.absent)
        absent_rules_.push_back(std::move(r));
      else
        rules_.push_back(std::move(r));
    }
    for (const auto& r : absent_rules_) min_absent_ = std::min(min_absent_, r.hold);
    fields_.value = o.value_field;
    fields_.ts = o.time_field;
    fields_.metric = o.metric_field;
    fields_.require_ts = false;
    fields_.require_metric = o.value_field == "value" && o.metric_field == "metric";
    track_alerts_ = o.alerts || o.exit_status;
    detector_name_ = !o.by.empty() ? "mahalanobis" : o.detector.name;
  }

  int run() {
    if (!o_.state_path.empty()) load_state();
    RecordReader reader(o_.inputs, diag_);
    while (reader.next()) {
      if (!o_.count_by.empty())
        on_event(reader);
      else
        on_record(reader);
      maybe_check_absent();
      ++records_;
      if ((records_ & 0xffff) == 0) maybe_evict();
    }
    finish();
    return o_.exit_status && fired_ ? kExitAlert : kExitOk;
  }

 private:
  // ---- points -------------------------------------------------------------
  void on_record(RecordReader& reader) {
    const JsonDocument& doc = reader.doc();
    std::string problem;
    std::string_view got;
    PointStatus st = read_point(doc, point_, problem, got, fields_);
    if (st == PointStatus::kBad) {
      reader.bad(problem, got);
      return;
    }
    if (st == PointStatus::kNotPoint) {
      pass_through(reader.line());
      return;
    }
    double ts = std::isnan(point_.ts) ? now_unix() : point_.ts;
    advance_clock(ts);
    if (!o_.by.empty()) {
      on_entity_record(reader.line(), ts);
      return;
    }
    key_.clear();
    append_series_key(key_, point_.metric, point_.labels);
    std::uint64_t h = stable_hash(key_);
    if (!o_.shard.owns(h)) return;
    Series& s = series(h, key_, point_.metric, point_.labels);
    if (previous_ && previous_->successor != &s) previous_->successor = &s;
    previous_ = &s;
    prefetch_ahead(s);
    Verdict v = s.det ? s.det->update(ts, point_.value) : Verdict{};
    process(s, reader.line(), ts, point_.value, v);
  }

  // Rules, annotation and alerts for one value of a series. `line` is the
  // record to annotate (empty: build a point record from the series).
  void process(Series& s, std::string_view line, double ts, double x, Verdict v) {
    s.touched = ++tick_;
    if (!s.absent_fired.empty()) resolve_absent(s, ts);
    const Rule* active = nullptr;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (!s.selected[i]) continue;
      const Rule& r = rules_[i];
      double q = quantity(r, s, ts, x, v);
      bool on = evaluate_rule(r, s.rules[i], ts, q);
      if (on && active == nullptr) active = &r;
      if (track_alerts_) {
        Verdict rv;
        rv.score = rv.strength = on ? 1.0 : 0.0;
        rv.sigma = std::isnan(q) ? 0 : q;
        AlertOptions ao = o_.alert;
        ao.threshold = 0.5;
        ao.resolve = 0.5;
        ao.critical = r.severity == Severity::kCritical ? 0.0 : 2.0;
        ao.fire_after = {1, true};
        AlertEvent e = step_alert(ao, s.rule_alerts[i], ts, x, rv);
        if (e != AlertEvent::kNone) rule_alert(s, i, e, ts, x, q);
      }
    }
    s.last_ts = ts;
    s.last_value = x;
    if (!o_.alerts || sink_) {
      Verdict shown = v;
      if (active) shown.score = 1.0;  // a record that breaks a rule scores 1
      annotate(s, line, ts, x, shown, active);
    }
    if (track_alerts_ && (!is_none(o_) || !o_.count_by.empty())) {
      AlertEvent e = step_alert(o_.alert, s.alert, ts, x, v);
      if (e != AlertEvent::kNone) detector_alert(s, e, ts);
    }
  }

  static double quantity(const Rule& r, const Series& s, double ts, double x, const Verdict& v) {
    switch (r.quantity) {
      case Quantity::kValue:
        return x;
      case Quantity::kDelta:
        return x - s.last_value;
      case Quantity::kRate: {
        double dt = ts - s.last_ts;
        return dt > 0 ? (x - s.last_value) / dt : kNaN;
      }
      case Quantity::kScore:
        return v.score;
    }
    return kNaN;
  }

  // The hot path: fields are appended as text, numbers with the fast
  // formatters below (scores to 4 decimals, bands to float precision).
  void annotate(const Series& s, std::string_view line, double ts, double x, const Verdict& v, const Rule* rule) {
    const bool write = o_.format == OutputFormat::kNdjson && !o_.alerts;
    if (!write && !sink_) return;
    std::string& b = out_.buffer();
    const std::size_t start = b.size();
    if (line.empty()) {
      JsonWriter w(b);
      w.begin_object();
      w.key("ts");
      put_number(w, ts, 17);
      write_series(w, s);
      w.key("value");
      w.number(x);
    } else {
      JsonWriter w(b);
      w.extend_object(line);
    }
    b.append(",\"score\":");
    append_score(b, v.score);
    b.append(v.score >= o_.threshold ? ",\"anomaly\":true" : ",\"anomaly\":false");
    if (std::isfinite(v.expected)) {
      b.append(",\"expected\":");
      append_approx(b, v.expected);
    }
    if (std::isfinite(v.lo)) {
      b.append(",\"lo\":");
      append_approx(b, v.lo);
    }
    if (std::isfinite(v.hi)) {
      b.append(",\"hi\":");
      append_approx(b, v.hi);
    }
    if (rule || !reason_.empty()) {
      b.append(",\"reason\":");
      append_json_string(b, rule ? std::string_view(rule->text) : std::string_view(reason_));
    }
    b.push_back('}');
    if (sink_) sink_->record(std::string_view(b).substr(start));
    if (write)
      out_.end_line();
    else
      b.resize(start);
  }

  void pass_through(std::string_view line) {
    if (o_.alerts || o_.shard.index != 0 || o_.format != OutputFormat::kNdjson) return;
    if (!pending_.empty()) {
      hold(std::string(line), true);
      return;
    }
    out_.write_line(line);
  }

  static void write_series(JsonWriter& w, const Series& s) {
    w.key("metric");
    w.string(s.metric);
    for (const auto& [k, val] : s.labels) {
      w.key(k);
      w.string(val);
    }
  }

  // Cache hints for the series expected next, one pointer hop per record
  // ahead, so that every hint finds its address already in the cache.
  static void prefetch_ahead(const Series& s) {
    const Series* n1 = s.successor;
    const Series* n2 = n1 ? n1->successor : nullptr;
    const Series* n3 = n2 ? n2->successor : nullptr;
    const Series* n4 = n3 ? n3->successor : nullptr;
    // Most urgent first: hints beyond the CPU's queue may be dropped.
    if (n1 && n1->det) n1->det->prefetch(1);
    if (n2 && n2->det) n2->det->prefetch(0);
    if (n3) {
      prefetch_bytes(n3->key.data(), n3->key.size());
      if (n3->det) prefetch_bytes(n3->det.get(), n3->det_bytes);
    }
    if (n4) prefetch_bytes(n4, sizeof *n4);
  }

  Series& series(std::uint64_t h, std::string_view key, std::string_view metric, const std::vector<Label>& labels) {
    // Most often the series that followed the previous one last time.
    if (previous_ && previous_->successor && previous_->successor->hash == h && previous_->successor->key == key)
      return *previous_->successor;
    auto it = table_.find(h);
    Series* s = it == table_.end() ? nullptr : it->second.get();
    Series* tail = nullptr;
    while (s && s->key != key) {
      tail = s;
      s = s->next.get();
    }
    if (s) return *s;
    auto fresh = std::make_unique<Series>();
    fresh->hash = h;
    fresh->key = std::string(key);
    fresh->metric = std::string(metric);
    for (const Label& l : labels) fresh->labels.emplace_back(std::string(l.name), std::string(l.value));
    init_series(*fresh, true);
    Series* made = fresh.get();
    if (tail)
      tail->next = std::move(fresh);
    else
      table_.emplace(h, std::move(fresh));
    return *made;
  }

  void init_series(Series& s, bool with_detector) {
    std::vector<Label> labels;
    for (const auto& [k, v] : s.labels) labels.push_back({k, v});
    if (with_detector && !is_none(o_) && o_.count_by.empty() && o_.by.empty()) {
      s.det = make_detector(o_.detector);
      s.det_bytes = s.det->object_bytes();
    }
    s.rules.assign(rules_.size(), RuleState{});
    s.selected.resize(rules_.size());
    for (std::size_t i = 0; i < rules_.size(); ++i) s.selected[i] = rules_[i].selects(s.metric, labels);
    s.rule_alerts.assign(rules_.size(), AlertState{});
    s.absent_selected.resize(absent_rules_.size());
    for (std::size_t i = 0; i < absent_rules_.size(); ++i)
      s.absent_selected[i] = absent_rules_[i].selects(s.metric, labels);
    s.absent_fired.assign(absent_rules_.size(), 0);
  }

  // ---- alerts and risk ----------------------------------------------------
  void begin_alert(JsonWriter& w, const Series& s, double ts, const char* state, Severity sev) {
    w.begin_object();
    w.key("kind");
    w.string("alert");
    w.key("ts");
    put_number(w, ts, 17);
    write_series(w, s);
    w.key("state");
    w.string(state);
    w.key("severity");
    w.string(severity_text(sev));
  }

  // Writes the record built in scratch_ (alerts and risk records).
  void emit_alert_line() {
    if (sink_) sink_->record(scratch_);
    if (o_.format != OutputFormat::kNdjson || replaying_) return;
    if (!pending_.empty()) {
      hold(scratch_, true);
      return;
    }
    out_.write_line(scratch_);
  }

  bool write_alerts() const { return o_.alerts || !absent_rules_.empty(); }

  void detector_alert(Series& s, AlertEvent e, double ts) {
    const AlertState& a = s.alert;
    if (e != AlertEvent::kResolved) fired_ = true;
    if (o_.alerts) write_detector_alert(s, e, ts);
    update_risk(s, s.hash * 31 + 1, e, a.severity, a.peak, ts);
  }

  void write_detector_alert(const Series& s, AlertEvent e, double ts) {
    const AlertState& a = s.alert;
    scratch_.clear();
    JsonWriter w(scratch_);
    begin_alert(w, s, ts, e == AlertEvent::kResolved ? "resolved" : "firing", a.severity);
    w.key("score");
    put_number(w, a.peak, 4);
    w.key("value");
    w.number(a.value);
    if (std::isfinite(a.top.expected)) {
      w.key("expected");
      put_number(w, a.top.expected, 6);
    }
    w.key("reason");
    w.string(alert_reason(a.top, a.value, a.start, e == AlertEvent::kResolved ? a.fired : ts));
    w.key("detector");
    w.string(o_.count_by.empty() ? detector_name_ : std::string("events"));
    w.key("since");
    put_number(w, a.start, 17);
    if (e == AlertEvent::kResolved) {
      w.key("duration");
      put_number(w, ts - a.start, 6);
    }
    w.end_object();
    emit_alert_line();
  }

  void rule_alert(Series& s, std::size_t i, AlertEvent e, double ts, double x, double q) {
    const Rule& r = rules_[i];
    if (e != AlertEvent::kResolved) fired_ = true;
    if (o_.alerts) write_rule_alert(s, i, e, ts, x, q);
    update_risk(s, s.hash * 31 + 2 + i, e, r.severity, 1.0, ts);
  }

  void write_rule_alert(const Series& s, std::size_t i, AlertEvent e, double ts, double x, double q) {
    const Rule& r = rules_[i];
    const AlertState& a = s.rule_alerts[i];
    scratch_.clear();
    JsonWriter w(scratch_);
    begin_alert(w, s, ts, e == AlertEvent::kResolved ? "resolved" : "firing", r.severity);
    w.key("score");
    w.integer(e == AlertEvent::kResolved ? 0 : 1);
    w.key("value");
    put_number(w, x, 6);
    std::string reason = r.text;
    if (r.quantity != Quantity::kValue && std::isfinite(q))
      reason += fmt::format(" ({} {:.6g})", quantity_name(r), r.absolute ? std::fabs(q) : q);
    if (r.quantity == Quantity::kValue) reason += fmt::format(" (value {:.6g})", x);
    w.key("reason");
    w.string(reason);
    w.key("detector");
    w.string("rule");
    w.key("since");
    put_number(w, a.start, 17);
    w.end_object();
    emit_alert_line();
  }

  static std::string quantity_name(const Rule& r) {
    const char* n = r.quantity == Quantity::kRate ? "rate" : r.quantity == Quantity::kDelta ? "delta" : "score";
    return r.absolute ? fmt::format("abs({})", n) : std::string(n);
  }

  struct Risk {
    std::unordered_map<std::uint64_t, double> parts;
  };

  void update_risk(const Series& s, std::uint64_t id, AlertEvent e, Severity sev, double score, double ts) {
    if (o_.risk_by.empty()) return;
    std::string_view entity;
    bool found = false;
    for (const auto& [k, v] : s.labels)
      if (k == o_.risk_by) {
        entity = v;
        found = true;
      }
    if (!found) return;
    Risk& r = risk_[std::string(entity)];
    if (e == AlertEvent::kResolved)
      r.parts.erase(id);
    else
      r.parts[id] = severity_weight(sev) * score;
    if (o_.alerts) write_risk(entity, r, ts);
  }

  void write_risk(std::string_view entity, const Risk& r, double ts) {
    double total = 0;
    for (const auto& [k, part] : r.parts) total += part;
    scratch_.clear();
    JsonWriter w(scratch_);
    w.begin_object();
    w.key("kind");
    w.string("risk");
    w.key("ts");
    put_number(w, ts, 17);
    w.key(o_.risk_by);
    w.string(entity);
    w.key("risk");
    put_number(w, total, 6);
    w.key("alerts");
    w.integer(static_cast<std::int64_t>(r.parts.size()));
    w.end_object();
    emit_alert_line();
  }

  // ---- absent rules ---------------------------------------------------------
  void advance_clock(double ts) {
    if (std::isnan(now_) || ts > now_) now_ = ts;
  }

  // Absence is judged against the stream's time (the newest timestamp seen).
  // A scan finds the series that went quiet and the earliest moment the next
  // one could; series that report meanwhile only push their deadline later,
  // so nothing is scanned before that moment.
  void maybe_check_absent() {
    if (absent_rules_.empty() || std::isnan(now_)) return;
    if (!std::isnan(next_absent_) && now_ < next_absent_) return;
    check_absent();
  }

  void check_absent() {
    double next = std::numeric_limits<double>::infinity();
    for (auto& [h, head] : table_)
      for (Series* s = head.get(); s; s = s->next.get())
        for (std::size_t i = 0; i < absent_rules_.size(); ++i) {
          const Rule& r = absent_rules_[i];
          if (!s->absent_selected[i] || s->absent_fired[i] || std::isnan(s->last_ts)) continue;
          if (now_ - s->last_ts < r.hold) {
            next = std::min(next, s->last_ts + r.hold);
            continue;
          }
          s->absent_fired[i] = 1;
          absent_alert(*s, i, true, now_);
        }
    // New series have later deadlines than any seen so far.
    next_absent_ = std::isinf(next) ? now_ + min_absent_ : next;
  }

  void resolve_absent(Series& s, double ts) {
    for (std::size_t i = 0; i < absent_rules_.size(); ++i)
      if (s.absent_fired[i]) {
        s.absent_fired[i] = 0;
        absent_alert(s, i, false, ts);
      }
  }

  void absent_alert(Series& s, std::size_t i, bool firing, double ts) {
    if (firing) fired_ = true;
    write_absent_alert(s, i, firing, ts);
    update_risk(s, s.hash * 31 + 1000 + i, firing ? AlertEvent::kFiring : AlertEvent::kResolved,
                absent_rules_[i].severity, 1.0, ts);
  }

  void write_absent_alert(const Series& s, std::size_t i, bool firing, double ts) {
    const Rule& r = absent_rules_[i];
    scratch_.clear();
    JsonWriter w(scratch_);
    begin_alert(w, s, ts, firing ? "firing" : "resolved", r.severity);
    w.key("score");
    w.integer(firing ? 1 : 0);
    w.key("reason");
    w.string(firing ? fmt::format("{} (nothing for {})", r.text, format_duration(ts - s.last_ts))
                    : fmt::format("{} (reporting again after {})", r.text, format_duration(ts - s.last_ts)));
    w.key("detector");
    w.string("rule");
    w.key("since");
    put_number(w, s.last_ts, 17);
    w.end_object();
    emit_alert_line();
  }

  // ---- events ---------------------------------------------------------------
  void on_event(RecordReader& reader) {
    const JsonDocument& doc = reader.doc();
    event_labels_.clear();
    for (std::size_t i = 0; i < o_.count_by.size(); ++i) {
      const JsonValue* v = doc.get(o_.count_by[i]);
      if (v == nullptr || !(v->is_string() || v->is_number() || v->is_bool())) {
        pass_through(reader.line());  // not an event of this kind
        return;
      }
      event_text_[i].assign(v->is_string() ? v->str : v->is_number() ? v->raw : v->boolean() ? "true" : "false");
    }
    // Labels sorted by name, as in every series key.
    for (std::size_t i = 0; i < o_.count_by.size(); ++i) event_labels_.push_back({o_.count_by[i], event_text_[i]});
    std::sort(event_labels_.begin(), event_labels_.end(),
              [](const Label& a, const Label& b) { return a.name < b.name; });
    key_.clear();
    append_series_key(key_, o_.event_metric, event_labels_);
    double ts = kNaN;
    if (const JsonValue* t = doc.get(o_.time_field)) {
      auto parsed = parse_timestamp(*t);
      if (!parsed) {
        reader.bad(fmt::format("'{}' is not Unix seconds or an RFC 3339 time", o_.time_field),
                   t->is_string() ? t->str : t->raw);
        return;
      }
      ts = *parsed;
    }
    if (std::isnan(ts)) ts = now_unix();
    advance_clock(ts);
    std::uint64_t h = stable_hash(key_);
    if (!o_.shard.owns(h)) return;
    auto w = static_cast<std::int64_t>(std::floor(ts / o_.window));
    if (!ev_started_) {
      ev_started_ = true;
      ev_window_ = w;
    }
    if (w > ev_window_) close_windows(w);
    Series& s = series(h, key_, o_.event_metric, event_labels_);
    if (s.ev.counted != ev_window_) {
      s.ev.counted = ev_window_;
      s.ev.count = 0;
      touched_.push_back(&s);
    }
    ++s.ev.count;
    ++ev_total_;
  }

  // Closes every window before `upto` (the window index now current).
  void close_windows(std::int64_t upto) {
    std::int64_t first_empty = ev_window_ + 1;
    close_window(ev_window_);
    if (upto - first_empty > static_cast<std::int64_t>(kMaxEmptyWindows))
      first_empty = upto - static_cast<std::int64_t>(kMaxEmptyWindows);
    for (std::int64_t w = first_empty; w < upto; ++w) close_window(w);
    ev_window_ = upto;
  }

  void close_window(std::int64_t w) {
    const double end = static_cast<double>(w + 1) * o_.window;
    const bool judged = ev_windows_ >= kEventLearn;
    // How often a key in a window is new (after the learning windows), with
    // slow forgetting: a new key is notable only where keys rarely appear.
    const double p_new = (ev_new_ + 0.5) / (ev_key_windows_ + 1.0);
    std::size_t fresh = 0;
    for (Series* s : touched_) {
      EventKey& k = s->ev;
      if (k.windows > 0 && w > k.last + 1) k.rate *= std::pow(1 - kKeyAlpha, static_cast<double>(w - k.last - 1));
      double c = static_cast<double>(k.count);
      double mu = std::max({k.rate, ev_pop_, 1e-3});
      Verdict v;
      v.expected = mu;
      v.lo = 0;
      v.hi = mu + o_.detector.band * std::sqrt(mu);
      v.sigma = (c - mu) / std::sqrt(mu);
      v.basis = Basis::kEventRate;
      reason_.clear();
      if (judged) {
        double burst = absolute_score(poisson_surprise(c, mu));
        double novel = k.windows == 0 ? squash(-std::log(p_new), std::log(20.0)) : 0.0;
        v.score = v.strength = std::max(burst, novel);
        if (novel > burst) v.basis = Basis::kNewKey;
        if (v.score >= o_.threshold) reason_ = alert_reason(v, c, kNaN, kNaN);
      }
      if (k.windows == 0) ++fresh;
      k.rate = k.windows == 0 ? kKeyAlpha * c : k.rate + kKeyAlpha * (c - k.rate);
      k.last = w;
      ++k.windows;
      ev_pop_ = ev_pop_n_ == 0 ? c : ev_pop_ + std::max(kPopAlpha, 1.0 / (ev_pop_n_ + 1.0)) * (c - ev_pop_);
      ++ev_pop_n_;
      process(*s, {}, end, c, v);
      reason_.clear();
    }
    // Keys whose alert is open but that sent nothing in this window count
    // zero, so that their incident can resolve.
    if (track_alerts_) {
      for (Series* s : alerting_) {
        if (s->ev.counted == w || s->alert.phase == AlertPhase::kIdle) continue;
        EventKey& k = s->ev;
        if (w > k.last + 1) k.rate *= std::pow(1 - kKeyAlpha, static_cast<double>(w - k.last - 1));
        Verdict v;
        v.expected = std::max({k.rate, ev_pop_, 1e-3});
        v.basis = Basis::kEventRate;
        k.rate -= kKeyAlpha * k.rate;
        k.last = w;
        process(*s, {}, end, 0, v);
      }
      std::erase_if(alerting_, [](const Series* s) { return s->alert.phase == AlertPhase::kIdle; });
      for (Series* s : touched_)
        if (s->alert.phase != AlertPhase::kIdle && std::find(alerting_.begin(), alerting_.end(), s) == alerting_.end())
          alerting_.push_back(s);
    }
    if (judged) {
      ev_new_ = 0.99 * ev_new_ + static_cast<double>(fresh);
      ev_key_windows_ = 0.99 * ev_key_windows_ + static_cast<double>(touched_.size());
    }
    // The total over all keys: floods and drops.
    if (!total_) {
      std::string key;  // not key_: the caller may hold the key of an event
      std::vector<Label> none;
      append_series_key(key, o_.event_metric + ".total", none);
      total_ = &series(stable_hash(key), key, o_.event_metric + ".total", none);
    }
    double t = static_cast<double>(ev_total_);
    Verdict v;
    if (ev_windows_ >= kEventLearn) {
      double sd = std::sqrt(std::max({tot_var_, tot_mean_, 1.0}));
      v = Verdict{};
      v.expected = tot_mean_;
      v.lo = std::max(0.0, tot_mean_ - o_.detector.band * sd);
      v.hi = tot_mean_ + o_.detector.band * sd;
      v.sigma = (t - tot_mean_) / sd;
      v.score = v.strength = absolute_score(normal_surprise(v.sigma));
      v.basis = Basis::kRecentMean;
    }
    ++tot_n_;
    double a = std::max(kTotalAlpha, 1.0 / static_cast<double>(tot_n_));
    double d = t - tot_mean_;
    tot_mean_ += a * d;
    tot_var_ = (1 - a) * (tot_var_ + a * d * d);
    process(*total_, {}, end, t, v);
    touched_.clear();
    ev_total_ = 0;
    ++ev_windows_;
  }

  // ---- multivariate (--by) --------------------------------------------------
  void on_entity_record(std::string_view line, double ts) {
    std::string_view name;
    bool found = false;
    for (const Label& l : point_.labels)
      if (l.name == o_.by) {
        name = l.value;
        found = true;
      }
    if (!found) {
      pass_through(line);
      return;
    }
    if (!o_.shard.owns_key(name)) return;
    auto it = entities_.find(std::string(name));
    if (it == entities_.end()) {
      auto e = std::make_unique<Entity>();
      e->name = std::string(name);
      it = entities_.emplace(e->name, std::move(e)).first;
    }
    Entity& e = *it->second;
    e.touched = ++tick_;
    if (!e.pending.empty() && ts != e.tick) score_tick(e);
    e.tick = ts;
    int slot = -1;
    for (std::size_t i = 0; i < e.metrics.size(); ++i)
      if (e.metrics[i] == point_.metric) slot = static_cast<int>(i);
    if (slot < 0) {
      if (e.metrics.size() >= static_cast<std::size_t>(MahalanobisModel::kMaxDims)) {
        pass_through(line);
        return;
      }
      e.metrics.emplace_back(point_.metric);
      e.values.push_back(kNaN);
      e.model.reset();  // a new dimension: start learning afresh
      slot = static_cast<int>(e.metrics.size()) - 1;
    }
    if (std::isnan(e.values[static_cast<std::size_t>(slot)])) ++e.filled;
    e.values[static_cast<std::size_t>(slot)] = point_.value;
    e.pending.push_back(hold(std::string(line), false));
    e.pending_slot.push_back(slot);
    if (e.filled == e.metrics.size() && e.model) score_tick(e);
    if (pending_.size() > kMaxPending) flush_oldest_entity();
  }

  void score_tick(Entity& e) {
    const std::size_t k = e.metrics.size();
    if (!e.model) e.model = std::make_unique<MahalanobisModel>(static_cast<int>(k));
    Eigen::VectorXd x(static_cast<Eigen::Index>(k));
    for (std::size_t i = 0; i < k; ++i) {
      double v = e.values[i];
      // A metric missing from this tick contributes nothing: use its mean.
      x(static_cast<Eigen::Index>(i)) = std::isnan(v) ? e.model->mean()(static_cast<Eigen::Index>(i)) : v;
    }
    Eigen::VectorXd mean = e.model->mean();
    std::vector<double> sd(k);
    for (std::size_t i = 0; i < k; ++i) sd[i] = e.model->stddev(static_cast<int>(i));
    bool warm = e.model->count() >= 2 * k + 2;
    double d2 = 0, surprise = 0;
    e.model->update(x, d2, surprise);
    Verdict v;
    v.score = v.strength = absolute_score(surprise);
    v.sigma = std::sqrt(d2);
    v.basis = Basis::kCorrelation;
    for (std::size_t j = 0; j < e.pending.size(); ++j) {
      auto slot = static_cast<std::size_t>(e.pending_slot[j]);
      Verdict rv = v;
      if (warm) {
        rv.expected = mean(static_cast<Eigen::Index>(slot));
        rv.lo = rv.expected - o_.detector.band * sd[slot];
        rv.hi = rv.expected + o_.detector.band * sd[slot];
      }
      Held& held = pending_[static_cast<std::size_t>(e.pending[j] - pending_base_)];
      held.ready = true;
      if (o_.alerts && !sink_) {
        held.line.clear();  // only alerts are written in --alerts mode
        continue;
      }
      scratch_.clear();
      JsonWriter w(scratch_);
      w.extend_object(held.line);
      w.key("score");
      put_number(w, rv.score, 4);
      w.key("anomaly");
      w.boolean(rv.score >= o_.threshold);
      if (std::isfinite(rv.expected)) {
        w.key("expected");
        put_number(w, rv.expected, 6);
        w.key("lo");
        put_number(w, rv.lo, 6);
        w.key("hi");
        put_number(w, rv.hi, 6);
      }
      w.end_object();
      held.line.swap(scratch_);
      if (sink_) sink_->record(held.line);
      if (o_.alerts || o_.format != OutputFormat::kNdjson) held.line.clear();  // not written
    }
    if (track_alerts_) {
      AlertEvent ev = step_alert(o_.alert, e.alert, e.tick, std::sqrt(d2), v);
      if (ev != AlertEvent::kNone) entity_alert(e, ev, e.tick);
    }
    e.pending.clear();
    e.pending_slot.clear();
    std::fill(e.values.begin(), e.values.end(), kNaN);
    e.filled = 0;
    flush_ready();
  }

  void entity_alert(Entity& e, AlertEvent ev, double ts) {
    const AlertState& a = e.alert;
    if (ev != AlertEvent::kResolved) fired_ = true;
    if (o_.alerts) write_entity_alert(e, ev, ts);
    Series pseudo;
    pseudo.hash = stable_hash(e.name);
    pseudo.labels.emplace_back(o_.by, e.name);
    update_risk(pseudo, pseudo.hash * 31 + 3, ev, a.severity, a.peak, ts);
  }

  void write_entity_alert(const Entity& e, AlertEvent ev, double ts) {
    const AlertState& a = e.alert;
    scratch_.clear();
    JsonWriter w(scratch_);
    w.begin_object();
    w.key("kind");
    w.string("alert");
    w.key("ts");
    put_number(w, ts, 17);
    w.key(o_.by);
    w.string(e.name);
    w.key("state");
    w.string(ev == AlertEvent::kResolved ? "resolved" : "firing");
    w.key("severity");
    w.string(severity_text(a.severity));
    w.key("score");
    put_number(w, a.peak, 4);
    std::string metrics;
    for (const auto& m : e.metrics) metrics += (metrics.empty() ? "" : ", ") + m;
    w.key("reason");
    w.string(fmt::format("unusual combination of {} ({:.1f} sigma from their usual relation)", metrics, a.top.sigma));
    w.key("detector");
    w.string("mahalanobis");
    w.key("since");
    put_number(w, a.start, 17);
    w.end_object();
    emit_alert_line();
  }

  std::uint64_t hold(std::string line, bool ready) {
    pending_.push_back(Held{std::move(line), ready});
    return pending_base_ + pending_.size() - 1;
  }

  void flush_ready() {
    while (!pending_.empty() && pending_.front().ready) {
      if (!pending_.front().line.empty()) out_.write_line(pending_.front().line);
      pending_.pop_front();
      ++pending_base_;
    }
  }

  void flush_oldest_entity() {
    // Score the entity whose held records block the output the longest.
    for (auto& [name, e] : entities_)
      if (!e->pending.empty() && e->pending.front() == pending_base_) {
        score_tick(*e);
        return;
      }
  }

  // ---- lifetime ---------------------------------------------------------------
  void finish() {
    for (auto& [name, e] : entities_)
      if (!e->pending.empty()) score_tick(*e);
    flush_ready();
    // The last window is reported at the end of input, unless a state file
    // keeps it open for the next run to complete.
    if (!o_.count_by.empty() && ev_started_ && o_.state_path.empty()) {
      close_window(ev_window_);
      ++ev_window_;
    }
    if (!absent_rules_.empty() && !std::isnan(now_)) check_absent();
    if (sink_) replay_open();
    out_.flush();
    if (!o_.state_path.empty()) save_state();
  }

  // Gives the sink, not the output, a firing record of every alert still
  // firing and a risk record of every entity, including those restored from
  // --state: an exposition written at the end shows them although no record
  // of this run changed them.
  void replay_open() {
    replaying_ = true;
    for (auto& [h, head] : table_)
      for (const Series* s = head.get(); s; s = s->next.get()) {
        if (o_.alerts && s->alert.phase == AlertPhase::kFiring) write_detector_alert(*s, AlertEvent::kFiring, now_);
        for (std::size_t i = 0; o_.alerts && i < rules_.size(); ++i)
          if (s->rule_alerts[i].phase == AlertPhase::kFiring)
            write_rule_alert(*s, i, AlertEvent::kFiring, now_, s->last_value, kNaN);
        for (std::size_t i = 0; i < absent_rules_.size(); ++i)
          if (s->absent_fired[i]) write_absent_alert(*s, i, true, now_);
      }
    for (auto& [name, e] : entities_)
      if (o_.alerts && e->alert.phase == AlertPhase::kFiring) write_entity_alert(*e, AlertEvent::kFiring, now_);
    if (o_.alerts)
      for (const auto& [entity, r] : risk_) write_risk(entity, r, now_);
    replaying_ = false;
  }

  void maybe_evict() {
    std::size_t n = table_.size() + entities_.size();
    if (n <= o_.max_series) return;
    // Drop the least recently seen tenth (or down to the limit).
    std::vector<std::uint64_t> ages;
    for (auto& [h, s] : table_) ages.push_back(s->touched);
    std::size_t drop = std::max(n - o_.max_series, o_.max_series / 10);
    if (drop >= ages.size()) drop = ages.size() - 1;
    std::nth_element(ages.begin(), ages.begin() + static_cast<std::ptrdiff_t>(drop), ages.end());
    std::uint64_t cut = ages[drop];
    for (auto it = table_.begin(); it != table_.end();) {
      const Series& s = *it->second;
      if (s.touched < cut && &s != total_ && s.ev.counted != ev_window_ && s.alert.phase == AlertPhase::kIdle &&
          s.next == nullptr)
        it = table_.erase(it);
      else
        ++it;
    }
    // Successor links may point at dropped series.
    previous_ = nullptr;
    for (auto& [h, head] : table_)
      for (Series* x = head.get(); x; x = x->next.get()) x->successor = nullptr;
  }

  // ---- state file -------------------------------------------------------------
  void save_state() {
    std::string payload;
    StateWriter w(payload);
    w.f64(now_);
    w.u64(tick_);
    // Series in key order, so the same state always gives the same bytes.
    std::vector<const Series*> all;
    for (auto& [h, head] : table_)
      for (Series* s = head.get(); s; s = s->next.get()) all.push_back(s);
    std::sort(all.begin(), all.end(), [](const Series* a, const Series* b) { return a->key < b->key; });
    w.u64(all.size());
    for (const Series* s : all) save_series(w, *s);
    w.u8(total_ != nullptr);
    if (total_) w.str(total_->key);
    w.u8(ev_started_);
    w.u64(static_cast<std::uint64_t>(ev_window_));
    w.u64(ev_windows_);
    w.u64(ev_total_);
    w.f64(ev_pop_);
    w.u64(ev_pop_n_);
    w.f64(ev_new_);
    w.f64(ev_key_windows_);
    w.f64(tot_mean_);
    w.f64(tot_var_);
    w.u64(tot_n_);
    w.u64(touched_.size());
    for (Series* s : touched_) w.str(s->key);
    std::vector<const Entity*> ents;
    for (auto& [name, e] : entities_) ents.push_back(e.get());
    std::sort(ents.begin(), ents.end(), [](const Entity* a, const Entity* b) { return a->name < b->name; });
    w.u64(ents.size());
    for (const Entity* e : ents) {
      w.str(e->name);
      w.u64(e->metrics.size());
      for (const auto& m : e->metrics) w.str(m);
      w.u8(e->model != nullptr);
      if (e->model) e->model->save(w);
      e->alert.save(w);
      w.u64(e->touched);
    }
    w.f64(next_absent_);
    write_file_atomically(o_.state_path, seal_state(payload, state_fingerprint(o_)));
  }

  void save_series(StateWriter& w, const Series& s) {
    w.str(s.key);
    w.str(s.metric);
    w.u64(s.labels.size());
    for (const auto& [k, v] : s.labels) {
      w.str(k);
      w.str(v);
    }
    w.f64(s.last_ts);
    w.f64(s.last_value);
    w.u64(s.touched);
    w.u8(s.det != nullptr);
    if (s.det) s.det->save(w);
    for (const auto& r : s.rules) {
      w.f64(r.since);
      w.u8(r.active);
      w.f64(r.last);
    }
    for (char f : s.absent_fired) w.u8(static_cast<std::uint8_t>(f));
    s.alert.save(w);
    for (const auto& a : s.rule_alerts) a.save(w);
    w.f64(s.ev.rate);
    w.u64(static_cast<std::uint64_t>(s.ev.last));
    w.u64(s.ev.windows);
    w.u64(s.ev.count);
    w.u64(static_cast<std::uint64_t>(s.ev.counted));
  }

  void load_state() {
    std::string bytes;
    if (!read_file_if_exists(o_.state_path, bytes)) return;
    std::string_view payload = open_state(bytes, state_fingerprint(o_), o_.state_path);
    StateReader r(payload);
    try {
      now_ = r.f64();
      tick_ = r.u64();
      std::uint64_t count = r.count(64);
      for (std::uint64_t i = 0; i < count; ++i) load_series(r);
      if (r.u8()) {
        std::string key(r.str());
        total_ = find_series(key);
        if (!total_) r.corrupt("unknown total series");
      }
      ev_started_ = r.u8() != 0;
      ev_window_ = static_cast<std::int64_t>(r.u64());
      ev_windows_ = r.u64();
      ev_total_ = r.u64();
      ev_pop_ = r.f64();
      ev_pop_n_ = r.u64();
      ev_new_ = r.f64();
      ev_key_windows_ = r.f64();
      tot_mean_ = r.f64();
      tot_var_ = r.f64();
      tot_n_ = r.u64();
      std::uint64_t nt = r.count(8);
      for (std::uint64_t i = 0; i < nt; ++i) {
        std::string key(r.str());
        Series* s = find_series(key);
        if (!s) r.corrupt("unknown counted key");
        touched_.push_back(s);
      }
      std::uint64_t ne = r.count(8);
      for (std::uint64_t i = 0; i < ne; ++i) {
        auto e = std::make_unique<Entity>();
        e->name = std::string(r.str());
        std::uint64_t nm = r.count(8);
        if (nm > static_cast<std::uint64_t>(MahalanobisModel::kMaxDims)) r.corrupt("too many metrics in an entity");
        for (std::uint64_t j = 0; j < nm; ++j) e->metrics.emplace_back(r.str());
        e->values.assign(nm, kNaN);
        if (r.u8()) {
          e->model = std::make_unique<MahalanobisModel>(static_cast<int>(std::max<std::uint64_t>(nm, 1)));
          e->model->load(r);
          if (static_cast<std::uint64_t>(e->model->dims()) != nm) r.corrupt("entity model size differs");
        }
        e->alert.load(r);
        e->touched = r.u64();
        std::string name = e->name;
        entities_.emplace(name, std::move(e));
      }
      next_absent_ = r.f64();
      if (!r.at_end()) r.corrupt("trailing data");
    } catch (const DataError& e) {
      throw DataError(fmt::format("{}: {}; delete it to start afresh", o_.state_path, e.what()));
    }
  }

  Series* find_series(std::string_view key) {
    auto it = table_.find(stable_hash(key));
    for (Series* s = it == table_.end() ? nullptr : it->second.get(); s; s = s->next.get())
      if (s->key == key) return s;
    return nullptr;
  }

  void load_series(StateReader& r) {
    auto s = std::make_unique<Series>();
    s->key = std::string(r.str());
    s->hash = stable_hash(s->key);
    s->metric = std::string(r.str());
    std::uint64_t nl = r.count(16);
    for (std::uint64_t i = 0; i < nl; ++i) {
      std::string k(r.str());
      std::string v(r.str());
      s->labels.emplace_back(std::move(k), std::move(v));
    }
    s->last_ts = r.f64();
    s->last_value = r.f64();
    s->touched = r.u64();
    bool has_det = r.u8() != 0;
    init_series(*s, has_det);
    if (has_det != (s->det != nullptr)) r.corrupt("detector presence differs");
    if (s->det) s->det->load(r);
    for (auto& rs : s->rules) {
      rs.since = r.f64();
      rs.active = r.u8() != 0;
      rs.last = r.f64();
    }
    for (auto& f : s->absent_fired) f = static_cast<char>(r.u8() != 0);
    s->alert.load(r);
    for (auto& a : s->rule_alerts) a.load(r);
    s->ev.rate = r.f64();
    s->ev.last = static_cast<std::int64_t>(r.u64());
    s->ev.windows = r.u64();
    s->ev.count = r.u64();
    s->ev.counted = static_cast<std::int64_t>(r.u64());
    if (find_series(s->key)) r.corrupt("duplicate series");
    // Rebuild risk from firing alerts.
    if (!o_.risk_by.empty()) {
      if (s->alert.phase == AlertPhase::kFiring)
        restore_risk(*s, s->hash * 31 + 1, severity_weight(s->alert.severity) * s->alert.peak);
      for (std::size_t i = 0; i < s->rule_alerts.size(); ++i)
        if (s->rule_alerts[i].phase == AlertPhase::kFiring)
          restore_risk(*s, s->hash * 31 + 2 + i, severity_weight(rules_[i].severity));
      for (std::size_t i = 0; i < s->absent_fired.size(); ++i)
        if (s->absent_fired[i]) restore_risk(*s, s->hash * 31 + 1000 + i, severity_weight(absent_rules_[i].severity));
    }
    if (!o_.count_by.empty() && s->alert.phase != AlertPhase::kIdle) alerting_.push_back(s.get());
    auto it = table_.find(s->hash);
    if (it == table_.end()) {
      std::uint64_t h = s->hash;
      table_.emplace(h, std::move(s));
    } else {
      Series* tail = it->second.get();
      while (tail->next) tail = tail->next.get();
      tail->next = std::move(s);
    }
  }

  void restore_risk(const Series& s, std::uint64_t id, double part) {
    for (const auto& [k, v] : s.labels)
      if (k == o_.risk_by) risk_[v].parts[id] = part;
  }

  const DetectOptions& o_;
  Output& out_;
  Diagnostics& diag_;
  RecordSink* sink_;        // also gets every output record (--format prometheus, --textfile)
  bool replaying_ = false;  // replay_open(): records go to the sink only
  PointFields fields_;
  std::vector<Rule> rules_, absent_rules_;
  double min_absent_ = std::numeric_limits<double>::infinity();
  bool track_alerts_ = false;
  std::string detector_name_;
  Point point_;
  std::string key_;
  std::string reason_;
  std::string scratch_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Series>> table_;
  Series* previous_ = nullptr;  // the series of the previous point record
  std::unordered_map<std::string, Risk> risk_;
  double now_ = kNaN;
  double next_absent_ = kNaN;
  std::uint64_t tick_ = 0;
  std::uint64_t records_ = 0;
  bool fired_ = false;
  // events
  std::vector<Label> event_labels_;
  std::string event_text_[64];
  bool ev_started_ = false;
  std::int64_t ev_window_ = 0;
  std::uint64_t ev_windows_ = 0, ev_total_ = 0, ev_pop_n_ = 0, tot_n_ = 0;
  double ev_pop_ = 0, ev_new_ = 0, ev_key_windows_ = 0, tot_mean_ = 0, tot_var_ = 0;
  std::vector<Series*> touched_;
  std::vector<Series*> alerting_;  // event keys with an open alert
  Series* total_ = nullptr;
  // multivariate
  std::unordered_map<std::string, std::unique_ptr<Entity>> entities_;
  std::deque<Held> pending_;
  std::uint64_t pending_base_ = 0;
};

}  // namespace

void validate(const DetectOptions& o) {
  if (!(o.threshold > 0 && o.threshold <= 1))
    throw UsageError(fmt::format("--threshold must be in (0, 1]; got {}", o.threshold));
  if (!(o.alert.resolve > 0 && o.alert.resolve <= o.threshold))
    throw UsageError(fmt::format("--resolve must be in (0, --threshold]; got {}", o.alert.resolve));
  if (!(o.alert.critical > 0 && o.alert.critical <= 1))
    throw UsageError(fmt::format("--critical must be in (0, 1]; got {}", o.alert.critical));
  if (!o.count_by.empty() && !o.by.empty()) throw UsageError("--count-by and --by cannot be combined");
  if (o.count_by.size() > 64) throw UsageError("--count-by takes at most 64 fields");
  if (!(o.window > 0)) throw UsageError("--window must be a positive duration");
  if (!o.by.empty() && o.detector.name != "ensemble" && o.detector.name != "mahalanobis")
    throw UsageError(fmt::format("--by scores metrics jointly (mahalanobis); it cannot be combined with --detector {}",
                                 o.detector.name));
  if (o.by.empty() && o.detector.name == "mahalanobis")
    throw UsageError("--detector mahalanobis needs --by LABEL (the entity whose metrics are scored together)");
  if (o.max_series < 1) throw UsageError("--max-series must be at least 1");
  if (o.detector.name != "none" && o.detector.name != "mahalanobis" && o.count_by.empty())
    (void)make_detector(o.detector);
  for (const auto& r : o.rules) (void)parse_rule(r);
  if (o.detector.name == "none" && o.rules.empty() && o.count_by.empty())
    throw UsageError("--detector none needs at least one --rule");
}

std::uint64_t state_fingerprint(const DetectOptions& o) {
  std::string s = fmt::format("v1|{:x}|{}|{}|{}|{}|{}|{}|", fingerprint(o.detector), o.value_field, o.time_field,
                              o.metric_field, o.window, o.by, o.event_metric);
  for (const auto& f : o.count_by) s += f + ",";
  s += "|";
  for (const auto& r : o.rules) s += parse_rule(r).text + "\n";
  return stable_hash(s);
}

int run(const DetectOptions& o, Output& out, Diagnostics& diag) {
  validate(o);
  if (o.format == OutputFormat::kNdjson && o.textfile.empty()) {
    Engine e(o, out, diag, nullptr);
    return e.run();
  }
  DetectExposition exposition(o, diag);
  Engine e(o, out, diag, &exposition);
  int code = e.run();
  exposition.write(out);
  return code;
}

}  // namespace lepton::detect
