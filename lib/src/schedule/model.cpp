// Parsing of node and task records.
#include "lepton/schedule/model.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace lepton::schedule {
namespace {

constexpr std::uint64_t kMaxCount = 10'000'000;  // nodes per record
constexpr std::uint64_t kMaxReplicas = 10'000'000;

std::string text_of(const JsonDocument& doc, const JsonValue& v) {
  std::string out;
  JsonWriter w(out);
  w.value(doc, v);
  return out;
}

struct Ctx {
  const JsonDocument& doc;
  std::string& problem;
  std::string& got;
  bool fail(std::string p, const JsonValue& v) {
    problem = std::move(p);
    got = text_of(doc, v);
    return false;
  }
  bool fail(std::string p, std::string g) {
    problem = std::move(p);
    got = std::move(g);
    return false;
  }
};

bool read_name(Ctx& c, std::string_view field, std::string& out) {
  const JsonValue* v = c.doc.get(field);
  if (!v) return c.fail(fmt::format("{} record has no \"{}\" name", field, field), std::string(c.doc.text()));
  if (!v->is_string() || v->str.empty()) return c.fail(fmt::format("\"{}\" must be a non-empty string", field), *v);
  out = std::string(v->str);
  return true;
}

bool read_amounts(Ctx& c, std::string_view field, bool required, std::vector<std::pair<std::string, double>>& out) {
  const JsonValue* v = c.doc.get(field);
  if (!v) {
    if (required)
      return c.fail(fmt::format("missing \"{}\" object of resource amounts", field), std::string(c.doc.text()));
    return true;
  }
  if (!v->is_object()) return c.fail(fmt::format("\"{}\" must be an object of resource amounts", field), *v);
  for (const auto& m : c.doc.children(*v)) {
    if (m.key.empty()) return c.fail(fmt::format("\"{}\" has an empty resource name", field), *v);
    if (!m.value.is_number() || !std::isfinite(m.value.number) || m.value.number < 0)
      return c.fail(fmt::format("{}.{} must be a finite number >= 0", field, m.key), m.value);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == m.key; });
    if (it != out.end())
      it->second = m.value.number;  // last one wins, as for JSON objects
    else
      out.emplace_back(std::string(m.key), m.value.number);
  }
  return true;
}

bool read_labels(Ctx& c, std::string_view field, LabelMap& out) {
  const JsonValue* v = c.doc.get(field);
  if (!v) return true;
  if (!v->is_object()) return c.fail(fmt::format("\"{}\" must be an object of strings", field), *v);
  for (const auto& m : c.doc.children(*v)) {
    if (!m.value.is_string()) return c.fail(fmt::format("{}.{} must be a string", field, m.key), m.value);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) { return p.first == m.key; });
    if (it != out.end())
      it->second = std::string(m.value.str);
    else
      out.emplace_back(std::string(m.key), std::string(m.value.str));
  }
  std::sort(out.begin(), out.end());
  return true;
}

bool read_number(Ctx& c, std::string_view field, double& out, bool non_negative) {
  const JsonValue* v = c.doc.get(field);
  if (!v) return true;
  if (!v->is_number() || !std::isfinite(v->number) || (non_negative && v->number < 0))
    return c.fail(fmt::format("\"{}\" must be a finite number{}", field, non_negative ? " >= 0" : ""), *v);
  out = v->number;
  return true;
}

bool read_whole(Ctx& c, std::string_view field, std::int64_t lo, std::uint64_t hi, std::int64_t& out, bool& given) {
  const JsonValue* v = c.doc.get(field);
  given = v != nullptr;
  if (!v) return true;
  if (!v->is_number() || v->number != std::floor(v->number) || v->number < static_cast<double>(lo) ||
      v->number > static_cast<double>(hi))
    return c.fail(fmt::format("\"{}\" must be a whole number from {} to {}", field, lo, hi), *v);
  out = static_cast<std::int64_t>(v->number);
  return true;
}

bool read_string(Ctx& c, std::string_view field, std::string& out) {
  const JsonValue* v = c.doc.get(field);
  if (!v) return true;
  if (!v->is_string()) return c.fail(fmt::format("\"{}\" must be a string", field), *v);
  out = std::string(v->str);
  return true;
}

// "key", "key=value", "key:effect" or "key=value:effect".
Taint taint_from_text(std::string_view t) {
  Taint out;
  auto colon = t.rfind(':');
  if (colon != std::string_view::npos) {
    out.effect = std::string(t.substr(colon + 1));
    t = t.substr(0, colon);
  }
  auto eq = t.find('=');
  out.key = std::string(t.substr(0, eq));
  if (eq != std::string_view::npos) out.value = std::string(t.substr(eq + 1));
  return out;
}

bool read_key_value_list(Ctx& c, std::string_view field, bool taints, std::vector<Taint>& out) {
  const JsonValue* v = c.doc.get(field);
  if (!v) return true;
  if (!v->is_array())
    return c.fail(
        fmt::format("\"{}\" must be an array of \"key=value\" strings or {{\"key\",\"value\"}} objects", field), *v);
  for (const auto& m : c.doc.children(*v)) {
    Taint t;
    if (m.value.is_string()) {
      t = taint_from_text(m.value.str);
    } else if (m.value.is_object()) {
      for (const auto& f : c.doc.children(m.value)) {
        if (!f.value.is_string()) return c.fail(fmt::format("{} entries must have string fields", field), m.value);
        if (f.key == "key")
          t.key = std::string(f.value.str);
        else if (f.key == "value")
          t.value = std::string(f.value.str);
        else if (f.key == "effect")
          t.effect = std::string(f.value.str);
      }
    } else {
      return c.fail(fmt::format("{} entries must be strings or objects", field), m.value);
    }
    if (t.key.empty()) return c.fail(fmt::format("{} entry has an empty key", field), m.value);
    if (taints && t.key == "*") return c.fail("a taint key cannot be \"*\"", m.value);
    out.push_back(std::move(t));
  }
  return true;
}

}  // namespace

