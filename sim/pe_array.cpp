#include "sim/pe_array.h"

#include <algorithm>
#include <cmath>

namespace npusim::sim {

PeArray::PeArray(const sc_core::sc_module_name& name, const compiler::PeGeometry& geometry, std::int64_t operand_bytes,
                 std::int64_t acc_bytes, double slice_cycles, Scratchpad& spad, AccumulatorBuffer& acc,
                 const SimClock& clock, const PeTimingModel& timing)
    : sc_core::sc_module(name),
      geom_(geometry),
      operand_bytes_(operand_bytes),
      acc_bytes_(acc_bytes),
      slice_cycles_(slice_cycles),
      spad_(spad),
      acc_(acc),
      clock_(clock),
      timing_(timing.make(geometry, std::string(this->name()))) {}

PeArray::Run PeArray::execute(const compiler::Command& c, std::uint64_t layer, std::uint64_t index) {
  const compiler::PeTileTiming t = compiler::pe_tile_timing(geom_, c.tm, c.tn, c.tk, c.tg);
  const compiler::PeTraffic tr = compiler::pe_traffic(geom_, c.tm, c.tn, c.tk, c.tg);
  Run run;
  run.array = double(timing_->tile_cycles(c, layer, index));
  run.macs = t.macs;
  run.folds = t.folds;
  macs_ += t.macs;
  acc_.access(tr.acc * acc_bytes_);
  // Pace the tile in slices; each slice's operand reads are served by the scratchpad banks.
  const std::int64_t bytes_total = (tr.a + tr.b) * operand_bytes_;
  spad_.count_reads(bytes_total);
  const double bytes = double(bytes_total);
  const std::int64_t slices = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(run.array / slice_cycles_)));
  const double start = clock_.now();
  double at = start;
  for (std::int64_t i = 0; i < slices; ++i) {
    const double cyc = run.array / double(slices);
    const BandwidthResource::Slot s = spad_.serve(at, at, bytes / double(slices));
    at = std::max(at + cyc, s.end);
    clock_.wait_until(at);
  }
  run.actual = at - start;
  run.slices = slices;
  return run;
}

}  // namespace npusim::sim
