#include "lepton/json.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/compile.h>
#include <fmt/format.h>

namespace lepton {

namespace {

constexpr int kMaxDepth = 512;

// Bytes that end the fast scan of a string: quote, backslash, control
// characters and non-ASCII (which is checked as UTF-8).
struct StringStopTable {
  bool stop[256];
  constexpr StringStopTable() : stop{} {
    for (int c = 0; c < 256; ++c) stop[c] = c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
  }
};
constexpr StringStopTable kStringStop;

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of the UTF-8 sequence starting at p (p[0] >= 0x80), or 0 if invalid.
std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  unsigned c = p[0];
  std::size_t n;
  unsigned min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - p) < n) return 0;
  unsigned cp = c & (0xFF >> (n + 1));
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void put_utf8(char*& out, std::uint32_t cp) {
  if (cp < 0x80) {
    *out++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out++ = static_cast<char>(0xC0 | (cp >> 6));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (cp >> 12));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (cp >> 18));
    *out++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

struct JsonDocument::Parser {
  JsonDocument& doc;
  const char* begin;
  const char* p;
  const char* end;
  int depth = 0;

  bool fail(const char* where, std::string_view what) {
    if (doc.error_.empty()) {
      doc.error_offset_ = static_cast<std::size_t>(where - begin);
      doc.error_ = fmt::format("invalid JSON at column {}: {}", doc.error_offset_ + 1, what);
    }
    return false;
  }

  void skip_space() {
    while (p < end && is_space(*p)) ++p;
  }

  // Parses a string starting after the opening quote; fills raw and decoded.
  bool parse_string(std::string_view& raw, std::string_view& decoded) {
    const char* start = p;
    bool escaped = false;
    for (;;) {
      while (p < end && !kStringStop.stop[static_cast<unsigned char>(*p)]) ++p;
      if (p >= end) return fail(start - 1, "unterminated string");
      unsigned char c = static_cast<unsigned char>(*p);
      if (c == '"') break;
      if (c == '\\') {
        escaped = true;
        if (p + 1 >= end) return fail(p, "unterminated string");
        char e = p[1];
        if (e == 'u') {
          if (end - p < 6) return fail(p, "bad \\u escape");
          for (int i = 2; i < 6; ++i)
            if (hex_value(p[i]) < 0) return fail(p, "bad \\u escape");
          p += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                   e == 't') {
          p += 2;
        } else {
          return fail(p, "bad escape in string");
        }
        continue;
      }
      if (c < 0x20) return fail(p, "control character in string");
      std::size_t n = utf8_sequence(reinterpret_cast<const unsigned char*>(p),
                                    reinterpret_cast<const unsigned char*>(end));
      if (n == 0) return fail(p, "invalid UTF-8 in string");
      p += n;
    }
    raw = std::string_view(start, static_cast<std::size_t>(p - start));
    ++p;  // closing quote
    if (!escaped) {
      decoded = raw;
      return true;
    }
    return decode(raw, decoded);
  }

