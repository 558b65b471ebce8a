// HostReader over fixture trees and PointBuilder over pairs of snapshots:
// exact gauges and exact rates, without sleeping.
#include "collect/host.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "lepton/error.h"

namespace d = lepton::collect::detail;
using d::Metric;

namespace {

const std::string kFixtures = std::string(LEPTON_TEST_FIXTURES) + "/collect/";

struct Point {
  std::string metric;
  std::string labels;
  double value;
};

class VectorSink : public d::PointSink {
 public:
  void point(Metric m, std::string_view labels, double value) override {
    points.push_back({std::string(d::metric_name(m)), std::string(labels), value});
  }
  std::vector<Point> points;

  const Point* find(std::string_view metric, std::string_view labels = {}) const {
    const Point* found = nullptr;
    for (const auto& p : points) {
      if (p.metric == metric && p.labels == labels) {
        EXPECT_EQ(found, nullptr) << "duplicate " << metric << labels;
        found = &p;
      }
    }
    return found;
  }
  bool has(std::string_view metric, std::string_view labels = {}) const { return find(metric, labels) != nullptr; }
  double value(std::string_view metric, std::string_view labels = {}) const {
    const Point* p = find(metric, labels);
    EXPECT_NE(p, nullptr) << metric << labels;
    return p != nullptr ? p->value : -12345.0;
  }
  std::size_t count(std::string_view metric) const {
    std::size_t n = 0;
    for (const auto& p : points) n += p.metric == metric;
    return n;
  }
  std::vector<std::string> labels_of(std::string_view metric) const {
    std::vector<std::string> out;
    for (const auto& p : points)
      if (p.metric == metric) out.push_back(p.labels);
    return out;
  }
};

// statvfs results by path, so file-system points do not depend on the disk
// the tests run on.
d::StatfsFn fake_statfs(std::map<std::string, d::FsUsage> table) {
  return [table = std::move(table)](const std::string& path, d::FsUsage& u) {
    auto it = table.find(path);
    if (it == table.end()) return false;
    u = it->second;
    return true;
  };
}

d::ReaderOptions options(const std::string& tree, int depth = 2, bool procs = false) {
  d::ReaderOptions o;
  o.root = kFixtures + tree;
  o.cgroup_depth = depth;
  o.read_procs = procs;
  o.statfs = fake_statfs({});
  return o;
}

constexpr double kGiB = 1024.0 * 1024 * 1024;

}  // namespace

TEST(HostReader, MissingProcIsAnError) {
  d::ReaderOptions o;
  o.root = kFixtures + "no-such-tree";
  EXPECT_THROW(d::HostReader r(o), lepton::DataError);
}

TEST(HostReader, HostnameFromTheRootOrTheSystem) {
  EXPECT_EQ(d::HostReader(options("vm-hybrid")).hostname(), "vm");
  EXPECT_EQ(d::HostReader(options("v2-host")).hostname(), "web-1");
  char buf[256] = {};
  ASSERT_EQ(gethostname(buf, sizeof buf - 1), 0);
  EXPECT_EQ(d::HostReader(options("old-kernel")).hostname(), buf);
}

TEST(HostReader, FindsCgroupV2InHybridPureAndNone) {
  d::Snapshot s;
  d::HostReader hybrid(options("vm-hybrid"));
  hybrid.read(s, 0);  // mounts are read with the first sample
  EXPECT_EQ(hybrid.cgroup_root(), kFixtures + "vm-hybrid/sys/fs/cgroup/unified");
  d::HostReader pure(options("v2-host"));
  pure.read(s, 0);
  EXPECT_EQ(pure.cgroup_root(), kFixtures + "v2-host/sys/fs/cgroup");
  d::HostReader old(options("old-kernel"));
  old.read(s, 0);
  EXPECT_EQ(old.cgroup_root(), "");
  EXPECT_TRUE(s.cgroups.empty());
}

