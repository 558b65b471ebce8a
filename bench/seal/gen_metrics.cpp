// Writes seeded, realistic metrics NDJSON (points as lepton-collect emits
// them) until at least the requested number of bytes: a fleet of hosts
// sampled every 10 s, per-core CPU, memory, disk, network and load, with
// values that drift like real counters and gauges.
// Usage: seal_gen_metrics BYTES [SEED] > metrics.ndjson
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
};

struct Host {
  std::string name;
  std::string zone;
  std::vector<double> cpu;
  double mem = 0, load = 0;
  std::uint64_t disk_read = 0, disk_write = 0, net_rx = 0, net_tx = 0;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: seal_gen_metrics BYTES [SEED]\n");
    return 2;
  }
  const std::uint64_t target = std::strtoull(argv[1], nullptr, 10);
  Rng rng{argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 42};
  std::vector<Host> hosts(200);
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    hosts[i].name = "web-" + std::to_string(i);
    hosts[i].zone = std::string("eu-west-1") + static_cast<char>('a' + i % 3);
    hosts[i].cpu.assign(8, 0.2);
    hosts[i].mem = 8e9 + rng.uniform() * 8e9;
  }
  static char buf[1 << 20];
  std::setvbuf(stdout, buf, _IOFBF, sizeof buf);
  std::uint64_t written = 0;
  double ts = 1763769600;
  auto clamp01 = [](double v) { return v < 0 ? 0.0 : v > 1 ? 1.0 : v; };
  while (written < target) {
    for (auto& h : hosts) {
      for (std::size_t c = 0; c < h.cpu.size(); ++c) {
        h.cpu[c] = clamp01(h.cpu[c] + (rng.uniform() - 0.5) * 0.1);
        written += static_cast<std::uint64_t>(std::printf(
            "{\"ts\":%.0f,\"metric\":\"cpu.util\",\"host\":\"%s\",\"zone\":\"%s\",\"cpu\":\"%zu\",\"value\":%.4f}\n",
            ts, h.name.c_str(), h.zone.c_str(), c, h.cpu[c]));
      }
      h.mem += (rng.uniform() - 0.5) * 5e7;
      h.load = std::fabs(h.load * 0.9 + rng.uniform() * 0.8);
      h.disk_read += rng.next() % 4000000;
      h.disk_write += rng.next() % 9000000;
      h.net_rx += rng.next() % 20000000;
      h.net_tx += rng.next() % 10000000;
      const char* fmt_u = "{\"ts\":%.0f,\"metric\":\"%s\",\"host\":\"%s\",\"zone\":\"%s\",\"value\":%" PRIu64 "}\n";
      written += static_cast<std::uint64_t>(
          std::printf(fmt_u, ts, "mem.used_bytes", h.name.c_str(), h.zone.c_str(), static_cast<std::uint64_t>(h.mem)));
      written += static_cast<std::uint64_t>(
          std::printf("{\"ts\":%.0f,\"metric\":\"load.1m\",\"host\":\"%s\",\"zone\":\"%s\",\"value\":%.2f}\n", ts,
                      h.name.c_str(), h.zone.c_str(), h.load));
      written += static_cast<std::uint64_t>(
          std::printf(fmt_u, ts, "disk.read_bytes", h.name.c_str(), h.zone.c_str(), h.disk_read));
      written += static_cast<std::uint64_t>(
          std::printf(fmt_u, ts, "disk.write_bytes", h.name.c_str(), h.zone.c_str(), h.disk_write));
      written +=
          static_cast<std::uint64_t>(std::printf(fmt_u, ts, "net.rx_bytes", h.name.c_str(), h.zone.c_str(), h.net_rx));
      written +=
          static_cast<std::uint64_t>(std::printf(fmt_u, ts, "net.tx_bytes", h.name.c_str(), h.zone.c_str(), h.net_tx));
    }
    ts += 10;
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