  bool decode(std::string_view raw, std::string_view& decoded) {
    char* out = doc.arena_alloc(raw.size());
    char* o = out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c != '\\') {
        *o++ = c;
        continue;
      }
      char e = raw[++i];
      switch (e) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
          auto read4 = [&](std::size_t at) {
            std::uint32_t v = 0;
            for (std::size_t k = 0; k < 4; ++k) v = (v << 4) | static_cast<std::uint32_t>(hex_value(raw[at + k]));
            return v;
          };
          std::uint32_t cp = read4(i + 1);
          i += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            // A high surrogate must be followed by a low one.
            if (i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
              std::uint32_t lo = read4(i + 3);
              if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
              } else {
                return fail(begin, "unpaired surrogate in \\u escape");
              }
            } else {
              return fail(begin, "unpaired surrogate in \\u escape");
            }
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(begin, "unpaired surrogate in \\u escape");
          }
          put_utf8(o, cp);
          break;
        }
        default: *o++ = e; break;  // '"', '\\', '/'
      }
    }
    decoded = std::string_view(out, static_cast<std::size_t>(o - out));
    return true;
  }

  bool parse_number(JsonValue& v) {
    const char* start = p;
    if (p < end && *p == '-') ++p;
    if (p >= end) return fail(start, "bad number");
    if (*p == '0') {
      ++p;
    } else if (is_digit(*p)) {
      while (p < end && is_digit(*p)) ++p;
    } else {
      return fail(start, "bad number");
    }
    bool integral = true;
    if (p < end && *p == '.') {
      integral = false;
      ++p;
      if (p >= end || !is_digit(*p)) return fail(start, "bad number");
      while (p < end && is_digit(*p)) ++p;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      integral = false;
      ++p;
      if (p < end && (*p == '+' || *p == '-')) ++p;
      if (p >= end || !is_digit(*p)) return fail(start, "bad number");
      while (p < end && is_digit(*p)) ++p;
    }
    v.type = JsonType::kNumber;
    v.raw = std::string_view(start, static_cast<std::size_t>(p - start));
    // Short integers are common (counts, timestamps); skip from_chars for them.
    if (integral && v.raw.size() <= 16) {
      const char* q = start;
      bool neg = *q == '-';
      if (neg) ++q;
      std::int64_t acc = 0;
      for (; q < p; ++q) acc = acc * 10 + (*q - '0');
      v.number = static_cast<double>(neg ? -acc : acc);
      if (neg && acc == 0) v.number = -0.0;
      return true;
    }
    auto [ptr, ec] = std::from_chars(start, p, v.number);
    if (ec == std::errc::result_out_of_range) {
      // Overflow gives +-inf, underflow 0; programs reject non-finite values.
      double mag = 0;
      const char* e = start;
      while (e < p && *e != 'e' && *e != 'E') ++e;
      long exp = (e < p) ? std::strtol(e + 1, nullptr, 10) : 0;
      mag = exp > 0 ? HUGE_VAL : 0.0;
      v.number = (*start == '-') ? -mag : mag;
    } else if (ec != std::errc() || ptr != p) {
      return fail(start, "bad number");
    }
    return true;
  }

  bool parse_literal(const char* word, std::size_t n, JsonType t, JsonValue& v) {
    if (static_cast<std::size_t>(end - p) < n || std::memcmp(p, word, n) != 0)
      return fail(p, "unexpected character");
    p += n;
    v.type = t;
    return true;
  }

  bool parse_value(JsonValue& v) {
    skip_space();
    if (p >= end) return fail(p, "unexpected end of input");
    switch (*p) {
      case '{': return parse_object(v);
      case '[': return parse_array(v);
      case '"':
        ++p;
        v.type = JsonType::kString;
        return parse_string(v.raw, v.str);
      case 't': return parse_literal("true", 4, JsonType::kTrue, v);
      case 'f': return parse_literal("false", 5, JsonType::kFalse, v);
      case 'n': return parse_literal("null", 4, JsonType::kNull, v);
      default:
        if (*p == '-' || is_digit(*p)) return parse_number(v);
        return fail(p, "unexpected character");
    }
  }

  void close_container(JsonValue& v, std::size_t mark) {
    v.first = static_cast<std::uint32_t>(doc.members_.size());
    v.count = static_cast<std::uint32_t>(doc.stack_.size() - mark);
    doc.members_.insert(doc.members_.end(), doc.stack_.begin() + static_cast<std::ptrdiff_t>(mark),
                        doc.stack_.end());
    doc.stack_.resize(mark);
  }

  bool parse_object(JsonValue& v) {
    if (++depth > kMaxDepth) return fail(p, "nesting too deep");
    ++p;  // '{'
    v.type = JsonType::kObject;
    std::size_t mark = doc.stack_.size();
    skip_space();
    if (p < end && *p == '}') {
      ++p;
      close_container(v, mark);
      --depth;
      return true;
    }
    for (;;) {
      skip_space();
      if (p >= end || *p != '"') return fail(p, p >= end ? "unexpected end of input" : "expected a string key");
      ++p;
      doc.stack_.emplace_back();
      std::string_view raw_key;
      std::string_view key;
      if (!parse_string(raw_key, key)) return false;
      skip_space();
      if (p >= end || *p != ':') return fail(p, "expected ':' after key");
      ++p;
      JsonValue val;
      if (!parse_value(val)) return false;
      // Nested containers pop their children again, so our slot is back();
      // a reference taken before parse_value could dangle after a regrowth.
      JsonMember& mine = doc.stack_.back();
      mine.key = key;
      mine.value = val;
      skip_space();
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      if (p < end && *p == '}') {
        ++p;
        break;
      }
      return fail(p, p >= end ? "unexpected end of input" : "expected ',' or '}'");
    }
    close_container(v, mark);
    --depth;
    return true;
  }

  bool parse_array(JsonValue& v) {
    if (++depth > kMaxDepth) return fail(p, "nesting too deep");
    ++p;  // '['
    v.type = JsonType::kArray;
    std::size_t mark = doc.stack_.size();
    skip_space();
    if (p < end && *p == ']') {
      ++p;
      close_container(v, mark);
      --depth;
      return true;
    }
    for (;;) {
      doc.stack_.emplace_back();
      JsonValue val;
      if (!parse_value(val)) return false;
      doc.stack_.back().value = val;
      skip_space();
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      if (p < end && *p == ']') {
        ++p;
        break;
      }
      return fail(p, p >= end ? "unexpected end of input" : "expected ',' or ']'");
    }
    close_container(v, mark);
    --depth;
    return true;
  }
};

