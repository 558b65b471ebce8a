// Inline bodies of the per-line parsers in procfs.h.
#pragma once

#include "collect/scan.h"

namespace lepton::collect::detail {

template <typename Fn>
bool parse_diskstats(std::string_view text, Fn&& fn) {
  Cursor c(text);
  bool any = false;
  while (!c.done()) {
    std::string_view line = c.line();
    Cursor l(line);
    std::uint64_t major, minor;
    if (!l.u64(major) || !l.u64(minor)) continue;
    DiskLine d;
    d.name = l.word();
    if (d.name.empty()) continue;
    // reads, reads merged, sectors read, ms reading, writes, writes merged,
    // sectors written, ms writing, in flight, io_ticks (ms busy)
    std::uint64_t f[10];
    int n = 0;
    while (n < 10 && l.u64(f[n])) ++n;
    if (n < 10) continue;  // not a device line of a kernel we know
    d.reads = f[0];
    d.read_sectors = f[2];
    d.writes = f[4];
    d.write_sectors = f[6];
    d.io_ticks = f[9];
    fn(static_cast<const DiskLine&>(d));
    any = true;
  }
  return any;
}

template <typename Fn>
bool parse_net_dev(std::string_view text, Fn&& fn) {
  Cursor c(text);
  bool any = false;
  while (!c.done()) {
    std::string_view line = c.line();
    // Interface names cannot contain ':', so the first one ends the name;
    // the two header lines have '|' before any ':' or none at all.
    auto colon = line.find(':');
    if (colon == std::string_view::npos || line.substr(0, colon).find('|') != std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    if (name.empty()) continue;
    Cursor l(line.substr(colon + 1));
    // rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes packets errs drop ...
    std::uint64_t f[12];
    int n = 0;
    while (n < 12 && l.u64(f[n])) ++n;
    if (n < 12) continue;
    NetLine d;
    d.name = name;
    d.rx_bytes = f[0];
    d.rx_packets = f[1];
    d.rx_errors = f[2];
    d.rx_drops = f[3];
    d.tx_bytes = f[8];
    d.tx_packets = f[9];
    d.tx_errors = f[10];
    d.tx_drops = f[11];
    fn(static_cast<const NetLine&>(d));
    any = true;
  }
  return any;
}

}  // namespace lepton::collect::detail
