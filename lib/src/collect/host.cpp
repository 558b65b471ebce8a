#include "collect/host.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/json.h"

namespace lepton::collect::detail {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c = b(i);
  std::size_t left = s.size() - i;
  auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (c == 0xED && b(i + 1) > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;
    if (c == 0xF4 && b(i + 1) > 0x8F) return 0;
    return 4;
  }
  return 0;
}

bool under_dir(std::string_view path, std::string_view dir) {
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// Component-wise path order ('/' sorts before every other byte): the order
// of a pre-order walk that visits children sorted by name.
bool path_less(std::string_view a, std::string_view b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    unsigned ca = a[i] == '/' ? 0U : static_cast<unsigned char>(a[i]) + 1U;
    unsigned cb = b[i] == '/' ? 0U : static_cast<unsigned char>(b[i]) + 1U;
    if (ca != cb) return ca < cb;
  }
  return a.size() < b.size();
}

// Reads all entries of directory `fd` into `buf`; returns the bytes used.
std::size_t read_dents(int fd, std::vector<char>& buf) {
  if (buf.size() < 32768) buf.resize(32768);
  std::size_t used = 0;
  for (;;) {
    if (buf.size() - used < 4096) buf.resize(buf.size() * 2);
    ssize_t n = getdents64(fd, buf.data() + used, buf.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
  }
  return used;
}

template <typename Fn>
void for_each_dent(const std::vector<char>& buf, std::size_t used, Fn&& fn) {
  for (std::size_t off = 0; off < used;) {
    const auto* d = reinterpret_cast<const dirent64*>(buf.data() + off);
    if (d->d_reclen == 0) break;
    off += d->d_reclen;
    std::string_view name(d->d_name);
    if (name == "." || name == "..") continue;
    fn(name, d->d_type);
  }
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

void append_label(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(',');
  append_json_string(out, name);
  out.push_back(':');
  std::size_t i = 0;
  while (i < value.size()) {
    std::size_t n = utf8_length(value, i);
    if (n == 0) break;
    i += n;
  }
  if (i == value.size()) {
    append_json_string(out, value);
    return;
  }
  std::string fixed;  // rare: kernel names are ASCII in practice
  for (i = 0; i < value.size();) {
    std::size_t n = utf8_length(value, i);
    if (n == 0) {
      fixed.append("\xEF\xBF\xBD");
      ++i;
    } else {
      fixed.append(value.substr(i, n));
      i += n;
    }
  }
  append_json_string(out, fixed);
}

bool statvfs_usage(const std::string& path, FsUsage& u) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) return false;
  std::uint64_t unit = st.f_frsize != 0 ? st.f_frsize : st.f_bsize;
  u.size_bytes = static_cast<std::uint64_t>(st.f_blocks) * unit;
  u.free_bytes = static_cast<std::uint64_t>(st.f_bfree) * unit;
  u.avail_bytes = static_cast<std::uint64_t>(st.f_bavail) * unit;
  u.files = st.f_files;
  u.files_free = st.f_ffree;
  return true;
}

// ---------------------------------------------------------------------------
// HostReader

struct HostReader::Cgroup {
  std::string rel;  // "/" or "/system.slice/ssh.service"
  std::string labels;
  ProcFile cpu, mem_current, mem_max, io;
  bool alive = true;
};

