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
  double interval = 10;     ///< seconds between samples, on multiples of it (wall clock); 0 = back to back
  std::int64_t count = -1;  ///< samples to take (>= 1); -1 = until stopped
  /// --label NAME=VALUE, in order; the last value of a name wins. host=<hostname> is added
  /// unless `host` is given; an empty value removes the label.
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<std::string> metric_globs;  ///< --metrics: fnmatch(3) globs over metric names; empty = all
  std::string root = "/";                 ///< --root: where proc/ and sys/ are
  int top = 0;                            ///< --top N processes by CPU (0: off)
  int cgroup_depth = 2;                   ///< --cgroup-depth: levels below the cgroup v2 root (0: the root only)
};

/// Samples the host and writes points (see man lepton-collect, HOST METRICS)
/// to `out` until `count` samples are taken or a stop is requested
/// (SIGINT/SIGTERM via lepton::stop_requested(), checked between samples and
/// while sleeping). The first sample primes the counters and emits gauges
/// only; rates start with the second. Each sample is flushed when interval
/// > 0. Throws UsageError for bad options (a label that is reserved or that
/// the sampler sets itself, a glob that matches no metric, count 0, negative
/// top or depth) and DataError when `root`/proc/stat cannot be opened.
/// Returns the exit code (0).
int sample(const SampleOptions& options, Output& out, Diagnostics& diag);

}  // namespace lepton::collect
