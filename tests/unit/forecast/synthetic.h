// Deterministic test series shared by the forecast unit tests; the same
// formulas are in tests/fixtures/forecast/reference.R, which produced the
// R reference values the tests compare with.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace lepton::forecast::test {

inline double pseudo_noise(int t) { return 5 * std::sin(t * t * 0.37); }

// 100 + 0.5 t + noise, t = 0..119.
inline std::vector<double> y_trend() {
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) y.push_back(100 + 0.5 * t + pseudo_noise(t));
  return y;
}

// 50 + 10 sin(2 pi t / 12) + 0.2 t + noise.
inline std::vector<double> y_seas() {
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) y.push_back(50 + 10 * std::sin(2 * M_PI * t / 12) + 0.2 * t + pseudo_noise(t));
  return y;
}

// 200 + 20 sin(2 pi t / 12) + noise (positive).
inline std::vector<double> y_pos() {
  std::vector<double> y;
  for (int t = 0; t < 120; ++t) y.push_back(200 + 20 * std::sin(2 * M_PI * t / 12) + pseudo_noise(t));
  return y;
}

// Gaussian noise from a seeded generator (xorshift + Box-Muller).
class Noise {
 public:
  explicit Noise(std::uint64_t seed) : s_(seed * 2654435761ULL + 1) {}
  double uniform() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return (static_cast<double>(s_ >> 11) + 0.5) / 9007199254740992.0;
  }
  double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform()); }

 private:
  std::uint64_t s_;
};

}  // namespace lepton::forecast::test