HostReader::HostReader(ReaderOptions options) : o_(std::move(options)) {
  prefix_ = o_.root;
  while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
  if (!o_.statfs) o_.statfs = statvfs_usage;
  const MetricSet& m = o_.metrics;
  want_stat_ = m.any(Metric::kCpuUtil, Metric::kCpuIntr) || m[Metric::kProcRunning] || m[Metric::kProcBlocked] ||
               m[Metric::kProcForks];
  want_mem_ = m.any(Metric::kMemTotal, Metric::kMemSwapUsed);
  want_load_ = m.any(Metric::kLoad1, Metric::kLoad15) || m[Metric::kProcTotal];
  want_psi_[0] = m.any(Metric::kPsiCpuSome, Metric::kPsiCpuFull);
  want_psi_[1] = m.any(Metric::kPsiMemSome, Metric::kPsiMemFull);
  want_psi_[2] = m.any(Metric::kPsiIoSome, Metric::kPsiIoFull);
  want_disks_ = m.any(Metric::kDiskReadBytes, Metric::kDiskBusy);
  want_fs_ = m.any(Metric::kFsUsedFrac, Metric::kFsAvail);
  want_nets_ = m.any(Metric::kNetRxBytes, Metric::kNetTxDrops);
  want_cg_cpu_ = m.any(Metric::kCgCpuUsage, Metric::kCgCpuThrottledTime);
  want_cg_mem_current_ = m[Metric::kCgMemCurrent];
  want_cg_mem_max_ = m[Metric::kCgMemMax];
  want_cg_io_ = m.any(Metric::kCgIoRead, Metric::kCgIoWrite);
  want_cgroups_ = want_cg_cpu_ || want_cg_mem_current_ || want_cg_mem_max_ || want_cg_io_;

  // proc/stat is what makes the root a host: without it, stop with a clear error.
  stat_ = ProcFile(path("/proc/stat"), 16384);
  if (!stat_.open())
    throw DataError(
        fmt::format("{}: cannot open: {} (--root must hold the host's proc/)", stat_.path(), std::strerror(errno)));
  meminfo_ = ProcFile(path("/proc/meminfo"));
  loadavg_ = ProcFile(path("/proc/loadavg"), 256);
  diskstats_ = ProcFile(path("/proc/diskstats"), 16384);
  const char* psi_names[3] = {"/proc/pressure/cpu", "/proc/pressure/memory", "/proc/pressure/io"};
  for (int i = 0; i < 3; ++i) psi_[i] = ProcFile(path(psi_names[i]), 256);

  // Under another root (a container looking at the host), process 1 sees the
  // host's mounts and network; "self" would be this container's.
  auto first_readable = [&](std::initializer_list<const char*> rels, std::size_t size) {
    for (const char* rel : rels) {
      ProcFile f(path(rel), size);
      if (f.open()) return f;
    }
    return ProcFile(path(*rels.begin()), size);
  };
  if (prefix_.empty()) {
    netdev_ = ProcFile("/proc/net/dev", 8192);
    mountinfo_ = ProcFile("/proc/self/mountinfo", 16384);
  } else {
    netdev_ = first_readable({"/proc/1/net/dev", "/proc/net/dev"}, 8192);
    mountinfo_ = first_readable({"/proc/1/mountinfo", "/proc/self/mountinfo"}, 16384);
  }

  // Optional files are opened once; what a kernel lacks stays closed and is skipped.
  if (want_mem_) meminfo_.open();
  if (want_load_) loadavg_.open();
  for (int i = 0; i < 3; ++i)
    if (want_psi_[i]) psi_[i].open();
  if (want_disks_) diskstats_.open();
  if (want_nets_) netdev_.open();
  if (want_fs_ || want_cgroups_) mountinfo_.open();
  have_sys_block_ = ::access(path("/sys/block").c_str(), F_OK) == 0;
  if (o_.read_procs) {
    proc_fd_ = ::open(path("/proc").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    pid_buf_.resize(4096);
    // Keep at most half of the descriptors left for per-process files.
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur > 256)
      max_pid_fds_ = std::min<std::size_t>((lim.rlim_cur - 256) / 2, 16384);
  }
}

HostReader::~HostReader() {
  for (const PidFd& p : pid_fds_) ::close(p.fd);
  if (proc_fd_ >= 0) ::close(proc_fd_);
}

std::string HostReader::hostname() const {
  ProcFile f(path("/proc/sys/kernel/hostname"), 256);
  std::string_view text = f.read();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (f.ok() && !text.empty()) return std::string(text);
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) == 0) return buf;
  return "localhost";
}

namespace {
// Reads an optional file that was opened at start; a file that cannot be
// read (e.g. PSI disabled at boot gives EOPNOTSUPP) is closed for good.
std::string_view read_optional(ProcFile& f) {
  if (!f.is_open()) return {};
  std::string_view text = f.read();
  if (!f.ok()) f.close();
  return text;
}
}  // namespace

void HostReader::read(Snapshot& s, double mono) {
  s.mono = mono;
  s.has_stat = false;
  if (want_stat_) {
    std::string_view text = stat_.read();
    s.has_stat = stat_.ok() && parse_stat(text, s.stat);
  }
  s.has_mem = false;
  if (want_mem_) {
    std::string_view text = read_optional(meminfo_);
    s.has_mem = !text.empty() && parse_meminfo(text, s.mem);
  }
  s.has_load = false;
  if (want_load_) {
    std::string_view text = read_optional(loadavg_);
    s.has_load = !text.empty() && parse_loadavg(text, s.load);
  }
  for (int i = 0; i < 3; ++i) {
    s.has_psi[i] = false;
    if (!want_psi_[i]) continue;
    std::string_view text = read_optional(psi_[i]);
    s.has_psi[i] = !text.empty() && parse_pressure(text, s.psi[i]);
  }
  read_disks(s);
  read_nets(s);
  if ((want_fs_ || want_cgroups_) && mountinfo_.is_open()) {
    // The kernel flags a changed mount table with POLLPRI on mountinfo.
    pollfd pfd{mountinfo_.fd(), POLLPRI, 0};
    bool changed = ::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLPRI | POLLERR)) != 0;
    if (changed || !mounts_loaded_) load_mounts();
  }
  read_fs(s);
  read_cgroups(s, mono);
  read_procs(s);
}

