// Fuzzes --from prometheus. Besides the shared invariants (convert_fuzz.h):
// the points written back as exposition text (`name{labels} value ms`)
// convert to the same points.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "convert_fuzz.h"

namespace {

void append_label_value(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

// Exposition text for the points, or false if a time is too large to come
// back exactly in milliseconds.
bool to_exposition(const std::string& points, std::string& text) {
  lepton::JsonDocument doc;
  std::size_t pos = 0;
  while (pos < points.size()) {
    std::size_t nl = points.find('\n', pos);
    std::string_view line(points.data() + pos, nl - pos);
    pos = nl + 1;
    if (!doc.parse(line)) std::abort();
    const lepton::JsonValue* ts = doc.get("ts");
    const lepton::JsonValue* metric = doc.get("metric");
    const lepton::JsonValue* value = doc.get("value");
    if (std::fabs(ts->number) >= 1e12) return false;
    text.append(metric->str);
    text.push_back('{');
    for (const lepton::JsonMember& m : doc.children(doc.root())) {
      if (m.key == "ts" || m.key == "metric" || m.key == "value") continue;
      text.append(m.key);
      text.append("=\"");
      append_label_value(text, m.value.str);
      text.append("\",");
    }
    text.append("} ");
    text.append(value->raw);
    text.push_back(' ');
    text.append(std::to_string(std::llround(ts->number * 1000)));
    text.push_back('\n');
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto o = lepton::convert::fuzz::options("prometheus");
  auto first = lepton::convert::fuzz::check(o, text);
  if (first.threw) return 0;
  std::string exposition;
  if (!to_exposition(first.points, exposition)) return 0;
  auto second = lepton::convert::fuzz::attempt(o, exposition, lepton::OnError::kFail);
  if (second.threw || second.points != first.points) std::abort();
  return 0;
}
