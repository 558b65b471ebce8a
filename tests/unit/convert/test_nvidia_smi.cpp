// --from nvidia-smi: `nvidia-smi --query-gpu=... --format=csv[,nounits]`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "convert/convert_test_util.h"

namespace lepton::convert::test {
namespace {

ConvertOptions smi() { return options("nvidia-smi"); }

const char* kExpected =
    "{\"ts\":1700000000,\"metric\":\"gpu.util\",\"gpu\":\"0\",\"uuid\":\"GPU-4a1c0a07-1f41-2b4e-8c3d-77a5b0f2e9d1\","
    "\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":0.45}\n"
    "{\"ts\":1700000000,\"metric\":\"gpu.mem.used_bytes\",\"gpu\":\"0\",\"uuid\":\"GPU-4a1c0a07-1f41-2b4e-8c3d-"
    "77a5b0f2e9d1\",\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":1073741824}\n"
    "{\"ts\":1700000000,\"metric\":\"gpu.temp_celsius\",\"gpu\":\"0\",\"uuid\":\"GPU-4a1c0a07-1f41-2b4e-8c3d-"
    "77a5b0f2e9d1\",\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":34}\n"
    "{\"ts\":1700000000,\"metric\":\"gpu.power_watts\",\"gpu\":\"0\",\"uuid\":\"GPU-4a1c0a07-1f41-2b4e-8c3d-"
    "77a5b0f2e9d1\",\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":61.23}\n"
    "{\"ts\":1700000000,\"metric\":\"gpu.util\",\"gpu\":\"1\",\"uuid\":\"GPU-9e3b2f6c-0d5a-4c71-a8e2-3f1b6d7c9a40\","
    "\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":0.07}\n"
    "{\"ts\":1700000000,\"metric\":\"gpu.mem.used_bytes\",\"gpu\":\"1\",\"uuid\":\"GPU-9e3b2f6c-0d5a-4c71-a8e2-"
    "3f1b6d7c9a40\",\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":4194304}\n"
    "{\"ts\":1700000000,\"metric\":\"gpu.temp_celsius\",\"gpu\":\"1\",\"uuid\":\"GPU-9e3b2f6c-0d5a-4c71-a8e2-"
    "3f1b6d7c9a40\",\"name\":\"NVIDIA A100-SXM4-40GB\",\"value\":31}\n";

TEST(NvidiaSmi, WithUnits) {
  auto r = run(smi(),
               "index, uuid, name, utilization.gpu [%], memory.used [MiB], temperature.gpu, power.draw [W]\n"
               "0, GPU-4a1c0a07-1f41-2b4e-8c3d-77a5b0f2e9d1, NVIDIA A100-SXM4-40GB, 45 %, 1024 MiB, 34, 61.23 W\n"
               "1, GPU-9e3b2f6c-0d5a-4c71-a8e2-3f1b6d7c9a40, NVIDIA A100-SXM4-40GB, 7 %, 4 MiB, 31, [N/A]\n");
  EXPECT_EQ(r.points, kExpected);
  EXPECT_EQ(r.warnings,
            "lepton-collect: warning: 1 value was empty or not available (such as [N/A]) and gave no point\n");
}

TEST(NvidiaSmi, NoUnits) {
  auto r = run(smi(),
               "index, uuid, name, utilization.gpu [%], memory.used [MiB], temperature.gpu, power.draw [W]\r\n"
               "0, GPU-4a1c0a07-1f41-2b4e-8c3d-77a5b0f2e9d1, NVIDIA A100-SXM4-40GB, 45, 1024, 34, 61.23\r\n"
               "1, GPU-9e3b2f6c-0d5a-4c71-a8e2-3f1b6d7c9a40, NVIDIA A100-SXM4-40GB, 7, 4, 31, [Not Supported]\r\n");
  EXPECT_EQ(r.points, kExpected);
}

