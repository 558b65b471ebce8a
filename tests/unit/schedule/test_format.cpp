// Output formats: the Prometheus exposition of a plan and of scale
// decisions (exact text), --textfile next to NDJSON, bad paths.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lepton/error.h"
#include "lepton/schedule/schedule.h"

namespace ls = lepton::schedule;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Two tasks on three nodes: web has 3 replicas (n1, n1, n2), batch has 3
// (n2, and two unplaced for two different reasons); one move, no eviction.
struct Fixture {
  ls::Problem pb;
  ls::Plan plan;
  Fixture() {
    pb.tasks.resize(2);
    pb.tasks[0].name = "web";
    pb.tasks[0].replicas = 3;
    pb.tasks[1].name = "batch";
    pb.tasks[1].replicas = 3;
    plan.dims = {"cpu", "mem_gib"};
    plan.node_names = {"n1", "n2", "n3"};
    plan.first_replica = {0, 3, 6};
    plan.node_of = {0, 0, 1, 1, ls::kUnplaced, ls::kUnplaced};
    plan.reason = {"", "", "", "", "no node has gpu >= 8", "spread by node"};
    plan.moves.push_back({0, 2, 2, 1});
    auto& s = plan.summary;
    s.nodes = 3;
    s.nodes_used = 2;
    s.replicas = 6;
    s.placed = 4;
    s.unplaced = 2;
    s.objective_value = 2;
    s.lower_bound = 2;
    s.utilisation = {0.75, 0.5};
  }
  ls::PlanView view(std::string_view instance = {}) { return {instance, &pb, &plan, ls::Objective::kPack, 0.25, 0.25}; }
};

class FormatTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lepton-schedule-format-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

}  // namespace

TEST_F(FormatTest, PrometheusPlanAndScaleExactText) {
  Fixture fx;
  auto path = dir_ / "out";
  {
    lepton::Output out(path.string());
    auto f = ls::make_format("prometheus", out);
    f->passthrough(R"({"kind":"alert","metric":"disk.used"})");
    ls::ScaleDecision web;
    web.task = "web";
    web.replicas = 3;
    web.desired = 2;
    web.previous = 3;
    web.held = true;
    f->scale(web);
    ls::ScaleDecision orphan;  // no task record: no decision
    orphan.task = "orphan";
    orphan.replicas = -1;
    f->scale(orphan);
    ls::ScaleDecision fresh;  // current count unknown
    fresh.task = "batch";
    fresh.replicas = 3;
    fresh.desired = 3;
    f->scale(fresh);
    f->plan(fx.view());
    f->finish();
  }
  EXPECT_EQ(slurp(path),
            "# HELP lepton_schedule_scale_replicas Replicas to run per task, from forecast demand after "
            "stabilisation\n"
            "# TYPE lepton_schedule_scale_replicas gauge\n"
            "lepton_schedule_scale_replicas{task=\"web\"} 3\n"
            "lepton_schedule_scale_replicas{task=\"batch\"} 3\n"
            "# HELP lepton_schedule_scale_desired Replicas per task by the scaling formula, before stabilisation\n"
            "# TYPE lepton_schedule_scale_desired gauge\n"
            "lepton_schedule_scale_desired{task=\"web\"} 2\n"
            "lepton_schedule_scale_desired{task=\"batch\"} 3\n"
            "# HELP lepton_schedule_scale_current Replicas per task running now (the task record's replicas)\n"
            "# TYPE lepton_schedule_scale_current gauge\n"
            "lepton_schedule_scale_current{task=\"web\"} 3\n"
            "# HELP lepton_schedule_replicas Replicas of task placed on node\n"
            "# TYPE lepton_schedule_replicas gauge\n"
            "lepton_schedule_replicas{task=\"web\",node=\"n1\"} 2\n"
            "lepton_schedule_replicas{task=\"web\",node=\"n2\"} 1\n"
            "lepton_schedule_replicas{task=\"batch\",node=\"n2\"} 1\n"
            "# HELP lepton_schedule_unplaced_replicas Replicas of task that could not be placed, by reason\n"
            "# TYPE lepton_schedule_unplaced_replicas gauge\n"
            "lepton_schedule_unplaced_replicas{task=\"batch\",reason=\"no node has gpu >= 8\"} 1\n"
            "lepton_schedule_unplaced_replicas{task=\"batch\",reason=\"spread by node\"} 1\n"
            "# HELP lepton_schedule_nodes Nodes available\n"
            "# TYPE lepton_schedule_nodes gauge\n"
            "lepton_schedule_nodes 3\n"
            "# HELP lepton_schedule_nodes_used Nodes with at least one replica (with --divisible: nodes on)\n"
            "# TYPE lepton_schedule_nodes_used gauge\n"
            "lepton_schedule_nodes_used 2\n"
            "# HELP lepton_schedule_objective_value Value of the objective: nodes (pack), largest utilisation "
            "(spread), cost or power (energy)\n"
            "# TYPE lepton_schedule_objective_value gauge\n"
            "lepton_schedule_objective_value{objective=\"pack\"} 2\n"
            "# HELP lepton_schedule_lower_bound Lower bound on the objective value\n"
            "# TYPE lepton_schedule_lower_bound gauge\n"
            "lepton_schedule_lower_bound{objective=\"pack\"} 2\n"
            "# HELP lepton_schedule_utilization Load over capacity of the used nodes, per resource dimension\n"
            "# TYPE lepton_schedule_utilization gauge\n"
            "lepton_schedule_utilization{dimension=\"cpu\"} 0.75\n"
            "lepton_schedule_utilization{dimension=\"mem_gib\"} 0.5\n"
            "# HELP lepton_schedule_moves Migrations of running replicas\n"
            "# TYPE lepton_schedule_moves gauge\n"
            "lepton_schedule_moves 1\n"
            "# HELP lepton_schedule_evictions Running replicas evicted for higher-priority ones\n"
            "# TYPE lepton_schedule_evictions gauge\n"
            "lepton_schedule_evictions 0\n");
}

