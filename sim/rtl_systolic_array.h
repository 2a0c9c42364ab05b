// RtlSystolicArray: the PE array's RTL (validate/rtl/systolic_array.sv, verilated) inside the
// SystemC model, for `npusim run --pe-model rtl`. The PeArray hands it every compute tile of the
// Schedule; it runs the tile on the verilated array, cycle by cycle, on int8 operands (npusim
// carries no tensor values, so each tile's operands are pseudo-random, seeded by the layer and
// the command), checks the result against a reference GEMM bit for bit, and returns the cycles
// the RTL took, which then stand for the array's time in place of the timing formula.
#pragma once

#include <systemc>

#include <cstdint>
#include <memory>

#include "compiler/pe_timing.h"
#include "compiler/schedule.h"

namespace npusim::validate::rtl {
class SystolicArrayRtl;
}

namespace npusim::sim {

class RtlSystolicArray : public sc_core::sc_module {
 public:
  // Throws Error when the build has no RTL or the geometry was not verilated.
  RtlSystolicArray(const sc_core::sc_module_name& name, const compiler::PeGeometry& geometry);
  ~RtlSystolicArray() override;

  // Throws the constructor's Error, without building anything: simulate() calls it before the
  // simulation starts, so a geometry that was not verilated is a plain user error.
  static void check(const compiler::PeGeometry& geometry);

  // Runs compute tile `c` (command `index` of layer `layer`) on the RTL; returns its cycles.
  // Throws Error if the RTL's result differs from the reference.
  std::int64_t execute(const compiler::Command& c, std::uint64_t layer, std::uint64_t index);

  std::int64_t tiles() const { return tiles_; }
  std::int64_t cycles() const { return cycles_; }  // array cycles of the tiles run

 private:
  std::unique_ptr<validate::rtl::SystolicArrayRtl> array_;
  std::int64_t tiles_ = 0, cycles_ = 0;
};

}  // namespace npusim::sim
