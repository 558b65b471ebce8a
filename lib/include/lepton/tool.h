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
/// and at most ten times a second; silent otherwise.
class Progress {
 public:
  Progress(std::string label, std::uint64_t total, std::FILE* err = stderr);
  ~Progress();
  /// Sets the number of units done so far.
  void update(std::uint64_t done);
  /// Clears the bar.
  void finish();
  bool active() const { return active_; }

 private:
  std::string label_;
  std::uint64_t total_;
  std::FILE* err_;
  bool active_;
  double last_draw_ = 0;
  bool drawn_ = false;
};

}  // namespace lepton
