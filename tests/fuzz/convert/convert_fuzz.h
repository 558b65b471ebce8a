// Invariants every converter keeps, checked by the fuzz targets:
// - it never crashes, and bad input is either a DataError or skipped;
// - every emitted line is a valid point: a JSON object with a finite `ts`
//   and `value`, a non-empty string `metric`, and labels that are strings
//   with non-empty values, distinct, non-reserved names;
// - converting twice gives identical output;
// - --on-error=fail stops exactly when --on-error=skip skips something, with
//   a `<source>:<line>: ` message, and otherwise gives the same output.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "lepton/convert/convert.h"
#include "lepton/error.h"
#include "lepton/json.h"
#include "lepton/record.h"

namespace lepton::convert::fuzz {

inline std::FILE* sink() {
  static std::FILE* f = std::fopen("/dev/null", "w");
  return f;
}

struct Outcome {
  bool threw = false;
  std::string error;
  std::string points;
  std::uint64_t skipped = 0;
};

inline Outcome attempt(const ConvertOptions& o, std::string_view text, OnError policy) {
  Diagnostics diag("lepton-collect", policy, sink());
  Outcome r;
  try {
    r.points = convert_text(o, text, diag, "fuzz");
  } catch (const DataError& e) {
    r.threw = true;
    r.error = e.what();
  }
  r.skipped = diag.skipped();
  return r;
}

inline void check_points(std::string_view points) {
  JsonDocument doc;
  std::size_t pos = 0;
  while (pos < points.size()) {
    std::size_t nl = points.find('\n', pos);
    if (nl == std::string_view::npos) std::abort();  // every point ends with a newline
    std::string_view line = points.substr(pos, nl - pos);
    pos = nl + 1;
    if (!doc.parse(line) || !doc.root().is_object()) std::abort();
    Point p;
    std::string problem;
    std::string_view got;
    if (read_point(doc, p, problem, got) != PointStatus::kPoint) std::abort();
    if (!std::isfinite(p.ts) || !std::isfinite(p.value) || p.metric.empty()) std::abort();
    std::vector<std::string_view> keys;
    for (const JsonMember& m : doc.children(doc.root())) {
      for (std::string_view k : keys)
        if (k == m.key) std::abort();
      keys.push_back(m.key);
      if (m.key == "ts" || m.key == "metric" || m.key == "value") continue;
      if (is_reserved_field(m.key) || !m.value.is_string() || m.value.str.empty()) std::abort();
    }
  }
}

/// Runs the shared invariants on one input; returns the skip-mode outcome.
inline Outcome check(const ConvertOptions& o, std::string_view text) {
  Outcome skip = attempt(o, text, OnError::kSkip);
  Outcome again = attempt(o, text, OnError::kSkip);
  if (skip.threw != again.threw || skip.points != again.points || skip.skipped != again.skipped ||
      skip.error != again.error)
    std::abort();
  if (!skip.threw) check_points(skip.points);
  Outcome fail = attempt(o, text, OnError::kFail);
  if (fail.threw) {
    if (fail.error.rfind("fuzz:", 0) != 0) std::abort();
    std::size_t i = 5;
    while (i < fail.error.size() && fail.error[i] >= '0' && fail.error[i] <= '9') ++i;
    if (i == 5 || i >= fail.error.size() || fail.error[i] != ':') std::abort();
    if (!skip.threw && skip.skipped == 0) std::abort();  // fail stopped where skip saw nothing bad
  } else {
    if (skip.threw || skip.skipped != 0 || fail.points != skip.points) std::abort();
  }
  return skip;
}

inline ConvertOptions options(const char* format) {
  ConvertOptions o;
  o.format = format;
  o.default_ts = 1700000000;
  return o;
}

}  // namespace lepton::convert::fuzz
