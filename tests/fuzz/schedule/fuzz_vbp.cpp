// Fuzzes the .vbp reader and the packing solver. Invariants: a malformed
// file throws DataError with a message; a well-formed small instance packs
// feasibly, into no fewer bins than the lower bound and no more than one
// bin per item.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lepton/error.h"
#include "lepton/schedule/vbp.h"

namespace ls = lepton::schedule;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ls::VbpFile f;
  try {
    f = ls::parse_vbp(text, "fuzz.vbp");
  } catch (const lepton::DataError& e) {
    if (std::string_view(e.what()).find("fuzz.vbp:") != 0) std::abort();
    return 0;
  }
  auto& in = f.instance;
  if (in.items() > 300 || in.dims > 20) return 0;
  ls::VbpInstance packable;
  packable.dims = in.dims;
  packable.capacity = in.capacity;
  for (std::size_t i = 0; i < in.items(); ++i)
    if (ls::item_fits_empty_bin(in, i)) packable.add_item(in.item(i));
  ls::VbpOptions o;
  o.time_limit = 0.002;
  auto sol = ls::solve_vbp(packable, o);
  if (!ls::vbp_feasible(packable, sol.bin_of)) std::abort();
  if (sol.bins < sol.lower_bound || sol.bins > packable.items()) std::abort();
  if (ls::count_bins(sol.bin_of) != sol.bins) std::abort();
  return 0;
}
