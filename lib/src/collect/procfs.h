// Parsers for the procfs, sysfs and cgroup v2 files the sampler reads. Each
// takes the file's text and fills a plain struct; none allocates once its
// output containers have reached their steady size. Missing or malformed
// fields read as zero; the functions return false only when the text is not
// the expected file at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::collect::detail {

/// A vector whose elements are reused from sample to sample: clear() keeps
/// the elements (and their strings' capacity), add() hands out the next one.
template <typename T>
class Slots {
 public:
  void clear() { n_ = 0; }
  T& add() {
    if (n_ == items_.size()) items_.emplace_back();
    return items_[n_++];
  }
  void drop_last() { --n_; }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  T& operator[](std::size_t i) { return items_[i]; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T* begin() { return items_.data(); }
  T* end() { return items_.data() + n_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + n_; }

 private:
  std::vector<T> items_;
  std::size_t n_ = 0;
};

/// One `cpu` line of /proc/stat, in clock ticks (USER_HZ).
struct CpuTimes {
  int cpu = -1;  ///< -1 for the `cpu` total line, else the core number
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
};

/// /proc/stat.
struct StatData {
  Slots<CpuTimes> cpus;  ///< the total first, then the cores present
  std::uint64_t ctxt = 0, intr = 0, forks = 0, running = 0, blocked = 0;
  bool has_ctxt = false, has_intr = false, has_forks = false, has_running = false, has_blocked = false;
};
bool parse_stat(std::string_view text, StatData& out);

/// /proc/meminfo, in bytes.
struct MemInfo {
  std::uint64_t total = 0, free = 0, available = 0, buffers = 0, cached = 0, swap_total = 0, swap_free = 0;
  bool has_total = false, has_available = false, has_free = false, has_buffers = false, has_cached = false,
       has_swap = false;
};
bool parse_meminfo(std::string_view text, MemInfo& out);

/// /proc/loadavg.
struct LoadAvg {
  double load1 = 0, load5 = 0, load15 = 0;
  std::uint64_t tasks = 0;  ///< the number after '/': tasks (processes and threads) that exist
};
bool parse_loadavg(std::string_view text, LoadAvg& out);

/// /proc/pressure/{cpu,memory,io}: the avg10 values as fractions (the
/// kernel prints percentages).
struct Pressure {
  double some_avg10 = 0, full_avg10 = 0;
  bool has_some = false, has_full = false;
};
bool parse_pressure(std::string_view text, Pressure& out);

/// One line of /proc/diskstats (sectors are 512 bytes, io_ticks in ms).
struct DiskLine {
  std::string_view name;
  std::uint64_t reads = 0, read_sectors = 0, writes = 0, write_sectors = 0, io_ticks = 0;
};
/// Calls `fn(const DiskLine&)` for each device line; false if none parse.
template <typename Fn>
bool parse_diskstats(std::string_view text, Fn&& fn);

/// One interface of /proc/net/dev.
struct NetLine {
  std::string_view name;
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
};
template <typename Fn>
bool parse_net_dev(std::string_view text, Fn&& fn);

/// One line of /proc/PID/mountinfo, with octal escapes (\040) decoded.
struct MountEntry {
  std::string mount_point;
  std::string fstype;
  std::string source;
};
std::vector<MountEntry> parse_mountinfo(std::string_view text);

/// A cgroup v2 cpu.stat. The nr_periods/nr_throttled/throttled_usec lines
/// exist only where the cpu controller is enabled.
struct CgroupCpu {
  std::uint64_t usage_usec = 0, nr_periods = 0, nr_throttled = 0, throttled_usec = 0;
  bool has_usage = false, has_throttling = false;
};
bool parse_cgroup_cpu_stat(std::string_view text, CgroupCpu& out);

/// A cgroup v2 io.stat, summed over devices.
struct CgroupIo {
  std::uint64_t rbytes = 0, wbytes = 0;
};
bool parse_cgroup_io_stat(std::string_view text, CgroupIo& out);

/// A single number (memory.current); false if the text is not one.
bool parse_single_u64(std::string_view text, std::uint64_t& out);

/// memory.max: a number, or "max" (unlimited: returns true, `limited` false).
bool parse_memory_max(std::string_view text, std::uint64_t& out, bool& limited);

/// The fields of /proc/PID/stat that --top uses.
struct PidStat {
  std::string_view comm;        ///< between the parentheses (may hold spaces or ')')
  std::uint64_t ticks = 0;      ///< utime + stime, clock ticks
  std::uint64_t starttime = 0;  ///< clock ticks after boot
  std::uint64_t rss_pages = 0;
};
bool parse_pid_stat(std::string_view text, PidStat& out);

/// True for file system types that hold no user data (proc, sysfs, cgroup,
/// ...) or are read-only images that are always full (squashfs, iso9660).
bool is_pseudo_fstype(std::string_view fstype);

}  // namespace lepton::collect::detail

#include "collect/procfs-inl.h"
