#include "lepton/seal/redact.h"

#include <sodium.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "lepton/json.h"
#include "lepton/time.h"

namespace lepton::seal {

FieldPath parse_field_path(std::string_view text) {
  FieldPath path;
  std::size_t start = 0;
  for (;;) {
    auto dot = text.find('.', start);
    std::string_view part = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty()) throw UsageError(fmt::format("a field name has an empty part; got '{}'", text));
    path.emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return path;
}

namespace {
std::string join(const FieldPath& p) {
  std::string s;
  for (const auto& part : p) {
    if (!s.empty()) s.push_back('.');
    s += part;
  }
  return s;
}

bool parse_positive(std::string_view text, double& out) {
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0) return false;
  out = v;
  return true;
}

enum class Action { kNone, kDrop, kPseudonymize, kNoise };

// Rules by path: a tree keyed by field name.
struct Node {
  Action action = Action::kNone;
  const NoiseSpec* noise = nullptr;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
};

void add_rule(Node& root, const FieldPath& path, Action action, const NoiseSpec* noise) {
  Node* n = &root;
  for (const auto& part : path) {
    if (n->action != Action::kNone)
      throw UsageError(fmt::format("field '{}' is inside a field that another option already redacts", join(path)));
    auto& child = n->children[part];
    if (!child) child = std::make_unique<Node>();
    n = child.get();
  }
  if (n->action != Action::kNone) throw UsageError(fmt::format("field '{}' is named by two options", join(path)));
  if (!n->children.empty())
    throw UsageError(fmt::format("field '{}' contains a field that another option already redacts", join(path)));
  n->action = action;
  n->noise = noise;
}

Node build_rules(const RedactOptions& o) {
  Node root;
  for (const auto& p : o.drop) add_rule(root, p, Action::kDrop, nullptr);
  for (const auto& p : o.pseudonymize) add_rule(root, p, Action::kPseudonymize, nullptr);
  for (const auto& n : o.noise) add_rule(root, n.field, Action::kNoise, &n);
  return root;
}

class Redactor {
 public:
  Redactor(const RedactOptions& o, RecordReader& reader) : o_(o), reader_(reader), rules_(build_rules(o)) {}

  // Appends the redacted record to `out`; false if the record is bad (and
  // was reported), true otherwise. `changed` tells whether a rule applied.
  bool record(const JsonDocument& doc, std::string& out, bool& changed) {
    changed = false;
    bad_ = false;
    JsonWriter w(out);
    emit_object(doc, doc.root(), rules_, w, changed, "");
    return !bad_;
  }

  bool touches(const JsonDocument& doc) const {
    for (const auto& m : doc.children(doc.root()))
      if (rules_.children.find(m.key) != rules_.children.end()) return true;
    return false;
  }

 private:
  void bad(std::string_view problem, std::string_view got) {
    if (!bad_) reader_.bad(problem, got);  // throws under --on-error=fail
    bad_ = true;
  }

  void emit_object(const JsonDocument& doc, const JsonValue& obj, const Node& node, JsonWriter& w, bool& changed,
                   const std::string& prefix) {
    w.begin_object();
    for (const auto& m : doc.children(obj)) {
      auto it = node.children.find(m.key);
      if (it == node.children.end()) {
        w.key(m.key);
        w.value(doc, m.value);
        continue;
      }
      const Node& rule = *it->second;
      std::string name = prefix.empty() ? std::string(m.key) : prefix + "." + std::string(m.key);
      switch (rule.action) {
        case Action::kDrop:
          changed = true;
          break;
        case Action::kPseudonymize:
          w.key(m.key);
          if (m.value.is_string()) {
            w.string(pseudonym(*o_.key, m.value.str));
            changed = true;
          } else if (m.value.is_number()) {
            w.string(pseudonym(*o_.key, m.value.raw));
            changed = true;
          } else if (m.value.is_object() || m.value.is_array()) {
            bad(fmt::format("field '{}' to pseudonymise is an object or array, not a string or number", name),
                m.value.is_object() ? "{...}" : "[...]");
            w.null();
          } else {
            w.value(doc, m.value);  // true/false/null stay as they are
          }
          break;
        case Action::kNoise:
          w.key(m.key);
          if (m.value.is_number() && std::isfinite(m.value.number)) {
            double scale = rule.noise->sensitivity / rule.noise->epsilon;
            w.number(add_laplace_noise(m.value.number, scale));
            changed = true;
          } else if (m.value.is_null()) {
            w.null();
          } else {
            bad(fmt::format("field '{}' to add noise to is not a finite number", name),
                m.value.is_string() ? m.value.raw : std::string_view("(not a number)"));
            w.null();
          }
          break;
        case Action::kNone:
          w.key(m.key);
          if (m.value.is_object())
            emit_object(doc, m.value, rule, w, changed, name);
          else
            w.value(doc, m.value);
          break;
      }
    }
    w.end_object();
  }

