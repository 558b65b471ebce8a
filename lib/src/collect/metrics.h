// The host metrics lepton-collect emits: one table of names and units, and
// the --metrics filter over it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::collect::detail {

// X(enumerator, name, unit). Keep in step with HOST METRICS in
// man/lepton-collect.1.md.
#define LEPTON_COLLECT_METRICS(X)                                     \
  X(kCpuUtil, "cpu.util", "fraction")                                 \
  X(kCpuUser, "cpu.user", "fraction")                                 \
  X(kCpuSystem, "cpu.system", "fraction")                             \
  X(kCpuIowait, "cpu.iowait", "fraction")                             \
  X(kCpuSteal, "cpu.steal", "fraction")                               \
  X(kCpuIdle, "cpu.idle", "fraction")                                 \
  X(kCpuCtxt, "cpu.context_switches_per_s", "1/s")                    \
  X(kCpuIntr, "cpu.interrupts_per_s", "1/s")                          \
  X(kMemTotal, "mem.total_bytes", "bytes")                            \
  X(kMemAvailable, "mem.available_bytes", "bytes")                    \
  X(kMemUsedFrac, "mem.used_frac", "fraction")                        \
  X(kMemFree, "mem.free_bytes", "bytes")                              \
  X(kMemCached, "mem.cached_bytes", "bytes")                          \
  X(kMemBuffers, "mem.buffers_bytes", "bytes")                        \
  X(kMemSwapTotal, "mem.swap_total_bytes", "bytes")                   \
  X(kMemSwapUsed, "mem.swap_used_bytes", "bytes")                     \
  X(kLoad1, "load.1m", "tasks")                                       \
  X(kLoad5, "load.5m", "tasks")                                       \
  X(kLoad15, "load.15m", "tasks")                                     \
  X(kPsiCpuSome, "psi.cpu.some_avg10", "fraction")                    \
  X(kPsiCpuFull, "psi.cpu.full_avg10", "fraction")                    \
  X(kPsiMemSome, "psi.memory.some_avg10", "fraction")                 \
  X(kPsiMemFull, "psi.memory.full_avg10", "fraction")                 \
  X(kPsiIoSome, "psi.io.some_avg10", "fraction")                      \
  X(kPsiIoFull, "psi.io.full_avg10", "fraction")                      \
  X(kProcRunning, "proc.running", "tasks")                            \
  X(kProcBlocked, "proc.blocked", "tasks")                            \
  X(kProcTotal, "proc.total", "tasks")                                \
  X(kProcForks, "proc.forks_per_s", "1/s")                            \
  X(kDiskReadBytes, "disk.read_bytes_per_s", "bytes/s")               \
  X(kDiskWriteBytes, "disk.write_bytes_per_s", "bytes/s")             \
  X(kDiskReads, "disk.reads_per_s", "1/s")                            \
  X(kDiskWrites, "disk.writes_per_s", "1/s")                          \
  X(kDiskBusy, "disk.busy_frac", "fraction")                          \
  X(kFsUsedFrac, "fs.used_frac", "fraction")                          \
  X(kFsFreeInodes, "fs.free_inodes", "inodes")                        \
  X(kFsSize, "fs.size_bytes", "bytes")                                \
  X(kFsAvail, "fs.avail_bytes", "bytes")                              \
  X(kNetRxBytes, "net.rx_bytes_per_s", "bytes/s")                     \
  X(kNetTxBytes, "net.tx_bytes_per_s", "bytes/s")                     \
  X(kNetRxPackets, "net.rx_packets_per_s", "1/s")                     \
  X(kNetTxPackets, "net.tx_packets_per_s", "1/s")                     \
  X(kNetRxErrors, "net.rx_errors_per_s", "1/s")                       \
  X(kNetTxErrors, "net.tx_errors_per_s", "1/s")                       \
  X(kNetRxDrops, "net.rx_drops_per_s", "1/s")                         \
  X(kNetTxDrops, "net.tx_drops_per_s", "1/s")                         \
  X(kCgCpuUsage, "cgroup.cpu.usage", "cores")                         \
  X(kCgCpuThrottledFrac, "cgroup.cpu.throttled_frac", "fraction")     \
  X(kCgCpuThrottledTime, "cgroup.cpu.throttled_seconds_per_s", "s/s") \
  X(kCgMemCurrent, "cgroup.mem.current_bytes", "bytes")               \
  X(kCgMemMax, "cgroup.mem.max_bytes", "bytes")                       \
  X(kCgIoRead, "cgroup.io.read_bytes_per_s", "bytes/s")               \
  X(kCgIoWrite, "cgroup.io.write_bytes_per_s", "bytes/s")             \
  X(kTopCpu, "proc.cpu", "cores")                                     \
  X(kTopRss, "proc.rss_bytes", "bytes")

enum class Metric : std::uint8_t {
#define LEPTON_COLLECT_ENUM(e, name, unit) e,
  LEPTON_COLLECT_METRICS(LEPTON_COLLECT_ENUM)
#undef LEPTON_COLLECT_ENUM
      kCount
};

inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::kCount);

/// The metric's name, e.g. "cpu.util".
std::string_view metric_name(Metric m);

/// Which metrics to emit: all, or those matching one of the --metrics globs.
class MetricSet {
 public:
  /// All metrics.
  MetricSet() { on_.fill(true); }
  /// Metrics whose names match one of `globs` (fnmatch(3) patterns: `*`,
  /// `?`, `[...]`); empty = all. Throws UsageError for a glob that matches
  /// no metric, so a typo does not silently produce nothing.
  explicit MetricSet(const std::vector<std::string>& globs);

  bool operator[](Metric m) const { return on_[static_cast<std::size_t>(m)]; }
  void set(Metric m, bool on) { on_[static_cast<std::size_t>(m)] = on; }
  /// True if any metric in [first, last] is on.
  bool any(Metric first, Metric last) const;

 private:
  std::array<bool, kMetricCount> on_{};
};

}  // namespace lepton::collect::detail
