#include "lepton/seal/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/time.h"

namespace lepton::seal {

namespace {
constexpr std::string_view kPublicPrefix = "lseal1";
constexpr std::string_view kFormatLine = "lepton-seal-identity 1";
constexpr std::size_t kMaxKeyFile = 64 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Checksum of a public string: the first 4 bytes of BLAKE2b over the prefix
// and both keys, so a mistyped or truncated string is caught.
std::array<std::uint8_t, 4> public_check(const PublicKey& key) {
  std::uint8_t h[crypto_generichash_BYTES_MIN];
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, sizeof h);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kPublicPrefix.data()), kPublicPrefix.size());
  crypto_generichash_update(&st, key.box.data(), key.box.size());
  crypto_generichash_update(&st, key.sign.data(), key.sign.size());
  crypto_generichash_final(&st, h, sizeof h);
  return {h[0], h[1], h[2], h[3]};
}

std::string read_small_file(const std::string& path, struct stat* st_out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw DataError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw DataError(fmt::format("{}: cannot stat: {}", path, std::strerror(e)));
  }
  if (st_out) *st_out = st;
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw DataError(fmt::format("{}: read error: {}", path, std::strerror(e)));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxKeyFile) {
      ::close(fd);
      throw DataError(fmt::format("{}: too large for a key file (more than {} bytes)", path, kMaxKeyFile));
    }
  }
  ::close(fd);
  return text;
}

void mode_error(const std::string& path, unsigned mode) {
  throw DataError(
      fmt::format("{}: secret key file is accessible by group or others (mode {:04o}); protect it with: chmod 600 {}",
                  path, mode & 07777, path));
}

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw DataError(fmt::format("{}: write error: {}", path, std::strerror(errno)));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void sync_fd(int fd, const std::string& path) {
  if (::fsync(fd) != 0) throw DataError(fmt::format("{}: fsync failed: {}", path, std::strerror(errno)));
}

template <std::size_t N>
bool decode_exact(std::string_view text, std::array<std::uint8_t, N>& out) {
  auto bytes = detail::unb64(text);
  if (!bytes || bytes->size() != N) return false;
  std::memcpy(out.data(), bytes->data(), N);
  sodium_memzero(bytes->data(), bytes->size());
  return true;
}
}  // namespace

void ensure_sodium() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = sodium_init(); });
  if (rc < 0) throw DataError("libsodium failed to initialise");
}

Secret32::~Secret32() { wipe(); }
void Secret32::wipe() { sodium_memzero(bytes.data(), bytes.size()); }

namespace detail {
std::string b64(const std::uint8_t* data, std::size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::optional<std::vector<std::uint8_t>> unb64(std::string_view text) {
  std::vector<std::uint8_t> out(text.size() * 3 / 4 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}
}  // namespace detail

Identity generate_identity() {
  ensure_sodium();
  Identity id;
  crypto_box_keypair(id.pub.box.data(), id.box_secret.bytes.data());
  Secret32 seed;
  randombytes_buf(seed.bytes.data(), seed.bytes.size());
  std::uint8_t sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(id.pub.sign.data(), sk, seed.bytes.data());
  sodium_memzero(sk, sizeof sk);
  id.sign_seed = seed;
  return id;
}

std::string format_public(const PublicKey& key) {
  std::uint8_t raw[68];
  std::memcpy(raw, key.box.data(), 32);
  std::memcpy(raw + 32, key.sign.data(), 32);
  auto check = public_check(key);
  std::memcpy(raw + 64, check.data(), 4);
  return std::string(kPublicPrefix) + detail::b64(raw, sizeof raw);
}

PublicKey parse_public(std::string_view text) {
  ensure_sodium();
  text = trim(text);
  if (text.substr(0, kPublicPrefix.size()) != kPublicPrefix)
    throw DataError(fmt::format("not a lepton-seal public string (they start with lseal1); got {}", excerpt(text)));
  auto raw = detail::unb64(text.substr(kPublicPrefix.size()));
  if (!raw) throw DataError(fmt::format("public string is not valid base64url; got {}", excerpt(text)));
  if (raw->size() != 68)
    throw DataError(fmt::format("public string has {} bytes of key data, expected 68 (truncated?); got {}", raw->size(),
                                excerpt(text)));
  PublicKey key;
  std::memcpy(key.box.data(), raw->data(), 32);
  std::memcpy(key.sign.data(), raw->data() + 32, 32);
  auto check = public_check(key);
  if (std::memcmp(check.data(), raw->data() + 64, 4) != 0)
    throw DataError(fmt::format("public string checksum does not match (mistyped or altered?); got {}", excerpt(text)));
  return key;
}

std::vector<PublicKey> parse_recipients(std::string_view text, std::string_view name) {
  std::vector<PublicKey> out;
  std::uint64_t line_no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 7) == "format:" || line.substr(0, 11) == "box-secret:")
      throw DataError(
          fmt::format("{}:{}: this is a secret identity file, not a list of public strings; pass the "
                      "string on its 'public:' line instead",
                      name, line_no));
    try {
      out.push_back(parse_public(line));
    } catch (const DataError& e) {
      throw DataError(fmt::format("{}:{}: {}", name, line_no, e.what()));
    }
  }
  if (out.empty()) throw DataError(fmt::format("{}: no public string in the recipients file", name));
  return out;
}

