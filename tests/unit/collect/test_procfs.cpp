// Parsers of procfs/sysfs/cgroup text, on fixture files captured from real
// machines and on hand-written edge cases.
#include "collect/procfs.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "collect/scan.h"

namespace d = lepton::collect::detail;

namespace {

std::string fixture(const std::string& rel) {
  std::ifstream in(std::string(LEPTON_TEST_FIXTURES) + "/collect/" + rel);
  EXPECT_TRUE(in.good()) << rel;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(Cursor, DecimalIsCorrectlyRounded) {
  double v;
  d::Cursor c("0.59 12 40.67 0.00 3.");
  ASSERT_TRUE(c.decimal(v));
  EXPECT_EQ(v, 0.59);
  ASSERT_TRUE(c.decimal(v));
  EXPECT_EQ(v, 12.0);
  ASSERT_TRUE(c.decimal(v, 2));  // percent to fraction
  EXPECT_EQ(v, 0.4067);
  ASSERT_TRUE(c.decimal(v));
  EXPECT_EQ(v, 0.0);
  ASSERT_TRUE(c.decimal(v));
  EXPECT_EQ(v, 3.0);
  EXPECT_FALSE(c.decimal(v));
}

TEST(Cursor, IntegersAndWords) {
  d::Cursor c("  18446744073709551615 abc\nnext");
  std::uint64_t v;
  ASSERT_TRUE(c.u64(v));
  EXPECT_EQ(v, 18446744073709551615ULL);
  EXPECT_FALSE(c.u64(v));
  EXPECT_EQ(c.word(), "abc");
  c.next_line();
  EXPECT_EQ(c.line(), "next");
  EXPECT_TRUE(c.done());
}

TEST(ParseStat, CapturedVm) {
  d::StatData s;
  ASSERT_TRUE(d::parse_stat(fixture("vm-hybrid/proc/stat"), s));
  ASSERT_EQ(s.cpus.size(), 3U);
  EXPECT_EQ(s.cpus[0].cpu, -1);
  EXPECT_EQ(s.cpus[0].user, 101914U);
  EXPECT_EQ(s.cpus[0].system, 21423U);
  EXPECT_EQ(s.cpus[0].idle, 215342U);
  EXPECT_EQ(s.cpus[0].iowait, 3339U);
  EXPECT_EQ(s.cpus[0].softirq, 521U);
  EXPECT_EQ(s.cpus[0].steal, 2926U);
  EXPECT_EQ(s.cpus[2].cpu, 1);
  EXPECT_EQ(s.cpus[2].user, 56715U);
  EXPECT_EQ(s.cpus[2].steal, 1348U);
  EXPECT_EQ(s.intr, 890650U);
  EXPECT_EQ(s.ctxt, 1352462U);
  EXPECT_EQ(s.forks, 26549U);
  EXPECT_EQ(s.running, 2U);
  EXPECT_EQ(s.blocked, 0U);
  EXPECT_TRUE(s.has_intr && s.has_ctxt && s.has_forks && s.has_running && s.has_blocked);
}

TEST(ParseStat, OldKernelWithFewerColumns) {
  d::StatData s;
  ASSERT_TRUE(d::parse_stat(fixture("old-kernel/proc/stat"), s));
  ASSERT_EQ(s.cpus.size(), 2U);
  EXPECT_EQ(s.cpus[1].cpu, 0);
  EXPECT_EQ(s.cpus[1].softirq, 15U);
  EXPECT_EQ(s.cpus[1].steal, 0U);  // column absent
  EXPECT_EQ(s.intr, 114930548U);
  EXPECT_EQ(s.ctxt, 1990473U);
}

TEST(ParseStat, ReusesSlotsAndRejectsGarbage) {
  d::StatData s;
  ASSERT_TRUE(d::parse_stat("cpu  1 2 3 4\ncpu0 1 2 3 4\ncpu1 0 0 0 0\n", s));
  EXPECT_EQ(s.cpus.size(), 3U);
  ASSERT_TRUE(d::parse_stat("cpu  1 2 3 4\n", s));
  EXPECT_EQ(s.cpus.size(), 1U);
  EXPECT_FALSE(d::parse_stat("hello world\n", s));
  EXPECT_FALSE(d::parse_stat("", s));
}

TEST(ParseMeminfo, CapturedVm) {
  d::MemInfo m;
  ASSERT_TRUE(d::parse_meminfo(fixture("vm-hybrid/proc/meminfo"), m));
  EXPECT_EQ(m.total, 24682416ULL * 1024);
  EXPECT_EQ(m.free, 23131384ULL * 1024);
  EXPECT_EQ(m.available, 24096232ULL * 1024);
  EXPECT_EQ(m.buffers, 7232ULL * 1024);
  EXPECT_EQ(m.cached, 1016340ULL * 1024);  // not SwapCached
  EXPECT_TRUE(m.has_swap);
  EXPECT_EQ(m.swap_total, 0U);
}

TEST(ParseMeminfo, OldKernelHasNoMemAvailable) {
  d::MemInfo m;
  ASSERT_TRUE(d::parse_meminfo(fixture("old-kernel/proc/meminfo"), m));
  EXPECT_FALSE(m.has_available);
  EXPECT_EQ(m.total, 1030428ULL * 1024);
  EXPECT_EQ(m.swap_total - m.swap_free, (2096472ULL - 2087780ULL) * 1024);
}

TEST(ParseLoadavg, Fields) {
  d::LoadAvg l;
  ASSERT_TRUE(d::parse_loadavg(fixture("vm-hybrid/proc/loadavg"), l));
  EXPECT_EQ(l.load1, 3.5);
  EXPECT_EQ(l.load5, 2.65);
  EXPECT_EQ(l.load15, 1.44);
  EXPECT_EQ(l.tasks, 95U);
  EXPECT_FALSE(d::parse_loadavg("nope", l));
}

TEST(ParsePressure, SomeAndFullAsFractions) {
  d::Pressure p;
  ASSERT_TRUE(d::parse_pressure(fixture("vm-hybrid/proc/pressure/cpu"), p));
  EXPECT_EQ(p.some_avg10, 0.4067);
  EXPECT_TRUE(p.has_full);
  EXPECT_EQ(p.full_avg10, 0.0);
  // Kernels before 5.13 print no "full" line for cpu.
  ASSERT_TRUE(d::parse_pressure("some avg10=1.50 avg60=0.00 avg300=0.00 total=5\n", p));
  EXPECT_EQ(p.some_avg10, 0.015);
  EXPECT_FALSE(p.has_full);
  EXPECT_FALSE(d::parse_pressure("", p));
}

TEST(ParseDiskstats, AllFormats) {
  std::vector<d::DiskLine> lines;
  std::vector<std::string> names;
  auto collect = [&](const d::DiskLine& l) {
    lines.push_back(l);
    names.emplace_back(l.name);
  };
  ASSERT_TRUE(d::parse_diskstats(fixture("vm-hybrid/proc/diskstats"), collect));
  ASSERT_EQ(lines.size(), 10U);
  EXPECT_EQ(names[8], "vda");
  EXPECT_EQ(lines[8].reads, 97436U);
  EXPECT_EQ(lines[8].read_sectors, 6951114U);
  EXPECT_EQ(lines[8].writes, 146054U);
  EXPECT_EQ(lines[8].write_sectors, 9115512U);
  EXPECT_EQ(lines[8].io_ticks, 56116U);

  // 2.6-era partition lines have only four counters: skipped.
  lines.clear();
  names.clear();
  ASSERT_TRUE(d::parse_diskstats(fixture("old-kernel/proc/diskstats"), collect));
  ASSERT_EQ(names.size(), 2U);
  EXPECT_EQ(names[0], "sda");
  EXPECT_EQ(names[1], "ram0");
  EXPECT_EQ(lines[0].io_ticks, 218908U);
}

TEST(ParseNetDev, CapturedAndOldFormat) {
  std::vector<std::string> names;
  std::vector<d::NetLine> lines;
  auto collect = [&](const d::NetLine& l) {
    lines.push_back(l);
    names.emplace_back(l.name);
  };
  ASSERT_TRUE(d::parse_net_dev(fixture("vm-hybrid/proc/net/dev"), collect));
  ASSERT_EQ(names, (std::vector<std::string>{"lo", "ifb0", "ifb1", "eth0"}));
  EXPECT_EQ(lines[3].rx_bytes, 611001201U);
  EXPECT_EQ(lines[3].rx_packets, 14753U);
  EXPECT_EQ(lines[3].tx_bytes, 413860U);
  EXPECT_EQ(lines[3].tx_packets, 4710U);

  lines.clear();
  names.clear();
  ASSERT_TRUE(d::parse_net_dev(fixture("v2-host/proc/net/dev"), collect));
  ASSERT_EQ(names, (std::vector<std::string>{"lo", "eth0", "eth1", "docker0"}));
  EXPECT_EQ(lines[1].rx_errors, 10U);
  EXPECT_EQ(lines[1].rx_drops, 20U);
  EXPECT_EQ(lines[1].tx_errors, 1U);
  EXPECT_EQ(lines[1].tx_drops, 2U);

  // No blank after the colon when the byte count is wide (older kernels).
  lines.clear();
  names.clear();
  ASSERT_TRUE(d::parse_net_dev(fixture("old-kernel/proc/net/dev"), collect));
  ASSERT_EQ(names.size(), 2U);
  EXPECT_EQ(lines[1].rx_bytes, 15880744U);
  EXPECT_EQ(lines[1].tx_packets, 72102U);
}

TEST(ParseMountinfo, FieldsAndEscapes) {
  auto m = d::parse_mountinfo(fixture("v2-host/proc/self/mountinfo"));
  ASSERT_EQ(m.size(), 17U);
  EXPECT_EQ(m[0].mount_point, "/");
  EXPECT_EQ(m[0].fstype, "ext4");
  EXPECT_EQ(m[0].source, "/dev/nvme0n1p2");
  EXPECT_EQ(m[3].fstype, "cgroup2");
  EXPECT_EQ(m[3].mount_point, "/sys/fs/cgroup");
  EXPECT_EQ(m[8].mount_point, "/srv/data set");  // \040
  // Optional fields (shared:N) before the separator are skipped.
  EXPECT_EQ(m[12].fstype, "overlay");
  EXPECT_TRUE(d::parse_mountinfo("garbage\n1 2 3\n").empty());
}

TEST(ParseCgroup, CpuStatWithAndWithoutController) {
  d::CgroupCpu c;
  ASSERT_TRUE(d::parse_cgroup_cpu_stat(fixture("v2-host/sys/fs/cgroup/system.slice/docker-abc.scope/cpu.stat"), c));
  EXPECT_EQ(c.usage_usec, 70000000000U);
  EXPECT_TRUE(c.has_throttling);
  EXPECT_EQ(c.nr_periods, 1000U);
  EXPECT_EQ(c.nr_throttled, 100U);
  EXPECT_EQ(c.throttled_usec, 5000000U);
  // The root (and the hybrid layout's unified tree) has no throttling lines.
  ASSERT_TRUE(d::parse_cgroup_cpu_stat(fixture("vm-hybrid/sys/fs/cgroup/unified/cpu.stat"), c));
  EXPECT_EQ(c.usage_usec, 1238749762U);
  EXPECT_FALSE(c.has_throttling);
}

TEST(ParseCgroup, IoStatSumsDevices) {
  d::CgroupIo io;
  ASSERT_TRUE(d::parse_cgroup_io_stat(fixture("v2-host/sys/fs/cgroup/io.stat"), io));
  EXPECT_EQ(io.rbytes, 1500000000U);
  EXPECT_EQ(io.wbytes, 2250000000U);
  ASSERT_TRUE(d::parse_cgroup_io_stat("", io));
  EXPECT_EQ(io.rbytes, 0U);
}

TEST(ParseCgroup, MemoryValues) {
  std::uint64_t v;
  bool limited;
  ASSERT_TRUE(d::parse_single_u64("5242880\n", v));
  EXPECT_EQ(v, 5242880U);
  EXPECT_FALSE(d::parse_single_u64("12abc\n", v));
  EXPECT_FALSE(d::parse_single_u64("", v));
  ASSERT_TRUE(d::parse_memory_max("max\n", v, limited));
  EXPECT_FALSE(limited);
  ASSERT_TRUE(d::parse_memory_max("536870912\n", v, limited));
  EXPECT_TRUE(limited);
  EXPECT_EQ(v, 536870912U);
}

TEST(ParsePidStat, CommWithParenthesesAndNegativeFields) {
  d::PidStat p;  // comm is a view into the text: keep the text alive
  std::string weird = fixture("v2-host/proc/2000/stat"), kthread = fixture("v2-host/proc/3/stat"),
              tmux = fixture("v2-host/proc/42/stat");
  ASSERT_TRUE(d::parse_pid_stat(weird, p));
  EXPECT_EQ(p.comm, "my (weird) prog");
  EXPECT_EQ(p.ticks, 120000U);
  EXPECT_EQ(p.starttime, 8000U);
  EXPECT_EQ(p.rss_pages, 25600U);
  ASSERT_TRUE(d::parse_pid_stat(kthread, p));  // nice -20
  EXPECT_EQ(p.comm, "rcu_gp");
  EXPECT_EQ(p.ticks, 0U);
  EXPECT_EQ(p.starttime, 10U);
  ASSERT_TRUE(d::parse_pid_stat(tmux, p));
  EXPECT_EQ(p.comm, "tmux: server");
  EXPECT_EQ(p.ticks, 400U);
  EXPECT_FALSE(d::parse_pid_stat("12 noparen S", p));
  EXPECT_FALSE(d::parse_pid_stat("12 (x) S 1 2", p));
}

TEST(PseudoFs, Types) {
  EXPECT_TRUE(d::is_pseudo_fstype("proc"));
  EXPECT_TRUE(d::is_pseudo_fstype("cgroup2"));
  EXPECT_TRUE(d::is_pseudo_fstype("squashfs"));
  EXPECT_FALSE(d::is_pseudo_fstype("ext4"));
  EXPECT_FALSE(d::is_pseudo_fstype("tmpfs"));
  EXPECT_FALSE(d::is_pseudo_fstype("overlay"));
}