JsonDocument::JsonDocument() {
  members_.reserve(64);
  stack_.reserve(64);
}
JsonDocument::~JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;

char* JsonDocument::arena_alloc(std::size_t n) {
  constexpr std::size_t kChunk = 64 * 1024;
  if (arena_block_ < arena_.size() && arena_used_ + n <= kChunk) {
    char* r = arena_[arena_block_].get() + arena_used_;
    arena_used_ += n;
    return r;
  }
  if (n > kChunk) {  // oversized string: its own block, kept until the next parse
    arena_.push_back(std::make_unique<char[]>(n));
    arena_block_ = arena_.size();  // force a fresh chunk for the next request
    return arena_.back().get();
  }
  if (arena_block_ + 1 < arena_.size() && arena_used_ != 0) {
    ++arena_block_;
  } else if (arena_block_ >= arena_.size() || arena_used_ != 0) {
    arena_.push_back(std::make_unique<char[]>(kChunk));
    arena_block_ = arena_.size() - 1;
  }
  arena_used_ = n;
  return arena_[arena_block_].get();
}

bool JsonDocument::parse(std::string_view text) {
  text_ = text;
  members_.clear();
  stack_.clear();
  error_.clear();
  error_offset_ = 0;
  arena_block_ = 0;
  arena_used_ = 0;
  if (arena_.size() > 8) arena_.resize(8);  // drop blocks kept for a huge line
  root_ = JsonValue{};
  Parser parser{*this, text.data(), text.data(), text.data() + text.size()};
  if (!parser.parse_value(root_)) return false;
  parser.skip_space();
  if (parser.p != parser.end) return parser.fail(parser.p, "unexpected text after the value");
  return true;
}

const JsonValue* JsonDocument::find(const JsonValue& obj, std::string_view key) const {
  if (obj.type != JsonType::kObject) return nullptr;
  const JsonMember* m = members_.data() + obj.first;
  for (std::uint32_t i = obj.count; i-- > 0;)
    if (m[i].key == key) return &m[i].value;
  return nullptr;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\t': out.append("\\t"); break;
      case '\r': out.append("\\r"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(u, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_number(std::string& out, double v) {
  char buf[32];
  char* e = fmt::format_to(buf, FMT_COMPILE("{}"), v);
  out.append(buf, static_cast<std::size_t>(e - buf));
}

void JsonWriter::write_string(std::string_view s) { append_json_string(out_, s); }

void JsonWriter::number(double v) {
  sep();
  if (std::isfinite(v)) {
    append_number(out_, v);
  } else {
    out_.append("null");
  }
  comma_ = true;
}

void JsonWriter::integer(std::int64_t v) {
  sep();
  char buf[24];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out_.append(buf, static_cast<std::size_t>(ptr - buf));
  comma_ = true;
}

void JsonWriter::extend_object(std::string_view raw_object) {
  sep();
  std::size_t close = raw_object.rfind('}');
  if (close == std::string_view::npos) close = raw_object.size();
  std::string_view body = raw_object.substr(0, close);
  while (!body.empty() && is_space(body.back())) body.remove_suffix(1);
  out_.append(body);
  comma_ = !body.empty() && body.back() != '{';
}

void JsonWriter::value(const JsonDocument& doc, const JsonValue& v) {
  switch (v.type) {
    case JsonType::kNull: null(); return;
    case JsonType::kTrue: boolean(true); return;
    case JsonType::kFalse: boolean(false); return;
    case JsonType::kNumber: raw(v.raw); return;
    case JsonType::kString:
      sep();
      out_.push_back('"');
      out_.append(v.raw);
      out_.push_back('"');
      comma_ = true;
      return;
    case JsonType::kArray:
      begin_array();
      for (const JsonMember& m : doc.children(v)) value(doc, m.value);
      end_array();
      return;
    case JsonType::kObject:
      begin_object();
      for (const JsonMember& m : doc.children(v)) {
        key(m.key);
        value(doc, m.value);
      }
      end_object();
      return;
  }
}

}  // namespace lepton
