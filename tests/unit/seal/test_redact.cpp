#include "lepton/seal/redact.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "lepton/json.h"
#include "seal/seal_test_util.h"

using namespace lepton::seal;

namespace {

struct Outcome {
  std::string out;
  std::string error;
  std::uint64_t skipped = 0;
};

Outcome redact_text(const std::string& text, const RedactOptions& o, lepton::OnError policy = lepton::OnError::kFail) {
  char tmpl[] = "/tmp/seal_redact_XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string in = dir + "/in.ndjson", out = dir + "/out.ndjson";
  std::ofstream(in) << text;
  Outcome r;
  std::FILE* err = std::tmpfile();
  {
    lepton::Diagnostics diag("lepton-seal", policy, err);
    lepton::RecordReader reader({in}, diag);
    lepton::Output output(out);
    try {
      redact(reader, output, o);
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    r.skipped = diag.skipped();
  }
  std::fclose(err);
  r.out = seal_test::read_file(out);
  std::filesystem::remove_all(dir);
  return r;
}

Secret32 test_key(char c = 'k') { return derive_pseudonym_key(std::string(32, c)); }

TEST(Redact, DropsFieldsAndKeepsTheRest) {
  RedactOptions o;
  o.drop = {parse_field_path("user"), parse_field_path("labels.rack")};
  Outcome r = redact_text(
      "{\"ts\":1,\"metric\":\"m\",\"user\":\"ann\",\"value\":2.50}\n"
      "{\"kind\":\"node\",\"node\":\"n1\",\"labels\":{\"zone\":\"a\",\"rack\":\"r7\"},\"price\":3}\n"
      "{\"ts\":2,\"metric\":\"m\",\"value\":1e3}\n",
      o);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.out,
            "{\"ts\":1,\"metric\":\"m\",\"value\":2.50}\n"
            "{\"kind\":\"node\",\"node\":\"n1\",\"labels\":{\"zone\":\"a\"},\"price\":3}\n"
            "{\"ts\":2,\"metric\":\"m\",\"value\":1e3}\n");
}

TEST(Redact, PseudonymsAreKeyedDeterministicLabels) {
  RedactOptions o;
  o.pseudonymize = {parse_field_path("host"), parse_field_path("src_ip"), parse_field_path("uid")};
  o.key = test_key();
  Outcome r = redact_text(
      "{\"ts\":1,\"metric\":\"m\",\"host\":\"web-1\",\"value\":1}\n"
      "{\"ts\":2,\"metric\":\"m\",\"host\":\"web-2\",\"value\":1}\n"
      "{\"ts\":3,\"metric\":\"m\",\"host\":\"web-1\",\"src_ip\":\"web-1\",\"uid\":1000,\"value\":1}\n"
      "{\"ts\":4,\"metric\":\"m\",\"host\":null,\"uid\":\"1000\",\"value\":1}\n",
      o);
  ASSERT_EQ(r.error, "");
  std::string p1 = pseudonym(*o.key, "web-1"), p2 = pseudonym(*o.key, "web-2"), u = pseudonym(*o.key, "1000");
  EXPECT_EQ(p1.size(), 19u);
  EXPECT_EQ(p1.substr(0, 3), "ps-");
  EXPECT_NE(p1, p2);
  EXPECT_EQ(r.out, "{\"ts\":1,\"metric\":\"m\",\"host\":\"" + p1 +
                       "\",\"value\":1}\n{\"ts\":2,\"metric\":\"m\",\"host\":\"" + p2 +
                       "\",\"value\":1}\n{\"ts\":3,\"metric\":\"m\",\"host\":\"" + p1 + "\",\"src_ip\":\"" + p1 +
                       "\",\"uid\":\"" + u + "\",\"value\":1}\n{\"ts\":4,\"metric\":\"m\",\"host\":null,\"uid\":\"" +
                       u + "\",\"value\":1}\n");
  // Another key gives other pseudonyms.
  EXPECT_NE(pseudonym(test_key('j'), "web-1"), p1);
  EXPECT_EQ(pseudonym(test_key(), "web-1"), p1);
}

TEST(Redact, NoiseFollowsTheLaplaceDistribution) {
  // Scale b = S/epsilon = 2: E|X| = b, Var X = 2 b^2, P(|X| > b ln 20) = 5%.
  const int n = 40000;
  double sum = 0, sum_abs = 0, sum_sq = 0;
  int beyond = 0;
  for (int i = 0; i < n; ++i) {
    double x = laplace_noise(2.0);
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sum_abs += std::fabs(x);
    sum_sq += x * x;
    beyond += std::fabs(x) > 2.0 * std::log(20.0);
  }
  EXPECT_NEAR(sum / n, 0.0, 0.1);      // sd of the mean: 2.83/200 = 0.014
  EXPECT_NEAR(sum_abs / n, 2.0, 0.1);  // sd: 2/200 = 0.01
  EXPECT_NEAR(sum_sq / n, 8.0, 0.8);   // sd: about 0.2
  EXPECT_NEAR(beyond / double(n), 0.05, 0.01);
}

TEST(Redact, NoisedPointsKeepTheirShape) {
  RedactOptions o;
  o.noise = {parse_noise_spec("value:epsilon=0.5:sensitivity=1")};
  std::string in;
  for (int i = 0; i < 200; ++i) in += "{\"ts\":" + std::to_string(i) + ",\"metric\":\"logins\",\"value\":100}\n";
  in += "{\"kind\":\"summary\",\"note\":\"no value here\"}\n";
  Outcome r = redact_text(in, o);
  ASSERT_EQ(r.error, "");
  std::istringstream lines(r.out);
  std::string line;
  int points = 0, changed = 0;
  double sum = 0;
  while (std::getline(lines, line)) {
    lepton::JsonDocument doc;
    ASSERT_TRUE(doc.parse(line)) << line;
    if (doc.get("kind")) {
      EXPECT_EQ(line, "{\"kind\":\"summary\",\"note\":\"no value here\"}");
      continue;
    }
    lepton::Point p;
    std::string problem;
    std::string_view got;
    ASSERT_EQ(lepton::read_point(doc, p, problem, got), lepton::PointStatus::kPoint) << line;
    EXPECT_EQ(p.metric, "logins");
    ++points;
    changed += p.value != 100;
    sum += p.value;
  }
  EXPECT_EQ(points, 200);
  EXPECT_GT(changed, 190);
  EXPECT_NEAR(sum / points, 100, 1.0);  // scale 2: sd of the mean 0.2
}

TEST(Redact, NoiseIsRoundedToAPowerOfTwoGrid) {
  for (double scale : {0.001, 1.0, 37.0}) {
    double grid = std::ldexp(1.0, std::ilogb(scale) - 12);
    for (int i = 0; i < 100; ++i) {
      double y = add_laplace_noise(10.0, scale);
      EXPECT_EQ(std::fmod(y, grid), 0.0) << scale << " " << y;
    }
  }
}

TEST(Redact, BadRecordsFailOrSkip) {
  RedactOptions o;
  o.noise = {parse_noise_spec("value:epsilon=1:sensitivity=1")};
  std::string in = "{\"ts\":1,\"metric\":\"m\",\"value\":1}\n{\"ts\":2,\"metric\":\"m\",\"value\":\"high\"}\n";
  Outcome r = redact_text(in, o);
  EXPECT_NE(r.error.find("in.ndjson:2: field 'value' to add noise to is not a finite number; got high"),
            std::string::npos)
      << r.error;
  r = redact_text(in, o, lepton::OnError::kSkip);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);

