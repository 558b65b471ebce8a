#include "lepton/detect/alerts.h"

#include <charconv>

#include <fmt/format.h>

#include "lepton/detect/state.h"
#include "lepton/error.h"
#include "lepton/time.h"

namespace lepton::detect {

Span parse_span(const std::string& option, const std::string& text) {
  Span s;
  unsigned long n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && p == text.data() + text.size() && !text.empty()) {
    s.amount = static_cast<double>(n);
    s.records = true;
    return s;
  }
  auto d = parse_duration(text);
  if (!d)
    throw UsageError(
        fmt::format("{} takes a number of records (3) or a duration (30s, 5m, 2h); got '{}'", option, text));
  s.amount = *d;
  s.records = false;
  return s;
}

namespace {
// Whether a span has elapsed: `count` records since `since`.
bool elapsed(const Span& s, std::uint32_t count, double since, double now) {
  if (s.records) return count >= s.amount;
  if (std::isnan(since) || std::isnan(now)) return count >= 1;  // no clock: one record
  return now - since >= s.amount;
}
}  // namespace

AlertEvent step_alert(const AlertOptions& o, AlertState& st, double ts, double value, const Verdict& v) {
  const double level = std::max(v.score, v.strength);
  switch (st.phase) {
    case AlertPhase::kIdle:
      if (level < o.threshold) return AlertEvent::kNone;
      st.phase = AlertPhase::kPending;
      st.start = ts;
      st.count = 0;
      st.peak = 0;
      [[fallthrough]];
    case AlertPhase::kPending:
      if (level < o.threshold) {
        st.phase = AlertPhase::kIdle;
        return AlertEvent::kNone;
      }
      ++st.count;
      if (level >= st.peak) {
        st.peak = level;
        st.top = v;
        st.value = value;
      }
      if (!elapsed(o.fire_after, st.count, st.start, ts)) return AlertEvent::kNone;
      st.phase = AlertPhase::kFiring;
      st.fired = ts;
      st.count = 0;
      st.quiet_since = std::nan("");
      st.severity = st.peak >= o.critical ? Severity::kCritical : Severity::kWarning;
      return AlertEvent::kFiring;
    case AlertPhase::kFiring: {
      AlertEvent e = AlertEvent::kNone;
      if (level > st.peak) {
        st.peak = level;
        st.top = v;
        st.value = value;
        if (st.severity == Severity::kWarning && level >= o.critical) {
          st.severity = Severity::kCritical;
          e = AlertEvent::kEscalated;
        }
      }
      if (v.strength >= o.resolve) {
        st.count = 0;
        st.quiet_since = std::nan("");
        return e;
      }
      if (st.count == 0) st.quiet_since = ts;
      ++st.count;
      if (elapsed(o.resolve_after, st.count, st.quiet_since, ts)) {
        st.phase = AlertPhase::kIdle;
        return AlertEvent::kResolved;
      }
      return e;
    }
  }
  return AlertEvent::kNone;
}

std::string alert_reason(const Verdict& v, double value, double since, double now) {
  std::string r;
  double s = std::fabs(v.sigma);
  const char* side = v.sigma >= 0 ? "above" : "below";
  switch (v.basis) {
    case Basis::kPattern:
      r = fmt::format("unusual pattern of recent values ({:.1f} sigma {} the recent median)", s, side);
      break;
    case Basis::kLongRange:
      r = fmt::format("outside the long-term range ({:.1f} sigma {} the recent median)", s, side);
      break;
    case Basis::kChangePoint:
      r = fmt::format("change of regime ({:.1f} sigma {} the previous regime)", s, side);
      break;
    case Basis::kLevelShift:
      r = fmt::format("level shift ({:.1f} sigma {} the previous level)", s, side);
      break;
    case Basis::kCorrelation:
      r = fmt::format("unusual combination of metrics ({:.1f} sigma from the usual relation)", s);
      break;
    case Basis::kEventRate:
      r = fmt::format("burst: {:.6g} events where {:.3g} are usual", value, v.expected);
      break;
    case Basis::kNewKey:
      r = "new key never seen before";
      break;
    default:
      r = fmt::format("{:.1f} sigma {} the {}", s, side, basis_text(v.basis));
  }
  if (std::isfinite(since) && std::isfinite(now) && now - since >= 1e-3) r += " for " + format_duration(now - since);
  return r;
}

void AlertState::save(StateWriter& w) const {
  w.u8(static_cast<std::uint8_t>(phase));
  w.u8(static_cast<std::uint8_t>(severity));
  w.f64(start);
  w.f64(fired);
  w.f64(quiet_since);
  w.u32(count);
  w.f64(peak);
  w.f64(top.score);
  w.f64(top.strength);
  w.f64(top.expected);
  w.f64(top.lo);
  w.f64(top.hi);
  w.f64(top.sigma);
  w.u8(static_cast<std::uint8_t>(top.basis));
  w.f64(value);
}

void AlertState::load(StateReader& r) {
  std::uint8_t ph = r.u8(), sev = r.u8();
  if (ph > 2 || sev > 1) r.corrupt("bad alert state");
  phase = static_cast<AlertPhase>(ph);
  severity = static_cast<Severity>(sev);
  start = r.f64();
  fired = r.f64();
  quiet_since = r.f64();
  count = r.u32();
  peak = r.f64();
  top.score = r.f64();
  top.strength = r.f64();
  top.expected = r.f64();
  top.lo = r.f64();
  top.hi = r.f64();
  top.sigma = r.f64();
  std::uint8_t b = r.u8();
  if (b > static_cast<std::uint8_t>(Basis::kNewKey)) r.corrupt("bad alert basis");
  top.basis = static_cast<Basis>(b);
  value = r.f64();
}

}  // namespace lepton::detect
