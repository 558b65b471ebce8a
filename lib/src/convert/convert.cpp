#include "lepton/convert/convert.h"

#include <fmt/format.h>

#include "convert/common.h"
#include "lepton/input.h"

namespace lepton::convert {

const std::vector<std::string>& convert_formats() {
  static const std::vector<std::string> formats = {"prometheus", "prometheus-api", "csv", "nvidia-smi"};
  return formats;
}

namespace {

void check_options(const ConvertOptions& o) {
  bool known = false;
  for (const auto& f : convert_formats()) known = known || f == o.format;
  if (!known) throw UsageError(fmt::format("--from takes {}; got '{}'", fmt::join(convert_formats(), ", "), o.format));
  if (!o.metric.empty()) {
    if (o.format != "csv" && o.format != "prometheus-api")
      throw UsageError(fmt::format("--metric applies to --from csv and --from prometheus-api, not {}", o.format));
    if (!detail::valid_utf8(o.metric)) throw UsageError("--metric is not valid UTF-8");
  }
  if (o.format != "csv" && (!o.time_column.empty() || !o.value_columns.empty()))
    throw UsageError("--time-column and --value-column apply to --from csv only");
}

void convert_one(const ConvertOptions& o, detail::Lines& lines, detail::Emitter& emitter, Diagnostics& diag) {
  if (o.format == "prometheus") {
    detail::convert_prometheus_text(lines, o, emitter, diag);
  } else if (o.format == "csv") {
    detail::convert_csv(lines, o, emitter, diag);
  } else {
    detail::convert_nvidia_smi(lines, o, emitter, diag);
  }
}

}  // namespace

int convert(const ConvertOptions& options, Output& out, Diagnostics& diag) {
  check_options(options);
  detail::Emitter emitter(options, &out, nullptr);
  std::vector<std::string> inputs = options.inputs;
  if (inputs.empty()) inputs.push_back("-");
  for (const auto& path : inputs) {
    if (options.format == "prometheus-api") {
      // One JSON document per input: it is parsed whole.
      std::string text = read_text_file(path);
      detail::convert_prometheus_api(text, path == "-" ? "<stdin>" : path, options, emitter, diag);
    } else {
      detail::FileLines lines(path);
      convert_one(options, lines, emitter, diag);
    }
  }
  emitter.finish(diag);
  return kExitOk;
}

std::string convert_text(const ConvertOptions& options, std::string_view text, Diagnostics& diag,
                         std::string_view source) {
  check_options(options);
  std::string result;
  detail::Emitter emitter(options, nullptr, &result);
  if (options.format == "prometheus-api") {
    detail::convert_prometheus_api(text, source, options, emitter, diag);
  } else {
    detail::MemoryLines lines(text, source);
    convert_one(options, lines, emitter, diag);
  }
  emitter.finish(diag);
  return result;
}

}  // namespace lepton::convert
