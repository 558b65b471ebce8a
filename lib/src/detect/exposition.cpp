#include "lepton/detect/exposition.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "lepton/detect/rules.h"

namespace lepton::detect {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr std::string_view kScore = "lepton_detect_score";
constexpr std::string_view kAnomaly = "lepton_detect_anomaly";
constexpr std::string_view kExpected = "lepton_detect_expected";
constexpr std::string_view kLo = "lepton_detect_lo";
constexpr std::string_view kHi = "lepton_detect_hi";
constexpr std::string_view kFiring = "lepton_alert_firing";
constexpr std::string_view kRisk = "lepton_detect_risk";

// Label names our families set; series labels must not take them.
const std::vector<std::string_view> kOwnLabels = {"detector", "rule", "severity"};

double number_or_nan(const JsonDocument& doc, std::string_view key) {
  const JsonValue* v = doc.get(key);
  return v && v->is_number() && std::isfinite(v->number) ? v->number : kNaN;
}

std::string_view string_or_empty(const JsonDocument& doc, std::string_view key) {
  const JsonValue* v = doc.get(key);
  return v && v->is_string() ? v->str : std::string_view();
}

}  // namespace

PrometheusExposition::Labels prometheus_series_labels(std::string_view metric, const SeriesLabels& labels) {
  return exposition_series_labels(metric, labels, kOwnLabels);
}

DetectExposition::DetectExposition(const DetectOptions& options, Diagnostics& diag) : opt_(options), diag_(diag) {
  if (!opt_.textfile.empty()) check_textfile_path(opt_.textfile);
  // Read annotated records back as the engine read the points: events are
  // written as standard points, --field and the like name input fields.
  if (opt_.count_by.empty()) {
    fields_.value = opt_.value_field;
    fields_.ts = opt_.time_field;
    fields_.metric = opt_.metric_field;
    fields_.require_metric = false;
  }
  fields_.require_ts = false;
  for (const auto& r : opt_.rules) rule_texts_.push_back(parse_rule(r).text);
}

void DetectExposition::record(std::string_view line) {
  if (!doc_.parse(line) || !doc_.root().is_object()) return;
  std::string_view kind = string_or_empty(doc_, "kind");
  if (doc_.get("kind") == nullptr) {
    scored(doc_);
  } else if (kind == "alert") {
    alert(doc_);
  } else if (kind == "risk") {
    risk(doc_);
  }
}

bool DetectExposition::claim(std::unordered_map<std::string, std::string>& owners,
                             const PrometheusExposition::Labels& labels, const std::string& key) {
  auto [it, fresh] = owners.try_emplace(label_set_key(labels), key);
  if (fresh) return true;
  diag_.warn(fmt::format("{}: left out of the Prometheus output: same labels as {} once names are sanitised", key,
                         it->second));
  return false;
}

void DetectExposition::scored(const JsonDocument& doc) {
  const JsonValue* score = doc.get("score");
  if (score == nullptr || !score->is_number()) return;
  std::string problem;
  std::string_view got;
  if (read_point(doc, point_, problem, got, fields_) != PointStatus::kPoint) return;
  key_.clear();
  append_series_key(key_, point_.metric, point_.labels);
  auto [it, fresh] = scored_.try_emplace(key_);
  Scored& s = it->second;
  if (fresh) {
    // A series' labels never change, so they are made and checked once.
    SeriesLabels labels;
    for (const Label& l : point_.labels) labels.emplace_back(std::string(l.name), std::string(l.value));
    s.labels = prometheus_series_labels(point_.metric, labels);
    s.dropped = !claim(scored_owner_, s.labels, key_);
  }
  s.score = score->number;
  const JsonValue* anomaly = doc.get("anomaly");
  s.anomaly = anomaly ? anomaly->boolean() : score->number >= opt_.threshold;
  s.expected = number_or_nan(doc, "expected");
  s.lo = number_or_nan(doc, "lo");
  s.hi = number_or_nan(doc, "hi");
}

std::string_view DetectExposition::rule_of(std::string_view reason) const {
  // The reason of a rule's alert is the rule's text, possibly followed by
  // " (value 85.4)" or the like: the longest rule text that fits.
  std::string_view best;
  for (const auto& text : rule_texts_) {
    if (text.size() <= best.size() || !reason.starts_with(text)) continue;
    std::string_view rest = reason.substr(text.size());
    if (rest.empty() || rest.starts_with(" (")) best = text;
  }
  return best;
}

