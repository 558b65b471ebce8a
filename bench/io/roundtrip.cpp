// The NDJSON layer end to end: read lines (LineReader, transparent zstd),
// parse each record fully (JsonDocument: every string, number as double),
// re-emit it compactly (JsonWriter) to stdout (Output). The same work as
// `jq -c .`.
#include <cstdio>
#include <string>

#include "lepton/error.h"
#include "lepton/input.h"
#include "lepton/json.h"
#include "lepton/output.h"
#include "lepton/tool.h"

int main(int argc, char** argv) {
  std::string path = argc > 1 ? argv[1] : "-";
  return lepton::guarded_main("bench_io_roundtrip", [&] {
    lepton::LineReader reader(path);
    lepton::JsonDocument doc;
    lepton::Output out;
    std::string_view line;
    double checksum = 0;
    while (reader.next(line)) {
      if (!doc.parse(line))
        throw lepton::DataError(lepton::format_data_error({reader.name(), reader.line_number()}, doc.error(), line));
      if (const auto* v = doc.get("value")) checksum += v->number;
      lepton::JsonWriter w(out.buffer());
      w.value(doc, doc.root());
      out.end_line();
    }
    out.flush();
    std::fprintf(stderr, "checksum %.6g\n", checksum);
    return 0;
  });
}
