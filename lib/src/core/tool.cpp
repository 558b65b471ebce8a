#include "lepton/tool.h"

#include <unistd.h>

#include <exception>
#include <new>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/signals.h"
#include "lepton/time.h"

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

Progress::Progress(std::string label, std::uint64_t total, std::FILE* err)
    : label_(std::move(label)), total_(total), err_(err), active_(::isatty(::fileno(err)) == 1) {}

Progress::~Progress() { finish(); }

void Progress::update(std::uint64_t done) {
  if (!active_) return;
  double now = now_unix();
  if (now - last_draw_ < 0.1 && done < total_) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  double frac = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 0;
  if (frac > 1) frac = 1;
  int filled = static_cast<int>(frac * kWidth);
  fmt::print(err_, "\r{} [{}{}] {}/{} ({:.0f}%)", label_, std::string(static_cast<std::size_t>(filled), '#'),
             std::string(static_cast<std::size_t>(kWidth - filled), ' '), done, total_, frac * 100);
  std::fflush(err_);
  drawn_ = true;
}

void Progress::finish() {
  if (active_ && drawn_) {
    fmt::print(err_, "\r\033[K");
    std::fflush(err_);
    drawn_ = false;
  }
}

}  // namespace lepton