  RedactOptions p;
  p.pseudonymize = {parse_field_path("labels")};
  p.key = test_key();
  r = redact_text("{\"labels\":{\"a\":\"b\"}}\n", p);
  EXPECT_NE(r.error.find("is an object or array"), std::string::npos) << r.error;
}

TEST(Redact, OptionsThatBreakShapeOrOverlapAreRefused) {
  auto usage = [](RedactOptions o) {
    try {
      check_redact_options(o);
    } catch (const lepton::UsageError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  RedactOptions o;
  EXPECT_NE(usage(o).find("at least one of"), std::string::npos);
  o.drop = {parse_field_path("value")};
  EXPECT_NE(usage(o).find("keep their shape"), std::string::npos);
  o.drop = {parse_field_path("user")};
  o.pseudonymize = {parse_field_path("user")};
  o.key = test_key();
  EXPECT_NE(usage(o).find("named by two options"), std::string::npos);
  o.pseudonymize = {parse_field_path("user.name")};
  EXPECT_NE(usage(o).find("inside a field"), std::string::npos);
  RedactOptions q;
  q.pseudonymize = {parse_field_path("host")};
  EXPECT_NE(usage(q).find("needs --key"), std::string::npos);
  q.key = test_key();
  q.pseudonymize = {parse_field_path("ts")};
  EXPECT_NE(usage(q).find("must stay numbers"), std::string::npos);
  EXPECT_THROW(parse_field_path("a..b"), lepton::UsageError);
}

TEST(Redact, NoiseSpecParsing) {
  NoiseSpec s = parse_noise_spec("value:epsilon=0.5:sensitivity=10");
  EXPECT_EQ(s.field, FieldPath{"value"});
  EXPECT_EQ(s.epsilon, 0.5);
  EXPECT_EQ(s.sensitivity, 10);
  s = parse_noise_spec("stats.count:sensitivity=1:epsilon=2");
  EXPECT_EQ(s.field, (FieldPath{"stats", "count"}));
  EXPECT_THROW(parse_noise_spec("value"), lepton::UsageError);
  EXPECT_THROW(parse_noise_spec("value:epsilon=0:sensitivity=1"), lepton::UsageError);
  EXPECT_THROW(parse_noise_spec("value:epsilon=-1:sensitivity=1"), lepton::UsageError);
  EXPECT_THROW(parse_noise_spec("value:epsilon=1"), lepton::UsageError);
  EXPECT_THROW(parse_noise_spec("value:epsilon=1:sensitivity=1:delta=0"), lepton::UsageError);
  EXPECT_THROW(parse_noise_spec("value:epsilon=nan:sensitivity=1"), lepton::UsageError);
}

}  // namespace
