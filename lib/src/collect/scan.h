// Hand-written scanning of procfs/sysfs text: integers and fixed-point
// decimals without strtod/locale, no allocation. Malformed text never reads
// out of bounds; it yields zeros and `false`.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lepton::collect::detail {

struct Cursor {
  const char* p;
  const char* end;

  explicit Cursor(std::string_view text) : p(text.data()), end(text.data() + text.size()) {}

  bool done() const { return p >= end; }
  char peek() const { return p < end ? *p : '\0'; }

  void skip_blanks() {
    while (p < end && (*p == ' ' || *p == '\t')) ++p;
  }

  /// An unsigned decimal after optional blanks; false (and 0) without digits.
  bool u64(std::uint64_t& v) {
    skip_blanks();
    const char* start = p;
    std::uint64_t x = 0;
    while (p < end && static_cast<unsigned>(*p - '0') < 10) x = x * 10 + static_cast<unsigned>(*p++ - '0');
    v = x;
    return p != start;
  }

  std::uint64_t u64() {
    std::uint64_t v;
    u64(v);
    return v;
  }

  /// A non-negative fixed-point decimal such as `0.59` or `12`, correctly
  /// rounded, divided by 10^`shift` (shift 2 turns a percentage into a
  /// fraction). False without digits.
  bool decimal(double& v, int shift = 0) {
    skip_blanks();
    const char* start = p;
    std::uint64_t mantissa = 0;
    int frac = 0;
    while (p < end && static_cast<unsigned>(*p - '0') < 10)
      mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
    if (p < end && *p == '.') {
      ++p;
      while (p < end && static_cast<unsigned>(*p - '0') < 10 && frac < 15) {
        mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
        ++frac;
      }
      while (p < end && static_cast<unsigned>(*p - '0') < 10) ++p;  // beyond double precision
    }
    static constexpr double kPow10[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                        1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
    // Both operands are exact, so one division rounds correctly (as strtod would).
    v = static_cast<double>(mantissa) / kPow10[frac + shift];
    return p != start;
  }

  /// The next blank-separated word on this line.
  std::string_view word() {
    skip_blanks();
    const char* start = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\n') ++p;
    return {start, static_cast<std::size_t>(p - start)};
  }

  /// Skips `n` blank-separated words on this line.
  void skip_words(int n) {
    for (int i = 0; i < n; ++i) word();
  }

  /// True if the text at the cursor starts with `s` (then skips it).
  bool eat(std::string_view s) {
    if (static_cast<std::size_t>(end - p) < s.size() || std::memcmp(p, s.data(), s.size()) != 0) return false;
    p += s.size();
    return true;
  }

  /// Moves past the end of the current line.
  void next_line() {
    auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    p = nl != nullptr ? nl + 1 : end;
  }

  /// The rest of the current line (without '\n'); moves past it.
  std::string_view line() {
    const char* start = p;
    auto* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* stop = nl != nullptr ? nl : end;
    p = nl != nullptr ? nl + 1 : end;
    return {start, static_cast<std::size_t>(stop - start)};
  }
};

}  // namespace lepton::collect::detail