bool HostReader::keep_disk(std::string_view name) const {
  // Loop and RAM disks mirror other storage; floppies are not worth a series.
  if (name.starts_with("loop") || name.starts_with("ram")) return false;
  if (name.size() > 2 && name.starts_with("fd") && name[2] >= '0' && name[2] <= '9') return false;
  // Whole disks are listed in sys/block; partitions are not.
  if (!have_sys_block_) return true;
  std::string p = path("/sys/block/");
  for (char c : name) p.push_back(c == '/' ? '!' : c);
  return ::access(p.c_str(), F_OK) == 0;
}

void HostReader::read_disks(Snapshot& s) {
  s.disks.clear();
  if (!want_disks_) return;
  std::string_view text = read_optional(diskstats_);
  std::size_t line = 0;
  parse_diskstats(text, [&](const DiskLine& d) {
    if (line == disk_slots_.size()) disk_slots_.emplace_back();
    DiskSlot& slot = disk_slots_[line++];
    if (slot.name != d.name) {
      slot.name.assign(d.name);
      slot.keep = keep_disk(d.name);
    }
    if (!slot.keep) return;
    DiskSample& e = s.disks.add();
    if (e.name != d.name || e.labels.empty()) {
      e.name.assign(d.name);
      e.labels.clear();
      append_label(e.labels, "device", d.name);
    }
    e.reads = d.reads;
    e.read_sectors = d.read_sectors;
    e.writes = d.writes;
    e.write_sectors = d.write_sectors;
    e.io_ticks = d.io_ticks;
  });
}

void HostReader::read_nets(Snapshot& s) {
  s.nets.clear();
  if (!want_nets_) return;
  std::string_view text = read_optional(netdev_);
  parse_net_dev(text, [&](const NetLine& d) {
    NetSample& e = s.nets.add();
    if (e.name != d.name || e.labels.empty()) {
      e.name.assign(d.name);
      e.labels.clear();
      append_label(e.labels, "interface", d.name);
    }
    e.rx_bytes = d.rx_bytes;
    e.rx_packets = d.rx_packets;
    e.rx_errors = d.rx_errors;
    e.rx_drops = d.rx_drops;
    e.tx_bytes = d.tx_bytes;
    e.tx_packets = d.tx_packets;
    e.tx_errors = d.tx_errors;
    e.tx_drops = d.tx_drops;
  });
}

void HostReader::load_mounts() {
  mounts_loaded_ = true;
  std::string_view text = mountinfo_.read();
  std::vector<MountEntry> entries;
  if (mountinfo_.ok()) entries = parse_mountinfo(text);
  mounts_.clear();
  std::string cgroup_root;
  for (const auto& e : entries) {
    if (e.fstype == "cgroup2" && cgroup_root.empty()) cgroup_root = path(e.mount_point);
    if (is_pseudo_fstype(e.fstype) || under_dir(e.mount_point, "/proc") || under_dir(e.mount_point, "/sys")) continue;
    Mount m;
    m.path = path(e.mount_point);
    // A later mount on the same point hides the earlier one.
    std::erase_if(mounts_, [&](const Mount& x) { return x.path == m.path; });
    append_label(m.labels, "mount", e.mount_point);
    append_label(m.labels, "device", e.source);
    append_label(m.labels, "fstype", e.fstype);
    mounts_.push_back(std::move(m));
  }
  if (cgroup_root != cgroup_root_) {
    cgroup_root_ = cgroup_root;
    cgroups_.clear();
    cgroups_scanned_ = false;
  }
}

void HostReader::read_fs(Snapshot& s) {
  s.fs.clear();
  if (!want_fs_) return;
  for (const Mount& m : mounts_) {
    FsSample& e = s.fs.add();
    if (!o_.statfs(m.path, e.usage) || e.usage.size_bytes == 0) {
      s.fs.drop_last();  // unreachable under this root, or an empty pseudo fs
      continue;
    }
    e.labels.assign(m.labels);
  }
}

