#include "lepton/time.h"

#include <gtest/gtest.h>

#include "lepton/json.h"

using lepton::format_duration;
using lepton::format_time;
using lepton::parse_duration;
using lepton::parse_time_text;

TEST(Time, ParsesRfc3339AndVariants) {
  EXPECT_EQ(*parse_time_text("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_time_text("2026-11-21T23:51:10Z"), 1795305070);
  EXPECT_EQ(*parse_time_text("2015-02-26 21:42:53"), 1424986973);
  EXPECT_EQ(*parse_time_text("2015-02-26"), 1424908800);
  EXPECT_EQ(*parse_time_text("2015-02-26T21:42"), 1424986920);
  EXPECT_DOUBLE_EQ(*parse_time_text("2026-11-21T23:51:10.25Z"), 1795305070.25);
  EXPECT_EQ(*parse_time_text("2026-11-21T23:51:10+02:00"), 1795305070 - 7200);
  EXPECT_EQ(*parse_time_text("2026-11-21T23:51:10-0130"), 1795305070 + 5400);
  EXPECT_EQ(*parse_time_text("2026-11-21t23:51:10z"), 1795305070);
  EXPECT_EQ(*parse_time_text("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_EQ(*parse_time_text("1969-12-31T23:59:59Z"), -1);
}

TEST(Time, RejectsBadDates) {
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-29", "2023-00-10", "2026-11-21X10:00",
                          "2026-11-21T24:00:00Z", "2026-11-21T10:60", "2026-11-21T10:00:00+25:00",
                          "2026-11-21T10:00:00Zjunk", "2026-11-21T10:00:00.", "26-11-21", "2026-1-21"}) {
    EXPECT_FALSE(parse_time_text(bad).has_value()) << bad;
  }
}

TEST(Time, TimestampFromJson) {
  lepton::JsonDocument doc;
  ASSERT_TRUE(doc.parse(R"([1763769610.25,"2026-11-21T23:51:10Z",true,"nope"])"));
  auto v = doc.children(doc.root());
  EXPECT_EQ(*lepton::parse_timestamp(v[0].value), 1763769610.25);
  EXPECT_EQ(*lepton::parse_timestamp(v[1].value), 1795305070);
  EXPECT_FALSE(lepton::parse_timestamp(v[2].value));
  EXPECT_FALSE(lepton::parse_timestamp(v[3].value));
}

TEST(Time, FormatsUtc) {
  EXPECT_EQ(format_time(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_time(1795305070), "2026-11-21T23:51:10Z");
  EXPECT_EQ(format_time(1795305070.25), "2026-11-21T23:51:10.250Z");
  EXPECT_EQ(format_time(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(*parse_time_text(format_time(1709164800.5)), 1709164800.5);
}

TEST(Duration, Parses) {
  EXPECT_EQ(*parse_duration("0.5"), 0.5);
  EXPECT_EQ(*parse_duration("30"), 30);
  EXPECT_EQ(*parse_duration("250ms"), 0.25);
  EXPECT_EQ(*parse_duration("10s"), 10);
  EXPECT_EQ(*parse_duration("5m"), 300);
  EXPECT_EQ(*parse_duration("2h"), 7200);
  EXPECT_EQ(*parse_duration("7d"), 604800);
  EXPECT_EQ(*parse_duration("1w"), 604800);
  EXPECT_EQ(*parse_duration("1h30m"), 5400);
  EXPECT_EQ(*parse_duration("0"), 0);
}

TEST(Duration, Rejects) {
  for (const char* bad : {"", "-5s", "5x", "m", "5 m", "1h30", "nan", "inf", "5M"})
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
}

TEST(Duration, Formats) {
  EXPECT_EQ(format_duration(0.25), "250ms");
  EXPECT_EQ(format_duration(10), "10s");
  EXPECT_EQ(format_duration(600), "10m");
  EXPECT_EQ(format_duration(5400), "1h30m");
  EXPECT_EQ(format_duration(604800), "7d");
  EXPECT_EQ(format_duration(0), "0s");
}
