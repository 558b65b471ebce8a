#include "lepton/collect/sampler.h"

#include <unistd.h>

#include <cmath>
#include <ctime>
#include <memory>

#include <fmt/format.h>

#include "collect/host.h"
#include "lepton/json.h"
#include "lepton/record.h"
#include "lepton/signals.h"
#include "lepton/time.h"

namespace lepton::collect {

namespace {

using detail::Metric;

// Writes points as NDJSON lines straight into the output buffer, with the
// metric names and the common labels serialised once.
class JsonSink : public detail::PointSink {
 public:
  JsonSink(Output& out, std::string common_labels) : out_(out), common_(std::move(common_labels)) {
    for (std::size_t i = 0; i < detail::kMetricCount; ++i) {
      names_[i] = ",\"metric\":";
      append_json_string(names_[i], detail::metric_name(static_cast<Metric>(i)));
    }
  }

  void set_time(double ts) {
    ts_.assign("{\"ts\":");
    append_number(ts_, ts);
  }

  void point(Metric m, std::string_view labels, double value) override {
    if (!std::isfinite(value)) return;  // a point's value is always finite
    std::string& b = out_.buffer();
    b.append(ts_);
    b.append(names_[static_cast<std::size_t>(m)]);
    b.append(common_);
    b.append(labels);
    b.append(",\"value\":");
    append_number(b, value);
    b.push_back('}');
    out_.end_line();
    ++points_;
  }

  std::uint64_t points() const { return points_; }

 private:
  Output& out_;
  std::string common_;
  std::string ts_;
  std::string names_[detail::kMetricCount];
  std::uint64_t points_ = 0;
};

double monotonic_now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Labels the sampler sets itself; a --label of the same name would clash.
constexpr std::string_view kOwnLabels[] = {"cpu", "device", "mount", "fstype", "interface", "cgroup", "pid", "comm"};

std::string common_labels(const SampleOptions& o, const detail::HostReader& reader) {
  std::vector<std::pair<std::string, std::string>> labels;
  bool has_host = false;
  for (const auto& [k, v] : o.labels) {
    if (k.empty()) throw UsageError("--label takes NAME=VALUE; got an empty name");
    if (is_reserved_field(k) || k == "ts" || k == "metric" || k == "value")
      throw UsageError(fmt::format("--label: '{}' is a reserved field name, not a label", k));
    for (auto own : kOwnLabels)
      if (k == own) throw UsageError(fmt::format("--label: '{}' is a label lepton-collect sets itself", k));
    has_host |= k == "host";
    bool replaced = false;
    for (auto& l : labels)
      if (l.first == k) l.second = v, replaced = true;  // the last one wins
    if (!replaced) labels.emplace_back(k, v);
  }
  if (!has_host) labels.insert(labels.begin(), {"host", reader.hostname()});
  std::string out;
  for (const auto& [k, v] : labels)
    if (!v.empty()) detail::append_label(out, k, v);  // an empty value removes the label
  return out;
}

}  // namespace

int sample(const SampleOptions& options, Output& out, Diagnostics& diag) {
  (void)diag;  // sampling has no input records to reject
  if (!(options.interval >= 0) || !std::isfinite(options.interval))
    throw UsageError(fmt::format("--interval must be 0 or more seconds; got {}", options.interval));
  const auto interval_us = static_cast<std::int64_t>(std::llround(options.interval * 1e6));
  if (options.interval > 0 && interval_us == 0) throw UsageError("--interval must be 0 or at least 1us");
  if (options.count == 0 || options.count < -1)
    throw UsageError(fmt::format("--count must be at least 1; got {}", options.count));
  if (options.top < 0) throw UsageError(fmt::format("--top must be 0 or more; got {}", options.top));
  if (options.cgroup_depth < 0)
    throw UsageError(fmt::format("--cgroup-depth must be 0 or more; got {}", options.cgroup_depth));

  detail::MetricSet metrics(options.metric_globs);
  detail::ReaderOptions ro;
  ro.root = options.root.empty() ? std::string("/") : options.root;
  ro.cgroup_depth = options.cgroup_depth;
  ro.read_procs = options.top > 0 && (metrics[Metric::kTopCpu] || metrics[Metric::kTopRss]);
  ro.metrics = metrics;
  detail::HostReader reader(std::move(ro));
  JsonSink sink(out, common_labels(options, reader));
  detail::PointBuilder builder(metrics, options.top, static_cast<double>(sysconf(_SC_CLK_TCK)),
                               static_cast<double>(sysconf(_SC_PAGESIZE)));

  auto snaps = std::make_unique<detail::Snapshot[]>(2);
  int cur = 0;
  bool have_prev = false;
  std::int64_t tick_us = 0;
  for (std::int64_t n = 0; options.count < 0 || n < options.count; ++n) {
    double ts;
    if (interval_us > 0) {
      // Ticks sit on multiples of the interval (wall clock), computed from
      // the grid rather than by adding sleeps, so they never drift. A tick
      // missed by more than one interval (suspend, overload) is skipped.
      auto now_us = static_cast<std::int64_t>(std::floor(now_unix() * 1e6));
      if (n == 0 || now_us >= tick_us + interval_us) tick_us = (now_us + interval_us - 1) / interval_us * interval_us;
      if (!sleep_until(static_cast<double>(tick_us) / 1e6)) break;
      ts = static_cast<double>(tick_us) / 1e6;
      tick_us += interval_us;
    } else {
      if (stop_requested()) break;
      ts = std::round(now_unix() * 1e6) / 1e6;
    }
    reader.read(snaps[cur], monotonic_now());
    sink.set_time(ts);
    builder.build(have_prev ? &snaps[1 - cur] : nullptr, snaps[cur], sink);
    have_prev = true;
    cur = 1 - cur;
    // A sample is a batch: do not hold it back while sleeping to the next.
    if (interval_us > 0) out.flush();
    if (stop_requested()) break;
  }
  return kExitOk;
}

}  // namespace lepton::collect