void HostReader::open_cgroup_files(Cgroup& cg) {
  if (want_cg_cpu_) cg.cpu.open();
  if (want_cg_mem_current_) cg.mem_current.open();
  if (want_cg_mem_max_) cg.mem_max.open();
  if (want_cg_io_) cg.io.open();
}

void HostReader::adopt_cgroup() {
  // Old and new lists are in the same order, so matching is a merge.
  while (scan_old_pos_ < cgroups_.size() &&
         (!cgroups_[scan_old_pos_] || path_less(cgroups_[scan_old_pos_]->rel, scan_rel_)))
    ++scan_old_pos_;
  std::unique_ptr<Cgroup> node;
  if (scan_old_pos_ < cgroups_.size() && cgroups_[scan_old_pos_]->rel == scan_rel_ && cgroups_[scan_old_pos_]->alive) {
    node = std::move(cgroups_[scan_old_pos_++]);
  } else {
    node = std::make_unique<Cgroup>();
    node->rel = scan_rel_;
    append_label(node->labels, "cgroup", scan_rel_);
    std::string dir = cgroup_root_ + (scan_rel_ == "/" ? std::string() : scan_rel_) + "/";
    node->cpu = ProcFile(dir + "cpu.stat", 512);
    node->mem_current = ProcFile(dir + "memory.current", 64);
    node->mem_max = ProcFile(dir + "memory.max", 64);
    node->io = ProcFile(dir + "io.stat", 1024);
  }
  // Controllers can be enabled later, so missing files are tried again.
  open_cgroup_files(*node);
  scan_new_.push_back(std::move(node));
}

