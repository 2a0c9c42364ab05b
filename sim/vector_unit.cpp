#include "sim/vector_unit.h"

#include "compiler/cost_model.h"

namespace npusim::sim {

VectorUnit::VectorUnit(const sc_core::sc_module_name& name, const arch::VectorUnitConfig& cfg)
    : sc_core::sc_module(name), cfg_(cfg) {}

std::int64_t VectorUnit::cycles(const compiler::VecOps& ops) const { return compiler::vector_command_cycles(cfg_, ops); }

}  // namespace npusim::sim
