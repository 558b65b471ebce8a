#include "lepton/text.h"

namespace lepton {

std::vector<std::string> split_commas(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::size_t start = 0;
    while (start <= a.size()) {
      auto comma = a.find(',', start);
      if (comma == std::string::npos) comma = a.size();
      if (comma > start) out.push_back(a.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace lepton
