#include "lepton/detect/state.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/record.h"

namespace lepton::detect {

namespace {
constexpr char kMagic[8] = {'L', 'P', 'T', 'N', 'D', 'E', 'T', '\n'};
constexpr std::size_t kHeader = 8 + 4 + 8 + 8;

std::string os_error(const std::string& what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, std::strerror(errno));
}
}  // namespace

void StateReader::raw(void* p, std::size_t n) {
  if (in_.size() - pos_ < n) corrupt("unexpected end of data");
  std::memcpy(p, in_.data() + pos_, n);
  pos_ += n;
}

std::uint8_t StateReader::u8() {
  std::uint8_t v;
  raw(&v, 1);
  return v;
}
std::uint32_t StateReader::u32() {
  std::uint32_t v;
  raw(&v, 4);
  return v;
}
std::uint64_t StateReader::u64() {
  std::uint64_t v;
  raw(&v, 8);
  return v;
}
double StateReader::f64() {
  double v;
  raw(&v, 8);
  return v;
}

float StateReader::f32() {
  float v;
  raw(&v, 4);
  return v;
}

std::string_view StateReader::str() {
  std::uint64_t n = count(1);
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

std::uint64_t StateReader::count(std::size_t min_item_bytes) {
  std::uint64_t n = u64();
  if (min_item_bytes > 0 && n > remaining() / min_item_bytes) corrupt("a count larger than the data");
  return n;
}

void StateReader::corrupt(std::string_view what) const {
  throw DataError(fmt::format("state is corrupt ({} at byte {})", what, pos_));
}

std::string seal_state(std::string_view payload, std::uint64_t config_fingerprint) {
  std::string out;
  out.reserve(kHeader + payload.size() + 8);
  out.append(kMagic, 8);
  StateWriter w(out);
  w.u32(kStateVersion);
  w.u64(config_fingerprint);
  w.u64(payload.size());
  out.append(payload);
  w.u64(stable_hash(out));
  return out;
}

std::string_view open_state(std::string_view bytes, std::uint64_t config_fingerprint, const std::string& path) {
  auto fail = [&](std::string_view why) {
    return DataError(fmt::format("{}: {}; delete it to start afresh", path, why));
  };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    throw fail("not a lepton-detect state file (bad magic)");
  if (bytes.size() < kHeader + 8) throw fail("state file is truncated");
  StateReader r(bytes.substr(8));
  std::uint32_t version = r.u32();
  if (version != kStateVersion)
    throw fail(
        fmt::format("state file has format version {}, this lepton-detect reads version {}", version, kStateVersion));
  std::uint64_t fingerprint = r.u64();
  std::uint64_t length = r.u64();
  if (length != bytes.size() - kHeader - 8) throw fail("state file is truncated or has trailing bytes");
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (stored != stable_hash(bytes.substr(0, bytes.size() - 8))) throw fail("state file checksum mismatch (corrupt)");
  if (fingerprint != config_fingerprint)
    throw fail("state file was written with different detection options (detector, season, rules, windows)");
  return bytes.substr(kHeader, length);
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  std::string dir = ".";
  auto slash = path.rfind('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw DataError(os_error("cannot create", tmp));
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string msg = os_error("cannot write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw DataError(msg);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    std::string msg = os_error("cannot fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    throw DataError(msg);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string msg = os_error("cannot rename state file to", path);
    ::unlink(tmp.c_str());
    throw DataError(msg);
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable; best effort
    ::close(dfd);
  }
}

bool read_file_if_exists(const std::string& path, std::string& bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    throw DataError(os_error("cannot open state file", path));
  }
  bytes.clear();
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string msg = os_error("cannot read state file", path);
      ::close(fd);
      throw DataError(msg);
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace lepton::detect
