#include "lepton/detect/alerts.h"

#include <gtest/gtest.h>

#include <string>

#include "lepton/detect/state.h"
#include "lepton/error.h"

using namespace lepton::detect;

namespace {
Verdict verdict(double score, double strength = -1, double sigma = 5.2, Basis b = Basis::kSeasonal) {
  Verdict v;
  v.score = score;
  v.strength = strength < 0 ? score : strength;
  v.sigma = sigma;
  v.basis = b;
  v.expected = 10;
  return v;
}
}  // namespace

TEST(Alerts, ParseSpan) {
  Span a = parse_span("--fire-after", "3");
  EXPECT_TRUE(a.records);
  EXPECT_EQ(a.amount, 3);
  Span b = parse_span("--fire-after", "5m");
  EXPECT_FALSE(b.records);
  EXPECT_EQ(b.amount, 300);
  EXPECT_FALSE(parse_span("--fire-after", "0.5").records);
  EXPECT_THROW(parse_span("--fire-after", "soon"), lepton::UsageError);
}

TEST(Alerts, FiresOnceAndResolvesWithHysteresis) {
  AlertOptions o;  // fire at 0.5, resolve below 0.4 for 3 records
  AlertState st;
  EXPECT_EQ(step_alert(o, st, 0, 1, verdict(0.1)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 10, 9, verdict(0.7)), AlertEvent::kFiring);
  EXPECT_EQ(st.severity, Severity::kWarning);
  // Still high, then between the levels: no new alerts, not resolved.
  EXPECT_EQ(step_alert(o, st, 20, 9, verdict(0, 0.6)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 30, 9, verdict(0, 0.45)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 40, 9, verdict(0, 0.3)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 50, 9, verdict(0, 0.3)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 60, 9, verdict(0, 0.45)), AlertEvent::kNone);  // back above: quiet count restarts
  EXPECT_EQ(step_alert(o, st, 70, 1, verdict(0, 0.1)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 80, 1, verdict(0, 0.1)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 90, 1, verdict(0, 0.1)), AlertEvent::kResolved);
  EXPECT_EQ(st.phase, AlertPhase::kIdle);
  EXPECT_DOUBLE_EQ(st.start, 10);
}

TEST(Alerts, FireAfterRecordsAndDurations) {
  AlertOptions o;
  o.fire_after = {3, true};
  AlertState st;
  EXPECT_EQ(step_alert(o, st, 0, 1, verdict(0.9)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 1, 1, verdict(0.9)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, st, 2, 1, verdict(0.9)), AlertEvent::kFiring);

  o.fire_after = {600, false};  // 10 minutes
  AlertState t;
  EXPECT_EQ(step_alert(o, t, 0, 1, verdict(0.9)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, t, 300, 1, verdict(0.9)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, t, 400, 1, verdict(0.2)), AlertEvent::kNone);  // a dip: start over
  EXPECT_EQ(t.phase, AlertPhase::kIdle);
  EXPECT_EQ(step_alert(o, t, 500, 1, verdict(0.9)), AlertEvent::kNone);
  EXPECT_EQ(step_alert(o, t, 1100, 1, verdict(0.9)), AlertEvent::kFiring);
}

TEST(Alerts, EscalatesOnceToCritical) {
  AlertOptions o;
  AlertState st;
  EXPECT_EQ(step_alert(o, st, 0, 1, verdict(0.6)), AlertEvent::kFiring);
  EXPECT_EQ(step_alert(o, st, 1, 1, verdict(0, 0.85)), AlertEvent::kEscalated);
  EXPECT_EQ(st.severity, Severity::kCritical);
  EXPECT_EQ(step_alert(o, st, 2, 1, verdict(0, 0.95)), AlertEvent::kNone);
  EXPECT_DOUBLE_EQ(st.peak, 0.95);
}

TEST(Alerts, Reasons) {
  EXPECT_EQ(alert_reason(verdict(0.9, -1, 5.23), 30, 0, 600), "5.2 sigma above the seasonal baseline for 10m");
  EXPECT_EQ(alert_reason(verdict(0.9, -1, -3.0, Basis::kRecentMedian), 4, 0, 0), "3.0 sigma below the recent median");
  EXPECT_EQ(alert_reason(verdict(0.9, -1, 1.0, Basis::kPattern), 11, 5, 95),
            "unusual pattern of recent values (1.0 sigma above the recent median) for 1m30s");
  EXPECT_EQ(alert_reason(verdict(0.9, -1, 9.0, Basis::kEventRate), 200, 0, 0), "burst: 200 events where 10 are usual");
  EXPECT_EQ(alert_reason(verdict(0.9, -1, 9.0, Basis::kNewKey), 1, 0, 0), "new key never seen before");
}

TEST(Alerts, StateRoundTrip) {
  AlertOptions o;
  AlertState st;
  step_alert(o, st, 0, 1, verdict(0.9));
  std::string bytes;
  StateWriter w(bytes);
  st.save(w);
  AlertState back;
  StateReader r(bytes);
  back.load(r);
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(back.phase, AlertPhase::kFiring);
  EXPECT_EQ(back.peak, st.peak);
  EXPECT_EQ(back.top.basis, Basis::kSeasonal);
  EXPECT_EQ(step_alert(o, back, 1, 1, verdict(0.1)), step_alert(o, st, 1, 1, verdict(0.1)));
}
