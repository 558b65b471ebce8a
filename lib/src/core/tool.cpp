#include "lepton/tool.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/signals.h"

namespace lepton {

std::string_view version() { return LEPTON_VERSION; }

int guarded_main(std::string_view program, const std::function<int()>& body) {
  install_signal_handlers();
  try {
    return body();
  } catch (const BrokenPipe&) {
    return kExitOk;
  } catch (const UsageError& e) {
    fmt::print(stderr, "{}: error: {}\nTry '{} --help' for more information.\n", program, e.what(), program);
    return kExitUsage;
  } catch (const DataError& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return kExitData;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "{}: error: out of memory\n", program);
    return kExitData;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: error: {}\n", program, e.what());
    return kExitData;
  }
}

namespace {

double monotonic_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Columns of the terminal on `fd` (80 if it does not say).
std::size_t terminal_columns(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

Progress::Progress(std::string label, std::uint64_t total, std::FILE* err)
    : label_(std::move(label)),
      total_(total),
      err_(err),
      active_(err != nullptr && err != stdout && ::isatty(::fileno(err)) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(std::uint64_t done, std::uint64_t total) {
  total_ = total;
  update(done);
}

void Progress::update(std::uint64_t done) {
  if (!active_) return;
  const bool end = done >= total_;
  double now = monotonic_now();
  // At most ten drawings a second; the end is shown once without waiting.
  if (now - last_draw_ < 0.1 && !(end && !drew_end_)) return;
  last_draw_ = now;
  drew_end_ = end;
  double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1;
  if (frac > 1) frac = 1;
  // Whole percents, rounded down: 100% only when everything is done.
  int percent = end ? 100 : std::min(99, static_cast<int>(frac * 100));
  std::string counts = fmt::format("{}/{} ({}%)", done, total_, percent);
  // One column short of the terminal's width, so the line never wraps.
  const std::size_t room = terminal_columns(::fileno(err_)) - 1;
  std::size_t fixed = label_.size() + 3 + counts.size();  // "label [" + "] " + counts
  std::string line;
  if (fixed + 5 <= room) {
    std::size_t bar = std::min<std::size_t>(30, room - fixed);
    auto filled = static_cast<std::size_t>(frac * static_cast<double>(bar));
    line = fmt::format("{} [{}{}] {}", label_, std::string(filled, '#'), std::string(bar - filled, ' '), counts);
  } else {
    line = label_ + " " + counts;
    if (line.size() > room) line.resize(room);
  }
  // Pads over a longer line drawn before.
  std::size_t width = line.size();
  if (width < width_) line.append(width_ - width, ' ');
  fmt::print(err_, "\r{}", line);
  std::fflush(err_);
  width_ = std::max(width, width_);
  drawn_ = true;
}

void Progress::finish() {
  if (active_ && drawn_) {
    // Spaces rather than an escape sequence: clears on any terminal.
    fmt::print(err_, "\r{}\r", std::string(width_, ' '));
    std::fflush(err_);
    drawn_ = false;
    width_ = 0;
  }
}

}  // namespace lepton
