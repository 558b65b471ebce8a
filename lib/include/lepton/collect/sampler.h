// lepton-collect's host sampler: procfs, sysfs and cgroup v2 into points.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lepton/error.h"
#include "lepton/output.h"

namespace lepton::collect {

/// What `lepton-collect` (without --from) does.
struct SampleOptions {
  double interval = 10;       ///< seconds between samples; 0 = back to back
  std::int64_t count = -1;    ///< samples to emit; -1 = until stopped
  std::vector<std::pair<std::string, std::string>> labels;  ///< --label k=v (default host=<hostname>)
  std::vector<std::string> metric_globs;  ///< --metrics: keep only metric names matching one glob
  std::string root = "/";     ///< --root: where proc/ and sys/ are
  int top = 0;                ///< --top N processes by CPU (0: off)
  int cgroup_depth = 2;       ///< --cgroup-depth: how deep below the root cgroup
};

/// Samples the host until `count` samples are written or a stop is
/// requested. Returns the exit code.
int sample(const SampleOptions& options, Output& out, Diagnostics& diag);

}  // namespace lepton::collect
