// Fuzzes the checkpoint reader and the signed-log verifier. Invariants:
// parse_checkpoint either fails with a reason or returns fields whose
// signed prefix lies inside the line; verify never crashes, and a log it
// accepts has at least an opening and a final checkpoint.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "lepton/error.h"
#include "lepton/seal/signlog.h"

namespace {
const char* kIdentity = R"ID(# lepton-seal identity: SECRET KEY, keep this file private (mode 0600)
# created 2026-11-22T03:02:03.386Z
format: lepton-seal-identity 1
public: lseal1IK9-A57Y3iSOwES2H5PdIIS18JfjvkkbA3x29FzeUnpkSOQfymlDmFd7cdkzWDAAOwYF_L2RiNMrV_IgfGe0l-d4xC8
box-secret: rzUGO5tgaJumhowMXj8Wj14BqCJ_QbfrSJtERzcAni0
sign-secret: RdNAVcjrgxRdG5NGYN7TG9F_xgm36UaYYqysDOedOQM
)ID";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const lepton::seal::Identity id = lepton::seal::parse_identity(kIdentity, "vector");
  std::string input(reinterpret_cast<const char*>(data), size);

  std::string first = input.substr(0, input.find('\n'));
  std::string problem;
  auto cp = lepton::seal::parse_checkpoint(first, problem);
  if (cp) {
    if (cp->signed_prefix >= first.size() || cp->group == 0) std::abort();
    if (cp->digests.size() != (cp->lines + cp->group - 1) / cp->group) std::abort();
    lepton::seal::checkpoint_signature_ok(first, *cp, id.pub.sign);
  } else if (problem.empty()) {
    std::abort();
  }

  std::vector<std::unique_ptr<lepton::seal::ByteSource>> v;
  v.push_back(std::make_unique<lepton::seal::MemorySource>(input, "fuzz"));
  lepton::seal::ChainSource in(std::move(v));
  try {
    auto r = lepton::seal::verify_log(in, id.pub);
    if (r.ok && (r.checkpoints < 2 || !r.final)) std::abort();
    if (!r.ok && (r.problem.empty() || r.kind.empty())) std::abort();
  } catch (const lepton::DataError&) {
    // zstd-looking input that does not decompress
  }
  return 0;
}
