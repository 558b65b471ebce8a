#include "lepton/json.h"

#include <emmintrin.h>

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

// Eight ASCII digits at `p` as a number, or -1 if they are not all digits
// (the SWAR technique of Lemire's fast_float, written from its description).
inline long long eight_digits(const char* p) {
  std::uint64_t chunk;
  std::memcpy(&chunk, p, 8);
  std::uint64_t low = chunk - 0x3030303030303030ULL;
  std::uint64_t over = chunk + 0x4646464646464646ULL;  // sets the top bit for bytes > '9'
  if (((low | over) & 0x8080808080808080ULL) != 0) return -1;
  low = (low * 10) + (low >> 8);
  low = (((low & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
         (((low >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
        32;
  return static_cast<long long>(low);
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
    // Machine-written NDJSON rarely has blanks: one compare in the common case.
    while (p < end && static_cast<unsigned char>(*p) <= 0x20 && is_space(*p)) ++p;
  }

  // Parses a string starting after the opening quote; fills raw and decoded.
  bool parse_string(std::string_view& raw, std::string_view& decoded) {
    const char* start = p;
    bool escaped = false;
    for (;;) {
      // 16 bytes at a time: stop at '"', '\\', control bytes or non-ASCII
      // (a signed compare below 0x20 catches both of the latter).
      const __m128i quote = _mm_set1_epi8('"');
      const __m128i backslash = _mm_set1_epi8('\\');
      const __m128i space = _mm_set1_epi8(0x20);
      while (end - p >= 16) {
        __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)),
                                    _mm_cmplt_epi8(chunk, space));
        int mask = _mm_movemask_epi8(hits);
        if (mask != 0) {
          p += __builtin_ctz(static_cast<unsigned>(mask));
          break;
        }
        p += 16;
      }
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
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          p += 2;
        } else {
          return fail(p, "bad escape in string");
        }
        continue;
      }
      if (c < 0x20) return fail(p, "control character in string");
      std::size_t n =
          utf8_sequence(reinterpret_cast<const unsigned char*>(p), reinterpret_cast<const unsigned char*>(end));
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
        case 'b':
          *o++ = '\b';
          break;
        case 'f':
          *o++ = '\f';
          break;
        case 'n':
          *o++ = '\n';
          break;
        case 'r':
          *o++ = '\r';
          break;
        case 't':
          *o++ = '\t';
          break;
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
        default:
          *o++ = e;
          break;  // '"', '\\', '/'
      }
    }
    decoded = std::string_view(out, static_cast<std::size_t>(o - out));
    return true;
  }

  bool parse_number(JsonValue& v) {
    // Validates the grammar and accumulates the decimal mantissa in one pass;
    // Clinger's fast path converts most numbers exactly, from_chars the rest.
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* start = p;
    bool neg = false;
    if (p < end && *p == '-') {
      neg = true;
      ++p;
    }
    if (p >= end) return fail(start, "bad number");
    std::uint64_t mantissa = 0;
    int digits = 0;
    long exp10 = 0;
    if (*p == '0') {
      ++p;
    } else if (is_digit(*p)) {
      for (long long eight; end - p >= 8 && (eight = eight_digits(p)) >= 0; p += 8, digits += 8)
        mantissa = mantissa * 100000000 + static_cast<std::uint64_t>(eight);
      for (; p < end && is_digit(*p); ++p, ++digits) mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    } else {
      return fail(start, "bad number");
    }
    if (p < end && *p == '.') {
      ++p;
      if (p >= end || !is_digit(*p)) return fail(start, "bad number");
      if (mantissa == 0) {  // leading zeros of 0.000123 are not significant
        while (p < end && *p == '0') {
          ++p;
          --exp10;
        }
      }
      {  // eight digits at a time
        for (long long eight; end - p >= 8 && (eight = eight_digits(p)) >= 0; p += 8, digits += 8, exp10 -= 8)
          mantissa = mantissa * 100000000 + static_cast<std::uint64_t>(eight);
      }
      for (; p < end && is_digit(*p); ++p, --exp10) {
        if (mantissa != 0 || *p != '0') ++digits;
        mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
      }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      ++p;
      bool eneg = false;
      if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
      if (p >= end || !is_digit(*p)) return fail(start, "bad number");
      long e = 0;
      for (; p < end && is_digit(*p); ++p)
        if (e < 100000) e = e * 10 + (*p - '0');
      exp10 += eneg ? -e : e;
    }
    v.type = JsonType::kNumber;
    v.raw = std::string_view(start, static_cast<std::size_t>(p - start));
    if (digits <= 19 && mantissa <= (std::uint64_t{1} << 53) && exp10 >= -22 && exp10 <= 22) {
      double m = static_cast<double>(mantissa);
      double r = exp10 < 0 ? m / kPow10[-exp10] : m * kPow10[exp10];
      v.number = neg ? -r : r;
      return true;
    }
    auto [ptr, ec] = std::from_chars(start, p, v.number);
    if (ec == std::errc::result_out_of_range) {
      // Overflow gives +-inf, underflow 0; programs reject non-finite values.
      double mag = exp10 > 0 ? HUGE_VAL : 0.0;
      v.number = neg ? -mag : mag;
    } else if (ec != std::errc() || ptr != p) {
      return fail(start, "bad number");
    }
    return true;
  }

  bool parse_literal(const char* word, std::size_t n, JsonType t, JsonValue& v) {
    if (static_cast<std::size_t>(end - p) < n || std::memcmp(p, word, n) != 0) return fail(p, "unexpected character");
    p += n;
    v.type = t;
    return true;
  }

  bool parse_value(JsonValue& v) {
    v.first = v.count = 0;
    v.raw = v.str = {};
    v.number = 0;
    skip_space();
    if (p >= end) return fail(p, "unexpected end of input");
    switch (*p) {
      case '{':
        return parse_object(v);
      case '[':
        return parse_array(v);
      case '"':
        ++p;
        v.type = JsonType::kString;
        return parse_string(v.raw, v.str);
      case 't':
        return parse_literal("true", 4, JsonType::kTrue, v);
      case 'f':
        return parse_literal("false", 5, JsonType::kFalse, v);
      case 'n':
        return parse_literal("null", 4, JsonType::kNull, v);
      default:
        if (*p == '-' || is_digit(*p)) return parse_number(v);
        return fail(p, "unexpected character");
    }
  }

  // A fresh member slot on the stack; the index stays valid when the stack
  // grows (references would not).
  std::size_t push_member() {
    if (doc.stack_top_ == doc.stack_.size()) doc.stack_.resize(doc.stack_.size() * 2 + 16);
    return doc.stack_top_++;
  }

  void close_container(JsonValue& v, std::size_t mark) {
    v.count = static_cast<std::uint32_t>(doc.stack_top_ - mark);
    if (depth == 1) {  // top level: leave the children in place
      v.first = static_cast<std::uint32_t>(mark);
      v.top = true;
      return;
    }
    v.first = static_cast<std::uint32_t>(doc.members_.size());
    doc.members_.insert(doc.members_.end(), doc.stack_.begin() + static_cast<std::ptrdiff_t>(mark),
                        doc.stack_.begin() + static_cast<std::ptrdiff_t>(doc.stack_top_));
    doc.stack_top_ = mark;
  }

  // Parses a value into stack slot `slot`; containers are parsed into a
  // local first because they may grow the stack.
  bool parse_into(std::size_t slot) {
    skip_space();
    if (p < end && (*p == '{' || *p == '[')) {
      JsonValue val;
      if (!parse_value(val)) return false;
      doc.stack_[slot].value = val;
      return true;
    }
    return parse_value(doc.stack_[slot].value);
  }

  bool parse_object(JsonValue& v) {
    if (++depth > kMaxDepth) return fail(p, "nesting too deep");
    ++p;  // '{'
    v.type = JsonType::kObject;
    std::size_t mark = doc.stack_top_;
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
      std::size_t slot = push_member();
      {
        JsonMember& m = doc.stack_[slot];
        if (!parse_string(m.raw_key, m.key)) return false;
        m.value.top = false;
      }
      skip_space();
      if (p >= end || *p != ':') return fail(p, "expected ':' after key");
      ++p;
      if (!parse_into(slot)) return false;
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
    std::size_t mark = doc.stack_top_;
    skip_space();
    if (p < end && *p == ']') {
      ++p;
      close_container(v, mark);
      --depth;
      return true;
    }
    for (;;) {
      std::size_t slot = push_member();
      {
        JsonMember& m = doc.stack_[slot];
        m.key = {};
        m.raw_key = {};
        m.value.top = false;
      }
      if (!parse_into(slot)) return false;
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
  stack_.resize(64);
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
  stack_top_ = 0;
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
  const JsonMember* m = (obj.top ? stack_.data() : members_.data()) + obj.first;
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
    if (c >= 0x80) {
      // Valid UTF-8 passes; an invalid byte becomes U+FFFD so the output is
      // always valid JSON (names from /proc or cgroups may hold any bytes).
      auto* u = reinterpret_cast<const unsigned char*>(s.data());
      std::size_t n = utf8_sequence(u + i, u + s.size());
      if (n > 0) {
        i += n - 1;
        continue;
      }
      out.append(s.data() + run, i - run);
      run = i + 1;
      out.append("\xEF\xBF\xBD");
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
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

namespace {
// Writes `v` compactly at `dst`; the caller reserved enough room (a compact
// re-emission is never longer than the text it was parsed from).
char* emit_compact(char* dst, const JsonDocument& doc, const JsonValue& v) {
  auto put = [&dst](std::string_view t) {
    std::memcpy(dst, t.data(), t.size());
    dst += t.size();
  };
  switch (v.type) {
    case JsonType::kNull:
      put("null");
      break;
    case JsonType::kTrue:
      put("true");
      break;
    case JsonType::kFalse:
      put("false");
      break;
    case JsonType::kNumber:
      put(v.raw);
      break;
    case JsonType::kString:
      *dst++ = '"';
      put(v.raw);
      *dst++ = '"';
      break;
    case JsonType::kArray: {
      *dst++ = '[';
      bool first = true;
      for (const JsonMember& m : doc.children(v)) {
        if (!first) *dst++ = ',';
        first = false;
        dst = emit_compact(dst, doc, m.value);
      }
      *dst++ = ']';
      break;
    }
    case JsonType::kObject: {
      *dst++ = '{';
      bool first = true;
      for (const JsonMember& m : doc.children(v)) {
        if (!first) *dst++ = ',';
        first = false;
        *dst++ = '"';
        put(m.raw_key);  // validated on input, so already valid JSON
        *dst++ = '"';
        *dst++ = ':';
        dst = emit_compact(dst, doc, m.value);
      }
      *dst++ = '}';
      break;
    }
  }
  return dst;
}
}  // namespace

void JsonWriter::value(const JsonDocument& doc, const JsonValue& v) {
  sep();
  std::size_t old = out_.size();
  out_.resize(old + doc.text().size() + 8);
  char* end = emit_compact(out_.data() + old, doc, v);
  out_.resize(static_cast<std::size_t>(end - out_.data()));
  comma_ = true;
}

}  // namespace lepton
