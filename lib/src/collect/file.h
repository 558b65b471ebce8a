// A procfs/sysfs file kept open and re-read with pread at offset 0, so a
// sample costs one system call per file and no allocation once the buffer
// has grown to the file's size.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace lepton::collect::detail {

class ProcFile {
 public:
  ProcFile() = default;
  explicit ProcFile(std::string path, std::size_t initial_size = 4096) : path_(std::move(path)), cap_(initial_size) {}
  ~ProcFile() { close(); }
  ProcFile(ProcFile&& o) noexcept;
  ProcFile& operator=(ProcFile&& o) noexcept;
  ProcFile(const ProcFile&) = delete;
  ProcFile& operator=(const ProcFile&) = delete;

  /// Opens the file if it is not open yet. False if it cannot be opened
  /// (errno tells why).
  bool open();
  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  void close();

  /// The whole current content (opening the file first if needed). On an
  /// error, such as ENODEV for a removed cgroup, an empty view and ok()
  /// false. The view is valid until the next read().
  std::string_view read();
  bool ok() const { return ok_; }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 4096;
  bool ok_ = false;
};

}  // namespace lepton::collect::detail
