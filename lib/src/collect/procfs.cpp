#include "collect/procfs.h"

#include "collect/scan.h"

namespace lepton::collect::detail {

bool parse_stat(std::string_view text, StatData& out) {
  out.cpus.clear();
  out.has_ctxt = out.has_intr = out.has_forks = out.has_running = out.has_blocked = false;
  Cursor c(text);
  bool any_cpu = false;
  while (!c.done()) {
    if (c.eat("cpu")) {
      int cpu = -1;
      if (c.peek() != ' ') {
        std::uint64_t n;
        if (!c.u64(n)) {
          c.next_line();
          continue;
        }
        cpu = static_cast<int>(n);
      }
      CpuTimes& t = out.cpus.add();
      t.cpu = cpu;
      // Older kernels print fewer columns; the missing ones read as 0.
      t.user = c.u64();
      t.nice = c.u64();
      t.system = c.u64();
      t.idle = c.u64();
      t.iowait = c.u64();
      t.irq = c.u64();
      t.softirq = c.u64();
      t.steal = c.u64();
      any_cpu = true;
    } else if (c.eat("intr ")) {
      out.has_intr = c.u64(out.intr);
    } else if (c.eat("ctxt ")) {
      out.has_ctxt = c.u64(out.ctxt);
    } else if (c.eat("processes ")) {
      out.has_forks = c.u64(out.forks);
    } else if (c.eat("procs_running ")) {
      out.has_running = c.u64(out.running);
    } else if (c.eat("procs_blocked ")) {
      out.has_blocked = c.u64(out.blocked);
    }
    c.next_line();
  }
  return any_cpu;
}

bool parse_meminfo(std::string_view text, MemInfo& out) {
  out = MemInfo{};
  Cursor c(text);
  bool swap_total = false, swap_free = false;
  while (!c.done()) {
    std::uint64_t* field = nullptr;
    bool* has = nullptr;
    switch (c.peek()) {
      case 'M':
        if (c.eat("MemTotal:"))
          field = &out.total, has = &out.has_total;
        else if (c.eat("MemFree:"))
          field = &out.free, has = &out.has_free;
        else if (c.eat("MemAvailable:"))
          field = &out.available, has = &out.has_available;
        break;
      case 'B':
        if (c.eat("Buffers:")) field = &out.buffers, has = &out.has_buffers;
        break;
      case 'C':
        if (c.eat("Cached:")) field = &out.cached, has = &out.has_cached;
        break;
      case 'S':
        if (c.eat("SwapTotal:"))
          field = &out.swap_total, has = &swap_total;
        else if (c.eat("SwapFree:"))
          field = &out.swap_free, has = &swap_free;
        break;
      default:
        break;
    }
    if (field != nullptr) {
      std::uint64_t v;
      if (c.u64(v)) {
        c.skip_blanks();
        *field = c.eat("kB") ? v * 1024 : v;
        *has = true;
      }
    }
    c.next_line();
  }
  out.has_swap = swap_total && swap_free;
  return out.has_total;
}

bool parse_loadavg(std::string_view text, LoadAvg& out) {
  Cursor c(text);
  bool ok = c.decimal(out.load1) && c.decimal(out.load5) && c.decimal(out.load15);
  std::uint64_t running;
  if (ok && c.u64(running) && c.eat("/")) c.u64(out.tasks);
  return ok;
}

bool parse_pressure(std::string_view text, Pressure& out) {
  out = Pressure{};
  Cursor c(text);
  while (!c.done()) {
    double* field = nullptr;
    bool* has = nullptr;
    if (c.eat("some "))
      field = &out.some_avg10, has = &out.has_some;
    else if (c.eat("full "))
      field = &out.full_avg10, has = &out.has_full;
    if (field != nullptr) {
      c.skip_blanks();
      if (c.eat("avg10=")) *has = c.decimal(*field, 2);
    }
    c.next_line();
  }
  return out.has_some;
}

namespace {
// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mount(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
        s[i + 3] >= '0' && s[i + 3] <= '7') {
      out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  Cursor c(text);
  while (!c.done()) {
    Cursor l(c.line());
    // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
    l.skip_words(4);
    std::string_view mount_point = l.word();
    l.word();  // mount options
    std::string_view w;
    do {
      w = l.word();
    } while (!w.empty() && w != "-");
    if (w.empty() || mount_point.empty()) continue;
    std::string_view fstype = l.word();
    std::string_view source = l.word();
    if (fstype.empty()) continue;
    out.push_back({unescape_mount(mount_point), unescape_mount(fstype), unescape_mount(source)});
  }
  return out;
}

bool parse_cgroup_cpu_stat(std::string_view text, CgroupCpu& out) {
  out = CgroupCpu{};
  Cursor c(text);
  bool periods = false, throttled = false, throttled_usec = false;
  while (!c.done()) {
    if (c.eat("usage_usec "))
      out.has_usage = c.u64(out.usage_usec);
    else if (c.eat("nr_periods "))
      periods = c.u64(out.nr_periods);
    else if (c.eat("nr_throttled "))
      throttled = c.u64(out.nr_throttled);
    else if (c.eat("throttled_usec "))
      throttled_usec = c.u64(out.throttled_usec);
    c.next_line();
  }
  out.has_throttling = periods && throttled && throttled_usec;
  return out.has_usage;
}

bool parse_cgroup_io_stat(std::string_view text, CgroupIo& out) {
  out = CgroupIo{};
  Cursor c(text);
  while (!c.done()) {
    Cursor l(c.line());
    l.word();  // MAJ:MIN
    for (;;) {
      std::string_view kv = l.word();
      if (kv.empty()) break;
      Cursor v(kv);
      if (v.eat("rbytes="))
        out.rbytes += v.u64();
      else if (v.eat("wbytes="))
        out.wbytes += v.u64();
    }
  }
  return true;
}

bool parse_single_u64(std::string_view text, std::uint64_t& out) {
  Cursor c(text);
  if (!c.u64(out)) return false;
  return c.done() || c.peek() == '\n';
}

bool parse_memory_max(std::string_view text, std::uint64_t& out, bool& limited) {
  Cursor c(text);
  if (c.eat("max")) {
    limited = false;
    out = 0;
    return true;
  }
  limited = true;
  return parse_single_u64(text, out);
}

bool parse_pid_stat(std::string_view text, PidStat& out) {
  // comm may contain anything, ')' included, so it ends at the last ')'.
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
  out.comm = text.substr(open + 1, close - open - 1);
  Cursor c(text.substr(close + 1));
  // Fields from 3: state ppid pgrp session tty_nr tpgid flags minflt cminflt
  // majflt cmajflt, then 14 utime, 15 stime, 16-21, 22 starttime, 23 vsize, 24 rss.
  c.skip_words(11);
  std::uint64_t utime, stime;
  if (!c.u64(utime) || !c.u64(stime)) return false;
  out.ticks = utime + stime;
  c.skip_words(6);  // cutime cstime priority nice num_threads itrealvalue (may be negative)
  if (!c.u64(out.starttime)) return false;
  c.word();  // vsize
  c.skip_blanks();
  if (c.peek() == '-') {  // rss is never negative in practice; treat as 0
    out.rss_pages = 0;
    return true;
  }
  return c.u64(out.rss_pages);
}

bool is_pseudo_fstype(std::string_view t) {
  static constexpr std::string_view kPseudo[] = {
      "autofs",   "binfmt_misc", "bpf",        "cgroup",          "cgroup2",     "configfs",   "debugfs", "devpts",
      "devtmpfs", "efivarfs",    "fusectl",    "hugetlbfs",       "mqueue",      "nsfs",       "proc",    "procfs",
      "pstore",   "ramfs",       "rpc_pipefs", "securityfs",      "selinuxfs",   "sysfs",      "tracefs", "nfsd",
      "squashfs", "erofs",       "iso9660",    "fuse.gvfsd-fuse", "fuse.portal", "fuse.lxcfs", "none"};
  for (auto p : kPseudo)
    if (t == p) return true;
  return false;
}

}  // namespace lepton::collect::detail
