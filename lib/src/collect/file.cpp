#include "collect/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace lepton::collect::detail {

ProcFile::ProcFile(ProcFile&& o) noexcept
    : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), buf_(std::move(o.buf_)), cap_(o.cap_), ok_(o.ok_) {}

ProcFile& ProcFile::operator=(ProcFile&& o) noexcept {
  if (this != &o) {
    close();
    path_ = std::move(o.path_);
    fd_ = std::exchange(o.fd_, -1);
    buf_ = std::move(o.buf_);
    cap_ = o.cap_;
    ok_ = o.ok_;
  }
  return *this;
}

bool ProcFile::open() {
  if (fd_ >= 0) return true;
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  return fd_ >= 0;
}

void ProcFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string_view ProcFile::read() {
  ok_ = false;
  if (!open()) return {};
  if (!buf_) buf_ = std::make_unique<char[]>(cap_);
  for (;;) {
    ssize_t n = ::pread(fd_, buf_.get(), cap_, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return {};
    }
    // seq_file fills the whole buffer when there is more, so a full buffer
    // means "maybe truncated": grow and read again from the start, which
    // keeps the content one consistent snapshot.
    if (static_cast<std::size_t>(n) < cap_) {
      ok_ = true;
      return {buf_.get(), static_cast<std::size_t>(n)};
    }
    cap_ *= 2;
    buf_ = std::make_unique<char[]>(cap_);
  }
}

}  // namespace lepton::collect::detail