TEST(NvidiaSmi, WideQueryWithTimestamp) {
  const char* old_tz = std::getenv("TZ");
  std::string saved = old_tz != nullptr ? old_tz : "";
  ::setenv("TZ", "CET-1", 1);  // UTC+1 without DST, no tzdata needed
  ::tzset();
  auto r = run(smi(),
               "timestamp, index, pci.bus_id, driver_version, pstate, persistence_mode, compute_mode, fan.speed [%], "
               "clocks.sm [MHz], clocks_throttle_reasons.active, ecc.errors.corrected.volatile.total, "
               "memory.total [MiB], encoder.stats.averageLatency\n"
               "2024/01/15 10:23:45.123, 0, 00000000:07:00.0, 550.54, P0, Enabled, Default, [N/A], 1410 MHz, "
               "0x0000000000000001, 0, 40960 MiB, 0\n");
  if (old_tz != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  const std::string labels =
      "\"gpu\":\"0\",\"pci_bus_id\":\"00000000:07:00.0\",\"driver_version\":\"550.54\",\"compute_mode\":\"Default\"";
  const std::string ts = "{\"ts\":1705310625.123,";
  EXPECT_EQ(r.points, ts + "\"metric\":\"gpu.pstate\"," + labels + ",\"value\":0}\n" + ts +
                          "\"metric\":\"gpu.persistence_mode\"," + labels + ",\"value\":1}\n" + ts +
                          "\"metric\":\"gpu.clock.sm_hz\"," + labels + ",\"value\":1410000000}\n" + ts +
                          "\"metric\":\"gpu.clocks_throttle_reasons.active\"," + labels + ",\"value\":1}\n" + ts +
                          "\"metric\":\"gpu.ecc.errors.corrected.volatile.total\"," + labels + ",\"value\":0}\n" + ts +
                          "\"metric\":\"gpu.mem.total_bytes\"," + labels + ",\"value\":42949672960}\n" + ts +
                          "\"metric\":\"gpu.encoder.stats.averageLatency\"," + labels + ",\"value\":0}\n");
}

TEST(NvidiaSmi, RepeatedHeaderAndGlobs) {
  auto o = smi();
  o.metric_globs = {"gpu.util"};
  auto r = run(o,
               "index, utilization.gpu [%], memory.used [MiB]\n"
               "0, 10 %, 1 MiB\n"
               "index, utilization.gpu [%], memory.used [MiB]\n"
               "0, 20 %, [N/A]\n");
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"gpu.util\",\"gpu\":\"0\",\"value\":0.1}\n"
            "{\"ts\":1700000000,\"metric\":\"gpu.util\",\"gpu\":\"0\",\"value\":0.2}\n");
  EXPECT_EQ(r.warnings, "");  // the unavailable memory.used was not wanted anyway
}

TEST(NvidiaSmi, BadInput) {
  EXPECT_EQ(error_of(smi(), "0, GPU-1, 45 %\n"),
            "in:1: the first line is not a header: run nvidia-smi with --format=csv (without noheader); got 0, "
            "GPU-1, 45 %");
  EXPECT_EQ(error_of(smi(), "index, utilization gpu\n"),
            "in:1: not nvidia-smi --query-gpu output: a header field is not a query field name; got utilization gpu");
  EXPECT_EQ(error_of(smi(), "index, memory.used [W]\n"),
            "in:1: unit [W] of 'memory.used' does not fit the metric; got memory.used [W]");
  const char* text =
      "index, utilization.gpu [%], memory.used [MiB]\n"
      "0, 10 %\n"
      "1, 10 W, 5 MiB\n"
      "2, 30 %, 6 MiB\n";
  EXPECT_EQ(error_of(smi(), text), "in:2: row has 2 fields; the header has 3; got 0, 10 %");
  auto r = run(smi(), text, OnError::kSkip);
  EXPECT_EQ(r.points,
            "{\"ts\":1700000000,\"metric\":\"gpu.util\",\"gpu\":\"2\",\"value\":0.3}\n"
            "{\"ts\":1700000000,\"metric\":\"gpu.mem.used_bytes\",\"gpu\":\"2\",\"value\":6291456}\n");
  EXPECT_EQ(r.skipped, 2u);
  EXPECT_EQ(error_of(smi(), "timestamp, index, utilization.gpu [%]\nnoon, 0, 1 %\n"),
            "in:2: timestamp is not 'YYYY/MM/DD HH:MM:SS.mmm'; got noon");
}

}  // namespace
}  // namespace lepton::convert::test
