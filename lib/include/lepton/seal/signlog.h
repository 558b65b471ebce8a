// Tamper evidence for clear-text logs: `sign` passes every line through
// unchanged and adds signed checkpoint records; `verify` checks them.
//
// A checkpoint covers the lines since the previous one (its segment):
//
//   {"kind":"checkpoint","v":1,"ts":<unix time>,"log":<chain id>,"seq":<n>,
//    "lines":<segment lines>,"bytes":<segment bytes>,"group":<G>,
//    "digests":<BLAKE2b-128 of each run of G lines, concatenated>,
//    "prev":<BLAKE2b-256 of the previous checkpoint line>,"final":<bool>,
//    ["next":<next epoch's Ed25519 public key>,] "sig":<Ed25519 signature>}
//
// (binary values in base64url). The signature covers the domain string
// "lepton-seal checkpoint v1\n" followed by the exact bytes of the line up
// to `,"sig":`. Digests hash the exact bytes of each line including its
// '\n', so any edit, insertion, deletion or reordering changes a digest;
// `prev` and `seq` chain the checkpoints; `final` marks the end of a sign
// run so a cut tail is visible. With forward security each checkpoint
// carries the next epoch's public key and the signer erases the key that
// signed it (see man lepton-seal).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lepton/seal/io.h"
#include "lepton/seal/keys.h"

namespace lepton::seal {

struct SignOptions {
  std::uint64_t every_lines = 1000;  ///< checkpoint after this many lines (0: only on the timer/at the end)
  double every_seconds = 0;          ///< > 0: also checkpoint when a segment is this old
  std::uint32_t group = 16;          ///< lines per digest: smaller localises edits better, costs bytes
  bool forward_secure = false;       ///< evolve the signing key per checkpoint
  bool line_buffered = false;        ///< flush after every line
  /// For forward security: the identity file to update atomically before
  /// each checkpoint is written (empty: keep the evolved key in memory only,
  /// for tests).
  std::string identity_path;
};

struct SignStats {
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  std::uint64_t checkpoints = 0;
};

/// Copies `in` to `out` line by line, adding checkpoints. Input lines that
/// already start with `{"kind":"checkpoint"` are refused (DataError naming
/// the line), since verify would take them for this signer's. A stop
/// request ends the input and writes the final checkpoint. `identity` is
/// updated in place under forward security.
SignStats sign_log(ChainSource& in, ByteSink& out, Identity& identity, const SignOptions& options);

/// Outcome of verify_log.
struct VerifyReport {
  bool ok = false;
  std::string problem;            ///< empty when ok: what is wrong and where
  std::string kind;               ///< short machine-readable problem kind (see man page)
  std::string where;              ///< file:line or file:first-last of the first bad record/segment
  std::uint64_t lines = 0;        ///< lines read (data and checkpoints)
  std::uint64_t records = 0;      ///< data lines covered by verified checkpoints
  std::uint64_t checkpoints = 0;  ///< verified checkpoints
  std::uint64_t chains = 0;       ///< sign runs that started a new chain (seq 0)
  bool forward_secure = false;    ///< some checkpoint evolved the key
  bool final = false;             ///< the log ends with a final checkpoint
};

/// Checks the checkpoints of a signed log against the first public signing
/// key and stops at the first problem (report.ok false). Throws DataError
/// only for I/O errors.
VerifyReport verify_log(ChainSource& in, const PublicKey& key);

/// The fields of a checkpoint line (for tests and fuzzing).
struct Checkpoint {
  int v = 0;
  double ts = 0;
  Bytes16 log{};
  std::uint64_t seq = 0;
  std::uint64_t lines = 0;
  std::uint64_t bytes = 0;
  std::uint32_t group = 0;
  std::vector<Bytes16> digests;
  Bytes32 prev{};
  bool final = false;
  std::optional<Bytes32> next;
  std::array<std::uint8_t, 64> sig{};
  std::size_t signed_prefix = 0;  ///< bytes of the line covered by the signature
};

/// True when `line` is meant as a checkpoint (starts with `{"kind":"checkpoint"`).
bool is_checkpoint_line(std::string_view line);

/// Parses a checkpoint line; on failure returns nullopt and sets `problem`.
std::optional<Checkpoint> parse_checkpoint(std::string_view line, std::string& problem);

/// Whether `sig` of checkpoint line `line` verifies with Ed25519 key `key`.
bool checkpoint_signature_ok(std::string_view line, const Checkpoint& cp, const Bytes32& key);

}  // namespace lepton::seal
