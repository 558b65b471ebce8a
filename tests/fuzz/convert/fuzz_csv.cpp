// Fuzzes --from csv with the shared invariants (convert_fuzz.h), with
// detected columns and with --metric.
#include <cstdint>

#include "convert_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto o = lepton::convert::fuzz::options("csv");
  lepton::convert::fuzz::check(o, text);
  o.metric = "m";
  lepton::convert::fuzz::check(o, text);
  return 0;
}
