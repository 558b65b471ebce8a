#include "lepton/detect/rules.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/time.h"

namespace lepton::detect {

std::string_view severity_text(Severity s) { return s == Severity::kCritical ? "critical" : "warning"; }

bool glob_match(std::string_view glob, std::string_view text) {
  // Iterative matcher with single-star backtracking: linear in practice.
  std::size_t g = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == text[t])) {
      ++g;
      ++t;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

bool Rule::selects(std::string_view metric, const std::vector<Label>& labels) const {
  if (!metric_glob.empty() && !glob_match(metric_glob, metric)) return false;
  for (const Matcher& m : matchers) {
    std::string_view value;
    bool found = false;
    for (const Label& l : labels)
      if (l.name == m.label) {
        value = l.value;
        found = true;
        break;
      }
    // A missing label matches as the empty string (as in Prometheus).
    bool match = glob_match(m.glob, found ? value : std::string_view());
    if (match == m.negate) return false;
  }
  return true;
}

bool Rule::holds(double q) const {
  if (std::isnan(q)) return false;
  if (absolute) q = std::fabs(q);
  switch (op) {
    case Comparison::kGt:
      return q > number;
    case Comparison::kGe:
      return q >= number;
    case Comparison::kLt:
      return q < number;
    case Comparison::kLe:
      return q <= number;
    case Comparison::kEq:
      return q == number;
    case Comparison::kNe:
      return q != number;
  }
  return false;
}

bool evaluate_rule(const Rule& rule, RuleState& st, double ts, double q) {
  st.last = q;
  if (!rule.holds(q)) {
    st.since = std::nan("");
    st.active = false;
    return false;
  }
  if (std::isnan(st.since)) st.since = ts;
  st.active = !(ts - st.since < rule.hold);  // NaN times: active at once
  return st.active;
}

namespace {

class RuleParser {
 public:
  explicit RuleParser(std::string_view text) : s_(text) {}

  Rule parse() {
    Rule r;
    skip();
    if (at_end()) fail("a rule is empty; expected e.g. 'value > 0.9 for 5m'");
    // A selector is present if a ':' follows before the condition. Look for
    // a top-level ':' outside braces and quotes.
    std::size_t colon = selector_colon();
    if (colon != std::string_view::npos) {
      parse_selector(r, colon);
      ++pos_;
    }
    skip();
    parse_condition(r);
    skip();
    while (!at_end()) {
      std::string_view w = word();
      if (w == "for") {
        skip();
        std::size_t start = pos_;
        std::string_view d = until_space();
        auto secs = parse_duration(d);
        if (d.empty() || !secs) fail_at(start, "expected a duration such as 30s, 5m or 2h after 'for'");
        r.hold = *secs;
      } else if (w == "severity") {
        skip();
        std::size_t start = pos_;
        std::string_view l = word();
        if (l == "warning")
          r.severity = Severity::kWarning;
        else if (l == "critical")
          r.severity = Severity::kCritical;
        else
          fail_at(start, "expected 'warning' or 'critical' after 'severity'");
      } else {
        fail("expected 'for DURATION', 'severity LEVEL' or the end of the rule");
      }
      skip();
    }
    if (r.absent && r.hold <= 0) fail("an absent rule needs a duration: 'absent for 2m'");
    r.text = normalise();
    return r;
  }

 private:
  [[noreturn]] void fail_at(std::size_t at, std::string_view what) const {
    throw UsageError(fmt::format("--rule '{}': {} at column {}", s_, what, at + 1));
  }
  [[noreturn]] void fail(std::string_view what) const { fail_at(pos_, what); }
  bool at_end() const { return pos_ >= s_.size(); }
  void skip() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    if (at_end() || s_[pos_] != c) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '*' || c == '?' ||
           c == ':' || c == '/';
  }
  std::string_view word() {
    std::size_t start = pos_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::string_view until_space() {
    std::size_t start = pos_;
    while (!at_end() && !std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // The ':' that ends a selector: the last one outside quotes and braces
  // before the first comparison operator (metric names may contain ':').
  std::size_t selector_colon() const {
    std::size_t colon = std::string_view::npos, quote = 0;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = pos_; i < s_.size(); ++i) {
      char c = s_[i];
      if (quoted) {
        if (c == '\\')
          ++i;
        else if (c == '"')
          quoted = false;
        continue;
      }
      if (c == '"') {
        quoted = true;
        quote = i;
      } else if (c == '{')
        ++depth;
      else if (c == '}')
        --depth;
      else if (depth == 0 && c == ':')
        colon = i;
      else if (depth == 0 && (c == '<' || c == '>' || c == '=' || c == '!'))
        break;
    }
    if (quoted) fail_at(quote, "unterminated quoted string");
    return colon;
  }
  void parse_selector(Rule& r, std::size_t end) {
    std::size_t start = pos_;
    while (pos_ < end && s_[pos_] != '{' && !std::isspace(static_cast<unsigned char>(s_[pos_]))) {
      if (!name_char(s_[pos_])) fail("unexpected character in a metric name");
      ++pos_;
    }
    r.metric_glob = std::string(s_.substr(start, pos_ - start));
    skip();
    if (pos_ < end && s_[pos_] == '{') {
      ++pos_;
      skip();
      if (!at_end() && s_[pos_] == '}') {
        ++pos_;
      } else {
        for (;;) {
          skip();
          Matcher m;
          std::size_t ls = pos_;
          std::string_view label = word();
          if (label.empty()) fail_at(ls, "expected a label name");
          m.label = std::string(label);
          skip();
          if (!at_end() && s_[pos_] == '!') {
            ++pos_;
            m.negate = true;
          }
          expect('=');
          skip();
          m.glob = quoted();
          r.matchers.push_back(std::move(m));
          skip();
          if (!at_end() && s_[pos_] == ',') {
            ++pos_;
            continue;
          }
          expect('}');
          break;
        }
      }
      skip();
    }
    if (pos_ != end) fail("expected ':' after the selector");
    if (r.metric_glob.empty() && r.matchers.empty()) fail_at(start, "expected a metric name or '{' before ':'");
  }
  std::string quoted() {
    expect('"');
    std::string out;
    while (!at_end() && s_[pos_] != '"') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out.push_back(s_[pos_++]);
    }
    if (at_end()) fail("unterminated quoted string");
    ++pos_;
    return out;
  }
  void parse_condition(Rule& r) {
    std::size_t start = pos_;
    std::string_view w = word();
    if (w == "absent") {
      r.absent = true;
      return;
    }
    if (w == "abs") {
      skip();
      expect('(');
      skip();
      std::size_t qs = pos_;
      w = word();
      if (!quantity(w, r.quantity) || r.quantity == Quantity::kScore)
        fail_at(qs, "expected 'value', 'rate' or 'delta' inside abs()");
      r.absolute = true;
      skip();
      expect(')');
    } else if (!quantity(w, r.quantity)) {
      fail_at(start, "expected 'absent' or a quantity: value, rate, delta, score or abs(...)");
    }
    skip();
    std::size_t os = pos_;
    auto op2 = s_.substr(pos_, 2);
    if (op2 == ">=") {
      r.op = Comparison::kGe;
      pos_ += 2;
    } else if (op2 == "<=") {
      r.op = Comparison::kLe;
      pos_ += 2;
    } else if (op2 == "==") {
      r.op = Comparison::kEq;
      pos_ += 2;
    } else if (op2 == "!=") {
      r.op = Comparison::kNe;
      pos_ += 2;
    } else if (!at_end() && s_[pos_] == '>') {
      r.op = Comparison::kGt;
      ++pos_;
    } else if (!at_end() && s_[pos_] == '<') {
      r.op = Comparison::kLt;
      ++pos_;
    } else {
      fail_at(os, "expected a comparison: >, >=, <, <=, == or !=");
    }
    skip();
    std::size_t ns = pos_;
    std::string_view num = until_space();
    double v = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (num.empty() || ec != std::errc() || p != num.data() + num.size() || !std::isfinite(v))
      fail_at(ns, "expected a number");
    r.number = v;
  }
  static bool quantity(std::string_view w, Quantity& q) {
    if (w == "value")
      q = Quantity::kValue;
    else if (w == "rate")
      q = Quantity::kRate;
    else if (w == "delta")
      q = Quantity::kDelta;
    else if (w == "score")
      q = Quantity::kScore;
    else
      return false;
    return true;
  }
  std::string normalise() const {
    // Collapse runs of whitespace so reasons read cleanly.
    std::string out;
    bool space = false;
    for (char c : s_) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = !out.empty();
        continue;
      }
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
    return out;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

Rule parse_rule(std::string_view text) { return RuleParser(text).parse(); }

}  // namespace lepton::detect
