// Evaluates library models directly on the M4 Hourly data (no NDJSON), for
// model development; bench/m4/run measures the tool itself.
// Usage: m4_models DATA_DIR MODEL... (model names as lepton-forecast --model)
// Environment: M4_PERIODS = detect | 24 | (unset: 24,168) picks the periods;
// M4_PER=PREFIX writes per-series sMAPE, MASE and model to PREFIX.<model>.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "lepton/forecast/auto.h"
#include "lepton/forecast/models.h"
#include "lepton/forecast/seasonality.h"
#include "m4_data.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: m4_models DATA_DIR MODEL...\n");
    return 2;
  }
  std::string dir = argv[1];
  auto train = m4::read_csv(dir + "/Hourly-train.csv");
  auto test = m4::read_csv(dir + "/Hourly-test.csv");
  const int h = 48, m = 24;
  const char* periods_env = std::getenv("M4_PERIODS");  // "detect" or e.g. "24,168"
  std::vector<double> naive2_smape, naive2_mase;
  double n2s = 0, n2m = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    auto f = lepton::forecast::naive2_forecast(train[i].values, m, h);
    n2s += m4::smape(test[i].values, f.mean);
    n2m += m4::mase(train[i].values, test[i].values, f.mean, m);
  }
  n2s /= train.size();
  n2m /= train.size();
  std::printf("%-28s %8s %8s %7s %7s %9s\n", "model", "sMAPE", "MASE", "OWA", "cov95", "ms/series");
  for (int a = 2; a < argc; ++a) {
    std::string name = argv[a];
    double s = 0, ms = 0, cov = 0, cnt = 0;
    std::clock_t c0 = std::clock();
    FILE* per =
        std::getenv("M4_PER") ? std::fopen((std::string(std::getenv("M4_PER")) + "." + name).c_str(), "w") : nullptr;
    for (std::size_t i = 0; i < train.size(); ++i) {
      std::vector<int> periods = {24, 168};
      if (periods_env && std::string(periods_env) == "detect")
        periods = lepton::forecast::detect_periods(train[i].values);
      else if (periods_env && std::string(periods_env) == "24")
        periods = {24};
      lepton::forecast::Forecast f;
      if (name.starts_with("auto")) {
        lepton::forecast::AutoOptions o;
        f = lepton::forecast::auto_forecast(train[i].values, periods, h, o);
      } else {
        f = lepton::forecast::forecast_by_name(name, train[i].values, periods, h);
      }
      double si = m4::smape(test[i].values, f.mean), mi = m4::mase(train[i].values, test[i].values, f.mean, m);
      s += si;
      ms += mi;
      for (int k = 0; k < h; ++k) {
        auto iv = f.interval(k, 0.95);
        cov += test[i].values[k] >= iv.lo && test[i].values[k] <= iv.hi;
        cnt += 1;
      }
      if (per) std::fprintf(per, "%s %.4f %.4f %s\n", train[i].id.c_str(), si, mi, f.model.c_str());
    }
    if (per) std::fclose(per);
    double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    s /= train.size();
    ms /= train.size();
    std::printf("%-28s %8.3f %8.3f %7.3f %7.3f %9.2f\n", name.c_str(), s, ms, 0.5 * (s / n2s + ms / n2m), cov / cnt,
                1000 * cpu / train.size());
    std::fflush(stdout);
  }
  return 0;
}
