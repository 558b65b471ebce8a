// A small, fast JSON reader and writer for NDJSON records.
//
// JsonDocument parses one line into a flat array of values that is reused
// from line to line, so steady-state parsing does not allocate. Strings and
// numbers are views into the input line (decoded copies only for strings
// with escapes); they stay valid until the next parse() or until the line's
// buffer changes. JsonWriter appends compact JSON to a std::string.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lepton {

enum class JsonType : std::uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };

struct JsonMember;

/// One parsed JSON value.
struct JsonValue {
  JsonType type = JsonType::kNull;
  bool top = false;         ///< children live in the top-level area (internal)
  std::uint32_t first = 0;  ///< array/object: index of the first child member
  std::uint32_t count = 0;  ///< array/object: number of children
  std::string_view raw;     ///< number: its token; string: the text between the quotes, escapes intact
  std::string_view str;     ///< string: the decoded text
  double number = 0;        ///< number: its value (may be +-inf if out of range)

  bool is_number() const { return type == JsonType::kNumber; }
  bool is_string() const { return type == JsonType::kString; }
  bool is_object() const { return type == JsonType::kObject; }
  bool is_array() const { return type == JsonType::kArray; }
  bool is_bool() const { return type == JsonType::kTrue || type == JsonType::kFalse; }
  bool is_null() const { return type == JsonType::kNull; }
  bool boolean() const { return type == JsonType::kTrue; }
};

/// A child of an object (with its decoded key) or of an array (empty key).
struct JsonMember {
  std::string_view key;
  JsonValue value;
  std::string_view raw_key;  ///< the key between its quotes, escapes intact
};

/// Parses one JSON text. Reuse one document for many lines.
class JsonDocument {
 public:
  JsonDocument();
  ~JsonDocument();
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;

  /// Parses `text` (RFC 8259; at most 512 levels of nesting; strings must be
  /// valid UTF-8). Returns false on malformed input; error() then says what
  /// is wrong and error_offset() where (0-based byte offset).
  bool parse(std::string_view text);

  const std::string& error() const { return error_; }
  std::size_t error_offset() const { return error_offset_; }

  /// The top-level value of the last successful parse.
  const JsonValue& root() const { return root_; }

  /// Children of an array or object value.
  std::span<const JsonMember> children(const JsonValue& v) const {
    return {(v.top ? stack_.data() : members_.data()) + v.first, v.count};
  }

  /// The member `key` of object `obj` (the last one if a key repeats), or null.
  const JsonValue* find(const JsonValue& obj, std::string_view key) const;

  /// Shorthand for find(root(), key); null if the root is not an object.
  const JsonValue* get(std::string_view key) const {
    return root_.type == JsonType::kObject ? find(root_, key) : nullptr;
  }

  /// The text that was parsed.
  std::string_view text() const { return text_; }

 private:
  struct Parser;
  std::string_view text_;
  JsonValue root_;
  // Children of nested containers are moved to members_ when the container
  // closes; the top-level container's children stay where they were parsed,
  // at the bottom of stack_, so the common flat record is never copied.
  std::vector<JsonMember> members_;
  std::vector<JsonMember> stack_;
  std::size_t stack_top_ = 0;
  std::vector<std::unique_ptr<char[]>> arena_;  // decoded strings with escapes
  std::size_t arena_used_ = 0;
  std::size_t arena_block_ = 0;
  std::string error_;
  std::size_t error_offset_ = 0;
  char* arena_alloc(std::size_t n);
  friend struct Parser;
};

/// Appends compact JSON to a string. Keys and values are written in call
/// order; commas are placed automatically.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() {
    sep();
    out_.push_back('{');
    comma_ = false;
  }
  void end_object() {
    out_.push_back('}');
    comma_ = true;
  }
  void begin_array() {
    sep();
    out_.push_back('[');
    comma_ = false;
  }
  void end_array() {
    out_.push_back(']');
    comma_ = true;
  }

  /// Starts an object that continues `raw_object` (the text of a JSON object
  /// as read): everything before its closing brace is copied, so fields
  /// written next are appended to the original record unchanged.
  void extend_object(std::string_view raw_object);

  void key(std::string_view k) {
    sep();
    write_string(k);
    out_.push_back(':');
    comma_ = false;
  }
  void string(std::string_view s) {
    sep();
    write_string(s);
    comma_ = true;
  }
  /// Shortest text that reads back as the same double; null if not finite.
  void number(double v);
  void integer(std::int64_t v);
  void boolean(bool v) {
    sep();
    out_.append(v ? "true" : "false");
    comma_ = true;
  }
  void null() {
    sep();
    out_.append("null");
    comma_ = true;
  }
  /// Writes `json` as a value; the caller guarantees it is valid JSON.
  void raw(std::string_view json) {
    sep();
    out_.append(json);
    comma_ = true;
  }
  /// Re-emits a parsed value compactly (numbers and strings byte-exact).
  void value(const JsonDocument& doc, const JsonValue& v);

  template <typename T>
  void field(std::string_view k, const T& v);

  std::string& buffer() { return out_; }

 private:
  void sep() {
    if (comma_) out_.push_back(',');
  }
  void write_string(std::string_view s);

  std::string& out_;
  bool comma_ = false;
};

template <typename T>
void JsonWriter::field(std::string_view k, const T& v) {
  key(k);
  if constexpr (std::is_same_v<T, bool>) {
    boolean(v);
  } else if constexpr (std::is_integral_v<T>) {
    integer(static_cast<std::int64_t>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    number(static_cast<double>(v));
  } else {
    string(std::string_view(v));
  }
}

/// Appends `s` as a JSON string literal (with quotes and escapes) to `out`.
void append_json_string(std::string& out, std::string_view s);

/// Appends the shortest round-trip text of a finite double to `out`
/// (integral values without a fraction, e.g. 42, 0.1, 1e+21).
void append_number(std::string& out, double v);

}  // namespace lepton