// The first sample of the captured VM: gauges only, rates need a second one.
TEST(PointBuilder, CapturedVmFirstSampleHasGaugesOnly) {
  d::HostReader reader(options("vm-hybrid"));
  d::Snapshot s;
  reader.read(s, 100);
  ASSERT_EQ(s.disks.size(), 2U);  // vda and zram0; loop devices are skipped
  EXPECT_EQ(s.disks[0].name, "vda");
  EXPECT_EQ(s.disks[1].name, "zram0");
  ASSERT_EQ(s.cgroups.size(), 1U);  // the unified tree holds only the root here
  EXPECT_EQ(s.cgroups[0].labels, R"(,"cgroup":"/")");

  VectorSink sink;
  d::PointBuilder(d::MetricSet(), 0, 100, 4096).build(nullptr, s, sink);
  EXPECT_EQ(sink.value("mem.total_bytes"), 24682416.0 * 1024);
  EXPECT_EQ(sink.value("mem.available_bytes"), 24096232.0 * 1024);
  EXPECT_DOUBLE_EQ(sink.value("mem.used_frac"), 1 - 24096232.0 / 24682416.0);
  EXPECT_EQ(sink.value("mem.cached_bytes"), 1016340.0 * 1024);
  EXPECT_EQ(sink.value("mem.swap_used_bytes"), 0);
  EXPECT_EQ(sink.value("load.1m"), 3.5);
  EXPECT_EQ(sink.value("load.15m"), 1.44);
  EXPECT_EQ(sink.value("psi.cpu.some_avg10"), 0.4067);
  EXPECT_EQ(sink.value("psi.memory.full_avg10"), 0);
  EXPECT_EQ(sink.value("proc.running"), 2);
  EXPECT_EQ(sink.value("proc.total"), 95);
  for (const auto& p : sink.points) {
    EXPECT_EQ(p.metric.find("_per_s"), std::string::npos) << p.metric;
    EXPECT_NE(p.metric.rfind("cpu.", 0), 0U) << p.metric;
    EXPECT_NE(p.metric, "cgroup.cpu.usage");
    EXPECT_NE(p.metric, "disk.busy_frac");
  }
}

// Two captures of the same VM a few seconds apart: every rate is the counter
// difference over the time between the snapshots (6.25 s here).
TEST(PointBuilder, CapturedVmRatesBetweenTwoSnapshots) {
  d::HostReader a(options("vm-hybrid")), b(options("vm-hybrid-next"));
  d::Snapshot s0, s1;
  a.read(s0, 100);
  b.read(s1, 106.25);
  VectorSink sink;
  d::PointBuilder(d::MetricSet(), 0, 100, 4096).build(&s0, s1, sink);
  const double dt = 6.25;

  // cpu  101914 0 21423 215342 3339 0 521 2926 -> 102770 0 21513 215636 3340 0 521 2934
  const std::string total = R"(,"cpu":"total")";
  double user = 856, system = 90, idle = 294, iowait = 1, steal = 8, all = 1249;
  EXPECT_DOUBLE_EQ(sink.value("cpu.util", total), (user + system + steal) / all);
  EXPECT_DOUBLE_EQ(sink.value("cpu.user", total), user / all);
  EXPECT_DOUBLE_EQ(sink.value("cpu.system", total), system / all);
  EXPECT_DOUBLE_EQ(sink.value("cpu.iowait", total), iowait / all);
  EXPECT_DOUBLE_EQ(sink.value("cpu.steal", total), steal / all);
  EXPECT_DOUBLE_EQ(sink.value("cpu.idle", total), idle / all);
  // cpu1 56715 0 12783 98308 3019 0 481 1348 -> 57197 0 12814 98418 3019 0 481 1352
  EXPECT_DOUBLE_EQ(sink.value("cpu.util", R"(,"cpu":"1")"), (482.0 + 31 + 4) / (482 + 31 + 110 + 4));
  EXPECT_DOUBLE_EQ(sink.value("cpu.idle", R"(,"cpu":"1")"), 110.0 / (482 + 31 + 110 + 4));
  EXPECT_EQ(sink.count("cpu.util"), 3U);

  EXPECT_DOUBLE_EQ(sink.value("cpu.context_switches_per_s"), (1354643.0 - 1352462) / dt);
  EXPECT_DOUBLE_EQ(sink.value("cpu.interrupts_per_s"), (893939.0 - 890650) / dt);
  EXPECT_DOUBLE_EQ(sink.value("proc.forks_per_s"), (26758.0 - 26549) / dt);
  EXPECT_EQ(sink.value("proc.running"), 1);

  // vda 97436 . 6951114 . 146054 . 9115512 . . 56116 -> 97454 . 6951346 . 146073 . 9121616 . . 56132
  const std::string vda = R"(,"device":"vda")";
  EXPECT_DOUBLE_EQ(sink.value("disk.reads_per_s", vda), 18 / dt);
  EXPECT_DOUBLE_EQ(sink.value("disk.read_bytes_per_s", vda), 232 / dt * 512);
  EXPECT_DOUBLE_EQ(sink.value("disk.writes_per_s", vda), 19 / dt);
  EXPECT_DOUBLE_EQ(sink.value("disk.write_bytes_per_s", vda), 6104 / dt * 512);
  EXPECT_DOUBLE_EQ(sink.value("disk.busy_frac", vda), 16 / dt / 1000);
  EXPECT_EQ(sink.value("disk.reads_per_s", R"(,"device":"zram0")"), 0);

  EXPECT_EQ(sink.value("net.rx_bytes_per_s", R"(,"interface":"eth0")"), 0);
  EXPECT_EQ(sink.count("net.rx_bytes_per_s"), 4U);

  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.usage", R"(,"cgroup":"/")"), (1248110473.0 - 1238749762) / dt / 1e6);
  EXPECT_FALSE(sink.has("cgroup.cpu.throttled_frac", R"(,"cgroup":"/")"));  // no cpu controller in v2 here
}

