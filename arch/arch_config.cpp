#include "arch/arch_config.h"

#include <algorithm>
#include <cmath>

namespace npusim::arch {

std::string_view name_of(Dataflow d) {
  switch (d) {
    case Dataflow::WeightStationary: return "ws";
    case Dataflow::OutputStationary: return "os";
    case Dataflow::InputStationary: return "is";
  }
  return "?";
}

std::string_view name_of(GpuGeneration g) {
  switch (g) {
    case GpuGeneration::Ampere: return "ampere";
    case GpuGeneration::Hopper: return "hopper";
  }
  return "?";
}

std::string_view name_of(Topology t) {
  switch (t) {
    case Topology::Bus: return "bus";
    case Topology::Crossbar: return "crossbar";
    case Topology::Mesh: return "mesh";
    case Topology::Ring: return "ring";
  }
  return "?";
}

std::string_view name_of(VecClass c) {
  switch (c) {
    case VecClass::Elementwise: return "elementwise";
    case VecClass::Transcendental: return "transcendental";
    case VecClass::Reduction: return "reduction";
  }
  return "?";
}

std::int64_t ArchConfig::dram_latency_cycles() const {
  return static_cast<std::int64_t>(std::ceil(dram.latency_ns / cycle_ns() - 1e-9));
}

std::int64_t ArchConfig::peak_macs_per_cycle(DType t) const {
  return std::int64_t{cores} * core.pe_array.rows * core.pe_array.cols * datatypes.macs(t);
}

AreaBreakdown ArchConfig::area_breakdown() const {
  AreaBreakdown a;
  double pe = 0;
  for (DType t : kOperandDTypes)
    if (datatypes.supports(t)) pe = std::max(pe, area.pe_mm2_per_mac[index_of(t)] * datatypes.macs(t));
  const double pes = double(core.pe_array.rows) * core.pe_array.cols;
  const double kib = double(core.scratchpad.total_bytes + core.accumulator_buffer.bytes) / 1024.0;
  a.pe_arrays_mm2 = cores * pes * pe;
  a.sram_mm2 = cores * kib * area.sram_mm2_per_kib;
  a.vector_units_mm2 = cores * core.vector_unit.lanes * area.vector_lane_mm2;
  a.fixed_mm2 = area.fixed_mm2;
  return a;
}

MinTileBytes min_tile_bytes(const PeArrayConfig& pe, std::int32_t macs_per_cycle, DType operand, DType accumulator) {
  // The smallest compute tile is one fold: the array's stationary block plus one step of the
  // streaming operands (docs/MAPPING.md). v MACs per PE per cycle pack v reduction elements.
  const std::int64_t v = std::max(macs_per_cycle, 1);
  const std::int64_t R = pe.rows, C = pe.cols, ob = bytes_of(operand), ab = bytes_of(accumulator);
  MinTileBytes m;
  switch (pe.dataflow) {
    case Dataflow::WeightStationary:  // m=1, k=R*v, n=C
      m.a = R * v * ob, m.b = R * v * C * ob, m.out = C * ob, m.acc = C * ab;
      break;
    case Dataflow::OutputStationary:  // m=R, k=v, n=C
      // the partial sums accumulate in the PEs; a tile whose K is whole (the smallest tile of
      // any layer whose K fits the scratchpad) needs no accumulator buffer
      m.a = R * v * ob, m.b = v * C * ob, m.out = R * C * ob, m.acc = 0;
      break;
    case Dataflow::InputStationary:  // m=C, k=R*v, n=1
      m.a = R * v * C * ob, m.b = R * v * ob, m.out = C * ob, m.acc = C * ab;
      break;
  }
  return m;
}

}  // namespace npusim::arch
