// PeArray: the systolic array. A compute tile takes the cycles of the PE-array timing formula
// (compiler/pe_timing.h, proven against RTL) while the array streams its operands from the
// scratchpad; the tile is paced in slices, each of which needs its share of scratchpad bandwidth
// before it can complete, so a starved array runs longer than the formula.
// What times the array itself is a variant (sim/pe_timing_model.h): the formula, or the verilated
// RTL with every tile run on it (`--pe-model rtl`); the pacing is the same for both.
#pragma once

#include <systemc>

#include <cstdint>
#include <memory>

#include "compiler/cost_model.h"
#include "compiler/pe_timing.h"
#include "compiler/schedule.h"
#include "sim/accumulator_buffer.h"
#include "sim/pe_timing_model.h"
#include "sim/scratchpad.h"
#include "sim/sim_clock.h"

namespace npusim::sim {

class PeArray : public sc_core::sc_module {
 public:
  PeArray(const sc_core::sc_module_name& name, const compiler::PeGeometry& geometry, std::int64_t operand_bytes,
          std::int64_t acc_bytes, double slice_cycles, Scratchpad& spad, AccumulatorBuffer& acc, const SimClock& clock,
          const PeTimingModel& timing);

  struct Run {
    double array = 0;    // the array's own cycles, from the timing variant (the formula's, or the RTL's)
    double actual = 0;   // cycles it took
    std::int64_t macs = 0, folds = 0, slices = 0;
  };
  // Executes compute tile `c` (command `index` of layer `layer`); must be called from a thread
  // process (it waits).
  Run execute(const compiler::Command& c, std::uint64_t layer, std::uint64_t index);

  std::int64_t macs() const { return macs_; }
  const PeArrayTiming& timing() const { return *timing_; }

 private:
  const compiler::PeGeometry geom_;
  const std::int64_t operand_bytes_, acc_bytes_;
  const double slice_cycles_;
  Scratchpad& spad_;
  AccumulatorBuffer& acc_;
  const SimClock& clock_;
  const std::unique_ptr<PeArrayTiming> timing_;
  std::int64_t macs_ = 0;
};

}  // namespace npusim::sim
