// Dma: a core's DMA engine, one queue for loads (DRAM -> scratchpad or accumulator buffer) and
// one for stores. A transfer is cut into bursts of core.dma.burst_bytes (and at DRAM interleave
// boundaries); each direction keeps at most core.dma.max_outstanding bursts in flight.
// A load burst: the request crosses the interconnect (its hops), the DRAM channel serves the data
// after its latency, the data streams back over the links into the scratchpad banks
// (cut-through) and lands after the hops. A store burst: read from the banks, over the links,
// into the channel. On an idle system a burst of b bytes therefore takes
//   load:  hops + latency + b / min(bandwidths on the way) + hops
//   store: b / min(bandwidths on the way) + hops
// (docs/SIMULATION.md).
#pragma once

#include <systemc>

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "arch/arch_config.h"
#include "compiler/schedule.h"
#include "sim/accumulator_buffer.h"
#include "sim/dram.h"
#include "sim/interconnect.h"
#include "sim/scratchpad.h"
#include "sim/sim_clock.h"

namespace npusim::sim {

class Dma : public sc_core::sc_module {
 public:
  Dma(const sc_core::sc_module_name& name, std::int32_t core, const arch::DmaConfig& cfg, Interconnect& noc,
      Dram& dram, Scratchpad& spad, AccumulatorBuffer& acc, const SimClock& clock);

  struct Transfer {
    double end = 0;  // the last byte has landed
    double link_queued = 0, dram_queued = 0;
    double byte_hops = 0;
    std::int64_t bursts = 0;
    // DRAM accesses (a burst on each channel it touches) and their row-buffer outcomes
    std::int64_t dram_accesses = 0, row_hits = 0, row_misses = 0;
  };
  // Issues the bursts of a Load or Store from the calling thread process, waiting while that
  // direction's window is full; returns when the last burst is issued.
  Transfer issue(const compiler::Command& c);

 private:
  double load_burst(double t, std::uint64_t addr, std::int64_t bytes, bool to_acc, Transfer& tr);
  double store_burst(double t, std::uint64_t addr, std::int64_t bytes, bool from_acc, Transfer& tr);
  static void count(Transfer& tr, const Dram::Service& s);

  const std::int32_t core_;
  const std::int64_t burst_;
  const std::size_t window_;
  Interconnect& noc_;
  Dram& dram_;
  Scratchpad& spad_;
  AccumulatorBuffer& acc_;
  const SimClock& clock_;
  std::priority_queue<double, std::vector<double>, std::greater<>> in_flight_[2];  // burst end times
};

}  // namespace npusim::sim
