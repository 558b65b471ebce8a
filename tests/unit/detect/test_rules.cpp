#include "lepton/detect/rules.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lepton/error.h"

using namespace lepton::detect;
using lepton::Label;

namespace {
std::string error_of(const std::string& text) {
  try {
    parse_rule(text);
  } catch (const lepton::UsageError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Rules, ParsesThresholdWithDuration) {
  Rule r = parse_rule("value > 0.9 for 5m");
  EXPECT_FALSE(r.absent);
  EXPECT_EQ(r.quantity, Quantity::kValue);
  EXPECT_EQ(r.op, Comparison::kGt);
  EXPECT_DOUBLE_EQ(r.number, 0.9);
  EXPECT_DOUBLE_EQ(r.hold, 300);
  EXPECT_EQ(r.severity, Severity::kWarning);
  EXPECT_EQ(r.metric_glob, "");
  EXPECT_EQ(r.text, "value > 0.9 for 5m");
}

TEST(Rules, ParsesSelectorsAndSeverity) {
  Rule r = parse_rule(R"(cpu.util{host="web-*",cpu!="total"}: value>=0.95 for 10m severity critical)");
  EXPECT_EQ(r.metric_glob, "cpu.util");
  ASSERT_EQ(r.matchers.size(), 2u);
  EXPECT_EQ(r.matchers[0].label, "host");
  EXPECT_EQ(r.matchers[0].glob, "web-*");
  EXPECT_FALSE(r.matchers[0].negate);
  EXPECT_TRUE(r.matchers[1].negate);
  EXPECT_EQ(r.op, Comparison::kGe);
  EXPECT_EQ(r.severity, Severity::kCritical);
  std::vector<Label> web1 = {{"cpu", "0"}, {"host", "web-1"}};
  std::vector<Label> total = {{"cpu", "total"}, {"host", "web-1"}};
  std::vector<Label> db = {{"cpu", "0"}, {"host", "db-1"}};
  EXPECT_TRUE(r.selects("cpu.util", web1));
  EXPECT_FALSE(r.selects("cpu.util", total));
  EXPECT_FALSE(r.selects("cpu.util", db));
  EXPECT_FALSE(r.selects("mem.used", web1));
}

TEST(Rules, ParsesAbsentRateDeltaAbs) {
  Rule a = parse_rule("absent for 2m");
  EXPECT_TRUE(a.absent);
  EXPECT_DOUBLE_EQ(a.hold, 120);
  Rule b = parse_rule("disk.*: rate > 1e6");
  EXPECT_EQ(b.metric_glob, "disk.*");
  EXPECT_EQ(b.quantity, Quantity::kRate);
  EXPECT_DOUBLE_EQ(b.number, 1e6);
  Rule c = parse_rule("abs(delta) >= 100");
  EXPECT_TRUE(c.absolute);
  EXPECT_EQ(c.quantity, Quantity::kDelta);
  EXPECT_TRUE(c.holds(-150));
  EXPECT_FALSE(c.holds(99));
  Rule d = parse_rule("job:requests:rate5m: value < 1");  // ':' inside metric names
  EXPECT_EQ(d.metric_glob, "job:requests:rate5m");
  Rule e = parse_rule("{job=\"api\"}: absent for 1m");
  EXPECT_EQ(e.metric_glob, "");
  EXPECT_TRUE(e.absent);
  Rule f = parse_rule("  score   >=  0.8 ");
  EXPECT_EQ(f.quantity, Quantity::kScore);
  EXPECT_EQ(f.text, "score >= 0.8");
}

TEST(Rules, ComparisonOperators) {
  EXPECT_TRUE(parse_rule("value < 1").holds(0.5));
  EXPECT_TRUE(parse_rule("value <= 1").holds(1));
  EXPECT_TRUE(parse_rule("value == 1").holds(1));
  EXPECT_TRUE(parse_rule("value != 1").holds(2));
  EXPECT_FALSE(parse_rule("value > 1").holds(NAN));
}

TEST(Rules, ClearErrors) {
  EXPECT_EQ(error_of(""), "--rule '': a rule is empty; expected e.g. 'value > 0.9 for 5m' at column 1");
  EXPECT_EQ(error_of("value > "), "--rule 'value > ': expected a number at column 9");
  EXPECT_EQ(error_of("value => 3"), "--rule 'value => 3': expected a comparison: >, >=, <, <=, == or != at column 7");
  EXPECT_EQ(error_of("valu > 3"),
            "--rule 'valu > 3': expected 'absent' or a quantity: value, rate, delta, score or abs(...) at column 1");
  EXPECT_EQ(error_of("value > 3 for ever"),
            "--rule 'value > 3 for ever': expected a duration such as 30s, 5m or 2h after 'for' at column 15");
  EXPECT_EQ(error_of("absent"), "--rule 'absent': an absent rule needs a duration: 'absent for 2m' at column 7");
  EXPECT_EQ(error_of("value > 3 severity high"),
            "--rule 'value > 3 severity high': expected 'warning' or 'critical' after 'severity' at column 20");
  EXPECT_EQ(error_of("value > 3 and 4"),
            "--rule 'value > 3 and 4': expected 'for DURATION', 'severity LEVEL' or the end of the rule at column 14");
  EXPECT_EQ(error_of(R"(cpu{host="a}: value > 1)"),
            R"(--rule 'cpu{host="a}: value > 1': unterminated quoted string at column 10)");
  EXPECT_EQ(error_of("abs(score) > 1"),
            "--rule 'abs(score) > 1': expected 'value', 'rate' or 'delta' inside abs() at column 5");
}

TEST(Rules, ForDurationMustHoldWithoutBreak) {
  Rule r = parse_rule("value > 0.9 for 5m");
  RuleState st;
  EXPECT_FALSE(evaluate_rule(r, st, 0, 0.95));
  EXPECT_FALSE(evaluate_rule(r, st, 240, 0.97));
  EXPECT_TRUE(evaluate_rule(r, st, 300, 0.96));
  EXPECT_TRUE(evaluate_rule(r, st, 310, 0.99));
  EXPECT_FALSE(evaluate_rule(r, st, 320, 0.5));  // a break resets
  EXPECT_FALSE(evaluate_rule(r, st, 330, 0.95));
  EXPECT_FALSE(evaluate_rule(r, st, 600, 0.95));
  EXPECT_TRUE(evaluate_rule(r, st, 630, 0.95));
}

TEST(Rules, NoDurationIsImmediate) {
  Rule r = parse_rule("value < 0");
  RuleState st;
  EXPECT_TRUE(evaluate_rule(r, st, 5, -1));
  EXPECT_FALSE(evaluate_rule(r, st, 6, 1));
}

TEST(Rules, Globs) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("cpu.*", "cpu.util"));
  EXPECT_FALSE(glob_match("cpu.*", "xcpu.util"));
  EXPECT_TRUE(glob_match("w?b-*-1", "web-a-1"));
  EXPECT_TRUE(glob_match("*a*b*c", "xxaxxbxxc"));
  EXPECT_FALSE(glob_match("*a*b*c", "xxaxxbxx"));
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
}