TEST_F(FormatTest, PrometheusInstancesAreLabelledByFile) {
  Fixture a, b;
  b.plan.summary.nodes_used = 3;
  auto path = dir_ / "out";
  {
    lepton::Output out(path.string());
    auto f = ls::make_format("prometheus", out);
    f->plan(a.view("x.vbp"));
    f->plan(b.view("y.vbp"));
    f->finish();
  }
  std::string text = slurp(path);
  EXPECT_NE(text.find("lepton_schedule_nodes_used{file=\"x.vbp\"} 2\nlepton_schedule_nodes_used{file=\"y.vbp\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lepton_schedule_replicas{file=\"y.vbp\",task=\"web\",node=\"n1\"} 2\n"), std::string::npos);
  // One HELP line per family, however many plans.
  std::size_t helps = 0;
  for (auto p = text.find("# HELP lepton_schedule_nodes_used "); p != std::string::npos;
       p = text.find("# HELP lepton_schedule_nodes_used ", p + 1))
    ++helps;
  EXPECT_EQ(helps, 1u);
}

TEST_F(FormatTest, PrometheusDivisibleAllocation) {
  auto path = dir_ / "out";
  {
    lepton::Output out(path.string());
    auto f = ls::make_format("prometheus", out);
    ls::AllocationView v;
    v.dim = "cpu";
    v.total_load = 40;
    v.power = 390;
    v.nodes = 4;
    v.on = {{"old#0", 8, 0.5, 170}, {"new#0", 32, 1, 220}};
    f->allocation(v);
    f->finish();
  }
  std::string text = slurp(path);
  for (const char* line : {"lepton_schedule_nodes 4\n", "lepton_schedule_nodes_used 2\n",
                           "lepton_schedule_objective_value{objective=\"energy\"} 390\n",
                           "lepton_schedule_allocation_load{node=\"old#0\",dimension=\"cpu\"} 8\n",
                           "lepton_schedule_allocation_utilization{node=\"new#0\",dimension=\"cpu\"} 1\n",
                           "lepton_schedule_allocation_power{node=\"new#0\"} 220\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << " in\n" << text;
}

TEST_F(FormatTest, TextfileNextToNdjson) {
  Fixture fx;
  auto ndjson_only = dir_ / "plain", with_textfile = dir_ / "tee", prom = dir_ / "prom";
  auto textfile = (dir_ / "schedule.prom").string();
  auto run = [&](const std::filesystem::path& p, std::string_view format, const std::string& tf) {
    lepton::Output out(p.string());
    auto f = ls::make_format(format, out, tf);
    f->passthrough(R"({"ts":1,"metric":"q","value":2})");
    f->plan(fx.view());
    f->finish();
  };
  run(ndjson_only, "ndjson", "");
  run(with_textfile, "ndjson", textfile);
  run(prom, "prometheus", "");
  std::string ndjson = slurp(ndjson_only);
  EXPECT_EQ(ndjson.rfind(R"({"ts":1,"metric":"q","value":2})", 0), 0u);
  EXPECT_EQ(slurp(with_textfile), ndjson);
  EXPECT_EQ(slurp(textfile), slurp(prom));
  EXPECT_EQ(slurp(prom).find("\"metric\":\"q\""), std::string::npos);  // not the program's own record
}

TEST(FormatUsage, BadNamesAndPaths) {
  lepton::Output out("/dev/null");
  EXPECT_THROW(ls::make_format("csv", out), lepton::UsageError);
  EXPECT_THROW(ls::make_format("ndjson", out, "schedule.txt"), lepton::UsageError);
  EXPECT_THROW(ls::make_format("prometheus", out, "/no/such/dir/schedule.prom"), lepton::UsageError);
  EXPECT_EQ(ls::format_names(), (std::vector<std::string>{"ndjson", "prometheus"}));
}
