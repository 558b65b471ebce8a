// The sealed stream format (version 1): zstd-compressed data encrypted to
// one or more recipients. Documented byte by byte in man/lepton-seal.1.
//
//   magic      8  89 4C 53 45 41 4C 0D 0A  ("\x89LSEAL\r\n")
//   version    1  0x01
//   compress   1  0x01 = zstd
//   chunk_log2 1  log2 of the largest chunk plaintext (10..24)
//   reserved   1  0x00
//   count      2  number of recipient stanzas, big-endian, >= 1
//   stanzas       type (1) | body length (2, big-endian) | body
//                 type 0x01: crypto_box_seal(file key), 80 bytes
//   ss_header 24  crypto_secretstream_xchacha20poly1305 header
//   mac       32  BLAKE2b-256 keyed with the header key, over all bytes above
//   chunks        length (4, big-endian, ciphertext bytes) | index (4,
//                 big-endian, from 0) | secretstream ciphertext with the 8
//                 frame bytes as additional data; TAG_FINAL on the last one
//
// The file key is 32 random bytes; the payload and header keys come from it
// with crypto_kdf_derive_from_key (context "lepseal1", ids 1 and 2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lepton/error.h"
#include "lepton/seal/io.h"
#include "lepton/seal/keys.h"

namespace lepton::seal {

/// The format version this library writes and reads.
inline constexpr int kSealVersion = 1;

struct SealOptions {
  std::vector<PublicKey> recipients;   ///< at least one
  int level = 3;                       ///< zstd level (1..19)
  std::size_t chunk_size = 64 * 1024;  ///< plaintext bytes per chunk, a power of two in [1 KiB, 16 MiB]
  double flush_every = 0;              ///< seconds; > 0 closes a chunk on this timer (live streams)
  int workers = 1;                     ///< zstd worker threads (0: compress on the calling thread)
};

struct SealStats {
  std::uint64_t plaintext_bytes = 0;
  std::uint64_t sealed_bytes = 0;
  std::uint64_t chunks = 0;
};

/// Compresses and encrypts `in` to the recipients, writing the sealed
/// stream to `out`. Constant memory. A stop request (SIGINT/SIGTERM) ends
/// the input early but still writes a complete, final-tagged stream.
/// Throws UsageError for bad options, DataError for I/O errors.
SealStats seal_stream(ByteSource& in, ByteSink& out, const SealOptions& options);

/// What went wrong while opening a sealed stream.
enum class OpenProblem {
  kNotSealed,     ///< the magic bytes are missing
  kVersion,       ///< an unknown format version
  kHeader,        ///< a malformed or truncated header
  kNotRecipient,  ///< no stanza opens with this identity
  kHeaderAuth,    ///< the header MAC does not verify
  kChunkHeader,   ///< a chunk length outside the allowed range
  kChunkOrder,    ///< a chunk names another index (dropped, duplicated, reordered)
  kChunkAuth,     ///< a chunk's tag does not verify
  kTruncated,     ///< the input ends before the final chunk
  kTrailing,      ///< bytes after the final chunk
  kDecompress,    ///< authenticated data that is not a valid zstd stream
};

/// The error open_stream() throws: a DataError whose message says which
/// problem and where; the fields give the same for programs and tests.
class OpenError : public DataError {
 public:
  OpenError(OpenProblem problem, std::uint64_t chunk, std::uint64_t offset, const std::string& message)
      : DataError(message), problem_(problem), chunk_(chunk), offset_(offset) {}
  OpenProblem problem() const { return problem_; }
  std::uint64_t chunk() const { return chunk_; }
  std::uint64_t offset() const { return offset_; }

 private:
  OpenProblem problem_;
  std::uint64_t chunk_;
  std::uint64_t offset_;
};

struct OpenStats {
  std::uint64_t plaintext_bytes = 0;
  std::uint64_t chunks = 0;
};

/// Verifies and decrypts a sealed stream from `in` to `out`. Each chunk's
/// plaintext is written only after its tag verifies, so `out` never holds
/// an unauthenticated byte; a stream that ends without its final chunk has
/// its verified chunks written and then throws OpenError(kTruncated).
/// `stats` (optional) is filled as chunks are written, also on errors.
OpenStats open_stream(ByteSource& in, ByteSink& out, const Identity& identity, OpenStats* stats = nullptr);

/// Layout of a sealed stream, for tests and tools: offsets of the header
/// parts and of every chunk frame (from the frame fields, unauthenticated).
struct SealedLayout {
  std::size_t header_end = 0;                                ///< offset of the first chunk frame
  std::vector<std::pair<std::size_t, std::size_t>> stanzas;  ///< [begin, end) of each stanza
  std::size_t ss_header = 0;                                 ///< offset of the secretstream header
  std::size_t mac = 0;                                       ///< offset of the header MAC
  std::vector<std::pair<std::size_t, std::size_t>> chunks;   ///< [begin, end) of each chunk frame
};

/// Parses the framing of a complete sealed stream held in memory; throws
/// DataError if it is malformed.
SealedLayout sealed_layout(std::string_view sealed);

}  // namespace lepton::seal
