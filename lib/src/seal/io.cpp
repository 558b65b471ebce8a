#include "lepton/seal/io.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/output.h"
#include "lepton/signals.h"

namespace lepton::seal {

FdSource::FdSource(const std::string& path) {
  if (path == "-") {
    name_ = "<stdin>";
    fd_ = 0;
    return;
  }
  name_ = path;
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw DataError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  own_ = true;
}

FdSource::~FdSource() {
  if (own_) ::close(fd_);
}

std::size_t FdSource::read(char* dst, std::size_t cap) {
  for (;;) {
    if (stop_requested()) return 0;
    ssize_t n = ::read(fd_, dst, cap);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;  // the loop head sees a requested stop
    throw DataError(fmt::format("{}: read error: {}", name_, std::strerror(errno)));
  }
}

bool FdSource::wait_readable(double seconds) {
  if (stop_requested()) return true;
  pollfd p{fd_, POLLIN, 0};
  int ms = seconds <= 0 ? 0 : static_cast<int>(std::min(std::ceil(seconds * 1000), 3.6e6));
  int rc = ::poll(&p, 1, ms);
  if (rc < 0) return errno == EINTR ? stop_requested() : true;  // let read() report real errors
  return rc > 0;
}

std::size_t MemorySource::read(char* dst, std::size_t cap) {
  std::size_t n = std::min(cap, data_.size() - pos_);
  std::memcpy(dst, data_.data() + pos_, n);
  pos_ += n;
  return n;
}

namespace {
constexpr unsigned char kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
constexpr std::size_t kRawBlock = 1 << 20;
}  // namespace

// Sniffs the first bytes of one input and decompresses zstd on the fly.
struct ChainSource::Decoder {
  ByteSource* src = nullptr;
  std::unique_ptr<ByteSource> owned;
  detail::RawBuffer raw{kRawBlock};
  std::size_t raw_begin = 0, raw_end = 0;
  bool raw_eof = false;
  bool sniffed = false;
  ZSTD_DCtx* zstd = nullptr;
  bool frame_done = false;

  ~Decoder() { ZSTD_freeDCtx(zstd); }

  void raw_fill() {
    if (raw_begin == raw_end) raw_begin = raw_end = 0;
    std::size_t n = src->read(raw.data() + raw_end, raw.size() - raw_end);
    if (n == 0) raw_eof = true;
    raw_end += n;
  }

  std::size_t read(char* dst, std::size_t cap) {
    if (!sniffed) {
      sniffed = true;
      while (raw_end < 4 && !raw_eof) raw_fill();
      if (raw_end >= 4 && std::memcmp(raw.data(), kZstdMagic, 4) == 0) zstd = ZSTD_createDCtx();
    }
    if (zstd == nullptr) {
      if (raw_begin < raw_end) {
        std::size_t n = std::min(cap, raw_end - raw_begin);
        std::memcpy(dst, raw.data() + raw_begin, n);
        raw_begin += n;
        return n;
      }
      if (raw_eof) return 0;
      std::size_t n = src->read(dst, cap);
      if (n == 0) raw_eof = true;
      return n;
    }
    for (;;) {
      if (raw_begin == raw_end && !raw_eof) raw_fill();
      if (raw_begin == raw_end && raw_eof) {
        if (!frame_done) throw DataError(fmt::format("{}: zstd: truncated compressed input", src->name()));
        return 0;
      }
      ZSTD_inBuffer in{raw.data() + raw_begin, raw_end - raw_begin, 0};
      ZSTD_outBuffer out{dst, cap, 0};
      std::size_t rc = ZSTD_decompressStream(zstd, &out, &in);
      if (ZSTD_isError(rc)) throw DataError(fmt::format("{}: zstd: {}", src->name(), ZSTD_getErrorName(rc)));
      raw_begin += in.pos;
      if (in.pos > 0 || out.pos > 0) frame_done = rc == 0;
      if (out.pos > 0) return out.pos;
    }
  }
};

ChainSource::ChainSource(std::vector<std::string> paths) : paths_(std::move(paths)) {
  if (paths_.empty()) paths_.push_back("-");
  for (const auto& p : paths_) names_.push_back(p == "-" ? "<stdin>" : p);
}

ChainSource::ChainSource(std::vector<std::unique_ptr<ByteSource>> sources) : given_(std::move(sources)) {
  for (const auto& s : given_) names_.push_back(s->name());
}

ChainSource::~ChainSource() = default;

void ChainSource::open(std::size_t i) {
  dec_ = std::make_unique<Decoder>();
  if (given_.empty()) {
    dec_->owned = std::make_unique<FdSource>(paths_[i]);
    dec_->src = dec_->owned.get();
  } else {
    dec_->src = given_[i].get();
  }
}

std::size_t ChainSource::read(char* dst, std::size_t cap) {
  if (!started_) {
    started_ = true;
    if (names_.empty()) return 0;
    open(0);
  }
  return dec_ ? dec_->read(dst, cap) : 0;
}

bool ChainSource::advance() {
  if (!started_) {
    started_ = true;
    if (names_.empty()) return false;
    open(0);
    return true;
  }
  if (stop_requested() || index_ + 1 >= names_.size()) return false;
  ++index_;
  open(index_);
  return true;
}

bool ChainSource::wait_readable(double seconds) {
  if (!dec_) return true;
  if (dec_->raw_begin < dec_->raw_end) return true;
  return dec_->src->wait_readable(seconds);
}

const std::string& ChainSource::name() const {
  static const std::string none = "<none>";
  return names_.empty() ? none : names_[index_];
}

namespace {
constexpr std::size_t kGather = 256 * 1024;
}

FdSink::FdSink(const std::string& path) {
  if (path == "-") {
    name_ = "<stdout>";
    return;
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) throw DataError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  own_ = true;
  name_ = path;
}

FdSink::~FdSink() {
  try {
    flush();
  } catch (...) {
    // Destructors must not throw; callers flush explicitly to see errors.
  }
  if (own_) ::close(fd_);
}

void FdSink::write(std::string_view bytes) {
  if (bytes.size() >= kGather / 4) {  // large: no copy
    flush();
    write_fully(fd_, bytes.data(), bytes.size(), name_);
    return;
  }
  buf_.append(bytes);
  if (buf_.size() >= kGather) flush();
}

void FdSink::flush() {
  if (buf_.empty()) return;
  std::string pending;
  pending.swap(buf_);  // nothing left to re-send if the write throws
  write_fully(fd_, pending.data(), pending.size(), name_);
  pending.clear();
  buf_.swap(pending);  // keep the capacity
}

void detail::RawBuffer::grow(std::size_t size, std::size_t keep) {
  if (size <= size_) return;
  std::unique_ptr<char[]> bigger(new char[size]);
  if (keep > 0) std::memcpy(bigger.get(), data_.get(), keep);
  data_ = std::move(bigger);
  size_ = size;
}

BufferedReader::BufferedReader(ByteSource& src, std::size_t block) : src_(src), buf_(2 * block), block_(block) {}

std::size_t BufferedReader::fill(std::size_t n) {
  while (end_ - begin_ < n && !eof_) {
    if (buf_.size() - begin_ < n || buf_.size() - end_ < block_ / 4) {
      // Move the unread tail to the front; grow when one request is larger.
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
      if (buf_.size() < n + block_) buf_.grow(n + block_, end_);
    }
    std::size_t got = src_.read(buf_.data() + end_, buf_.size() - end_);
    if (got == 0) eof_ = true;
    end_ += got;
  }
  return std::min(n, end_ - begin_);
}

}  // namespace lepton::seal