std::vector<PublicKey> resolve_recipients(const std::string& arg) {
  if (trim(arg).substr(0, kPublicPrefix.size()) == kPublicPrefix) return {parse_public(arg)};
  std::error_code ec;
  if (!std::filesystem::exists(arg, ec))
    throw DataError(fmt::format("not a public string (lseal1...) nor a readable file; got {}", excerpt(arg)));
  return parse_recipients(read_small_file(arg, nullptr), arg);
}

std::string format_identity(const Identity& id) {
  std::string out;
  out += "# lepton-seal identity: SECRET KEY, keep this file private (mode 0600)\n";
  out += "# created " + format_time(now_unix()) + "\n";
  out += fmt::format("format: {}\n", kFormatLine);
  out += fmt::format("public: {}\n", format_public(id.pub));
  out += fmt::format("box-secret: {}\n", detail::b64(id.box_secret.bytes.data(), 32));
  if (id.sign_seed) out += fmt::format("sign-secret: {}\n", detail::b64(id.sign_seed->bytes.data(), 32));
  if (id.forward) {
    const auto& f = *id.forward;
    out += "# forward-secure signing state: the root signing key is erased; the chain continues here\n";
    out += fmt::format("fs-log: {}\n", detail::b64(f.log.data(), f.log.size()));
    out += fmt::format("fs-seq: {}\n", f.seq);
    out += fmt::format("fs-prev: {}\n", detail::b64(f.prev.data(), f.prev.size()));
    out += fmt::format("fs-secret: {}\n", detail::b64(f.seed.bytes.data(), 32));
  }
  return out;
}

Identity parse_identity(std::string_view text, std::string_view name) {
  ensure_sodium();
  Identity id;
  bool have_format = false, have_public = false, have_box = false;
  bool fs_log = false, fs_seq = false, fs_prev = false, fs_secret = false;
  ForwardState fs;
  std::uint64_t line_no = 0;
  auto fail = [&](std::string_view problem, std::string_view got) -> void {
    throw DataError(format_data_error({name, line_no}, problem, got));
  };
  auto secret_value = [&](std::string_view value, Secret32& out, std::string_view what) {
    if (!decode_exact(value, out.bytes)) fail(fmt::format("{} must be 32 bytes of base64url", what), {});
  };
  std::vector<std::string> seen;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) fail("expected 'field: value'", line);
    std::string key(trim(line.substr(0, colon)));
    std::string_view value = trim(line.substr(colon + 1));
    for (const auto& s : seen)
      if (s == key) fail(fmt::format("field '{}' appears twice", key), {});
    seen.push_back(key);
    if (!have_format && key != "format")
      fail("not a lepton-seal identity file (the first field must be 'format: lepton-seal-identity 1')", line);
    if (key == "format") {
      if (value.substr(0, 21) != "lepton-seal-identity ") fail("not a lepton-seal identity file", line);
      if (value != kFormatLine) fail("unsupported identity format version (this lepton-seal reads version 1)", value);
      have_format = true;
    } else if (key == "public") {
      try {
        id.pub = parse_public(value);
      } catch (const DataError& e) {
        fail(e.what(), {});
      }
      have_public = true;
    } else if (key == "box-secret") {
      secret_value(value, id.box_secret, "box-secret");
      have_box = true;
    } else if (key == "sign-secret") {
      id.sign_seed.emplace();
      secret_value(value, *id.sign_seed, "sign-secret");
    } else if (key == "fs-log") {
      if (!decode_exact(value, fs.log)) fail("fs-log must be 16 bytes of base64url", {});
      fs_log = true;
    } else if (key == "fs-seq") {
      std::uint64_t v = 0;
      if (value.empty() || value.size() > 18) fail("fs-seq must be a sequence number", value);
      for (char c : value) {
        if (c < '0' || c > '9') fail("fs-seq must be a sequence number", value);
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
      }
      fs.seq = v;
      fs_seq = true;
    } else if (key == "fs-prev") {
      if (!decode_exact(value, fs.prev)) fail("fs-prev must be 32 bytes of base64url", {});
      fs_prev = true;
    } else if (key == "fs-secret") {
      secret_value(value, fs.seed, "fs-secret");
      fs_secret = true;
    } else {
      fail("unknown field in identity file", key);
    }
  }
  ++line_no;
  if (!have_format) fail("not a lepton-seal identity file (no 'format: lepton-seal-identity 1' line)", {});
  if (!have_public) fail("identity file has no 'public:' line", {});
  if (!have_box) fail("identity file has no 'box-secret:' line", {});
  int fs_count = fs_log + fs_seq + fs_prev + fs_secret;
  if (fs_count != 0 && fs_count != 4) fail("incomplete forward-secure state (fs-log, fs-seq, fs-prev, fs-secret)", {});
  if (fs_count == 4) {
    if (id.sign_seed) fail("identity has both a root signing key and forward-secure state", {});
    id.forward = fs;
  } else if (!id.sign_seed) {
    fail("identity file has no 'sign-secret:' line", {});
  }
  Bytes32 pk{};
  crypto_scalarmult_base(pk.data(), id.box_secret.bytes.data());
  if (pk != id.pub.box) fail("box-secret does not belong to the public string (damaged identity file)", {});
  if (id.sign_seed) {
    std::uint8_t sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk.data(), sk, id.sign_seed->bytes.data());
    sodium_memzero(sk, sizeof sk);
    if (pk != id.pub.sign) fail("sign-secret does not belong to the public string (damaged identity file)", {});
  }
  return id;
}

