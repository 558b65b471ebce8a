// Reading the host into a Snapshot, and turning two consecutive snapshots
// into points. Split so tests can compute exact rates from two fixture trees
// without sleeping.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collect/file.h"
#include "collect/metrics.h"
#include "collect/procfs.h"

namespace lepton::collect::detail {

/// What statvfs(2) says about one file system, in bytes and inodes.
struct FsUsage {
  std::uint64_t size_bytes = 0;   ///< f_blocks * f_frsize
  std::uint64_t free_bytes = 0;   ///< f_bfree * f_frsize (root's reserve included)
  std::uint64_t avail_bytes = 0;  ///< f_bavail * f_frsize (what unprivileged users can still write)
  std::uint64_t files = 0;        ///< f_files (0: the file system has no inode count)
  std::uint64_t files_free = 0;   ///< f_ffree
};

/// statvfs(2) of `path`; false if it fails. Replaceable for tests.
using StatfsFn = std::function<bool(const std::string& path, FsUsage& usage)>;
bool statvfs_usage(const std::string& path, FsUsage& usage);

struct DiskSample {
  std::string name;
  std::string labels;  ///< `,"device":"sda"`
  std::uint64_t reads = 0, read_sectors = 0, writes = 0, write_sectors = 0, io_ticks = 0;
};

struct NetSample {
  std::string name;
  std::string labels;  ///< `,"interface":"eth0"`
  std::uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_drops = 0;
  std::uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_drops = 0;
};

struct FsSample {
  std::string labels;  ///< `,"mount":"/","device":"/dev/sda1","fstype":"ext4"`
  FsUsage usage;
};

struct CgroupSample {
  std::string labels;  ///< `,"cgroup":"/system.slice"`, also the key to the previous sample
  CgroupCpu cpu;
  bool has_cpu = false;
  std::uint64_t mem_current = 0, mem_max = 0;
  bool has_mem_current = false, has_mem_max = false;  ///< has_mem_max is false for "max"
  CgroupIo io;
  bool has_io = false;
};

struct ProcSample {
  int pid = 0;
  std::uint64_t starttime = 0, ticks = 0, rss_pages = 0;
  std::uint8_t comm_len = 0;
  char comm[64] = {};
  std::string_view comm_view() const { return {comm, comm_len}; }
};

/// Everything one sample reads. Containers are reused between samples.
struct Snapshot {
  double mono = 0;  ///< CLOCK_MONOTONIC seconds at the read (rates divide by differences of this)
  bool has_stat = false, has_mem = false, has_load = false;
  bool has_psi[3] = {false, false, false};  ///< cpu, memory, io
  bool has_procs = false;
  StatData stat;
  MemInfo mem;
  LoadAvg load;
  Pressure psi[3];
  Slots<DiskSample> disks;
  Slots<NetSample> nets;
  Slots<FsSample> fs;
  Slots<CgroupSample> cgroups;
  Slots<ProcSample> procs;  ///< sorted by pid
};

struct ReaderOptions {
  std::string root = "/";            ///< where proc/ and sys/ are
  int cgroup_depth = 2;              ///< levels below the cgroup v2 root
  bool read_procs = false;           ///< scan /proc/PID/stat (for --top)
  MetricSet metrics;                 ///< families with no wanted metric are not read
  StatfsFn statfs;                   ///< default: statvfs_usage
  double cgroup_rescan_seconds = 5;  ///< how often to look for new cgroups
};

/// Opens the host's files once and reads them into snapshots.
class HostReader {
 public:
  /// Throws DataError if `root`/proc/stat cannot be read (not a procfs).
  explicit HostReader(ReaderOptions options);
  ~HostReader();
  HostReader(const HostReader&) = delete;
  HostReader& operator=(const HostReader&) = delete;

  /// Reads everything into `s`; `mono` is stored as s.mono.
  void read(Snapshot& s, double mono);

  /// proc/sys/kernel/hostname under the root, else gethostname(2).
  std::string hostname() const;

  /// The cgroup v2 hierarchy in use ("" if there is none).
  const std::string& cgroup_root() const { return cgroup_root_; }

