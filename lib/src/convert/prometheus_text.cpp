// --from prometheus: the Prometheus text exposition format 0.0.4, parsed as
// strictly as the reference parser (expfmt): one sample or comment per line.
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "convert/common.h"

namespace lepton::convert::detail {

namespace {

enum class Type { kUntyped, kCounter, kGauge, kHistogram, kSummary };

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool label_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool label_char(char c) { return label_start(c) || (c >= '0' && c <= '9'); }

// A label value as parsed: either a view into the line (no escapes) or a
// range of the scratch buffer (decoded), resolved once the line is done so
// that growing the buffer cannot invalidate views.
struct RawLabel {
  std::string_view name;
  std::string_view direct;
  std::size_t offset = 0;
  std::size_t size = 0;
  bool decoded = false;
};

class Parser {
 public:
  Parser(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag)
      : lines_(lines), options_(options), default_ts_(conversion_time(options)), emitter_(emitter), diag_(diag) {}

  void run() {
    std::string_view line;
    while (lines_.next(line)) {
      line_ = line;
      if (!parse_line()) diag_.bad_record(lines_.location(), problem_, got_);
    }
  }

 private:
  // Records the problem; `got` defaults to the whole line.
  bool fail(std::string problem, std::string_view got = {}) {
    problem_ = std::move(problem);
    got_ = got.empty() ? line_ : got;
    return false;
  }

  void skip_blanks() {
    while (pos_ < line_.size() && is_blank(line_[pos_])) ++pos_;
  }

  std::string_view token() {
    std::size_t start = pos_;
    while (pos_ < line_.size() && !is_blank(line_[pos_])) ++pos_;
    return line_.substr(start, pos_ - start);
  }

  std::string_view metric_name() {
    std::size_t start = pos_;
    if (pos_ < line_.size() && name_start(line_[pos_])) {
      ++pos_;
      while (pos_ < line_.size() && name_char(line_[pos_])) ++pos_;
    }
    return line_.substr(start, pos_ - start);
  }

  bool parse_line() {
    pos_ = 0;
    skip_blanks();
    if (pos_ == line_.size()) return true;
    if (line_[pos_] == '#') return parse_comment();
    return parse_sample();
  }

  bool parse_comment() {
    ++pos_;
    skip_blanks();
    std::string_view keyword = token();
    if (keyword != "HELP" && keyword != "TYPE") return true;  // an ordinary comment
    skip_blanks();
    std::string_view name = metric_name();
    if (name.empty() || (pos_ < line_.size() && !is_blank(line_[pos_])))
      return fail(fmt::format("invalid metric name in {} line", keyword));
    skip_blanks();
    // A repeat of the input's first HELP/TYPE line starts a new scrape (a
    // loop of curl piped in): samples without a timestamp get a new time.
    if (first_keyword_.empty()) {
      first_keyword_.assign(keyword);
      first_name_.assign(name);
    } else if (keyword == first_keyword_ && name == first_name_ && samples_ > 0) {
      if (options_.default_ts == 0) default_ts_ = conversion_time(options_);
      typed_ = false;
      last_sample_.clear();
      samples_ = 0;
    }
    if (keyword == "HELP") {
      // Docstrings may only escape backslash and newline.
      for (std::size_t i = pos_; i < line_.size(); ++i) {
        if (line_[i] != '\\') continue;
        if (i + 1 == line_.size() || (line_[i + 1] != '\\' && line_[i + 1] != 'n'))
          return fail("invalid escape sequence in HELP text (only \\\\ and \\n are allowed)");
        ++i;
      }
      if (!valid_utf8(line_.substr(pos_))) return fail("HELP text is not valid UTF-8");
      return true;
    }
    std::string_view type = token();
    skip_blanks();
    if (pos_ != line_.size()) return fail("unexpected text after the type in TYPE line");
    Type t;
    if (type == "counter") {
      t = Type::kCounter;
    } else if (type == "gauge") {
      t = Type::kGauge;
    } else if (type == "histogram") {
      t = Type::kHistogram;
    } else if (type == "summary") {
      t = Type::kSummary;
    } else if (type == "untyped") {
      t = Type::kUntyped;
    } else {
      return fail("unknown metric type (counter, gauge, histogram, summary or untyped)", type);
    }
    if (typed_ && name == family_) return fail(fmt::format("second TYPE line for '{}'", name));
    if (!last_sample_.empty() && belongs(last_sample_, name, t))
      return fail(fmt::format("TYPE line for '{}' after its samples", name));
    family_.assign(name);
    type_ = t;
    typed_ = true;
    return true;
  }

  // Whether sample `sample` is part of family `family` of type `t`.
  static bool belongs(std::string_view sample, std::string_view family, Type t) {
    if (sample == family) return true;
    if (!sample.starts_with(family)) return false;
    std::string_view suffix = sample.substr(family.size());
    if (t == Type::kHistogram) return suffix == "_bucket" || suffix == "_sum" || suffix == "_count";
    if (t == Type::kSummary) return suffix == "_sum" || suffix == "_count";
    return false;
  }

