// Runs a converter on text and captures its points, skip count and warnings.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "lepton/convert/convert.h"
#include "lepton/error.h"

namespace lepton::convert::test {

struct Result {
  std::string points;
  std::string warnings;
  std::uint64_t skipped = 0;
};

inline ConvertOptions options(std::string format) {
  ConvertOptions o;
  o.format = std::move(format);
  o.default_ts = 1700000000;
  return o;
}

inline Result run(const ConvertOptions& o, std::string_view text, OnError policy = OnError::kFail) {
  std::FILE* err = std::tmpfile();
  Diagnostics diag("lepton-collect", policy, err);
  Result r;
  try {
    r.points = convert_text(o, text, diag, "in");
  } catch (...) {
    std::fclose(err);
    throw;
  }
  r.skipped = diag.skipped();
  std::rewind(err);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, err)) > 0) r.warnings.append(buf, n);
  std::fclose(err);
  return r;
}

// The DataError message converting `text` gives under --on-error=fail.
inline std::string error_of(const ConvertOptions& o, std::string_view text) {
  try {
    run(o, text);
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace lepton::convert::test
