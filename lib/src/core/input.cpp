#include "lepton/input.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/signals.h"

namespace lepton {

namespace {
constexpr std::size_t kBlock = 1 << 20;  // 1 MiB reads keep syscalls rare
constexpr unsigned char kZstdMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};
}  // namespace

struct LineReader::Zstd {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  bool frame_done = false;  // the last frame ended cleanly
  ~Zstd() { ZSTD_freeDCtx(ctx); }
};

LineReader::LineReader(const std::string& path) {
  if (path == "-") {
    name_ = "<stdin>";
    fd_ = 0;
  } else {
    name_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw DataError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    own_fd_ = true;
  }
  buf_.resize(2 * kBlock);
}

LineReader::~LineReader() {
  if (own_fd_) ::close(fd_);
}

namespace {
// read(2) that retries on EINTR unless a stop was requested; -1 on error.
ssize_t read_some(int fd, char* dst, std::size_t cap) {
  for (;;) {
    ssize_t n = ::read(fd, dst, cap);
    if (n >= 0) return n;
    if (errno == EINTR) {
      if (stop_requested()) return 0;
      continue;
    }
    return -1;
  }
}
}  // namespace

std::size_t LineReader::fill_raw(char* dst, std::size_t cap) {
  if (!sniffed_) {
    // Look at the first bytes to decide between plain text and zstd.
    sniffed_ = true;
    raw_.resize(kBlock);
    while (raw_end_ < 4 && !raw_eof_) {
      ssize_t n = read_some(fd_, raw_.data() + raw_end_, raw_.size() - raw_end_);
      if (n < 0) throw DataError(fmt::format("{}: read error: {}", name_, std::strerror(errno)));
      if (n == 0) raw_eof_ = true;
      raw_end_ += static_cast<std::size_t>(n);
    }
    if (raw_end_ >= 4 && std::memcmp(raw_.data(), kZstdMagic, 4) == 0) zstd_ = std::make_unique<Zstd>();
  }
  if (!zstd_) {
    if (raw_begin_ < raw_end_) {  // hand out the sniffed bytes first
      std::size_t n = std::min(cap, raw_end_ - raw_begin_);
      std::memcpy(dst, raw_.data() + raw_begin_, n);
      raw_begin_ += n;
      return n;
    }
    if (raw_eof_) return 0;
    ssize_t n = read_some(fd_, dst, cap);
    if (n < 0) throw DataError(fmt::format("{}: read error: {}", name_, std::strerror(errno)));
    if (n == 0) raw_eof_ = true;
    return static_cast<std::size_t>(n);
  }
  for (;;) {
    if (raw_begin_ == raw_end_ && !raw_eof_) {
      raw_begin_ = raw_end_ = 0;
      ssize_t n = read_some(fd_, raw_.data(), raw_.size());
      if (n < 0) throw DataError(fmt::format("{}: read error: {}", name_, std::strerror(errno)));
      if (n == 0) raw_eof_ = true;
      raw_end_ = static_cast<std::size_t>(n);
    }
    ZSTD_inBuffer in{raw_.data() + raw_begin_, raw_end_ - raw_begin_, 0};
    ZSTD_outBuffer out{dst, cap, 0};
    if (in.size == 0 && raw_eof_) {
      if (!zstd_->frame_done) throw DataError(fmt::format("{}: zstd: truncated compressed input", name_));
      return 0;
    }
    std::size_t rc = ZSTD_decompressStream(zstd_->ctx, &out, &in);
    if (ZSTD_isError(rc)) throw DataError(fmt::format("{}: zstd: {}", name_, ZSTD_getErrorName(rc)));
    raw_begin_ += in.pos;
    if (in.pos > 0 || out.pos > 0) zstd_->frame_done = rc == 0;
    if (out.pos > 0) return out.pos;
  }
}

bool LineReader::refill() {
  if (eof_) return false;
  // Move the unread tail to the front, grow if one line fills the buffer.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kBlock / 2) buf_.resize(buf_.size() * 2);
  std::size_t n = fill_raw(buf_.data() + end_, buf_.size() - end_);
  if (n == 0) {
    eof_ = true;
    return false;
  }
  end_ += n;
  return true;
}

bool LineReader::next(std::string_view& line) {
  std::size_t scan_from = begin_;
  for (;;) {
    if (stop_requested()) return false;
    const char* start = buf_.data() + scan_from;
    const void* nl = std::memchr(start, '\n', end_ - scan_from);
    if (nl != nullptr) {
      const char* line_begin = buf_.data() + begin_;
      std::size_t len = static_cast<const char*>(nl) - line_begin;
      begin_ += len + 1;
      if (len > 0 && line_begin[len - 1] == '\r') --len;
      line = std::string_view(line_begin, len);
      ++line_number_;
      return true;
    }
    std::size_t scanned = end_ - begin_;
    if (!refill()) {
      if (begin_ == end_) return false;
      const char* line_begin = buf_.data() + begin_;
      std::size_t len = end_ - begin_;
      begin_ = end_;
      if (len > 0 && line_begin[len - 1] == '\r') --len;
      line = std::string_view(line_begin, len);
      ++line_number_;
      return true;
    }
    scan_from = begin_ + scanned;
  }
}

MultiLineReader::MultiLineReader(std::vector<std::string> paths) : paths_(std::move(paths)) {
  if (paths_.empty()) paths_.push_back("-");
}

MultiLineReader::~MultiLineReader() = default;

bool MultiLineReader::next(std::string_view& line) {
  for (;;) {
    if (!current_) {
      if (index_ >= paths_.size()) return false;
      current_ = std::make_unique<LineReader>(paths_[index_]);
    }
    if (current_->next(line)) return true;
    if (stop_requested()) return false;
    if (index_ + 1 >= paths_.size()) return false;  // keep the last reader for source()
    ++index_;
    current_.reset();
  }
}

const std::string& MultiLineReader::source() const {
  static const std::string none = "<none>";
  return current_ ? current_->name() : none;
}

std::uint64_t MultiLineReader::line_number() const { return current_ ? current_->line_number() : 0; }

std::string read_text_file(const std::string& path) {
  LineReader reader(path);
  std::string out;
  std::string_view line;
  while (reader.next(line)) {
    out.append(line);
    out.push_back('\n');
  }
  return out;
}

}  // namespace lepton
