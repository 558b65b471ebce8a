// What every program's main() shares: exit codes from exceptions, signals,
// progress on a terminal.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace lepton {

/// The toolkit version, e.g. "0.1.0".
std::string_view version();

/// Installs the signal handlers, runs `body` and maps what it throws to the
/// documented exit status, printing `<program>: error: <message>` on stderr:
/// DataError and I/O errors give 1, UsageError 2, BrokenPipe ends quietly
/// with 0. The return value of `body` is passed through.
int guarded_main(std::string_view program, const std::function<int()>& body);

/// A one-line progress bar on stderr, drawn only when stderr is a terminal
/// and at most ten times a second; silent otherwise. It never writes to
/// standard output. Not thread-safe: callers on several threads serialise
/// update() themselves (try_lock is enough; skipped updates cost nothing).
class Progress {
 public:
  Progress(std::string label, std::uint64_t total, std::FILE* err = stderr);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  /// Sets the number of units done so far (and the total when given). Draws
  /// if the last drawing is 0.1 s old, or when `done` first reaches the total.
  void update(std::uint64_t done);
  void update(std::uint64_t done, std::uint64_t total);
  /// Clears the bar's line, e.g. before other output reaches the same
  /// terminal and at the end; a later update() draws it again.
  void finish();
  bool active() const { return active_; }

 private:
  std::string label_;
  std::uint64_t total_;
  std::FILE* err_;
  bool active_;
  double last_draw_ = -1e9;  // monotonic seconds of the last drawing
  bool drawn_ = false, drew_end_ = false;
  std::size_t width_ = 0;  // columns of the line drawn
};

}  // namespace lepton
