// Fuzzes timestamp and duration parsing. Invariant: an accepted time
// formats to RFC 3339 text that parses back to the same second.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lepton/time.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = lepton::parse_time_text(text)) {
    if (!std::isfinite(*t)) std::abort();
    // A leap second or an offset can push 9999-12-31 past the 4-digit years
    // that RFC 3339 can write; the round trip holds below that.
    if (*t >= 253402300800.0 || *t < -62167219200.0) return 0;
    auto back = lepton::parse_time_text(lepton::format_time(std::floor(*t)));
    if (!back || *back != std::floor(*t)) std::abort();
  }
  if (auto d = lepton::parse_duration(text)) {
    if (*d < 0 || std::isnan(*d)) std::abort();
    if (std::isfinite(*d) && *d < 1e12) (void)lepton::format_duration(*d);
  }
  return 0;
}
