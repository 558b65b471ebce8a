// lepton-collect: sample this host, or convert other tools' metrics, into
// points (NDJSON). Option parsing only; the work is in lib/.
#include <unistd.h>

#include "lepton/collect/sampler.h"
#include "lepton/convert/convert.h"
#include "lepton/text.h"
#include "lepton_cli.h"

namespace {

const char* kExamples = R"(  lepton-collect --interval 10s --count 360 > host.ndjson
  lepton-collect --interval 1s --metrics 'cpu.*,mem.*' | lepton-detect --alerts
  curl -s localhost:9100/metrics | lepton-collect --from prometheus
  curl -s 'localhost:9090/api/v1/query_range?query=up&start=...' | lepton-collect --from prometheus-api
  lepton-collect --from csv --metric nyc.taxi nyc_taxi.csv
  nvidia-smi --query-gpu=index,uuid,utilization.gpu,memory.used --format=csv | lepton-collect --from nvidia-smi
)";

std::pair<std::string, std::string> split_label(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    throw lepton::UsageError(fmt::format("--label takes NAME=VALUE; got '{}'", kv));
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string program = "lepton-collect";
  CLI::App app{
      "Sample this host (CPU, memory, disks, network, PSI, cgroups) or convert other tools' metrics "
      "into points, one JSON object per line."};
  lepton::cli::setup_app(app, program, kExamples);
  lepton::cli::CommonOptions common;
  lepton::cli::add_common_options(app, common, false);

  std::string interval = "10s";
  std::int64_t count = -1;
  std::vector<std::string> labels;
  std::vector<std::string> metrics;
  std::string root = "/";
  int top = 0;
  int cgroup_depth = 2;
  std::string from;
  std::string metric;
  std::string time_column;
  std::vector<std::string> value_columns;

  app.add_option("-i,--interval", interval, "Time between samples (0: back to back)")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("-n,--count", count, "Number of samples, then exit (default: until stopped)")->type_name("N");
  app.add_option("-l,--label", labels, "Add a label to every point (default host=<hostname>)")
      ->type_name("K=V")
      ->allow_extra_args(false);
  app.add_option("-m,--metrics", metrics, "Keep only metrics whose names match one of these globs")
      ->type_name("GLOB,...")
      ->allow_extra_args(false);
  app.add_option("--root", root, "Read proc/ and sys/ under DIR (a container's view of the host)")
      ->type_name("DIR")
      ->capture_default_str();
  app.add_option("--top", top, "Also report the N processes using the most CPU")->type_name("N");
  app.add_option("--cgroup-depth", cgroup_depth, "How many levels of cgroups below the root to report")
      ->type_name("N")
      ->capture_default_str();
  app.add_option("--from", from, "Convert input in this format instead of sampling the host")
      ->type_name(lepton::cli::choices_type(lepton::convert::convert_formats()))
      ->check(lepton::cli::one_of(lepton::convert::convert_formats()));
  app.add_option("--metric", metric,
                 "Metric name of converted values (csv: instead of the column name; prometheus-api: instead of "
                 "__name__)")
      ->type_name("NAME");
  app.add_option("--time-column", time_column, "csv: the time column, by name or 1-based number")->type_name("COL");
  app.add_option("--value-column", value_columns,
                 "csv: a value column, by name or 1-based number; repeatable (default: the columns numeric in the "
                 "first row)")
      ->type_name("COL")
      ->allow_extra_args(false);

  if (auto code = lepton::cli::parse(app, argc, argv)) return *code;

  return lepton::guarded_main(program, [&]() -> int {
    lepton::Diagnostics diag(program, lepton::parse_on_error(common.on_error));
    lepton::Output out(common.output);
    out.set_line_buffered(lepton::cli::want_line_buffering(common));
    std::vector<std::pair<std::string, std::string>> label_pairs;
    for (const auto& l : labels) label_pairs.push_back(split_label(l));
    int code;
    if (!from.empty()) {
      lepton::convert::ConvertOptions o;
      o.format = from;
      o.inputs = common.inputs;
      o.labels = label_pairs;
      o.metric_globs = lepton::split_commas(metrics);
      o.metric = metric;
      o.time_column = time_column;
      o.value_columns = value_columns;
      code = lepton::convert::convert(o, out, diag);
    } else {
      if (!common.inputs.empty()) throw lepton::UsageError("input files are only read with --from FORMAT");
      lepton::collect::SampleOptions o;
      o.interval = lepton::cli::duration_arg("--interval", interval);
      o.count = count;
      o.labels = label_pairs;
      o.metric_globs = lepton::split_commas(metrics);
      o.root = root;
      o.top = top;
      o.cgroup_depth = cgroup_depth;
      code = lepton::collect::sample(o, out, diag);
    }
    out.flush();
    diag.finish();
    return code;
  });
}
