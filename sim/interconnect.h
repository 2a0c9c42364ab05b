// Interconnect: the links between the cores and the DRAM ports (bus, crossbar, ring or mesh, from
// arch/interconnect.h). Each link serves transfers first come, first served at its bandwidth
// (arbitration between requesters is by arrival); a transfer is cut-through: it occupies every
// link of its path and finishes when the slowest has passed its last byte; each router or bus
// traversal adds hop_latency_cycles.
#pragma once

#include <systemc>

#include <cstdint>
#include <vector>

#include "arch/interconnect.h"
#include "sim/bandwidth_resource.h"

namespace npusim::sim {

class Interconnect : public sc_core::sc_module {
 public:
  Interconnect(const sc_core::sc_module_name& name, const arch::NocModel& noc, std::int32_t hop_latency_cycles);

  struct Pass {
    double start = 0, end = 0;
    double queued = 0;  // cycles waited for busy links
  };
  // Bytes that may enter `path` from `start` and arrive upstream no earlier than `upstream_end`.
  Pass traverse(double now, const std::vector<std::int32_t>& path, double start, double upstream_end, double bytes);

  const std::vector<std::int32_t>& read_path(std::int32_t core, std::int32_t ch) const {
    return noc_.read_path[static_cast<std::size_t>(core)][static_cast<std::size_t>(ch)];
  }
  const std::vector<std::int32_t>& write_path(std::int32_t core, std::int32_t ch) const {
    return noc_.write_path[static_cast<std::size_t>(core)][static_cast<std::size_t>(ch)];
  }
  // Latency of the routers or bus a transfer between `core` and channel `ch` traverses.
  double hop_cycles(std::int32_t core, std::int32_t ch) const {
    return double(noc_.hops[static_cast<std::size_t>(core)][static_cast<std::size_t>(ch)]) * hop_latency_;
  }
  std::int32_t hops(std::int32_t core, std::int32_t ch) const {
    return noc_.hops[static_cast<std::size_t>(core)][static_cast<std::size_t>(ch)];
  }
  const BandwidthResource& link(std::size_t i) const { return links_[i]; }
  std::size_t links() const { return links_.size(); }

 private:
  const arch::NocModel noc_;
  const double hop_latency_;
  std::vector<BandwidthResource> links_;
};

}  // namespace npusim::sim
