// SIGPIPE/SIGINT/SIGTERM behaviour shared by every program.
#pragma once

namespace lepton {

/// Ignores SIGPIPE (writes then fail with EPIPE, which the output layer turns
/// into a quiet exit) and installs SIGINT/SIGTERM handlers that only set a
/// flag, without SA_RESTART, so blocking reads and sleeps return early.
/// Programs check stop_requested() between records and finish cleanly.
void install_signal_handlers();

/// True once SIGINT or SIGTERM arrived.
bool stop_requested();

/// Sets the stop flag by hand (tests, and programs that stop on their own).
void request_stop();

/// Clears the stop flag (tests).
void reset_stop();

/// Sleeps until the absolute CLOCK_REALTIME time `unix_seconds`, returning
/// early (false) if a stop is requested meanwhile.
bool sleep_until(double unix_seconds);

}  // namespace lepton
