// Fuzzes --from prometheus-api with the shared invariants (convert_fuzz.h),
// with and without --metric.
#include <cstdint>

#include "convert_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto o = lepton::convert::fuzz::options("prometheus-api");
  lepton::convert::fuzz::check(o, text);
  o.metric = "m";
  lepton::convert::fuzz::check(o, text);
  return 0;
}
