// Fuzzes the sealed-format reader. Invariants: open either succeeds or
// throws OpenError with an offset inside the input, never writes bytes
// on a header error, and whatever opens re-seals and opens to the same
// bytes; sealing the input as plaintext opens back to it.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lepton/seal/sealed.h"

namespace {
// The committed test-vector identity (tests/fixtures/seal/vector), so the
// corpus can hold real sealed streams.
const char* kIdentity = R"ID(# lepton-seal identity: SECRET KEY, keep this file private (mode 0600)
# created 2026-11-22T03:02:03.386Z
format: lepton-seal-identity 1
public: lseal1IK9-A57Y3iSOwES2H5PdIIS18JfjvkkbA3x29FzeUnpkSOQfymlDmFd7cdkzWDAAOwYF_L2RiNMrV_IgfGe0l-d4xC8
box-secret: rzUGO5tgaJumhowMXj8Wj14BqCJ_QbfrSJtERzcAni0
sign-secret: RdNAVcjrgxRdG5NGYN7TG9F_xgm36UaYYqysDOedOQM
)ID";

std::string open_or_empty(const std::string& sealed, const lepton::seal::Identity& id, bool& ok) {
  lepton::seal::MemorySource in(sealed, "fuzz");
  lepton::seal::StringSink out;
  ok = true;
  try {
    lepton::seal::open_stream(in, out, id);
  } catch (const lepton::seal::OpenError& e) {
    ok = false;
    if (e.offset() > sealed.size()) std::abort();
    bool header =
        e.problem() == lepton::seal::OpenProblem::kNotSealed || e.problem() == lepton::seal::OpenProblem::kVersion ||
        e.problem() == lepton::seal::OpenProblem::kHeader || e.problem() == lepton::seal::OpenProblem::kNotRecipient ||
        e.problem() == lepton::seal::OpenProblem::kHeaderAuth;
    if (header && !out.data.empty()) std::abort();
  }
  return out.data;
}

std::string seal(const std::string& plain, const lepton::seal::Identity& id) {
  lepton::seal::MemorySource in(plain, "plain");
  lepton::seal::StringSink out;
  lepton::seal::SealOptions o;
  o.recipients = {id.pub};
  o.chunk_size = 1024;
  o.workers = 0;
  lepton::seal::seal_stream(in, out, o);
  return out.data;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lepton::seal::Identity id = lepton::seal::parse_identity(kIdentity, "vector");
  std::string input(reinterpret_cast<const char*>(data), size);
  bool ok = false;
  std::string plain = open_or_empty(input, id, ok);
  if (ok) {
    bool again = false;
    if (open_or_empty(seal(plain, id), id, again) != plain || !again) std::abort();
  }
  bool round = false;
  if (open_or_empty(seal(input, id), id, round) != input || !round) std::abort();
  return 0;
}
