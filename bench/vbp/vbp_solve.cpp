// Solves .vbp files with the library directly and prints one line per file:
// name, bins, lower bound, bins of the best heuristic, heuristic, moves, ms.
// Usage: vbp_solve [--time-limit S] [--max-moves N] FILE...
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lepton/input.h"
#include "lepton/schedule/vbp.h"

int main(int argc, char** argv) {
  lepton::schedule::VbpOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--time-limit" && i + 1 < argc) {
      o.time_limit = std::atof(argv[++i]);
      continue;
    }
    if (a == "--max-moves" && i + 1 < argc) {
      o.max_moves = std::strtoull(argv[++i], nullptr, 10);
      continue;
    }
    if (a == "--heuristics" && i + 1 < argc) {
      std::string list = argv[++i];
      for (auto h : lepton::schedule::all_vbp_heuristics())
        if (("," + list + ",").find("," + std::string(lepton::schedule::heuristic_name(h)) + ",") != std::string::npos)
          o.heuristics.push_back(h);
      continue;
    }
    auto f = lepton::schedule::parse_vbp(lepton::read_text_file(a), a);
    auto s = lepton::schedule::solve_vbp(f.instance, o);
    std::string why;
    bool ok =
        lepton::schedule::vbp_feasible(f.instance, s.bin_of, &why) && lepton::schedule::count_bins(s.bin_of) == s.bins;
    auto slash = a.find_last_of('/');
    std::string name = a.substr(slash == std::string::npos ? 0 : slash + 1);
    if (name.size() > 4) name.resize(name.size() - 4);
    std::printf("%s\t%u\t%u\t%u\t%s\t%llu\t%.3f\t%s\n", name.c_str(), s.bins, s.lower_bound, s.start_bins,
                s.heuristic.c_str(), static_cast<unsigned long long>(s.moves), s.cpu_seconds * 1000,
                ok ? "ok" : why.c_str());
  }
  return 0;
}
