// Fuzzes the --state loader. The input is taken both as a whole state file
// (header, checksum) and as a payload sealed with the right header, so the
// fuzzer reaches the parser of every detector, rule and alert state.
// Invariants: loading either succeeds or fails with a DataError; a state
// that loads is saved again, and loading and saving that gives the same bytes.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "lepton/detect/engine.h"
#include "lepton/detect/state.h"
#include "lepton/error.h"
#include "lepton/output.h"

using namespace lepton;
using namespace lepton::detect;

namespace {

DetectOptions options(const std::string& state) {
  DetectOptions o;
  o.inputs = {"/dev/null"};
  o.rules = {"value > 5", "absent for 1m"};
  o.risk_by = "host";
  o.alerts = true;
  o.state_path = state;
  return o;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs the engine over no records with the state at `path`; false if the
// state was refused.
bool run_once(const std::string& path) {
  Output out("/dev/null");
  Diagnostics diag("lepton-detect", OnError::kFail, nullptr);
  try {
    run(options(path), out, diag);
  } catch (const DataError&) {
    return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("lepton-fuzz-state-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d.string();
  }();
  const std::string path = dir + "/state";
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::uint64_t fp = state_fingerprint(options(path));
  for (int sealed = 0; sealed < 2; ++sealed) {
    {
      std::ofstream o(path, std::ios::binary | std::ios::trunc);
      if (sealed)
        o << seal_state(bytes, fp);
      else
        o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    if (!run_once(path)) continue;
    std::string first = slurp(path);
    if (!run_once(path)) std::abort();  // what we saved must load
    if (slurp(path) != first) std::abort();
  }
  return 0;
}
