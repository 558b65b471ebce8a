#include "lepton/time.h"

#include <charconv>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "lepton/json.h"

namespace lepton {

long long days_from_civil(long long y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: shift the year to start in March.
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<unsigned>(s[i] - '0');
  }
  out = v;
  return true;
}

unsigned days_in_month(unsigned y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

void civil_from_days(long long z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long yy = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

}  // namespace

std::optional<double> parse_time_text(std::string_view s) {
  unsigned year, month, day;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  double seconds = static_cast<double>(days_from_civil(year, month, day)) * 86400.0;
  std::size_t pos = 10;
  if (pos == s.size()) return seconds;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
  ++pos;
  unsigned hour, minute, second = 0;
  if (!digits(s, pos, 2, hour) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits(s, pos + 3, 2, minute))
    return std::nullopt;
  pos += 5;
  double frac = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      std::size_t start = ++pos;
      double scale = 0.1;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        frac += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  seconds += hour * 3600.0 + minute * 60.0 + second + frac;
  if (pos == s.size()) return seconds;
  char z = s[pos];
  if ((z == 'Z' || z == 'z') && pos + 1 == s.size()) return seconds;
  if (z != '+' && z != '-') return std::nullopt;
  unsigned oh, om = 0;
  if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
  std::size_t rest = pos + 3;
  if (rest < s.size()) {
    if (s[rest] == ':') ++rest;
    if (!digits(s, rest, 2, om) || rest + 2 != s.size()) return std::nullopt;
  }
  if (oh > 23 || om > 59) return std::nullopt;
  double offset = oh * 3600.0 + om * 60.0;
  return z == '+' ? seconds - offset : seconds + offset;
}

std::optional<double> parse_timestamp(const JsonValue& value) {
  if (value.is_number()) {
    if (!std::isfinite(value.number)) return std::nullopt;
    return value.number;
  }
  if (value.is_string()) return parse_time_text(value.str);
  return std::nullopt;
}

std::string format_time(double t) {
  double whole = std::floor(t);
  long long secs = static_cast<long long>(whole);
  long long days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  long long rem = secs - days * 86400;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  int ms = static_cast<int>(std::lround((t - whole) * 1000));
  if (ms == 1000) ms = 999;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, rem / 3600, (rem / 60) % 60, rem % 60);
  if (ms != 0) out += fmt::format(".{:03}", ms);
  out += 'Z';
  return out;
}

std::optional<double> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  double total = 0;
  std::size_t pos = 0;
  bool any_unit = false;
  while (pos < s.size()) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), v);
    if (ec != std::errc() || !std::isfinite(v) || v < 0) return std::nullopt;
    pos = static_cast<std::size_t>(ptr - s.data());
    std::size_t unit_start = pos;
    while (pos < s.size() && ((s[pos] >= 'a' && s[pos] <= 'z'))) ++pos;
    std::string_view unit = s.substr(unit_start, pos - unit_start);
    double scale;
    if (unit.empty()) {
      if (pos != s.size() || any_unit) return std::nullopt;  // bare number only alone
      scale = 1;
    } else if (unit == "ms") {
      scale = 0.001;
    } else if (unit == "s") {
      scale = 1;
    } else if (unit == "m") {
      scale = 60;
    } else if (unit == "h") {
      scale = 3600;
    } else if (unit == "d") {
      scale = 86400;
    } else if (unit == "w") {
      scale = 604800;
    } else {
      return std::nullopt;
    }
    if (!unit.empty()) any_unit = true;
    total += v * scale;
  }
  return total;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "inf";
  if (seconds < 0) return "-" + format_duration(-seconds);
  if (seconds < 1 && seconds > 0) return fmt::format("{}ms", std::lround(seconds * 1000));
  long long s = std::llround(seconds);
  if (s == 0) return "0s";
  std::string out;
  struct Unit {
    long long size;
    const char* name;
  };
  static constexpr Unit kUnits[] = {{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
  for (const Unit& u : kUnits) {
    if (s >= u.size) {
      out += fmt::format("{}{}", s / u.size, u.name);
      s %= u.size;
    }
  }
  return out;
}

double now_unix() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

}  // namespace lepton
