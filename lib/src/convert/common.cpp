#include "convert/common.h"

#include <fnmatch.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "lepton/json.h"
#include "lepton/time.h"

namespace lepton::convert::detail {

bool MemoryLines::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  std::size_t nl = text_.find('\n', pos_);
  std::size_t end = nl == std::string_view::npos ? text_.size() : nl;
  line = text_.substr(pos_, end - pos_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  ++line_;
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool parse_float(std::string_view s, double& out) {
  if (s.empty()) return false;
  bool negative = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return false;
  char c = body[0];
  if ((c >= '0' && c <= '9') || c == '.') {
    double v = 0;
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v, std::chars_format::general);
    if (ptr != body.data() + body.size()) return false;
    if (ec == std::errc::result_out_of_range) {
      // Underflow reads as zero (or a subnormal) as in Go; overflow is an error.
      std::string copy(body);
      v = std::strtod(copy.c_str(), nullptr);
      if (!std::isfinite(v)) return false;
    } else if (ec != std::errc()) {
      return false;
    }
    out = negative ? -v : v;
    return true;
  }
  if (iequals(body, "inf") || iequals(body, "infinity")) {
    out = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (iequals(body, "nan")) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  return false;
}

bool parse_int64(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return false;
  }
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    unsigned cp = c & (0x3F >> extra);
    for (int i = 1; i <= extra; ++i) {
      unsigned cc = p[i];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_time_cell(std::string_view text, double& out) {
  double v;
  if (parse_float(text, v)) {
    if (!std::isfinite(v)) return false;
    out = v;
    return true;
  }
  auto t = parse_time_text(text);
  if (!t) return false;
  out = *t;
  return true;
}

std::uint64_t LineIndex::line_of(std::size_t offset) {
  if (offset > text_.size()) offset = text_.size();
  if (offset < pos_) {
    pos_ = 0;
    line_ = 1;
  }
  for (const char* p = text_.data() + pos_; p < text_.data() + offset;) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(text_.data() + offset - p));
    if (nl == nullptr) break;
    ++line_;
    p = static_cast<const char*>(nl) + 1;
  }
  pos_ = offset;
  return line_;
}

Emitter::Emitter(const ConvertOptions& options, Output* out, std::string* text)
    : out_(out), text_(text), globs_(options.metric_globs) {
  for (const auto& [name, value] : options.labels) {
    if (name.empty()) throw UsageError("--label needs a name before '='");
    if (is_reserved_field(name))
      throw UsageError(fmt::format("--label name '{}' is a reserved point field; choose another name", name));
    if (!valid_utf8(name) || !valid_utf8(value))
      throw UsageError(fmt::format("--label '{}' is not valid UTF-8", excerpt(name)));
    // As for sampling: the last value of a name wins, an empty one removes it.
    std::erase_if(extra_, [&](const auto& e) { return e.first == name; });
    if (!value.empty()) extra_.emplace_back(name, value);
  }
}

bool Emitter::wanted(std::string_view metric) {
  if (globs_.empty()) return true;
  if (have_last_ && metric == last_metric_) return last_wanted_;
  last_metric_.assign(metric);
  have_last_ = true;
  last_wanted_ = false;
  for (const auto& g : globs_) {
    if (::fnmatch(g.c_str(), last_metric_.c_str(), 0) == 0) {
      last_wanted_ = true;
      break;
    }
  }
  return last_wanted_;
}

bool Emitter::taken(std::string_view name, std::size_t written) const {
  for (const auto& e : extra_)
    if (e.first == name) return true;
  for (std::size_t i = 0; i < written; ++i)
    if (written_[i] == name) return true;
  return false;
}

std::string_view Emitter::label_name(std::string_view name, std::size_t written) {
  if (!is_reserved_field(name) && !taken(name, written)) return name;
  std::string candidate = "exported_";
  candidate.append(name);
  while (is_reserved_field(candidate) || taken(candidate, written)) candidate.insert(0, "exported_");
  renamed_.push_back(std::move(candidate));
  return renamed_.back();
}

void Emitter::emit(double ts, std::string_view metric, std::span<const Label> labels, double value) {
  if (!wanted(metric)) return;
  if (!std::isfinite(value)) {
    ++non_finite_;
    return;
  }
  std::string& buf = out_ != nullptr ? out_->buffer() : *text_;
  JsonWriter w(buf);
  w.begin_object();
  w.key("ts");
  w.number(ts);
  w.key("metric");
  w.string(metric);
  for (const auto& [name, v] : extra_) {
    w.key(name);
    w.string(v);
  }
  written_.clear();
  renamed_.clear();
  renamed_.reserve(labels.size());  // views into renamed_ must not move
  for (const Label& l : labels) {
    if (l.value.empty()) continue;
    std::string_view name = label_name(l.name, written_.size());
    written_.push_back(name);
    w.key(name);
    w.string(l.value);
  }
  w.key("value");
  w.number(value);
  w.end_object();
  if (out_ != nullptr) {
    out_->end_line();
  } else {
    text_->push_back('\n');
  }
  ++points_;
}

void Emitter::finish(const Diagnostics& diag) const {
  if (non_finite_ > 0)
    diag.warn(fmt::format("dropped {} sample{} whose value was NaN or infinite (a point's value must be finite)",
                          non_finite_, non_finite_ == 1 ? "" : "s"));
  if (missing_ > 0)
    diag.warn(fmt::format("{} value{} empty or not available (such as [N/A]) and gave no point", missing_,
                          missing_ == 1 ? " was" : "s were"));
}

double conversion_time(const ConvertOptions& options) {
  if (options.default_ts != 0) return options.default_ts;
  return std::round(now_unix() * 1000) / 1000;
}

}  // namespace lepton::convert::detail
