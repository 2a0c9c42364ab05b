#include "sim/interconnect.h"

namespace npusim::sim {

Interconnect::Interconnect(const sc_core::sc_module_name& name, const arch::NocModel& noc, std::int32_t hop_latency_cycles)
    : sc_core::sc_module(name), noc_(noc), hop_latency_(hop_latency_cycles) {
  for (const auto& l : noc_.links) links_.emplace_back(l.name, l.bytes_per_cycle);
}

Interconnect::Pass Interconnect::traverse(double now, const std::vector<std::int32_t>& path, double start,
                                          double upstream_end, double bytes) {
  Pass p{start, upstream_end, 0};
  double s = start, e = upstream_end;
  for (std::int32_t l : path) {
    BandwidthResource& r = links_[static_cast<std::size_t>(l)];
    const double before = r.waited_cycles();
    BandwidthResource::Slot slot = r.pass(now, s, e, bytes);
    p.queued += r.waited_cycles() - before;
    s = slot.start;
    e = slot.end;
  }
  p.start = s;
  p.end = e;
  return p;
}

}  // namespace npusim::sim
