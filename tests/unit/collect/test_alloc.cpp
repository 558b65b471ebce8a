// Steady-state sampling must not allocate: after the first samples have
// sized every buffer, reading and building points only reuses memory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>

#include "collect/host.h"
#include "lepton/json.h"

namespace {
bool g_counting = false;
long g_allocations = 0;
}  // namespace

// Counting replacements of the global allocation functions (this test
// executable only).
void* operator new(std::size_t n) {
  if (g_counting) ++g_allocations;
  void* p = std::malloc(n != 0 ? n : 1);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace d = lepton::collect::detail;

namespace {

// Serialises points like the tool does, into a reused buffer.
class StringSink : public d::PointSink {
 public:
  void point(d::Metric m, std::string_view labels, double value) override {
    out.append("{\"metric\":\"");
    out.append(d::metric_name(m));
    out.push_back('"');
    out.append(labels);
    out.append(",\"value\":");
    lepton::append_number(out, value);
    out.append("}\n");
    ++points;
  }
  std::string out;
  long points = 0;
};

long allocations_in_steady_state(const std::string& tree, double rescan_seconds) {
  d::ReaderOptions o;
  o.root = std::string(LEPTON_TEST_FIXTURES) + "/collect/" + tree;
  o.read_procs = true;
  o.cgroup_rescan_seconds = rescan_seconds;
  o.statfs = [](const std::string&, d::FsUsage& u) {
    u = {1000, 400, 300, 100, 50};
    return true;
  };
  d::HostReader reader(o);
  d::PointBuilder builder(d::MetricSet(), 5, 100, 4096);
  d::Snapshot snaps[2];
  StringSink sink;
  sink.out.reserve(1 << 20);
  double mono = 1;
  auto step = [&](int i) {
    reader.read(snaps[i % 2], mono);
    builder.build(i > 0 ? &snaps[(i + 1) % 2] : nullptr, snaps[i % 2], sink);
    mono += 0.5;
  };
  for (int i = 0; i < 4; ++i) step(i);  // warm-up sizes every buffer
  g_allocations = 0;
  g_counting = true;
  for (int i = 4; i < 40; ++i) step(i);
  g_counting = false;
  EXPECT_GT(sink.points, 1000);
  return g_allocations;
}

}  // namespace

TEST(SteadyState, SamplingDoesNotAllocate) {
  EXPECT_EQ(allocations_in_steady_state("v2-host", 1e9), 0);
  EXPECT_EQ(allocations_in_steady_state("vm-hybrid", 1e9), 0);
}

TEST(SteadyState, CgroupRescanOfAnUnchangedTreeDoesNotAllocate) {
  EXPECT_EQ(allocations_in_steady_state("v2-host", 0), 0);
}
