// Writes a seeded, reproducible metrics NDJSON stream shaped like
// lepton-collect output: many hosts and metrics, labels, mixed magnitudes.
// Usage: bench_io_gen MEGABYTES [SEED] > file.ndjson
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "lepton/json.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_io_gen MEGABYTES [SEED]\n");
    return 2;
  }
  const std::uint64_t target = std::strtoull(argv[1], nullptr, 10) << 20;
  const std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 42;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  static const char* kMetrics[] = {
      "cpu.util",           "cpu.user",          "mem.available_bytes", "load.1m", "disk.read_bytes_per_s",
      "net.rx_bytes_per_s", "psi.io.some_avg10", "fs.used_frac"};
  static const char* kExtra[] = {"cpu", "cpu", "", "", "device", "interface", "", "mount"};
  static const char* kValues[] = {"total", "0", "sda", "eth0", "/", "/var/lib/docker", "nvme0n1", "1"};
  std::string buf;
  buf.reserve(1 << 20);
  std::uint64_t written = 0;
  double ts = 1763769600.0;
  std::uint64_t i = 0;
  while (written < target) {
    buf.clear();
    for (int k = 0; k < 4096; ++k, ++i) {
      std::size_t m = i % 8;
      if (m == 0) ts += 0.25;
      lepton::JsonWriter w(buf);
      w.begin_object();
      w.field("ts", ts);
      w.field("metric", kMetrics[m]);
      std::string host = "web-" + std::to_string((i / 8) % 500);
      w.field("host", host);
      if (kExtra[m][0] != '\0') w.field(kExtra[m], kValues[(i / 8 + m) % 8]);
      double v;
      switch (m) {
        case 2:
          v = std::floor(unit(rng) * 64e9);
          break;
        case 4:
        case 5:
          v = std::floor(unit(rng) * 1e9) / 8;
          break;
        case 3:
          v = std::round(unit(rng) * 1600) / 100;
          break;
        default:
          v = unit(rng);
      }
      w.field("value", v);
      w.end_object();
      buf.push_back('\n');
    }
    std::fwrite(buf.data(), 1, buf.size(), stdout);
    written += buf.size();
  }
  return 0;
}
