// Scoring of anomaly detectors by the rules of the Numenta Anomaly Benchmark
// (Lavin & Ahmad, "Evaluating Real-time Anomaly Detection Algorithms", 2015,
// and the NAB repository's sweeper): label windows, a scaled sigmoid reward
// by the position of the earliest detection in a window, weighted false
// positives, cost profiles, one threshold optimised per profile over all
// files jointly, and normalisation so the null detector scores 0 and the
// perfect detector 100.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lepton::detect::nab {

/// A cost profile (NAB profiles.json): weights of a true positive, a false
/// negative (a window without detection) and a false positive.
struct Profile {
  std::string name;
  double tp_weight = 1.0;
  double fn_weight = 1.0;
  double fp_weight = 0.11;
};

/// The three NAB profiles: standard, reward_low_FP_rate, reward_low_FN_rate.
std::vector<Profile> standard_profiles();

/// An anomaly window as inclusive row indices into a file's rows.
struct Window {
  std::size_t first = 0;
  std::size_t last = 0;
};

/// One data file: the detector's score per row and the label windows
/// (sorted, not overlapping).
struct File {
  std::string name;
  std::vector<double> scores;
  std::vector<Window> windows;
};

/// NAB's scaled sigmoid: 2 / (1 + exp(5 x)) - 1 for x <= 3, else -1. x is the
/// relative position: -1 at the start of a window, 0 at its end, positive
/// after it (in window widths).
double scaled_sigmoid(double relative_position);

/// Rows at the start of a file that are never scored: min(floor(0.15 N), 750).
std::size_t probationary_rows(std::size_t rows);

/// The result of scoring one profile.
struct ProfileScore {
  std::string profile;
  double threshold = 0;    ///< best threshold: rows with score >= threshold are detections
  double raw = 0;          ///< the summed NAB score at that threshold
  double null_raw = 0;     ///< the null detector's score: every window missed
  double perfect_raw = 0;  ///< the perfect detector's score: every window found at its start
  double normalized = 0;   ///< 100 (raw - null) / (perfect - null)
  std::size_t tp = 0;      ///< windows with a detection
  std::size_t fn = 0;      ///< windows without one
  std::size_t fp = 0;      ///< scored detections outside windows
};

/// Per-window and per-file detail at a given threshold (for reports).
struct FileDetail {
  std::string name;
  double raw = 0;
  std::size_t fp = 0;
  std::vector<double> window_scores;  ///< weighted reward of each window (-fn_weight if missed)
};

/// Sweeps every distinct score as a threshold over all files jointly and
/// returns the best, normalised. Throws std::invalid_argument if a file's
/// windows are out of range, unsorted or overlapping.
ProfileScore optimise(const std::vector<File>& files, const Profile& profile);

/// Scores all files at a fixed threshold (detections are rows with score >=
/// threshold), with the detail of each file.
ProfileScore score_at(const std::vector<File>& files, const Profile& profile, double threshold,
                      std::vector<FileDetail>* details = nullptr);

}  // namespace lepton::detect::nab