void DetectExposition::alert(const JsonDocument& doc) {
  // The series: metric (none for --by entities) and the string fields that
  // are not fields of alert records.
  SeriesLabels labels;
  for (const JsonMember& m : doc.children(doc.root()))
    if (m.value.is_string() && !is_reserved_field(m.key))
      labels.emplace_back(std::string(m.key), std::string(m.value.str));
  std::sort(labels.begin(), labels.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string_view metric = string_or_empty(doc, "metric");
  std::string_view detector = string_or_empty(doc, "detector");
  std::string_view rule = detector == "rule" ? rule_of(string_or_empty(doc, "reason")) : std::string_view();
  key_.clear();
  std::vector<Label> views;
  for (const auto& [k, v] : labels) views.push_back({k, v});
  append_series_key(key_, metric, views);
  std::string key = key_;
  key += fmt::format(" detector={}", detector);
  if (!rule.empty()) key += fmt::format(" rule={}", rule);
  auto [it, fresh] = alerts_.try_emplace(key);
  Alert& a = it->second;
  if (fresh) {
    a.labels = prometheus_series_labels(metric, labels);
    a.labels.emplace_back("detector", std::string(detector));
    if (!rule.empty()) a.labels.emplace_back("rule", std::string(rule));
    a.dropped = !claim(alert_owner_, a.labels, key);
  }
  a.firing = string_or_empty(doc, "state") == "firing";
  a.severity = std::string(string_or_empty(doc, "severity"));
}

void DetectExposition::risk(const JsonDocument& doc) {
  if (opt_.risk_by.empty()) return;
  const JsonValue* entity = doc.get(opt_.risk_by);
  const JsonValue* risk = doc.get("risk");
  if (entity == nullptr || !entity->is_string() || risk == nullptr || !risk->is_number()) return;
  auto [it, fresh] = risks_.try_emplace(std::string(entity->str));
  if (fresh) it->second.labels.emplace_back(prometheus_label_name(opt_.risk_by), std::string(entity->str));
  it->second.risk = risk->number;
}

std::string DetectExposition::render() const {
  PrometheusExposition e;
  auto any = [&](auto pred) {
    return std::any_of(scored_.begin(), scored_.end(),
                       [&](const auto& kv) { return !kv.second.dropped && pred(kv.second); });
  };
  auto put = [&](std::string_view family, std::string_view help, auto value) {
    if (!any([&](const Scored& s) { return !std::isnan(value(s)); })) return;
    e.family(family, help);
    for (const auto& [key, s] : scored_)
      if (!s.dropped && !std::isnan(value(s))) e.sample(family, s.labels, value(s));
  };
  put(kScore, "Anomaly score (0..1) of the latest value of the series", [](const Scored& s) { return s.score; });
  put(kAnomaly, "1 when the latest value of the series scored at or above the threshold, else 0",
      [](const Scored& s) { return s.anomaly ? 1.0 : 0.0; });
  put(kExpected, "Value the detector expected for the latest value of the series",
      [](const Scored& s) { return s.expected; });
  put(kLo, "Lower end of the normal band around the expected value", [](const Scored& s) { return s.lo; });
  put(kHi, "Upper end of the normal band around the expected value", [](const Scored& s) { return s.hi; });

  if (std::any_of(alerts_.begin(), alerts_.end(), [](const auto& kv) { return !kv.second.dropped; })) {
    e.family(kFiring,
             "1 while the alert of the series (by detector, and rule) fires, 0 once it resolved; severity is warning "
             "or critical");
    PrometheusExposition::Labels labels;
    for (const auto& [key, a] : alerts_) {
      if (a.dropped) continue;
      labels = a.labels;
      labels.emplace_back("severity", a.severity);
      e.sample(kFiring, labels, a.firing ? 1 : 0);
    }
  }
  if (!risks_.empty()) {
    e.family(kRisk,
             "Risk of the entity: sum over its firing alerts of severity weight (warning 1, critical 2) times score");
    for (const auto& [entity, r] : risks_) e.sample(kRisk, r.labels, r.risk);
  }
  return e.render();
}

void DetectExposition::write(Output& out) const {
  std::string text = render();
  // The textfile first: a closed stdout pipe must not lose it.
  if (!opt_.textfile.empty()) write_file_atomically(opt_.textfile, text);
  if (opt_.format == OutputFormat::kPrometheus) {
    out.write_bytes(text);
    out.flush();
  }
}

}  // namespace lepton::detect