TEST(PointBuilder, PureV2HostFirstSample) {
  auto o = options("v2-host");
  const std::string root = kFixtures + "v2-host";
  d::FsUsage rootfs{100 * static_cast<std::uint64_t>(kGiB), 40 * static_cast<std::uint64_t>(kGiB),
                    35 * static_cast<std::uint64_t>(kGiB), 6553600, 6000000};
  d::FsUsage efi{512 << 20, 500 << 20, 500 << 20, 0, 0};  // vfat: no inode count
  d::FsUsage data{2000, 500, 500, 100, 7};
  d::FsUsage empty{0, 0, 0, 0, 0};
  o.statfs = fake_statfs({{root + "/", rootfs},
                          {root + "/boot/efi", efi},
                          {root + "/srv/data set", data},
                          {root + "/run/user/1000", empty}});
  d::HostReader reader(o);
  d::Snapshot s;
  reader.read(s, 0);
  VectorSink sink;
  d::PointBuilder(d::MetricSet(), 0, 100, 4096).build(nullptr, s, sink);

  EXPECT_EQ(sink.value("mem.used_frac"), 0.5);
  EXPECT_EQ(sink.value("mem.swap_total_bytes"), 4194300.0 * 1024);
  EXPECT_EQ(sink.value("mem.swap_used_bytes"), 100000.0 * 1024);
  EXPECT_EQ(sink.value("load.5m"), 0.8);
  EXPECT_EQ(sink.value("psi.cpu.some_avg10"), 0.125);
  EXPECT_EQ(sink.value("psi.cpu.full_avg10"), 0.0325);
  EXPECT_EQ(sink.value("psi.io.full_avg10"), 0.2);
  EXPECT_EQ(sink.value("proc.blocked"), 1);
  EXPECT_EQ(sink.value("proc.total"), 412);

  // Whole disks only: no partition, no loop device.
  std::vector<std::string> disks;
  for (const auto& disk : s.disks) disks.push_back(disk.name);
  EXPECT_EQ(disks, (std::vector<std::string>{"nvme0n1", "sda", "sdc", "dm-0"}));

  // Pseudo file systems and /proc, /sys mounts are skipped; statvfs failures
  // and empty file systems drop out; the later of two /run mounts wins.
  const std::string slash = R"(,"mount":"/","device":"/dev/nvme0n1p2","fstype":"ext4")";
  const std::string boot = R"(,"mount":"/boot/efi","device":"/dev/nvme0n1p1","fstype":"vfat")";
  const std::string srv = R"(,"mount":"/srv/data set","device":"/dev/mapper/vg-data","fstype":"xfs")";
  EXPECT_EQ(sink.labels_of("fs.size_bytes"), (std::vector<std::string>{slash, boot, srv}));
  EXPECT_DOUBLE_EQ(sink.value("fs.used_frac", slash), 60.0 / 95.0);
  EXPECT_EQ(sink.value("fs.free_inodes", slash), 6000000);
  EXPECT_EQ(sink.value("fs.size_bytes", slash), 100 * kGiB);
  EXPECT_EQ(sink.value("fs.avail_bytes", slash), 35 * kGiB);
  EXPECT_EQ(sink.value("fs.used_frac", boot), 12.0 / 512.0);
  EXPECT_FALSE(sink.has("fs.free_inodes", boot));
  EXPECT_EQ(sink.value("fs.used_frac", srv), 0.75);
  EXPECT_EQ(sink.value("fs.free_inodes", srv), 7);

  // cgroups to depth 2, pre-order with children by name; memory.max only
  // where it is a number.
  std::vector<std::string> cgroups;
  for (const auto& c : s.cgroups) cgroups.push_back(c.labels);
  EXPECT_EQ(cgroups, (std::vector<std::string>{
                         R"(,"cgroup":"/")", R"(,"cgroup":"/init.scope")", R"(,"cgroup":"/system.slice")",
                         R"(,"cgroup":"/system.slice/docker-abc.scope")", R"(,"cgroup":"/system.slice/ssh.service")",
                         R"(,"cgroup":"/user.slice")", R"(,"cgroup":"/user.slice/user-1000.slice")"}));
  EXPECT_EQ(sink.count("cgroup.mem.current_bytes"), 6U);  // not the root
  EXPECT_EQ(sink.value("cgroup.mem.current_bytes", R"(,"cgroup":"/system.slice/ssh.service")"), 5242880);
  EXPECT_EQ(sink.labels_of("cgroup.mem.max_bytes"),
            (std::vector<std::string>{R"(,"cgroup":"/system.slice/docker-abc.scope")",
                                      R"(,"cgroup":"/system.slice/ssh.service")"}));
  EXPECT_EQ(sink.value("cgroup.mem.max_bytes", R"(,"cgroup":"/system.slice/ssh.service")"), 536870912);
  EXPECT_FALSE(sink.has("cgroup.cpu.usage", R"(,"cgroup":"/")"));
}

