// Fuzzes the key-file readers (identities, public strings, recipient
// lists). Invariants: what parses re-formats and parses to the same keys.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lepton/error.h"
#include "lepton/seal/keys.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto id = lepton::seal::parse_identity(text, "fuzz");
    auto again = lepton::seal::parse_identity(lepton::seal::format_identity(id), "again");
    if (!(again.pub == id.pub) || again.box_secret.bytes != id.box_secret.bytes) std::abort();
    if (again.sign_seed.has_value() != id.sign_seed.has_value()) std::abort();
    if (again.forward.has_value() != id.forward.has_value()) std::abort();
    if (id.forward && again.forward->seq != id.forward->seq) std::abort();
  } catch (const lepton::DataError&) {
  }
  try {
    auto key = lepton::seal::parse_public(text);
    if (!(lepton::seal::parse_public(lepton::seal::format_public(key)) == key)) std::abort();
  } catch (const lepton::DataError&) {
  }
  try {
    auto keys = lepton::seal::parse_recipients(text, "fuzz");
    if (keys.empty()) std::abort();
  } catch (const lepton::DataError&) {
  }
  return 0;
}
