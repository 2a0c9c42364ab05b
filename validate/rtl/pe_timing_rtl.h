// The `rtl` variant of the SystemC model's PE-array timing (sim/pe_timing_model.h), for
// `npusim run --pe-model rtl`: the PeArray hands it every compute tile of the Schedule; it runs the
// tile on the verilated array (systolic_array_rtl.h), cycle by cycle, on int8 operands (npusim
// carries no tensor values, so each tile's operands are pseudo-random, seeded by the layer and the
// command), checks the result against a reference GEMM bit for bit, and returns the cycles the
// RTL took, which then stand for the array's time in place of the timing formula. It adds the
// tiles it ran and their cycles to the result (RunResult::rtl_tiles, rtl_cycles).
#pragma once

#include <memory>

#include "sim/pe_timing_model.h"

namespace npusim::validate::rtl {

// check() throws Error when the build has no RTL or the geometry was not verilated.
std::shared_ptr<const sim::PeTimingModel> rtl_pe_timing();

}  // namespace npusim::validate::rtl