 private:
  struct DiskSlot {
    std::string name;
    bool keep = false;
  };
  struct Mount {
    std::string path;  ///< mount point under the root, for statvfs
    std::string labels;
  };
  struct Cgroup;

  std::string path(std::string_view rel) const { return prefix_ + std::string(rel); }
  void read_disks(Snapshot& s);
  void read_nets(Snapshot& s);
  void read_fs(Snapshot& s);
  void read_cgroups(Snapshot& s, double mono);
  void read_procs(Snapshot& s);
  void load_mounts();
  bool keep_disk(std::string_view name) const;
  void rescan_cgroups();
  void visit_cgroup(int dirfd, std::size_t depth);
  void adopt_cgroup();
  void open_cgroup_files(Cgroup& cg);

  ReaderOptions o_;
  std::string prefix_;  ///< root without a trailing '/' ("" for "/")
  ProcFile stat_, meminfo_, loadavg_, diskstats_, netdev_, mountinfo_;
  ProcFile psi_[3];
  bool want_stat_, want_mem_, want_load_, want_psi_[3], want_disks_, want_fs_, want_nets_, want_cgroups_;
  bool want_cg_cpu_, want_cg_mem_current_, want_cg_mem_max_, want_cg_io_;
  bool have_sys_block_ = false;
  std::vector<DiskSlot> disk_slots_;  ///< by line number of diskstats
  std::vector<Mount> mounts_;
  bool mounts_loaded_ = false;
  std::string cgroup_root_;
  std::vector<std::unique_ptr<Cgroup>> cgroups_;  ///< pre-order, children by name
  std::vector<std::unique_ptr<Cgroup>> scan_new_;
  std::size_t scan_old_pos_ = 0;
  std::string scan_rel_;
  std::vector<std::vector<char>> dents_;              ///< getdents buffer per depth
  std::vector<std::vector<std::string_view>> names_;  ///< child names per depth
  double last_cgroup_scan_ = 0;
  bool cgroups_scanned_ = false;
  int proc_fd_ = -1;
  std::vector<char> proc_dents_;
  std::vector<char> pid_buf_;
  std::vector<int> pids_;
  struct PidFd {
    int pid;
    int fd;
  };
  std::vector<PidFd> pid_fds_, pid_fds_next_;  ///< open proc/PID/stat files, by pid
  std::size_t max_pid_fds_ = 0;
};

/// Receives computed points; `labels` is the entity's JSON fragment (e.g.
/// `,"cpu":"0"`), possibly empty.
class PointSink {
 public:
  virtual ~PointSink() = default;
  virtual void point(Metric m, std::string_view labels, double value) = 0;
};

/// Turns snapshots into points. Gauges come from `cur` alone; counters
/// become per-second rates (or fractions) against `prev`, and are left out
/// when there is no previous sample, when the entity is new, or when a
/// counter went down (a reset or wrap).
class PointBuilder {
 public:
  /// `top`: how many processes to report by CPU (0: none); `clock_ticks`:
  /// USER_HZ; `page_size` in bytes.
  PointBuilder(MetricSet metrics, int top, double clock_ticks, double page_size);

  void build(const Snapshot* prev, const Snapshot& cur, PointSink& sink);

 private:
  void emit(PointSink& sink, Metric m, std::string_view labels, double v) {
    if (metrics_[m]) sink.point(m, labels, v);
  }
  void cpu(const Snapshot* prev, const Snapshot& cur, PointSink& sink);
  void top(const Snapshot& prev, const Snapshot& cur, double dt, PointSink& sink);
  const std::string& cpu_labels(int cpu);

  MetricSet metrics_;
  int top_;
  double clock_ticks_;
  double page_size_;
  std::vector<std::string> cpu_labels_;  ///< [0] total, [i+1] core i
  struct Ranked {
    double cores;
    std::size_t index;
  };
  std::vector<Ranked> ranked_;
  std::string label_buf_;
};

/// Appends `,"name":"value"` to `out`, with bytes that are not valid UTF-8
/// replaced by U+FFFD so the record stays valid JSON.
void append_label(std::string& out, std::string_view name, std::string_view value);

}  // namespace lepton::collect::detail
