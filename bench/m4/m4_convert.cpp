// Converts M4 CSV series into lepton points: one hourly point per value,
// {"ts":...,"metric":"m4","id":"H1","value":...}, series after series.
// Usage: m4_convert TRAIN.csv > points.ndjson
#include <cstdio>

#include "m4_data.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: m4_convert TRAIN.csv\n");
    return 2;
  }
  // M4 Hourly gives no dates; every series starts at the same round hour.
  const long long base = 1700000000LL / 3600 * 3600;
  for (const auto& s : m4::read_csv(argv[1])) {
    for (std::size_t i = 0; i < s.values.size(); ++i)
      std::printf("{\"ts\":%lld,\"metric\":\"m4\",\"id\":\"%s\",\"value\":%.17g}\n",
                  base + 3600LL * static_cast<long long>(i), s.id.c_str(), s.values[i]);
  }
  return 0;
}