bool parse_node(const JsonDocument& doc, Node& node, std::string& problem, std::string& got) {
  Ctx c{doc, problem, got};
  node = Node{};
  if (!read_name(c, "node", node.name)) return false;
  if (node.name.find('#') != std::string::npos)
    return c.fail("node names cannot contain '#' (it numbers the nodes of a count)", node.name);
  if (!read_amounts(c, "capacity", true, node.capacity)) return false;
  if (!read_labels(c, "labels", node.labels)) return false;
  if (!read_key_value_list(c, "taints", true, node.taints)) return false;
  if (!read_number(c, "price", node.price, true)) return false;
  if (!read_string(c, "provider", node.provider) || !read_string(c, "type", node.type)) return false;
  if (!read_number(c, "a", node.a, true) || !read_number(c, "b", node.b, true) || !read_number(c, "c", node.c, true))
    return false;
  std::int64_t count = 1;
  bool given = false;
  if (!read_whole(c, "count", 0, kMaxCount, count, given)) return false;
  node.count = static_cast<std::uint64_t>(count);
  return true;
}

bool parse_task(const JsonDocument& doc, Task& task, std::string& problem, std::string& got) {
  Ctx c{doc, problem, got};
  task = Task{};
  if (!read_name(c, "task", task.name)) return false;
  if (!read_amounts(c, "request", false, task.request)) return false;
  std::int64_t replicas = 1;
  if (!read_whole(c, "replicas", 0, kMaxReplicas, replicas, task.replicas_given)) return false;
  task.replicas = static_cast<std::uint32_t>(replicas);
  if (!read_labels(c, "selector", task.selector)) return false;
  std::vector<Taint> tol;
  if (!read_key_value_list(c, "tolerations", false, tol)) return false;
  for (auto& t : tol) task.tolerations.push_back({std::move(t.key), std::move(t.value)});
  bool given = false;
  if (!read_whole(c, "priority", -1'000'000'000, 1'000'000'000, task.priority, given)) return false;
  if (const JsonValue* v = doc.get("spread")) {
    if (v->is_string()) {
      task.spread.by = std::string(v->str);
    } else if (v->is_object()) {
      for (const auto& m : doc.children(*v)) {
        if (m.key == "by" && m.value.is_string()) {
          task.spread.by = std::string(m.value.str);
        } else if (m.key == "max" && m.value.is_number() && m.value.number >= 1 && m.value.number <= 1e9 &&
                   m.value.number == std::floor(m.value.number)) {
          task.spread.max_per = static_cast<std::uint32_t>(m.value.number);
        } else {
          return c.fail("\"spread\" takes {\"by\":\"node\"|LABEL,\"max\":N} with N a whole number >= 1", *v);
        }
      }
    } else {
      return c.fail("\"spread\" must be \"node\", a label name, or {\"by\":...,\"max\":N}", *v);
    }
    if (task.spread.by.empty()) return c.fail("\"spread\" needs \"by\": \"node\" or a label name", *v);
  }
  if (const JsonValue* v = doc.get("node")) {
    if (v->is_string()) {
      task.current.assign(task.replicas, std::string(v->str));
      if (!task.replicas_given) task.current.assign(1, std::string(v->str));
    } else if (v->is_array()) {
      for (const auto& m : doc.children(*v)) {
        if (m.value.is_null()) {
          task.current.emplace_back();
        } else if (m.value.is_string()) {
          task.current.emplace_back(m.value.str);
        } else {
          return c.fail("\"node\" entries must be node names or null", m.value);
        }
      }
      if (!task.replicas_given) task.replicas = static_cast<std::uint32_t>(task.current.size());
      if (task.current.size() > task.replicas) task.current.resize(task.replicas);
    } else {
      return c.fail("\"node\" must be a node name or an array of them (one per replica)", *v);
    }
  }
  std::int64_t lo = -1, hi = -1;
  if (!read_whole(c, "min_replicas", 0, kMaxReplicas, lo, given)) return false;
  if (!read_whole(c, "max_replicas", 0, kMaxReplicas, hi, given)) return false;
  task.min_replicas = lo;
  task.max_replicas = hi;
  if (!read_number(c, "target", task.target, true)) return false;
  if (doc.get("target") && !(task.target > 0 && task.target <= 1))
    return c.fail("\"target\" must be a utilisation in (0, 1]", *doc.get("target"));
  return true;
}

bool selector_matches(const LabelMap& selector, const LabelMap& labels) {
  for (const auto& [k, v] : selector) {
    const std::string* have = find_label(labels, k);
    if (!have || *have != v) return false;
  }
  return true;
}

bool tolerates(const std::vector<Toleration>& tolerations, const std::vector<Taint>& taints) {
  for (const auto& t : taints) {
    bool ok = false;
    for (const auto& tol : tolerations)
      if (tol.key == "*" || (tol.key == t.key && (tol.value.empty() || tol.value == t.value))) {
        ok = true;
        break;
      }
    if (!ok) return false;
  }
  return true;
}

const std::string* find_label(const LabelMap& labels, std::string_view key) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const auto& p, std::string_view k) { return p.first < k; });
  if (it == labels.end() || it->first != key) return nullptr;
  return &it->second;
}

std::string taint_text(const Taint& t) {
  std::string s = t.key;
  if (!t.value.empty()) s += "=" + t.value;
  if (!t.effect.empty()) s += ":" + t.effect;
  return s;
}

}  // namespace lepton::schedule
