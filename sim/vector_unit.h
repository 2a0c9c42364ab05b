// VectorUnit: SIMD lanes for conversion, activations, normalisation, softmax and pooling. A
// command takes its pipeline latency plus, per operation class, ceil(ops / (lanes x rate))
// cycles (the same formula as the analytic model), and moves its operands through the scratchpad.
#pragma once

#include <systemc>

#include <cstdint>

#include "arch/arch_config.h"
#include "compiler/layer.h"
#include "sim/scratchpad.h"

namespace npusim::sim {

class VectorUnit : public sc_core::sc_module {
 public:
  VectorUnit(const sc_core::sc_module_name& name, const arch::VectorUnitConfig& cfg);

  std::int64_t cycles(const compiler::VecOps& ops) const;
  void count(const compiler::VecOps& ops) {
    for (std::size_t i = 0; i < ops.size(); ++i) ops_[i] += ops[i];
  }
  const compiler::VecOps& ops() const { return ops_; }

 private:
  const arch::VectorUnitConfig cfg_;
  compiler::VecOps ops_{};
};

}  // namespace npusim::sim
