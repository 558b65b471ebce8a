// detect-gen: a seeded, reproducible stream of points from many series, as
// lepton-collect would send them: one tick at a time, every series per tick.
// Series mix daily-seasonal, random-walk and noisy-level behaviours, with
// rare spikes and level shifts.
//
// Usage: detect-gen SERIES TICKS [SEED]   (points go to stdout)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: detect-gen SERIES TICKS [SEED]\n");
    return 2;
  }
  const long series = std::atol(argv[1]), ticks = std::atol(argv[2]);
  const unsigned seed = argc > 3 ? static_cast<unsigned>(std::atol(argv[3])) : 1;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  static const char* metrics[] = {"cpu.util", "mem.used", "disk.io", "net.rx",   "gpu.util",
                                  "load.1m",  "psi.cpu",  "temp",    "req.rate", "latency"};
  struct S {
    double level, amp, sd, walk;
    int kind;
  };
  std::vector<S> st(static_cast<std::size_t>(series));
  for (auto& s : st) s = {unit(rng) * 100, unit(rng) * 20, 0.5 + unit(rng) * 3, 0, static_cast<int>(unit(rng) * 3)};
  const double t0 = 1767225600;  // 2026-01-01
  std::string buf;
  buf.reserve(1 << 20);
  for (long t = 0; t < ticks; ++t) {
    double ts = t0 + 10.0 * static_cast<double>(t);
    for (long i = 0; i < series; ++i) {
      S& s = st[static_cast<std::size_t>(i)];
      double v;
      if (s.kind == 0)
        v = s.level + s.amp * std::sin(2 * M_PI * ts / 86400) + s.sd * noise(rng);
      else if (s.kind == 1)
        v = s.level + (s.walk += 0.1 * s.sd * noise(rng));
      else
        v = s.level + s.sd * noise(rng);
      double u = unit(rng);
      if (u < 1e-4) v += 20 * s.sd;            // spike
      if (u > 1 - 2e-5) s.level += 10 * s.sd;  // level shift
      fmt::format_to(std::back_inserter(buf), "{{\"ts\":{},\"metric\":\"{}\",\"host\":\"h{}\",\"value\":{:.4f}}}\n", ts,
                     metrics[i % 10], i / 10, v);
      if (buf.size() > (1 << 20) - 256) {
        std::fwrite(buf.data(), 1, buf.size(), stdout);
        buf.clear();
      }
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  return 0;
}
