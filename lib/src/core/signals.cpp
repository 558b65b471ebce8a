#include "lepton/signals.h"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <ctime>

namespace lepton {

namespace {
volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) { g_stop = 1; }
}  // namespace

void install_signal_handlers() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, nullptr);

  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;
  sigemptyset(&stop.sa_mask);
  stop.sa_flags = 0;  // no SA_RESTART: interrupt blocking read() and sleeps
  sigaction(SIGINT, &stop, nullptr);
  sigaction(SIGTERM, &stop, nullptr);
}

bool stop_requested() { return g_stop != 0; }
void request_stop() { g_stop = 1; }
void reset_stop() { g_stop = 0; }

bool sleep_until(double unix_seconds) {
  timespec target{};
  double whole = std::floor(unix_seconds);
  target.tv_sec = static_cast<time_t>(whole);
  target.tv_nsec = static_cast<long>((unix_seconds - whole) * 1e9);
  if (target.tv_nsec >= 1000000000L) target.tv_nsec = 999999999L;
  for (;;) {
    if (stop_requested()) return false;
    int rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &target, nullptr);
    if (rc == 0) return !stop_requested();
    if (rc != EINTR) return !stop_requested();
  }
}

}  // namespace lepton