TEST(PointBuilder, CgroupDepthLimit) {
  for (int depth : {0, 1, 3}) {
    d::HostReader reader(options("v2-host", depth));
    d::Snapshot s;
    reader.read(s, 0);
    std::size_t want = depth == 0 ? 1 : depth == 1 ? 4 : 8;
    EXPECT_EQ(s.cgroups.size(), want) << depth;
    EXPECT_EQ(s.cgroups[0].labels, R"(,"cgroup":"/")");
    if (depth == 3) {
      EXPECT_EQ(s.cgroups[7].labels, R"(,"cgroup":"/user.slice/user-1000.slice/session-1.scope")");
    }
  }
}

// Hand-made second snapshot, 10 s later, with designed deltas, resets,
// devices that came and went, and processes that started and exited.
TEST(PointBuilder, PureV2HostRatesResetsAndTop) {
  d::HostReader a(options("v2-host", 2, true)), b(options("v2-host-next", 2, true));
  d::Snapshot s0, s1;
  a.read(s0, 50);
  b.read(s1, 60);
  VectorSink sink;
  d::PointBuilder(d::MetricSet(), 3, 100, 4096).build(&s0, s1, sink);

  // cpu0: user 600, system 150 (+10 irq +10 softirq), idle 200, iowait 20, steal 10 of 1000 ticks
  const std::string cpu0 = R"(,"cpu":"0")";
  EXPECT_DOUBLE_EQ(sink.value("cpu.util", cpu0), 0.78);
  EXPECT_DOUBLE_EQ(sink.value("cpu.user", cpu0), 0.6);
  EXPECT_DOUBLE_EQ(sink.value("cpu.system", cpu0), 0.17);
  EXPECT_DOUBLE_EQ(sink.value("cpu.iowait", cpu0), 0.02);
  EXPECT_DOUBLE_EQ(sink.value("cpu.steal", cpu0), 0.01);
  EXPECT_DOUBLE_EQ(sink.value("cpu.idle", cpu0), 0.2);
  EXPECT_EQ(sink.value("cpu.util", R"(,"cpu":"1")"), 0);
  EXPECT_EQ(sink.value("cpu.idle", R"(,"cpu":"1")"), 1);
  EXPECT_DOUBLE_EQ(sink.value("cpu.user", R"(,"cpu":"2")"), 0.5);  // nice counts as user
  // cpu3's iowait stepped back by 5 ticks: counted as 0, never negative.
  EXPECT_EQ(sink.value("cpu.iowait", R"(,"cpu":"3")"), 0);
  EXPECT_DOUBLE_EQ(sink.value("cpu.idle", R"(,"cpu":"3")"), 0.995);
  EXPECT_DOUBLE_EQ(sink.value("cpu.util", R"(,"cpu":"total")"), 1385.0 / 3995.0);
  EXPECT_DOUBLE_EQ(sink.value("cpu.interrupts_per_s"), 1234.5);
  EXPECT_DOUBLE_EQ(sink.value("cpu.context_switches_per_s"), 10000);
  EXPECT_DOUBLE_EQ(sink.value("proc.forks_per_s"), 5);
  EXPECT_EQ(sink.value("mem.used_frac"), 0.75);
  EXPECT_EQ(sink.value("psi.cpu.full_avg10"), 0);

  const std::string nvme = R"(,"device":"nvme0n1")";
  EXPECT_DOUBLE_EQ(sink.value("disk.read_bytes_per_s", nvme), 2048000);
  EXPECT_DOUBLE_EQ(sink.value("disk.write_bytes_per_s", nvme), 1024000);
  EXPECT_DOUBLE_EQ(sink.value("disk.reads_per_s", nvme), 50);
  EXPECT_DOUBLE_EQ(sink.value("disk.writes_per_s", nvme), 100);
  EXPECT_DOUBLE_EQ(sink.value("disk.busy_frac", nvme), 0.25);
  EXPECT_EQ(sink.value("disk.busy_frac", R"(,"device":"dm-0")"), 1);  // 12 s busy in 10 s: capped
  // sda vanished, sdb is new, sdc's counters went down: no rates for them.
  EXPECT_EQ(sink.labels_of("disk.reads_per_s"), (std::vector<std::string>{nvme, R"(,"device":"dm-0")"}));

  const std::string eth0 = R"(,"interface":"eth0")";
  EXPECT_DOUBLE_EQ(sink.value("net.rx_bytes_per_s", eth0), 12500000);
  EXPECT_DOUBLE_EQ(sink.value("net.tx_bytes_per_s", eth0), 2500000);
  EXPECT_DOUBLE_EQ(sink.value("net.rx_packets_per_s", eth0), 10000);
  EXPECT_DOUBLE_EQ(sink.value("net.tx_packets_per_s", eth0), 5000);
  EXPECT_DOUBLE_EQ(sink.value("net.rx_errors_per_s", eth0), 0.5);
  EXPECT_DOUBLE_EQ(sink.value("net.tx_errors_per_s", eth0), 0);
  EXPECT_DOUBLE_EQ(sink.value("net.rx_drops_per_s", eth0), 1);
  EXPECT_DOUBLE_EQ(sink.value("net.tx_drops_per_s", eth0), 0.1);
  EXPECT_DOUBLE_EQ(sink.value("net.rx_packets_per_s", R"(,"interface":"lo")"), 50);
  // eth1's byte and packet counters reset: only its unchanged error and drop
  // counters give rates. docker0 went away, veth1a2b is new.
  const std::string eth1 = R"(,"interface":"eth1")";
  EXPECT_FALSE(sink.has("net.rx_bytes_per_s", eth1));
  EXPECT_FALSE(sink.has("net.tx_packets_per_s", eth1));
  EXPECT_EQ(sink.value("net.rx_errors_per_s", eth1), 0);
  EXPECT_EQ(sink.labels_of("net.tx_bytes_per_s"), (std::vector<std::string>{R"(,"interface":"lo")", eth0}));
  for (const auto& p : sink.points) {
    EXPECT_GE(p.value, 0) << p.metric << p.labels;
    EXPECT_LT(p.value, 1e12) << p.metric << p.labels;
  }

  const std::string root = R"(,"cgroup":"/")";
  const std::string docker = R"(,"cgroup":"/system.slice/docker-abc.scope")";
  const std::string ssh = R"(,"cgroup":"/system.slice/ssh.service")";
  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.usage", root), 3.5);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.io.read_bytes_per_s", root), 1048576);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.io.write_bytes_per_s", root), 2097152);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.usage", R"(,"cgroup":"/system.slice")"), 2.2);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.io.read_bytes_per_s", R"(,"cgroup":"/system.slice")"), 500000);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.usage", docker), 2);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.throttled_frac", docker), 0.25);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.throttled_seconds_per_s", docker), 0.15);
  EXPECT_EQ(sink.value("cgroup.mem.current_bytes", docker), 950000000);
  EXPECT_DOUBLE_EQ(sink.value("cgroup.cpu.usage", ssh), 0.01);
  EXPECT_EQ(sink.value("cgroup.cpu.throttled_frac", ssh), 0);  // no quota: never throttled
  // user.slice was re-created (usage went down): gauges but no rate.
  EXPECT_FALSE(sink.has("cgroup.cpu.usage", R"(,"cgroup":"/user.slice")"));
  EXPECT_EQ(sink.value("cgroup.mem.current_bytes", R"(,"cgroup":"/user.slice")"), 100000000);
  // cron.service is new: gauges only. user-1000.slice is gone.
  EXPECT_FALSE(sink.has("cgroup.cpu.usage", R"(,"cgroup":"/system.slice/cron.service")"));
  EXPECT_EQ(sink.value("cgroup.mem.current_bytes", R"(,"cgroup":"/system.slice/cron.service")"), 1048576);
  EXPECT_EQ(sink.count("cgroup.cpu.usage"), 5U);  // /, init.scope, system.slice, docker, ssh

  // --top 3: 2000 used 1000 ticks, 77 started and used 500, pid 100 was
  // reused (new starttime) and used 200; systemd's 15 ticks rank fourth.
  EXPECT_EQ(sink.labels_of("proc.cpu"),
            (std::vector<std::string>{R"(,"pid":"2000","comm":"my (weird) prog")", R"(,"pid":"77","comm":"make")",
                                      R"(,"pid":"100","comm":"python3")"}));
  EXPECT_DOUBLE_EQ(sink.value("proc.cpu", R"(,"pid":"2000","comm":"my (weird) prog")"), 1);
  EXPECT_DOUBLE_EQ(sink.value("proc.cpu", R"(,"pid":"77","comm":"make")"), 0.5);
  EXPECT_DOUBLE_EQ(sink.value("proc.cpu", R"(,"pid":"100","comm":"python3")"), 0.2);
  EXPECT_EQ(sink.value("proc.rss_bytes", R"(,"pid":"2000","comm":"my (weird) prog")"), 25600.0 * 4096);
}

