// Fuzzes the rule parser. Invariants: a rule either parses or is refused
// with a UsageError; the normalised text of a parsed rule parses again to the
// same rule; evaluating and selecting never misbehave.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lepton/detect/rules.h"
#include "lepton/error.h"

using namespace lepton::detect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Rule r;
  try {
    r = parse_rule(text);
  } catch (const lepton::UsageError&) {
    return 0;
  }
  Rule again = parse_rule(r.text);
  if (again.text != r.text || again.absent != r.absent || again.quantity != r.quantity || again.op != r.op ||
      again.absolute != r.absolute || again.hold != r.hold || again.severity != r.severity ||
      again.metric_glob != r.metric_glob || again.matchers.size() != r.matchers.size() ||
      !(again.number == r.number || (std::isnan(again.number) && std::isnan(r.number))))
    std::abort();
  if (!(r.hold >= 0)) std::abort();
  std::vector<lepton::Label> labels = {{"host", "web-1"}, {"zone", ""}};
  (void)r.selects("cpu.util", labels);
  (void)r.selects("", {});
  RuleState st;
  for (double q : {0.0, -1.0, 1e300, std::nan(""), r.number}) (void)evaluate_rule(r, st, q, q);
  return 0;
}
