// nab-tool: the C++ half of bench/nab.
//
//   nab-tool results  DATA DETECTIONS OUT NAME  NAB result files from lepton-detect output
//   nab-tool gaussian DATA OUT                  NAB's windowedGaussian baseline, as result files
//   nab-tool score    DATA OUT NAME [--detail]  score result files with lepton's NAB scorer
//
// DATA is the NAB folder (data/, labels/, profiles.json). DETECTIONS holds
// <category>/<file>.ndjson written by lepton-detect for each data file; OUT
// gets <category>/<NAME>_<file>.csv with timestamp,value,anomaly_score,label
// (label 1 inside an anomaly window, as in NAB's own result files).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "lepton/detect/nab.h"
#include "lepton/input.h"
#include "lepton/json.h"
#include "lepton/time.h"

namespace fs = std::filesystem;
using lepton::detect::nab::File;
using lepton::detect::nab::Window;

namespace {

struct DataFile {
  std::string rel;  // category/file.csv
  std::vector<std::string> stamps;
  std::vector<double> times;
  std::vector<std::string> values;
  std::vector<Window> windows;
};

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "nab-tool: error: %s\n", msg.c_str());
  std::exit(1);
}

double parse_time(const std::string& s, const std::string& where) {
  auto t = lepton::parse_time_text(s);
  if (!t) die(fmt::format("{}: bad timestamp '{}'", where, s));
  return *t;
}

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    auto c = line.find(',', start);
    out.push_back(line.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) break;
    start = c + 1;
  }
  return out;
}

// Every data file with its label windows as row ranges.
std::vector<DataFile> load_corpus(const fs::path& root) {
  std::string text = lepton::read_text_file((root / "labels" / "combined_windows.json").string());
  lepton::JsonDocument doc;
  if (!doc.parse(text)) die("labels/combined_windows.json: " + doc.error());
  std::vector<DataFile> files;
  for (const auto& m : doc.children(doc.root())) {
    DataFile f;
    f.rel = std::string(m.key);
    fs::path p = root / "data" / f.rel;
    if (!fs::exists(p)) continue;  // windows for files not in this subset
    std::ifstream in(p);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      auto cols = split_line(line);
      if (cols.size() < 2) die(p.string() + ": expected timestamp,value rows");
      f.stamps.push_back(cols[0]);
      f.times.push_back(parse_time(cols[0], p.string()));
      f.values.push_back(cols[1]);
    }
    for (const auto& w : doc.children(m.value)) {
      auto pair = doc.children(w.value);
      if (pair.size() != 2) die("combined_windows.json: a window is not a [start, end] pair");
      double a = parse_time(std::string(pair[0].value.str), "combined_windows.json");
      double b = parse_time(std::string(pair[1].value.str), "combined_windows.json");
      auto first = std::lower_bound(f.times.begin(), f.times.end(), a) - f.times.begin();
      auto last = std::upper_bound(f.times.begin(), f.times.end(), b) - f.times.begin() - 1;
      if (first > last) continue;
      f.windows.push_back({static_cast<std::size_t>(first), static_cast<std::size_t>(last)});
    }
    files.push_back(std::move(f));
  }
  std::sort(files.begin(), files.end(), [](const DataFile& a, const DataFile& b) { return a.rel < b.rel; });
  if (files.empty()) die("no data files under " + (root / "data").string());
  return files;
}

fs::path result_path(const fs::path& out, const std::string& rel, const std::string& name) {
  fs::path r(rel);
  return out / r.parent_path() / (name + "_" + r.filename().string());
}

void write_results(const fs::path& out, const std::string& name, const DataFile& f, const std::vector<double>& scores) {
  fs::path p = result_path(out, f.rel, name);
  fs::create_directories(p.parent_path());
  std::vector<char> label(f.times.size(), 0);
  for (const auto& w : f.windows)
    for (std::size_t i = w.first; i <= w.last; ++i) label[i] = 1;
  std::string csv = "timestamp,value,anomaly_score,label\n";
  for (std::size_t i = 0; i < f.times.size(); ++i)
    csv += fmt::format("{},{},{},{}\n", f.stamps[i], f.values[i], scores[i], static_cast<int>(label[i]));
  std::ofstream o(p);
  o << csv;
  if (!o) die("cannot write " + p.string());
}

