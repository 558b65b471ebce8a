#include "lepton/forecast/run.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "lepton/forecast/auto.h"
#include "lepton/forecast/exposition.h"
#include "lepton/forecast/models.h"
#include "lepton/forecast/seasonality.h"
#include "lepton/json.h"
#include "lepton/prometheus.h"
#include "lepton/time.h"
#include "lepton/tool.h"

namespace lepton::forecast {

// ---------------------------------------------------------------------------
// Option values

int Horizon::steps_for(double step) const {
  if (steps > 0) return steps;
  if (step <= 0) return 1;
  double n = std::ceil(seconds / step - 1e-9);
  return n > 1e9 ? 1'000'000'000 : std::max(1, static_cast<int>(n));
}

namespace {

std::optional<int> parse_int(std::string_view t) {
  int v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

bool has_unit(std::string_view t) {
  return std::any_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

std::vector<std::string_view> split_list(std::string_view t) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= t.size()) {
    auto comma = t.find(',', start);
    if (comma == std::string_view::npos) comma = t.size();
    out.push_back(t.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::optional<Horizon> parse_horizon(std::string_view text) {
  Horizon h;
  if (!has_unit(text)) {
    auto v = parse_int(text);
    if (!v || *v < 1) return std::nullopt;
    h.steps = *v;
    return h;
  }
  auto d = parse_duration(text);
  if (!d || !(*d > 0)) return std::nullopt;
  h.seconds = *d;
  return h;
}

SeasonSpec parse_season(std::string_view text) {
  SeasonSpec s;
  if (text == "auto") return s;
  s.detect = false;
  if (text == "none") return s;
  for (auto item : split_list(text)) {
    PeriodSpec p;
    if (has_unit(item)) {
      auto d = parse_duration(item);
      if (!d || !(*d > 0))
        throw UsageError(fmt::format("--season takes auto, none, steps (24,168) or durations (1d,7d); got '{}'", text));
      p.seconds = *d;
    } else {
      auto v = parse_int(item);
      if (!v || *v < 2)
        throw UsageError(fmt::format("--season periods in steps must be whole numbers >= 2; got '{}'", text));
      p.steps = *v;
    }
    s.periods.push_back(p);
  }
  return s;
}

std::vector<double> parse_levels(std::string_view text) {
  std::vector<double> out;
  for (auto item : split_list(text)) {
    double v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || p != item.data() + item.size() || !(v > 0) || !(v < 100) || v == 1)
      throw UsageError(
          fmt::format("--level takes percentages in (1, 100) or fractions in (0, 1), e.g. 80,95; got '{}'", text));
    out.push_back(v < 1 ? v : v / 100);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const std::vector<std::string>& output_formats() {
  static const std::vector<std::string> formats = {"ndjson", "prometheus"};
  return formats;
}

Eta find_eta(const SeriesForecast& sf, double thr, bool below, double level) {
  const Forecast& f = sf.forecast;
  auto beyond = [&](double v) { return below ? v <= thr : v >= thr; };
  // First crossing of a sequence, interpolated linearly from the last observation.
  auto crossing = [&](auto value_at) -> std::optional<double> {
    double t0 = sf.last_ts, v0 = sf.last_value;
    for (std::size_t i = 0; i < f.horizon(); ++i) {
      double t1 = sf.last_ts + sf.step * static_cast<double>(i + 1), v1 = value_at(i);
      if (std::isfinite(v1) && beyond(v1)) {
        if (v1 == v0) return t1;
        double frac = std::clamp((thr - v0) / (v1 - v0), 0.0, 1.0);
        return t0 + frac * (t1 - t0);
      }
      t0 = t1;
      v0 = v1;
    }
    return std::nullopt;
  };
  Eta eta;
  eta.until = sf.last_ts + sf.step * static_cast<double>(f.horizon());
  if (beyond(sf.last_value)) {
    eta.point = eta.worst = sf.last_ts;
    eta.state = "crossed";
    return eta;
  }
  eta.point = crossing([&](std::size_t i) { return f.mean[i]; });
  eta.worst = crossing([&](std::size_t i) {
    Interval iv = f.interval(i, level);
    return below ? iv.lo : iv.hi;
  });
  if (eta.point) {
    eta.state = "forecast";
  } else if (eta.worst) {
    eta.state = "possible";
  }
  return eta;
}

// ---------------------------------------------------------------------------
// One series

namespace {
// Beyond this a duration horizon over a fine step is a mistake, not a plan.
constexpr int kMaxHorizon = 100'000;
}  // namespace

namespace {

std::vector<int> resolve_periods(const SeasonSpec& spec, std::span<const double> y, double step) {
  std::vector<int> periods;
  if (spec.detect) {
    periods = detect_periods(y);
  } else {
    for (const auto& p : spec.periods) {
      int steps = p.steps;
      if (steps == 0 && step > 0) steps = static_cast<int>(std::llround(p.seconds / step));
      if (steps >= 2) periods.push_back(steps);
    }
  }
  std::sort(periods.begin(), periods.end());
  periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
  return periods;
}

}  // namespace

namespace detail {

// Forecast of a prepared series, reusing `cache` (auto selection) when given.
Forecast run_model(const Options& opt, std::span<const double> y, const std::vector<int>& periods, int h,
                   AutoReport* report, const AutoReport* reuse) {
  if (opt.model == "auto") {
    if (reuse) return auto_forecast_with(y, h, *reuse);
    return auto_forecast(y, periods, h, {}, report);
  }
  return forecast_by_name(opt.model, y, periods, h);
}

// Regularises and trims a series; fills `sf` except the forecast.
bool prepare(std::vector<Observation> obs, const Options& opt, SeriesForecast& sf, RegularSeries& reg) {
  RegularOptions ro;
  ro.step = opt.step;
  ro.max_fill = opt.max_fill;
  try {
    reg = regularise(std::move(obs), ro);
  } catch (const std::range_error& e) {
    sf.problem = e.what();
    return false;
  }
  if (reg.values.empty()) {
    sf.problem = "no points";
    return false;
  }
  if (reg.step <= 0) {
    sf.problem = "a single time stamp; give --step to forecast from one point";
    return false;
  }
  if (reg.values.size() > opt.history) {
    const std::size_t drop = reg.values.size() - opt.history;
    reg.values.erase(reg.values.begin(), reg.values.begin() + static_cast<std::ptrdiff_t>(drop));
    reg.start += reg.step * static_cast<double>(drop);
    std::erase_if(reg.long_gaps, [&](const Gap& g) { return g.start < reg.start; });
  }
  sf.step = reg.step;
  sf.last_ts = reg.end();
  sf.last_value = reg.values.back();
  sf.long_gaps = reg.long_gaps;
  return true;
}

}  // namespace detail

SeriesForecast forecast_series(std::vector<Observation> obs, const Options& opt) {
  SeriesForecast sf;
  RegularSeries reg;
  if (!detail::prepare(std::move(obs), opt, sf, reg)) return sf;
  sf.periods = resolve_periods(opt.season, reg.values, reg.step);
  if (!reg.long_gaps.empty() && !sf.periods.empty()) fill_long_gaps(reg, sf.periods.back());
  const int h = opt.horizon.steps_for(reg.step);
  if (h > kMaxHorizon) {
    sf.problem = fmt::format("the horizon is {} steps of {}, more than {}", h, format_duration(reg.step), kMaxHorizon);
    return sf;
  }
  sf.forecast = detail::run_model(opt, reg.values, sf.periods, h, nullptr, nullptr);
  return sf;
}

// ---------------------------------------------------------------------------
// The program

namespace {

// Runs fn(i) for i in [0, n) on up to `threads` threads.
template <typename Fn>
void parallel_for(std::size_t n, int threads, Fn&& fn) {
  std::size_t workers =
      threads > 0 ? static_cast<std::size_t>(threads) : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, n);
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex mu;
  auto work = [&] {
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= n) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mu);
        if (!failure) failure = std::current_exception();
        next.store(n);
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

struct SeriesState {
  std::string key;
  std::string metric;
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<Observation> obs;  // batch: all; streaming: a bounded window
  double min_seen = INFINITY;    // range of every value seen, for limits_for
  double max_seen = -INFINITY;
  // Streaming only.
  bool dirty = false;
  double max_ts = -INFINITY;
  std::optional<AutoReport> selection;
  double selected_at = -INFINITY;
  std::size_t selected_steps = 0;  // history length at the selection
};

std::string level_suffix(double level) {
  double pct = std::round(level * 100 * 1e6) / 1e6;
  std::string s;
  append_number(s, pct);
  return s;
}

class Writer {
 public:
  Writer(const Options& opt, Output& out) : opt_(opt), out_(out) {
    for (double l : opt.levels) suffixes_.push_back(level_suffix(l));
  }

  void series_fields(JsonWriter& w, const SeriesState& s) {
    w.key("metric");
    w.string(s.metric);
    for (const auto& [k, v] : s.labels) {
      w.key(k);
      w.string(v);
    }
  }

  void forecasts(const SeriesState& s, const SeriesForecast& sf) {
    const Forecast& f = sf.forecast;
    for (std::size_t i = 0; i < f.horizon(); ++i) {
      std::string& buf = out_.buffer();
      JsonWriter w(buf);
      w.begin_object();
      w.field("kind", "forecast");
      w.key("ts");
      w.number(sf.last_ts + sf.step * static_cast<double>(i + 1));
      series_fields(w, s);
      w.key("value");
      w.number(f.mean[i]);
      const double widest = opt_.levels.back();
      Interval iv = f.interval(i, widest);
      w.key("lo");
      w.number(iv.lo);
      w.key("hi");
      w.number(iv.hi);
      w.key("level");
      w.number(widest);
      for (std::size_t l = 0; l + 1 < opt_.levels.size(); ++l) {
        Interval il = f.interval(i, opt_.levels[l]);
        w.key("lo" + suffixes_[l]);
        w.number(il.lo);
        w.key("hi" + suffixes_[l]);
        w.number(il.hi);
      }
      w.field("model", f.model);
      w.field("step", static_cast<std::int64_t>(i + 1));
      w.end_object();
      out_.end_line();
    }
  }

  void eta(const SeriesState& s, const SeriesForecast& sf) {
    const double thr = *opt_.eta;
    const bool below = opt_.eta_below;
    const double level = opt_.levels.back();
    const Eta e = find_eta(sf, thr, below, level);
    const std::optional<double>& point = e.point;
    const std::optional<double>& worst = e.worst;
    std::string& buf = out_.buffer();
    JsonWriter w(buf);
    w.begin_object();
    w.field("kind", "eta");
    w.key("ts");
    w.number(sf.last_ts);
    series_fields(w, s);
    w.key("value");
    w.number(sf.last_value);
    w.key("threshold");
    w.number(thr);
    w.field("above", !below);
    w.field("state", e.state);
    auto opt_time = [&](std::string_view k, const std::optional<double>& t) {
      w.key(k);
      if (t) {
        w.number(*t);
      } else {
        w.null();
      }
    };
    opt_time("eta", point);
    opt_time("in", point ? std::optional<double>(*point - sf.last_ts) : std::nullopt);
    opt_time("eta_worst", worst);
    opt_time("in_worst", worst ? std::optional<double>(*worst - sf.last_ts) : std::nullopt);
    w.key("level");
    w.number(level);
    w.key("until");
    w.number(e.until);
    w.field("model", sf.forecast.model);
    w.end_object();
    out_.end_line();
  }

  void emit(const SeriesState& s, const SeriesForecast& sf) {
    if (sf.forecast.mean.empty()) return;
    if (opt_.eta) {
      eta(s, sf);
    } else {
      forecasts(s, sf);
    }
  }

 private:
  const Options& opt_;
  Output& out_;
  std::vector<std::string> suffixes_;
};

void report_series(Diagnostics& diag, const SeriesState& s, const SeriesForecast& sf, int max_fill) {
  if (!sf.problem.empty()) {
    diag.warn(fmt::format("{}: not forecast: {}", s.key, sf.problem));
    return;
  }
  if (!sf.long_gaps.empty()) {
    const Gap* longest = &sf.long_gaps.front();
    for (const auto& g : sf.long_gaps)
      if (g.steps > longest->steps) longest = &g;
    diag.warn(fmt::format("{}: {} gap{} longer than {} steps (longest {} from {}), filled {}", s.key,
                          sf.long_gaps.size(), sf.long_gaps.size() == 1 ? "" : "s", max_fill,
                          format_duration(sf.step * static_cast<double>(longest->steps)), format_time(longest->start),
                          sf.periods.empty() ? "linearly" : "from the previous season"));
  }
}

class Engine {
 public:
  Engine(const Options& opt, Output& out, Diagnostics& diag)
      : opt_(opt), out_(out), diag_(diag), writer_(opt, out), ndjson_(opt.format == "ndjson") {
    if (!ndjson_ || !opt.textfile.empty()) exposition_.emplace(opt);
  }

  int run() {
    RecordReader reader(opt_.inputs, diag_);
    Point p;
    std::string problem, key;
    std::string_view got;
    while (reader.next()) {
      auto status = read_point(reader.doc(), p, problem, got);
      if (status == PointStatus::kNotPoint) {
        // The exposition has no place for other records; with --shard only
        // shard 0 copies them, so merged shards equal one process.
        if (ndjson_ && opt_.shard.index == 0) out_.write_line(reader.line());
        continue;
      }
      if (status == PointStatus::kBad) {
        reader.bad(problem, got);
        continue;
      }
      key.clear();
      append_series_key(key, p.metric, p.labels);
      if (!opt_.shard.owns_key(key)) continue;
      if (opt_.keep_points && ndjson_) out_.write_line(reader.line());
      auto it = index_.find(key);
      if (it == index_.end()) {
        SeriesState s;
        s.key = key;
        s.metric = std::string(p.metric);
        for (const auto& l : p.labels) s.labels.emplace_back(std::string(l.name), std::string(l.value));
        it = index_.emplace(key, series_.size()).first;
        series_.push_back(std::move(s));
      }
      SeriesState& seen = series_[it->second];
      seen.min_seen = std::min(seen.min_seen, p.value);
      seen.max_seen = std::max(seen.max_seen, p.value);
      if (opt_.every > 0) {
        stream_point(p.ts);
        add_stream(series_[it->second], {p.ts, p.value});
      } else {
        series_[it->second].obs.push_back({p.ts, p.value});
      }
    }
    if (opt_.every > 0) {
      emit_stream();  // also rewrites the textfile
      if (!ndjson_) out_.write_bytes(exposition_->render());
    } else {
      batch();
      if (exposition_) {
        std::string text = exposition_->render();
        if (!opt_.textfile.empty()) write_file_atomically(opt_.textfile, text);
        if (!ndjson_) out_.write_bytes(text);
      }
    }
    out_.flush();
    return kExitOk;
  }

 private:
  void batch() {
    std::vector<SeriesForecast> results(series_.size());
    // Progress over the series fitted, on stderr if it is a terminal. Workers
    // count atomically; whoever gets the lock draws, the others go on.
    Progress progress("lepton-forecast: fitting", series_.size(), diag_.stream());
    std::atomic<std::size_t> done{0};
    std::mutex mu;
    parallel_for(series_.size(), opt_.threads, [&](std::size_t i) {
      results[i] = forecast_series(std::move(series_[i].obs), opt_);
      series_[i].obs = {};
      ++done;
      if (progress.active()) {
        std::unique_lock<std::mutex> lock(mu, std::try_to_lock);
        if (lock) progress.update(done.load());
      }
    });
    progress.finish();
    for (std::size_t i = 0; i < series_.size(); ++i) {
      report_series(diag_, series_[i], results[i], opt_.max_fill);
      deliver(i, results[i]);
    }
  }

  // Streaming: emits when data time passes the next multiple of --every.
  void stream_point(double ts) {
    if (!std::isfinite(next_emit_)) next_emit_ = (std::floor(ts / opt_.every) + 1) * opt_.every;
    if (ts >= next_emit_) {
      emit_stream();
      next_emit_ = (std::floor(ts / opt_.every) + 1) * opt_.every;
    }
  }

  void add_stream(SeriesState& s, Observation o) {
    s.obs.push_back(o);
    s.max_ts = std::max(s.max_ts, o.ts);
    s.dirty = true;
    // Bound memory: keep about `history` steps (by time once the step is
    // known from the window, and by count regardless).
    const std::size_t cap = 4 * opt_.history + 64;
    if (s.obs.size() > cap) {
      std::vector<double> ts;
      ts.reserve(s.obs.size());
      for (const auto& ob : s.obs) ts.push_back(ob.ts);
      std::sort(ts.begin(), ts.end());
      double step = opt_.step > 0 ? opt_.step : infer_step(ts);
      double cutoff = step > 0 ? s.max_ts - step * static_cast<double>(opt_.history) : -INFINITY;
      std::erase_if(s.obs, [&](const Observation& x) { return x.ts <= cutoff; });
      if (s.obs.size() > cap) {
        std::stable_sort(s.obs.begin(), s.obs.end(),
                         [](const Observation& a, const Observation& b) { return a.ts < b.ts; });
        s.obs.erase(s.obs.begin(), s.obs.begin() + static_cast<std::ptrdiff_t>(s.obs.size() - 2 * opt_.history));
      }
    }
  }

  void emit_stream() {
    std::vector<std::size_t> todo;
    for (std::size_t i = 0; i < series_.size(); ++i)
      if (series_[i].dirty) todo.push_back(i);
    std::vector<SeriesForecast> results(todo.size());
    parallel_for(todo.size(), opt_.threads, [&](std::size_t j) {
      SeriesState& s = series_[todo[j]];
      SeriesForecast& sf = results[j];
      RegularSeries reg;
      if (!detail::prepare(s.obs, opt_, sf, reg)) return;
      const int h = opt_.horizon.steps_for(reg.step);
      if (h > kMaxHorizon) {
        sf.problem = "horizon too long";
        return;
      }
      // Re-select after --refit of data time, and early on whenever the
      // history has doubled or the last selection could not validate.
      const bool reselect = !s.selection || sf.last_ts - s.selected_at >= opt_.refit ||
                            reg.values.size() >= 2 * s.selected_steps ||
                            (opt_.model == "auto" && !s.selection->validated());
      if (reselect) {
        sf.periods = resolve_periods(opt_.season, reg.values, reg.step);
      } else {
        sf.periods = s.selection->periods;
      }
      if (!reg.long_gaps.empty() && !sf.periods.empty()) fill_long_gaps(reg, sf.periods.back());
      if (opt_.model == "auto" && reselect) {
        AutoReport rep;
        sf.forecast = detail::run_model(opt_, reg.values, sf.periods, h, &rep, nullptr);
        if (rep.periods.empty()) rep.periods = sf.periods;
        s.selection = std::move(rep);
        s.selected_at = sf.last_ts;
        s.selected_steps = reg.values.size();
      } else if (opt_.model == "auto") {
        sf.forecast = detail::run_model(opt_, reg.values, sf.periods, h, nullptr, &*s.selection);
      } else {
        sf.forecast = detail::run_model(opt_, reg.values, sf.periods, h, nullptr, nullptr);
        if (reselect) {
          s.selection = AutoReport{};
          s.selection->periods = sf.periods;
          s.selected_at = sf.last_ts;
          s.selected_steps = reg.values.size();
        }
      }
    });
    for (std::size_t j = 0; j < todo.size(); ++j) {
      SeriesState& s = series_[todo[j]];
      s.dirty = false;
      if (!results[j].problem.empty()) continue;  // waits for more data
      deliver(todo[j], results[j]);
    }
    // Every round replaces the textfile with the latest forecast of every series.
    if (!opt_.textfile.empty()) write_file_atomically(opt_.textfile, exposition_->render());
    out_.flush();
  }

  // Writes a series' result as NDJSON records or keeps it for the exposition.
  void deliver(std::size_t index, SeriesForecast& sf) {
    const SeriesState& s = series_[index];
    if (!opt_.unbounded && !sf.forecast.mean.empty()) {
      auto [lo, hi] = limits_for(s.metric, s.min_seen, s.max_seen);
      sf.forecast.limit(lo, hi);
    }
    if (ndjson_) writer_.emit(s, sf);
    if (!exposition_ || sf.forecast.mean.empty()) return;
    if (auto first = exposition_->set(index, s.metric, s.labels, sf))
      diag_.warn(fmt::format("{}: left out of the Prometheus output: same labels as {} once names are sanitised", s.key,
                             series_[*first].key));
  }

  const Options& opt_;
  Output& out_;
  Diagnostics& diag_;
  Writer writer_;
  bool ndjson_;
  std::optional<ForecastExposition> exposition_;  // --format prometheus or --textfile
  std::vector<SeriesState> series_;               // in order of first appearance
  std::unordered_map<std::string, std::size_t> index_;
  double next_emit_ = NAN;
};

}  // namespace

std::pair<double, double> limits_for(std::string_view metric, double min_seen, double max_seen) {
  if (!(min_seen >= 0)) return {-INFINITY, INFINITY};
  bool fraction = metric.ends_with("_frac") || metric.ends_with(".util");
  if (fraction && max_seen <= 1) return {0, 1};
  return {0, INFINITY};
}

int run(const Options& options, Output& out, Diagnostics& diag) {
  if (std::find(output_formats().begin(), output_formats().end(), options.format) == output_formats().end())
    throw UsageError(fmt::format("--format must be ndjson or prometheus; got '{}'", options.format));
  if (!options.textfile.empty()) check_textfile_path(options.textfile);
  if (options.model != "auto" && !known_model(options.model))
    throw UsageError(fmt::format("unknown model '{}' (see --help for the list)", options.model));
  if (options.levels.empty()) throw UsageError("--level needs at least one level");
  Engine engine(options, out, diag);
  return engine.run();
}

}  // namespace lepton::forecast
