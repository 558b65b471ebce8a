// Binary byte streams for lepton-seal: sealed files are not text, and
// sign/verify need the exact bytes of every line (LineReader strips '\r').
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::seal {

namespace detail {
/// A byte buffer that is not zero-filled when it grows: large read buffers
/// then cost only the pages actually used.
class RawBuffer {
 public:
  explicit RawBuffer(std::size_t size = 0) : data_(size ? new char[size] : nullptr), size_(size) {}
  char* data() { return data_.get(); }
  const char* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  /// Grows to `size` bytes, keeping the first `keep` bytes.
  void grow(std::size_t size, std::size_t keep);

 private:
  std::unique_ptr<char[]> data_;
  std::size_t size_;
};
}  // namespace detail

/// A source of bytes read in large blocks: a file, stdin or memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Reads up to `cap` bytes into `dst`; returns 0 at the end of input or
  /// when a stop (SIGINT/SIGTERM) was requested. Throws DataError on errors.
  virtual std::size_t read(char* dst, std::size_t cap) = 0;
  /// Waits up to `seconds` (0: just looks) for input to become readable;
  /// true when a read() would not block (data, end of input or a stop).
  virtual bool wait_readable(double seconds) = 0;
  /// Name used in messages: the path or "<stdin>".
  virtual const std::string& name() const = 0;
};

/// A file ("-" is stdin) read with read(2). Throws DataError naming the
/// path and the OS reason when it cannot be opened.
class FdSource : public ByteSource {
 public:
  explicit FdSource(const std::string& path);
  ~FdSource() override;
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;
  std::size_t read(char* dst, std::size_t cap) override;
  bool wait_readable(double seconds) override;
  const std::string& name() const override { return name_; }

 private:
  int fd_ = 0;
  bool own_ = false;
  std::string name_;
};

/// Bytes held in memory (tests, fuzzing). The view must outlive the source.
class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::string_view data, std::string name = "<memory>") : data_(data), name_(std::move(name)) {}
  std::size_t read(char* dst, std::size_t cap) override;
  bool wait_readable(double) override { return true; }
  const std::string& name() const override { return name_; }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
  std::string name_;
};

/// Several inputs read one after the other (rotated logs), each decoded
/// with transparent zstd (input starting with the zstd magic is
/// decompressed). read() returns 0 at the end of each input; advance()
/// moves on to the next one.
class ChainSource : public ByteSource {
 public:
  /// An empty list means stdin.
  explicit ChainSource(std::vector<std::string> paths);
  /// Pre-opened sources (tests); decoded the same way.
  explicit ChainSource(std::vector<std::unique_ptr<ByteSource>> sources);
  ~ChainSource() override;
  std::size_t read(char* dst, std::size_t cap) override;
  bool wait_readable(double seconds) override;
  /// Name of the current input.
  const std::string& name() const override;
  /// Moves to the next input; false when there is none (or on a stop).
  bool advance();
  /// Index of the current input.
  std::size_t current() const { return index_; }
  /// Name of input `i`.
  const std::string& name_of(std::size_t i) const { return names_.at(i); }

 private:
  struct Decoder;
  void open(std::size_t i);
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<ByteSource>> given_;
  std::vector<std::string> names_;
  std::size_t index_ = 0;
  bool started_ = false;
  std::unique_ptr<Decoder> dec_;
};

/// A destination for bytes.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void write(std::string_view bytes) = 0;
  virtual void flush() = 0;
};

/// Writes to a file ("-" is stdout) with write(2): large writes go out
/// directly without a copy, small ones are gathered. A closed pipe throws
/// BrokenPipe; other errors throw DataError naming the file. The file is
/// created (mode 0666 & ~umask) or truncated.
class FdSink : public ByteSink {
 public:
  explicit FdSink(const std::string& path);
  ~FdSink() override;
  FdSink(const FdSink&) = delete;
  FdSink& operator=(const FdSink&) = delete;
  void write(std::string_view bytes) override;
  void flush() override;
  const std::string& name() const { return name_; }

 private:
  int fd_ = 1;
  bool own_ = false;
  std::string name_;
  std::string buf_;
};

/// Collects bytes in a string (tests, fuzzing).
class StringSink : public ByteSink {
 public:
  void write(std::string_view bytes) override { data.append(bytes); }
  void flush() override { ++flushes; }
  std::string data;
  int flushes = 0;
};

/// Reads from a ByteSource through a buffer, handing out contiguous views
/// of a requested size and tracking the absolute offset (for messages).
class BufferedReader {
 public:
  explicit BufferedReader(ByteSource& src, std::size_t block = 1 << 20);
  /// Makes `n` bytes available at data(); returns how many are (fewer
  /// only at the end of input).
  std::size_t fill(std::size_t n);
  /// The available bytes.
  const char* data() const { return buf_.data() + begin_; }
  std::size_t available() const { return end_ - begin_; }
  /// Consumes `n` available bytes.
  void consume(std::size_t n) {
    begin_ += n;
    offset_ += n;
  }
  /// Absolute offset of data() in the input.
  std::uint64_t offset() const { return offset_; }
  /// True when no byte is left.
  bool at_end() { return fill(1) == 0; }
  ByteSource& source() { return src_; }

 private:
  ByteSource& src_;
  detail::RawBuffer buf_;
  std::size_t begin_ = 0, end_ = 0;
  std::size_t block_;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
};

}  // namespace lepton::seal
