// Buffered record output to stdout or a file.
#pragma once

#include <string>
#include <string_view>

namespace lepton {

/// Writes all of `data` to `fd`, retrying on EINTR and short writes. EPIPE
/// throws BrokenPipe; other errors throw DataError naming `name`.
void write_fully(int fd, const char* data, std::size_t size, const std::string& name);

/// Writes lines to a file descriptor. Block-buffered by default; flushed
/// after every line when line_buffered is set (the programs set it when
/// stdout is a terminal or with --line-buffered). A closed pipe (EPIPE)
/// throws BrokenPipe; other write errors throw DataError.
class Output {
 public:
  /// Standard output.
  Output();
  /// "-" for standard output, otherwise the file is created or truncated.
  explicit Output(const std::string& path);
  /// An already open descriptor, not closed by the destructor.
  Output(int fd, std::string name);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void set_line_buffered(bool on) { line_buffered_ = on; }
  bool line_buffered() const { return line_buffered_; }

  /// The buffer that the next line is built in (with JsonWriter); finish it
  /// with end_line().
  std::string& buffer() { return buf_; }

  /// Appends '\n' and flushes if line-buffered or the buffer is large.
  void end_line();

  /// Writes `line` plus '\n'.
  void write_line(std::string_view line) {
    buf_.append(line);
    end_line();
  }

  /// Writes raw bytes without a newline (for binary formats such as seal).
  void write_bytes(std::string_view bytes);

  /// Writes out everything buffered.
  void flush();

  /// Whether the destination is a terminal.
  bool is_terminal() const;

  const std::string& name() const { return name_; }

 private:
  int fd_ = 1;
  bool own_fd_ = false;
  bool line_buffered_ = false;
  std::string name_;
  std::string buf_;
};

}  // namespace lepton
