// Fuzzes the NDJSON layer. Invariant: whatever parses re-emits to compact
// JSON that parses again and re-emits to the same bytes; points read from
// both agree.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "lepton/json.h"
#include "lepton/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  lepton::JsonDocument doc;
  if (!doc.parse(text)) {
    if (doc.error().empty() || doc.error_offset() > size) std::abort();
    return 0;
  }
  std::string once;
  lepton::JsonWriter w1(once);
  w1.value(doc, doc.root());
  lepton::JsonDocument again;
  if (!again.parse(once)) std::abort();
  std::string twice;
  lepton::JsonWriter w2(twice);
  w2.value(again, again.root());
  if (once != twice) std::abort();

  lepton::Point p1, p2;
  std::string problem;
  std::string_view got;
  auto s1 = lepton::read_point(doc, p1, problem, got);
  auto s2 = lepton::read_point(again, p2, problem, got);
  if (s1 != s2) std::abort();
  if (s1 == lepton::PointStatus::kPoint && (lepton::series_key(p1) != lepton::series_key(p2) || p1.value != p2.value))
    std::abort();
  return 0;
}
