// Line-oriented input from files or stdin, with transparent zstd.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lepton {

/// Reads one input (a path, or "-" for stdin) line by line with large
/// buffered reads. Input that starts with the zstd frame magic is
/// decompressed on the fly (concatenated frames are fine). Lines are handed
/// out as views into an internal buffer that stay valid until the next call;
/// a trailing '\r' is removed and a last line without '\n' is still a line.
class LineReader {
 public:
  /// Opens `path` ("-" means stdin). Throws DataError naming the path and the
  /// OS reason if it cannot be opened.
  explicit LineReader(const std::string& path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// Next line without its terminator; false at end of input or when a stop
  /// was requested (see signals.h). Throws DataError on read or zstd errors.
  bool next(std::string_view& line);

  /// 1-based number of the line last returned.
  std::uint64_t line_number() const { return line_number_; }

  /// Display name used in messages: the path, or "<stdin>".
  const std::string& name() const { return name_; }

  /// Whether the input was zstd-compressed.
  bool compressed() const { return zstd_ != nullptr; }

 private:
  std::size_t fill_raw(char* dst, std::size_t cap);  // reads bytes, decompressing
  bool refill();

  std::string name_;
  int fd_ = -1;
  bool own_fd_ = false;
  bool eof_ = false;
  std::vector<char> buf_;
  std::size_t begin_ = 0;  // start of unread data in buf_
  std::size_t end_ = 0;    // end of valid data in buf_
  std::uint64_t line_number_ = 0;

  struct Zstd;
  std::unique_ptr<Zstd> zstd_;
  std::vector<char> raw_;  // compressed bytes awaiting decompression
  std::size_t raw_begin_ = 0, raw_end_ = 0;
  bool raw_eof_ = false;
  bool sniffed_ = false;
};

/// Iterates over several inputs in order (an empty list means stdin), giving
/// each line with its location.
class MultiLineReader {
 public:
  explicit MultiLineReader(std::vector<std::string> paths);
  ~MultiLineReader();

  /// Next line of the current input, moving on to the next input at its end.
  bool next(std::string_view& line);
  /// Name of the input the last line came from.
  const std::string& source() const;
  /// 1-based line number of the last line within its input.
  std::uint64_t line_number() const;

 private:
  std::vector<std::string> paths_;
  std::size_t index_ = 0;
  std::unique_ptr<LineReader> current_;
};

/// Reads a whole text file ("-" for stdin), decompressing zstd, with line
/// endings normalised to '\n'; for small inputs such as node inventories.
std::string read_text_file(const std::string& path);

}  // namespace lepton
