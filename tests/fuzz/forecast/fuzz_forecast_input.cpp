// Fuzzes lepton-forecast's input path: NDJSON lines -> points -> per-series
// regularisation -> period detection -> a forecast. Invariants: nothing
// crashes; every forecast has the requested horizon; values are finite
// when the inputs are (moderate magnitudes); intervals contain the point
// forecast.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "lepton/forecast/run.h"
#include "lepton/json.h"
#include "lepton/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::vector<lepton::forecast::Observation>> series;
  lepton::JsonDocument doc;
  lepton::Point p;
  std::string problem;
  std::string_view got;
  bool moderate = true;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    auto line = text.substr(start, nl - start);
    start = nl + 1;
    if (!doc.parse(line)) continue;
    if (lepton::read_point(doc, p, problem, got) != lepton::PointStatus::kPoint) continue;
    if (std::abs(p.value) > 1e12 || std::abs(p.ts) > 1e10) moderate = false;
    series[lepton::series_key(p)].push_back({p.ts, p.value});
  }
  lepton::forecast::Options o;
  o.horizon = lepton::forecast::Horizon{5, 0};
  o.history = 2000;
  for (auto& [key, obs] : series) {
    // Keep the fuzzer fast: a wide time span with a tiny step is a data
    // error the engine reports (range_error), not something to explore.
    auto sf = lepton::forecast::forecast_series(obs, o);
    if (!sf.problem.empty()) continue;
    const auto& f = sf.forecast;
    if (f.mean.size() != 5) std::abort();
    for (std::size_t i = 0; i < f.mean.size(); ++i) {
      if (!moderate) continue;
      if (!std::isfinite(f.mean[i])) std::abort();
      auto iv = f.interval(i, 0.95);
      if (!(iv.lo <= f.mean[i] + 1e-6 * (1 + std::abs(f.mean[i])) &&
            iv.hi >= f.mean[i] - 1e-6 * (1 + std::abs(f.mean[i]))))
        std::abort();
    }
  }
  return 0;
}
