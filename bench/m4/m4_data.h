// Reading the M4 CSV files and the M4 accuracy measures, shared by the
// bench programs.
#pragma once

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace m4 {

struct Series {
  std::string id;
  std::vector<double> values;
};

// M4 CSV: a header row, then "id","v1","v2",... padded with empty cells.
inline std::vector<Series> read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<Series> out;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::stringstream ss(line);
    std::string cell;
    Series s;
    bool first = true;
    while (std::getline(ss, cell, ',')) {
      if (cell.size() >= 2 && cell.front() == '"') cell = cell.substr(1, cell.size() - 2);
      if (first) {
        s.id = cell;
        first = false;
      } else if (!cell.empty()) {
        s.values.push_back(std::stod(cell));
      }
    }
    if (!s.id.empty()) out.push_back(std::move(s));
  }
  return out;
}

inline double smape(const std::vector<double>& y, const std::vector<double>& f) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    double d = std::abs(y[i]) + std::abs(f[i]);
    s += d > 0 ? 200 * std::abs(y[i] - f[i]) / d : 0;
  }
  return s / static_cast<double>(y.size());
}

// Mean absolute error scaled by the in-sample seasonal naive MAE (lag m).
inline double mase(const std::vector<double>& train, const std::vector<double>& y, const std::vector<double>& f,
                   int m) {
  double scale = 0;
  std::size_t c = 0;
  for (std::size_t t = static_cast<std::size_t>(m); t < train.size(); ++t, ++c)
    scale += std::abs(train[t] - train[t - m]);
  scale /= static_cast<double>(c);
  double e = 0;
  for (std::size_t i = 0; i < y.size(); ++i) e += std::abs(y[i] - f[i]);
  return e / static_cast<double>(y.size()) / scale;
}

}  // namespace m4