int cmd_results(const fs::path& data, const fs::path& det, const fs::path& out, const std::string& name) {
  for (const auto& f : load_corpus(data)) {
    fs::path in = det / (fs::path(f.rel).replace_extension(".ndjson"));
    lepton::LineReader reader(in.string());
    lepton::JsonDocument doc;
    std::vector<double> scores;
    std::string_view line;
    while (reader.next(line)) {
      if (!doc.parse(line)) die(fmt::format("{}:{}: {}", in.string(), reader.line_number(), doc.error()));
      const lepton::JsonValue* s = doc.get("score");
      const lepton::JsonValue* t = doc.get("ts");
      if (!s || !s->is_number() || !t) die(fmt::format("{}:{}: no score or ts", in.string(), reader.line_number()));
      std::size_t i = scores.size();
      auto ts = lepton::parse_timestamp(*t);
      if (i >= f.times.size() || !ts || std::fabs(*ts - f.times[i]) > 0.5)
        die(fmt::format("{}:{}: does not match row {} of {}", in.string(), reader.line_number(), i + 2, f.rel));
      scores.push_back(s->number);
    }
    if (scores.size() != f.times.size())
      die(fmt::format("{}: {} records for {} rows", in.string(), scores.size(), f.times.size()));
    write_results(out, name, f, scores);
  }
  return 0;
}

// NAB's windowedGaussian detector (nab/detectors/gaussian): the mean and
// standard deviation of up to 6400 past values, refreshed every 100 values
// once the window is full; the score is 1 - Q(|z|), one-sided.
int cmd_gaussian(const fs::path& data, const fs::path& out) {
  for (const auto& f : load_corpus(data)) {
    std::vector<double> window, step, scores;
    double mean = 0, sd = 1;
    auto refresh = [&] {
      double m = 0, v = 0;
      for (double y : window) m += y;
      m /= static_cast<double>(window.size());
      for (double y : window) v += (y - m) * (y - m);
      v /= static_cast<double>(window.size());
      mean = m;
      sd = std::sqrt(v);
      if (sd == 0) sd = 0.000001;
    };
    for (const auto& text : f.values) {
      double x = std::stod(text);
      double s = 0;
      if (!window.empty()) {
        double z = (std::fabs(x - mean)) / sd;
        s = 1 - 0.5 * std::erfc(z / std::sqrt(2.0));
      }
      if (window.size() < 6400) {
        window.push_back(x);
        refresh();
      } else {
        step.push_back(x);
        if (step.size() == 100) {
          window.erase(window.begin(), window.begin() + 100);
          window.insert(window.end(), step.begin(), step.end());
          step.clear();
          refresh();
        }
      }
      scores.push_back(s);
    }
    write_results(out, "windowedGaussian", f, scores);
  }
  return 0;
}

int cmd_score(const fs::path& data, const fs::path& out, const std::string& name, bool detail) {
  std::vector<File> files;
  for (const auto& f : load_corpus(data)) {
    fs::path p = result_path(out, f.rel, name);
    std::ifstream in(p);
    if (!in) die("cannot read " + p.string());
    std::string line;
    std::getline(in, line);
    auto header = split_line(line);
    auto col = std::find(header.begin(), header.end(), "anomaly_score") - header.begin();
    if (col == static_cast<long>(header.size())) die(p.string() + ": no anomaly_score column");
    File file{f.rel, {}, f.windows};
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      auto cols = split_line(line);
      file.scores.push_back(std::stod(cols.at(static_cast<std::size_t>(col))));
    }
    if (file.scores.size() != f.times.size()) die(p.string() + ": row count differs from the data file");
    files.push_back(std::move(file));
  }
  std::size_t windows = 0;
  for (const auto& f : files) windows += f.windows.size();
  std::printf("%s on %zu files, %zu windows\n", name.c_str(), files.size(), windows);
  for (const auto& p : lepton::detect::nab::standard_profiles()) {
    auto r = lepton::detect::nab::optimise(files, p);
    std::printf("  %-20s %6.2f   (threshold %.4f, raw %.3f, TP %zu FN %zu FP %zu)\n", p.name.c_str(), r.normalized,
                r.threshold, r.raw, r.tp, r.fn, r.fp);
    if (detail && p.name == "standard") {
      std::vector<lepton::detect::nab::FileDetail> d;
      lepton::detect::nab::score_at(files, p, r.threshold, &d);
      for (const auto& x : d) {
        std::printf("      %-50s %6.2f  FP %3zu  windows:", x.name.c_str(), x.raw, x.fp);
        for (double w : x.window_scores) std::printf(" %5.2f", w);
        std::printf("\n");
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  try {
    if (a.size() == 5 && a[0] == "results") return cmd_results(a[1], a[2], a[3], a[4]);
    if (a.size() == 3 && a[0] == "gaussian") return cmd_gaussian(a[1], a[2]);
    if ((a.size() == 4 || a.size() == 5) && a[0] == "score")
      return cmd_score(a[1], a[2], a[3], a.size() == 5 && a[4] == "--detail");
  } catch (const std::exception& e) {
    die(e.what());
  }
  std::fprintf(
      stderr,
      "usage: nab-tool results DATA DETECTIONS OUT NAME | gaussian DATA OUT | score DATA OUT NAME [--detail]\n");
  return 2;
}
