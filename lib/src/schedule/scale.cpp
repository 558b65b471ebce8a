// Scaling decisions from forecast demand, with a stabilisation window kept
// in an atomically written state file.
#include "lepton/schedule/scale.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/input.h"
#include "lepton/time.h"

namespace lepton::schedule {
namespace {

// Per task: (time, recommendation) within the window, oldest first.
using History = std::map<std::string, std::vector<std::pair<double, std::int64_t>>>;

History read_state(const std::string& path) {
  History h;
  if (path.empty() || !std::filesystem::exists(path)) return h;
  std::string text = read_text_file(path);
  JsonDocument doc;
  std::uint64_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto bad = [&](std::string_view what) {
      throw DataError(format_data_error({path, line_no}, fmt::format("bad state record: {}", what), line));
    };
    if (!doc.parse(line) || !doc.root().is_object()) bad("not a JSON object");
    const JsonValue* task = doc.get("task");
    const JsonValue* hist = doc.get("history");
    if (!task || !task->is_string() || !hist || !hist->is_array()) bad("needs \"task\" and \"history\"");
    auto& list = h[std::string(task->str)];
    for (const auto& m : doc.children(*hist)) {
      if (!m.value.is_array() || m.value.count != 2) bad("history entries are [ts, replicas]");
      auto pair = doc.children(m.value);
      if (!pair[0].value.is_number() || !pair[1].value.is_number()) bad("history entries are [ts, replicas]");
      list.emplace_back(pair[0].value.number, static_cast<std::int64_t>(pair[1].value.number));
    }
  }
  return h;
}

void write_state(const std::string& path, const History& h) {
  std::string text;
  for (const auto& [task, list] : h) {
    JsonWriter w(text);
    w.begin_object();
    w.field("task", task);
    w.key("history");
    w.begin_array();
    for (const auto& [ts, n] : list) {
      w.begin_array();
      w.number(ts);
      w.integer(n);
      w.end_array();
    }
    w.end_array();
    w.end_object();
    text.push_back('\n');
  }
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw DataError(fmt::format("{}: cannot write state: {}", tmp, std::strerror(errno)));
  std::size_t off = 0;
  while (off < text.size()) {
    auto n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw DataError(fmt::format("{}: cannot write state: {}", tmp, std::strerror(e)));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw DataError(fmt::format("{}: cannot write state: {}", path, std::strerror(e)));
  }
}

}  // namespace

DemandCollector::Added DemandCollector::add(const JsonDocument& doc, std::string& problem, std::string& got) {
  const JsonValue* metric = doc.get("metric");
  if (!metric || !metric->is_string()) {
    problem = "forecast record has no \"metric\" string";
    got = std::string(doc.text());
    return Added::kBad;
  }
  std::string resource;
  if (options_.resources.empty()) {
    resource = std::string(metric->str);
  } else {
    for (const auto& [res, m] : options_.resources)
      if (m == metric->str) resource = res;
    if (resource.empty()) return Added::kNotMine;  // a metric nobody asked for
  }
  const JsonValue* task = doc.get(options_.task_label);
  if (!task || !task->is_string() || task->str.empty()) return Added::kNotMine;  // not about a task
  const JsonValue* hi = doc.get("hi");
  if (!hi) hi = doc.get("value");
  if (!hi || !hi->is_number() || !std::isfinite(hi->number)) {
    problem = "forecast record needs a finite \"hi\" (or \"value\")";
    got = hi ? std::string(hi->raw) : std::string(doc.text());
    return Added::kBad;
  }
  double ts = 0;
  if (const JsonValue* t = doc.get("ts")) {
    auto parsed = parse_timestamp(*t);
    if (!parsed) {
      problem = "forecast record has a bad \"ts\"";
      got = std::string(t->is_string() ? t->str : t->raw);
      return Added::kBad;
    }
    ts = *parsed;
  }
  sums_[{std::string(task->str), resource}][ts] += std::max(0.0, hi->number);
  return Added::kUsed;
}

std::map<std::string, std::map<std::string, double>> DemandCollector::demand() const {
  std::map<std::string, std::map<std::string, double>> out;
  for (const auto& [key, by_ts] : sums_) {
    double peak = 0;
    for (const auto& [ts, v] : by_ts) peak = std::max(peak, v);
    out[key.first][key.second] = peak;
  }
  return out;
}

std::vector<ScaleDecision> decide_scale(const std::map<std::string, std::map<std::string, double>>& demand,
                                        const std::vector<Task>& tasks, const ScaleOptions& o) {
  History history = read_state(o.state_file);
  std::vector<ScaleDecision> out;
  for (const auto& [name, dem] : demand) {
    ScaleDecision d;
    d.task = name;
    d.demand = dem;
    const Task* task = nullptr;
    for (const auto& t : tasks)
      if (t.name == name) task = &t;
    d.target = task && task->target > 0 ? task->target : o.target;
    d.min_replicas = task && task->min_replicas >= 0 ? task->min_replicas : o.min_replicas;
    d.max_replicas = task && task->max_replicas >= 0 ? task->max_replicas : o.max_replicas;
    if (!task) {
      d.replicas = -1;
      d.note = "no task record gives the per-replica request";
      out.push_back(std::move(d));
      continue;
    }
    if (task->replicas_given) d.previous = task->replicas;
    std::int64_t want = 0;
    bool any = false;
    for (const auto& [res, amount] : dem) {
      double per = 0;
      for (const auto& [k, v] : task->request)
        if (k == res) per = v;
      if (per <= 0) continue;
      any = true;
      d.per_replica[res] = per;
      double n = std::ceil(amount / (per * d.target) - 1e-9);
      want = std::max(want, static_cast<std::int64_t>(std::max(0.0, std::min(n, 1e9))));
    }
    if (!any) {
      d.replicas = -1;
      d.note = "the task's request has none of the forecast resources";
      out.push_back(std::move(d));
      continue;
    }
    want = std::max(want, d.min_replicas);
    if (d.max_replicas >= 0) want = std::min(want, d.max_replicas);
    d.desired = want;
    d.replicas = want;
    auto& h = history[name];
    std::erase_if(h, [&](const auto& e) { return e.first < o.now - o.stabilization || e.first > o.now; });
    if (d.previous >= 0 && want < d.previous) {
      std::int64_t hold = want;
      for (const auto& [ts, n] : h) hold = std::max(hold, n);
      hold = std::min(hold, d.previous);
      if (hold > want) {
        d.replicas = hold;
        d.held = true;
        d.note =
            fmt::format("scale-down to {} held by the {} stabilization window", want, format_duration(o.stabilization));
      } else if (o.state_file.empty() && o.stabilization > 0) {
        d.note = "scale-down applied at once: --stabilization needs --state to remember recommendations";
      }
    }
    h.emplace_back(o.now, want);
    out.push_back(std::move(d));
  }
  if (!o.state_file.empty()) {
    for (auto it = history.begin(); it != history.end();) {
      std::erase_if(it->second, [&](const auto& e) { return e.first < o.now - o.stabilization; });
      if (it->second.empty())
        it = history.erase(it);
      else
        ++it;
    }
    write_state(o.state_file, history);
  }
  return out;
}

}  // namespace lepton::schedule
