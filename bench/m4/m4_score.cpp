// Scores forecast records against the M4 test data.
// Usage: m4_score DATA_DIR NAIVE2.ndjson MODEL.ndjson [LABEL]
// Both files hold {"kind":"forecast","id":...,"step":k,"value":...,"lo":...,"hi":...}
// records (lepton-forecast output, or the R script's). Only series present
// in MODEL.ndjson are scored, and OWA is relative to Naive2 on those series.
// Prints: label series sMAPE MASE OWA coverage
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "lepton/input.h"
#include "lepton/json.h"
#include "m4_data.h"

namespace {

struct Fc {
  std::vector<double> mean, lo, hi;
};

std::map<std::string, Fc> read_forecasts(const std::string& path, int h) {
  std::map<std::string, Fc> out;
  lepton::LineReader in(path);
  lepton::JsonDocument doc;
  std::string_view line;
  while (in.next(line)) {
    if (line.empty() || !doc.parse(line)) continue;
    auto* id = doc.get("id");
    auto* step = doc.get("step");
    auto* value = doc.get("value");
    if (!id || !step || !value || !id->is_string()) continue;
    auto k = static_cast<int>(step->number);
    if (k < 1 || k > h) continue;
    Fc& f = out[std::string(id->str)];
    if (f.mean.empty()) f.mean.assign(h, NAN), f.lo.assign(h, NAN), f.hi.assign(h, NAN);
    f.mean[k - 1] = value->is_number() ? value->number : NAN;
    auto* lo = doc.get("lo");
    auto* hi = doc.get("hi");
    f.lo[k - 1] = lo && lo->is_number() ? lo->number : NAN;
    f.hi[k - 1] = hi && hi->is_number() ? hi->number : NAN;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: m4_score DATA_DIR NAIVE2.ndjson MODEL.ndjson [LABEL]\n");
    return 2;
  }
  const int h = 48, m = 24;
  std::string dir = argv[1];
  auto train = m4::read_csv(dir + "/Hourly-train.csv");
  auto test = m4::read_csv(dir + "/Hourly-test.csv");
  auto naive2 = read_forecasts(argv[2], h);
  auto model = read_forecasts(argv[3], h);
  std::string label = argc > 4 ? argv[4] : argv[3];
  double s = 0, ms = 0, ns = 0, nm = 0, cov = 0, cnt = 0;
  int series = 0, missing = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    auto it = model.find(train[i].id);
    if (it == model.end()) continue;
    auto n2 = naive2.find(train[i].id);
    if (n2 == naive2.end()) {
      std::fprintf(stderr, "m4_score: no Naive2 forecast for %s\n", train[i].id.c_str());
      return 1;
    }
    const auto& y = test[i].values;
    const Fc& f = it->second;
    for (double v : f.mean) missing += std::isnan(v);
    s += m4::smape(y, f.mean);
    ms += m4::mase(train[i].values, y, f.mean, m);
    ns += m4::smape(y, n2->second.mean);
    nm += m4::mase(train[i].values, y, n2->second.mean, m);
    for (int k = 0; k < h; ++k) {
      cov += y[k] >= f.lo[k] && y[k] <= f.hi[k];
      cnt += 1;
    }
    ++series;
  }
  if (series == 0 || missing) {
    std::fprintf(stderr, "m4_score: %s: %d series, %d missing forecast steps\n", argv[3], series, missing);
    return 1;
  }
  std::printf("%s %d %.3f %.3f %.3f %.3f\n", label.c_str(), series, s / series, ms / series, 0.5 * (s / ns + ms / nm),
              cov / cnt);
  return 0;
}
