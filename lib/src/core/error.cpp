#include "lepton/error.h"

#include <fmt/format.h>

namespace lepton {

OnError parse_on_error(std::string_view text) {
  if (text == "fail") return OnError::kFail;
  if (text == "skip") return OnError::kSkip;
  throw UsageError(fmt::format("--on-error must be fail or skip; got '{}'", text));
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t shown = 0;
  for (char c : text) {
    if (shown == max_chars) {
      out += "...";
      break;
    }
    auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
    ++shown;
  }
  return out;
}

std::string format_data_error(Location where, std::string_view problem, std::string_view got) {
  std::string msg = fmt::format("{}:{}: {}", where.source, where.line, problem);
  if (!got.empty()) msg += fmt::format("; got {}", excerpt(got));
  return msg;
}

void Diagnostics::bad_record(Location where, std::string_view problem, std::string_view got) {
  if (policy_ == OnError::kFail) throw DataError(format_data_error(where, problem, got));
  ++skipped_;
}

void Diagnostics::warn(std::string_view message) const {
  fmt::print(err_, "{}: warning: {}\n", program_, message);
  std::fflush(err_);
}

void Diagnostics::error(std::string_view message) const {
  fmt::print(err_, "{}: error: {}\n", program_, message);
  std::fflush(err_);
}

void Diagnostics::finish() const {
  if (skipped_ > 0) {
    fmt::print(err_, "{}: skipped {} bad record{}\n", program_, skipped_, skipped_ == 1 ? "" : "s");
    std::fflush(err_);
  }
}

}  // namespace lepton