void HostReader::visit_cgroup(int dirfd, std::size_t depth) {
  adopt_cgroup();
  if (depth >= static_cast<std::size_t>(o_.cgroup_depth)) return;
  if (dents_.size() <= depth) {
    dents_.resize(depth + 1);
    names_.resize(depth + 1);
  }
  std::size_t used = read_dents(dirfd, dents_[depth]);
  auto& names = names_[depth];
  names.clear();
  for_each_dent(dents_[depth], used, [&](std::string_view name, unsigned char type) {
    if (type == DT_DIR) {
      names.push_back(name);
    } else if (type == DT_UNKNOWN) {
      struct stat st {};
      // name comes from a dirent, so it is NUL-terminated in the buffer.
      if (::fstatat(dirfd, name.data(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) names.push_back(name);
    }
  });
  std::sort(names.begin(), names.end());
  for (std::string_view name : names) {
    int fd = ::openat(dirfd, name.data(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    std::size_t len = scan_rel_.size();
    if (len > 1) scan_rel_.push_back('/');
    scan_rel_.append(name);
    visit_cgroup(fd, depth + 1);
    ::close(fd);
    scan_rel_.resize(len);
  }
}

void HostReader::rescan_cgroups() {
  scan_new_.clear();
  scan_old_pos_ = 0;
  int fd = ::open(cgroup_root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    scan_rel_.assign("/");
    visit_cgroup(fd, 0);
    ::close(fd);
  }
  cgroups_.swap(scan_new_);
  scan_new_.clear();  // cgroups that are gone, and the moved-from slots
}

void HostReader::read_cgroups(Snapshot& s, double mono) {
  s.cgroups.clear();
  if (!want_cgroups_ || cgroup_root_.empty()) return;
  if (!cgroups_scanned_ || mono - last_cgroup_scan_ >= o_.cgroup_rescan_seconds) {
    rescan_cgroups();
    cgroups_scanned_ = true;
    last_cgroup_scan_ = mono;
  }
  for (auto& cg : cgroups_) {
    if (!cg->alive) continue;
    CgroupSample& e = s.cgroups.add();
    e.labels.assign(cg->labels);
    e.has_cpu = e.has_mem_current = e.has_mem_max = e.has_io = false;
    bool gone = false;
    if (cg->cpu.is_open()) {
      std::string_view t = cg->cpu.read();
      gone |= !cg->cpu.ok();
      e.has_cpu = cg->cpu.ok() && parse_cgroup_cpu_stat(t, e.cpu);
    }
    if (cg->mem_current.is_open()) {
      std::string_view t = cg->mem_current.read();
      gone |= !cg->mem_current.ok();
      e.has_mem_current = cg->mem_current.ok() && parse_single_u64(t, e.mem_current);
    }
    if (cg->mem_max.is_open()) {
      std::string_view t = cg->mem_max.read();
      gone |= !cg->mem_max.ok();
      bool limited = false;
      e.has_mem_max = cg->mem_max.ok() && parse_memory_max(t, e.mem_max, limited) && limited;
    }
    if (cg->io.is_open()) {
      std::string_view t = cg->io.read();
      gone |= !cg->io.ok();
      e.has_io = cg->io.ok() && parse_cgroup_io_stat(t, e.io);
    }
    if (gone) {  // removed (ENODEV): the next scan drops it
      cg->alive = false;
      s.cgroups.drop_last();
    }
  }
}

void HostReader::read_procs(Snapshot& s) {
  s.procs.clear();
  s.has_procs = false;
  if (!o_.read_procs || proc_fd_ < 0) return;
  if (::lseek(proc_fd_, 0, SEEK_SET) != 0) return;
  std::size_t used = read_dents(proc_fd_, proc_dents_);
  pids_.clear();
  for_each_dent(proc_dents_, used, [&](std::string_view name, unsigned char) {
    if (!all_digits(name) || name.size() > 9) return;
    int pid = 0;
    for (char c : name) pid = pid * 10 + (c - '0');
    pids_.push_back(pid);
  });
  if (!std::is_sorted(pids_.begin(), pids_.end())) std::sort(pids_.begin(), pids_.end());

  // Each process's stat file stays open between samples (a pread costs less
  // than half of open+read+close). Both lists are sorted, so this is a merge.
  pid_fds_next_.clear();
  std::size_t j = 0;
  char rel[32];
  for (int pid : pids_) {
    while (j < pid_fds_.size() && pid_fds_[j].pid < pid) ::close(pid_fds_[j++].fd);
    int fd = -1;
    if (j < pid_fds_.size() && pid_fds_[j].pid == pid) fd = pid_fds_[j++].fd;
    auto reopen = [&] {
      auto r = fmt::format_to_n(rel, sizeof rel - 1, "{}/stat", pid);
      *r.out = '\0';
      return ::openat(proc_fd_, rel, O_RDONLY | O_CLOEXEC);
    };
    bool cached = fd >= 0;
    if (!cached) fd = reopen();
    if (fd < 0) continue;  // exited meanwhile
    ssize_t n = ::pread(fd, pid_buf_.data(), pid_buf_.size(), 0);
    if (n <= 0 && cached) {  // ESRCH: that process is gone and the pid was reused
      ::close(fd);
      fd = reopen();
      n = fd >= 0 ? ::pread(fd, pid_buf_.data(), pid_buf_.size(), 0) : -1;
    }
    PidStat st;
    if (n <= 0 || !parse_pid_stat({pid_buf_.data(), static_cast<std::size_t>(n)}, st)) {
      if (fd >= 0) ::close(fd);
      continue;
    }
    if (pid_fds_next_.size() < max_pid_fds_) {
      pid_fds_next_.push_back({pid, fd});
    } else {
      ::close(fd);
    }
    ProcSample& p = s.procs.add();
    p.pid = pid;
    p.ticks = st.ticks;
    p.starttime = st.starttime;
    p.rss_pages = st.rss_pages;
    p.comm_len = static_cast<std::uint8_t>(std::min(st.comm.size(), sizeof p.comm));
    std::memcpy(p.comm, st.comm.data(), p.comm_len);
  }
  while (j < pid_fds_.size()) ::close(pid_fds_[j++].fd);
  pid_fds_.swap(pid_fds_next_);
  s.has_procs = true;
}

// ---------------------------------------------------------------------------
// PointBuilder

namespace {

// A counter's rate; false when it went down (reset, wrap, a new device
// under an old name), so no negative or huge value is ever emitted.
bool rate(std::uint64_t before, std::uint64_t now, double dt, double& out) {
  if (now < before) return false;
  out = static_cast<double>(now - before) / dt;
  return true;
}

std::uint64_t delta_or_zero(std::uint64_t before, std::uint64_t now) { return now > before ? now - before : 0; }

// The entry of `prev` matching cur[i] by `same`: usually at the same index.
template <typename T, typename Same>
const T* find_prev(const Slots<T>& prev, std::size_t i, Same&& same) {
  if (i < prev.size() && same(prev[i])) return &prev[i];
  for (const T& p : prev)
    if (same(p)) return &p;
  return nullptr;
}

}  // namespace

PointBuilder::PointBuilder(MetricSet metrics, int top, double clock_ticks, double page_size)
    : metrics_(metrics), top_(top), clock_ticks_(clock_ticks), page_size_(page_size) {}

const std::string& PointBuilder::cpu_labels(int cpu) {
  std::size_t i = static_cast<std::size_t>(cpu + 1);
  while (cpu_labels_.size() <= i) {
    int c = static_cast<int>(cpu_labels_.size()) - 1;
    std::string l;
    append_label(l, "cpu", c < 0 ? std::string("total") : std::to_string(c));
    cpu_labels_.push_back(std::move(l));
  }
  return cpu_labels_[i];
}

void PointBuilder::cpu(const Snapshot* prev, const Snapshot& cur, PointSink& sink) {
  if (!cur.has_stat || prev == nullptr || !prev->has_stat) return;
  double dt = cur.mono - prev->mono;
  const auto& cpus = cur.stat.cpus;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    const CpuTimes& c = cpus[i];
    const CpuTimes* p = find_prev(prev->stat.cpus, i, [&](const CpuTimes& t) { return t.cpu == c.cpu; });
    if (p == nullptr) continue;
    // Per field: idle/iowait may step back a little on some kernels, which
    // must not turn into a negative fraction.
    double user = static_cast<double>(delta_or_zero(p->user, c.user) + delta_or_zero(p->nice, c.nice));
    double system = static_cast<double>(delta_or_zero(p->system, c.system) + delta_or_zero(p->irq, c.irq) +
                                        delta_or_zero(p->softirq, c.softirq));
    double idle = static_cast<double>(delta_or_zero(p->idle, c.idle));
    double iowait = static_cast<double>(delta_or_zero(p->iowait, c.iowait));
    double steal = static_cast<double>(delta_or_zero(p->steal, c.steal));
    double total = user + system + idle + iowait + steal;
    if (total <= 0) continue;  // no tick elapsed on this CPU: nothing to divide
    const std::string& l = cpu_labels(c.cpu);
    emit(sink, Metric::kCpuUtil, l, (user + system + steal) / total);
    emit(sink, Metric::kCpuUser, l, user / total);
    emit(sink, Metric::kCpuSystem, l, system / total);
    emit(sink, Metric::kCpuIowait, l, iowait / total);
    emit(sink, Metric::kCpuSteal, l, steal / total);
    emit(sink, Metric::kCpuIdle, l, idle / total);
  }
  double r;
  if (cur.stat.has_ctxt && prev->stat.has_ctxt && rate(prev->stat.ctxt, cur.stat.ctxt, dt, r))
    emit(sink, Metric::kCpuCtxt, {}, r);
  if (cur.stat.has_intr && prev->stat.has_intr && rate(prev->stat.intr, cur.stat.intr, dt, r))
    emit(sink, Metric::kCpuIntr, {}, r);
}

void PointBuilder::build(const Snapshot* prev, const Snapshot& cur, PointSink& sink) {
  if (prev != nullptr && !(cur.mono > prev->mono)) prev = nullptr;  // no time passed: gauges only
  const double dt = prev != nullptr ? cur.mono - prev->mono : 0;
  double r;

  cpu(prev, cur, sink);

  if (cur.has_mem) {
    const MemInfo& m = cur.mem;
    auto b = [](std::uint64_t v) { return static_cast<double>(v); };
    if (m.has_total) emit(sink, Metric::kMemTotal, {}, b(m.total));
    if (m.has_available) emit(sink, Metric::kMemAvailable, {}, b(m.available));
    if (m.has_available && m.total > 0)
      emit(sink, Metric::kMemUsedFrac, {},
           m.available >= m.total ? 0.0 : 1.0 - static_cast<double>(m.available) / static_cast<double>(m.total));
    if (m.has_free) emit(sink, Metric::kMemFree, {}, b(m.free));
    if (m.has_cached) emit(sink, Metric::kMemCached, {}, b(m.cached));
    if (m.has_buffers) emit(sink, Metric::kMemBuffers, {}, b(m.buffers));
    if (m.has_swap) {
      emit(sink, Metric::kMemSwapTotal, {}, b(m.swap_total));
      emit(sink, Metric::kMemSwapUsed, {}, b(m.swap_total > m.swap_free ? m.swap_total - m.swap_free : 0));
    }
  }

  if (cur.has_load) {
    emit(sink, Metric::kLoad1, {}, cur.load.load1);
    emit(sink, Metric::kLoad5, {}, cur.load.load5);
    emit(sink, Metric::kLoad15, {}, cur.load.load15);
  }

  static constexpr Metric kPsi[3][2] = {{Metric::kPsiCpuSome, Metric::kPsiCpuFull},
                                        {Metric::kPsiMemSome, Metric::kPsiMemFull},
                                        {Metric::kPsiIoSome, Metric::kPsiIoFull}};
  for (int i = 0; i < 3; ++i) {
    if (!cur.has_psi[i]) continue;
    if (cur.psi[i].has_some) emit(sink, kPsi[i][0], {}, cur.psi[i].some_avg10);
    if (cur.psi[i].has_full) emit(sink, kPsi[i][1], {}, cur.psi[i].full_avg10);
  }

  if (cur.has_stat && cur.stat.has_running) emit(sink, Metric::kProcRunning, {}, static_cast<double>(cur.stat.running));
  if (cur.has_stat && cur.stat.has_blocked) emit(sink, Metric::kProcBlocked, {}, static_cast<double>(cur.stat.blocked));
  if (cur.has_load && cur.load.tasks > 0) emit(sink, Metric::kProcTotal, {}, static_cast<double>(cur.load.tasks));
  if (prev != nullptr && cur.has_stat && prev->has_stat && cur.stat.has_forks && prev->stat.has_forks &&
      rate(prev->stat.forks, cur.stat.forks, dt, r))
    emit(sink, Metric::kProcForks, {}, r);

  if (prev != nullptr) {
    for (std::size_t i = 0; i < cur.disks.size(); ++i) {
      const DiskSample& d = cur.disks[i];
      const DiskSample* p = find_prev(prev->disks, i, [&](const DiskSample& x) { return x.name == d.name; });
      if (p == nullptr) continue;
      if (rate(p->read_sectors, d.read_sectors, dt, r)) emit(sink, Metric::kDiskReadBytes, d.labels, r * 512);
      if (rate(p->write_sectors, d.write_sectors, dt, r)) emit(sink, Metric::kDiskWriteBytes, d.labels, r * 512);
      if (rate(p->reads, d.reads, dt, r)) emit(sink, Metric::kDiskReads, d.labels, r);
      if (rate(p->writes, d.writes, dt, r)) emit(sink, Metric::kDiskWrites, d.labels, r);
      // io_ticks is in ms; in-flight accounting can overshoot wall time a little.
      if (rate(p->io_ticks, d.io_ticks, dt, r)) emit(sink, Metric::kDiskBusy, d.labels, std::min(1.0, r / 1000));
    }
  }

  for (const FsSample& f : cur.fs) {
    const FsUsage& u = f.usage;
    std::uint64_t used = u.size_bytes > u.free_bytes ? u.size_bytes - u.free_bytes : 0;
    // As df(1): used / (used + available), so the root reserve counts as full.
    if (used + u.avail_bytes > 0)
      emit(sink, Metric::kFsUsedFrac, f.labels, static_cast<double>(used) / static_cast<double>(used + u.avail_bytes));
    if (u.files > 0) emit(sink, Metric::kFsFreeInodes, f.labels, static_cast<double>(u.files_free));
    emit(sink, Metric::kFsSize, f.labels, static_cast<double>(u.size_bytes));
    emit(sink, Metric::kFsAvail, f.labels, static_cast<double>(u.avail_bytes));
  }

  if (prev != nullptr) {
    for (std::size_t i = 0; i < cur.nets.size(); ++i) {
      const NetSample& n = cur.nets[i];
      const NetSample* p = find_prev(prev->nets, i, [&](const NetSample& x) { return x.name == n.name; });
      if (p == nullptr) continue;
      if (rate(p->rx_bytes, n.rx_bytes, dt, r)) emit(sink, Metric::kNetRxBytes, n.labels, r);
      if (rate(p->tx_bytes, n.tx_bytes, dt, r)) emit(sink, Metric::kNetTxBytes, n.labels, r);
      if (rate(p->rx_packets, n.rx_packets, dt, r)) emit(sink, Metric::kNetRxPackets, n.labels, r);
      if (rate(p->tx_packets, n.tx_packets, dt, r)) emit(sink, Metric::kNetTxPackets, n.labels, r);
      if (rate(p->rx_errors, n.rx_errors, dt, r)) emit(sink, Metric::kNetRxErrors, n.labels, r);
      if (rate(p->tx_errors, n.tx_errors, dt, r)) emit(sink, Metric::kNetTxErrors, n.labels, r);
      if (rate(p->rx_drops, n.rx_drops, dt, r)) emit(sink, Metric::kNetRxDrops, n.labels, r);
      if (rate(p->tx_drops, n.tx_drops, dt, r)) emit(sink, Metric::kNetTxDrops, n.labels, r);
    }
  }

  for (std::size_t i = 0; i < cur.cgroups.size(); ++i) {
    const CgroupSample& c = cur.cgroups[i];
    // A cgroup removed and re-created under the same path fails one read
    // (ENODEV) in between, so it is never matched with its predecessor.
    const CgroupSample* p =
        prev != nullptr ? find_prev(prev->cgroups, i, [&](const CgroupSample& x) { return x.labels == c.labels; })
                        : nullptr;
    if (p != nullptr && c.has_cpu && p->has_cpu) {
      if (rate(p->cpu.usage_usec, c.cpu.usage_usec, dt, r)) emit(sink, Metric::kCgCpuUsage, c.labels, r / 1e6);
      if (c.cpu.has_throttling && p->cpu.has_throttling && c.cpu.nr_periods >= p->cpu.nr_periods &&
          c.cpu.nr_throttled >= p->cpu.nr_throttled) {
        std::uint64_t periods = c.cpu.nr_periods - p->cpu.nr_periods;
        std::uint64_t throttled = c.cpu.nr_throttled - p->cpu.nr_throttled;
        emit(sink, Metric::kCgCpuThrottledFrac, c.labels,
             periods == 0 ? 0.0 : std::min(1.0, static_cast<double>(throttled) / static_cast<double>(periods)));
        if (rate(p->cpu.throttled_usec, c.cpu.throttled_usec, dt, r))
          emit(sink, Metric::kCgCpuThrottledTime, c.labels, r / 1e6);
      }
    }
    if (c.has_mem_current) emit(sink, Metric::kCgMemCurrent, c.labels, static_cast<double>(c.mem_current));
    if (c.has_mem_max) emit(sink, Metric::kCgMemMax, c.labels, static_cast<double>(c.mem_max));
    if (p != nullptr && c.has_io && p->has_io) {
      if (rate(p->io.rbytes, c.io.rbytes, dt, r)) emit(sink, Metric::kCgIoRead, c.labels, r);
      if (rate(p->io.wbytes, c.io.wbytes, dt, r)) emit(sink, Metric::kCgIoWrite, c.labels, r);
    }
  }

  if (prev != nullptr && top_ > 0 && cur.has_procs && prev->has_procs) top(*prev, cur, dt, sink);
}

void PointBuilder::top(const Snapshot& prev, const Snapshot& cur, double dt, PointSink& sink) {
  ranked_.clear();
  for (std::size_t i = 0; i < cur.procs.size(); ++i) {
    const ProcSample& c = cur.procs[i];
    auto it = std::lower_bound(prev.procs.begin(), prev.procs.end(), c.pid,
                               [](const ProcSample& p, int pid) { return p.pid < pid; });
    // A process that is new since the last sample (or a reused pid) spent
    // all its CPU time within the interval.
    std::uint64_t before = 0;
    if (it != prev.procs.end() && it->pid == c.pid && it->starttime == c.starttime) before = it->ticks;
    if (c.ticks < before) continue;
    ranked_.push_back({static_cast<double>(c.ticks - before) / clock_ticks_ / dt, i});
  }
  std::size_t n = std::min(ranked_.size(), static_cast<std::size_t>(top_));
  auto by_cpu = [&](const Ranked& a, const Ranked& b) {
    if (a.cores != b.cores) return a.cores > b.cores;
    return cur.procs[a.index].pid < cur.procs[b.index].pid;
  };
  std::partial_sort(ranked_.begin(), ranked_.begin() + static_cast<std::ptrdiff_t>(n), ranked_.end(), by_cpu);
  for (std::size_t k = 0; k < n; ++k) {
    const ProcSample& c = cur.procs[ranked_[k].index];
    label_buf_.clear();
    char pid[16];
    auto len = fmt::format_to_n(pid, sizeof pid, "{}", c.pid).size;
    append_label(label_buf_, "pid", std::string_view(pid, len));
    append_label(label_buf_, "comm", c.comm_view());
    emit(sink, Metric::kTopCpu, label_buf_, ranked_[k].cores);
    emit(sink, Metric::kTopRss, label_buf_, static_cast<double>(c.rss_pages) * page_size_);
  }
}

}  // namespace lepton::collect::detail
