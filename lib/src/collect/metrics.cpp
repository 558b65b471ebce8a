#include "collect/metrics.h"

#include <fnmatch.h>

#include <fmt/format.h>

#include "lepton/error.h"

namespace lepton::collect::detail {

namespace {
constexpr std::string_view kNames[] = {
#define LEPTON_COLLECT_NAME(e, name, unit) name,
    LEPTON_COLLECT_METRICS(LEPTON_COLLECT_NAME)
#undef LEPTON_COLLECT_NAME
};
static_assert(std::size(kNames) == kMetricCount);
}  // namespace

std::string_view metric_name(Metric m) { return kNames[static_cast<std::size_t>(m)]; }

MetricSet::MetricSet(const std::vector<std::string>& globs) {
  if (globs.empty()) {
    on_.fill(true);
    return;
  }
  for (const auto& glob : globs) {
    bool matched = false;
    for (std::size_t i = 0; i < kMetricCount; ++i) {
      // kNames are NUL-terminated literals, so data() is a C string.
      if (fnmatch(glob.c_str(), kNames[i].data(), 0) == 0) {
        on_[i] = true;
        matched = true;
      }
    }
    if (!matched)
      throw UsageError(
          fmt::format("--metrics: '{}' matches no host metric (see HOST METRICS in man lepton-collect)", glob));
  }
}

bool MetricSet::any(Metric first, Metric last) const {
  for (auto i = static_cast<std::size_t>(first); i <= static_cast<std::size_t>(last); ++i)
    if (on_[i]) return true;
  return false;
}

}  // namespace lepton::collect::detail