  bool parse_label_value(RawLabel& label) {
    // pos_ is just after the opening quote.
    std::size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] != '"' && line_[pos_] != '\\') ++pos_;
    if (pos_ < line_.size() && line_[pos_] == '"') {
      label.direct = line_.substr(start, pos_ - start);
      ++pos_;
      return true;
    }
    label.decoded = true;
    label.offset = scratch_.size();
    scratch_.append(line_.substr(start, pos_ - start));
    while (pos_ < line_.size()) {
      char c = line_[pos_];
      if (c == '"') {
        ++pos_;
        label.size = scratch_.size() - label.offset;
        return true;
      }
      if (c == '\\') {
        if (pos_ + 1 == line_.size()) break;
        char e = line_[pos_ + 1];
        if (e == '\\' || e == '"') {
          scratch_.push_back(e);
        } else if (e == 'n') {
          scratch_.push_back('\n');
        } else {
          return fail("invalid escape sequence in label value (only \\\\, \\\" and \\n are allowed)");
        }
        pos_ += 2;
        continue;
      }
      scratch_.push_back(c);
      ++pos_;
    }
    return fail("label value has no closing quote");
  }

  bool parse_labels() {
    // pos_ is just after '{'.
    for (;;) {
      skip_blanks();
      if (pos_ < line_.size() && line_[pos_] == '}') {
        ++pos_;
        return true;
      }
      std::size_t start = pos_;
      if (pos_ < line_.size() && label_start(line_[pos_])) {
        ++pos_;
        while (pos_ < line_.size() && label_char(line_[pos_])) ++pos_;
      }
      if (pos_ == start) return fail("invalid label name");
      RawLabel label;
      label.name = line_.substr(start, pos_ - start);
      for (const RawLabel& other : raw_)
        if (other.name == label.name) return fail(fmt::format("label '{}' is given twice", label.name));
      skip_blanks();
      if (pos_ == line_.size() || line_[pos_] != '=')
        return fail(fmt::format("expected '=' after label name '{}'", label.name));
      ++pos_;
      skip_blanks();
      if (pos_ == line_.size() || line_[pos_] != '"')
        return fail(fmt::format("expected '\"' to start the value of label '{}'", label.name));
      ++pos_;
      if (!parse_label_value(label)) return false;
      raw_.push_back(label);
      skip_blanks();
      if (pos_ < line_.size() && line_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < line_.size() && line_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail("expected ',' or '}' after a label value");
    }
  }

  const Label* find(std::string_view name) const {
    for (const Label& l : labels_)
      if (l.name == name) return &l;
    return nullptr;
  }

  // Histogram buckets need `le`, summary quantiles need `quantile`, both
  // holding numbers (the reference parser insists too).
  bool check_family(std::string_view name) {
    if (!typed_ || !name.starts_with(family_)) return true;
    std::string_view suffix = name.substr(family_.size());
    const char* need = nullptr;
    if (type_ == Type::kHistogram && suffix == "_bucket") need = "le";
    if (type_ == Type::kSummary && suffix.empty()) need = "quantile";
    if (need == nullptr) return true;
    const Label* l = find(need);
    if (l == nullptr)
      return fail(fmt::format("{} sample without a '{}' label",
                              type_ == Type::kHistogram ? "histogram bucket" : "summary quantile", need));
    double bound;
    if (!parse_float(l->value, bound) || std::isnan(bound))
      return fail(fmt::format("label '{}' must be a number", need), l->value);
    return true;
  }

  bool parse_sample() {
    std::string_view name = metric_name();
    if (name.empty()) return fail("invalid metric name");
    raw_.clear();
    scratch_.clear();
    skip_blanks();
    if (pos_ < line_.size() && line_[pos_] == '{') {
      ++pos_;
      if (!parse_labels()) return false;
      skip_blanks();
    } else if (pos_ < line_.size() && pos_ > 0 && !is_blank(line_[pos_ - 1])) {
      return fail("invalid character in metric name");
    }
    if (pos_ == line_.size()) return fail("sample has no value");
    std::string_view value_text = token();
    double value;
    if (!parse_float(value_text, value)) return fail("sample value is not a number", value_text);
    skip_blanks();
    double ts = default_ts_;
    if (pos_ < line_.size()) {
      std::string_view ts_text = token();
      std::int64_t ms;
      if (!parse_int64(ts_text, ms)) return fail("timestamp is not an integer number of milliseconds", ts_text);
      ts = static_cast<double>(ms) / 1000.0;
      skip_blanks();
      if (pos_ != line_.size()) return fail("unexpected text after the timestamp");
    }
    labels_.clear();
    for (const RawLabel& r : raw_) {
      std::string_view v = r.decoded ? std::string_view(scratch_).substr(r.offset, r.size) : r.direct;
      if (!valid_utf8(v)) return fail(fmt::format("value of label '{}' is not valid UTF-8", r.name));
      labels_.push_back({r.name, v});
    }
    if (!check_family(name)) return false;
    last_sample_.assign(name);
    ++samples_;
    emitter_.emit(ts, name, labels_, value);
    return true;
  }

  Lines& lines_;
  const ConvertOptions& options_;
  double default_ts_;
  Emitter& emitter_;
  Diagnostics& diag_;
  std::string_view line_;
  std::size_t pos_ = 0;
  std::string problem_;
  std::string_view got_;
  std::vector<RawLabel> raw_;
  std::vector<Label> labels_;
  std::string scratch_;
  std::string family_;  // the family named by the last TYPE line
  Type type_ = Type::kUntyped;
  bool typed_ = false;
  std::string last_sample_;
  std::string first_keyword_, first_name_;
  std::uint64_t samples_ = 0;  // since the input's first HELP/TYPE line
};

}  // namespace

void convert_prometheus_text(Lines& lines, const ConvertOptions& options, Emitter& emitter, Diagnostics& diag) {
  Parser parser(lines, options, emitter, diag);
  parser.run();
}

}  // namespace lepton::convert::detail
