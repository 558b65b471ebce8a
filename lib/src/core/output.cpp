#include "lepton/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "lepton/error.h"

namespace lepton {

namespace {
constexpr std::size_t kFlushAt = 256 * 1024;
}

Output::Output() : name_("<stdout>") { buf_.reserve(kFlushAt + 4096); }

Output::Output(const std::string& path) : Output() {
  if (path == "-") return;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw DataError(fmt::format("{}: cannot create: {}", path, std::strerror(errno)));
  own_fd_ = true;
  name_ = path;
}

Output::Output(int fd, std::string name) : Output() {
  fd_ = fd;
  name_ = std::move(name);
}

Output::~Output() {
  try {
    flush();
  } catch (...) {
    // Destructors must not throw; callers flush explicitly to see errors.
  }
  if (own_fd_) ::close(fd_);
}

void Output::end_line() {
  buf_.push_back('\n');
  if (line_buffered_ || buf_.size() >= kFlushAt) flush();
}

void Output::write_bytes(std::string_view bytes) {
  buf_.append(bytes);
  if (line_buffered_ || buf_.size() >= kFlushAt) flush();
}

void Output::flush() {
  if (buf_.empty()) return;
  try {
    write_fully(fd_, buf_.data(), buf_.size(), name_);
  } catch (...) {
    buf_.clear();  // nothing left to re-send when the destructor flushes
    throw;
  }
  buf_.clear();
}

void write_fully(int fd, const char* data, std::size_t size, const std::string& name) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE) throw BrokenPipe();
      throw DataError(fmt::format("{}: write error: {}", name, std::strerror(errno)));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

bool Output::is_terminal() const { return ::isatty(fd_) == 1; }

}  // namespace lepton
