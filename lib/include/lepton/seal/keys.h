// Identities and public strings for lepton-seal.
//
// An identity holds an X25519 key pair (seal/open) and an Ed25519 key pair
// (sign/verify). Its public string, `lseal1` followed by base64url of both
// public keys and a 4-byte BLAKE2b checksum, is what `seal -r` and
// `verify -k` take. The identity file is text, created with mode 0600:
//
//     # lepton-seal identity: SECRET KEY, keep this file private (mode 0600)
//     format: lepton-seal-identity 1
//     public: lseal1...
//     box-secret: <base64url, 32 bytes>      X25519 secret key
//     sign-secret: <base64url, 32 bytes>     Ed25519 seed (erased by --forward-secure)
//     fs-log / fs-seq / fs-prev / fs-secret: forward-secure signing state
//
// Every key comes from libsodium (crypto_box_keypair, crypto_sign_keypair).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::seal {

/// Calls sodium_init() once; throws if libsodium cannot start.
void ensure_sodium();

using Bytes32 = std::array<std::uint8_t, 32>;
using Bytes16 = std::array<std::uint8_t, 16>;

/// A 32-byte secret that is wiped (sodium_memzero) when destroyed.
struct Secret32 {
  Bytes32 bytes{};
  Secret32() = default;
  Secret32(const Secret32&) = default;
  Secret32& operator=(const Secret32&) = default;
  ~Secret32();
  /// Overwrites the bytes with zeros.
  void wipe();
};

/// The public half of an identity.
struct PublicKey {
  Bytes32 box{};   ///< X25519 public key (recipient of seal)
  Bytes32 sign{};  ///< Ed25519 public key (first signing key for verify)
  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

/// Forward-secure signing state kept in the identity file: where the
/// chain stands and the current epoch's signing seed.
struct ForwardState {
  Bytes16 log{};          ///< chain id
  std::uint64_t seq = 0;  ///< sequence number of the next checkpoint
  Bytes32 prev{};         ///< BLAKE2b-256 of the last checkpoint line
  Secret32 seed;          ///< Ed25519 seed of the current epoch key
};

/// A secret identity.
struct Identity {
  PublicKey pub;
  Secret32 box_secret;                  ///< X25519 secret key
  std::optional<Secret32> sign_seed;    ///< root Ed25519 seed; empty once erased
  std::optional<ForwardState> forward;  ///< set once forward-secure signing began
};

/// Creates a new identity from libsodium's random source.
Identity generate_identity();

/// The one-line public string `lseal1...` of a public key.
std::string format_public(const PublicKey& key);

/// Parses a public string; throws DataError saying what is wrong (prefix,
/// length, encoding, checksum).
PublicKey parse_public(std::string_view text);

/// Reads public strings from `text`, one per line; blank lines and lines
/// starting with '#' are skipped. `name` is used in messages (name:line).
std::vector<PublicKey> parse_recipients(std::string_view text, std::string_view name);

/// A recipient argument: a public string, or the path of a file of public
/// strings (see parse_recipients).
std::vector<PublicKey> resolve_recipients(const std::string& arg);

/// The text of an identity file.
std::string format_identity(const Identity& id);

/// Parses the text of an identity file; throws DataError naming `name` and
/// the line. Checks that the secrets match the public string.
Identity parse_identity(std::string_view text, std::string_view name);

/// Throws DataError unless `path` is accessible to its owner only: the
/// message names the file, its mode and the fix (chmod 600 FILE).
void check_private_mode(const std::string& path);

/// Reads an identity file after check_private_mode().
Identity load_identity(const std::string& path);

/// Creates a new identity file with mode 0600; fails if it exists.
void create_identity_file(const std::string& path, const Identity& id);

/// Replaces an identity file atomically (temporary file with mode 0600,
/// fsync, rename, fsync of the directory), so a crash leaves the old or
/// the new identity, and the old secret is no longer reachable by name.
void replace_identity_file(const std::string& path, const Identity& id);

/// An exclusive lock on `<path>.lock` for as long as the object lives, so
/// two forward-secure signers cannot fork one chain. Throws DataError if
/// another process holds it.
class IdentityLock {
 public:
  explicit IdentityLock(const std::string& path);
  ~IdentityLock();
  IdentityLock(const IdentityLock&) = delete;
  IdentityLock& operator=(const IdentityLock&) = delete;

 private:
  int fd_ = -1;
};

/// Reads a secret key file for keyed pseudonyms (at least 32 bytes, any
/// content, mode checked like an identity) and derives a 32-byte key.
Secret32 load_pseudonym_key(const std::string& path);

/// Derives the pseudonym key from the bytes of a key file.
Secret32 derive_pseudonym_key(std::string_view file_bytes);

namespace detail {
/// base64url without padding (libsodium's sodium_bin2base64).
std::string b64(const std::uint8_t* data, std::size_t size);
/// Decodes base64url without padding; nullopt when malformed.
std::optional<std::vector<std::uint8_t>> unb64(std::string_view text);
}  // namespace detail

}  // namespace lepton::seal