TEST(PointBuilder, NoTimeElapsedGivesGaugesOnly) {
  d::HostReader a(options("v2-host")), b(options("v2-host-next"));
  d::Snapshot s0, s1;
  a.read(s0, 5);
  b.read(s1, 5);
  VectorSink sink;
  d::PointBuilder(d::MetricSet(), 0, 100, 4096).build(&s0, s1, sink);
  EXPECT_FALSE(sink.has("cpu.context_switches_per_s"));
  EXPECT_TRUE(sink.has("mem.used_frac"));
}

TEST(PointBuilder, OldKernelWithoutPsiCgroupV2OrMemAvailable) {
  d::HostReader reader(options("old-kernel"));
  d::Snapshot s0, s1;
  reader.read(s0, 0);
  reader.read(s1, 1);
  VectorSink sink;
  d::PointBuilder(d::MetricSet(), 0, 100, 4096).build(&s0, s1, sink);
  for (const auto& p : sink.points) {
    EXPECT_NE(p.metric.rfind("psi.", 0), 0U) << p.metric;
    EXPECT_NE(p.metric.rfind("cgroup.", 0), 0U) << p.metric;
  }
  EXPECT_FALSE(sink.has("mem.available_bytes"));
  EXPECT_FALSE(sink.has("mem.used_frac"));
  EXPECT_EQ(sink.value("mem.total_bytes"), 1030428.0 * 1024);
  // Same counters twice: every rate is 0 and CPU fractions need elapsed ticks.
  EXPECT_EQ(sink.value("cpu.context_switches_per_s"), 0);
  EXPECT_FALSE(sink.has("cpu.util", R"(,"cpu":"total")"));
  // Without sys/block every full diskstats line counts, except RAM disks.
  EXPECT_EQ(sink.labels_of("disk.reads_per_s"), (std::vector<std::string>{R"(,"device":"sda")"}));
  EXPECT_EQ(sink.count("net.rx_bytes_per_s"), 2U);
}

