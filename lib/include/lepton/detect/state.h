// The --state file: a versioned binary snapshot of every series' detector,
// rule and alert state, written atomically so a cron job continues exactly
// where the previous run stopped.
//
// Layout (all integers little-endian):
//   magic    8 bytes  "LPTNDET\n"
//   version  u32      kStateVersion
//   config   u64      fingerprint of the options that shape the state
//   length   u64      payload bytes
//   payload  length bytes
//   checksum u64      FNV-1a 64 of everything before it
// A file that is truncated, has another magic, version or fingerprint, or a
// wrong checksum is rejected with a DataError that says which.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace lepton::detect {

inline constexpr std::uint32_t kStateVersion = 2;

/// Appends fixed-width little-endian values to a byte string.
class StateWriter {
 public:
  explicit StateWriter(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { raw(&v, 4); }
  void u64(std::uint64_t v) { raw(&v, 8); }
  void f64(double v) { raw(&v, 8); }
  void f32(float v) { raw(&v, 4); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  std::string& buffer() { return out_; }

 private:
  void raw(const void* p, std::size_t n) {
    static_assert(std::endian::native == std::endian::little, "state files are little-endian");
    out_.append(static_cast<const char*>(p), n);
  }
  std::string& out_;
};

/// Reads what StateWriter wrote; throws DataError("state file is truncated
/// or corrupt") on reading past the end or on implausible sizes.
class StateReader {
 public:
  explicit StateReader(std::string_view in) : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  double f64();
  float f32();
  std::string_view str();
  /// A count of items that each take at least `min_item_bytes`; rejects counts
  /// the remaining bytes cannot hold (so corrupt files cannot make us allocate).
  std::uint64_t count(std::size_t min_item_bytes);
  bool at_end() const { return pos_ == in_.size(); }
  std::size_t remaining() const { return in_.size() - pos_; }
  [[noreturn]] void corrupt(std::string_view what) const;

 private:
  void raw(void* p, std::size_t n);
  std::string_view in_;
  std::size_t pos_ = 0;
};

/// Wraps `payload` in the header and checksum described above.
std::string seal_state(std::string_view payload, std::uint64_t config_fingerprint);

/// Checks the header and checksum of a state file's bytes and returns its
/// payload. `path` is used in error messages. Throws DataError.
std::string_view open_state(std::string_view bytes, std::uint64_t config_fingerprint, const std::string& path);

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, fsync, rename over `path`, fsync of the directory.
void write_file_atomically(const std::string& path, std::string_view bytes);

/// Reads a whole file; returns false if it does not exist (other errors throw).
bool read_file_if_exists(const std::string& path, std::string& bytes);

}  // namespace lepton::detect
