#include "lepton/detect/nab.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace lepton::detect::nab {

std::vector<Profile> standard_profiles() {
  return {{"standard", 1.0, 1.0, 0.11}, {"reward_low_FP_rate", 1.0, 1.0, 0.22}, {"reward_low_FN_rate", 1.0, 2.0, 0.11}};
}

double scaled_sigmoid(double x) {
  if (x > 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * x)) - 1.0;
}

std::size_t probationary_rows(std::size_t rows) {
  // NAB: min(floor(0.15 * rows), 0.15 * 5000)
  return std::min<std::size_t>(static_cast<std::size_t>(std::floor(0.15 * static_cast<double>(rows))), 750);
}

namespace {

constexpr long kNoWindow = -1;
constexpr long kProbation = -2;

// One row as the sweep sees it.
struct Row {
  double score;
  double weighted;  // reward if this row were a detection
  long window;      // global window id, kNoWindow or kProbation
  std::size_t file;
};

// NAB sweeper.calcSweepScore: the reward of a detection at each row.
void sweep_rows(const File& f, std::size_t file_index, const Profile& p, long& next_window, std::vector<Row>& rows,
                std::vector<long>& first_window_of_file) {
  const std::size_t n = f.scores.size();
  for (std::size_t w = 0; w < f.windows.size(); ++w) {
    const Window& win = f.windows[w];
    if (win.first > win.last || win.last >= n || (w > 0 && win.first <= f.windows[w - 1].last))
      throw std::invalid_argument("nab: bad windows in " + f.name);
  }
  const double max_tp = scaled_sigmoid(-1.0);
  const std::size_t probation = probationary_rows(n);
  first_window_of_file.push_back(next_window);
  std::size_t wi = 0;
  bool in_window = false;
  bool have_prev = false;
  std::size_t prev_right = 0;
  double prev_width = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!in_window && wi < f.windows.size() && i == f.windows[wi].first) in_window = true;
    double weighted;
    long window = kNoWindow;
    if (in_window) {
      const Window& win = f.windows[wi];
      double width = static_cast<double>(win.last - win.first + 1);
      double position = -static_cast<double>(win.last - i + 1) / width;
      weighted = scaled_sigmoid(position) * p.tp_weight / max_tp;
      window = next_window + static_cast<long>(wi);
    } else if (!have_prev) {
      weighted = -1.0 * p.fp_weight;
    } else {
      // A one-row window has width 1; NAB divides by width - 1 = 0 there,
      // which gives +inf (numerator > 0) and so the -1 of a far-away FP.
      double past = static_cast<double>(i - prev_right);
      double position = prev_width > 1 ? past / (prev_width - 1) : HUGE_VAL;
      weighted = scaled_sigmoid(position) * p.fp_weight;
    }
    if (i < probation) window = kProbation;
    rows.push_back({f.scores[i], weighted, window, file_index});
    if (in_window && i == f.windows[wi].last) {
      have_prev = true;
      prev_right = i;
      prev_width = static_cast<double>(f.windows[wi].last - f.windows[wi].first + 1);
      in_window = false;
      ++wi;
    }
  }
  next_window += static_cast<long>(f.windows.size());
}

struct Sweep {
  std::vector<Row> rows;       // sorted by score, descending
  std::vector<char> scorable;  // window id -> has a scorable row
  std::size_t windows_total = 0;
  std::vector<long> first_window_of_file;
};

Sweep prepare(const std::vector<File>& files, const Profile& p) {
  Sweep s;
  long next_window = 0;
  for (std::size_t i = 0; i < files.size(); ++i)
    sweep_rows(files[i], i, p, next_window, s.rows, s.first_window_of_file);
  s.windows_total = static_cast<std::size_t>(next_window);
  s.scorable.assign(s.windows_total, 0);
  for (const Row& r : s.rows)
    if (r.window >= 0) s.scorable[static_cast<std::size_t>(r.window)] = 1;
  std::stable_sort(s.rows.begin(), s.rows.end(), [](const Row& a, const Row& b) { return a.score > b.score; });
  return s;
}

