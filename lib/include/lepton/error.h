// Errors, exit codes and the --on-error policy shared by every program.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lepton {

/// Exit status of every lepton program. Programs document any extra codes
/// (lepton-detect uses 3 for "an alert fired") in their man pages.
enum ExitCode : int {
  kExitOk = 0,     ///< success
  kExitData = 1,   ///< bad input data or an I/O error
  kExitUsage = 2,  ///< bad command line
  kExitAlert = 3,  ///< lepton-detect --exit-status: an alert fired
};

/// Where a record came from: the input's display name and its 1-based line.
struct Location {
  std::string_view source;
  std::uint64_t line = 0;
};

/// A problem with the data, reported as `<source>:<line>: <problem>; got <value>`.
class DataError : public std::runtime_error {
 public:
  explicit DataError(const std::string& message) : std::runtime_error(message) {}
};

/// A usage error found after argument parsing (e.g. an inconsistent option mix).
class UsageError : public std::runtime_error {
 public:
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
};

/// Thrown by the output layer when the downstream pipe is closed; programs
/// end quietly with status 0 when they catch it.
class BrokenPipe : public std::exception {
 public:
  const char* what() const noexcept override { return "broken pipe"; }
};

/// What to do with a bad record: stop (default) or drop it and count it.
enum class OnError { kFail, kSkip };

/// Parses "fail" or "skip"; throws UsageError otherwise.
OnError parse_on_error(std::string_view text);

/// Formats `<source>:<line>: <problem>; got <excerpt>`; the excerpt of `got`
/// is shortened to a readable length and has control characters escaped.
/// An empty `got` omits the "; got" part.
std::string format_data_error(Location where, std::string_view problem, std::string_view got);

/// Shortens and escapes a piece of input for an error message.
std::string excerpt(std::string_view text, std::size_t max_chars = 60);

/// Reports bad records by the --on-error policy and counts skipped ones.
class Diagnostics {
 public:
  /// `program` is the full program name, e.g. "lepton-collect".
  Diagnostics(std::string program, OnError policy, std::FILE* err = stderr)
      : program_(std::move(program)), policy_(policy), err_(err) {}

  /// A bad record: under kFail throws DataError with the formatted message;
  /// under kSkip counts it and returns normally so the caller drops it.
  void bad_record(Location where, std::string_view problem, std::string_view got = {});

  /// Prints `<program>: warning: <message>` on stderr.
  void warn(std::string_view message) const;

  /// Prints `<program>: error: <message>` on stderr.
  void error(std::string_view message) const;

  /// At the end of a run: reports how many records --on-error=skip dropped.
  void finish() const;

  std::uint64_t skipped() const { return skipped_; }
  OnError policy() const { return policy_; }
  const std::string& program() const { return program_; }
  std::FILE* stream() const { return err_; }

 private:
  std::string program_;
  OnError policy_;
  std::FILE* err_;
  std::uint64_t skipped_ = 0;
};

}  // namespace lepton
