#include "lepton/prometheus.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/json.h"

namespace lepton {

namespace {
bool name_char(char c, bool colon_ok) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         (colon_ok && c == ':');
}

std::string sanitize(std::string_view text, bool colon_ok) {
  std::string out;
  out.reserve(text.size() + 1);
  if (text.empty() || (text[0] >= '0' && text[0] <= '9')) out.push_back('_');
  for (char c : text) out.push_back(name_char(c, colon_ok) ? c : '_');
  return out;
}

void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}

void append_help(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
}
}  // namespace

std::string prometheus_metric_name(std::string_view text) { return sanitize(text, true); }

std::string prometheus_label_name(std::string_view text) {
  std::string out = sanitize(text, false);
  while (out.size() >= 2 && out[0] == '_' && out[1] == '_') out.erase(0, 1);
  if (out == "_") out = "label_";
  return out;
}

PrometheusExposition::Family& PrometheusExposition::find_or_add(std::string_view name) {
  std::string clean = prometheus_metric_name(name);
  for (Family& f : families_)
    if (f.name == clean) return f;
  families_.push_back({clean, "", "untyped", ""});
  return families_.back();
}

void PrometheusExposition::family(std::string_view name, std::string_view help, std::string_view type) {
  Family& f = find_or_add(name);
  f.help = help;
  f.type = type;
}

void PrometheusExposition::sample(std::string_view name, const Labels& labels, double value) {
  Family& f = find_or_add(name);
  f.samples += f.name;
  if (!labels.empty()) {
    f.samples.push_back('{');
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) f.samples.push_back(',');
      first = false;
      f.samples += prometheus_label_name(k);
      f.samples += "=\"";
      append_label_value(f.samples, v);
      f.samples.push_back('"');
    }
    f.samples.push_back('}');
  }
  f.samples.push_back(' ');
  if (std::isnan(value)) {
    f.samples += "NaN";
  } else if (std::isinf(value)) {
    f.samples += value > 0 ? "+Inf" : "-Inf";
  } else {
    append_number(f.samples, value);
  }
  f.samples.push_back('\n');
}

std::string PrometheusExposition::render() const {
  std::string out;
  for (const Family& f : families_) {
    if (!f.help.empty()) {
      out += "# HELP " + f.name + " ";
      append_help(out, f.help);
      out.push_back('\n');
    }
    out += "# TYPE " + f.name + " " + f.type + "\n";
    out += f.samples;
  }
  return out;
}

PrometheusExposition::Labels exposition_series_labels(std::string_view metric,
                                                      const std::vector<std::pair<std::string, std::string>>& labels,
                                                      const std::vector<std::string_view>& reserved) {
  PrometheusExposition::Labels out;
  out.reserve(labels.size() + 1);
  if (!metric.empty()) out.emplace_back("metric", std::string(metric));
  auto taken = [&](const std::string& name) {
    if (name == "metric" || std::find(reserved.begin(), reserved.end(), name) != reserved.end()) return true;
    return std::any_of(out.begin(), out.end(), [&](const auto& l) { return l.first == name; });
  };
  for (const auto& [k, v] : labels) {
    std::string name = prometheus_label_name(k);
    while (taken(name)) name = "exported_" + name;
    out.emplace_back(std::move(name), v);
  }
  return out;
}

std::string label_set_key(PrometheusExposition::Labels labels) {
  std::sort(labels.begin(), labels.end());
  std::string key;
  for (const auto& [k, v] : labels) {
    key += k;
    key.push_back('\0');
    key += v;
    key.push_back('\0');
  }
  return key;
}

void check_textfile_path(const std::string& path) {
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() <= 5 || !base.ends_with(".prom"))
    throw UsageError(fmt::format(
        "--textfile must name a file ending in .prom (node_exporter's textfile collector reads only those); got '{}'",
        path));
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UsageError(fmt::format("--textfile: no directory '{}'", dir));
}

void write_file_atomically(const std::string& path, std::string_view content, unsigned mode) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  // A dot-prefixed temporary name: node_exporter's textfile collector only
  // reads *.prom, and `ls` hides it.
  std::string tmp = dir + "/." + base + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw DataError(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw DataError(fmt::format("{}: write error: {}", tmp, std::strerror(e)));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw DataError(fmt::format("{}: cannot sync: {}", tmp, std::strerror(e)));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw DataError(fmt::format("{}: cannot rename into place: {}", path, std::strerror(e)));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
}

}  // namespace lepton