// The best threshold over the sorted rows (NAB calcScoreByThreshold plus
// optimizeThreshold): the score at a threshold counts every row whose score
// is >= the threshold; ties between equal totals keep the higher threshold.
void best_threshold(const Sweep& s, const Profile& p, double& best_threshold_out, double& best_raw) {
  std::vector<double> window_score(s.windows_total, -p.fn_weight);
  double fp_sum = 0;
  double window_sum = 0;
  for (std::size_t w = 0; w < s.windows_total; ++w)
    if (s.scorable[w]) window_sum += window_score[w];
  best_threshold_out = 1.1;
  best_raw = window_sum + fp_sum;
  std::size_t i = 0;
  while (i < s.rows.size()) {
    double t = s.rows[i].score;
    for (; i < s.rows.size() && s.rows[i].score == t; ++i) {
      const Row& r = s.rows[i];
      if (r.window == kNoWindow) {
        fp_sum += r.weighted;
      } else if (r.window >= 0) {
        double& ws = window_score[static_cast<std::size_t>(r.window)];
        if (r.weighted > ws) {
          window_sum += r.weighted - ws;
          ws = r.weighted;
        }
      }
    }
    double total = window_sum + fp_sum;
    if (total > best_raw) {
      best_raw = total;
      best_threshold_out = t;
    }
  }
}

double null_score(const std::vector<File>& files, const Profile& p) {
  std::vector<File> null_files;
  null_files.reserve(files.size());
  for (const File& f : files) null_files.push_back({f.name, std::vector<double>(f.scores.size(), 0.5), f.windows});
  Sweep s = prepare(null_files, p);
  double t, raw;
  best_threshold(s, p, t, raw);
  return raw;
}

void normalise(ProfileScore& r, const std::vector<File>& files, const Profile& p) {
  std::size_t windows = 0;
  for (const File& f : files) windows += f.windows.size();
  r.null_raw = null_score(files, p);
  r.perfect_raw = static_cast<double>(windows) * p.tp_weight;
  double span = r.perfect_raw - r.null_raw;
  r.normalized = span > 0 ? 100.0 * (r.raw - r.null_raw) / span : 0.0;
}

}  // namespace

ProfileScore score_at(const std::vector<File>& files, const Profile& p, double threshold,
                      std::vector<FileDetail>* details) {
  std::vector<Row> rows;
  std::vector<long> firsts;
  long next_window = 0;
  for (std::size_t i = 0; i < files.size(); ++i) sweep_rows(files[i], i, p, next_window, rows, firsts);
  std::vector<double> window_score(static_cast<std::size_t>(next_window), -p.fn_weight);
  std::vector<char> scorable(window_score.size(), 0);
  std::vector<double> file_fp(files.size(), 0);
  std::vector<std::size_t> file_fp_count(files.size(), 0);
  ProfileScore r;
  r.profile = p.name;
  r.threshold = threshold;
  for (const Row& row : rows) {
    if (row.window >= 0) scorable[static_cast<std::size_t>(row.window)] = 1;
    if (!(row.score >= threshold)) continue;
    if (row.window == kNoWindow) {
      file_fp[row.file] += row.weighted;
      ++file_fp_count[row.file];
      ++r.fp;
    } else if (row.window >= 0) {
      double& ws = window_score[static_cast<std::size_t>(row.window)];
      ws = std::max(ws, row.weighted);
    }
  }
  for (std::size_t fi = 0; fi < files.size(); ++fi) {
    FileDetail d;
    d.name = files[fi].name;
    d.raw = file_fp[fi];
    d.fp = file_fp_count[fi];
    for (std::size_t w = 0; w < files[fi].windows.size(); ++w) {
      auto id = static_cast<std::size_t>(firsts[fi]) + w;
      if (!scorable[id]) continue;
      d.window_scores.push_back(window_score[id]);
      d.raw += window_score[id];
      if (window_score[id] > -p.fn_weight)
        ++r.tp;
      else
        ++r.fn;
    }
    r.raw += d.raw;
    if (details) details->push_back(std::move(d));
  }
  normalise(r, files, p);
  return r;
}

ProfileScore optimise(const std::vector<File>& files, const Profile& p) {
  Sweep s = prepare(files, p);
  double threshold, raw;
  best_threshold(s, p, threshold, raw);
  ProfileScore r = score_at(files, p, threshold);
  r.raw = raw;  // identical to score_at's sum up to rounding order
  normalise(r, files, p);
  return r;
}

}  // namespace lepton::detect::nab
