// Small text helpers shared by the programs' option parsing.
#pragma once

#include <string>
#include <vector>

namespace lepton {

/// Splits every argument at commas and drops empty pieces, so that
/// `--opt a,b --opt c` and `--opt a --opt b,c` both give {a, b, c}.
std::vector<std::string> split_commas(const std::vector<std::string>& args);

}  // namespace lepton