void check_private_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw DataError(fmt::format("{}: cannot stat: {}", path, std::strerror(errno)));
  if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) mode_error(path, st.st_mode);
}

Identity load_identity(const std::string& path) {
  struct stat st {};
  std::string text = read_small_file(path, &st);
  // Pipes and process substitutions (-i <(pass show key)) have no mode to check.
  if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    sodium_memzero(text.data(), text.size());
    mode_error(path, st.st_mode);
  }
  try {
    Identity id = parse_identity(text, path);
    sodium_memzero(text.data(), text.size());
    return id;
  } catch (...) {
    sodium_memzero(text.data(), text.size());
    throw;
  }
}

// Writes the identity to `fd` (a new file at `path`, mode 0600), syncs and
// closes it; on failure removes the file. The text is wiped from memory.
static void write_identity_fd(int fd, const std::string& path, const Identity& id) {
  std::string text = format_identity(id);
  try {
    if (::fchmod(fd, 0600) != 0) throw DataError(fmt::format("{}: chmod failed: {}", path, std::strerror(errno)));
    write_all(fd, text, path);
    sync_fd(fd, path);
  } catch (...) {
    sodium_memzero(text.data(), text.size());
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  sodium_memzero(text.data(), text.size());
  ::close(fd);
}

void create_identity_file(const std::string& path, const Identity& id) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      throw DataError(
          fmt::format("{}: already exists; keygen never overwrites an identity (remove it or choose "
                      "another name)",
                      path));
    throw DataError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  }
  write_identity_fd(fd, path, id);
}

void replace_identity_file(const std::string& path, const Identity& id) {
  std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw DataError(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
  write_identity_fd(fd, tmp, id);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw DataError(fmt::format("{}: cannot replace: {}", path, std::strerror(e)));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // makes the rename durable; best effort on odd filesystems
    ::close(dfd);
  }
}

IdentityLock::IdentityLock(const std::string& path) {
  std::string lock = path + ".lock";
  fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw DataError(fmt::format("{}: cannot create lock file: {}", lock, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw DataError(fmt::format("{}: another lepton-seal is signing with this identity (lock {} is held)", path, lock));
  }
}

IdentityLock::~IdentityLock() {
  if (fd_ >= 0) ::close(fd_);
}

Secret32 derive_pseudonym_key(std::string_view file_bytes) {
  ensure_sodium();
  static constexpr std::string_view kDomain = "lepton-seal pseudonym key v1";
  Secret32 key;
  crypto_generichash(key.bytes.data(), 32, reinterpret_cast<const unsigned char*>(file_bytes.data()), file_bytes.size(),
                     reinterpret_cast<const unsigned char*>(kDomain.data()), kDomain.size());
  return key;
}

Secret32 load_pseudonym_key(const std::string& path) {
  struct stat st {};
  std::string bytes = read_small_file(path, &st);
  if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
    sodium_memzero(bytes.data(), bytes.size());
    mode_error(path, st.st_mode);
  }
  if (bytes.size() < 32) {
    sodium_memzero(bytes.data(), bytes.size());
    throw DataError(
        fmt::format("{}: a pseudonym key needs at least 32 secret bytes; got {} (make one with: head -c 32 "
                    "/dev/urandom > {}; chmod 600 {})",
                    path, bytes.size(), path, path));
  }
  Secret32 key = derive_pseudonym_key(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

}  // namespace lepton::seal
