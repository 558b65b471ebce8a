// detect-bench: detector throughput without I/O, to separate the cost of
// detection from parsing and writing. Same generator shapes as detect-gen.
//
// Usage: detect-bench [DETECTOR] [SERIES] [TICKS]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "lepton/detect/detector.h"

int main(int argc, char** argv) {
  std::string name = argc > 1 ? argv[1] : "ensemble";
  long series = argc > 2 ? std::atol(argv[2]) : 1000;
  long ticks = argc > 3 ? std::atol(argv[3]) : 1000;
  lepton::detect::DetectorOptions o;
  o.name = name;
  std::vector<std::unique_ptr<lepton::detect::Detector>> d;
  for (long i = 0; i < series; ++i) d.push_back(lepton::detect::make_detector(o));
  std::mt19937_64 rng(1);
  std::normal_distribution<double> noise(0, 1);
  // Precompute values so that only detection is timed.
  std::vector<double> values(static_cast<std::size_t>(series * ticks));
  for (long t = 0; t < ticks; ++t)
    for (long i = 0; i < series; ++i)
      values[static_cast<std::size_t>(t * series + i)] =
          (i % 3 == 0 ? 10 * std::sin(2 * M_PI * t / 8640.0) : 0) + 50 + 2 * noise(rng);
  std::clock_t c0 = std::clock();
  double sink = 0;
  for (long t = 0; t < ticks; ++t) {
    double ts = 1767225600 + 10.0 * static_cast<double>(t);
    for (long i = 0; i < series; ++i)
      sink += d[static_cast<std::size_t>(i)]->update(ts, values[static_cast<std::size_t>(t * series + i)]).score;
  }
  double secs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  double n = static_cast<double>(series) * static_cast<double>(ticks);
  std::printf("%s: %ld series x %ld ticks: %.3f s CPU, %.0f points/s (checksum %.3f)\n", name.c_str(), series, ticks,
              secs, n / secs, sink);
  return 0;
}