TEST(PointBuilder, MetricFilterSkipsFamilies) {
  d::MetricSet only_mem(std::vector<std::string>{"mem.*", "load.1m"});
  auto o = options("v2-host", 2, true);
  o.metrics = only_mem;
  d::HostReader reader(o);
  d::Snapshot s0, s1;
  reader.read(s0, 0);
  reader.read(s1, 1);
  EXPECT_FALSE(s1.has_stat);
  EXPECT_FALSE(s1.has_psi[0]);
  EXPECT_TRUE(s1.disks.empty());
  EXPECT_TRUE(s1.cgroups.empty());
  VectorSink sink;
  d::PointBuilder(only_mem, 0, 100, 4096).build(&s0, s1, sink);
  ASSERT_EQ(sink.points.size(), 9U);
  for (const auto& p : sink.points) EXPECT_TRUE(p.metric.rfind("mem.", 0) == 0 || p.metric == "load.1m");
}

TEST(MetricSet, Globs) {
  d::MetricSet all;
  EXPECT_TRUE(all[Metric::kTopRss]);
  d::MetricSet some(std::vector<std::string>{"cpu.util", "net.*_bytes_per_s", "psi.*.some_avg10"});
  EXPECT_TRUE(some[Metric::kCpuUtil]);
  EXPECT_FALSE(some[Metric::kCpuUser]);
  EXPECT_TRUE(some[Metric::kNetRxBytes]);
  EXPECT_FALSE(some[Metric::kNetRxPackets]);
  EXPECT_TRUE(some[Metric::kPsiIoSome]);
  EXPECT_FALSE(some[Metric::kPsiIoFull]);
  EXPECT_TRUE(some.any(Metric::kNetRxBytes, Metric::kNetTxDrops));
  EXPECT_FALSE(some.any(Metric::kDiskReadBytes, Metric::kDiskBusy));
  EXPECT_THROW(d::MetricSet(std::vector<std::string>{"cpu.*", "cpu.utilization"}), lepton::UsageError);
}

TEST(AppendLabel, EscapesAndRepairsUtf8) {
  std::string out;
  d::append_label(out, "comm", "a\"b\\c");
  EXPECT_EQ(out, R"(,"comm":"a\"b\\c")");
  out.clear();
  d::append_label(out, "comm", "caf\xC3\xA9 \xFF\xC3");
  EXPECT_EQ(out, ",\"comm\":\"caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD\"");
}
