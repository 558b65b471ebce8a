// Multi-dimensional vector bin packing (VBP): identical bins with a capacity
// in each of d dimensions, items with a size in each dimension; pack every
// item using as few bins as possible. This is the engine behind
// `lepton-schedule --objective pack` on plain inputs and the bench/vbp
// benchmark.
//
// The solver runs several constructive heuristics from the literature
// (Panigrahy et al. 2011: first-fit / best-fit decreasing under several item
// size measures, bin-centric filling by dot product and by L2 norm of the
// residual), keeps the best, then improves it by a tabu local search that
// empties a bin and re-inserts its items with swaps (in the spirit of the
// consistent neighbourhood search of Buljubasic & Vasquez 2016), stopping as
// soon as the lower bound is reached.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::schedule {

/// A VBP instance. Sizes and capacities are non-negative finite numbers in
/// any unit (the same unit per dimension for items and bins).
struct VbpInstance {
  std::size_t dims = 0;
  std::vector<double> capacity;  ///< one per dimension, each > 0
  std::vector<double> sizes;     ///< items x dims, row-major: item i is sizes[i*dims .. i*dims+dims)

  std::size_t items() const { return dims ? sizes.size() / dims : 0; }
  const double* item(std::size_t i) const { return sizes.data() + i * dims; }
  /// Adds an item; `size` must have `dims` entries.
  void add_item(const double* size) { sizes.insert(sizes.end(), size, size + dims); }
};

/// Relative tolerance of every capacity check (load <= capacity * (1 + eps)),
/// so that sums of decimal fractions such as 10 x 0.1 fit a capacity of 1.
inline constexpr double kFitTolerance = 1e-9;

/// The constructive heuristics. Item-centric ones sort items by a size
/// measure and place each in turn; bin-centric ones fill one bin at a time
/// with the best-fitting remaining item.
enum class VbpHeuristic : std::uint8_t {
  kFfdSum,        ///< first fit, decreasing sum of sizes relative to capacity
  kFfdWeighted,   ///< first fit, decreasing sum weighted by total demand per dimension
  kFfdMax,        ///< first fit, decreasing largest relative size
  kFfdNorm,       ///< first fit, decreasing L2 norm of relative sizes
  kBfdSum,        ///< best fit (fullest bin after placing), decreasing sum
  kBfdWeighted,   ///< best fit, decreasing demand-weighted sum
  kDotProduct,    ///< bin-centric: item maximising the dot product with the residual
  kDotWeighted,   ///< bin-centric dot product with demand weights
  kNormResidual,  ///< bin-centric: item minimising the L2 norm of the residual after placing
  kNormWeighted,  ///< bin-centric L2 residual with demand weights
};

/// All heuristics, in the order the solver runs them.
const std::vector<VbpHeuristic>& all_vbp_heuristics();

/// Short name, e.g. "ffd-sum", "dot-product".
std::string_view heuristic_name(VbpHeuristic h);

struct VbpOptions {
  /// Budget of the local search in seconds of processor time (the
  /// constructive heuristics always run to completion). 0 disables the
  /// local search.
  double time_limit = 0.006;
  /// Deterministic effort cap of the local search in moves; 0 picks one in
  /// proportion to the instance size. The search stops at whichever of the
  /// two limits comes first, so results are reproducible when the time
  /// limit is not the one reached.
  std::uint64_t max_moves = 0;
  /// Seed of the local search's tie-breaking.
  std::uint64_t seed = 1;
  /// Heuristics to run (empty: all of them up to 200 items; beyond that
  /// ffd-sum, ffd-norm, dot-weighted and norm-weighted, whose O(n^2 d) cost
  /// the local search puts to better use).
  std::vector<VbpHeuristic> heuristics;
};

struct VbpSolution {
  std::vector<std::uint32_t> bin_of;  ///< bin index per item, bins numbered 0..bins-1
  std::uint32_t bins = 0;
  std::uint32_t lower_bound = 0;
  std::uint32_t start_bins = 0;  ///< bins of the best constructive solution
  std::string heuristic;         ///< name of the heuristic that gave the start
  std::uint64_t moves = 0;       ///< local-search moves made
  bool stopped_by_time = false;  ///< the time limit ended the local search
  double seconds = 0;            ///< total solve time (wall clock)
  double cpu_seconds = 0;        ///< total solve time (processor time)
};

/// Lower bound on the number of bins: the largest of the volume bound
/// max_d ceil(sum_i s_id / C_d), the Martello-Toth L2 bound of every
/// dimension taken alone, and the number of items that fit with no other item
/// plus the volume bound of the rest.
/// Precondition: every item fits an empty bin.
std::uint32_t vbp_lower_bound(const VbpInstance& instance);

/// Runs one constructive heuristic; returns the bin of each item.
/// Precondition: every item fits an empty bin.
std::vector<std::uint32_t> run_vbp_heuristic(const VbpInstance& instance, VbpHeuristic h);

/// Solves the instance (heuristics, then local search). Precondition: every
/// item fits an empty bin (check with item_fits_empty_bin); throws
/// std::invalid_argument otherwise.
VbpSolution solve_vbp(const VbpInstance& instance, const VbpOptions& options = {});

/// Whether item `i` fits an empty bin.
bool item_fits_empty_bin(const VbpInstance& instance, std::size_t i);

/// Checks that `bin_of` assigns every item to a bin and no bin is over
/// capacity in any dimension; on failure `why` says which bin and dimension.
bool vbp_feasible(const VbpInstance& instance, const std::vector<std::uint32_t>& bin_of, std::string* why = nullptr);

/// Number of distinct bins used by `bin_of`.
std::uint32_t count_bins(const std::vector<std::uint32_t>& bin_of);

/// A parsed .vbp file (Panigrahy et al. / Brandao-Pedroso format): number of
/// dimensions; bin capacities; number of item types; one line per item type
/// with its sizes followed by its multiplicity. Whitespace (spaces, tabs,
/// newlines) separates numbers.
struct VbpFile {
  VbpInstance instance;                     ///< items expanded by multiplicity
  std::vector<std::uint32_t> type_of_item;  ///< item type (0-based line) of each item
  std::vector<std::uint32_t> multiplicity;  ///< per type
};

/// Parses .vbp text. Throws DataError `<source>:<line>: <problem>; got <token>`
/// for a malformed file (missing or non-numeric tokens, negative sizes,
/// capacities <= 0, multiplicities that are not whole numbers, trailing data,
/// more than 10^7 items).
VbpFile parse_vbp(std::string_view text, std::string_view source);

}  // namespace lepton::schedule