  const RedactOptions& o_;
  RecordReader& reader_;
  Node rules_;
  bool bad_ = false;
};
}  // namespace

NoiseSpec parse_noise_spec(std::string_view text) {
  NoiseSpec spec;
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0)
    throw UsageError(fmt::format("--noise takes FIELD:epsilon=E:sensitivity=S; got '{}'", text));
  spec.field = parse_field_path(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 1);
  bool have_eps = false, have_sens = false;
  while (!rest.empty()) {
    auto next = rest.find(':');
    std::string_view part = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
    auto eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    double x = 0;
    if (k == "epsilon" && !have_eps) {
      if (!parse_positive(v, x))
        throw UsageError(fmt::format("--noise: epsilon must be a positive number; got '{}'", v));
      spec.epsilon = x;
      have_eps = true;
    } else if (k == "sensitivity" && !have_sens) {
      if (!parse_positive(v, x))
        throw UsageError(fmt::format("--noise: sensitivity must be a positive number; got '{}'", v));
      spec.sensitivity = x;
      have_sens = true;
    } else {
      throw UsageError(fmt::format("--noise takes FIELD:epsilon=E:sensitivity=S; got '{}'", text));
    }
  }
  if (!have_eps || !have_sens)
    throw UsageError(
        fmt::format("--noise needs both epsilon and sensitivity (FIELD:epsilon=E:sensitivity=S); got '{}'", text));
  if (!std::isfinite(spec.sensitivity / spec.epsilon))
    throw UsageError(fmt::format("--noise: sensitivity/epsilon is too large; got '{}'", text));
  return spec;
}

void check_redact_options(const RedactOptions& o) {
  if (o.drop.empty() && o.pseudonymize.empty() && o.noise.empty())
    throw UsageError("redact needs at least one of --drop, --pseudonymize, --noise");
  if (!o.pseudonymize.empty() && !o.key) throw UsageError("--pseudonymize needs --key FILE");
  auto top = [](const FieldPath& p, std::initializer_list<std::string_view> names) {
    if (p.size() != 1) return false;
    for (auto n : names)
      if (p[0] == n) return true;
    return false;
  };
  for (const auto& p : o.drop)
    if (top(p, {"ts", "metric", "value", "kind"}))
      throw UsageError(
          fmt::format("--drop {}: records must keep ts, metric, value and kind to keep their shape", join(p)));
  for (const auto& p : o.pseudonymize)
    if (top(p, {"ts", "value", "kind"}))
      throw UsageError(
          fmt::format("--pseudonymize {}: ts and value must stay numbers and kind must stay readable", join(p)));
  for (const auto& n : o.noise)
    if (top(n.field, {"metric", "kind"}))
      throw UsageError(fmt::format("--noise {}: noise applies to numeric fields", join(n.field)));
  build_rules(o);  // throws on overlapping fields
}

std::string pseudonym(const Secret32& key, std::string_view text) {
  std::uint8_t h[crypto_generichash_BYTES_MIN];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(text.data()), text.size(), key.bytes.data(),
                     key.bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "ps-";
  for (int i = 0; i < 8; ++i) {
    out.push_back(kHex[h[i] >> 4]);
    out.push_back(kHex[h[i] & 15]);
  }
  return out;
}

double laplace_noise(double scale) {
  ensure_sodium();
  std::uint64_t bits = 0;
  randombytes_buf(&bits, sizeof bits);
  // 53 bits for a uniform in (0, 1) (never 0, so the log is finite), one more for the sign.
  double u = (static_cast<double>(bits >> 11) + 0.5) * 0x1p-53;
  double magnitude = -scale * std::log(u);
  return (bits & 1) ? magnitude : -magnitude;
}

double add_laplace_noise(double value, double scale) {
  double y = value + laplace_noise(scale);
  double grid = std::ldexp(1.0, std::ilogb(scale) - 12);
  if (grid > 0 && std::isfinite(grid)) y = std::nearbyint(y / grid) * grid;
  // Never fall back to the true value: saturate instead.
  constexpr double kMax = std::numeric_limits<double>::max();
  return y > kMax ? kMax : y < -kMax ? -kMax : y;
}

RedactStats redact(RecordReader& reader, Output& out, const RedactOptions& o) {
  check_redact_options(o);
  RedactStats stats;
  Redactor red(o, reader);
  std::string scratch;
  while (reader.next()) {
    ++stats.records;
    const JsonDocument& doc = reader.doc();
    if (!red.touches(doc)) {
      out.write_line(reader.line());
      continue;
    }
    scratch.clear();
    bool changed = false;
    if (!red.record(doc, scratch, changed)) continue;  // a skipped bad record
    if (changed) ++stats.changed;
    out.write_line(scratch);
  }
  out.flush();
  return stats;
}

}  // namespace lepton::seal
