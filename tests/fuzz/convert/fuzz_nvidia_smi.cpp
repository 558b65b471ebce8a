// Fuzzes --from nvidia-smi with the shared invariants (convert_fuzz.h).
#include <cstdint>

#include "convert_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  lepton::convert::fuzz::check(lepton::convert::fuzz::options("nvidia-smi"), text);
  return 0;
}
